// Where scatter partitions land on a phone: regions to storage areas, region-relative offsets
// (physical vs linear, end-relative and fill-to-end entries resolved against the phone's area
// sizes), and for legacy scatters the single linear address space cut back into areas.
#include <algorithm>
#include <map>

#include "mtk/flasher/flash_plan.hpp"

namespace mtk::flasher {

namespace sc = wire::scatter;

std::string areaForRegion(const std::string& r) {
  static const std::map<std::string, std::string> areas = {
      {"EMMC_BOOT1", "boot1"}, {"EMMC_BOOT2", "boot2"}, {"EMMC_RPMB", "rpmb"},
      {"EMMC_GP1", "gp1"},     {"EMMC_GP2", "gp2"},     {"EMMC_GP3", "gp3"},
      {"EMMC_GP4", "gp4"},     {"EMMC_USER", "user"},   {"UFS_LU0", "lu0"},
      {"UFS_LU1", "lu1"},      {"UFS_LU2", "lu2"}};
  const auto it = areas.find(r);
  return it == areas.end() ? "" : it->second;
}

namespace {

std::string regionForArea(const StorageArea& a) {
  static const std::map<std::string, std::string> regions = {
      {"boot1", "EMMC_BOOT1"}, {"boot2", "EMMC_BOOT2"}, {"rpmb", "EMMC_RPMB"},
      {"gp1", "EMMC_GP1"},     {"gp2", "EMMC_GP2"},     {"gp3", "EMMC_GP3"},
      {"gp4", "EMMC_GP4"},     {"user", "EMMC_USER"},   {"lu0", "UFS_LU0"},
      {"lu1", "UFS_LU1"},      {"lu2", "UFS_LU2"}};
  const auto it = regions.find(a.name);
  return it == regions.end() ? "" : it->second;
}

// Legacy scatters number the device as one space: boot1, boot2, RPMB, GP areas, then user
// (spflash.md §3.5). Finds the area a linear address falls in.
const StorageArea* linearArea(const StorageInfo& storage, std::uint64_t linear,
                              std::uint64_t& offsetInArea) {
  static const char* order[] = {"boot1", "boot2", "rpmb", "gp1", "gp2", "gp3", "gp4", "user"};
  std::uint64_t base = 0;
  for (const char* name : order) {
    const StorageArea* a = storage.area(name);
    if (!a) continue;
    if (linear < base + a->size) {
      offsetInArea = linear - base;
      return a;
    }
    base += a->size;
  }
  return nullptr;
}

}  // namespace

Result<std::vector<PlacedPartition>> placeFirmware(const Firmware& fw, const StorageInfo* storage) {
  const sc::Scatter& s = fw.scatter;
  const bool legacy = s.format == sc::Format::Legacy;
  std::map<std::string, std::uint64_t> sizes;
  std::uint64_t linearTotal = 0;
  if (storage) {
    for (const StorageArea& a : storage->areas) {
      const std::string r = regionForArea(a);
      if (!r.empty()) sizes[r] = a.size;
      linearTotal += a.size;
    }
    if (legacy) sizes[""] = linearTotal;
  }
  sc::Section section;
  section.blockSize = s.blockSize;
  section.storage = s.storage;
  section.partitions = s.partitions;
  const auto placements = sc::place(section, legacy, sizes);

  std::vector<PlacedPartition> out;
  for (const sc::Placement& pl : placements) {
    const sc::Partition& p = s.partitions[pl.partition];
    PlacedPartition pp;
    pp.index = pl.partition;
    pp.name = p.name;
    pp.role = roleOf(p);
    pp.region = pl.region;
    pp.size = pl.size;
    pp.sizeKnown = pl.sizeKnown;
    pp.offset = pl.offset;
    if (legacy) {
      if (storage && pl.offset) {
        std::uint64_t inArea = 0;
        const StorageArea* a = linearArea(*storage, *pl.offset, inArea);
        if (!a) {
          return makeError(-1, "PARTITION_OUTSIDE_STORAGE",
                           fw.scatter.fileName + ":" + std::to_string(p.line) + ": partition " +
                               p.name + " starts beyond the end of the phone's storage",
                           "use the scatter file made for this phone");
        }
        pp.area = a->name;
        pp.partType = a->partType;
        pp.offset = inArea;
        // A linear-era entry may span areas (the preloader's size is the whole boot block);
        // only the part inside its own area is ever touched.
        pp.size = std::min(pp.size, a->size - inArea);
      } else {
        pp.area = "linear";
      }
    } else {
      pp.area = areaForRegion(pl.region);
      if (pp.area.empty()) continue;  // region NONE: not on this storage (NAND-only entries)
      if (storage) {
        const StorageArea* a = storage->area(pp.area);
        if (!a) {
          return makeError(-1, "REGION_NOT_ON_PHONE",
                           fw.scatter.fileName + ":" + std::to_string(p.line) + ": partition " +
                               p.name + " is in region " + p.region + ", which this phone's " +
                               storageTypeName(storage->type) + " does not have",
                           "use the scatter file made for this phone's storage");
        }
        pp.partType = a->partType;
      }
    }
    out.push_back(std::move(pp));
  }
  return out;
}

}  // namespace mtk::flasher
