// Reading scenario files (format: scenarios/README.md). Unknown keys are errors, so a typo in
// an expectation never silently passes.
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <set>
#include <sstream>

#include "mtk/scenario/scenario.hpp"

namespace mtk::scenario {

namespace {

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  Error error(const YAML::Node& n, const std::string& message) const {
    const int line = n.Mark().line >= 0 ? n.Mark().line + 1 : 0;
    return makeError(-1, "SCENARIO_INVALID", file_ + ":" + std::to_string(line) + ": " + message,
                     "see scenarios/README.md for the format");
  }
  static int line(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }

  Status keys(const YAML::Node& map, const std::set<std::string>& allowed, const char* what) const {
    if (!map.IsMap()) return error(map, std::string(what) + " must be a mapping");
    for (const auto& kv : map) {
      const auto k = kv.first.as<std::string>();
      if (!allowed.count(k)) return error(kv.first, "unknown key '" + k + "' in " + what);
    }
    return {};
  }

  Result<std::string> text(const YAML::Node& n, const char* key) const {
    if (!n.IsScalar()) return error(n, std::string(key) + " must be text");
    return n.as<std::string>();
  }

  Result<bool> flag(const YAML::Node& n, const char* key) const {
    try {
      return n.as<bool>();
    } catch (const YAML::Exception&) {
      return error(n, std::string(key) + " must be true or false");
    }
  }

  // A number, or a size with K/M/G (powers of 1024), hex allowed.
  Result<std::uint64_t> size(const YAML::Node& n, const char* key) const {
    if (!n.IsScalar()) return error(n, std::string(key) + " must be a number");
    std::string s = n.as<std::string>();
    std::uint64_t mult = 1;
    if (!s.empty()) {
      const char u = static_cast<char>(std::toupper(static_cast<unsigned char>(s.back())));
      if (u == 'K' || u == 'M' || u == 'G') {
        mult = u == 'K' ? 1ull << 10 : u == 'M' ? 1ull << 20 : 1ull << 30;
        s.pop_back();
      }
    }
    try {
      std::size_t used = 0;
      const auto v = std::stoull(s, &used, 0);
      if (used != s.size()) throw std::invalid_argument(s);
      return v * mult;
    } catch (const std::exception&) {
      return error(n, std::string(key) + " must be a number (hex, or with K, M, G)");
    }
  }

  Result<std::vector<std::string>> list(const YAML::Node& n, const char* key) const {
    std::vector<std::string> out;
    if (n.IsScalar()) {
      out.push_back(n.as<std::string>());
      return out;
    }
    if (!n.IsSequence()) return error(n, std::string(key) + " must be a list");
    for (const auto& item : n) {
      auto t = text(item, key);
      if (!t) return t.error();
      out.push_back(*t);
    }
    return out;
  }

  Result<Outcome> outcome(const YAML::Node& n) const {
    Outcome o;
    o.line = line(n);
    if (auto k = keys(n, {"ok", "error", "code", "message_contains", "hint_contains"}, "expect");
        !k) {
      return k.error();
    }
    if (n["ok"]) {
      auto v = flag(n["ok"], "ok");
      if (!v) return v.error();
      o.ok = *v;
    }
    if (n["error"]) {
      auto v = text(n["error"], "error");
      if (!v) return v.error();
      o.error = *v;
      if (!o.ok) o.ok = false;
    }
    if (n["code"]) {
      auto v = size(n["code"], "code");
      if (!v) return v.error();
      o.code = static_cast<std::int64_t>(*v);
      if (!o.ok) o.ok = false;
    }
    for (const char* key : {"message_contains", "hint_contains"}) {
      if (!n[key]) continue;
      auto v = list(n[key], key);
      if (!v) return v.error();
      (std::string(key) == "message_contains" ? o.messageContains : o.hintContains) = *v;
    }
    return o;
  }

