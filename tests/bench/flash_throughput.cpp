// Prints firmware-level throughput; asserts nothing (a benchmark, not a test).
//
//   mtk_bench_flash [--mib N] [--storage DIR] [--mtkflash PATH] [--rss-mib M]
//
// 1. A sample firmware whose sparse system.img carries N MiB of random data (default 1024).
// 2. Download Only of system with --verify (write, then read back and compare SHA-256) and a
//    readback of the same N MiB to a file, through the engine's plans, over USB/IP loopback and
//    over the in-process link, each against a fresh virtual MT6765 whose flash lives in DIR
//    (default /dev/shm, so the disk's write-back does not set the pace).
// 3. A raw TCP loopback pump in the same run, and the ratios.
// 4. With --mtkflash: the peak RSS of that binary writing an M MiB raw image over
//    USB/IP (the child's ru_maxrss), G = M/1024, default 4096 MiB.
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "mtk/emu/phone/virtual_phone.hpp"
#include "mtk/emu/usbip_server.hpp"
#include "mtk/flasher/da_session.hpp"
#include "mtk/flasher/flash_plan.hpp"
#include "mtk/flasher/usbip_client.hpp"
#include "mtk/inproc/inprocess_link.hpp"
#include "mtk/wire/da_container.hpp"
#include "sample_firmware.hpp"
#include "tcp_pump.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace mtk;
namespace fs = std::filesystem;

double seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

void die(const Error& e) {
  std::fprintf(stderr, "%s\n", e.describe().c_str());
  std::exit(1);
}

struct Figures {
  double flashVerify = 0;  // MB/s of image data: write + read back + compare
  double write = 0;        // MB/s of the write alone (flash without verify)
  double readback = 0;     // MB/s
};

flasher::PhoneFacts facts(flasher::DaSession& s) {
  flasher::PhoneFacts f;
  f.chip = "MT6765";
  f.storage = s.storage;
  auto t = flasher::readPartitionTable(*s.da, s.storage);
  if (t) f.table = *t;
  if (!t) f.tableError = t.error();
  return f;
}

Figures run(flasher::DeviceLocator& locator, const std::string& daPath, const flasher::Firmware& fw,
            std::uint64_t dataBytes, const std::string& out) {
  flasher::DaSessionOptions o;
  o.daPath = daPath;
  auto s = openDaSession(locator, o);
  if (!s) die(s.error());
  Figures fig;
  // The table first (a blank phone), then the measured runs.
  {
    flasher::PlanOptions po;
    po.partitions = {"lk"};
    auto f = facts(*s);
    auto plan = flasher::planDownload(fw, &f, po);
    if (!plan) die(plan.error());
    if (auto r = flasher::runPlan(*s->da, s->storage, *plan); !r) die(r.error());
  }
  auto f = facts(*s);
  for (bool verify : {false, true}) {
    flasher::PlanOptions po;
    po.partitions = {"system"};
    po.verify = verify;
    auto plan = flasher::planDownload(fw, &f, po);
    if (!plan) die(plan.error());
    const auto t0 = Clock::now();
    auto r = flasher::runPlan(*s->da, s->storage, *plan);
    if (!r) die(r.error());
    const double mb = static_cast<double>(dataBytes) / 1e6 / seconds(Clock::now() - t0);
    (verify ? fig.flashVerify : fig.write) = mb;
  }
  flasher::PlanOptions rb;
  rb.area = "user";
  rb.offset = f.table->find("system")->offset;
  rb.length = dataBytes;
  rb.output = out;
  auto plan = flasher::planReadback(&f, rb);
  if (!plan) die(plan.error());
  const auto t0 = Clock::now();
  if (auto r = flasher::runPlan(*s->da, s->storage, *plan); !r) die(r.error());
  fig.readback = static_cast<double>(dataBytes) / 1e6 / seconds(Clock::now() - t0);
  fs::remove(out);
  s->close();
  return fig;
}

std::string makeDa(const std::string& dir) {
  wire::da::DaBuildSpec spec;
  wire::da::DaBuildEntry e;
  e.chipCode = 0x6765;
  e.da1 = wire::da::makeTestPayload("DA1", 0x20000, 1);
  e.da2 = wire::da::makeTestPayload("DA2", 0x30000, 2);
  spec.entries.push_back(e);
  const auto bytes = wire::da::buildDaFile(spec);
  const std::string path = dir + "/da.bin";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) std::exit(1);
  std::fclose(f);
  return path;
}

