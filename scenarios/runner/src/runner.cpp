// One scenario run, and seeded sweeps of runs (see runner.hpp).
#include "mtk/scenario/runner.hpp"

#include <stdlib.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "mtk/emu/emulator_config.hpp"
#include "mtk/emu/phone/virtual_phone.hpp"
#include "mtk/emu/usbip_server.hpp"
#include "mtk/flasher/firmware.hpp"
#include "mtk/flasher/operation.hpp"
#include "mtk/flasher/phone_connection.hpp"
#include "mtk/flasher/usbip_client.hpp"
#include "mtk/inproc/inprocess_link.hpp"
#include "mtk/wire/chips.hpp"
#include "mtk/wire/da_container.hpp"
#include "run_detail.hpp"

namespace mtk::scenario {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace detail;

namespace {

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

class Folder {
 public:
  Folder() {
    char t[] = "/tmp/mtkscenario-XXXXXX";
    path_ = ::mkdtemp(t) ? t : "/tmp";
  }
  ~Folder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The scenario's firmwares and test DA: made once, shared by every run of a sweep.
struct Prepared {
  Folder folder;
  std::map<std::string, std::string> scatters;
  std::string daPath;
  wire::Bytes daBytes;
  std::string flash;  // the phone's flash after the setup steps (empty: no setup)
  std::optional<Error> error;
};

void prepare(const Scenario& s, Prepared& p) {
  auto fws = prepareFirmwares(s, p.folder.path());
  if (!fws) {
    p.error = fws.error();
    return;
  }
  p.scatters = *fws;
  const YAML::Node phone = YAML::Load(s.phoneYaml);
  const std::string chip = phone["chip"] ? phone["chip"].as<std::string>() : "MT6765";
  const wire::ChipInfo* info = wire::chipByName(chip);
  auto da = prepareDa(p.folder.path(), info ? info->daCode : 0x6765, &p.daBytes);
  if (!da) {
    p.error = da.error();
    return;
  }
  p.daPath = *da;
}

// A partition's content by name, before the steps.
struct Snapshot {
  std::optional<flasher::PartitionTable> table;
  std::map<std::string, wire::Sha256::Digest> content;
};

// One run of a scenario's steps against one phone.
class Run {
 public:
  // `template` set: runs only the setup steps, on a flash kept in that folder.
  Run(const Scenario& s, const RunnerOptions& o, const Prepared& prepared,
      std::optional<std::uint64_t> dropAt, std::string templateFlash = {})
      : s_(s),
        o_(o),
        dropAt_(dropAt),
        scatters_(prepared.scatters),
        daPath_(prepared.daPath),
        daBytes_(prepared.daBytes),
        startFlash_(prepared.flash),
        template_(templateFlash) {
    if (prepared.error) setupError_ = prepared.error;
  }

  ScenarioResult go() {
    ScenarioResult r;
    r.name = s_.name;
    r.file = s_.file;
    r.mode = o_.mode;
    const auto t0 = Clock::now();
    if (auto st = setUp(); !st) {
      fail(s_.phoneLine, st.error().describe());
    } else if (!template_.empty()) {
      runSteps(s_.setup, /*setup=*/true);
    } else {
      runSteps(s_.steps, /*setup=*/false);
      expectations();
    }
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    r.failures = failures_;
    r.steps = stepLog_;
    if (phone_) {
      for (const auto& f : phone_->faultLog()) r.faults.push_back(describeFault(f));
      if (!failures_.empty()) r.exchanges = phone_->recentExchanges();
    }
    r.passed = failures_.empty();
    if (server_) server_->stop();
    phone_.reset();
    return r;
  }

  // Sweeps: whether every flash step reported success.
  bool allFlashOk() const { return allOk_; }

 private:
  static std::string describeFault(const emu::FiredFault& f) { return f.describe(); }

