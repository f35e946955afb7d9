// Firmware operations: download, upgrade, format-download, format, readback, write-table,
// make-scatter, split. Each one checks its inputs before looking for a phone, builds its plan
// from the scatter and the phone's table, shows it (or, with --dry-run, only shows it), runs
// it, and ends with a summary.
#include <iostream>

#include "cli_common.hpp"
#include "mtk/flasher/flash_plan.hpp"
#include "mtk/flasher/operation.hpp"
#include "mtk/flasher/phone_scatter.hpp"

namespace mtk::cli {

namespace sc = wire::scatter;

namespace {

nlohmann::json stepJson(const flasher::Step& s) {
  nlohmann::json j{{"action", flasher::stepKindName(s.kind)}, {"what", s.what}};
  if (!s.area.empty()) j["area"] = s.area;
  if (s.resolved) {
    j["offset"] = s.offset;
    j["length"] = s.length;
  }
  if (!s.file.empty()) j["file"] = s.file;
  if (s.verify) j["verify"] = true;
  if (s.bootHeader) j["boot_header"] = true;
  if (!s.note.empty()) j["note"] = s.note;
  return j;
}

void showPlan(const flasher::Plan& plan, bool json) {
  if (json) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : plan.steps) steps.push_back(stepJson(s));
    std::cout << nlohmann::json{{"event", "plan"},        {"operation", plan.operation},
                                {"dry_run", plan.dryRun}, {"table", plan.tableKind},
                                {"kept", plan.kept},      {"warnings", plan.warnings},
                                {"steps", steps}}
                     .dump()
              << std::endl;
    return;
  }
  stage("plan: " + plan.operation + (plan.dryRun ? " (dry run: nothing is sent)" : "") + ", " +
            std::to_string(plan.steps.size()) + " step" + (plan.steps.size() == 1 ? "" : "s"),
        false);
  for (const auto& w : plan.warnings) warn(w, false);
  for (const auto& k : plan.kept) stage("  keep " + k, false);
  if (plan.dryRun) {
    for (const auto& s : plan.steps) std::printf("  %s\n", flasher::describe(s).c_str());
    if (!plan.table.empty()) {
      std::printf("  %s entries written:", plan.tableKind.c_str());
      for (const auto& p : plan.table) std::printf(" %s", p.name.c_str());
      std::printf("\n");
    }
  }
}

int split(const GlobalOptions& g, const FirmwareOptions& f) {
  flasher::SplitOptions o;
  o.dumpPath = f.input;
  o.outputDir = f.output;
  o.scatterPath = f.scatter;
  o.platform = f.platform;
  if (o.platform.empty() && !f.scatter.empty()) {
    auto fw = flasher::loadFirmware(f.scatter, {"", f.storage});
    if (fw) o.platform = fw->scatter.platform;
  }
  if (o.dumpPath.empty() || o.outputDir.empty()) {
    return report(makeError(-1, "NO_INPUT", "split needs the dump (-i) and a folder (-o)",
                            "mtkflash split -i ROM_0 -o parts/ [--scatter FILE]"),
                  g.json);
  }
  o.log = [&](const std::string& t) { stage(t, g.json); };
  stage("splitting " + o.dumpPath + " into " + o.outputDir, g.json);
  auto r = flasher::splitDump(o);
  if (!r) return report(r.error(), g.json);
  if (g.json) {
    std::cout << nlohmann::json{{"event", "result"},
                                {"ok", true},
                                {"layout", r->tableSource},
                                {"files", r->files},
                                {"scatter", r->scatterPath}}
                     .dump()
              << std::endl;
  } else {
    stage("layout from the " + r->tableSource + ": " + std::to_string(r->files.size()) +
              " images and " + r->scatterPath,
          false);
  }
  return kExitOk;
}

}  // namespace

