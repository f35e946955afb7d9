// Download Only, Format All + Download and Firmware Upgrade as plans (spflash.md §1.2), with
// one deliberate difference from SP Flash Tool: protected partitions (calibration, IMEI) are
// never erased unless the person names them (field error F11).
#include <algorithm>
#include <filesystem>

#include "mtk/flasher/mtk_errors.hpp"
#include "plan_detail.hpp"

namespace mtk::flasher {

using namespace plan_detail;
namespace sc = wire::scatter;

namespace {

bool isTable(const std::string& n) {
  return sameName(n, "pgpt") || sameName(n, "sgpt");
}

bool bootArea(const std::string& a) {
  return a == "boot1" || a == "boot2" || a == "lu0" || a == "lu1";
}

// Download Only's guard (spflash.md §1.2): every scatter partition of the user area must sit
// where the phone's table has it, or the images would land on the wrong data.
Status compareLayout(const Firmware& fw, const std::vector<PlacedPartition>& placed,
                     const PhoneFacts& phone) {
  const StorageArea* user = phone.storage.user();
  for (const PlacedPartition& p : placed) {
    if (!user || p.area != user->name || isTable(p.name) || !p.offset) continue;
    const sc::Partition& sp = fw.scatter.partitions[p.index];
    const std::string where = fw.scatter.fileName + ":" + std::to_string(sp.line) + ": ";
    const PartitionInfo* on = phone.table->find(p.name);
    if (!on) {
      return mtkError(codes::ERROR_ROM_MUST_ENABLE,
                      where + "partition " + p.name + " is in the scatter but not in the phone's " +
                          phone.table->kind + ": PMT changed for the ROM; it must be downloaded",
                      "the layout changed: use format-download (writes the new table) or upgrade "
                      "(keeps calibration data); nothing was written");
    }
    const bool sameStart = on->offset == *p.offset;
    const bool sameSize = !p.sizeKnown || on->size == p.size;
    if (sameStart && sameSize) continue;
    std::string diff;
    if (!sameStart)
      diff = "starts at " + hexAddr(*p.offset) + " in the scatter, " + hexAddr(on->offset) +
             " on the phone";
    if (!sameSize)
      diff += std::string(diff.empty() ? "" : "; ") + "is " + sc::humanSize(p.size) +
              " in the scatter, " + sc::humanSize(on->size) + " on the phone";
    return mtkError(codes::ERROR_ROM_MUST_ENABLE,
                    where + "partition " + p.name + " " + diff +
                        ": PMT changed for the ROM; it must be downloaded",
                    "the layout changed: use format-download (writes the new table) or upgrade "
                    "(keeps calibration data); nothing was written");
  }
  return {};
}

std::vector<Range> protectedRanges(const std::vector<PlacedPartition>& placed, const PlanOptions& o,
                                   Plan& plan) {
  std::vector<Range> kept;
  for (const PlacedPartition& p : placed) {
    if (p.role != Role::Protected || named(o.includeProtected, p.name)) continue;
    if (!p.offset || !p.sizeKnown) continue;
    kept.push_back({p.area, p.partType, *p.offset, p.size, p.name});
    plan.kept.push_back(p.name + " (" + p.area + " " + hexAddr(*p.offset) + ", " +
                        sc::humanSize(p.size) + ", protected)");
  }
  return kept;
}

Step eraseStep(const Range& r, const std::string& note) {
  Step s;
  s.kind = StepKind::Erase;
  s.what = r.what;
  s.area = r.area;
  s.partType = r.partType;
  s.offset = r.offset;
  s.length = r.length;
  s.note = note;
  return s;
}

Result<std::vector<PlacedPartition>> placeAndCheck(const Firmware& fw, const PhoneFacts* phone,
                                                   const std::vector<std::string>& selected) {
  if (auto c = checkAgainstPhone(fw, phone, selected); !c) return c.error();
  return placeFirmware(fw, phone ? &phone->storage : nullptr);
}

}  // namespace

Result<Plan> planDownload(const Firmware& fw, const PhoneFacts* phone, const PlanOptions& o) {
  auto placed = placeAndCheck(fw, phone, o.partitions);
  if (!placed) return placed.error();
  Plan plan;
  plan.operation = "Download Only";
  plan.dryRun = phone == nullptr;
  if (phone && phone->table) {
    if (auto c = compareLayout(fw, *placed, *phone); !c) return c.error();
  } else if (phone) {
    plan.tableKind = tableKindFor(fw, phone);
    plan.table = tableFromScatter(*placed, &phone->storage);
    plan.steps.push_back(writeTableStep(
        phone, plan.tableKind, "the phone has no valid partition table: written from the scatter"));
  } else {
    plan.warnings.push_back(
        "on the phone: the scatter's layout is compared with the phone's table first (a blank "
        "phone gets the table written from the scatter)");
  }
  auto writes = imageSteps(fw, *placed, o, /*onlySelected=*/true);
  if (!writes) return writes.error();
  if (writes->empty()) {
    return makeError(-1, "NOTHING_TO_DOWNLOAD",
                     "no partition of " + fw.scatter.fileName + " has an image to download",
                     "check is_download and file_name in the scatter, or the -p names");
  }
  for (auto& w : *writes) plan.steps.push_back(std::move(w));
  return plan;
}

Result<Plan> planFormatDownload(const Firmware& fw, const PhoneFacts* phone, const PlanOptions& o) {
  auto placed = placeAndCheck(fw, phone, {});
  if (!placed) return placed.error();
  Plan plan;
  plan.operation = "Format All + Download";
  plan.dryRun = phone == nullptr;
  std::vector<Range> kept = protectedRanges(*placed, o, plan);
  if (phone && phone->table) {
    // Calibration data the phone has where the new layout puts something else: a format would
    // lose it (field error F11). Stop, unless the person named it.
    for (const PartitionInfo& on : phone->table->partitions) {
      if (!isProtectedName(on.name) || named(o.includeProtected, on.name)) continue;
      const auto it = std::find_if(placed->begin(), placed->end(), [&](const PlacedPartition& p) {
        return sameName(p.name, on.name);
      });
      if (it != placed->end() && it->offset == on.offset && it->size == on.size) continue;
      const std::string where = it == placed->end() ? "the new scatter has no " + on.name
                                                    : "the new scatter puts it at " +
                                                          hexAddr(it->offset.value_or(0)) + " (" +
                                                          sc::humanSize(it->size) + ")";
      return mtkError(codes::ERROR_DATA_LOST,
                      "the phone's " + on.name + " is at " + hexAddr(on.offset) + " (" +
                          sc::humanSize(on.size) + "); " + where +
                          ": Format All + Download would lose it",
                      "use upgrade (it backs " + on.name +
                          " up and restores it), or accept the "
                          "loss with --include-protected " +
                          on.name + "; nothing was written");
    }
  }
  if (phone) {
    for (const StorageArea& a : phone->storage.areas) {
      if (a.name == "rpmb") continue;  // SP Flash Tool's format-all skips RPMB as well
      for (const Range& r : subtract({a.name, a.partType, 0, a.size, a.name + " area"}, kept)) {
        plan.steps.push_back(eraseStep(r, ""));
      }
    }
  } else {
    Step s;
    s.kind = StepKind::Erase;
    s.what = "every area except RPMB";
    s.resolved = false;
    s.note = "sizes come from the phone; protected partitions are skipped";
    plan.steps.push_back(s);
  }
  plan.tableKind = tableKindFor(fw, phone);
  plan.table = tableFromScatter(*placed, phone ? &phone->storage : nullptr);
  plan.steps.push_back(writeTableStep(phone, plan.tableKind, "from the scatter"));
  PlanOptions all = o;
  all.partitions.clear();
  auto writes = imageSteps(fw, *placed, all, /*onlySelected=*/false);
  if (!writes) return writes.error();
  for (auto& w : *writes) plan.steps.push_back(std::move(w));
  return plan;
}

Result<Plan> planUpgrade(const Firmware& fw, const PhoneFacts* phone, const PlanOptions& o) {
  if (phone && !phone->table) {
    const std::string why = phone->tableError ? " (" + phone->tableError->message + ")" : "";
    return mtkError(codes::S_PART_NO_VALID_TABLE,
                    "No valid Partition Management Table (PMT) for storage device" + why +
                        ". Firmware Upgrade could not be executed without PMT!",
                    "use format-download: it writes a new partition table from the scatter (it "
                    "keeps protected partitions only where the new layout has them); or "
                    "download ONLY first to create the table on the phone");
  }
  auto placed = placeAndCheck(fw, phone, {});
  if (!placed) return placed.error();
  Plan plan;
  plan.operation = "Firmware Upgrade";
  plan.dryRun = phone == nullptr;
  namespace fs = std::filesystem;
  std::string who = phone && !phone->chip.empty() ? phone->chip : std::string("phone");
  if (phone && !phone->id.empty()) who += "-" + phone->id.substr(0, 16);
  const std::string folder = (fs::path(o.backupDirectory) / who).string();
  plan.backupFolder = folder;
  std::vector<Step> backups, restores;
  std::vector<Range> kept;
  for (const PlacedPartition& p : *placed) {
    if (p.role != Role::Protected || named(o.includeProtected, p.name) || !p.offset) continue;
    Step b;
    b.kind = StepKind::Backup;
    b.what = p.name;
    b.file = (fs::path(folder) / (p.name + ".raw")).string();
    if (phone) {
      const PartitionInfo* on = findOnPhone(*phone->table, p.name);
      if (!on) {
        plan.warnings.push_back("the phone has no " + p.name + " yet: nothing to keep");
        continue;
      }
      if (p.sizeKnown && on->size != p.size) {
        return mtkError(codes::ERROR_DATA_LOST,
                        "partition " + p.name + " changes size (" + sc::humanSize(on->size) +
                            " on the phone, " + sc::humanSize(p.size) +
                            " in the new scatter): its data would be lost",
                        "back it up with: mtkflash readback -p " + on->name +
                            " -o FILE; then use format-download; nothing was written");
      }
      b.area = phone->storage.user()->name;
      b.partType = on->partType;
      b.offset = on->offset;
      b.length = on->size;
      kept.push_back({b.area, b.partType, on->offset, on->size, on->name});
    } else {
      b.resolved = false;
    }
    Step r = b;
    r.kind = StepKind::Restore;
    r.area = p.area;
    r.partType = p.partType;
    r.offset = *p.offset;
    r.verify = true;
    r.resolved = phone != nullptr;
    if (phone && (r.offset != b.offset)) r.note = "moves from " + hexAddr(b.offset);
    kept.push_back({p.area, p.partType, *p.offset, p.size, p.name});
    plan.kept.push_back(p.name + " (backed up to " + b.file + ")");
    backups.push_back(b);
    restores.push_back(r);
  }
  for (auto& b : backups) plan.steps.push_back(b);
  // Erase what the new firmware owns, never a kept range; bootloaders only with their images.
  for (const PlacedPartition& p : *placed) {
    if (p.role == Role::Protected || p.role == Role::Reserved || isTable(p.name)) continue;
    if (!p.offset || (!p.sizeKnown && phone)) continue;
    if (p.role == Role::Bootloader && bootArea(p.area)) continue;  // rewritten whole below
    if (!phone) {
      Step s = eraseStep({p.area, 0, *p.offset, p.size, p.name}, "");
      s.resolved = p.sizeKnown;
      plan.steps.push_back(s);
      continue;
    }
    for (const Range& r : subtract({p.area, p.partType, *p.offset, p.size, p.name}, kept)) {
      plan.steps.push_back(eraseStep(r, ""));
    }
  }
  // Partitions the phone has and the new scatter does not: erased (a stale frp would survive
  // otherwise, spflash.md §1.2 step 3), unless protected.
  if (phone) {
    for (const PartitionInfo& on : phone->table->partitions) {
      const bool inScatter = std::any_of(placed->begin(), placed->end(),
                                         [&](const auto& p) { return sameName(p.name, on.name); });
      if (inScatter || isTable(on.name)) continue;
      if (isProtectedName(on.name)) {
        plan.warnings.push_back("the phone's " + on.name +
                                " is not in the new scatter: left as it is");
        continue;
      }
      const StorageArea* user = phone->storage.user();
      for (const Range& r :
           subtract({user->name, on.partType, on.offset, on.size, on.name}, kept)) {
        plan.steps.push_back(eraseStep(r, "not in the new scatter"));
      }
    }
  }
  plan.tableKind = tableKindFor(fw, phone);
  plan.table = tableFromScatter(*placed, phone ? &phone->storage : nullptr);
  plan.steps.push_back(writeTableStep(phone, plan.tableKind, "the new layout"));
  PlanOptions all = o;
  all.partitions.clear();
  auto writes = imageSteps(fw, *placed, all, /*onlySelected=*/false);
  if (!writes) return writes.error();
  for (auto& w : *writes) plan.steps.push_back(std::move(w));
  for (auto& r : restores) plan.steps.push_back(r);
  return plan;
}

Result<Plan> planWriteTable(const Firmware& fw, const PhoneFacts* phone) {
  auto placed = placeAndCheck(fw, phone, {"-"});  // no image is written: none is needed
  if (!placed) return placed.error();
  Plan plan;
  plan.operation = "Write partition table";
  plan.dryRun = phone == nullptr;
  plan.tableKind = tableKindFor(fw, phone);
  plan.table = tableFromScatter(*placed, phone ? &phone->storage : nullptr);
  if (plan.table.empty()) {
    return makeError(-1, "NO_LAYOUT", "the scatter has no partition in the user area",
                     "check the scatter's region fields");
  }
  if (phone && phone->table) {
    plan.warnings.push_back("the phone's " + phone->table->kind +
                            " is replaced; data stays where it is but partitions that moved "
                            "will not find it");
  }
  plan.steps.push_back(writeTableStep(phone, plan.tableKind, "from the scatter"));
  return plan;
}

}  // namespace mtk::flasher
