// mtk-make-test-firmware: writes a SAMPLE firmware folder for mtkemu's virtual phones, in the
// shape of a real MediaTek firmware package: a V1.1.2 scatter for MT6765 on eMMC (the layout of
// a typical GPT-era phone: pgpt, proinfo, nvram, protect1/2, seccfg, lk, boot, recovery, logo,
// nvdata, metadata, vendor, system, userdata, flashinfo, sgpt), a TEST preloader with EMI
// settings, raw images and Android sparse images (system, vendor, userdata) with RAW, FILL,
// DONT_CARE and CRC32 chunks. The content is deterministic pseudo-random bytes from --seed.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

#include "mtk/wire/preloader_image.hpp"
#include "mtk/wire/scatter.hpp"
#include "mtk/wire/scatter_write.hpp"
#include "mtk/wire/sparse.hpp"

namespace {

namespace fs = std::filesystem;
namespace sc = mtk::wire::scatter;
namespace sp = mtk::wire::sparse;
using mtk::wire::Bytes;

constexpr std::uint64_t MiB = 1ull << 20;

struct Row {
  const char* name;
  const char* file;  // "" = none
  std::uint64_t start;
  std::uint64_t size;
  const char* region;
  const char* type;
  const char* operation;
};

// A typical MT6765 GPT layout (offsets in the user area; the preloader in both boot areas).
// userdata fills up to flashinfo, which with sgpt sits at the end (end-relative addresses).
constexpr std::uint64_t kUserStart = 0xead80000;
const Row kLayout[] = {
    {"preloader", "preloader_k65v1_64_bsp.bin", 0x0, 0x40000, "EMMC_BOOT1_BOOT2", "SV5_BL_BIN",
     "BOOTLOADERS"},
    {"pgpt", "", 0x0, 0x80000, "EMMC_USER", "NORMAL_ROM", "INVISIBLE"},
    {"proinfo", "", 0x80000, 0x300000, "EMMC_USER", "NORMAL_ROM", "PROTECTED"},
    {"nvram", "", 0x380000, 0x500000, "EMMC_USER", "NORMAL_ROM", "BINREGION"},
    {"protect1", "", 0x880000, 0xa00000, "EMMC_USER", "NORMAL_ROM", "PROTECTED"},
    {"protect2", "", 0x1280000, 0xa00000, "EMMC_USER", "NORMAL_ROM", "PROTECTED"},
    {"seccfg", "", 0x1c80000, 0x800000, "EMMC_USER", "NORMAL_ROM", "INVISIBLE"},
    {"lk", "lk.img", 0x2480000, 0x100000, "EMMC_USER", "NORMAL_ROM", "UPDATE"},
    {"boot", "boot.img", 0x2580000, 0x2000000, "EMMC_USER", "NORMAL_ROM", "UPDATE"},
    {"recovery", "recovery.img", 0x4580000, 0x2000000, "EMMC_USER", "NORMAL_ROM", "UPDATE"},
    {"logo", "logo.bin", 0x6580000, 0x800000, "EMMC_USER", "NORMAL_ROM", "UPDATE"},
    {"nvdata", "", 0x6d80000, 0x2000000, "EMMC_USER", "EXT4_IMG", "INVISIBLE"},
    {"metadata", "", 0x8d80000, 0x2000000, "EMMC_USER", "EXT4_IMG", "INVISIBLE"},
    {"vendor", "vendor.img", 0xad80000, 0x20000000, "EMMC_USER", "EXT4_IMG", "UPDATE"},
    {"system", "system.img", 0x2ad80000, 0xc0000000, "EMMC_USER", "EXT4_IMG", "UPDATE"},
    {"userdata", "userdata.img", kUserStart, 0x0, "EMMC_USER", "EXT4_IMG", "UPDATE"},
    {"flashinfo", "", 0xFFFF0084, 0x1000000, "EMMC_USER", "NORMAL_ROM", "RESERVED"},
    {"sgpt", "", 0xFFFF0004, 0x80000, "EMMC_USER", "NORMAL_ROM", "RESERVED"},
};

class Content {
 public:
  explicit Content(std::uint32_t seed) : rng_(seed) {}
  void fill(Bytes& b) {
    for (std::size_t i = 0; i + 8 <= b.size(); i += 8) {
      const std::uint64_t v = rng_();
      for (int k = 0; k < 8; ++k) b[i + k] = static_cast<std::uint8_t>(v >> (8 * k));
    }
  }

