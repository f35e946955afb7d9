#include "mtk/emu/phone/register_space.hpp"

#include "mtk/wire/bytes.hpp"

namespace mtk::emu {

RegisterSpace::RegisterSpace(const PhoneSpec& spec)
    : wdtBase_(spec.chip->wdtBase), wdtValue_(spec.chip->wdtValue) {
  words_[wdtBase_] = 0x00000005;  // watchdog enabled after reset
  for (std::uint32_t i = 0; i < 4; ++i) {
    words_[kMeIdRegisterBase + 4 * i] = wire::loadLe32(&spec.meId[4 * i]);
  }
}

std::uint32_t RegisterSpace::read32(std::uint32_t address) const {
  auto it = words_.find(address & ~3u);
  return it == words_.end() ? 0 : it->second;
}

std::uint16_t RegisterSpace::read16(std::uint32_t address) const {
  const std::uint32_t word = read32(address);
  return static_cast<std::uint16_t>((address & 2) ? word >> 16 : word);
}

void RegisterSpace::write32(std::uint32_t address, std::uint32_t value) {
  words_[address & ~3u] = value;
  if (address == wdtBase_ && value == wdtValue_) watchdogDisabled_ = true;
  log(address, value, 32);
}

void RegisterSpace::write16(std::uint32_t address, std::uint16_t value) {
  std::uint32_t& word = words_[address & ~3u];
  word = (address & 2) ? (word & 0x0000ffffu) | std::uint32_t{value} << 16
                       : (word & 0xffff0000u) | value;
  // 16-bit watchdog chips take the low half of the disable value.
  if ((address & ~3u) == wdtBase_ && value == (wdtValue_ >> 16 | (wdtValue_ & 0xff)))
    watchdogDisabled_ = true;
  log(address, value, 16);
}

void RegisterSpace::log(std::uint32_t address, std::uint32_t value, int width) {
  writes_.push_back({address, value, width});
  if (writes_.size() > 1024) writes_.pop_front();
}

}  // namespace mtk::emu
