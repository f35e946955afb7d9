#include "mtk/flasher/phone_scatter.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "mtk/flasher/firmware.hpp"
#include "mtk/flasher/image_reader.hpp"
#include "mtk/wire/gpt.hpp"
#include "mtk/wire/pmt.hpp"
#include "mtk/wire/scatter_write.hpp"
#include "output_file.hpp"

#include "names.hpp"

namespace mtk::flasher {

namespace sc = wire::scatter;
namespace fs = std::filesystem;

namespace {

// The operation_type real scatters give these names (spflash.md §3.7).
std::string operationTypeFor(const std::string& name) {
  const std::string n = lowerCase(name);
  if (n == "nvram") return "BINREGION";
  if (isProtectedName(n)) return n == "nvdata" ? "INVISIBLE" : "PROTECTED";
  if (n == "pgpt" || n == "seccfg" || n == "frp" || n == "misc" || n == "expdb" || n == "para")
    return "INVISIBLE";
  if (n == "sgpt" || n == "flashinfo" || n == "otp") return "RESERVED";
  return "UPDATE";
}

sc::Partition entry(std::size_t index, const std::string& name, std::uint64_t offset,
                    std::uint64_t size, const std::string& region, const std::string& storage,
                    const std::string& file) {
  sc::Partition p;
  p.index = "SYS" + std::to_string(index);
  p.name = name;
  p.fileName = file;
  p.isDownload = !file.empty();
  p.type = "NORMAL_ROM";
  p.linearStartAddress = offset;
  p.physicalStartAddress = offset;
  p.partitionSize = size;
  p.region = region;
  p.storage = storage;
  p.boundaryCheck = true;
  p.operationType = operationTypeFor(name);
  p.isUpgradable = p.operationType == "UPDATE";
  return p;
}

}  // namespace

std::string scatterFileName(const std::string& platform) {
  return (platform.empty() ? std::string("MTK") : platform) + "_Android_scatter.txt";
}

sc::Scatter scatterFromTable(const PartitionTable& table, StorageType storage,
                             std::uint64_t userSize, const ScatterFromTableOptions& o) {
  const bool ufs = storage == StorageType::Ufs;
  const std::string hw = ufs ? "HW_STORAGE_UFS" : "HW_STORAGE_EMMC";
  const std::string user = ufs ? "UFS_LU2" : "EMMC_USER";
  sc::Scatter s;
  s.format = sc::Format::V1;
  s.configVersion = "V1.1.2";
  s.platform = o.platform;
  s.project = o.project;
  s.storage = ufs ? "UFS" : "EMMC";
  s.bootChannel = ufs ? "UFSHCI_0" : "MSDC_0";
  s.blockSize = ufs ? 0x80000 : 0x20000;
  std::size_t index = 0;
  auto file = [&](const std::string& f) { return o.withFiles ? f : std::string(); };
  if (o.withPreloader) {
    sc::Partition p = entry(index++, "preloader", 0, o.preloaderSize ? o.preloaderSize : 4u << 20,
                            ufs ? "UFS_LU0_LU1" : "EMMC_BOOT1_BOOT2", hw, file("preloader.bin"));
    p.type = "SV5_BL_BIN";
    p.operationType = "BOOTLOADERS";
    p.isUpgradable = true;
    s.partitions.push_back(p);
  }
  std::vector<PartitionInfo> parts = table.partitions;
  std::sort(parts.begin(), parts.end(),
            [](const PartitionInfo& a, const PartitionInfo& b) { return a.offset < b.offset; });
  const bool gpt = table.kind == "GPT";
  if (gpt && !parts.empty() && parts.front().offset > 0) {
    s.partitions.push_back(
        entry(index++, "pgpt", 0, parts.front().offset, user, hw, file("pgpt.bin")));
  }
  for (const PartitionInfo& p : parts) {
    sc::Partition e = entry(index++, p.name, p.offset, p.size, user, hw, file(p.name + ".img"));
    // A readback folder restores every partition it holds: RESERVED ones (flashinfo, otp) are
    // never written, so they are listed as INVISIBLE there (written when they have a file).
    if (o.withFiles && e.operationType == "RESERVED") e.operationType = "INVISIBLE";
    s.partitions.push_back(e);
  }
  if (gpt && !parts.empty()) {
    const std::uint64_t end = parts.back().offset + parts.back().size;
    if (end < userSize) {
      sc::Partition p = entry(index++, "sgpt", end, userSize - end, user, hw, file("sgpt.bin"));
      // A readback folder restores the backup GPT too (RESERVED entries are never written).
      if (o.withFiles) p.operationType = "INVISIBLE";
      s.partitions.push_back(p);
    }
  }
  sc::Section sec;
  sec.storage = s.storage;
  sec.bootChannel = s.bootChannel;
  sec.blockSize = s.blockSize;
  sec.partitions = s.partitions;
  s.sections.push_back(sec);
  return s;
}

Status saveScatter(const sc::Scatter& s, const std::string& path) {
  auto text = sc::writeV1(s);
  if (!text) return text.error();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << *text;
  if (!out) return makeError(-1, "CANNOT_WRITE", "cannot write " + path, "check the path");
  return {};
}

namespace {

Status copyRange(ImageReader& dump, std::uint64_t length, const std::string& path) {
  OutputFile out;
  if (auto o = out.open(path); !o) return o;
  wire::Bytes buf(1 << 20);
  for (std::uint64_t at = 0; at < length;) {
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), length - at));
    const wire::MutableByteSpan piece(buf.data(), n);
    if (auto s = dump.next(piece); !s) return s;
    if (auto w = out.write(piece); !w) return w;
    at += n;
  }
  return out.close();
}

