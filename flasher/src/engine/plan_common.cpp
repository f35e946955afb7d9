#include <algorithm>
#include <cctype>
#include <cstdio>

#include "mtk/flasher/da_session.hpp"
#include "mtk/flasher/mtk_errors.hpp"
#include "plan_detail.hpp"

#include "names.hpp"

namespace mtk::flasher::plan_detail {

namespace sc = wire::scatter;

namespace {
bool isTableName(const std::string& n) {
  const std::string l = lowerCase(n);
  return l == "pgpt" || l == "sgpt";
}
}  // namespace

std::string hexAddr(std::uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

bool sameName(const std::string& a, const std::string& b) {
  return lowerCase(a) == lowerCase(b);
}

bool named(const std::vector<std::string>& names, const std::string& name) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& n) { return sameName(n, name); });
}

const PartitionInfo* findOnPhone(const PartitionTable& t, const std::string& name) {
  if (const PartitionInfo* p = t.find(name)) return p;
  const std::string n = lowerCase(name);
  for (const auto& p : t.partitions) {
    const std::string q = lowerCase(p.name);
    if (!q.empty() && !n.empty() &&
        (q.find(n) != std::string::npos || n.find(q) != std::string::npos)) {
      return &p;
    }
  }
  return nullptr;
}

std::vector<Range> subtract(const Range& whole, const std::vector<Range>& keptIn) {
  std::vector<Range> kept;
  for (const Range& k : keptIn) {
    if (k.area == whole.area && k.length > 0) kept.push_back(k);
  }
  std::sort(kept.begin(), kept.end(),
            [](const Range& a, const Range& b) { return a.offset < b.offset; });
  std::vector<Range> out;
  std::uint64_t at = whole.offset;
  const std::uint64_t end = whole.offset + whole.length;
  for (const Range& k : kept) {
    const std::uint64_t kEnd = k.offset + k.length;
    if (kEnd <= at || k.offset >= end) continue;
    if (k.offset > at) {
      Range r = whole;
      r.offset = at;
      r.length = k.offset - at;
      out.push_back(r);
    }
    at = std::max(at, kEnd);
  }
  if (at < end) {
    Range r = whole;
    r.offset = at;
    r.length = end - at;
    out.push_back(r);
  }
  return out;
}

std::vector<PartitionInfo> tableFromScatter(const std::vector<PlacedPartition>& placed,
                                            const StorageInfo* storage) {
  // Without a phone the user area is whichever of eMMC's or UFS's the scatter uses.
  const StorageArea* user = storage ? storage->user() : nullptr;
  std::vector<PartitionInfo> out;
  for (const PlacedPartition& p : placed) {
    const bool inUser = user ? p.area == user->name : (p.area == "user" || p.area == "lu2");
    if (!inUser || isTableName(p.name) || !p.offset || !p.sizeKnown || p.size == 0) continue;
    out.push_back({p.name, p.partType, *p.offset, p.size});
  }
  std::sort(out.begin(), out.end(),
            [](const PartitionInfo& a, const PartitionInfo& b) { return a.offset < b.offset; });
  return out;
}

std::string tableKindFor(const Firmware& fw, const PhoneFacts* phone) {
  if (phone && phone->table) return phone->table->kind;
  if (phone && phone->storage.type == StorageType::Ufs) return "GPT";
  for (const auto& p : fw.scatter.partitions) {
    if (sameName(p.name, "pgpt") || sameName(p.name, "sgpt")) return "GPT";
  }
  return fw.scatter.storage == "UFS" ? "GPT" : "PMT";
}

