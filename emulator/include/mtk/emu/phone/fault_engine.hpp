#pragma once
// Decides when the fault rules of a phone fire (fault.hpp has what triggers and actions mean).
// Pure bookkeeping: no bus, no I/O; the phone model reports what happens (a power-on, a command,
// bytes moving, time passing) and gets back the rules that fire now, in rule order, and carries
// out their actions itself. Same rules + same seed + same events = same firings, which is what
// makes a scenario repeatable and a seeded sweep reportable by seed.

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mtk/emu/clock.hpp"
#include "mtk/emu/phone/fault.hpp"
#include "mtk/emu/splitmix64.hpp"

namespace mtk::emu {

struct FiredFault {
  std::size_t rule = 0;             // index into the rules the engine was given
  std::string name;                 // the rule's name, or "#<index>"
  std::string trigger;              // describeTrigger(), and where it matched
  std::string action;               // describeAction()
  unsigned powerOn = 0;             // which power-on (1 = the first)
  std::chrono::milliseconds at{0};  // since that power-on, on the bus clock
  std::string describe() const;  // "#2 unplug at before da_command WRITE_DATA (power-on 1, +40 ms)"
};

class FaultEngine {
 public:
  FaultEngine(std::vector<FaultRule> rules, std::uint64_t seed);

  const std::vector<FaultRule>& rules() const { return rules_; }
  bool empty() const { return rules_.empty(); }

  // A new power-on: time and the bulk streams count from here.
  void powerOn(Clock::time_point now);
  // The DA starts: offsets `from: da` count from the bytes moved so far, plus `outInFlight` OUT
  // bytes being delivered right now (the rest of the transfer that completed JUMP_DA).
  void daStarted(std::uint64_t outInFlight = 0);
  Clock::time_point poweredOnAt() const { return origin_; }
  unsigned powerOns() const { return powerOns_; }

  // Each returns the rules that fire now (indices into rules()), in rule order.
  std::vector<std::size_t> onPowerOn(Clock::time_point now);
  std::vector<std::size_t> onCommand(FaultStage stage, std::string_view name, FaultPhase phase,
                                     Clock::time_point now);
  std::vector<std::size_t> onTime(Clock::time_point now);

  // The bulk streams. position() is the number of bytes moved since power-on; nextMark() the
  // position of the nearest offset trigger not yet reached (so a caller can split a transfer
  // there); onBulk() fires the rules whose offset is the current position.
  std::uint64_t position(FaultDirection d) const { return pos_[index(d)]; }
  std::optional<std::uint64_t> nextMark(FaultDirection d) const;
  void advance(FaultDirection d, std::uint64_t n) { pos_[index(d)] += n; }
  std::vector<std::size_t> onBulk(FaultDirection d, Clock::time_point now);

  // Every firing so far, oldest first.
  const std::vector<FiredFault>& fired() const { return fired_; }

 private:
  struct RuleState {
    std::uint64_t offset = 0;  // BulkOffset, drawn from the seed when a range was given
    unsigned matches = 0;
    unsigned fires = 0;
    unsigned reachedOnPowerOn = 0;  // offset/time rules: the power-on they were last reached in
  };
  static std::size_t index(FaultDirection d) { return d == FaultDirection::Out ? 0 : 1; }
  std::optional<std::uint64_t> targetOf(std::size_t rule) const;
  // Counts a match; true when the rule fires (occurrence, times and probability allow it).
  bool match(std::size_t rule, Clock::time_point now, const std::string& where);

  std::vector<FaultRule> rules_;
  std::vector<RuleState> state_;
  SplitMix64 rng_;
  Clock::time_point origin_{};
  unsigned powerOns_ = 0;
  std::uint64_t pos_[2] = {0, 0};
  std::optional<std::uint64_t> daBase_[2];
  std::vector<FiredFault> fired_;
};

// The last protocol exchanges of a phone, for a person reading why a scenario failed:
// "+120 ms -> DA WRITE_DATA", "+121 ms <- DA status STATUS_MMC_ERR (0xc0040030)".
class ExchangeLog {
 public:
  explicit ExchangeLog(std::size_t capacity = 32) : capacity_(capacity) {}
  void add(std::string line) {
    if (lines_.size() == capacity_) lines_.pop_front();
    lines_.push_back(std::move(line));
  }
  std::vector<std::string> lines() const { return {lines_.begin(), lines_.end()}; }

 private:
  std::size_t capacity_;
  std::deque<std::string> lines_;
};

}  // namespace mtk::emu
