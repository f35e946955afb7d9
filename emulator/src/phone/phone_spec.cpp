#include "mtk/emu/phone/phone_spec.hpp"

namespace mtk::emu {

void PhoneSpec::deriveIds(std::uint32_t seed) {
  std::uint32_t x = seed * 2654435761u + 0x9e3779b9u;
  auto next = [&x] {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return static_cast<std::uint8_t>(x);
  };
  for (auto& b : meId) b = next();
  for (auto& b : socId) b = next();
}

std::vector<FaultRule> PhoneSpec::faultRules() const {
  std::vector<FaultRule> rules = faults;
  auto every = [&rules](FaultTrigger t, FaultAction a, const char* name) {
    rules.push_back(FaultRule{std::move(t), std::move(a), 0, name});
  };
  if (daSilent) {
    every({.kind = FaultTrigger::Kind::DaCommand, .command = "START"},
          {.kind = FaultAction::Kind::Silent}, "da_silent");
  }
  if (dramInitFails) {
    every({.kind = FaultTrigger::Kind::DaCommand, .command = "INIT_EXT_RAM"},
          {.kind = FaultAction::Kind::RefuseDram}, "dram_init_fails");
  }
  return rules;
}

}  // namespace mtk::emu