  void fail(int line, const std::string& text) { failures_.push_back({line, text}); }
  void log(const std::string& t) {
    stepLog_.push_back(t);
    if (o_.log) o_.log(t);
  }

  Status setUp() {
    if (setupError_) return *setupError_;
    // The phone: mtkemu's phone keys, with the test DA's digest where the scenario asks for it.
    std::string phoneYaml = s_.phoneYaml;
    YAML::Node phoneNode = YAML::Load(phoneYaml);
    std::string chip = phoneNode["chip"] ? phoneNode["chip"].as<std::string>() : "MT6765";
    const wire::ChipInfo* info = wire::chipByName(chip);
    const wire::Bytes& daBytes = daBytes_;
    if (phoneYaml.find("${test_da_sha256}") != std::string::npos) {
      auto file = wire::da::parseDaFile(daBytes, daBytes.size());
      if (!file) return file.error();
      auto entry = wire::da::selectEntry(*file, info ? info->daCode : 0x6765, 0xca00, 0, chip);
      if (!entry) return entry.error();
      auto da1 = wire::da::regionBytes(daBytes, *(*entry)->da1());
      if (!da1) return da1.error();
      const std::string digest = wire::Sha256::hex(wire::Sha256::of(*da1));
      for (auto at = phoneYaml.find("${test_da_sha256}"); at != std::string::npos;
           at = phoneYaml.find("${test_da_sha256}")) {
        phoneYaml.replace(at, 17, digest);
      }
      phoneNode = YAML::Load(phoneYaml);
    }
    phoneNode["kind"] = "phone";
    // The flash: the setup's result copied for this run, or where the setup keeps it.
    if (!template_.empty()) {
      // The setup prepares the starting point: the scenario's faults are for the steps.
      phoneNode.remove("faults");
      phoneNode["storage"]["directory"] = template_;
    } else if (!startFlash_.empty()) {
      const std::string flash = (fs::path(folder_.path()) / "flash").string();
      if (auto c = copySparseTree(startFlash_, flash); !c) return c.error();
      phoneNode["storage"]["directory"] = flash;
    }
    if (!phoneNode["seed"]) phoneNode["seed"] = o_.seed;
    if (dropAt_ && template_.empty()) {
      YAML::Node rule;
      rule["when"]["bulk_" + s_.sweep.direction + "_offset"] = *dropAt_;
      rule["when"]["from"] = "da";
      if (s_.sweep.powerOn > 1) rule["when"]["occurrence"] = s_.sweep.powerOn;
      rule["do"] = "unplug";
      rule["name"] = "sweep: cable pulled";
      phoneNode["faults"].push_back(rule);
    }
    YAML::Node config;
    config["phones"].push_back(phoneNode);
    YAML::Emitter e;
    e << config;
    auto parsed = emu::parseEmulatorConfig(e.c_str(), s_.file + " (phone)");
    if (!parsed) return parsed.error();
    const emu::PhoneConfig& pc = parsed->phones.at(0);
    bootBrom_ = pc.bootBrom;
    emu::UsbipServerOptions so;
    so.port = 0;
    if (o_.mode == "usbip") {
      server_ = std::make_unique<emu::UsbipServer>(bus_, so);
      if (auto st = server_->start(); !st) return st.error();
    }
    busid_ = bus_.addPort();
    phone_ = std::make_unique<emu::VirtualPhone>(bus_, busid_, pc.spec);
    if (phone_->storageError()) return *phone_->storageError();
    if (auto* st = phone_->storage()) {
      // Called on the emulator's thread (USB/IP mode): the log has its own lock.
      st->setWriteObserver(
          [this](std::uint32_t partType, std::uint64_t offset, std::uint64_t length) {
            std::lock_guard<std::mutex> lock(writtenMutex_);
            written_.push_back({partType, offset, length});
          });
    }
    snapshot();
    phone_->powerOn(bootBrom_);
    return {};
  }