// Peak RSS (KiB) of `mtkflash write` sending a `mib` MiB raw image to a virtual phone.
long mtkflashPeakRss(const std::string& mtkflash, const std::string& daPath, const std::string& dir,
                     std::uint64_t mib) {
  emu::DeviceBus bus;
  emu::UsbipServerOptions so;
  so.port = 0;
  emu::UsbipServer server(bus, so);
  if (auto s = server.start(); !s) die(s.error());
  emu::PhoneSpec spec;
  spec.storage.user = (mib << 20) + (1ull << 30);
  spec.preloaderWindow = std::chrono::hours(1);
  const auto busid = bus.addPort();
  emu::VirtualPhone phone(bus, busid, spec);
  phone.powerOn();
  // A raw image of random-looking data in 1 MiB blocks (not zeros: nothing may shortcut it).
  const std::string image = dir + "/big.img";
  {
    FILE* f = std::fopen(image.c_str(), "wb");
    std::vector<std::uint8_t> block(1 << 20);
    std::uint64_t x = 88172645463325252ull;
    for (std::uint64_t i = 0; i < mib; ++i) {
      for (std::size_t k = 0; k < block.size(); k += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        std::memcpy(&block[k], &x, 8);
      }
      if (std::fwrite(block.data(), 1, block.size(), f) != block.size()) std::exit(1);
    }
    std::fclose(f);
  }
  const std::string device = "usbip://127.0.0.1:" + std::to_string(server.port()) + "/" + busid;
  const auto t0 = Clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    if (FILE* quiet = std::freopen("/dev/null", "w", stderr); !quiet) _exit(126);
    execl(mtkflash.c_str(), mtkflash.c_str(), "write", "--device", device.c_str(), "--da",
          daPath.c_str(), "--area", "user", "--offset", "0x100000", "-i", image.c_str(),
          "--timeout", "10000", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  const double secs = seconds(Clock::now() - t0);
  fs::remove(image);
  server.stop();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "mtkflash write failed (status %d)\n", status);
    return -1;
  }
  std::printf("mtkflash write of a %llu MiB raw image over USB/IP: %.1f MB/s, peak RSS %ld KiB\n",
              static_cast<unsigned long long>(mib), static_cast<double>(mib << 20) / 1e6 / secs,
              ru.ru_maxrss);
  return ru.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t mib = 1024, rssMib = 4096;
  std::string dir = "/dev/shm", mtkflash;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--mib") mib = std::strtoull(argv[i + 1], nullptr, 10);
    if (a == "--storage") dir = argv[i + 1];
    if (a == "--mtkflash") mtkflash = argv[i + 1];
    if (a == "--rss-mib") rssMib = std::strtoull(argv[i + 1], nullptr, 10);
  }
  spdlog::set_level(spdlog::level::warn);
  setenv("TMPDIR", dir.c_str(), 1);
  char work[] = "/tmp/mtk-bench-flash-XXXXXX";
  if (!::mkdtemp(work)) return 1;
  const std::string daPath = makeDa(work);
  sample::FirmwareSpec spec;
  spec.directory = std::string(work) + "/fw";
  spec.systemData = mib << 20;
  spec.systemSize = (mib << 20) + (mib << 17) + (16u << 20);
  if (auto s = sample::writeFirmware(spec); !s) die(s.error());
  auto fw = flasher::loadFirmware(sample::scatterPath(spec));
  if (!fw) die(fw.error());
  std::printf("firmware: sparse system.img with %llu MiB of random data\n",
              static_cast<unsigned long long>(mib));

  const double tcp = bench::tcpPump(mib << 20);
  std::printf("raw TCP loopback                %8.1f MB/s\n", tcp);
  for (const char* transport : {"usbip", "in-process"}) {
    emu::DeviceBus bus;
    emu::UsbipServerOptions so;
    so.port = 0;
    emu::UsbipServer server(bus, so);
    if (auto s = server.start(); !s) die(s.error());
    emu::PhoneSpec ps;
    ps.storage.user = 8ull << 30;
    ps.partitionTable = emu::TableKind::None;
    ps.preloaderWindow = std::chrono::hours(1);
    const auto busid = bus.addPort();
    emu::VirtualPhone phone(bus, busid, ps);
    phone.powerOn();
    Figures f;
    const std::string out = dir + "/mtk-bench-readback.bin";
    if (std::string(transport) == "usbip") {
      flasher::UsbipAddress a;
      a.port = server.port();
      a.busid = busid;
      flasher::UsbipLocator locator(a);
      f = run(locator, daPath, *fw, mib << 20, out);
    } else {
      inproc::InProcessLocator locator(bus, busid);
      f = run(locator, daPath, *fw, mib << 20, out);
    }
    std::printf(
        "%-10s flash %8.1f MB/s | flash+verify %8.1f MB/s (%.2f of raw TCP) | "
        "readback to file %8.1f MB/s (%.2f)\n",
        transport, f.write, f.flashVerify, f.flashVerify / tcp, f.readback, f.readback / tcp);
    server.stop();
  }
  if (!mtkflash.empty()) mtkflashPeakRss(mtkflash, daPath, dir, rssMib);
  fs::remove_all(work);
  return 0;
}
