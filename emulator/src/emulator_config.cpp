#include "mtk/emu/emulator_config.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "config_yaml.hpp"
#include "mtk/emu/echo_function.hpp"
#include "phone/fault_config.hpp"

namespace mtk::emu {

Status parsePhoneKey(const std::string& file, const std::string& key, const YAML::Node& v,
                     PhoneConfig& pc);

namespace {

Status parseEchoKey(const std::string& file, const std::string& key, const YAML::Node& v,
                    PhoneConfig& pc) {
  if (key == "vid" || key == "pid") {
    auto id = config::number<std::uint16_t>(file, v, key, 0, 0xffff);
    if (!id) return std::move(id).error();
    (key == "vid" ? pc.vid : pc.pid) = *id;
    return {};
  }
  if (key == "speed") {
    const auto s = v.as<std::string>();
    if (s != "high" && s != "full") return config::error(file, v, "speed must be 'high' or 'full'");
    pc.speed = s == "high" ? wire::usbip::Speed::High : wire::usbip::Speed::Full;
    return {};
  }
  return config::error(file, v, "unknown echo device key '" + key + "'");
}

Result<PhoneConfig> parseDevice(const std::string& file, const YAML::Node& p) {
  PhoneConfig pc;
  if (!p.IsMap()) return config::error(file, p, "each entry of phones must be a mapping");
  if (auto kind = p["kind"]) {
    pc.kind = kind.as<std::string>();
    if (pc.kind != "echo" && pc.kind != "phone") {
      return config::error(file, kind, "unknown kind '" + pc.kind + "' (known: phone, echo)");
    }
  }
  for (const auto& kv : p) {
    const auto key = kv.first.as<std::string>();
    if (key == "kind") continue;
    if (key == "count") {
      auto n = config::number<unsigned>(file, kv.second, key, 1, 64);
      if (!n) return std::move(n).error();
      pc.count = *n;
      continue;
    }
    auto s = pc.kind == "echo" ? parseEchoKey(file, key, kv.second, pc)
                               : parsePhoneKey(file, key, kv.second, pc);
    if (!s) return std::move(s).error();
  }
  if (pc.kind == "phone") {  // checks that need every key of the entry (layout, storage)
    if (auto s = checkPhoneEntry(file, p, pc); !s) return std::move(s).error();
  }
  return pc;
}

}  // namespace

Result<EmulatorConfig> parseEmulatorConfig(const std::string& yaml, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::ParserException& e) {
    return makeError(-1, "EMU_CONFIG_INVALID",
                     file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg,
                     "fix the YAML syntax");
  }
  EmulatorConfig c;
  if (!root.IsMap()) return config::error(file, root, "the top level must be a mapping");
  try {
    for (const auto& kv : root) {
      const auto key = kv.first.as<std::string>();
      if (key != "server" && key != "phones")
        return config::error(file, kv.first, "unknown key '" + key + "'");
    }
    if (auto s = root["server"]) {
      if (auto a = s["address"]) c.address = a.as<std::string>();
      if (auto p = s["port"]) {
        auto port = config::number<std::uint16_t>(file, p, "port", 0, 65535);
        if (!port) return std::move(port).error();
        c.port = *port;
      }
    }
    if (auto phones = root["phones"]) {
      if (!phones.IsSequence()) return config::error(file, phones, "phones must be a list");
      for (const auto& p : phones) {
        auto pc = parseDevice(file, p);
        if (!pc) return std::move(pc).error();
        c.phones.push_back(std::move(*pc));
      }
    }
  } catch (const YAML::Exception& e) {
    return makeError(-1, "EMU_CONFIG_INVALID",
                     file + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg,
                     "check the value's type against the reference in emulator_config.hpp");
  }
  return c;
}

Result<EmulatorConfig> loadEmulatorConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    return makeError(-1, "EMU_CONFIG_NOT_FOUND", "cannot read " + path,
                     "check the path given to --config");
  std::stringstream ss;
  ss << in.rdbuf();
  return parseEmulatorConfig(ss.str(), path);
}

Result<std::vector<PluggedDevice>> plugConfiguredDevices(
    DeviceBus& bus, const EmulatorConfig& config,
    std::vector<std::unique_ptr<VirtualPhone>>* phones) {
  std::vector<PluggedDevice> out;
  std::uint32_t seed = 1;
  for (const auto& p : config.phones) {
    for (unsigned i = 0; i < p.count; ++i, ++seed) {
      const std::string busid = bus.addPort();
      char desc[160];
      if (p.kind == "phone") {
        if (!phones) {
          return makeError(-1, "EMU_CONFIG_INVALID", "phones need an owner",
                           "internal: pass a phone list");
        }
        PhoneSpec spec = p.spec;
        if (std::all_of(spec.meId.begin(), spec.meId.end(), [](auto b) { return b == 0; }))
          spec.deriveIds(seed);
        auto phone = std::make_unique<VirtualPhone>(bus, busid, spec);
        phone->powerOn(p.bootBrom);
        std::snprintf(desc, sizeof desc, "%s phone (hw code 0x%04x), %s mode", spec.chip->name,
                      spec.chip->hwCode, p.bootBrom || !spec.hasPreloader ? "BROM" : "preloader");
        phones->push_back(std::move(phone));
      } else {
        bus.plug(busid, std::make_shared<UsbDevice>(echoDeviceDescriptors(p.vid, p.pid, p.speed),
                                                    std::make_shared<EchoFunction>()));
        std::snprintf(desc, sizeof desc, "%04x:%04x echo test device (%s speed)", p.vid, p.pid,
                      p.speed == wire::usbip::Speed::High ? "high" : "full");
      }
      out.push_back({busid, desc});
    }
  }
  return out;
}

}  // namespace mtk::emu