  Result<Step> step(const YAML::Node& n) const {
    Step s;
    s.line = line(n);
    if (n["phone"]) {
      s.kind = Step::Phone;
      if (auto k = keys(n, {"phone", "volume_down", "ms", "partition", "seed"}, "a phone step"); !k)
        return k.error();
      auto a = text(n["phone"], "phone");
      if (!a) return a.error();
      static const std::set<std::string> actions = {
          "power_on", "power_off", "power_cycle", "unplug", "plug", "wait", "fill", "snapshot"};
      if (!actions.count(*a)) {
        return error(n["phone"], "unknown phone action '" + *a +
                                     "' (power_on, power_off, power_cycle, unplug, plug, wait, "
                                     "fill, snapshot)");
      }
      s.action = *a;
      if (n["volume_down"]) {
        auto v = flag(n["volume_down"], "volume_down");
        if (!v) return v.error();
        s.volumeDown = *v;
      }
      if (n["ms"]) {
        auto v = size(n["ms"], "ms");
        if (!v) return v.error();
        s.waitMs = *v;
      }
      if (n["partition"]) {
        auto v = text(n["partition"], "partition");
        if (!v) return v.error();
        s.fillPartition = *v;
      }
      if (n["seed"]) {
        auto v = size(n["seed"], "seed");
        if (!v) return v.error();
        s.fillSeed = static_cast<std::uint32_t>(*v);
      }
      if (s.action == "fill" && s.fillPartition.empty()) return error(n, "fill needs a partition");
      return s;
    }
    if (!n["flash"]) return error(n, "a step is either flash: OPERATION or phone: ACTION");
    if (auto k = keys(n,
                      {"flash", "partitions", "include_protected", "verify", "skip_unchanged",
                       "all", "except_bootloader", "area", "offset", "length", "output",
                       "preloader_output", "backup_dir", "firmware", "expect_platform",
                       "timeout_ms", "plug_after_ms", "plug_brom", "expect"},
                      "a flash step");
        !k) {
      return k.error();
    }
    auto op = text(n["flash"], "flash");
    if (!op) return op.error();
    static const std::set<std::string> ops = {"download",     "format-download", "upgrade",
                                              "format",       "readback",        "write-table",
                                              "make-scatter", "identify",        "printgpt"};
    if (!ops.count(*op)) return error(n["flash"], "unknown operation '" + *op + "'");
    s.operation = *op;
    for (const auto& [key, target] :
         {std::pair<const char*, std::vector<std::string>*>{"partitions", &s.partitions},
          {"include_protected", &s.includeProtected}}) {
      if (!n[key]) continue;
      auto v = list(n[key], key);
      if (!v) return v.error();
      *target = *v;
    }
    for (const auto& [key, target] : {std::pair<const char*, bool*>{"verify", &s.verify},
                                      {"skip_unchanged", &s.skipUnchanged},
                                      {"all", &s.all},
                                      {"except_bootloader", &s.exceptBootloader},
                                      {"plug_brom", &s.plugBrom}}) {
      if (!n[key]) continue;
      auto v = flag(n[key], key);
      if (!v) return v.error();
      *target = *v;
    }
    for (const auto& [key, target] : {std::pair<const char*, std::string*>{"area", &s.area},
                                      {"output", &s.output},
                                      {"preloader_output", &s.preloaderOutput},
                                      {"backup_dir", &s.backupDir},
                                      {"firmware", &s.scatter},
                                      {"expect_platform", &s.expectPlatform}}) {
      if (!n[key]) continue;
      auto v = text(n[key], key);
      if (!v) return v.error();
      *target = *v;
    }
    for (const auto& [key, target] :
         {std::pair<const char*, std::optional<std::uint64_t>*>{"offset", &s.offset},
          {"length", &s.length},
          {"plug_after_ms", &s.plugAfterMs}}) {
      if (!n[key]) continue;
      auto v = size(n[key], key);
      if (!v) return v.error();
      *target = *v;
    }
    if (n["timeout_ms"]) {
      auto v = size(n["timeout_ms"], "timeout_ms");
      if (!v) return v.error();
      s.timeoutMs = *v;
    }
    if (n["expect"]) {
      auto o = outcome(n["expect"]);
      if (!o) return o.error();
      s.expect = *o;
    } else {
      s.expect.ok = true;  // a step without expectations must succeed
      s.expect.line = s.line;
    }
    return s;
  }