  void snapshot() {
    auto* st = phone_->storage();
    if (!st) return;
    before_.table = tableOnFlash(*st);
    if (!before_.table) return;
    // Only what expectations compare: protected partitions and those expected unchanged
    // (hashing every partition of a big flash would cost more than the steps).
    for (const auto& p : before_.table->partitions) {
      bool wanted = s_.protectedUnchanged && flasher::isProtectedName(p.name);
      for (const auto& e : s_.partitions) {
        wanted = wanted || (e.kind == PartitionExpectation::Unchanged && e.partition == p.name);
      }
      if (wanted) before_.content[p.name] = hashRange(*st, p.partType, p.offset, p.size);
    }
  }

  std::unique_ptr<flasher::DeviceLocator> locator() {
    if (o_.mode == "inproc") return std::make_unique<inproc::InProcessLocator>(bus_, busid_);
    flasher::UsbipAddress a;
    a.port = server_->port();
    a.busid = busid_;
    return std::make_unique<flasher::UsbipLocator>(a);
  }

  std::string runPath(const std::string& rel) const {
    return rel.empty() ? std::string() : (fs::path(folder_.path()) / rel).string();
  }

  Result<std::string> flash(const Step& st) {
    auto l = locator();
    using namespace std::chrono;
    if (st.operation == "identify") {
      flasher::ConnectOptions co;
      co.waitTimeout = milliseconds(st.timeoutMs);
      auto session = flasher::connectPhone(*l, co);
      if (!session) return session.error();
      if (auto c = flasher::checkPlatform(session->target, st.expectPlatform); !c) return c.error();
      const std::string chip = session->target.chipName();
      session->transport->close();
      return "identified " + chip;
    }
    flasher::DaSessionOptions so;
    so.daPath = daPath_;
    so.connect.waitTimeout = milliseconds(st.timeoutMs);
    so.daSyncTimeout = milliseconds(1500);
    so.xflash.statusTimeout = milliseconds(2000);
    so.xflash.dataTimeout = milliseconds(5000);
    const std::string scatter =
        scatters_.at(st.scatter.empty() ? s_.firmwares[0].name : st.scatter);
    if (st.operation == "printgpt") {
      so.preloaderPath = (fs::path(scatter).parent_path() / "preloader_k65v1_64_bsp.bin").string();
      auto session = flasher::openDaSession(*l, so);
      if (!session) return session.error();
      auto t = flasher::readPartitionTable(*session->da, session->storage);
      session->close();
      if (!t) return t.error();
      return t->kind + " with " + std::to_string(t->partitions.size()) + " partitions";
    }
    flasher::OperationRequest r;
    static const std::map<std::string, flasher::OperationKind> kinds = {
        {"download", flasher::OperationKind::Download},
        {"format-download", flasher::OperationKind::FormatDownload},
        {"upgrade", flasher::OperationKind::Upgrade},
        {"format", flasher::OperationKind::Format},
        {"readback", flasher::OperationKind::Readback},
        {"write-table", flasher::OperationKind::WriteTable},
        {"make-scatter", flasher::OperationKind::MakeScatter}};
    r.kind = kinds.at(st.operation);
    if (flasher::operationNeedsScatter(r.kind) || !st.scatter.empty()) r.scatter = scatter;
    r.session = so;
    if (!flasher::operationNeedsScatter(r.kind)) {
      // DRAM settings for BROM-mode phones come from the firmware's preloader.
      r.session.preloaderPath =
          (fs::path(scatter).parent_path() / "preloader_k65v1_64_bsp.bin").string();
    }
    r.run.skipUnchanged = st.skipUnchanged;
    r.output = runPath(st.output);
    auto& p = r.plan;
    p.partitions = st.partitions;
    p.includeProtected = st.includeProtected;
    p.verify = st.verify;
    p.backupDirectory = runPath(st.backupDir);
    p.output = runPath(st.output);
    p.preloaderOutput = runPath(st.preloaderOutput);
    p.readbackAll = st.all;
    p.area = st.area;
    p.offset = st.offset.value_or(0);
    p.length = st.length;
    p.formatScope = flasher::formatScopeFor(p, st.offset || st.length, st.exceptBootloader);
    auto result = flasher::runOperation(l.get(), r);
    if (!result) return result.error();
    const auto& sum = result->summary;
    return result->plan.operation + ": " + std::to_string(sum.imagesWritten) + " written, " +
           std::to_string(sum.imagesVerified) + " verified, " + std::to_string(sum.restored) +
           " restored, " + std::to_string(sum.files.size()) + " files";
  }

