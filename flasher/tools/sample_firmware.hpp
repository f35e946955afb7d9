#pragma once
// A SAMPLE firmware folder for mtkemu's virtual phones, in the shape of a real MediaTek
// firmware package: a V1.1.2 scatter for MT6765 on eMMC with the layout of a typical GPT-era
// phone (pgpt, proinfo, nvram, protect1/2, seccfg, lk, boot, recovery, logo, nvdata, metadata,
// vendor, system, userdata, flashinfo, sgpt), a TEST preloader with EMI settings, raw images
// and Android sparse images (system, vendor, userdata) with RAW, FILL, DONT_CARE and CRC32
// chunks. The content is deterministic pseudo-random bytes from the seed. Used by
// mtk-make-test-firmware, the tests and the benchmarks.

#include <cstdint>
#include <string>

#include "mtk/error.hpp"

namespace mtk::sample {

struct FirmwareSpec {
  std::string directory;
  std::uint32_t seed = 1;
  std::uint64_t systemData = 48ull << 20;   // bytes of data in the sparse system.img
  std::uint64_t systemSize = 256ull << 20;  // its unpacked size (raised to fit the data)
  std::uint64_t bootSize = 8ull << 20;      // boot.img and recovery.img
  // Another layout of the same phone: nvram moves behind protect1/protect2 (same size), as a
  // new firmware version might do. Firmware Upgrade must carry nvram over.
  bool movedNvram = false;
  // Partition sizes; smaller ones let tests use a small virtual eMMC (the defaults are a real
  // MT6765's and need a 4 GiB user area).
  std::uint64_t vendorPartition = 0x20000000;
  std::uint64_t systemPartition = 0xc0000000;
};

// Writes the folder; the scatter is <directory>/MT6765_Android_scatter.txt.
Status writeFirmware(const FirmwareSpec& spec);
std::string scatterPath(const FirmwareSpec& spec);

}  // namespace mtk::sample
