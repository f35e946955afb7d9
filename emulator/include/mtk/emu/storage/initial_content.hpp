#pragma once
// What a virtual phone's flash holds before anyone flashes it: a partition table in the user
// area (GPT, MediaTek PMT, a damaged one, or none) laid out like a real phone's, so printgpt,
// readback and Firmware Upgrade meet what they meet in the field.

#include <cstdint>
#include <string>
#include <vector>

#include "mtk/emu/storage/virtual_storage.hpp"
#include "mtk/error.hpp"

namespace mtk::emu {

enum class TableKind { Gpt, Pmt, None, CorruptGpt };
const char* tableKindName(TableKind k);

struct InitialPartition {
  std::string name;
  std::uint64_t size = 0;  // bytes; 0 for the last one = the rest of the user area
};

// A partition of the layout where writeInitialTable puts it.
struct PlacedPartition {
  std::string name;
  std::uint32_t partType = 0;  // the user area's id (wire/xflash.hpp EMMC_USER / UFS_USER)
  std::uint64_t offset = 0;    // bytes into the user area
  std::uint64_t size = 0;
};

// Places the partitions back to back from 1 MiB; the last may take what is left before the
// backup GPT (or the PMT at the end).
Result<std::vector<PlacedPartition>> placeLayout(const VirtualStorage& storage,
                                                 const std::vector<InitialPartition>& layout);

// True when the user area's first two sectors are zero: no partition table has been written.
Result<bool> userAreaBlank(const VirtualStorage& storage);

// A typical MediaTek Android layout (preloader-era names: proinfo, nvram, protect1, ...),
// scaled down where the user area is small.
std::vector<InitialPartition> defaultLayout(std::uint64_t userAreaBytes);

// Writes the table (and its backup/mirror) into a blank user area; existing content is kept
// when the table is already there (a restarted emulator keeps what was flashed).
Status writeInitialTable(VirtualStorage& storage, TableKind kind,
                         const std::vector<InitialPartition>& layout);

// A preloader in boot1 and boot2 (UFS: LU0 and LU1) as phones ship: the EMMC_BOOT/UFS_BOOT
// and BRLYT headers, then a test preloader for this chip carrying the EMI settings of the
// phone's RAM, so a readback of boot1 is realistic and can be "processed" into a flashable
// preloader. Written only to blank boot areas.
Status writeInitialPreloader(VirtualStorage& storage, const std::string& chipName,
                             const std::string& emiVersion);

}  // namespace mtk::emu