Status checkAgainstPhone(const Firmware& fw, const PhoneFacts* phone,
                         const std::vector<std::string>& selected) {
  sc::ValidateOptions facts;
  if (phone) {
    facts.phonePlatform = phone->chip;
    facts.phoneStorage = storageTypeName(phone->storage.type);
    for (const StorageArea& a : phone->storage.areas) {
      static const std::pair<const char*, const char*> regions[] = {
          {"boot1", "EMMC_BOOT1"}, {"boot2", "EMMC_BOOT2"}, {"user", "EMMC_USER"},
          {"lu0", "UFS_LU0"},      {"lu1", "UFS_LU1"},      {"lu2", "UFS_LU2"}};
      for (const auto& [area, region] : regions) {
        if (a.name == area) facts.regionSizes[region] = a.size;
      }
    }
    // The storage type first: a UFS firmware on an eMMC phone fails every size check too.
    if (auto s = checkStorage(phone->storage, fw.scatter.storage); !s) return s;
  }
  if (!fw.missing.empty()) {
    std::string list;
    for (const auto& m : fw.missing) {
      bool wanted = selected.empty();
      for (const auto& p : fw.scatter.partitions) {
        if (p.fileName == m && p.isDownload && named(selected, p.name)) wanted = true;
      }
      if (wanted) list += (list.empty() ? "" : ", ") + m;
    }
    if (!list.empty()) {
      return makeError(-1, "IMAGE_MISSING",
                       "images the scatter lists are missing in " + fw.directory + ": " + list,
                       "put them beside the scatter file, or choose partitions with -p; nothing "
                       "was written");
    }
  }
  const auto issues = checkFirmware(fw, facts, selected);
  std::vector<const sc::Issue*> errors;
  for (const auto& i : issues) {
    if (i.severity == sc::Severity::Error) errors.push_back(&i);
  }
  if (errors.empty()) return {};
  Error e = errors.front()->toError();
  if (errors.size() > 1) {
    e.message += " (and " + std::to_string(errors.size() - 1) + " more problem" +
                 (errors.size() > 2 ? "s" : "") + ")";
  }
  if (e.hint.empty()) e.hint = "fix the firmware folder or scatter; nothing was written";
  return e;
}

Result<std::vector<Step>> imageSteps(const Firmware& fw, const std::vector<PlacedPartition>& placed,
                                     const PlanOptions& o, bool onlySelected) {
  std::vector<Step> steps;
  for (const std::string& want : o.partitions) {
    const bool known = std::any_of(placed.begin(), placed.end(), [&](const PlacedPartition& p) {
      return sameName(p.name, want);
    });
    if (!known && onlySelected) {
      return makeError(-1, "PARTITION_NOT_IN_SCATTER",
                       "the scatter " + fw.scatter.fileName + " has no partition '" + want + "'",
                       "mtkflash download --dry-run lists the partitions it would write");
    }
  }
  for (const PlacedPartition& p : placed) {
    const sc::Partition& sp = fw.scatter.partitions[p.index];
    const bool chosen = named(o.partitions, p.name);
    if (onlySelected && !o.partitions.empty() && !chosen) continue;
    if (!sp.isDownload || sp.fileName.empty()) {
      if (chosen) {
        return makeError(-1, "PARTITION_NOT_DOWNLOADABLE",
                         "partition " + p.name + " has no image to download in the scatter",
                         "write a file to it with: mtkflash write -p " + p.name + " -i FILE");
      }
      continue;
    }
    if (p.role == Role::Protected && !chosen && !named(o.includeProtected, p.name)) continue;
    if (p.role == Role::Reserved && !chosen) continue;
    const FirmwareImage* img = fw.image(sp);
    if (!img) continue;  // listed in Firmware::missing; checkAgainstPhone reports it
    Step s;
    s.kind = StepKind::Write;
    s.what = p.name;
    s.area = p.area;
    s.partType = p.partType;
    s.offset = p.offset.value_or(0);
    s.resolved = p.offset.has_value() && p.sizeKnown;
    s.length = p.size;
    s.file = img->path;
    s.verify = o.verify;
    s.bootHeader = p.role == Role::Bootloader &&
                   (p.area == "boot1" || p.area == "boot2" || p.area == "lu0" || p.area == "lu1");
    if (img->sparse) s.note = "sparse image, " + sc::humanSize(img->length) + " unpacked";
    steps.push_back(std::move(s));
  }
  return steps;
}

Step writeTableStep(const PhoneFacts* phone, const std::string& kind, const std::string& note) {
  Step s;
  s.kind = StepKind::WriteTable;
  s.what = kind;
  const StorageArea* user = phone ? phone->storage.user() : nullptr;
  s.area = user ? user->name : "user";
  s.partType = user ? user->partType : 0;
  s.resolved = phone != nullptr;
  s.note = note;
  return s;
}

}  // namespace mtk::flasher::plan_detail
