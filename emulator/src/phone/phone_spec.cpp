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

}  // namespace mtk::emu
