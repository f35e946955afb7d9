#pragma once
// SplitMix64 (Steele, Lea, Flood 2014): the emulator's one pseudo-random generator, for fault
// rolls and for seeded partition content. Tiny, and the same on every platform, unlike the
// standard distributions, whose output the C++ standard leaves to the library; its k-th output
// can also be computed directly, so content can be generated piece by piece.

#include <cstdint>

namespace mtk::emu {

class SplitMix64 {
 public:
  static constexpr std::uint64_t kGamma = 0x9e3779b97f4a7c15ull;

  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() { return mix(state_ += kGamma); }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)

  // The k-th output (0-based) of a generator seeded with `seed`.
  static std::uint64_t at(std::uint64_t seed, std::uint64_t k) {
    return mix(seed + (k + 1) * kGamma);
  }

 private:
  static std::uint64_t mix(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  std::uint64_t state_;
};

}  // namespace mtk::emu
