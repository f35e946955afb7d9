// mtk-make-test-da: builds TEST Download Agent containers in the MTK_AllInOne_DA.bin layout from
// our own payload bytes, for mtkemu's virtual phones, tests, scenarios and the demo (MediaTek's
// DA binaries cannot ship with the project). `--info` lists the entries of any DA file,
// MediaTek's included, through the same parser the flasher uses.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "mtk/wire/chips.hpp"
#include "mtk/wire/da_container.hpp"
#include "mtk/wire/preloader_image.hpp"
#include "mtk/wire/sha256.hpp"

namespace {

namespace da = mtk::wire::da;
using mtk::wire::Bytes;
using mtk::wire::ByteSpan;
using mtk::wire::ChipInfo;
using mtk::wire::Sha256;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// Body sizes of mtkclient-expectations §5.4's container (0x20100 / 0x30100 with a 0x100 sig).
constexpr std::size_t kDa1BodySize = 0x20000;
constexpr std::size_t kDa2BodySize = 0x30000;
constexpr std::uint32_t kMaxSigLen = 0x10000;
// Chips whose addresses come "from the V6 file" (chips.hpp has 0): the common V5 addresses.
constexpr std::uint32_t kDefaultDa1Address = 0x00200000;
constexpr std::uint32_t kDefaultDa2Address = 0x40000000;

std::string hex(std::uint64_t v, int width = 0) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%0*llx", width, static_cast<unsigned long long>(v));
  return buf;
}

int fail(const std::string& what) {
  std::cerr << "mtk-make-test-da: " << what << "\n";
  return kExitFailed;
}

// --- file access: the parser needs only the first bytes; regions are read where they lie ---

bool readRange(const std::string& path, std::uint64_t offset, std::size_t size, Bytes& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.resize(size);
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(size));
  return static_cast<std::size_t>(in.gcount()) == size;
}

bool writeFile(const std::string& path, ByteSpan data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(out.flush());
}

// --- building ---

struct ChipChoice {
  const ChipInfo* chip;
  bool defaultAddresses;  // chips.hpp has no DA addresses for it
};

// The chips asked for, one per DA chip code: a second chip sharing a code (MT6735 and MT6753)
// would add an entry no host ever selects, since the first match wins.
bool resolveChips(const std::vector<std::string>& names, std::vector<ChipChoice>& out) {
  for (const auto& name : names) {
    const ChipInfo* c = mtk::wire::chipByName(name);
    if (!c) {
      std::cerr << "mtk-make-test-da: unknown chip '" << name << "'; known chips:";
      for (const auto& k : mtk::wire::chipTable()) std::cerr << " " << k.name;
      std::cerr << "\n";
      return false;
    }
    bool dup = false;
    for (const auto& o : out) dup = dup || o.chip->daCode == c->daCode;
    if (dup) {
      std::cerr << "mtk-make-test-da: " << name << " shares DA chip code " << hex(c->daCode, 4)
                << " with an earlier --chip; one entry serves both\n";
      continue;
    }
    out.push_back({c, c->da1Address == 0 || c->da2Address == 0});
  }
  return true;
}

da::DaBuildEntry entryFor(const ChipChoice& choice, std::uint32_t sigLen) {
  const ChipInfo& c = *choice.chip;
  const std::string tag = std::string(" for ") + c.name + " - mtkflash TEST DA, not MediaTek's";
  da::DaBuildEntry e;
  e.chipCode = c.daCode;
  // Sub codes as in MediaTek's files (da_info.txt): 0x8A00 from the V5 era on, 0 before.
  e.hwSubCode = c.daMode == mtk::wire::DaMode::Legacy ? 0x0000 : 0x8a00;
  e.da1 = da::makeTestPayload("DA1" + tag, kDa1BodySize, c.daCode * 2u);
  e.da2 = da::makeTestPayload("DA2" + tag, kDa2BodySize, c.daCode * 2u + 1);
  e.da1Address = choice.defaultAddresses ? kDefaultDa1Address : c.da1Address;
  e.da2Address = choice.defaultAddresses ? kDefaultDa2Address : c.da2Address;
  e.sigLen = sigLen;
  return e;
}

void printRegionSummary(const char* role, ByteSpan file, const da::DaRegion& r) {
  const auto bytes = da::regionBytes(file, r);
  std::cout << "    " << role << ": " << hex(r.length) << " bytes (signature " << hex(r.sigLen)
            << ") at " << hex(r.loadAddress, 8) << "  sha256 "
            << (bytes ? Sha256::hex(Sha256::of(*bytes)) : "?") << "\n";
}

