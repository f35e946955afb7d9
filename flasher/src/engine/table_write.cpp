// The bytes of a partition table for the user area: a GPT (primary at LBA 0, backup at the
// end) or a MediaTek PMT (main and mirror 1 MiB before the end), from a list of partitions.
#include "table_write.hpp"

#include "mtk/flasher/mtk_errors.hpp"
#include "mtk/wire/gpt.hpp"
#include "mtk/wire/pmt.hpp"
#include "mtk/wire/sha256.hpp"

namespace mtk::flasher {

namespace {

// Stable GUIDs from names, so the same layout always gives the same table bytes (a clone of a
// phone is then identical byte for byte, and reruns change nothing).
wire::gpt::Guid guidFrom(const std::string& text) {
  const auto d = wire::Sha256::of(
      wire::ByteSpan(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  wire::gpt::Guid g{};
  std::copy(d.begin(), d.begin() + 16, g.begin());
  g[7] = static_cast<std::uint8_t>((g[7] & 0x0F) | 0x40);  // version 4 layout bits
  g[8] = static_cast<std::uint8_t>((g[8] & 0x3F) | 0x80);
  return g;
}

}  // namespace

Result<std::vector<TableWrite>> buildTableWrites(const std::string& kind,
                                                 const std::vector<PartitionInfo>& parts,
                                                 const StorageArea& user,
                                                 std::uint32_t sectorSize) {
  std::vector<TableWrite> out;
  if (kind == "GPT") {
    wire::gpt::Layout l;
    l.sectorSize = sectorSize;
    l.diskSectors = user.size / sectorSize;
    l.diskGuid = guidFrom("disk");
    for (const PartitionInfo& p : parts) {
      if (p.offset % sectorSize || p.size % sectorSize || p.size == 0) {
        return makeError(-1, "LAYOUT_NOT_ALIGNED",
                         "partition " + p.name + " is not aligned to " +
                             std::to_string(sectorSize) + "-byte sectors",
                         "use the scatter file made for this phone");
      }
      wire::gpt::PartitionSpec s;
      s.name = p.name;
      s.firstLba = p.offset / sectorSize;
      s.lastLba = (p.offset + p.size) / sectorSize - 1;
      s.type = wire::gpt::basicDataType();
      s.unique = guidFrom("part:" + p.name);
      l.partitions.push_back(s);
    }
    if (auto c = wire::gpt::checkLayout(l); !c) {
      return mtkError(
          codes::S_DL_PMT_ERR_NO_SPACE,
          "the scatter's layout does not fit this phone's user area as a GPT: " + c.error().message,
          "use the scatter file made for this phone; nothing was written");
    }
    out.push_back({0, wire::gpt::buildPrimary(l)});
    out.push_back({wire::gpt::backupStartLba(l) * sectorSize, wire::gpt::buildBackup(l)});
    return out;
  }
  auto at = wire::pmt::emmcTableOffset(user.size);
  if (!at) return at.error();
  wire::pmt::Table t;
  for (const PartitionInfo& p : parts) {
    wire::pmt::Entry e;
    e.name = p.name;
    e.size = p.size;
    e.offset = p.offset;
    e.partId = 8;  // the user area
    t.entries.push_back(e);
  }
  auto main = wire::pmt::build(t);
  if (!main) {
    return mtkError(codes::S_DL_PMT_ERR_NO_SPACE,
                    "the scatter's layout does not fit a PMT: " + main.error().message,
                    "use the scatter file made for this phone; nothing was written");
  }
  t.signature = wire::pmt::kSigMptV1;
  auto mirror = wire::pmt::build(t);
  if (!mirror) return mirror.error();
  wire::Bytes both = *main;
  both.insert(both.end(), mirror->begin(), mirror->end());
  out.push_back({*at, std::move(both)});
  return out;
}

}  // namespace mtk::flasher
