#include "mtk/flasher/partition_table.hpp"

#include <algorithm>
#include <cctype>

#include "mtk/flasher/mtk_errors.hpp"
#include "mtk/wire/gpt.hpp"
#include "mtk/wire/pmt.hpp"

namespace mtk::flasher {

namespace {

bool sameName(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

Result<wire::Bytes> readRange(XFlashClient& da, std::uint32_t partType, std::uint64_t offset,
                              std::uint64_t length) {
  wire::Bytes out;
  out.reserve(length);
  auto s = da.read(partType, offset, length, [&](wire::ByteSpan piece) -> Status {
    out.insert(out.end(), piece.begin(), piece.end());
    return {};
  });
  if (!s) return s.error();
  return out;
}

}  // namespace

const PartitionInfo* PartitionTable::find(const std::string& name) const {
  for (const auto& p : partitions) {
    if (sameName(p.name, name)) return &p;
  }
  return nullptr;
}

Result<PartitionTable> tableFromGpt(wire::ByteSpan head, std::uint32_t sectorSize,
                                    std::uint32_t partType) {
  auto gpt = wire::gpt::parse(head, sectorSize);
  if (!gpt) return gpt.error();
  PartitionTable t;
  t.kind = "GPT";
  t.sectorSize = sectorSize;
  for (const auto& p : gpt->partitions) {
    t.partitions.push_back(
        {p.name, partType, p.firstLba * sectorSize, (p.lastLba - p.firstLba + 1) * sectorSize});
  }
  return t;
}

Result<PartitionTable> tableFromPmt(wire::ByteSpan region, std::uint32_t sectorSize,
                                    std::uint32_t partType) {
  auto pmt = wire::pmt::parseMainOrMirror(region);
  if (!pmt) return pmt.error();
  PartitionTable t;
  t.kind = "PMT";
  t.sectorSize = sectorSize;
  for (const auto& e : pmt->entries) t.partitions.push_back({e.name, partType, e.offset, e.size});
  return t;
}

Result<PartitionTable> readPartitionTable(XFlashClient& da, const StorageInfo& storage) {
  const StorageArea* user = storage.user();
  if (!user) return mtkError(codes::S_PART_NO_VALID_TABLE, "the phone reports no user area", "");
  const std::uint32_t sector = storage.blockSize;
  // LBA 0 (protective MBR), LBA 1 (header) and the entry array (128 x 128 bytes).
  const std::uint64_t want = std::min<std::uint64_t>(user->size, 2 * sector + 128 * 128);
  auto head = readRange(da, user->partType, 0, want);
  if (!head) return head.error();
  auto gpt = tableFromGpt(*head, sector, user->partType);
  if (gpt) return gpt;
  std::string why = "GPT: " + gpt.error().message;
  auto pmtOffset = wire::pmt::emmcTableOffset(user->size);
  if (pmtOffset) {
    auto region =
        readRange(da, user->partType, *pmtOffset,
                  std::min<std::uint64_t>(2 * wire::pmt::kRegionSize, user->size - *pmtOffset));
    if (!region) return region.error();
    auto pmt = tableFromPmt(*region, sector, user->partType);
    if (pmt) return pmt;
    why += "; PMT: " + pmt.error().message;
  }
  return mtkError(
      codes::S_PART_NO_VALID_TABLE,
      "no valid partition table (PMT or GPT) on the phone (" + why + ")",
      "the partition table is missing or damaged: Format All + Download writes a new one from "
      "the scatter file");
}

Result<StorageArea> areaByName(const StorageInfo& storage, const std::string& name) {
  for (const auto& a : storage.areas) {
    if (sameName(a.name, name)) return a;
  }
  std::string names;
  for (const auto& a : storage.areas) names += (names.empty() ? "" : ", ") + a.name;
  return makeError(
      -1, "BAD_AREA",
      "this phone's " + std::string(storageTypeName(storage.type)) + " has no area '" + name + "'",
      "use one of: " + names);
}

}  // namespace mtk::flasher