int build(const std::string& outPath, const std::vector<std::string>& chipNames,
          const std::string& sigLenText, bool v6) {
  std::uint32_t sigLen = 0;
  try {
    std::size_t used = 0;
    const unsigned long v = std::stoul(sigLenText, &used, 0);
    if (used != sigLenText.size() || v > kMaxSigLen) throw std::out_of_range("sig-len");
    sigLen = static_cast<std::uint32_t>(v);
  } catch (const std::exception&) {
    std::cerr << "mtk-make-test-da: --sig-len wants a number from 0 to " << kMaxSigLen << "\n";
    return kExitUsage;
  }
  std::vector<ChipChoice> chips;
  if (!resolveChips(chipNames.empty() ? std::vector<std::string>{"MT6765"} : chipNames, chips))
    return kExitUsage;

  da::DaBuildSpec spec;
  spec.id = v6 ? da::kTestDaIdV6 : da::kTestDaId;
  for (const auto& c : chips) spec.entries.push_back(entryFor(c, sigLen));
  const Bytes file = da::buildDaFile(spec);
  if (!writeFile(outPath, file)) return fail("cannot write " + outPath);

  std::cout << "mtk-make-test-da: wrote " << outPath << " (" << file.size()
            << " bytes): a TEST DA of our own bytes, for mtkemu's virtual phones only\n"
            << "  id: " << spec.id << (v6 ? "  (V6 marker: hosts will speak XML)" : "") << "\n"
            << "  entries: " << chips.size() << "\n";
  auto parsed = da::parseDaFile(file, file.size());
  if (!parsed) return fail(parsed.error().describe());  // a builder bug; say so loudly
  for (std::size_t i = 0; i < chips.size(); ++i) {
    const auto& e = parsed->entries[i];
    std::cout << "  [" << i << "] " << chips[i].chip->name << "  chip code " << hex(e.hwCode, 4)
              << "  hw " << hex(e.hwVersion, 4) << "  sw " << hex(e.swVersion, 4) << "\n";
    if (chips[i].defaultAddresses)
      std::cout << "    (no DA addresses for " << chips[i].chip->name
                << " in the chip table; using the common ones)\n";
    printRegionSummary("DA1", file, *e.da1());
    printRegionSummary("DA2", file, *e.da2());
    const auto body = da::regionBody(file, *e.da2());
    std::cout << "    DA2 body sha256 " << Sha256::hex(Sha256::of(*body)) << " (in DA1 at +"
              << hex(da::kDa2DigestOffsetInDa1) << ")\n";
  }
  return kExitOk;
}

// --- --test-preloader ---

// A TEST preloader image (wire::preloader::buildTestPreloader) for the first --chip: what a
// DA session started from BROM needs for its DRAM (EMI) settings, as a scatter's preloader_*.bin.
int buildPreloader(const std::string& path, const std::vector<std::string>& chipNames) {
  const std::string name = chipNames.empty() ? "MT6765" : chipNames.front();
  const ChipInfo* c = mtk::wire::chipByName(name);
  if (!c) {
    std::cerr << "mtk-make-test-da: unknown chip '" << name << "'\n";
    return kExitUsage;
  }
  mtk::wire::preloader::TestPreloaderSpec spec;
  spec.chipName = c->name;
  const Bytes image = mtk::wire::preloader::buildTestPreloader(spec);
  if (!writeFile(path, image)) return fail("cannot write " + path);
  std::cout << "mtk-make-test-da: wrote " << path << " (" << image.size()
            << " bytes): a TEST preloader for " << c->name
            << " carrying EMI settings, for mtkemu's virtual phones only\n";
  return kExitOk;
}

// --- --info ---

const char* regionRole(std::size_t i) {
  switch (i) {
    case da::kRegionEmi:
      return "header/EMI";
    case da::kRegionDa1:
      return "DA1";
    case da::kRegionDa2:
      return "DA2";
  }
  return "other";
}

void printEntry(std::size_t index, const da::DaEntry& e) {
  std::cout << "  [" << index << "] " << da::daChipName(e.hwCode) << "  chip code "
            << hex(e.hwCode, 4) << "  sub " << hex(e.hwSubCode, 4) << "  hw " << hex(e.hwVersion, 4)
            << "  sw " << hex(e.swVersion, 4) << "  page " << hex(e.pageSize) << "  regions "
            << e.entryRegionCount << " (index " << e.entryRegionIndex << ")\n";
  for (std::size_t i = 0; i < e.regions.size(); ++i) {
    const auto& r = e.regions[i];
    std::cout << "      region " << i << " " << regionRole(i) << ": file " << hex(r.fileOffset, 8)
              << "  length " << hex(r.length) << "  load " << hex(r.loadAddress, 8)
              << "  without sig " << hex(r.lengthWithoutSig) << "  sig " << hex(r.sigLen) << "\n";
  }
}

