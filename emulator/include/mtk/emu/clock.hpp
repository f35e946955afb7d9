#pragma once
// Time for the virtual phone, injectable so that timeouts (the preloader's short USB window)
// are testable without sleeping: tests drive a ManualClock, the emulator uses the steady clock.

#include <atomic>
#include <chrono>

namespace mtk::emu {

class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
};

class ManualClock final : public Clock {
 public:
  time_point now() const override { return time_point(std::chrono::nanoseconds(ns_.load())); }
  void advance(std::chrono::nanoseconds d) { ns_ += d.count(); }

 private:
  std::atomic<long long> ns_{1'000'000'000};
};

}  // namespace mtk::emu