Result<wire::Bytes> readHead(const std::string& path, std::uint64_t offset, std::size_t length) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  wire::Bytes b(length);
  in.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(length));
  b.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return b;
}

}  // namespace

Result<SplitResult> splitDump(const SplitOptions& o) {
  auto reader = ImageReader::open(o.dumpPath, /*allowSparse=*/false);
  if (!reader) return reader.error();
  const std::uint64_t size = (*reader)->length();
  SplitResult result;
  PartitionTable table;
  // The dump's own table first: a GPT at 0 (512- or 4096-byte sectors), a PMT 1 MiB before
  // the end of a whole user area.
  auto head = readHead(o.dumpPath, 0, 2 * 4096 + 128 * 128);
  if (!head) return head.error();
  if (auto sector = wire::gpt::detectSectorSize(*head)) {
    if (auto g = tableFromGpt(*head, *sector, 0)) {
      table = std::move(*g);
      result.tableSource = "GPT in the dump";
    }
  }
  if (table.kind.empty()) {
    if (auto at = wire::pmt::emmcTableOffset(size)) {
      auto region = readHead(o.dumpPath, *at, 2 * wire::pmt::kRegionSize);
      if (!region) return region.error();
      if (auto p = tableFromPmt(*region, 512, 0)) {
        table = std::move(*p);
        result.tableSource = "PMT in the dump";
      }
    }
  }
  if (table.kind.empty()) {
    if (o.scatterPath.empty()) {
      return makeError(-1, "NO_LAYOUT",
                       o.dumpPath +
                           " holds no readable GPT or PMT (is it the user area from "
                           "offset 0?)",
                       "give the layout with --scatter (the firmware's scatter file)");
    }
    auto fw = loadFirmware(o.scatterPath, {"", o.storage});
    if (!fw) return fw.error();
    table.kind = "scatter";
    for (const auto& p : fw->scatter.partitions) {
      const auto regions = sc::canonicalRegions(p.region);
      if (regions.empty() || (regions[0] != "EMMC_USER" && regions[0] != "UFS_LU2")) continue;
      table.partitions.push_back({p.name, 0, p.physicalStartAddress, p.partitionSize});
    }
    result.tableSource = "scatter file";
  }
  std::error_code ec;
  fs::create_directories(o.outputDir, ec);
  std::sort(table.partitions.begin(), table.partitions.end(),
            [](const PartitionInfo& a, const PartitionInfo& b) { return a.offset < b.offset; });
  // Partitions wholly inside the dump become files; the rest is said, not invented.
  PartitionTable inside;
  inside.kind = table.kind;
  for (const PartitionInfo& p : table.partitions) {
    if (p.offset + p.size > size) {
      if (o.log) {
        o.log(p.name + " (" + sc::humanSize(p.size) + " at " + std::to_string(p.offset) +
              ") runs past the end of the dump: not extracted");
      }
      continue;
    }
    inside.partitions.push_back(p);
  }
  std::uint64_t at = 0;
  auto extract = [&](const std::string& name, std::uint64_t offset,
                     std::uint64_t length) -> Status {
    // The reader goes forward only: skip to `offset` by reading.
    if (offset < at) {
      if (auto s = (*reader)->rewind(); !s) return s;
      at = 0;
    }
    wire::Bytes skip(1 << 20);
    while (at < offset) {
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(skip.size(), offset - at));
      if (auto s = (*reader)->next(wire::MutableByteSpan(skip.data(), n)); !s) return s;
      at += n;
    }
    const std::string path = (fs::path(o.outputDir) / name).string();
    if (o.log) o.log("  " + name + " (" + sc::humanSize(length) + ")");
    if (auto s = copyRange(**reader, length, path); !s) return s;
    at += length;
    result.files.push_back(path);
    return {};
  };
  const bool gpt = inside.kind == "GPT" && !inside.partitions.empty();
  if (gpt && inside.partitions.front().offset > 0) {
    if (auto s = extract("pgpt.bin", 0, inside.partitions.front().offset); !s) return s.error();
  }
  for (const PartitionInfo& p : inside.partitions) {
    if (auto s = extract(p.name + ".img", p.offset, p.size); !s) return s.error();
  }
  const std::uint64_t end = inside.partitions.empty()
                                ? 0
                                : inside.partitions.back().offset + inside.partitions.back().size;
  if (gpt && end < size) {
    if (auto s = extract("sgpt.bin", end, size - end); !s) return s.error();
  }
  ScatterFromTableOptions so;
  so.platform = o.platform;
  so.withFiles = true;
  so.withPreloader = false;  // a user-area dump holds no preloader
  const StorageType st = lowerCase(o.storage) == "ufs" ? StorageType::Ufs : StorageType::Emmc;
  sc::Scatter s = scatterFromTable(inside, st, size, so);
  result.scatterPath = (fs::path(o.outputDir) / scatterFileName(o.platform)).string();
  if (auto w = saveScatter(s, result.scatterPath); !w) return w.error();
  return result;
}

}  // namespace mtk::flasher
