// Scatter checks (spflash.md §3.5, §3.6) and the placement of partitions in their regions.
//
// Error names are SP Flash Tool's where it has one for the situation (spflash-codes.tsv, v5
// numbering); where SPFT only prints a sentence without a code, the nearest code is chosen and
// the comment at each constant says why.

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "mtk/wire/chips.hpp"
#include "mtk/wire/scatter.hpp"
#include "scatter_detail.hpp"

namespace mtk::wire::scatter {

namespace {

using detail::equalsNoCase;
using detail::excerpt;
using detail::hex;
using detail::storageKind;
using detail::upper;

struct Code {
  std::int64_t code;
  const char* name;
};
// Syntax and names SPFT does not know: its "scatter file has incorrect format" (5011).
// Empty and duplicate partition names are v6 load errors with no number; 5011 is their family.
constexpr Code kFormat{5011, "S_DL_SCAT_INCORRECT_FORMAT"};
constexpr Code kNotAscending{5014, "S_DL_SCAT_ADDR_IS_NOT_ASCENDING_ORDER"};
constexpr Code kOverlap{5016, "S_DL_LOAD_REGION_IS_OVERLAP"};
// Layout beyond the region/device: SPFT's check is IsStorageSizeEnough (§3.6 step 3), whose
// status is S_NOT_ENOUGH_STORAGE_SPACE.
constexpr Code kNoSpace{1011, "S_NOT_ENOUGH_STORAGE_SPACE"};
// Image larger than its partition: SPFT prints "Boundary Check Failed: rom size >= partition
// size" without a code; S_DL_PMT_ERR_NO_SPACE ("image larger than the space in the table") is
// the status the same situation gets when the DA finds it, so we use that name.
constexpr Code kImageTooLarge{5069, "S_DL_PMT_ERR_NO_SPACE"};
// A ticked row without its file: "A ticked file is missing" (§2.2).
constexpr Code kMissingImage{5007, "S_FTHND_FILE_IS_NOT_LOADED_YET"};
// is_download on a row that has nothing to download ("should NOT set is_download to true").
constexpr Code kIsDownloadProp{5080, "S_DL_SCAT_IS_DOWNLOAD_PROP_ERR"};
constexpr Code kChipMismatch{3184, "S_CHIP_TYPE_NOT_MATCH"};
constexpr Code kStorageMismatch{3183, "S_STORAGE_NOT_MATCH"};

constexpr std::array<const char*, 10> kTypes = {"NORMAL_ROM", "SV5_BL_BIN", "YAFFS_IMG", "MBR_BIN",
                                                "UBI_IMG",    "EXT4_IMG",   "FAT_IMG",   "F2FS_IMG",
                                                "FTL20_IMG",  "NONE"};
constexpr std::array<const char*, 8> kOperations = {"BOOTLOADERS", "UPDATE",    "INVISIBLE",
                                                    "PROTECTED",   "RESERVED",  "BINREGION",
                                                    "KEEPVISIBLE", "NEEDRESIZE"};
constexpr std::array<const char*, 19> kRegions = {
    "EMMC_BOOT_1", "EMMC_BOOT_2", "EMMC_BOOT1", "EMMC_BOOT2",  "EMMC_BOOT1_BOOT2",
    "EMMC_RPMB",   "EMMC_GP1",    "EMMC_GP2",   "EMMC_GP3",    "EMMC_GP4",
    "EMMC_USER",   "UFS_LU0",     "UFS_LU1",    "UFS_LU0_LU1", "UFS_LU2",
    "MSDC_0",      "NONE",        "NAND",       "NOR"};
constexpr std::array<const char*, 5> kStorages = {"EMMC", "UFS", "NAND", "NOR", "SDMMC"};

template <std::size_t N>
bool known(const std::array<const char*, N>& names, std::string_view v) {
  return std::any_of(names.begin(), names.end(), [&](const char* n) { return equalsNoCase(n, v); });
}

// " (did you mean BOOTLOADERS?)" when `v` is a prefix of a known name or the other way round.
template <std::size_t N>
std::string suggestion(const std::array<const char*, N>& names, std::string_view v) {
  const std::string u = upper(v);
  if (u.size() < 3) return {};
  for (const char* n : names) {
    const std::string_view name(n);
    if (name.substr(0, u.size()) == u || std::string_view(u).substr(0, name.size()) == name) {
      return std::string(" (did you mean ") + n + "?)";
    }
  }
  return {};
}

template <std::size_t N>
std::string list(const std::array<const char*, N>& names) {
  std::string s;
  for (const char* n : names) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

// The storage a region belongs to; "" when any (or unknown).
std::string regionStorage(std::string_view region) {
  const std::string r = upper(region);
  if (r.rfind("EMMC_", 0) == 0) return "EMMC";
  if (r.rfind("UFS_", 0) == 0) return "UFS";
  if (r == "NONE" || r == "NAND") return "NAND";
  return {};
}

std::uint64_t saturatingAdd(std::uint64_t a, std::uint64_t b) {
  return a > std::numeric_limits<std::uint64_t>::max() - b
             ? std::numeric_limits<std::uint64_t>::max()
             : a + b;
}

std::string label(const Partition& p) {
  return p.name.empty() ? (p.index.empty() ? std::string("?") : p.index) : p.name;
}

std::string regionLabel(const std::string& region) {
  return region.empty() ? std::string("the storage") : region;
}

// Boot regions (eMMC boot partitions, UFS boot LUs). Files of the linear era give the preloader
// a partition_size that spans boot1 + boot2 + RPMB in the linear view (0xC00000 on MT6572,
// 0x1400000 on MT6582), larger than any single boot partition, so for these regions only the
// start is checked against the region, and images against the room actually there.
bool bootRegion(const std::string& r) {
  return r == "EMMC_BOOT1" || r == "EMMC_BOOT2" || r == "UFS_LU0" || r == "UFS_LU1";
}

std::map<std::string, std::uint64_t> canonicalSizes(
    const std::map<std::string, std::uint64_t>& in) {
  std::map<std::string, std::uint64_t> out;
  for (const auto& [k, v] : in) {
    for (const std::string& r : canonicalRegions(k)) out[r] = v;
  }
  return out;
}

class Checker {
 public:
  Checker(const Scatter& s, const ValidateOptions& o) : s_(s), o_(o) {}

  std::vector<Issue> run() {
    std::vector<Section> fallback;
    const std::vector<Section>* sections = &s_.sections;
    if (s_.sections.empty()) {  // a hand-made Scatter: its top-level layout
      Section one;
      one.storage = s_.storage;
      one.bootChannel = s_.bootChannel;
      one.blockSize = s_.blockSize;
      one.partitions = s_.partitions;
      fallback.push_back(std::move(one));
      sections = &fallback;
    }
    for (const Section& sec : *sections) section(sec);
    platform();
    phoneStorage(*sections);
    std::stable_sort(issues_.begin(), issues_.end(),
                     [](const Issue& a, const Issue& b) { return a.line < b.line; });
    return std::move(issues_);
  }

 private:
  void add(Severity severity, int line, Code code, const std::string& message,
           std::string hint = {}) {
    issues_.push_back(Issue{severity, line, code.code, code.name,
                            detail::where(s_.fileName, line) + message, std::move(hint)});
  }

  bool legacy() const { return s_.format == Format::Legacy; }

  void section(const Section& sec) {
    names(sec);
    if (!legacy()) vocabulary(sec);
    std::map<std::string, std::uint64_t> sizes = canonicalSizes(o_.regionSizes);
    if (legacy() && o_.storageSize) sizes[""] = *o_.storageSize;
    const std::vector<Placement> placed = place(sec, legacy(), sizes);
    std::map<std::string, std::vector<const Placement*>> byRegion;
    for (const Placement& pl : placed) byRegion[pl.region].push_back(&pl);
    for (const auto& [region, group] : byRegion) {
      const auto size = sizes.find(region);
      ascending(sec, region, group);
      overlaps(sec, region, group);
      if (size != sizes.end()) bounds(sec, region, size->second, group);
    }
    linearBounds(sec, sizes);
    images(sec, placed, sizes);
  }

  void names(const Section& sec) {
    std::map<std::string, int> seen;
    for (const Partition& p : sec.partitions) {
      if (p.name.empty()) {
        add(Severity::Error, p.line, kFormat, "partition " + p.index + " has no name",
            "give the record a partition_name or delete it");
        continue;
      }
      const auto [it, fresh] = seen.emplace(p.name, p.line);
      if (!fresh) {
        add(Severity::Error, p.line, kFormat,
            "partition name " + p.name + " is used twice (first at line " +
                std::to_string(it->second) + ")",
            "partition names must be unique");
      }
    }
  }

  void vocabulary(const Section& sec) {
    const std::string secKind = storageKind(sec.storage);
    if (!known(kStorages, secKind)) {
      add(Severity::Error, sec.storageLine ? sec.storageLine : sec.line, kFormat,
          "unknown storage \"" + excerpt(sec.storage) + "\" (known: " + list(kStorages) + ")");
    }
    for (const Partition& p : sec.partitions) {
      if (!known(kTypes, p.type)) {
        add(Severity::Error, p.line, kFormat,
            "partition " + label(p) + ": unknown type \"" + excerpt(p.type) + "\"" +
                suggestion(kTypes, p.type) + " (known: " + list(kTypes) + ")");
      }
      if (!known(kOperations, p.operationType)) {
        add(Severity::Error, p.line, kFormat,
            "partition " + label(p) + ": unknown operation_type \"" + excerpt(p.operationType) +
                "\"" + suggestion(kOperations, p.operationType) + " (known: " + list(kOperations) +
                ")");
      }
      const bool regionKnown = known(kRegions, p.region);
      if (!regionKnown) {
        add(Severity::Error, p.line, kFormat,
            "partition " + label(p) + ": unknown region \"" + excerpt(p.region) + "\"" +
                suggestion(kRegions, p.region) + " (known: " + list(kRegions) + ")");
      }
      const std::string kind = storageKind(p.storage);
      if (!known(kStorages, kind)) {
        add(Severity::Error, p.line, kFormat,
            "partition " + label(p) + ": unknown storage \"" + excerpt(p.storage) +
                "\" (known: HW_STORAGE_EMMC, HW_STORAGE_UFS, HW_STORAGE_NAND, HW_STORAGE_NOR, "
                "HW_STORAGE_SDMMC)");
        continue;
      }
      if (known(kStorages, secKind) && kind != secKind) {
        add(Severity::Error, p.line, kFormat,
            "partition " + label(p) + " is on " + excerpt(p.storage) + " in a " + secKind +
                " layout");
      }
      const std::string regionKind = regionStorage(p.region);
      if (regionKnown && !regionKind.empty() && regionKind != kind &&
          !(regionKind == "NAND" && kind == "NOR")) {
        add(Severity::Error, p.line, kFormat,
            "partition " + label(p) + ": region " + p.region + " is not on " + excerpt(p.storage));
      }
      if (p.isDownload && p.fileName.empty()) {
        add(Severity::Warning, p.line, kIsDownloadProp,
            "partition " + label(p) + " has is_download true but no file (file_name NONE)",
            "set is_download to false or name the image file");
      }
    }
  }

  // Starts in file order, per region; end-relative entries are skipped, as SPFT does.
  void ascending(const Section& sec, const std::string& region,
                 const std::vector<const Placement*>& group) {
    const Placement* prev = nullptr;
    for (const Placement* pl : group) {
      if (pl->endRelative || !pl->offset) continue;
      if (prev && *pl->offset < *prev->offset) {
        const Partition& a = sec.partitions[prev->partition];
        const Partition& b = sec.partitions[pl->partition];
        add(Severity::Error, b.line, kNotAscending,
            "partition " + label(b) + " starts at " + hex(*pl->offset) + " in " +
                regionLabel(region) + ", before " + label(a) + " (line " + std::to_string(a.line) +
                ") at " + hex(*prev->offset) + " which comes first in the file",
            "list partitions in address order; a concrete address copied from another phone "
            "for a reserved partition (sgpt, flashinfo) is a common cause");
      }
      prev = pl;
    }
  }

  void overlaps(const Section& sec, const std::string& region,
                const std::vector<const Placement*>& group) {
    std::vector<const Placement*> sorted;
    for (const Placement* pl : group) {
      if (pl->offset && pl->size > 0) sorted.push_back(pl);
    }
    std::stable_sort(sorted.begin(), sorted.end(), [](const Placement* a, const Placement* b) {
      return *a->offset < *b->offset;
    });
    const Placement* owner = nullptr;  // the placement reaching furthest so far
    std::uint64_t ownerEnd = 0;
    for (const Placement* pl : sorted) {
      const std::uint64_t end = saturatingAdd(*pl->offset, pl->size);
      if (owner && *pl->offset < ownerEnd) {
        const Partition& a = sec.partitions[owner->partition];
        const Partition& b = sec.partitions[pl->partition];
        add(Severity::Error, b.line, kOverlap,
            "partitions " + label(a) + " (line " + std::to_string(a.line) + ") and " + label(b) +
                " (line " + std::to_string(b.line) + ") overlap in " + regionLabel(region) + ": " +
                label(a) + " ends at " + hex(ownerEnd) + ", " + label(b) + " starts at " +
                hex(*pl->offset),
            "the scatter was edited or belongs to another layout; use the one from the firmware");
      }
      if (!owner || end > ownerEnd) {
        owner = pl;
        ownerEnd = end;
      }
    }
  }

  void bounds(const Section& sec, const std::string& region, std::uint64_t regionSize,
              const std::vector<const Placement*>& group) {
    const std::uint64_t block = sec.blockSize ? sec.blockSize : 0x20000;
    for (const Placement* pl : group) {
      const Partition& p = sec.partitions[pl->partition];
      if (pl->endRelative) {
        const std::uint64_t address =
            isEndRelative(p.physicalStartAddress) ? p.physicalStartAddress : p.linearStartAddress;
        const std::uint64_t back = (address & 0xFFFF) * block;
        if (back > regionSize) {
          add(Severity::Error, p.line, kNoSpace,
              "partition " + label(p) + " is placed " + humanSize(back) + " before the end of " +
                  regionLabel(region) + ", which holds only " + humanSize(regionSize),
              "this scatter is for a larger device");
          continue;
        }
      }
      if (!pl->offset) continue;
      // An unresolved fill-to-end partition has no end yet, but its start must still fit; so
      // must the start of a boot-region entry (see bootRegion()).
      const bool startOnly = !pl->sizeKnown || bootRegion(region);
      if (startOnly) {
        if (*pl->offset >= regionSize && !(pl->fill && *pl->offset == regionSize)) {
          add(Severity::Error, p.line, kNoSpace,
              "partition " + label(p) + " starts at " + hex(*pl->offset) + ", beyond the end of " +
                  regionLabel(region) + " (" + humanSize(regionSize) + ")",
              "this scatter is for a device with more storage; use the firmware for this model");
        }
        continue;
      }
      const std::uint64_t end = saturatingAdd(*pl->offset, pl->size);
      if (end > regionSize) {
        add(Severity::Error, p.line, kNoSpace,
            "partition " + label(p) + " (" + hex(*pl->offset) + "-" + hex(end) + ") ends " +
                humanSize(end - regionSize) + " beyond the end of " + regionLabel(region) + " (" +
                humanSize(regionSize) + ")",
            "this scatter is for a device with more storage; use the firmware for this model");
      }
    }
  }

  // linear_start_addr + partition_size against the whole device, when its size is known:
  // for partitions whose region size is not given (the region check covers the others), in
  // sections of the phone's storage (every section when that is not given).
  void linearBounds(const Section& sec, const std::map<std::string, std::uint64_t>& sizes) {
    if (!o_.storageSize || legacy()) return;
    if (o_.phoneStorage && storageKind(*o_.phoneStorage) != storageKind(sec.storage)) return;
    for (const Partition& p : sec.partitions) {
      if (isEndRelative(p.linearStartAddress)) continue;
      const auto regions = canonicalRegions(p.region);
      if (std::any_of(regions.begin(), regions.end(),
                      [&](const std::string& r) { return sizes.count(r) != 0; })) {
        continue;
      }
      const std::uint64_t end = saturatingAdd(p.linearStartAddress, p.partitionSize);
      if (end > *o_.storageSize) {
        add(Severity::Error, p.line, kNoSpace,
            "partition " + label(p) + " (linear " + hex(p.linearStartAddress) + "-" + hex(end) +
                ") ends " + humanSize(end - *o_.storageSize) + " beyond the end of the storage (" +
                humanSize(*o_.storageSize) + ")",
            "this scatter is for a device with more storage; use the firmware for this model");
      }
    }
  }

  void images(const Section& sec, const std::vector<Placement>& placed,
              const std::map<std::string, std::uint64_t>& sizes) {
    if (!o_.imageSizes || legacy()) return;
    std::vector<const Placement*> first(sec.partitions.size(), nullptr);
    for (const Placement& pl : placed) {
      if (!first[pl.partition]) first[pl.partition] = &pl;
    }
    for (std::size_t i = 0; i < sec.partitions.size(); ++i) {
      const Partition& p = sec.partitions[i];
      if (!p.isDownload || p.fileName.empty()) continue;
      const auto it = o_.imageSizes->find(p.fileName);
      if (it == o_.imageSizes->end()) {
        add(Severity::Error, p.line, kMissingImage,
            p.fileName + " for partition " + label(p) + " is missing",
            "keep the images in the scatter's folder, or untick " + label(p));
        continue;
      }
      if (!p.boundaryCheck) continue;
      std::uint64_t capacity = p.partitionSize;
      const Placement* pl = first[i];
      if (pl && pl->fill) {
        if (!pl->sizeKnown) continue;  // grows to the end of the device; unknown here
        capacity = pl->size;
      }
      // In a boot region the image must also fit the room the hardware partition has.
      for (const Placement& other : placed) {
        if (other.partition != i || !other.offset || !bootRegion(other.region)) continue;
        const auto size = sizes.find(other.region);
        if (size == sizes.end()) continue;
        capacity =
            std::min(capacity, size->second > *other.offset ? size->second - *other.offset : 0);
      }
      const std::uint64_t length = it->second;
      // Equal is allowed: readbacks exactly as large as their partition are flashed back
      // routinely (§3.6, the ">=" in SPFT's wording is UNCERTAIN).
      if (length > capacity) {
        add(Severity::Error, p.line, kImageTooLarge,
            p.fileName + " is " + humanSize(length - capacity) + " larger than partition " +
                label(p) + " (" + humanSize(capacity) + ")",
            p.fileName + " has " + std::to_string(length) + " bytes, partition " + label(p) +
                " holds " + std::to_string(capacity) + "; use the image built for this scatter");
      }
    }
  }

  void platform() {
    if (!o_.phonePlatform) return;
    const std::string& phone = *o_.phonePlatform;
    if (s_.platform.empty()) {
      add(Severity::Warning, s_.platformLine, kChipMismatch,
          "the scatter names no platform, so it cannot be checked against the phone's " + phone,
          legacy() ? "legacy scatters take the chip from the file name (MTxxxx_Android_scatter.txt)"
                   : "");
      return;
    }
    const ChipInfo* chip = chipByName(phone);
    const bool match = chip ? chip->matchesPlatform(s_.platform) : equalsNoCase(phone, s_.platform);
    if (!match) {
      // SP Flash Tool's own wording (FlashToolLib.v1.dll, spflash.md §2.1).
      add(Severity::Error, s_.platformLine, kChipMismatch,
          "Chip type not match, Target chip type is " + phone +
              ", but the load scatter chip type is " + s_.platform,
          "use the firmware for this exact chip (" + phone + ")");
    }
  }

  void phoneStorage(const std::vector<Section>& sections) {
    if (!o_.phoneStorage || legacy()) return;
    const std::string phone = storageKind(*o_.phoneStorage);
    std::string have;
    for (const Section& sec : sections) {
      if (storageKind(sec.storage) == phone) return;
      have += (have.empty() ? "" : ", ") + ("HW_STORAGE_" + storageKind(sec.storage));
    }
    const int line = sections.empty()
                         ? 0
                         : (sections[0].storageLine ? sections[0].storageLine : sections[0].line);
    add(Severity::Error, line, kStorageMismatch,
        "Storage type mismatch! scatter storage type is " + have +
            ", target storage type is HW_STORAGE_" + phone,
        "use the firmware built for " + phone + " storage");
  }

  const Scatter& s_;
  const ValidateOptions& o_;
  std::vector<Issue> issues_;
};

}  // namespace

std::vector<Placement> place(const Section& section, bool legacy,
                             const std::map<std::string, std::uint64_t>& regionSizesIn) {
  const std::map<std::string, std::uint64_t> regionSizes = canonicalSizes(regionSizesIn);
  const std::uint64_t block = section.blockSize ? section.blockSize : 0x20000;
  std::vector<Placement> out;
  for (std::size_t i = 0; i < section.partitions.size(); ++i) {
    const Partition& p = section.partitions[i];
    const std::vector<std::string> regions =
        legacy ? std::vector<std::string>{""} : canonicalRegions(p.region);
    for (const std::string& r : regions) {
      Placement pl;
      pl.partition = i;
      pl.region = r;
      pl.endRelative = isEndRelative(p.linearStartAddress) || isEndRelative(p.physicalStartAddress);
      pl.size = p.partitionSize;
      pl.fill = legacy || p.partitionSize <= 512 || equalsNoCase(p.operationType, "NEEDRESIZE");
      out.push_back(std::move(pl));
    }
  }

  std::map<std::string, std::vector<Placement*>> byRegion;
  for (Placement& pl : out) byRegion[pl.region].push_back(&pl);
  for (auto& [region, group] : byRegion) {
    const auto it = regionSizes.find(region);
    const std::uint64_t* regionSize = it == regionSizes.end() ? nullptr : &it->second;
    // Region offsets from the addresses (§3.5): physical where the file fills it in; V1.1.1 files
    // leave it 0 for user partitions, so the region starts where the first one does linearly.
    // base = min(linear - physical) gives both: 0 offset shift when physical is filled in
    // consistently, the first partition's linear address when it is not.
    bool usePhysical = false;
    std::uint64_t base = std::numeric_limits<std::uint64_t>::max();
    for (const Placement* pl : group) {
      const Partition& p = section.partitions[pl->partition];
      if (pl->endRelative) continue;
      if (p.linearStartAddress < p.physicalStartAddress) {
        usePhysical = true;
      } else {
        base = std::min(base, p.linearStartAddress - p.physicalStartAddress);
      }
    }
    if (base == std::numeric_limits<std::uint64_t>::max()) base = 0;
    for (Placement* pl : group) {
      const Partition& p = section.partitions[pl->partition];
      if (pl->endRelative) {
        const std::uint64_t address =
            isEndRelative(p.physicalStartAddress) ? p.physicalStartAddress : p.linearStartAddress;
        const std::uint64_t back = (address & 0xFFFF) * block;
        // n = 0 is the backup GPT, after the end the other entries count from (the corpus's
        // reserved chains close exactly there), so it stays unplaced.
        if (regionSize && back > 0 && back <= *regionSize) pl->offset = *regionSize - back;
      } else if (legacy) {
        pl->offset = p.linearStartAddress;
      } else {
        pl->offset = usePhysical ? p.physicalStartAddress : p.linearStartAddress - base;
      }
    }
    // Fill-to-end partitions run to the next start (or the region's end).
    for (Placement* pl : group) {
      if (!pl->fill || !pl->offset) continue;
      std::optional<std::uint64_t> next;
      for (const Placement* other : group) {
        if (other == pl || !other->offset || *other->offset <= *pl->offset) continue;
        if (!next || *other->offset < *next) next = *other->offset;
      }
      if (!next && regionSize && *regionSize >= *pl->offset) next = *regionSize;
      if (next) {
        pl->size = *next - *pl->offset;
      } else {
        pl->sizeKnown = false;
        if (legacy) pl->size = 0;
      }
    }
  }
  return out;
}

std::vector<Issue> validate(const Scatter& s, const ValidateOptions& options) {
  return Checker(s, options).run();
}

bool hasErrors(const std::vector<Issue>& issues) {
  return std::any_of(issues.begin(), issues.end(),
                     [](const Issue& i) { return i.severity == Severity::Error; });
}

}  // namespace mtk::wire::scatter
