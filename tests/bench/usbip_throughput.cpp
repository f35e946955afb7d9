// Prints throughput figures; asserts nothing (a benchmark, not a test).
//
//   mtk_bench_usbip [--mib N] [--urb-kib K] [--inflight D]
//
// In one run: raw TCP loopback (a plain socket pump, both directions), then bulk OUT and bulk
// IN of N MiB over USB/IP loopback through the flasher's USB/IP client and mtkemu's server
// (sink and source endpoints of the test device), then the same over the in-process link.
// Prints MB/s for each and the USB/IP : raw TCP ratio.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

#include "mtk/emu/device_bus.hpp"
#include "mtk/emu/echo_function.hpp"
#include "mtk/emu/usbip_server.hpp"
#include "mtk/flasher/usbip_client.hpp"
#include "mtk/inproc/inprocess_link.hpp"
#include "tcp_pump.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using mtk::flasher::Millis;

double mbps(std::size_t bytes, Clock::duration d) {
  return static_cast<double>(bytes) / 1e6 / std::chrono::duration<double>(d).count();
}

struct Figures {
  double out = 0;
  double in = 0;
};

// OUT to the sink endpoint, then IN from the source endpoint, through any UsbLink.
Figures pump(mtk::flasher::UsbLink& link, std::size_t total, std::size_t callBytes) {
  Figures f;
  if (auto s = link.setConfiguration(1); !s) {
    std::fprintf(stderr, "%s\n", s.error().describe().c_str());
    std::exit(1);
  }
  std::vector<std::uint8_t> buf(callBytes, 0xa5);
  auto t0 = Clock::now();
  for (std::size_t done = 0; done < total; done += buf.size()) {
    auto n = link.bulkOut(mtk::emu::kSinkSourceEp, buf, Millis(30000));
    if (!n) {
      std::fprintf(stderr, "bulk OUT: %s\n", n.error().describe().c_str());
      std::exit(1);
    }
  }
  f.out = mbps(total, Clock::now() - t0);
  std::vector<std::uint8_t> in(1 << 20);
  t0 = Clock::now();
  std::size_t got = 0;
  while (got < total) {
    auto n = link.bulkIn(0x80 | mtk::emu::kSinkSourceEp, in, Millis(30000));
    if (!n) {
      std::fprintf(stderr, "bulk IN: %s\n", n.error().describe().c_str());
      std::exit(1);
    }
    got += *n;
  }
  f.in = mbps(total, Clock::now() - t0);
  // A spot check that the data is the source pattern, so the figure is for real bytes.
  for (std::size_t i = 0; i < 4096; ++i) {
    if (in[i] != mtk::emu::sourcePattern((got - in.size()) + i)) {
      std::fprintf(stderr, "source data mismatch at %zu\n", i);
      std::exit(1);
    }
  }
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t mib = 1024;
  std::size_t urbKib = 1024;
  std::size_t inflight = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    std::size_t v = std::strtoul(argv[i + 1], nullptr, 10);
    if (k == "--mib") mib = v;
    if (k == "--urb-kib") urbKib = v;
    if (k == "--inflight") inflight = v;
  }
  const std::size_t total = mib << 20;
  std::printf("transfer size %zu MiB, URBs of %zu KiB, %zu in flight\n", mib, urbKib, inflight);

  spdlog::set_level(spdlog::level::warn);
  mtk::bench::tcpPump(
      std::min<std::size_t>(total, 64u << 20));  // warm-up: socket buffers, page faults
  const double tcp = mtk::bench::tcpPump(total);
  std::printf("raw TCP loopback:        %8.1f MB/s\n", tcp);

  mtk::emu::DeviceBus bus;
  const auto busid = bus.addPort();
  bus.plug(busid,
           std::make_shared<mtk::emu::UsbDevice>(mtk::emu::echoDeviceDescriptors(0x0e8d, 0x2000),
                                                 std::make_shared<mtk::emu::EchoFunction>()));
  mtk::emu::UsbipServerOptions so;
  so.port = 0;
  mtk::emu::UsbipServer server(bus, so);
  if (auto s = server.start(); !s) {
    std::fprintf(stderr, "%s\n", s.error().describe().c_str());
    return 1;
  }
  mtk::flasher::UsbipAddress addr;
  addr.port = server.port();
  addr.busid = busid;
  mtk::flasher::UsbipLinkOptions lo;
  lo.maxUrbBytes = urbKib << 10;
  lo.maxInFlight = inflight;
  {
    auto link = mtk::flasher::UsbipLink::import(addr, Millis(5000), lo);
    if (!link) {
      std::fprintf(stderr, "%s\n", link.error().describe().c_str());
      return 1;
    }
    const Figures f = pump(**link, total, 16 * lo.maxUrbBytes);
    std::printf("USB/IP bulk OUT:         %8.1f MB/s  (%.2f of raw TCP)\n", f.out, f.out / tcp);
    std::printf("USB/IP bulk IN:          %8.1f MB/s  (%.2f of raw TCP)\n", f.in, f.in / tcp);
    std::printf("USB/IP OUT+IN average:   %8.1f MB/s  (%.2f of raw TCP)\n", (f.out + f.in) / 2,
                (f.out + f.in) / 2 / tcp);
  }
  server.stop();
  {
    auto link = mtk::inproc::InProcessLink::attach(bus, busid);
    if (!link) {
      std::fprintf(stderr, "%s\n", link.error().describe().c_str());
      return 1;
    }
    const Figures f = pump(**link, total, 1 << 20);
    std::printf("in-process bulk OUT:     %8.1f MB/s\n", f.out);
    std::printf("in-process bulk IN:      %8.1f MB/s\n", f.in);
  }
  return 0;
}
