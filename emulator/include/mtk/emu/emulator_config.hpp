#pragma once
// mtkemu's configuration file (YAML): where to listen and which virtual phones to plug in.
//
//   server:
//     address: 127.0.0.1   # default; anything else must be written here or given as --address
//     port: 3240
//   phones:
//     - kind: echo         # the test device (bulk echo + sink/source)
//       vid: 0x0e8d
//       pid: 0x2000
//       speed: high        # high | full
//       count: 2           # plugs 2 such devices (busids 1-1, 1-2)

#include <cstdint>
#include <string>
#include <vector>

#include "mtk/emu/device_bus.hpp"
#include "mtk/error.hpp"

namespace mtk::emu {

struct PhoneConfig {
  std::string kind = "echo";
  std::uint16_t vid = 0x0e8d;
  std::uint16_t pid = 0x2000;
  wire::usbip::Speed speed = wire::usbip::Speed::High;
  unsigned count = 1;
};

struct EmulatorConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 3240;
  std::vector<PhoneConfig> phones;
};

// Parses YAML text; errors name the file and line.
Result<EmulatorConfig> parseEmulatorConfig(const std::string& yaml, const std::string& fileName);
Result<EmulatorConfig> loadEmulatorConfig(const std::string& path);

struct PluggedDevice {
  std::string busid;
  std::string description;  // "0e8d:2000 echo test device (high speed)"
};
// Plugs every configured phone into the bus, in order.
Result<std::vector<PluggedDevice>> plugConfiguredDevices(DeviceBus& bus,
                                                         const EmulatorConfig& config);

}  // namespace mtk::emu