  Result<FirmwareSpec> firmware(const YAML::Node& n, const std::string& name) const {
    FirmwareSpec f;
    f.name = name;
    if (n.IsScalar() && n.as<std::string>() == "sample") return f;
    if (auto k = keys(n,
                      {"moved_nvram", "system_data", "system_size", "boot_size", "vendor_partition",
                       "system_partition", "seed", "platform", "storage", "resize", "remove",
                       "scatter_lines"},
                      "firmware");
        !k) {
      return k.error();
    }
    if (n["moved_nvram"]) {
      auto v = flag(n["moved_nvram"], "moved_nvram");
      if (!v) return v.error();
      f.sample.movedNvram = *v;
    }
    for (const auto& [key, target] :
         {std::pair<const char*, std::uint64_t*>{"system_data", &f.sample.systemData},
          {"system_size", &f.sample.systemSize},
          {"boot_size", &f.sample.bootSize},
          {"vendor_partition", &f.sample.vendorPartition},
          {"system_partition", &f.sample.systemPartition}}) {
      if (!n[key]) continue;
      auto v = size(n[key], key);
      if (!v) return v.error();
      *target = *v;
    }
    if (n["seed"]) {
      auto v = size(n["seed"], "seed");
      if (!v) return v.error();
      f.sample.seed = static_cast<std::uint32_t>(*v);
    }
    for (const auto& [key, target] :
         {std::pair<const char*, std::string*>{"platform", &f.platform}, {"storage", &f.storage}}) {
      if (!n[key]) continue;
      auto v = text(n[key], key);
      if (!v) return v.error();
      *target = *v;
    }
    if (n["resize"]) {
      if (!n["resize"].IsMap()) return error(n["resize"], "resize maps file names to sizes");
      for (const auto& kv : n["resize"]) {
        auto v = size(kv.second, "resize");
        if (!v) return v.error();
        f.resize[kv.first.as<std::string>()] = *v;
      }
    }
    if (n["remove"]) {
      auto v = list(n["remove"], "remove");
      if (!v) return v.error();
      f.remove = *v;
    }
    if (n["scatter_lines"]) {
      if (!n["scatter_lines"].IsMap())
        return error(n["scatter_lines"], "scatter_lines maps line numbers to text");
      for (const auto& kv : n["scatter_lines"]) {
        auto l = size(kv.first, "scatter_lines");
        if (!l) return l.error();
        f.scatterLines[static_cast<int>(*l)] = kv.second.as<std::string>();
      }
    }
    return f;
  }

