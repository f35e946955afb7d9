// Format (whole flash, all but bootloaders, a range, named partitions) and Readback (by name,
// by range, whole areas, everything) as plans (spflash.md §1.3, §1.4).
#include <algorithm>
#include <filesystem>

#include "mtk/flasher/mtk_errors.hpp"
#include "plan_detail.hpp"

namespace mtk::flasher {

using namespace plan_detail;
namespace sc = wire::scatter;
namespace fs = std::filesystem;

namespace {

Error partitionNotFound(const PartitionTable& t, const std::string& name) {
  std::string names;
  for (const auto& q : t.partitions) names += (names.empty() ? "" : ", ") + q.name;
  return makeError(-1, "PARTITION_NOT_FOUND",
                   "the phone's " + t.kind + " has no partition '" + name + "'",
                   "partitions on this phone: " + names);
}

Result<const StorageArea*> areaOf(const PhoneFacts& phone, const std::string& name) {
  auto a = areaByName(phone.storage, name);
  if (!a) return a.error();
  return phone.storage.area(a->name);
}

// Protected ranges on the phone: from its own table, else from the scatter when one is given.
std::vector<Range> keptRanges(const Firmware* fw, const PhoneFacts* phone, const PlanOptions& o,
                              Plan& plan) {
  std::vector<Range> kept;
  if (phone && phone->table) {
    const StorageArea* user = phone->storage.user();
    for (const auto& p : phone->table->partitions) {
      if (!isProtectedName(p.name) || named(o.includeProtected, p.name) ||
          named(o.partitions, p.name)) {
        continue;
      }
      kept.push_back({user->name, p.partType, p.offset, p.size, p.name});
    }
  } else if (fw) {
    auto placed = placeFirmware(*fw, phone ? &phone->storage : nullptr);
    if (placed) {
      for (const auto& p : *placed) {
        if (p.role != Role::Protected || !p.offset || !p.sizeKnown ||
            named(o.includeProtected, p.name) || named(o.partitions, p.name)) {
          continue;
        }
        kept.push_back({p.area, p.partType, *p.offset, p.size, p.name});
      }
    }
  } else if (phone) {
    plan.warnings.push_back(
        "the phone has no readable partition table and no scatter was given: there is no "
        "protected partition to keep");
  }
  for (const Range& r : kept) {
    plan.kept.push_back(r.what + " (" + r.area + " " + hexAddr(r.offset) + ", " +
                        sc::humanSize(r.length) + ", protected)");
  }
  return kept;
}

void addErase(Plan& plan, const Range& whole, const std::vector<Range>& kept,
              const std::string& note = "") {
  for (const Range& r : subtract(whole, kept)) {
    Step s;
    s.kind = StepKind::Erase;
    s.what = r.what;
    s.area = r.area;
    s.partType = r.partType;
    s.offset = r.offset;
    s.length = r.length;
    s.note = note;
    plan.steps.push_back(s);
  }
}

}  // namespace

PlanOptions::FormatScope formatScopeFor(const PlanOptions& o, bool rangeGiven,
                                        bool exceptBootloader) {
  using Scope = PlanOptions::FormatScope;
  if (!o.partitions.empty()) return Scope::Partitions;
  if (rangeGiven || !o.area.empty()) return Scope::Range;
  return exceptBootloader ? Scope::ExceptBootloader : Scope::All;
}

Result<Plan> planFormat(const Firmware* fw, const PhoneFacts* phone, const PlanOptions& o) {
  using Scope = PlanOptions::FormatScope;
  Plan plan;
  plan.dryRun = phone == nullptr;
  std::vector<Range> kept = keptRanges(fw, phone, o, plan);
  switch (o.formatScope) {
    case Scope::All:
    case Scope::ExceptBootloader: {
      const bool exceptBl = o.formatScope == Scope::ExceptBootloader;
      plan.operation = exceptBl ? "Format whole flash except bootloader" : "Format whole flash";
      if (!phone) {
        Step s;
        s.kind = StepKind::Erase;
        s.what = exceptBl ? "every area except RPMB and the boot areas" : "every area except RPMB";
        s.resolved = false;
        s.note = "sizes come from the phone";
        plan.steps.push_back(s);
        break;
      }
      for (const StorageArea& a : phone->storage.areas) {
        if (a.name == "rpmb") continue;
        const bool boot =
            a.name == "boot1" || a.name == "boot2" || a.name == "lu0" || a.name == "lu1";
        if (exceptBl && boot) continue;
        addErase(plan, {a.name, a.partType, 0, a.size, a.name + " area"}, kept);
      }
      break;
    }
    case Scope::Range: {
      plan.operation = "Format range";
      if (!o.length) {
        return mtkError(codes::FT_INVALID_FORMAT_ADDR_ERROR, "a manual format needs a length",
                        "give --length in bytes (hex 0x... or decimal)");
      }
      if (!phone) {
        Step s;
        s.kind = StepKind::Erase;
        s.what = o.area.empty() ? "user" : o.area;
        s.area = s.what;
        s.offset = o.offset;
        s.length = *o.length;
        plan.steps.push_back(s);
        break;
      }
      auto a = areaOf(*phone, o.area.empty() ? "user" : o.area);
      if (!a) return a.error();
      const StorageArea& area = **a;
      const std::uint64_t block = phone->storage.blockSize;
      if (o.offset % block || *o.length % block || o.offset > area.size ||
          *o.length > area.size - o.offset || *o.length == 0) {
        return mtkError(codes::FT_INVALID_FORMAT_ADDR_ERROR,
                        "cannot format " + hexAddr(*o.length) + " bytes at " + hexAddr(o.offset) +
                            " of " + area.name + " (" + sc::humanSize(area.size) + ", " +
                            std::to_string(block) + "-byte blocks)",
                        "the range must lie inside the area and be a multiple of the block size");
      }
      for (const Range& k : kept) {
        if (k.area == area.name && k.offset < o.offset + *o.length &&
            o.offset < k.offset + k.length) {
          plan.warnings.push_back("the range covers protected partition " + k.what +
                                  ": that part is skipped (name it with --include-protected)");
        }
      }
      addErase(plan, {area.name, area.partType, o.offset, *o.length, area.name + " range"}, kept);
      break;
    }
    case Scope::Partitions: {
      plan.operation = "Format partitions";
      if (o.partitions.empty()) {
        return makeError(-1, "NO_PARTITION", "no partition to format",
                         "name them with -p NAME[,NAME...]");
      }
      if (!phone) {
        for (const auto& n : o.partitions) {
          Step s;
          s.kind = StepKind::Erase;
          s.what = n;
          s.resolved = false;
          s.note = "where the phone's table has it";
          plan.steps.push_back(s);
        }
        break;
      }
      if (!phone->table) return *phone->tableError;
      for (const auto& n : o.partitions) {
        const PartitionInfo* p = phone->table->find(n);
        if (!p) return partitionNotFound(*phone->table, n);
        const StorageArea* user = phone->storage.user();
        Step s;
        s.kind = StepKind::Erase;
        s.what = p->name;
        s.area = user->name;
        s.partType = p->partType;
        s.offset = p->offset;
        s.length = p->size;
        if (isProtectedName(p->name)) s.note = "protected, named explicitly";
        plan.steps.push_back(s);
      }
      break;
    }
  }
  return plan;
}

Result<Plan> planReadback(const PhoneFacts* phone, const PlanOptions& o) {
  Plan plan;
  plan.operation = "Readback";
  plan.dryRun = phone == nullptr;
  plan.readbackPreloader = o.preloaderOutput;
  if (o.output.empty()) {
    return makeError(-1, "NO_OUTPUT", "readback needs somewhere to write",
                     "give -o FILE (one range) or -o FOLDER (several partitions, --all)");
  }
  auto read = [&](const std::string& what, const StorageArea* a, std::uint32_t partType,
                  std::uint64_t offset, std::uint64_t length, const std::string& file) {
    Step s;
    s.kind = StepKind::Read;
    s.what = what;
    s.area = a ? a->name : o.area;
    s.partType = partType;
    s.offset = offset;
    s.length = length;
    s.file = file;
    s.resolved = phone != nullptr;
    plan.steps.push_back(s);
  };
  if (o.readbackAll || o.partitions.size() > 1) {
    // A folder: one file per partition (plus boot1/boot2 for everything: a clone).
    if (!phone) {
      read(o.readbackAll ? "every partition, boot1 and boot2" : "the named partitions", nullptr, 0,
           0, 0, o.output + "/");
      return plan;
    }
    if (!phone->table) return *phone->tableError;
    const StorageArea* user = phone->storage.user();
    if (o.readbackAll) {
      for (const char* boot : {"boot1", "boot2", "lu0", "lu1"}) {
        if (const StorageArea* a = phone->storage.area(boot)) {
          read(a->name, a, a->partType, 0, a->size,
               (fs::path(o.output) / (std::string(boot) + ".bin")).string());
          if (std::string(boot) == "boot1" || std::string(boot) == "lu0")
            plan.steps.back().extractPreloader = true;
        }
      }
      // The table itself: everything before the first partition (PGPT) and after the last.
      std::uint64_t first = user->size, last = 0;
      for (const auto& p : phone->table->partitions) {
        first = std::min(first, p.offset);
        last = std::max(last, p.offset + p.size);
      }
      if (first > 0 && first < user->size)
        read("pgpt", user, user->partType, 0, first, (fs::path(o.output) / "pgpt.bin").string());
      if (last < user->size)
        read("sgpt", user, user->partType, last, user->size - last,
             (fs::path(o.output) / "sgpt.bin").string());
    }
    for (const auto& p : phone->table->partitions) {
      if (!o.readbackAll && !named(o.partitions, p.name)) continue;
      read(p.name, user, p.partType, p.offset, p.size,
           (fs::path(o.output) / (p.name + ".img")).string());
    }
    for (const auto& n : o.partitions) {
      if (!phone->table->find(n)) return partitionNotFound(*phone->table, n);
    }
    std::stable_sort(plan.steps.begin(), plan.steps.end(), [](const Step& a, const Step& b) {
      return a.area != b.area ? a.area < b.area : a.offset < b.offset;
    });
    return plan;
  }
  if (o.partitions.size() == 1) {
    if (!phone) {
      read(o.partitions[0], nullptr, 0, 0, 0, o.output);
      plan.steps.back().note = "where the phone's table has it";
      return plan;
    }
    if (!phone->table) return *phone->tableError;
    const PartitionInfo* p = phone->table->find(o.partitions[0]);
    if (!p) return partitionNotFound(*phone->table, o.partitions[0]);
    std::uint64_t length = p->size;
    if (o.length) {
      if (*o.length > p->size) {
        return makeError(-1, "RANGE_OUTSIDE_PARTITION",
                         "--length " + hexAddr(*o.length) + " is more than partition " + p->name +
                             " holds (" + sc::humanSize(p->size) + ")",
                         "give a length up to the partition size");
      }
      length = *o.length;
    }
    read(p->name, phone->storage.user(), p->partType, p->offset, length, o.output);
    return plan;
  }
  // A range of an area (the whole area by default).
  const std::string areaName = o.area.empty() ? "user" : o.area;
  if (!phone) {
    read(areaName, nullptr, 0, o.offset, o.length.value_or(0), o.output);
    plan.steps.back().area = areaName;
    plan.steps.back().extractPreloader = !o.preloaderOutput.empty();
    return plan;
  }
  auto a = areaOf(*phone, areaName);
  if (!a) return a.error();
  const StorageArea& area = **a;
  const std::uint64_t length = o.length.value_or(area.size - std::min(area.size, o.offset));
  if (o.offset > area.size || length > area.size - o.offset) {
    return makeError(
        -1, "RANGE_OUTSIDE_AREA",
        "the range runs past the end of " + area.name + " (" + sc::humanSize(area.size) + ")",
        "check --offset and --length against the area size");
  }
  read(area.name, &area, area.partType, o.offset, length, o.output);
  plan.steps.back().extractPreloader = !o.preloaderOutput.empty();
  return plan;
}

std::string describe(const Step& s) {
  std::string out = stepKindName(s.kind);
  out += " " + s.what;
  if (s.resolved && s.kind != StepKind::WriteTable) {
    out += " [" + s.area + " " + hexAddr(s.offset) + " +" + hexAddr(s.length) + " (" +
           sc::humanSize(s.length) + ")]";
  } else if (!s.area.empty() && s.kind != StepKind::WriteTable) {
    out += " [" + s.area + (s.offset ? " " + hexAddr(s.offset) : "") + "]";
  }
  if (!s.file.empty()) {
    out += s.kind == StepKind::Read || s.kind == StepKind::Backup ? " -> " : " <- ";
    out += s.file;
  }
  if (s.bootHeader) out += " (with EMMC_BOOT/BRLYT boot header)";
  if (s.verify) out += " (verify)";
  if (!s.note.empty()) out += ": " + s.note;
  return out;
}

const char* stepKindName(StepKind k) {
  switch (k) {
    case StepKind::Backup:
      return "back up";
    case StepKind::Erase:
      return "erase";
    case StepKind::WriteTable:
      return "write table";
    case StepKind::Write:
      return "write";
    case StepKind::Restore:
      return "restore";
    case StepKind::Read:
      return "read";
  }
  return "?";
}

}  // namespace mtk::flasher
