#pragma once
// The phone's partition table as the engine needs it: names, where each partition lives and
// how big it is, read through the DA from a GPT (MT6735 onward, UFS) or a MediaTek PMT.

#include <string>
#include <vector>

#include "mtk/flasher/xflash_client.hpp"

namespace mtk::flasher {

struct PartitionInfo {
  std::string name;
  std::uint32_t partType = 0;  // the storage area it lives in (user area for GPT/PMT entries)
  std::uint64_t offset = 0;    // bytes from the start of that area
  std::uint64_t size = 0;      // bytes
};

struct PartitionTable {
  std::string kind;  // "GPT" or "PMT"
  std::uint32_t sectorSize = 512;
  std::vector<PartitionInfo> partitions;
  const PartitionInfo* find(const std::string& name) const;  // case-insensitive
};

// The table in bytes already read (from the phone, a dump file or a virtual flash): a primary
// GPT in `head` (the user area from offset 0: protective MBR, header, entries), or a PMT main or
// mirror in `region` (8 KiB at pmt::emmcTableOffset). Partitions get `partType`.
Result<PartitionTable> tableFromGpt(wire::ByteSpan head, std::uint32_t sectorSize,
                                    std::uint32_t partType);
Result<PartitionTable> tableFromPmt(wire::ByteSpan region, std::uint32_t sectorSize,
                                    std::uint32_t partType);

// Reads the user area's GPT, falling back to a PMT; S_PART_NO_VALID_TABLE (1037) when neither.
Result<PartitionTable> readPartitionTable(XFlashClient& da, const StorageInfo& storage);

// A storage area by name (boot1, boot2, rpmb, gp1..gp4, user; lu0..lu2 on UFS), or an error
// that lists the names this phone has.
Result<StorageArea> areaByName(const StorageInfo& storage, const std::string& name);

}  // namespace mtk::flasher