// Whether DA1 holds SHA-256 of the DA2 body (our test DAs always do; MediaTek's V5/V6 DAs may
// use another digest or place, which mtkclient also searches for).
void printDigestCheck(const std::string& path, const da::DaEntry& e) {
  if (!e.da1() || !e.da2()) return;
  Bytes da1, da2;
  if (!readRange(path, e.da1()->fileOffset, e.da1()->length, da1) ||
      !readRange(path, e.da2()->fileOffset, e.da2()->bodyLength(), da2))
    return;
  std::cout << "      DA1 carries SHA-256(DA2 body): "
            << (da::da1CarriesDigestOf(da1, da2) ? "yes" : "no") << "\n";
}

int info(const std::string& path) {
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return fail("cannot read " + path + ": " + ec.message());
  Bytes header;
  const auto headerSize =
      static_cast<std::size_t>(std::min<std::uint64_t>(size, da::kMaxHeaderSize));
  if (!readRange(path, 0, headerSize, header)) return fail("cannot read " + path);
  auto f = da::parseDaFile(header, size);
  if (!f) return fail(f.error().describe());
  std::cout << path << ": " << size << " bytes, id \"" << f->id << "\", version " << f->version
            << "\n"
            << "  protocol: "
            << (f->xmlDa ? "XML (V6 marker present)" : "legacy or XFlash V5 (no V6 marker)") << "\n"
            << "  entry layout: "
            << (f->legacyEntryLayout ? "0xD8 bytes (old files)" : "0xDC bytes") << "\n"
            << "  entries: " << f->entries.size() << "\n";
  for (std::size_t i = 0; i < f->entries.size(); ++i) {
    printEntry(i, f->entries[i]);
    printDigestCheck(path, f->entries[i]);
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "mtk-make-test-da: builds a TEST Download Agent file in MediaTek's MTK_AllInOne_DA.bin "
      "layout.\n\n"
      "The DA1/DA2 it holds are our own deterministic bytes, not MediaTek code: they run only "
      "on mtkemu's\nvirtual phones, which check the layout and that DA1 carries SHA-256 of DA2. "
      "A real phone needs\nMediaTek's DA from its firmware package (MTK_AllInOne_DA.bin, "
      "MTK_DA_V5.bin, MTK_DA_V6.bin).\n\n"
      "One entry per --chip (default MT6765), with DA1 0x20000 and DA2 0x30000 bytes plus "
      "--sig-len\nbytes of filler signature each, at the chip's DA addresses.\n\n"
      "--info FILE lists the entries of any DA file, MediaTek's included.\n"
      "--test-preloader FILE writes a TEST preloader image carrying EMI (DRAM) settings, which a\n"
      "DA session started from BROM needs (mtkflash --preloader FILE).\n\n"
      "Exit codes: 0 success, 1 failure, 2 bad usage.",
      "mtk-make-test-da"};
  std::string outPath, infoPath, preloaderPath, sigLen = "256";
  std::vector<std::string> chips;
  bool v6 = false;
  auto* out = app.add_option("-o,--output", outPath, "the DA file to write")->type_name("FILE");
  auto* inf =
      app.add_option("--info", infoPath, "parse a DA file and list its entries")->type_name("FILE");
  app.add_option("--chip", chips, "a chip to include, e.g. MT6765 (repeatable)")->type_name("CHIP");
  app.add_option("--sig-len", sigLen, "signature bytes after each region (default 256)")
      ->type_name("BYTES");
  app.add_flag("--v6", v6, "put the MTK_DA_v6 marker in the id, so hosts use the XML protocol");
  auto* pre = app.add_option("--test-preloader", preloaderPath,
                             "also write a TEST preloader image (with EMI settings) for the first "
                             "--chip, for BROM-mode DA sessions (mtkflash --preloader)")
                  ->type_name("FILE");
  out->excludes(inf);
  pre->excludes(inf);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (!infoPath.empty()) return info(infoPath);
  if (outPath.empty() && preloaderPath.empty()) {
    std::cerr << "mtk-make-test-da: give -o FILE to build, or --info FILE to inspect\n";
    return kExitUsage;
  }
  if (!preloaderPath.empty()) {
    if (const int rc = buildPreloader(preloaderPath, chips); rc != kExitOk) return rc;
  }
  return outPath.empty() ? kExitOk : build(outPath, chips, sigLen, v6);
}
