#pragma once
// The memory-mapped registers a host can reach with READ16/32 and WRITE16/32: the watchdog and
// the ME ID (efuse) words. Unknown addresses read 0; every write is logged (the last 1024), so
// tests can see what a host touched.

#include <cstdint>
#include <deque>
#include <map>

#include "mtk/emu/phone/phone_spec.hpp"

namespace mtk::emu {

// Where this emulator shows the ME ID as four u32 words (the real efuse layout varies by chip).
constexpr std::uint32_t kMeIdRegisterBase = 0x11c10000;

class RegisterSpace {
 public:
  explicit RegisterSpace(const PhoneSpec& spec);

  std::uint32_t read32(std::uint32_t address) const;
  std::uint16_t read16(std::uint32_t address) const;
  void write32(std::uint32_t address, std::uint32_t value);
  void write16(std::uint32_t address, std::uint16_t value);

  struct Write {
    std::uint32_t address;
    std::uint32_t value;
    int width;  // 16 or 32
  };
  const std::deque<Write>& writes() const { return writes_; }
  bool watchdogDisabled() const { return watchdogDisabled_; }

 private:
  void log(std::uint32_t address, std::uint32_t value, int width);
  std::map<std::uint32_t, std::uint32_t> words_;  // aligned 32-bit words
  std::deque<Write> writes_;
  std::uint32_t wdtBase_;
  std::uint32_t wdtValue_;
  bool watchdogDisabled_ = false;
};

}  // namespace mtk::emu
