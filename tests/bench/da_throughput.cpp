// Prints DA-level throughput; asserts nothing (a benchmark, not a test).
//
//   mtk_bench_da [--mib N] [--storage DIR]
//
// A virtual MT6765 with its storage in DIR (default /dev/shm, so the disk's write-back does not
// set the pace), reached through USB/IP loopback and through the in-process link: the flasher
// writes N MiB to the user area through the XFlash DA and reads them back (checked), and a raw
// TCP loopback pump runs in the same run for comparison.
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "mtk/emu/phone/virtual_phone.hpp"
#include "mtk/emu/usbip_server.hpp"
#include "mtk/flasher/da_session.hpp"
#include "mtk/flasher/usbip_client.hpp"
#include "mtk/inproc/inprocess_link.hpp"
#include "mtk/wire/da_container.hpp"
#include "mtk/wire/xflash.hpp"
#include "tcp_pump.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace mtk;

double mbps(std::uint64_t bytes, Clock::duration d) {
  return static_cast<double>(bytes) / 1e6 / std::chrono::duration<double>(d).count();
}

void die(const Error& e) {
  std::fprintf(stderr, "%s\n", e.describe().c_str());
  std::exit(1);
}

void run(const char* label, flasher::DeviceLocator& locator, const std::string& daPath,
         std::uint64_t total) {
  flasher::DaSessionOptions o;
  o.daPath = daPath;
  auto s = flasher::openDaSession(locator, o);
  if (!s) die(s.error());
  const std::uint32_t user = s->storage.user()->partType;
  wire::Bytes block(1u << 20);
  for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<std::uint8_t>(i * 31 + 7);
  std::uint64_t given = 0;
  auto t0 = Clock::now();
  auto w =
      s->da->write(user, 16u << 20, total, [&](wire::MutableByteSpan out) -> Result<std::size_t> {
        std::memcpy(out.data(), block.data(), out.size());
        given += out.size();
        return out.size();
      });
  if (!w) die(w.error());
  const double wr = mbps(total, Clock::now() - t0);
  std::uint64_t bad = 0;
  t0 = Clock::now();
  auto r = s->da->read(user, 16u << 20, total, [&](wire::ByteSpan piece) -> Status {
    if (std::memcmp(piece.data(), block.data(), std::min(piece.size(), block.size())) != 0) ++bad;
    return {};
  });
  if (!r) die(r.error());
  const double rd = mbps(total, Clock::now() - t0);
  std::printf("%-12s write %8.1f MB/s   read+verify %8.1f MB/s   (%s)\n", label, wr, rd,
              bad ? "MISMATCH" : "data verified");
  s->close();
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t mib = 1024;
  std::string dir = "/dev/shm";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--mib") mib = std::strtoull(argv[i + 1], nullptr, 10);
    if (std::string(argv[i]) == "--storage") dir = argv[i + 1];
  }
  spdlog::set_level(spdlog::level::warn);
  const std::uint64_t total = mib << 20;
  std::printf("DA write and read-back of %llu MiB\n", static_cast<unsigned long long>(mib));
  const double tcp = mtk::bench::tcpPump(total);
  std::printf("raw TCP loopback   %8.1f MB/s\n", tcp);

  char daTemplate[] = "/tmp/mtk-bench-da-XXXXXX";
  const int fd = ::mkstemp(daTemplate);
  {
    wire::da::DaBuildSpec spec;
    wire::da::DaBuildEntry e;
    e.chipCode = 0x6765;
    e.da1 = wire::da::makeTestPayload("DA1", 0x20000, 1);
    e.da2 = wire::da::makeTestPayload("DA2", 0x30000, 2);
    spec.entries.push_back(e);
    const auto bytes = wire::da::buildDaFile(spec);
    if (::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) return 1;
    ::close(fd);
  }
  for (const char* transport : {"usbip", "in-process"}) {
    emu::DeviceBus bus;
    emu::UsbipServerOptions so;
    so.port = 0;
    emu::UsbipServer server(bus, so);
    if (auto s = server.start(); !s) die(s.error());
    emu::PhoneSpec spec;
    spec.storage.user = std::max<std::uint64_t>(total + (64u << 20), 256u << 20);
    spec.storage.directory = "";
    setenv("TMPDIR", dir.c_str(), 1);
    spec.preloaderWindow = std::chrono::hours(1);
    const auto busid = bus.addPort();
    emu::VirtualPhone phone(bus, busid, spec);
    phone.powerOn();
    if (std::string(transport) == "usbip") {
      flasher::UsbipAddress a;
      a.port = server.port();
      a.busid = busid;
      flasher::UsbipLocator locator(a);
      run("USB/IP", locator, daTemplate, total);
    } else {
      inproc::InProcessLocator locator(bus, busid);
      run("in-process", locator, daTemplate, total);
    }
    server.stop();
  }
  ::unlink(daTemplate);
  return 0;
}
