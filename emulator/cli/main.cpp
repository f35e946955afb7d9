// mtkemu: virtual MediaTek phones exported over USB/IP.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "mtk/emu/device_bus.hpp"
#include "mtk/emu/emulator_config.hpp"
#include "mtk/emu/usbip_server.hpp"

namespace {

int fail(const mtk::Error& e) {
  std::cerr << "mtkemu: " << e.describe() << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "mtkemu: virtual MediaTek phones exported over USB/IP.\n\n"
      "Starts the phones described by --config (or --echo test devices), exports them on\n"
      "127.0.0.1:3240 and prints their busids. Attach them with the flasher\n"
      "(mtkflash --device usbip://127.0.0.1:3240/1-1), with Linux's `usbip list -r 127.0.0.1`\n"
      "and `usbip attach -r 127.0.0.1 -b 1-1` (vhci-hcd), and stop with Ctrl-C.\n"
      "SIGUSR1 pulls and re-plugs every phone's cable (power-on again, preloader window and all).",
      "mtkemu"};
  std::string configPath;
  std::string address;
  int port = -1;
  unsigned echo = 0;
  bool verbose = false;
  app.add_option("-c,--config", configPath, "YAML file with the server and the phones")
      ->check(CLI::ExistingFile);
  app.add_option("--address", address,
                 "address to listen on (default 127.0.0.1; anything else exposes the phones to "
                 "the network)");
  app.add_option("-p,--port", port, "TCP port (default 3240; 0 picks a free one and prints it)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--echo", echo, "plug N echo test devices (0e8d:2000) besides the config")
      ->check(CLI::Range(0, 64));
  app.add_flag("-v,--verbose", verbose, "log every connection");
  CLI11_PARSE(app, argc, argv);

  spdlog::set_level(verbose ? spdlog::level::info : spdlog::level::warn);
  spdlog::set_pattern("mtkemu: %v");

  mtk::emu::EmulatorConfig config;
  if (!configPath.empty()) {
    auto c = mtk::emu::loadEmulatorConfig(configPath);
    if (!c) return fail(c.error());
    config = std::move(*c);
  }
  if (!address.empty()) config.address = address;
  if (port >= 0) config.port = static_cast<std::uint16_t>(port);
  if (echo) {
    mtk::emu::PhoneConfig e;
    e.kind = "echo";
    e.count = echo;
    config.phones.push_back(e);
  }
  if (config.phones.empty()) {
    return fail(mtk::makeError(-1, "EMU_NO_PHONES", "no phones to export",
                               "give --config FILE or --echo N"));
  }

  // Block the stop signals before any thread starts, then wait for them on this thread.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

  mtk::emu::DeviceBus bus;
  std::vector<std::unique_ptr<mtk::emu::VirtualPhone>> phones;
  auto plugged = mtk::emu::plugConfiguredDevices(bus, config, &phones);
  if (!plugged) return fail(plugged.error());
  mtk::emu::UsbipServerOptions options;
  options.address = config.address;
  options.port = config.port;
  mtk::emu::UsbipServer server(bus, options);
  if (auto s = server.start(); !s) return fail(s.error());

  std::printf("mtkemu: listening on %s:%u\n", config.address.c_str(), server.port());
  for (const auto& d : *plugged)
    std::printf("mtkemu: %s %s\n", d.busid.c_str(), d.description.c_str());
  std::fflush(stdout);

  int sig = 0;
  for (;;) {
    sigwait(&stopSignals, &sig);
    if (sig != SIGUSR1) break;
    // SIGUSR1: pull and re-plug every phone's cable, as a person does to catch the preloader.
    std::printf("mtkemu: SIGUSR1: re-plugging %zu phone(s)\n", phones.size());
    std::fflush(stdout);
    for (auto& p : phones) {
      p->unplugCable();
      p->plugCable();
    }
  }
  std::printf("mtkemu: stopping (%s)\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  server.stop();
  phones.clear();
  return 0;
}