  Result<Scenario> scenario(const YAML::Node& root) const {
    Scenario s;
    s.file = file_;
    if (auto k = keys(root,
                      {"name", "field_error", "description", "phone", "firmware", "firmwares",
                       "setup", "steps", "expect", "sweep", "modes"},
                      "the scenario");
        !k) {
      return k.error();
    }
    for (const auto& [key, target] : {std::pair<const char*, std::string*>{"name", &s.name},
                                      {"field_error", &s.fieldError},
                                      {"description", &s.description}}) {
      if (!root[key]) continue;
      auto v = text(root[key], key);
      if (!v) return v.error();
      *target = *v;
    }
    if (s.name.empty()) return error(root, "a scenario needs a name");
    if (!root["phone"] || !root["phone"].IsMap()) return error(root, "a scenario needs a phone");
    {
      YAML::Emitter e;
      e << root["phone"];
      s.phoneYaml = e.c_str();
      s.phoneLine = line(root["phone"]);
    }
    if (root["firmware"]) {
      auto f = firmware(root["firmware"], "firmware");
      if (!f) return f.error();
      s.firmwares.push_back(*f);
    } else {
      s.firmwares.push_back(FirmwareSpec{});
    }
    if (root["firmwares"]) {
      if (!root["firmwares"].IsMap()) return error(root["firmwares"], "firmwares is a mapping");
      for (const auto& kv : root["firmwares"]) {
        auto f = firmware(kv.second, kv.first.as<std::string>());
        if (!f) return f.error();
        s.firmwares.push_back(*f);
      }
    }
    if (root["setup"]) {
      if (!root["setup"].IsSequence()) return error(root["setup"], "setup is a list of steps");
      for (const auto& n : root["setup"]) {
        auto st = step(n);
        if (!st) return st.error();
        s.setup.push_back(*st);
      }
    }
    if (!root["steps"] || !root["steps"].IsSequence() || root["steps"].size() == 0)
      return error(root, "a scenario needs steps (a list)");
    for (const auto& n : root["steps"]) {
      auto st = step(n);
      if (!st) return st.error();
      if (!st->scatter.empty()) {
        bool known = false;
        for (const auto& f : s.firmwares) known = known || f.name == st->scatter;
        if (!known) return error(n, "no firmware named '" + st->scatter + "' in firmwares");
      }
      s.steps.push_back(*st);
    }
    if (const auto e = root["expect"]) {
      if (auto k = keys(e,
                        {"partitions", "files", "protected_unchanged", "written_only_inside",
                         "max_bytes_written"},
                        "expect");
          !k) {
        return k.error();
      }
      if (e["partitions"]) {
        if (!e["partitions"].IsMap()) return error(e["partitions"], "partitions is a mapping");
        for (const auto& kv : e["partitions"]) {
          PartitionExpectation p;
          p.partition = kv.first.as<std::string>();
          p.line = line(kv.first);
          const std::string v = kv.second.IsScalar() ? kv.second.as<std::string>() : "";
          if (v == "unchanged") {
            p.kind = PartitionExpectation::Unchanged;
          } else if (v == "erased") {
            p.kind = PartitionExpectation::Erased;
          } else if (kv.second.IsMap() && kv.second["image"]) {
            p.kind = PartitionExpectation::Image;
            p.value = kv.second["image"].as<std::string>();
            if (kv.second["firmware"]) p.firmware = kv.second["firmware"].as<std::string>();
          } else if (kv.second.IsMap() && kv.second["sha256"]) {
            p.kind = PartitionExpectation::Sha256;
            p.value = kv.second["sha256"].as<std::string>();
          } else {
            return error(kv.second,
                         "a partition is expected unchanged, erased, {image: FILE} or "
                         "{sha256: HEX}");
          }
          s.partitions.push_back(p);
        }
      }
      if (e["files"]) {
        if (!e["files"].IsMap()) return error(e["files"], "files is a mapping");
        for (const auto& kv : e["files"]) {
          FileExpectation f;
          f.path = kv.first.as<std::string>();
          f.line = line(kv.first);
          if (kv.second.IsScalar()) {
            const auto v = kv.second.as<std::string>();
            if (v != "exists" && v != "absent")
              return error(kv.second, "a file is expected exists, absent or {equals: FILE}");
            f.exists = v == "exists";
          } else if (kv.second.IsMap() && kv.second["equals"]) {
            f.equalsFirmware = kv.second["equals"].as<std::string>();
          } else if (kv.second.IsMap() && kv.second["equals_partition"]) {
            f.equalsPartition = kv.second["equals_partition"].as<std::string>();
          } else {
            return error(
                kv.second,
                "a file is expected exists, absent, {equals: FILE} or {equals_partition: NAME}");
          }
          s.files.push_back(f);
        }
      }
      if (e["protected_unchanged"]) {
        auto v = flag(e["protected_unchanged"], "protected_unchanged");
        if (!v) return v.error();
        s.protectedUnchanged = *v;
      }
      if (e["written_only_inside"]) {
        auto v = list(e["written_only_inside"], "written_only_inside");
        if (!v) return v.error();
        s.writtenOnlyInside = *v;
      }
      if (e["max_bytes_written"]) {
        auto v = size(e["max_bytes_written"], "max_bytes_written");
        if (!v) return v.error();
        s.maxBytesWritten = *v;
      }
    }
    if (const auto w = root["sweep"]) {
      if (auto k = keys(w, {"runs", "from", "to", "direction", "power_on"}, "sweep"); !k)
        return k.error();
      if (w["power_on"]) {
        auto v = size(w["power_on"], "power_on");
        if (!v) return v.error();
        s.sweep.powerOn = static_cast<unsigned>(*v);
      }
      s.sweep.line = line(w);
      auto runs = size(w["runs"], "runs");
      if (!runs) return runs.error();
      s.sweep.runs = static_cast<unsigned>(*runs);
      if (w["from"]) {
        auto v = size(w["from"], "from");
        if (!v) return v.error();
        s.sweep.from = *v;
      }
      if (w["to"]) {
        auto v = size(w["to"], "to");
        if (!v) return v.error();
        s.sweep.to = *v;
      }
      if (w["direction"]) {
        auto v = text(w["direction"], "direction");
        if (!v) return v.error();
        if (*v != "in" && *v != "out") return error(w["direction"], "direction is in or out");
        s.sweep.direction = *v;
      }
      if (s.sweep.to <= s.sweep.from) return error(w, "sweep: to must be above from");
    }
    if (root["modes"]) {
      auto v = list(root["modes"], "modes");
      if (!v) return v.error();
      for (const auto& m : *v) {
        if (m != "inproc" && m != "usbip") return error(root["modes"], "modes: inproc, usbip");
      }
      s.modes = *v;
    }
    return s;
  }

 private:
  std::string file_;
};

}  // namespace

Result<Scenario> parseScenario(const std::string& text, const std::string& file) {
  try {
    const YAML::Node root = YAML::Load(text);
    return Reader(file).scenario(root);
  } catch (const YAML::Exception& e) {
    return makeError(-1, "SCENARIO_INVALID",
                     file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg,
                     "see scenarios/README.md for the format");
  }
}

Result<Scenario> loadScenario(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return makeError(-1, "SCENARIO_NOT_FOUND", "cannot open " + path, "check the path");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return parseScenario(ss.str(), path);
}

}  // namespace mtk::scenario
