// Firmware operations: download, upgrade, format-download, format, readback, write-table,
// make-scatter, split. Each one checks its inputs before looking for a phone, builds its plan
// from the scatter and the phone's table, shows it (or, with --dry-run, only shows it), runs
// it, and ends with a summary.
#include <filesystem>
#include <iostream>

#include "cli_common.hpp"
#include "mtk/flasher/flash_plan.hpp"
#include "mtk/flasher/phone_scatter.hpp"

namespace mtk::cli {

namespace fs = std::filesystem;
namespace sc = wire::scatter;

namespace {

const char* verb(Operation op) {
  switch (op) {
    case Operation::Download:
      return "download";
    case Operation::Upgrade:
      return "upgrade";
    case Operation::FormatDownload:
      return "format-download";
    case Operation::Format:
      return "format";
    case Operation::Readback:
      return "readback";
    case Operation::WriteTable:
      return "write-table";
    case Operation::MakeScatter:
      return "make-scatter";
    case Operation::Split:
      return "split";
  }
  return "?";
}

bool needsScatter(Operation op) {
  return op == Operation::Download || op == Operation::Upgrade || op == Operation::FormatDownload ||
         op == Operation::WriteTable;
}

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

Result<flasher::Plan> buildPlan(Operation op, const flasher::Firmware* fw,
                                const flasher::PhoneFacts* phone, const FirmwareOptions& f,
                                const StorageOptions& s) {
  flasher::PlanOptions o;
  o.partitions = f.partitions;
  o.includeProtected = f.includeProtected;
  if (std::find(f.includeProtected.begin(), f.includeProtected.end(), "all") !=
      f.includeProtected.end()) {
    // "all": every protected partition the scatter or phone knows is treated as named.
    if (fw) {
      for (const auto& p : fw->scatter.partitions) o.includeProtected.push_back(p.name);
    }
    if (phone && phone->table) {
      for (const auto& p : phone->table->partitions) o.includeProtected.push_back(p.name);
    }
  }
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
  switch (op) {
    case Operation::Download:
      return flasher::planDownload(*fw, phone, o);
    case Operation::Upgrade:
      return flasher::planUpgrade(*fw, phone, o);
    case Operation::FormatDownload:
      return flasher::planFormatDownload(*fw, phone, o);
    case Operation::WriteTable:
      return flasher::planWriteTable(*fw, phone);
    case Operation::Readback:
      return flasher::planReadback(phone, o);
    case Operation::Format: {
      using Scope = flasher::PlanOptions::FormatScope;
      if (!f.partitions.empty()) {
        o.formatScope = Scope::Partitions;
      } else if (!s.area.empty() || !s.offset.empty() || !s.length.empty()) {
        o.formatScope = Scope::Range;
      } else {
        o.formatScope = f.exceptBootloader ? Scope::ExceptBootloader : Scope::All;
      }
      return flasher::planFormat(fw, phone, o);
    }
    default:
      break;
  }
  return makeError(-1, "BAD_OPERATION", "no plan for this operation", "");
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

int cmdOperation(Operation op, const GlobalOptions& g, const StorageOptions& s,
                 const FirmwareOptions& f) {
  if (op == Operation::Split) return split(g, f);
  // 1. The firmware, checked before any phone is involved (missing files, bad scatter).
  std::optional<flasher::Firmware> fw;
  if (needsScatter(op) || (op == Operation::Format && !f.scatter.empty())) {
    if (f.scatter.empty()) {
      return report(makeError(-1, "NO_SCATTER", std::string(verb(op)) + " needs a scatter file",
                              "give --scatter MTxxxx_Android_scatter.txt"),
                    g.json);
    }
    auto loaded = flasher::loadFirmware(f.scatter, {f.imageDir, f.storage});
    if (!loaded) return report(loaded.error(), g.json);
    fw = std::move(*loaded);
    stage("firmware: " + fw->scatterPath + " (" + sc::formatName(fw->scatter.format) + ", " +
              (fw->scatter.platform.empty() ? "no platform" : fw->scatter.platform) + ", " +
              std::to_string(fw->scatter.partitions.size()) + " partitions, " +
              std::to_string(fw->images.size()) + " images)",
          g.json);
  }
  const flasher::Firmware* fwp = fw ? &*fw : nullptr;
  if (op != Operation::MakeScatter) {
    // The plan without a phone: it checks the inputs, and is all --dry-run shows.
    auto dry = buildPlan(op, fwp, nullptr, f, s);
    if (!dry) return report(dry.error(), g.json);
    if (f.dryRun) {
      showPlan(*dry, g.json);
      if (g.json)
        std::cout << nlohmann::json{{"event", "result"}, {"ok", true}, {"dry_run", true}}.dump()
                  << std::endl;
      return kExitOk;
    }
  } else if (f.dryRun) {
    stage("make-scatter reads the phone's table; there is nothing to plan", g.json);
    return kExitOk;
  }
  // 2. The phone. In BROM mode the DA needs DRAM settings: SP Flash Tool takes them from the
  // scatter's preloader, and so does this, unless --preloader names another.
  StorageOptions withPreloader = s;
  if (withPreloader.preloaderPath.empty() && fwp) {
    for (const auto& p : fwp->scatter.partitions) {
      const auto* img = fwp->image(p);
      if (img && flasher::roleOf(p) == flasher::Role::Bootloader) {
        withPreloader.preloaderPath = img->path;
        break;
      }
    }
  }
  auto session = openSession(g, withPreloader, fwp ? fwp->scatter.platform : "");
  if (!session) return report(session.error(), g.json);
  flasher::PhoneFacts phone;
  phone.chip = session->phone.target.chip ? session->phone.target.chip->name : "";
  phone.storage = session->storage;
  if (const auto& t = session->phone.target; t.socId) {
    phone.id = hexBytes(*t.socId);
  } else if (t.meId) {
    phone.id = hexBytes(*t.meId);
  }
  auto table = flasher::readPartitionTable(*session->da, session->storage);
  if (table) {
    phone.table = *table;
  } else {
    phone.tableError = table.error();
  }
  auto fail = [&](const Error& e) {
    session->close();
    return report(e, g.json);
  };
  if (op == Operation::MakeScatter) {
    if (!phone.table) return fail(*phone.tableError);
    flasher::ScatterFromTableOptions so;
    so.platform = phone.chip;
    if (const auto* boot1 = phone.storage.area("boot1")) so.preloaderSize = boot1->size;
    const std::string out = f.output.empty() ? flasher::scatterFileName(phone.chip) : f.output;
    auto scat =
        flasher::scatterFromTable(*phone.table, phone.storage.type, phone.storage.user()->size, so);
    if (auto w = flasher::saveScatter(scat, out); !w) return fail(w.error());
    stage("wrote " + out + " (" + std::to_string(scat.partitions.size()) + " partitions, from " +
              phone.table->kind + ")",
          g.json);
  } else {
    auto plan = buildPlan(op, fwp, &phone, f, s);
    if (!plan) return fail(plan.error());
    showPlan(*plan, g.json);
    ProgressBar bar(g.json);
    flasher::RunEvents ev;
    ev.stage = [&](const std::string& t) { stage(t, g.json); };
    ev.warning = [&](const std::string& t) { warn(t, g.json); };
    ev.progress = [&](const std::string& what, std::uint64_t d, std::uint64_t t) {
      bar(what, d, t);
    };
    flasher::RunOptions ro;
    ro.skipUnchanged = f.skipUnchanged;
    auto summary = flasher::runPlan(*session->da, session->storage, *plan, ro, ev);
    if (!summary) return fail(summary.error());
    if (op == Operation::Readback && f.all) {
      // The folder becomes flashable: a scatter for its images (a clone of this phone).
      flasher::ScatterFromTableOptions so;
      so.platform = phone.chip;
      so.withFiles = true;
      if (const auto* boot1 = phone.storage.area("boot1")) so.preloaderSize = boot1->size;
      so.withPreloader = fs::exists(fs::path(f.output) / "preloader.bin");
      auto scat = flasher::scatterFromTable(*phone.table, phone.storage.type,
                                            phone.storage.user()->size, so);
      const std::string path = (fs::path(f.output) / flasher::scatterFileName(phone.chip)).string();
      if (auto w = flasher::saveScatter(scat, path); !w) return fail(w.error());
      summary->files.push_back(path);
    }
    const auto& r = *summary;
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
    std::string line = plan->operation + " done";
    for (std::size_t i = 0; i < parts.size(); ++i) line += (i ? ", " : ": ") + parts[i];
    if (g.json) {
      std::cout << nlohmann::json{{"event", "summary"},
                                  {"operation", plan->operation},
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
    } else {
      stage(line, false);
    }
  }
  if (s.reboot) {
    stage("rebooting the phone", g.json);
    if (auto st = session->da->shutdown(0); !st) return fail(st.error());
  }
  session->close();
  if (g.json) std::cout << nlohmann::json{{"event", "result"}, {"ok", true}}.dump() << std::endl;
  return kExitOk;
}

}  // namespace mtk::cli