namespace {

flasher::OperationKind kindOf(Operation op) {
  switch (op) {
    case Operation::Download:
      return flasher::OperationKind::Download;
    case Operation::Upgrade:
      return flasher::OperationKind::Upgrade;
    case Operation::FormatDownload:
      return flasher::OperationKind::FormatDownload;
    case Operation::Format:
      return flasher::OperationKind::Format;
    case Operation::Readback:
      return flasher::OperationKind::Readback;
    case Operation::WriteTable:
      return flasher::OperationKind::WriteTable;
    default:
      break;
  }
  return flasher::OperationKind::MakeScatter;
}

Result<flasher::OperationRequest> requestOf(Operation op, const GlobalOptions& g,
                                            const StorageOptions& s, const FirmwareOptions& f) {
  flasher::OperationRequest r;
  r.kind = kindOf(op);
  r.scatter = f.scatter;
  r.firmware = {f.imageDir, f.storage};
  r.dryRun = f.dryRun;
  r.reboot = s.reboot;
  r.powerOff = s.powerOff;
  r.output = f.output;
  r.run.skipUnchanged = f.skipUnchanged;
  flasher::PlanOptions& o = r.plan;
  o.partitions = f.partitions;
  o.includeProtected = f.includeProtected;
  o.verify = f.verify;
  o.backupDirectory = f.backupDir;
  o.output = f.output;
  o.preloaderOutput = f.preloaderOut;
  o.readbackAll = f.all;
  o.area = s.area;
  if (!s.offset.empty()) {
    auto v = parseNumber(s.offset, "--offset");
    if (!v) return v.error();
    o.offset = *v;
  }
  if (!s.length.empty()) {
    auto v = parseNumber(s.length, "--length");
    if (!v) return v.error();
    o.length = *v;
  }
  o.formatScope =
      flasher::formatScopeFor(o, !s.offset.empty() || !s.length.empty(), f.exceptBootloader);
  r.session.daPath = s.daPath;
  r.session.preloaderPath = s.preloaderPath;
  r.session.connect.waitTimeout = flasher::Millis(g.timeoutMs);
  if (!r.dryRun && s.daPath.empty()) {
    return makeError(
        -1, "NO_DA", "no Download Agent given",
        "give --da MTK_AllInOne_DA.bin (for mtkemu's phones: mtk-make-test-da -o da.bin)");
  }
  return r;
}

void showSummary(const flasher::Plan& plan, const flasher::RunSummary& r, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"event", "summary"},
                                {"operation", plan.operation},
                                {"bytes_written", r.bytesWritten},
                                {"bytes_erased", r.bytesErased},
                                {"bytes_read", r.bytesRead},
                                {"images_written", r.imagesWritten},
                                {"images_verified", r.imagesVerified},
                                {"images_skipped", r.imagesSkipped},
                                {"restored", r.restored},
                                {"files", r.files}}
                     .dump()
              << std::endl;
    return;
  }
  std::vector<std::string> parts;
  if (r.imagesWritten)
    parts.push_back(std::to_string(r.imagesWritten) + " image(s) written (" +
                    sc::humanSize(r.bytesWritten) + ")");
  if (r.imagesVerified) parts.push_back(std::to_string(r.imagesVerified) + " verified");
  if (r.imagesSkipped) parts.push_back(std::to_string(r.imagesSkipped) + " unchanged");
  if (r.bytesErased) parts.push_back(sc::humanSize(r.bytesErased) + " erased");
  if (r.restored) parts.push_back(std::to_string(r.restored) + " restored");
  if (!r.files.empty())
    parts.push_back(std::to_string(r.files.size()) + " file(s) saved (" +
                    sc::humanSize(r.bytesRead) + " read)");
  std::string line = plan.operation + " done";
  for (std::size_t i = 0; i < parts.size(); ++i) line += (i ? ", " : ": ") + parts[i];
  stage(line, false);
}

}  // namespace

int cmdOperation(Operation op, const GlobalOptions& g, const StorageOptions& s,
                 const FirmwareOptions& f) {
  if (op == Operation::Split) return split(g, f);
  auto request = requestOf(op, g, s, f);
  if (!request) return report(request.error(), g.json);
  std::unique_ptr<flasher::DeviceLocator> locator;
  if (!f.dryRun) {
    auto l = flasher::makeLocator(g.device);
    if (!l) return report(l.error(), g.json);
    locator = std::move(*l);
  }
  ProgressBar bar(g.json);
  flasher::OperationEvents ev;
  ev.stage = [&](const std::string& t) { stage(t, g.json); };
  ev.warning = [&](const std::string& t) { warn(t, g.json); };
  ev.progress = [&](const std::string& what, std::uint64_t d, std::uint64_t t) { bar(what, d, t); };
  ev.plan = [&](const flasher::Plan& p) { showPlan(p, g.json); };
  auto result = flasher::runOperation(locator.get(), *request, ev);
  if (!result) return report(result.error(), g.json);
  if (!f.dryRun && op != Operation::MakeScatter) showSummary(result->plan, result->summary, g.json);
  if (g.json) {
    nlohmann::json j{{"event", "result"}, {"ok", true}};
    if (f.dryRun) j["dry_run"] = true;
    std::cout << j.dump() << std::endl;
  }
  return kExitOk;
}

}  // namespace mtk::cli
