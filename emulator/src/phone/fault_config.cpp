// The `faults:` list of a phone in mtkemu's configuration (reference: emulator_config.hpp;
// what each trigger and action means: phone/fault.hpp).
#include "fault_config.hpp"

#include <algorithm>
#include <optional>
#include <string_view>

namespace mtk::emu {

namespace {

using K = FaultAction::Kind;

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

Result<std::chrono::milliseconds> millis(const std::string& file, const YAML::Node& n,
                                         const std::string& key) {
  auto v = config::number<long long>(file, n, key, 0, 3'600'000);
  if (!v) return std::move(v).error();
  return std::chrono::milliseconds(*v);
}

// A bulk offset: a size ("1M", 0x100000), or {min: A, max: B} for one drawn from the seed.
Status parseOffset(const std::string& file, const YAML::Node& n, const std::string& key,
                   FaultTrigger& t) {
  if (!n.IsMap()) {
    auto v = config::size(file, n, key);
    if (!v) return std::move(v).error();
    t.offset = *v;
    return {};
  }
  if (!n["min"] || !n["max"] || n.size() != 2)
    return config::error(file, n, key + " as a mapping is {min: A, max: B}");
  auto lo = config::size(file, n["min"], "min");
  if (!lo) return std::move(lo).error();
  auto hi = config::size(file, n["max"], "max");
  if (!hi) return std::move(hi).error();
  if (*lo > *hi) return config::error(file, n, key + ": min is larger than max");
  t.offsetRange = {*lo, *hi};
  return {};
}

Result<FaultTrigger> parseWhen(const std::string& file, const YAML::Node& n) {
  FaultTrigger t;
  if (n.IsScalar() && n.as<std::string>() == "power_on") return t;
  if (!n.IsMap()) {
    return config::error(file, n,
                         "when must be a mapping such as {da_command: WRITE_DATA} (or power_on)");
  }
  int kinds = 0;
  std::optional<YAML::Node> at, from;  // kept to point at them in errors
  for (const auto& kv : n) {
    const auto key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    Status s;
    if (key == "brom_command" || key == "da_command") {
      const bool brom = key == "brom_command";
      ++kinds;
      t.kind = brom ? FaultTrigger::Kind::BromCommand : FaultTrigger::Kind::DaCommand;
      t.command = v.as<std::string>();
      if (!(brom ? isBromCommandName(t.command) : isDaCommandName(t.command))) {
        return config::error(file, v,
                             "unknown " + key + " '" + t.command + "' (known: " +
                                 joined(brom ? bromCommandNames() : daCommandNames()) + ")");
      }
    } else if (key == "bulk_out_offset" || key == "bulk_in_offset") {
      ++kinds;
      t.kind = FaultTrigger::Kind::BulkOffset;
      t.direction = key == "bulk_out_offset" ? FaultDirection::Out : FaultDirection::In;
      s = parseOffset(file, v, key, t);
    } else if (key == "power_on") {
      auto b = config::boolean(file, v, key);
      if (!b) return std::move(b).error();
      if (!*b) return config::error(file, v, "power_on can only be true");
      ++kinds;
      t.kind = FaultTrigger::Kind::PowerOn;
    } else if (key == "after_ms") {
      auto ms = millis(file, v, key);
      if (!ms) return std::move(ms).error();
      t.afterMs = *ms;
    } else if (key == "at") {
      at = kv.second;
      const auto p = v.as<std::string>();
      if (p != "before" && p != "after")
        return config::error(file, v, "at must be 'before' or 'after'");
      t.phase = p == "before" ? FaultPhase::Before : FaultPhase::After;
    } else if (key == "from") {
      from = kv.second;
      const auto f = v.as<std::string>();
      if (f != "power_on" && f != "da")
        return config::error(file, v, "from must be 'power_on' or 'da'");
      t.fromDaStart = f == "da";
    } else if (key == "occurrence") {
      auto o = config::number<unsigned>(file, v, key, 1, 1'000'000'000);
      if (!o) return std::move(o).error();
      t.occurrence = *o;
    } else if (key == "probability") {
      double p = -1;
      try {
        p = v.as<double>();
      } catch (const YAML::Exception&) {
      }
      if (!(p >= 0.0 && p <= 1.0))
        return config::error(file, v, "probability must be a number from 0 to 1");
      t.probability = p;
    } else {
      return config::error(file, kv.first,
                           "unknown trigger key '" + key +
                               "' (known: brom_command, da_command, bulk_out_offset, "
                               "bulk_in_offset, after_ms, power_on, at, from, occurrence, "
                               "probability)");
    }
    if (!s) return std::move(s).error();
  }
  if (kinds > 1) {
    return config::error(file, n,
                         "when takes one of brom_command, da_command, bulk_out_offset, "
                         "bulk_in_offset, power_on (after_ms may gate it)");
  }
  if (kinds == 0) {
    if (!t.afterMs) return config::error(file, n, "when needs a trigger (see the reference)");
    t.kind = FaultTrigger::Kind::Time;
  }
  const bool command =
      t.kind == FaultTrigger::Kind::BromCommand || t.kind == FaultTrigger::Kind::DaCommand;
  if (at && !command) return config::error(file, *at, "at belongs to brom_command/da_command");
  if (from && t.kind != FaultTrigger::Kind::BulkOffset)
    return config::error(file, *from, "from belongs to bulk_out_offset/bulk_in_offset");
  if (t.kind == FaultTrigger::Kind::PowerOn && t.afterMs)
    return config::error(file, n, "power_on happens at 0 ms: after_ms cannot gate it");
  return t;
}

Result<FaultAction> scalarAction(const std::string& file, const YAML::Node& n) {
  static const std::pair<const char*, K> kinds[] = {{"unplug", K::Unplug},
                                                    {"silent", K::Silent},
                                                    {"refuse_dram", K::RefuseDram},
                                                    {"da2_hash_mismatch", K::Da2HashMismatch},
                                                    {"miss_window", K::MissWindow},
                                                    {"corrupt_checksum", K::CorruptChecksum},
                                                    {"corrupt_byte", K::CorruptByte},
                                                    {"power_cut", K::PowerCut}};
  const auto name = n.as<std::string>();
  for (const auto& [text, kind] : kinds) {
    if (name == text) {
      FaultAction a;
      a.kind = kind;
      return a;
    }
  }
  return config::error(file, n,
                       "unknown action '" + name +
                           "' (known: unplug, silent, refuse_dram, da2_hash_mismatch, "
                           "miss_window, corrupt_checksum, corrupt_byte, power_cut, or a "
                           "mapping: delay_ms, status, corrupt_byte, storage_error_at, "
                           "power_cut, flap)");
}

// {<action>: value, <modifier>: value...}: the action key decides which modifiers fit.
Result<FaultAction> mappedAction(const std::string& file, const YAML::Node& n) {
  static const std::pair<const char*, K> kinds[] = {
      {"delay_ms", K::Delay},           {"status", K::Status},
      {"corrupt_byte", K::CorruptByte}, {"storage_error_at", K::StorageError},
      {"power_cut", K::PowerCut},       {"flap", K::Flap}};
  FaultAction a;
  std::optional<YAML::Node> main;
  for (const auto& kv : n) {
    const auto key = kv.first.as<std::string>();
    for (const auto& [text, kind] : kinds) {
      if (key != text) continue;
      if (main) return config::error(file, kv.first, "one action per rule ('" + key + "' too)");
      main = kv.second;
      a.kind = kind;
    }
  }
  if (!main) {
    return config::error(file, n,
                         "do as a mapping takes one of delay_ms, status, corrupt_byte, "
                         "storage_error_at, power_cut, flap (other actions are plain words: "
                         "do: unplug)");
  }
  const YAML::Node& v = *main;
  switch (a.kind) {
    case K::Delay: {
      auto ms = millis(file, v, "delay_ms");
      if (!ms) return std::move(ms).error();
      a.delay = *ms;
      break;
    }
    case K::Status: {
      auto st = config::number<std::uint32_t>(file, v, "status", 0, 0xffffffffll);
      if (!st) return std::move(st).error();
      a.status = *st;
      break;
    }
    case K::CorruptByte: {
      auto i = config::size(file, v, "corrupt_byte");
      if (!i) return std::move(i).error();
      a.byteIndex = *i;
      break;
    }
    case K::StorageError: {
      auto addr = config::size(file, v, "storage_error_at");
      if (!addr) return std::move(addr).error();
      a.address = *addr;
      break;
    }
    case K::PowerCut: {
      auto bytes = config::size(file, v, "power_cut");
      if (!bytes) return std::move(bytes).error();
      a.landBytes = *bytes;
      break;
    }
    case K::Flap: {
      auto cycles = config::number<unsigned>(file, v, "flap", 1, 10000);
      if (!cycles) return std::move(cycles).error();
      a.cycles = *cycles;
      a.delay = std::chrono::milliseconds(100);
      break;
    }
    default:
      break;
  }
  for (const auto& kv : n) {
    const auto key = kv.first.as<std::string>();
    if (key == faultActionName(a.kind)) continue;  // the action itself
    const YAML::Node& m = kv.second;
    if (a.kind == K::CorruptByte && key == "direction") {
      const auto d = m.as<std::string>();
      if (d != "out" && d != "in") return config::error(file, m, "direction must be out or in");
      a.direction = d == "out" ? FaultDirection::Out : FaultDirection::In;
    } else if (a.kind == K::CorruptByte && key == "mask") {
      auto mask = config::number<std::uint8_t>(file, m, "mask", 1, 0xff);
      if (!mask) return std::move(mask).error();
      a.mask = *mask;
    } else if (a.kind == K::StorageError && key == "area") {
      a.area = m.as<std::string>();
    } else if (a.kind == K::Flap && key == "every_ms") {
      auto ms = millis(file, m, key);
      if (!ms) return std::move(ms).error();
      if (ms->count() == 0) return config::error(file, m, "every_ms must be at least 1");
      a.delay = *ms;
    } else {
      return config::error(file, kv.first,
                           "'" + key + "' does not go with " + faultActionName(a.kind) +
                               " (corrupt_byte takes direction, mask; storage_error_at takes "
                               "area; flap takes every_ms)");
    }
  }
  return a;
}

Result<FaultRule> parseRule(const std::string& file, const YAML::Node& e) {
  if (!e.IsMap())
    return config::error(file, e, "each fault must be a mapping {when: ..., do: ...}");
  FaultRule r;
  for (const auto& kv : e) {
    const auto key = kv.first.as<std::string>();
    if (key != "when" && key != "do" && key != "times" && key != "name")
      return config::error(file, kv.first,
                           "unknown fault key '" + key + "' (known: when, do, times, name)");
  }
  if (!e["when"] || !e["do"]) return config::error(file, e, "a fault needs both when and do");
  auto when = parseWhen(file, e["when"]);
  if (!when) return std::move(when).error();
  r.trigger = std::move(*when);
  const YAML::Node d = e["do"];
  Result<FaultAction> what = d.IsMap() && d.size() > 0 ? mappedAction(file, d)
                             : d.IsScalar()            ? scalarAction(file, d)
                                                       : config::error(file, d, "do is an action");
  if (!what) return std::move(what).error();
  r.action = std::move(*what);
  if (r.action.kind == K::Status && r.trigger.kind == FaultTrigger::Kind::BromCommand &&
      r.action.status > 0xffff) {
    return config::error(file, d, "a BROM status is 16 bits (at most 0xffff)");
  }
  if (auto t = e["times"]) {
    if (t.IsScalar() && t.as<std::string>() == "always") {
      r.times = 0;
    } else {
      auto n = config::number<unsigned>(file, t, "times", 1, 1'000'000'000);
      if (!n) return config::error(file, t, "times must be 1 or more, or 'always'");
      r.times = *n;
    }
  }
  if (auto n = e["name"]) r.name = n.as<std::string>();
  return r;
}

}  // namespace

Status parseFaults(const std::string& file, const YAML::Node& v, std::vector<FaultRule>& out) {
  if (!v.IsSequence()) return config::error(file, v, "faults must be a list of {when, do}");
  out.clear();
  for (const auto& e : v) {
    auto r = parseRule(file, e);
    if (!r) return std::move(r).error();
    out.push_back(std::move(*r));
  }
  return {};
}

}  // namespace mtk::emu
