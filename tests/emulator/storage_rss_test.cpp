// The virtual storage keeps memory flat: a 64 GiB eMMC with 4 GiB written at scattered
// offsets costs disk blocks, not resident memory. Prints the figures; asserts a generous bound.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "mtk/emu/storage/virtual_storage.hpp"
#include "mtk/wire/xflash.hpp"

namespace mtk::emu {
namespace {

// Peak resident memory of this process (VmHWM), in KiB.
long peakRssKiB() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

TEST(StorageMemoryTest, FourGiBScatteredOverSixtyFourGiBKeepsRssFlat) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP()
      << "memory figures are meaningless under AddressSanitizer; the release build runs this";
#endif
  StorageSpec spec;
  spec.user = 64ull << 30;
  auto storage = VirtualStorage::open(spec);
  ASSERT_TRUE(storage) << storage.error().describe();
  const long before = peakRssKiB();
  wire::Bytes chunk(1u << 20);
  std::uint64_t x = 12345;
  const std::size_t chunks = 4096;  // 4 GiB
  for (std::size_t i = 0; i < chunks; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    const std::uint64_t offset = ((x >> 20) % ((64ull << 30) / chunk.size() - 1)) * chunk.size();
    chunk[0] = static_cast<std::uint8_t>(i);
    chunk[chunk.size() - 1] = static_cast<std::uint8_t>(i >> 8);
    ASSERT_TRUE((*storage)->write(wire::xflash::EMMC_USER, offset, chunk));
  }
  const long after = peakRssKiB();
  std::printf(
      "storage RSS: peak %ld KiB before, %ld KiB after writing 4 GiB at scattered offsets of a 64 "
      "GiB "
      "user area (growth %ld KiB)\n",
      before, after, after - before);
  EXPECT_LT(after - before, 64 * 1024) << "memory must not grow with what was written";
}

}  // namespace
}  // namespace mtk::emu
