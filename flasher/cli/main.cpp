// mtkflash: flashes MediaTek phones, on a cable (libusb) or virtual ones over USB/IP.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "mtk/flasher/libusb_link.hpp"
#include "mtk/flasher/transport.hpp"
#include "mtk/flasher/usbip_client.hpp"

namespace {

using mtk::flasher::Millis;

// Exit codes, documented in --help and the README.
constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
constexpr int kExitNoDevice = 3;
constexpr int kExitFailed = 1;

int report(const mtk::Error& e, bool json) {
  if (json) {
    nlohmann::json j{{"event", "result"}, {"ok", false},          {"code", e.code},
                     {"name", e.name},    {"message", e.message}, {"hint", e.hint}};
    std::cout << j.dump() << "\n";
  } else {
    std::cerr << "mtkflash: " << e.describe() << "\n";
  }
  return e.name == "LIBUSB_ERROR_NOT_FOUND" || e.name == "USBIP_CONNECT_FAILED" ? kExitNoDevice
                                                                                : kExitFailed;
}

std::string hex4(unsigned v) {
  char b[8];
  std::snprintf(b, sizeof b, "%04x", v);
  return b;
}

int listDevices(const std::string& spec, bool json) {
  nlohmann::json out = nlohmann::json::array();
  if (spec.rfind("usbip://", 0) == 0) {
    auto a = mtk::flasher::parseUsbipUrl(spec);
    if (!a) return report(a.error(), json);
    auto list = mtk::flasher::usbipListDevices(*a, Millis(3000));
    if (!list) return report(list.error(), json);
    for (const auto& r : *list) {
      out.push_back({{"location", a->url() + (a->busid.empty() ? "/" + r.busid : "")},
                     {"vid", hex4(r.idVendor)},
                     {"pid", hex4(r.idProduct)}});
    }
  } else {
    auto list = mtk::flasher::libusbListDevices(mtk::flasher::mediatekDownloadIds());
    if (!list) return report(list.error(), json);
    for (const auto& d : *list) {
      out.push_back({{"location", d.location}, {"vid", hex4(d.id.vid)}, {"pid", hex4(d.id.pid)}});
    }
  }
  if (json) {
    std::cout << out.dump() << "\n";
  } else if (out.empty()) {
    std::cout << "no MediaTek devices found\n";
  } else {
    for (const auto& d : out) {
      std::cout << d["location"].get<std::string>() << "  " << d["vid"].get<std::string>() << ":"
                << d["pid"].get<std::string>() << "\n";
    }
  }
  return kExitOk;
}

int probe(const std::string& spec, int timeoutMs, bool json) {
  auto locator = mtk::flasher::makeLocator(spec);
  if (!locator) return report(locator.error(), json);
  if (!json) std::cerr << "waiting for a MediaTek device on " << (*locator)->describe() << " ...\n";
  auto t = (*locator)->waitFor(mtk::flasher::mediatekDownloadIds(), Millis(timeoutMs));
  if (!t) return report(t.error(), json);
  const auto& id = (*t)->identity();
  nlohmann::json j{{"event", "result"},
                   {"ok", true},
                   {"location", id.location},
                   {"vid", hex4(id.vid)},
                   {"pid", hex4(id.pid)},
                   {"speed", id.speed},
                   {"manufacturer", id.manufacturer},
                   {"product", id.product},
                   {"max_packet", id.maxPacketSize}};
  if (json) {
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "device:   " << id.location << "\n"
              << "usb id:   " << hex4(id.vid) << ":" << hex4(id.pid) << " ("
              << (id.speed == 3   ? "high"
                  : id.speed == 2 ? "full"
                                  : "other")
              << " speed, " << id.maxPacketSize << "-byte bulk packets)\n"
              << "product:  " << id.manufacturer << " " << id.product << "\n";
  }
  (*t)->close();
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "mtkflash: flash MediaTek phones over USB, or virtual phones (mtkemu) over USB/IP.\n\n"
      "Device selection (--device):\n"
      "  usb                      the first MediaTek phone on USB (default)\n"
      "  usb:BUS-PORT             one USB port, e.g. usb:1-4\n"
      "  usbip://HOST[:PORT][/BUSID]  a USB/IP server such as mtkemu, e.g. "
      "usbip://127.0.0.1:3240/1-1\n\n"
      "Exit codes: 0 success, 1 the operation failed, 2 bad usage, 3 no device found.",
      "mtkflash"};
  app.require_subcommand(1);
  std::string device = "usb";
  bool json = false;
  int timeoutMs = 30000;
  app.add_option("-d,--device", device, "which device to use (see above)");
  app.add_flag("--json", json, "print one JSON object per event and a final result");

  auto* devices =
      app.add_subcommand("devices", "list MediaTek devices on USB or on a USB/IP server");
  auto* probeCmd = app.add_subcommand(
      "probe", "wait for a device, open its download port and print its USB identity");
  probeCmd->add_option("-t,--timeout", timeoutMs, "how long to wait for the device, in ms");
  for (auto* sub : {devices, probeCmd}) {
    sub->add_option("-d,--device", device, "which device to use (see mtkflash --help)");
    sub->add_flag("--json", json, "machine-readable output");
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (*devices) return listDevices(device, json);
  return probe(device, timeoutMs, json);
}
