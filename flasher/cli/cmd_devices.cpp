// `mtkflash devices` and `mtkflash probe`: finding ports, before any MediaTek protocol.
#include <iostream>

#include "cli_common.hpp"
#include "mtk/flasher/libusb_link.hpp"
#include "mtk/flasher/transport.hpp"
#include "mtk/flasher/usbip_client.hpp"

namespace mtk::cli {

using flasher::Millis;

int cmdDevices(const GlobalOptions& g) {
  nlohmann::json out = nlohmann::json::array();
  if (g.device.rfind("usbip://", 0) == 0) {
    auto a = flasher::parseUsbipUrl(g.device);
    if (!a) return report(a.error(), g.json);
    auto list = flasher::usbipListDevices(*a, Millis(3000));
    if (!list) return report(list.error(), g.json);
    for (const auto& r : *list) {
      flasher::UsbipAddress at = *a;
      at.busid = r.busid;
      out.push_back(
          {{"location", at.url()}, {"vid", hex(r.idVendor, 4)}, {"pid", hex(r.idProduct, 4)}});
    }
  } else {
    auto list = flasher::libusbListDevices(flasher::mediatekDownloadIds());
    if (!list) return report(list.error(), g.json);
    for (const auto& d : *list) {
      out.push_back(
          {{"location", d.location}, {"vid", hex(d.id.vid, 4)}, {"pid", hex(d.id.pid, 4)}});
    }
  }
  if (g.json) {
    std::cout << out.dump() << std::endl;
  } else if (out.empty()) {
    std::cout << "no MediaTek devices found" << std::endl;
  } else {
    for (const auto& d : out) {
      std::cout << d["location"].get<std::string>() << "  " << d["vid"].get<std::string>() << ":"
                << d["pid"].get<std::string>() << std::endl;
    }
  }
  return kExitOk;
}

int cmdProbe(const GlobalOptions& g) {
  auto locator = flasher::makeLocator(g.device);
  if (!locator) return report(locator.error(), g.json);
  stage("waiting for a MediaTek device on " + (*locator)->describe(), g.json);
  auto t = (*locator)->waitFor(flasher::mediatekDownloadIds(), Millis(g.timeoutMs));
  if (!t) return report(t.error(), g.json);
  const auto& id = (*t)->identity();
  nlohmann::json j{{"event", "result"},
                   {"ok", true},
                   {"location", id.location},
                   {"vid", hex(id.vid, 4)},
                   {"pid", hex(id.pid, 4)},
                   {"speed", id.speed},
                   {"manufacturer", id.manufacturer},
                   {"product", id.product},
                   {"max_packet", id.maxPacketSize}};
  if (g.json) {
    std::cout << j.dump() << std::endl;
  } else {
    std::cout << "device:   " << id.location << "\n"
              << "usb id:   " << hex(id.vid, 4) << ":" << hex(id.pid, 4) << " ("
              << (id.speed == 3   ? "high"
                  : id.speed == 2 ? "full"
                                  : "other")
              << " speed, " << id.maxPacketSize << "-byte bulk packets)\n"
              << "product:  " << id.manufacturer << " " << id.product << std::endl;
  }
  (*t)->close();
  return kExitOk;
}

}  // namespace mtk::cli
