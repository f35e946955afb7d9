#include "sample_firmware.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "mtk/wire/preloader_image.hpp"
#include "mtk/wire/scatter.hpp"
#include "mtk/wire/scatter_write.hpp"
#include "mtk/wire/sparse.hpp"

namespace mtk::sample {

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
// The vendor, system and userdata starts follow from the partition sizes in the spec (the
// defaults give a real MT6765's: userdata at 0xead80000).
std::vector<Row> layout(const FirmwareSpec& spec) {
  const std::uint64_t vendor = 0xad80000;
  const std::uint64_t system = vendor + spec.vendorPartition;
  const std::uint64_t userdata = system + spec.systemPartition;
  return {
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
      {"vendor", "vendor.img", vendor, spec.vendorPartition, "EMMC_USER", "EXT4_IMG", "UPDATE"},
      {"system", "system.img", system, spec.systemPartition, "EMMC_USER", "EXT4_IMG", "UPDATE"},
      {"userdata", "userdata.img", userdata, 0x0, "EMMC_USER", "EXT4_IMG", "UPDATE"},
      {"flashinfo", "", 0xFFFF0084, 0x1000000, "EMMC_USER", "NORMAL_ROM", "RESERVED"},
      {"sgpt", "", 0xFFFF0004, 0x80000, "EMMC_USER", "NORMAL_ROM", "RESERVED"},
  };
}

// The same phone with nvram moved behind protect1/protect2 (a later firmware's layout).
const Row kMovedRows[] = {
    {"proinfo", "", 0x80000, 0x300000, "EMMC_USER", "NORMAL_ROM", "PROTECTED"},
    {"protect1", "", 0x380000, 0xa00000, "EMMC_USER", "NORMAL_ROM", "PROTECTED"},
    {"protect2", "", 0xd80000, 0xa00000, "EMMC_USER", "NORMAL_ROM", "PROTECTED"},
    {"nvram", "", 0x1780000, 0x500000, "EMMC_USER", "NORMAL_ROM", "BINREGION"},
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
    if (!s) return false;
  }
  return static_cast<bool>(w->finish()) && static_cast<bool>(out);
}

Error cannotWrite(const std::string& what) {
  return makeError(-1, "CANNOT_WRITE", "cannot write " + what, "check the folder and free space");
}

}  // namespace

std::string scatterPath(const FirmwareSpec& spec) {
  return (fs::path(spec.directory) / "MT6765_Android_scatter.txt").string();
}

Status writeFirmware(const FirmwareSpec& specIn) {
  FirmwareSpec spec = specIn;
  spec.systemSize =
      std::max(spec.systemSize, spec.systemData + spec.systemData / 8 + MiB) / 4096 * 4096;
  if (spec.systemSize > spec.systemPartition || spec.bootSize > 0x2000000 ||
      spec.vendorPartition < 64 * MiB) {
    return makeError(-1, "BAD_SIZE",
                     "system.img must fit its partition, boot at most 32 MiB, vendor at least "
                     "64 MiB",
                     "");
  }
  const std::vector<Row> rows = layout(spec);
  const fs::path dir(spec.directory);
  std::error_code ec;
  fs::create_directories(dir, ec);
  Content content(spec.seed);

  mtk::wire::preloader::TestPreloaderSpec pl;
  pl.chipName = "MT6765";
  const Bytes preloader = mtk::wire::preloader::buildTestPreloader(pl);
  {
    std::ofstream out(dir / rows[0].file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(preloader.data()),
              static_cast<std::streamsize>(preloader.size()));
    if (!out) return cannotWrite(rows[0].file);
  }
  const bool ok = writeRaw(dir / "lk.img", 0x80000, content) &&
                  writeRaw(dir / "boot.img", spec.bootSize, content) &&
                  writeRaw(dir / "recovery.img", spec.bootSize, content) &&
                  writeRaw(dir / "logo.bin", 0x300000, content) &&
                  writeSparse(dir / "vendor.img", 64 * MiB, 12 * MiB, content) &&
                  writeSparse(dir / "system.img", spec.systemSize, spec.systemData, content) &&
                  writeSparse(dir / "userdata.img", 32 * MiB, 4 * MiB, content);
  if (!ok) return cannotWrite("the images in " + spec.directory);

  sc::Scatter s;
  s.format = sc::Format::V1;
  s.configVersion = "V1.1.2";
  s.platform = "MT6765";
  s.project = "k65v1_64_bsp";
  s.storage = "EMMC";
  s.bootChannel = "MSDC_0";
  s.blockSize = 0x20000;
  int index = 0;
  for (Row r : rows) {
    if (spec.movedNvram) {
      for (const Row& m : kMovedRows) {
        if (std::strcmp(m.name, r.name) == 0) r = m;
      }
    }
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
  // Partitions in address order, as generators write them (the moved rows changed it).
  std::stable_sort(s.partitions.begin() + 1, s.partitions.end(),
                   [](const sc::Partition& a, const sc::Partition& b) {
                     const bool ea = sc::isEndRelative(a.linearStartAddress);
                     const bool eb = sc::isEndRelative(b.linearStartAddress);
                     if (ea != eb) return eb;
                     return !ea && a.linearStartAddress < b.linearStartAddress;
                   });
  for (std::size_t i = 0; i < s.partitions.size(); ++i)
    s.partitions[i].index = "SYS" + std::to_string(i);
  sc::Section sec;
  sec.storage = s.storage;
  sec.bootChannel = s.bootChannel;
  sec.blockSize = s.blockSize;
  sec.partitions = s.partitions;
  s.sections.push_back(sec);
  auto text = sc::writeV1(s);
  if (!text) return text.error();
  std::ofstream out(scatterPath(spec), std::ios::binary | std::ios::trunc);
  out << *text;
  if (!out) return cannotWrite(scatterPath(spec));
  return {};
}

}  // namespace mtk::sample
