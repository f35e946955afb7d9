#include "mtk/flasher/operation.hpp"

#include <cstdio>
#include <filesystem>

#include "mtk/flasher/phone_scatter.hpp"

namespace mtk::flasher {

namespace fs = std::filesystem;
namespace sc = wire::scatter;

const char* operationVerb(OperationKind k) {
  switch (k) {
    case OperationKind::Download:
      return "download";
    case OperationKind::Upgrade:
      return "upgrade";
    case OperationKind::FormatDownload:
      return "format-download";
    case OperationKind::Format:
      return "format";
    case OperationKind::Readback:
      return "readback";
    case OperationKind::WriteTable:
      return "write-table";
    case OperationKind::MakeScatter:
      return "make-scatter";
  }
  return "?";
}

bool operationNeedsScatter(OperationKind k) {
  return k == OperationKind::Download || k == OperationKind::Upgrade ||
         k == OperationKind::FormatDownload || k == OperationKind::WriteTable;
}

namespace {

std::string hexId(const std::uint8_t* p, std::size_t n) {
  std::string s;
  char b[3];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(b, sizeof b, "%02x", p[i]);
    s += b;
  }
  return s;
}

Result<Plan> buildPlan(const OperationRequest& r, const Firmware* fw, const PhoneFacts* phone) {
  PlanOptions o = r.plan;
  const auto all = std::find(o.includeProtected.begin(), o.includeProtected.end(), "all");
  if (all != o.includeProtected.end()) {
    o.includeProtected.erase(all);
    if (fw) {
      for (const auto& p : fw->scatter.partitions) o.includeProtected.push_back(p.name);
    }
    if (phone && phone->table) {
      for (const auto& p : phone->table->partitions) o.includeProtected.push_back(p.name);
    }
  }
  switch (r.kind) {
    case OperationKind::Download:
      return planDownload(*fw, phone, o);
    case OperationKind::Upgrade:
      return planUpgrade(*fw, phone, o);
    case OperationKind::FormatDownload:
      return planFormatDownload(*fw, phone, o);
    case OperationKind::WriteTable:
      return planWriteTable(*fw, phone);
    case OperationKind::Readback:
      return planReadback(phone, o);
    case OperationKind::Format:
      return planFormat(fw, phone, o);
    case OperationKind::MakeScatter:
      break;
  }
  return makeError(-1, "BAD_OPERATION", "no plan for this operation", "");
}

PhoneFacts factsOf(DaSession& session) {
  PhoneFacts phone;
  const TargetInfo& t = session.phone.target;
  phone.chip = t.chip ? t.chip->name : "";
  phone.storage = session.storage;
  if (t.socId) {
    phone.id = hexId(t.socId->data(), t.socId->size());
  } else if (t.meId) {
    phone.id = hexId(t.meId->data(), t.meId->size());
  }
  auto table = readPartitionTable(*session.da, session.storage);
  if (table) {
    phone.table = *table;
  } else {
    phone.tableError = table.error();
  }
  return phone;
}

Status saveFolderScatter(const PhoneFacts& phone, const std::string& folder, RunSummary& summary) {
  ScatterFromTableOptions so;
  so.platform = phone.chip;
  so.withFiles = true;
  if (const auto* boot1 = phone.storage.area("boot1")) so.preloaderSize = boot1->size;
  so.withPreloader = fs::exists(fs::path(folder) / "preloader.bin");
  auto scat = scatterFromTable(*phone.table, phone.storage.type, phone.storage.user()->size, so);
  const std::string path = (fs::path(folder) / scatterFileName(phone.chip)).string();
  if (auto w = saveScatter(scat, path); !w) return w;
  summary.files.push_back(path);
  return {};
}

}  // namespace