  void check(const Step& st, const Result<std::string>& got, bool setup = false) {
    const Outcome& e = st.expect;
    const std::string what = "step " + st.operation + " (line " + std::to_string(st.line) + ", " +
                             std::to_string(stepMs_) + " ms)";
    if (got) {
      log(what + ": ok: " + *got);
    } else {
      log(what + ": " + got.error().describe());
    }
    if (dropAt_ && !setup) return;  // sweeps check properties, not each step's outcome
    if (e.ok && *e.ok != static_cast<bool>(got)) {
      fail(e.line, what + ": expected " + (*e.ok ? "success" : "failure") + ", got " +
                       (got ? "success" : got.error().describe()));
      return;
    }
    if (got) return;
    const Error& err = got.error();
    if (!e.error.empty() && err.name != e.error)
      fail(e.line, what + ": expected error " + e.error + ", got " + err.name);
    if (e.code && err.code != *e.code)
      fail(e.line, what + ": expected code " + std::to_string(*e.code) + ", got " +
                       std::to_string(err.code));
    for (const auto& m : e.messageContains) {
      if (err.message.find(m) == std::string::npos)
        fail(e.line, what + ": the message does not contain \"" + m + "\": " + err.message);
    }
    for (const auto& m : e.hintContains) {
      if (err.hint.find(m) == std::string::npos)
        fail(e.line, what + ": the hint does not contain \"" + m + "\": " + err.hint);
    }
  }

  void runSteps(const std::vector<Step>& steps, bool setup) {
    for (const Step& st : steps) {
      if (st.kind == Step::Phone) {
        phoneAction(st);
        continue;
      }
      std::thread plug;
      if (st.plugAfterMs) {
        plug = std::thread([this, &st] {
          std::this_thread::sleep_for(std::chrono::milliseconds(*st.plugAfterMs));
          phone_->powerOn(st.plugBrom);
        });
      }
      const auto t0 = Clock::now();
      auto got = flash(st);
      if (plug.joinable()) plug.join();
      stepMs_ = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
      if (!setup) allOk_ = allOk_ && static_cast<bool>(got);
      if (!setup && !st.output.empty()) outputOk_[st.output] = static_cast<bool>(got);
      check(st, got, setup);
    }
  }

