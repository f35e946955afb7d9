#include "mtk/emu/storage/initial_content.hpp"

#include <algorithm>

#include "mtk/wire/gpt.hpp"
#include "mtk/wire/pmt.hpp"
#include "mtk/wire/preloader_image.hpp"
#include "mtk/wire/xflash.hpp"

namespace mtk::emu {

namespace {

constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kFirstPartitionOffset = 1 * kMiB;  // partitions start 1 MiB in, aligned

Error layoutError(const std::string& m) {
  return makeError(-1, "EMU_LAYOUT_INVALID", m, "make the partitions fit the user area");
}

std::uint32_t userArea(const VirtualStorage& s) {
  return s.kind() == StorageKind::Ufs ? wire::xflash::UFS_USER : wire::xflash::EMMC_USER;
}

// Deterministic GUIDs from a name, so a layout reads the same every run.
wire::gpt::Guid guidFor(const std::string& name, std::uint32_t salt) {
  wire::gpt::Guid g{};
  std::uint32_t x = 2166136261u ^ salt;
  for (char c : name) x = (x ^ static_cast<std::uint8_t>(c)) * 16777619u;
  for (auto& b : g) {
    x = x * 1664525u + 1013904223u;
    b = static_cast<std::uint8_t>(x >> 24);
  }
  g[7] = static_cast<std::uint8_t>((g[7] & 0x0f) | 0x40);  // version 4
  g[8] = static_cast<std::uint8_t>((g[8] & 0x3f) | 0x80);  // variant
  return g;
}

}  // namespace

const char* tableKindName(TableKind k) {
  switch (k) {
    case TableKind::Gpt:
      return "gpt";
    case TableKind::Pmt:
      return "pmt";
    case TableKind::None:
      return "none";
    case TableKind::CorruptGpt:
      return "corrupt";
  }
  return "?";
}

std::vector<InitialPartition> defaultLayout(std::uint64_t user) {
  // Sizes of a typical MT67xx phone, halved until they fit with room for userdata.
  std::vector<InitialPartition> l = {{"proinfo", 3 * kMiB},
                                     {"nvram", 5 * kMiB},
                                     {"protect1", 8 * kMiB},
                                     {"protect2", 8 * kMiB},
                                     {"persist", 48 * kMiB},
                                     {"seccfg", kMiB / 2},
                                     {"lk", kMiB},
                                     {"lk2", kMiB},
                                     {"boot", 32 * kMiB},
                                     {"recovery", 32 * kMiB},
                                     {"logo", 8 * kMiB},
                                     {"nvdata", 32 * kMiB},
                                     {"metadata", 32 * kMiB},
                                     {"system", 3072 * kMiB},
                                     {"vendor", 512 * kMiB},
                                     {"cache", 448 * kMiB},
                                     {"userdata", 0}};
  auto fixed = [&] {
    std::uint64_t s = kFirstPartitionOffset;
    for (const auto& p : l) s += p.size;
    return s;
  };
  // Halve the largest partition until everything fits with room for userdata.
  while (fixed() + 8 * kMiB > user) {
    auto largest = std::max_element(l.begin(), l.end(),
                                    [](const auto& a, const auto& b) { return a.size < b.size; });
    if (largest->size <= 64 * 1024) break;
    largest->size /= 2;
  }
  return l;
}

Result<std::vector<PlacedPartition>> placeLayout(const VirtualStorage& storage,
                                                 const std::vector<InitialPartition>& layout) {
  const auto* area = storage.area(userArea(storage));
  if (!area) return layoutError("the phone has no user area");
  const std::uint32_t sector = storage.sectorSize();
  const std::uint64_t reservedAtEnd = 2 * kMiB;
  std::vector<PlacedPartition> placed;
  std::uint64_t offset = kFirstPartitionOffset;
  for (std::size_t i = 0; i < layout.size(); ++i) {
    std::uint64_t size = layout[i].size;
    if (size == 0) {
      if (i + 1 != layout.size()) return layoutError("only the last partition may take the rest");
      if (offset + reservedAtEnd >= area->size)
        return layoutError("no room left for " + layout[i].name);
      size = (area->size - reservedAtEnd - offset) / sector * sector;
    }
    if (size % sector || offset + size + reservedAtEnd > area->size) {
      return layoutError("partition " + layout[i].name + " does not fit the user area");
    }
    placed.push_back({layout[i].name, area->partType, offset, size});
    offset += size;
  }
  return placed;
}

Result<bool> userAreaBlank(const VirtualStorage& storage) {
  const auto* area = storage.area(userArea(storage));
  if (!area) return layoutError("the phone has no user area");
  wire::Bytes head(2 * storage.sectorSize());
  if (auto s = storage.read(area->partType, 0, head); !s) return s.error();
  return std::all_of(head.begin(), head.end(), [](auto b) { return b == 0; });
}

Status writeInitialTable(VirtualStorage& storage, TableKind kind,
                         const std::vector<InitialPartition>& layout) {
  if (kind == TableKind::None) return {};
  // Keep what is there: a restarted emulator must not undo a flash.
  auto blank = userAreaBlank(storage);
  if (!blank) return blank.error();
  if (!*blank) return {};
  const auto* area = storage.area(userArea(storage));
  const std::uint32_t sector = storage.sectorSize();
  auto placed = placeLayout(storage, layout);
  if (!placed) return placed.error();

  if (kind == TableKind::Pmt) {
    wire::pmt::Table t;
    for (const auto& p : *placed) {
      wire::pmt::Entry e;
      e.name = p.name;
      e.offset = p.offset;
      e.size = p.size;
      e.partId = wire::xflash::EMMC_USER;
      t.entries.push_back(e);
    }
    auto region = wire::pmt::build(t);
    if (!region) return region.error();
    auto at = wire::pmt::emmcTableOffset(area->size);
    if (!at) return at.error();
    return storage.write(area->partType, *at, *region);
  }

  wire::gpt::Layout l;
  l.sectorSize = sector;
  l.diskSectors = area->size / sector;
  l.diskGuid = guidFor("disk", 0);
  for (const auto& pp : *placed) {
    wire::gpt::PartitionSpec p;
    p.name = pp.name;
    p.firstLba = pp.offset / sector;
    p.lastLba = (pp.offset + pp.size) / sector - 1;
    p.type = wire::gpt::basicDataType();
    p.unique = guidFor(pp.name, 1);
    l.partitions.push_back(p);
  }
  if (auto s = wire::gpt::checkLayout(l); !s) return s;
  wire::Bytes primary = wire::gpt::buildPrimary(l);
  if (kind == TableKind::CorruptGpt) primary[sector + 16] ^= 0xff;  // header CRC no longer matches
  if (auto s = storage.write(area->partType, 0, primary); !s) return s;
  const wire::Bytes backup = wire::gpt::buildBackup(l);
  return storage.write(area->partType, wire::gpt::backupStartLba(l) * sector, backup);
}

Status writeInitialPreloader(VirtualStorage& storage, const std::string& chipName,
                             const std::string& emiVersion) {
  const bool ufs = storage.kind() == StorageKind::Ufs;
  wire::preloader::TestPreloaderSpec spec;
  spec.chipName = chipName;
  spec.emiVersion = emiVersion;
  const wire::Bytes region = wire::preloader::wrapForBootRegion(
      wire::preloader::buildTestPreloader(spec),
      ufs ? wire::preloader::BootMedium::Ufs : wire::preloader::BootMedium::Emmc);
  for (const char* name : {ufs ? "lu0" : "boot1", ufs ? "lu1" : "boot2"}) {
    const StorageArea* a = storage.areaByName(name);
    if (!a || a->size < region.size()) continue;
    wire::Bytes head(512);
    if (auto s = storage.read(a->partType, 0, head); !s) return s;
    if (std::any_of(head.begin(), head.end(), [](auto b) { return b != 0; }))
      continue;  // keep what is there
    if (auto s = storage.write(a->partType, 0, region); !s) return s;
  }
  return {};
}

}  // namespace mtk::emu
