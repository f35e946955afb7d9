#pragma once
// Partition table bytes for the user area, from the plan's partition list.

#include <string>
#include <vector>

#include "mtk/flasher/partition_table.hpp"

namespace mtk::flasher {

struct TableWrite {
  std::uint64_t offset = 0;  // in the user area
  wire::Bytes bytes;
};

// "GPT": primary (MBR, header, entries) at 0 and backup at the end; "PMT": main + mirror at
// user size - 1 MiB. S_DL_PMT_ERR_NO_SPACE when the layout does not fit.
Result<std::vector<TableWrite>> buildTableWrites(const std::string& kind,
                                                 const std::vector<PartitionInfo>& parts,
                                                 const StorageArea& user, std::uint32_t sectorSize);

}  // namespace mtk::flasher
