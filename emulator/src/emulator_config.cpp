#include "mtk/emu/emulator_config.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "mtk/emu/echo_function.hpp"

namespace mtk::emu {

namespace {

Error configError(const std::string& file, const YAML::Node& node, const std::string& message) {
  std::string where = file;
  if (node.IsDefined() && node.Mark().line >= 0)
    where += ":" + std::to_string(node.Mark().line + 1);
  return makeError(
      -1, "EMU_CONFIG_INVALID", where + ": " + message,
      "see the configuration reference at the top of emulator/include/mtk/emu/emulator_config.hpp");
}

template <class T>
Result<T> number(const std::string& file, const YAML::Node& n, const char* key, T min, T max) {
  try {
    auto v = n.as<long long>();
    if (v < static_cast<long long>(min) || v > static_cast<long long>(max)) {
      return configError(file, n,
                         std::string(key) + " must be between " + std::to_string(min) + " and " +
                             std::to_string(max));
    }
    return static_cast<T>(v);
  } catch (const YAML::Exception&) {
    return configError(file, n, std::string(key) + " must be a number");
  }
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
  if (!root.IsMap()) return configError(file, root, "the top level must be a mapping");
  for (const auto& kv : root) {
    const auto key = kv.first.as<std::string>();
    if (key != "server" && key != "phones")
      return configError(file, kv.first, "unknown key '" + key + "'");
  }
  if (auto s = root["server"]) {
    if (auto a = s["address"]) c.address = a.as<std::string>();
    if (auto p = s["port"]) {
      auto port = number<std::uint16_t>(file, p, "port", 0, 65535);
      if (!port) return std::move(port).error();
      c.port = *port;
    }
  }
  if (auto phones = root["phones"]) {
    if (!phones.IsSequence()) return configError(file, phones, "phones must be a list");
    for (const auto& p : phones) {
      PhoneConfig pc;
      for (const auto& kv : p) {
        const auto key = kv.first.as<std::string>();
        const YAML::Node& v = kv.second;
        if (key == "kind") {
          pc.kind = v.as<std::string>();
          if (pc.kind != "echo")
            return configError(file, v, "unknown phone kind '" + pc.kind + "' (known: echo)");
        } else if (key == "vid" || key == "pid") {
          auto id = number<std::uint16_t>(file, v, key.c_str(), 0, 0xffff);
          if (!id) return std::move(id).error();
          (key == "vid" ? pc.vid : pc.pid) = *id;
        } else if (key == "speed") {
          const auto s = v.as<std::string>();
          if (s == "high") {
            pc.speed = wire::usbip::Speed::High;
          } else if (s == "full") {
            pc.speed = wire::usbip::Speed::Full;
          } else {
            return configError(file, v, "speed must be 'high' or 'full'");
          }
        } else if (key == "count") {
          auto n = number<unsigned>(file, v, "count", 1, 64);
          if (!n) return std::move(n).error();
          pc.count = *n;
        } else {
          return configError(file, kv.first, "unknown phone key '" + key + "'");
        }
      }
      c.phones.push_back(pc);
    }
  }
  return c;
}

Result<EmulatorConfig> loadEmulatorConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return makeError(-1, "EMU_CONFIG_NOT_FOUND", "cannot read " + path,
                     "check the path given to --config");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return parseEmulatorConfig(ss.str(), path);
}

Result<std::vector<PluggedDevice>> plugConfiguredDevices(DeviceBus& bus,
                                                         const EmulatorConfig& config) {
  std::vector<PluggedDevice> out;
  for (const auto& p : config.phones) {
    for (unsigned i = 0; i < p.count; ++i) {
      const std::string busid = bus.addPort();
      auto device = std::make_shared<UsbDevice>(echoDeviceDescriptors(p.vid, p.pid, p.speed),
                                                std::make_shared<EchoFunction>());
      bus.plug(busid, device);
      char desc[96];
      std::snprintf(desc, sizeof desc, "%04x:%04x echo test device (%s speed)", p.vid, p.pid,
                    p.speed == wire::usbip::Speed::High ? "high" : "full");
      out.push_back({busid, desc});
    }
  }
  return out;
}

}  // namespace mtk::emu