 private:
  std::mt19937_64 rng_;
};

bool writeRaw(const fs::path& path, std::uint64_t size, Content& c) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  Bytes buf(1 << 20);
  for (std::uint64_t at = 0; at < size;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size - at));
    c.fill(buf);
    out.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(n));
    at += n;
  }
  return static_cast<bool>(out);
}

// A sparse image of `unpacked` bytes: `data` bytes of RAW chunks (1 MiB each), a FILL chunk
// after every fourth one, DONT_CARE gaps in between and at the end, a CRC32 chunk at the end.
bool writeSparse(const fs::path& path, std::uint64_t unpacked, std::uint64_t data, Content& c) {
  constexpr std::uint32_t block = 4096;
  constexpr std::uint32_t rawBlocks = MiB / block;
  const auto totalBlocks = static_cast<std::uint32_t>(unpacked / block);
  // Plan the chunks first: the header carries their number.
  struct Chunk {
    sp::ChunkType type;
    std::uint32_t blocks;
  };
  std::vector<Chunk> chunks;
  std::uint32_t used = 0;
  std::uint64_t rawDone = 0;
  unsigned n = 0;
  while (rawDone < data && used + rawBlocks <= totalBlocks) {
    chunks.push_back({sp::ChunkType::Raw, rawBlocks});
    used += rawBlocks;
    rawDone += MiB;
    if (++n % 4 == 0 && used + 64 <= totalBlocks) {
      chunks.push_back({sp::ChunkType::Fill, 64});
      used += 64;
    }
    if (n % 8 == 0 && used + 128 <= totalBlocks) {
      chunks.push_back({sp::ChunkType::DontCare, 128});
      used += 128;
    }
  }
  if (used < totalBlocks) chunks.push_back({sp::ChunkType::DontCare, totalBlocks - used});
  chunks.push_back({sp::ChunkType::Crc32, 0});
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  auto w = sp::SparseWriter::start(
      [&](mtk::wire::ByteSpan b) -> mtk::Status {
        out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
        if (!out) return mtk::makeError(-1, "CANNOT_WRITE", "cannot write " + path.string(), "");
        return {};
      },
      {block, totalBlocks, static_cast<std::uint32_t>(chunks.size()), 0});
  if (!w) return false;
  Bytes buf(MiB);
  for (const Chunk& ch : chunks) {
    mtk::Status s;
    switch (ch.type) {
      case sp::ChunkType::Raw:
        c.fill(buf);
        s = w->addRaw(buf);
        break;
      case sp::ChunkType::Fill:
        s = w->addFill(0x5A5AA5A5, ch.blocks);
        break;
      case sp::ChunkType::DontCare:
        s = w->addDontCare(ch.blocks);
        break;
      case sp::ChunkType::Crc32:
        s = w->addCrc32();
        break;
    }
    if (!s) {
      std::cerr << "mtk-make-test-firmware: " << s.error().describe() << "\n";
      return false;
    }
  }
  return static_cast<bool>(w->finish()) && static_cast<bool>(out);
}