  void phoneAction(const Step& st) {
    log("phone: " + st.action);
    if (st.action == "power_on") phone_->powerOn(st.volumeDown);
    if (st.action == "power_off") phone_->powerOff();
    if (st.action == "power_cycle") {
      phone_->powerOff();
      phone_->powerOn(st.volumeDown);
    }
    if (st.action == "unplug") phone_->unplugCable();
    if (st.action == "plug") phone_->plugCable(st.volumeDown);
    if (st.action == "wait") {
      // The phone's clock moves with bus ticks (mtkemu's server ticks every 5 ms; in process
      // nobody else does while no host talks to it).
      const auto until = Clock::now() + std::chrono::milliseconds(st.waitMs);
      while (Clock::now() < until) {
        bus_.tick();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
    if (st.action == "snapshot") {
      // "From here on": expectations compare with the flash as it is now.
      before_ = Snapshot{};
      snapshot();
      written_.clear();
    }
    if (st.action == "fill") {
      auto* storage = phone_->storage();
      auto t = storage ? tableOnFlash(*storage) : std::nullopt;
      const flasher::PartitionInfo* p = t ? t->find(st.fillPartition) : nullptr;
      if (!p) {
        fail(st.line, "fill: the phone's table has no partition " + st.fillPartition);
        return;
      }
      wire::Bytes b(p->size);
      std::uint64_t x = st.fillSeed;
      for (std::size_t i = 0; i + 8 <= b.size(); i += 8) {
        x = splitmix(x);
        std::memcpy(&b[i], &x, 8);
      }
      if (auto w = storage->write(p->partType, p->offset, b); !w)
        fail(st.line, "fill: " + w.error().describe());
      // The fill is the phone's own data: expectations compare with it.
      before_.content[p->name] = wire::Sha256::of(b);
      written_.clear();
    }
  }

  // A partition where the flash's table has it now; after a format that took the table too,
  // where it was before (the data does not move).
  const flasher::PartitionInfo* partitionNow(const std::string& name) {
    if (!now_) now_ = tableOnFlash(*phone_->storage());
    if (now_) return now_->find(name);
    return before_.table ? before_.table->find(name) : nullptr;
  }

  void expectations() {
    auto* storage = phone_->storage();
    if (!storage) return;
    now_.reset();
    // In a sweep the partition expectations hold only when the flasher said it succeeded: a
    // failure may leave anything behind, but never a success with wrong data.
    const bool data = !dropAt_ || allOk_;
    for (const auto& e : s_.partitions) {
      if (!data) break;
      const flasher::PartitionInfo* p = partitionNow(e.partition);
      if (!p) {
        fail(e.line, "the phone's table has no partition " + e.partition + " after the steps");
        continue;
      }
      switch (e.kind) {
        case PartitionExpectation::Unchanged: {
          const auto it = before_.content.find(e.partition);
          if (it == before_.content.end()) {
            fail(e.line, e.partition + " did not exist before the steps");
          } else if (hashRange(*storage, p->partType, p->offset, p->size) != it->second) {
            fail(e.line, e.partition + " changed");
          }
          break;
        }
        case PartitionExpectation::Erased:
          if (!allZero(*storage, p->partType, p->offset, p->size))
            fail(e.line, e.partition + " is not erased");
          break;
        case PartitionExpectation::Image: {
          const auto fw = scatters_.find(e.firmware.empty() ? s_.firmwares[0].name : e.firmware);
          if (fw == scatters_.end()) {
            fail(e.line, "no firmware named " + e.firmware);
            break;
          }
          const std::string image = (fs::path(fw->second).parent_path() / e.value).string();
          auto same = imageOnFlash(*storage, p->partType, p->offset, image);
          if (!same) {
            fail(e.line, same.error().describe());
          } else if (!*same) {
            fail(e.line, e.partition + " does not hold " + e.value);
          }
          break;
        }
        case PartitionExpectation::Sha256:
          if (wire::Sha256::hex(hashRange(*storage, p->partType, p->offset, p->size)) != e.value)
            fail(e.line, e.partition + " does not have SHA-256 " + e.value);
          break;
      }
    }
    for (const auto& f : s_.files) {
      const std::string path = runPath(f.path);
      // A step the cable cut short leaves no file that looks complete.
      if (const auto it = outputOk_.find(f.path); it != outputOk_.end() && !it->second) {
        if (fs::exists(path)) fail(f.line, f.path + " exists although its readback failed");
        continue;
      }
      if (dropAt_ && outputOk_.find(f.path) == outputOk_.end()) continue;  // never reached
      if (!f.equalsPartition.empty()) {
        const flasher::PartitionInfo* p = partitionNow(f.equalsPartition);
        std::error_code ec;
        if (!p) {
          fail(f.line, "the phone has no partition " + f.equalsPartition);
        } else if (!fs::exists(path) || fs::file_size(path, ec) != p->size) {
          fail(f.line, f.path + " is missing or not as long as " + f.equalsPartition);
        } else {
          std::ifstream in(path, std::ios::binary);
          wire::Sha256 h;
          wire::Bytes buf(1 << 20);
          while (in) {
            in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
            h.update(wire::ByteSpan(buf.data(), static_cast<std::size_t>(in.gcount())));
          }
          if (h.finish() != hashRange(*storage, p->partType, p->offset, p->size))
            fail(f.line, f.path + " differs from partition " + f.equalsPartition);
        }
        continue;
      }
      if (!f.equalsFirmware.empty()) {
        const std::string want =
            (fs::path(scatters_.at(s_.firmwares[0].name)).parent_path() / f.equalsFirmware)
                .string();
        std::ifstream a(path, std::ios::binary), b(want, std::ios::binary);
        const std::string x((std::istreambuf_iterator<char>(a)), std::istreambuf_iterator<char>());
        const std::string y((std::istreambuf_iterator<char>(b)), std::istreambuf_iterator<char>());
        if (!a.good() && x.empty()) {
          fail(f.line, f.path + " was not produced");
        } else if (x != y) {
          fail(f.line, f.path + " differs from the firmware's " + f.equalsFirmware);
        }
      } else if (fs::exists(path) != f.exists) {
        fail(f.line, f.path + (f.exists ? " was not produced" : " exists"));
      }
    }
    if (s_.protectedUnchanged && before_.table) {
      for (const auto& p : before_.table->partitions) {
        if (!flasher::isProtectedName(p.name)) continue;
        const flasher::PartitionInfo* q = partitionNow(p.name);
        if (!q) {
          fail(0, "protected partition " + p.name + " is gone from the table");
          continue;
        }
        if (hashRange(*storage, q->partType, q->offset, q->size) != before_.content[p.name])
          fail(0, "protected partition " + p.name + " changed");
      }
    }
    if (!s_.writtenOnlyInside.empty()) checkWrites(*storage);
    if (s_.maxBytesWritten) {
      std::uint64_t total = 0;
      for (const auto& w : written_) total += w.length;
      if (total > *s_.maxBytesWritten)
        fail(0, std::to_string(total) + " bytes were written or erased; at most " +
                    std::to_string(*s_.maxBytesWritten) + " expected");
    }
  }

  // Every write and erase fell inside the named partitions (as the table had them before or
  // has them now), the partition table's own sectors ("table") or the boot areas ("preloader").
  void checkWrites(const emu::VirtualStorage& storage) {
    struct Allowed {
      std::uint32_t partType;
      std::uint64_t from, to;
    };
    std::vector<Allowed> ok;
    auto allow = [&](const std::optional<flasher::PartitionTable>& t, const std::string& name) {
      if (!t) return;
      if (const auto* p = t->find(name))
        ok.push_back({p->partType, p->offset, p->offset + p->size});
    };
    now_ = tableOnFlash(storage);
    for (const auto& name : s_.writtenOnlyInside) {
      if (name == "table") {
        for (const auto& a : storage.areas()) {
          if (a.name != "user" && a.name != "lu2") continue;
          ok.push_back({a.partType, 0, 34ull * storage.sectorSize()});
          ok.push_back({a.partType, a.size - 33ull * storage.sectorSize(), a.size});
          ok.push_back({a.partType, a.size - (1ull << 20), a.size - (1ull << 20) + 0x2000});
        }
      } else if (name == "preloader") {
        for (const auto& a : storage.areas()) {
          if (a.name == "boot1" || a.name == "boot2" || a.name == "lu0" || a.name == "lu1")
            ok.push_back({a.partType, 0, a.size});
        }
      } else {
        allow(before_.table, name);
        allow(now_, name);
      }
    }
    for (const auto& w : written_) {
      const bool inside = std::any_of(ok.begin(), ok.end(), [&](const Allowed& a) {
        return a.partType == w.partType && w.offset >= a.from && w.offset + w.length <= a.to;
      });
      if (!inside) {
        fail(0, "a write or erase of " + std::to_string(w.length) + " bytes at " +
                    std::to_string(w.offset) + " of area " + std::to_string(w.partType) +
                    " fell outside the targeted partitions");
        return;
      }
    }
  }

  const Scenario& s_;
  const RunnerOptions& o_;
  std::optional<std::uint64_t> dropAt_;
  Folder folder_;  // this run's own files (readbacks, backups)
  const std::map<std::string, std::string>& scatters_;
  const std::string& daPath_;
  const wire::Bytes& daBytes_;
  const std::string startFlash_;  // the setup's flash, copied for this run
  const std::string template_;    // set: this run makes that flash
  std::optional<Error> setupError_;
  emu::DeviceBus bus_;
  std::unique_ptr<emu::UsbipServer> server_;
  std::string busid_;
  std::unique_ptr<emu::VirtualPhone> phone_;
  bool bootBrom_ = false;
  Snapshot before_;
  std::optional<flasher::PartitionTable> now_;
  std::mutex writtenMutex_;
  std::vector<Written> written_;
  std::vector<Failure> failures_;
  std::vector<std::string> stepLog_;
  bool allOk_ = true;
  std::map<std::string, bool> outputOk_;  // a step's output file -> whether the step succeeded
  long long stepMs_ = 0;
};

}  // namespace

ScenarioResult runScenario(const Scenario& s, const RunnerOptions& options) {
  Prepared prepared;
  prepare(s, prepared);
  if (!s.setup.empty() && !prepared.error) {
    const std::string flash = (fs::path(prepared.folder.path()) / "setup-flash").string();
    ScenarioResult r = Run(s, options, prepared, std::nullopt, flash).go();
    if (!r.passed) {
      for (auto& f : r.failures) f.text = "setup: " + f.text;
      r.runs = s.sweep.runs ? s.sweep.runs : 1;
      return r;
    }
    prepared.flash = flash;
  }
  if (s.sweep.runs == 0) return Run(s, options, prepared, std::nullopt).go();
  ScenarioResult total;
  total.name = s.name;
  total.file = s.file;
  total.mode = options.mode;
  total.runs = s.sweep.runs;
  const auto t0 = Clock::now();
  const unsigned runs = options.runs ? options.runs : s.sweep.runs;
  total.runs = runs;
  // Runs are independent (own bus, phone, folder, seed): two at a time keep both cores busy
  // while one waits on the protocol's timers.
  std::vector<ScenarioResult> results(runs);
  std::vector<std::uint64_t> seeds(runs), offsets(runs);
  std::atomic<unsigned> next{0};
  auto worker = [&] {
    for (unsigned i = next++; i < runs; i = next++) {
      // 32-bit seeds: short to quote, and any YAML number takes them.
      seeds[i] = splitmix(options.seed * 1000003 + i) & 0xFFFFFFFFu;
      offsets[i] = s.sweep.from + seeds[i] % (s.sweep.to - s.sweep.from);
      RunnerOptions o = options;
      o.seed = seeds[i];
      o.log = {};
      results[i] = Run(s, o, prepared, offsets[i]).go();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < std::max(1u, options.jobs); ++w) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  for (unsigned i = 0; i < runs; ++i) {
    const ScenarioResult& r = results[i];
    if (r.passed) continue;
    total.failedSeeds.push_back(seeds[i]);
    if (total.failures.size() < 5) {
      for (const auto& f : r.failures) {
        total.failures.push_back({f.line, "seed " + std::to_string(seeds[i]) +
                                              " (cable pulled at byte " +
                                              std::to_string(offsets[i]) + "): " + f.text});
      }
      total.exchanges = r.exchanges;
      total.steps = r.steps;
    }
  }
  total.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  total.passed = total.failedSeeds.empty();
  return total;
}

}  // namespace mtk::scenario