Result<OperationResult> runOperation(DeviceLocator* locator, const OperationRequest& r,
                                     const OperationEvents& events) {
  auto say = [&](const std::string& t) {
    if (events.stage) events.stage(t);
  };
  // 1. The firmware, checked before any phone is involved (missing files, bad scatter).
  std::optional<Firmware> fw;
  if (operationNeedsScatter(r.kind) || (r.kind == OperationKind::Format && !r.scatter.empty())) {
    if (r.scatter.empty()) {
      return makeError(-1, "NO_SCATTER",
                       std::string(operationVerb(r.kind)) + " needs a scatter file",
                       "give --scatter MTxxxx_Android_scatter.txt");
    }
    auto loaded = loadFirmware(r.scatter, r.firmware);
    if (!loaded) return loaded.error();
    fw = std::move(*loaded);
    say("firmware: " + fw->scatterPath + " (" + sc::formatName(fw->scatter.format) + ", " +
        (fw->scatter.platform.empty() ? "no platform" : fw->scatter.platform) + ", " +
        std::to_string(fw->scatter.partitions.size()) + " partitions, " +
        std::to_string(fw->images.size()) + " images)");
  }
  const Firmware* fwp = fw ? &*fw : nullptr;
  OperationResult result;
  if (r.kind != OperationKind::MakeScatter) {
    // The plan without a phone checks every input; it is all a dry run shows.
    auto dry = buildPlan(r, fwp, nullptr);
    if (!dry) return dry.error();
    if (r.dryRun) {
      if (events.plan) events.plan(*dry);
      result.plan = std::move(*dry);
      return result;
    }
  } else if (r.dryRun) {
    say("make-scatter reads the phone's table; there is nothing to plan");
    return result;
  }
  if (!locator) return makeError(-1, "NO_DEVICE", "no device to run the operation on", "");

  // 2. The phone. In BROM mode the DA needs DRAM settings: SP Flash Tool takes them from the
  // scatter's preloader, and so does this, unless another preloader was given.
  DaSessionOptions so = r.session;
  if (so.preloaderPath.empty() && fwp) {
    for (const auto& p : fwp->scatter.partitions) {
      const auto* img = fwp->image(p);
      if (img && roleOf(p) == Role::Bootloader) {
        so.preloaderPath = img->path;
        break;
      }
    }
  }
  if (fwp) so.expectPlatform = fwp->scatter.platform;
  auto session = openDaSession(*locator, so, events.stage);
  if (!session) return session.error();
  struct Closer {
    DaSession& s;
    ~Closer() { s.close(); }
  } closer{*session};
  PhoneFacts phone = factsOf(*session);
  result.phoneChip = phone.chip;

  if (r.kind == OperationKind::MakeScatter) {
    if (!phone.table) return *phone.tableError;
    ScatterFromTableOptions sso;
    sso.platform = phone.chip;
    if (const auto* boot1 = phone.storage.area("boot1")) sso.preloaderSize = boot1->size;
    const std::string out = r.output.empty() ? scatterFileName(phone.chip) : r.output;
    auto scat = scatterFromTable(*phone.table, phone.storage.type, phone.storage.user()->size, sso);
    if (auto w = saveScatter(scat, out); !w) return w.error();
    result.summary.files.push_back(out);
    say("wrote " + out + " (" + std::to_string(scat.partitions.size()) + " partitions, from " +
        phone.table->kind + ")");
  } else {
    auto plan = buildPlan(r, fwp, &phone);
    if (!plan) return plan.error();
    if (events.plan) events.plan(*plan);
    auto summary = runPlan(*session->da, session->storage, *plan, r.run, events);
    if (!summary) return summary.error();
    if (r.kind == OperationKind::Readback && r.plan.readbackAll) {
      // The folder becomes flashable: a scatter for its images (a clone of this phone).
      if (auto w = saveFolderScatter(phone, r.plan.output, *summary); !w) return w.error();
    }
    result.plan = std::move(*plan);
    result.summary = std::move(*summary);
  }
  if (r.reboot || r.powerOff) {
    say(r.powerOff ? "powering the phone off" : "rebooting the phone");
    if (auto st = session->da->shutdown(0, r.powerOff); !st) return st.error();
  }
  return result;
}

}  // namespace mtk::flasher