std::uint64_t parseSize(const std::string& s) {
  std::size_t used = 0;
  std::uint64_t v = std::stoull(s, &used, 0);
  const std::string unit = s.substr(used);
  if (unit == "K" || unit == "k") v <<= 10;
  if (unit == "M" || unit == "m") v <<= 20;
  if (unit == "G" || unit == "g") v <<= 30;
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "mtk-make-test-firmware: writes a SAMPLE firmware folder (scatter, TEST preloader, raw "
      "and\nAndroid sparse images) for mtkemu's virtual MT6765 phones. Its bytes are "
      "deterministic\npseudo-random data from --seed; nothing in it boots a real phone.\n\n"
      "Exit codes: 0 success, 1 failure, 2 bad usage.",
      "mtk-make-test-firmware"};
  std::string outDir, systemData = "48M", systemSize = "256M", bootSize = "8M";
  std::uint32_t seed = 1;
  app.add_option("-o,--output", outDir, "the folder to write (created)")->required();
  app.add_option("--system-data", systemData,
                 "bytes of data in the sparse system.img (default 48M; e.g. 1G)");
  app.add_option("--system-size", systemSize, "unpacked size of system.img (default 256M)");
  app.add_option("--boot-size", bootSize, "size of boot.img and recovery.img (default 8M)");
  app.add_option("--seed", seed, "seed of the content (default 1)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  std::uint64_t sysData = 0, sysSize = 0, boot = 0;
  try {
    sysData = parseSize(systemData);
    sysSize = parseSize(systemSize);
    boot = parseSize(bootSize);
  } catch (const std::exception&) {
    std::cerr << "mtk-make-test-firmware: sizes are numbers with an optional K, M or G\n";
    return 2;
  }
  sysSize = std::max(sysSize, sysData + sysData / 8 + MiB) / 4096 * 4096;
  if (sysSize > 0xc0000000 || boot > 0x2000000) {
    std::cerr << "mtk-make-test-firmware: system is at most 3 GiB, boot at most 32 MiB\n";
    return 2;
  }
  const fs::path dir(outDir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  Content content(seed);

  mtk::wire::preloader::TestPreloaderSpec pl;
  pl.chipName = "MT6765";
  const Bytes preloader = mtk::wire::preloader::buildTestPreloader(pl);
  {
    std::ofstream out(dir / kLayout[0].file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(preloader.data()),
              static_cast<std::streamsize>(preloader.size()));
  }
  bool ok = writeRaw(dir / "lk.img", 0x80000, content) &&
            writeRaw(dir / "boot.img", boot, content) &&
            writeRaw(dir / "recovery.img", boot, content) &&
            writeRaw(dir / "logo.bin", 0x300000, content) &&
            writeSparse(dir / "vendor.img", 64 * MiB, 12 * MiB, content) &&
            writeSparse(dir / "system.img", sysSize, sysData, content) &&
            writeSparse(dir / "userdata.img", 32 * MiB, 4 * MiB, content);
  if (!ok) {
    std::cerr << "mtk-make-test-firmware: cannot write the images in " << outDir << "\n";
    return 1;
  }

  sc::Scatter s;
  s.format = sc::Format::V1;
  s.configVersion = "V1.1.2";
  s.platform = "MT6765";
  s.project = "k65v1_64_bsp";
  s.storage = "EMMC";
  s.bootChannel = "MSDC_0";
  s.blockSize = 0x20000;
  int index = 0;
  for (const Row& r : kLayout) {
    sc::Partition p;
    p.index = "SYS" + std::to_string(index++);
    p.name = r.name;
    p.fileName = r.file;
    p.isDownload = *r.file != '\0';
    p.type = r.type;
    p.linearStartAddress = r.start;
    p.physicalStartAddress = r.start;
    p.partitionSize = r.size;
    p.region = r.region;
    p.storage = "HW_STORAGE_EMMC";
    p.boundaryCheck = true;
    p.isReserved = std::string(r.operation) == "RESERVED";
    p.operationType = r.operation;
    p.isUpgradable = std::string(r.operation) == "UPDATE";
    s.partitions.push_back(p);
  }
  sc::Section sec;
  sec.storage = s.storage;
  sec.bootChannel = s.bootChannel;
  sec.blockSize = s.blockSize;
  sec.partitions = s.partitions;
  s.sections.push_back(sec);
  auto text = sc::writeV1(s);
  if (!text) {
    std::cerr << "mtk-make-test-firmware: " << text.error().describe() << "\n";
    return 1;
  }
  const fs::path scatter = dir / "MT6765_Android_scatter.txt";
  std::ofstream out(scatter, std::ios::binary | std::ios::trunc);
  out << *text;
  if (!out) return 1;
  std::cout << "mtk-make-test-firmware: wrote " << scatter.string()
            << " and its images (system.img: " << (sysData >> 20) << " MiB of data in a "
            << (sysSize >> 20) << " MiB sparse image)\n";
  return 0;
}
