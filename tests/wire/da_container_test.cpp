// The DA container (MTK_AllInOne_DA.bin layout). Golden files are assembled by hand, field by
// field with explicit little-endian bytes, from shared/docs/mtk-protocols.md §3 and
// mtkclient-expectations.md §5.4; they never come from buildDaFile or mtk::wire::Writer, so a
// builder bug cannot hide behind a matching parser bug. The builder is then checked against the
// parser and against the same hand-written layout facts.

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "mtk/wire/da_container.hpp"
#include "mtk/wire/sha256.hpp"

#include "golden_bytes.hpp"

namespace {

namespace da = mtk::wire::da;
using Bytes = std::vector<std::uint8_t>;
using namespace mtk::test::golden;
using mtk::wire::ByteSpan;
using mtk::wire::Sha256;

// The 0x6C-byte file header (§3.1) with `count` entries.
void header(Bytes& b, const std::string& id, std::initializer_list<std::uint8_t> countLe) {
  text(b, "MTK_DOWNLOAD_AGENT", 32);  // 0x00
  text(b, id, 64);                    // 0x20
  put(b, {0x04, 0x00, 0x00, 0x00});   // 0x60 version 4
  put(b, {0x99, 0x88, 0x66, 0x22});   // 0x64 magic 0x22668899
  put(b, countLe);                    // 0x68 entry count
}

// A one-entry file in the 0xDC layout: MT6765 (chip code 0x6765), sub 0x8A00, hw 0xCA00,
// sw 0x0001, page 0x1000, three regions, then the region bytes. 0x1B0 bytes in all.
//   region 0 @0x148 len 0x10 (sig 0)    load 0x50000000
//   region 1 @0x158 len 0x30 (sig 0x10) load 0x00200000
//   region 2 @0x188 len 0x28 (sig 0x08) load 0x40000000
Bytes goldenOneEntry(const std::string& id = "MTK_AllInOne_DA_v3.golden") {
  Bytes b;
  header(b, id, {0x01, 0x00, 0x00, 0x00});
  EXPECT_EQ(b.size(), 0x6cu);
  put(b, {0xda, 0xda});  // +0x00 magic
  put(b, {0x65, 0x67});  // +0x02 hw_code 0x6765
  put(b, {0x00, 0x8a});  // +0x04 hw_sub_code 0x8A00
  put(b, {0x00, 0xca});  // +0x06 hw_version 0xCA00
  put(b, {0x01, 0x00});  // +0x08 sw_version 0x0001
  put(b, {0x00, 0x00});  // +0x0A reserved
  put(b, {0x00, 0x10});  // +0x0C page size 0x1000
  put(b, {0x00, 0x00});  // +0x0E reserved
  put(b, {0x00, 0x00});  // +0x10 entry_region_index 0
  put(b, {0x03, 0x00});  // +0x12 entry_region_count 3
  // +0x14 region table: offset, length incl. sig, load address, length without sig, sig len
  put(b, {0x48, 0x01, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x50,  //
          0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
  put(b, {0x58, 0x01, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00,  //
          0x20, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00});
  put(b, {0x88, 0x01, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40,  //
          0x20, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00});
  zeros(b, 7 * 20);  // unused region slots
  EXPECT_EQ(b.size(), 0x148u);
  fill(b, 0x10, 0xe0);  // region 0
  fill(b, 0x20, 0xd1);  // region 1 body
  fill(b, 0x10, 0x51);  // region 1 signature
  fill(b, 0x20, 0xd2);  // region 2 body
  fill(b, 0x08, 0x52);  // region 2 signature
  EXPECT_EQ(b.size(), 0x1b0u);
  return b;
}

// Offset of entry 0's region `slot` field `field` (0..4) in goldenOneEntry.
std::size_t regionField(std::size_t slot, std::size_t field) {
  return 0x6c + 0x14 + slot * 20 + field * 4;
}
void poke32(Bytes& b, std::size_t at, std::initializer_list<std::uint8_t> le) {
  std::size_t i = at;
  for (auto v : le) b[i++] = v;
}

mtk::Result<da::DaFile> parseAll(const Bytes& b) {
  return da::parseDaFile(b, b.size());
}

// ------------------------------------------------------------------------------------------
// Parsing hand-assembled files
// ------------------------------------------------------------------------------------------

TEST(DaParse, OneEntryGoldenFile) {
  const Bytes b = goldenOneEntry();
  auto f = parseAll(b);
  ASSERT_TRUE(f) << f.error().describe();
  EXPECT_EQ(f->id, "MTK_AllInOne_DA_v3.golden");
  EXPECT_EQ(f->version, 4u);
  EXPECT_FALSE(f->legacyEntryLayout);
  EXPECT_FALSE(f->xmlDa);
  ASSERT_EQ(f->entries.size(), 1u);
  const da::DaEntry& e = f->entries[0];
  EXPECT_EQ(e.magic, 0xdada);
  EXPECT_EQ(e.hwCode, 0x6765);
  EXPECT_EQ(e.hwSubCode, 0x8a00);
  EXPECT_EQ(e.hwVersion, 0xca00);
  EXPECT_EQ(e.swVersion, 0x0001);
  EXPECT_EQ(e.pageSize, 0x1000);
  EXPECT_EQ(e.entryRegionIndex, 0);
  EXPECT_EQ(e.entryRegionCount, 3);
  ASSERT_EQ(e.regions.size(), 3u);
  EXPECT_EQ(e.regions[0], (da::DaRegion{0x148, 0x10, 0x50000000, 0x10, 0}));
  EXPECT_EQ(e.regions[1], (da::DaRegion{0x158, 0x30, 0x00200000, 0x20, 0x10}));
  EXPECT_EQ(e.regions[2], (da::DaRegion{0x188, 0x28, 0x40000000, 0x20, 0x08}));
  ASSERT_NE(e.da1(), nullptr);
  EXPECT_EQ(e.da1()->loadAddress, 0x00200000u);
  EXPECT_EQ(e.da2()->loadAddress, 0x40000000u);
}

TEST(DaParse, RegionBytesAndBody) {
  const Bytes b = goldenOneEntry();
  auto f = parseAll(b);
  ASSERT_TRUE(f);
  auto da1 = da::regionBytes(b, *f->entries[0].da1());
  ASSERT_TRUE(da1);
  ASSERT_EQ(da1->size(), 0x30u);
  EXPECT_EQ((*da1)[0], 0xd1);
  EXPECT_EQ((*da1)[0x2f], 0x51);  // the signature is included
  auto body = da::regionBody(b, *f->entries[0].da2());
  ASSERT_TRUE(body);
  ASSERT_EQ(body->size(), 0x20u);
  EXPECT_EQ(body->front(), 0xd2);
  EXPECT_EQ(body->back(), 0xd2);  // no signature byte (0x52)
}

TEST(DaParse, RegionBytesRefusesRegionsOutsideTheBuffer) {
  const Bytes b = goldenOneEntry();
  auto e = da::regionBytes(ByteSpan(b).first(0x1a0), da::DaRegion{0x188, 0x28, 0, 0x20, 8});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().name, "S_INVALID_DA_FILE");
  EXPECT_FALSE(da::regionBytes(b, da::DaRegion{0xfffffff0, 0x20, 0, 0, 0}));
  EXPECT_FALSE(da::regionBody(b, da::DaRegion{0x148, 0x10, 0, 0, 0x11}));
}

TEST(DaParse, HeaderOnlyIsEnoughWhenTheFileSizeIsGiven) {
  const Bytes b = goldenOneEntry();
  // Only the header and the entry table (0x148 bytes) are read; the regions are in the file.
  auto f = da::parseDaFile(ByteSpan(b).first(0x148), b.size());
  ASSERT_TRUE(f) << f.error().describe();
  EXPECT_EQ(f->entries[0].regions[2].fileOffset, 0x188u);
}

TEST(DaParse, OldD8EntryLayoutIsDetected) {
  // Two 0xD8-byte entries (no sw_version / reserved): the second begins DA DA at 0x6C + 0xD8.
  Bytes b;
  header(b, "MTK_AllInOne_DA_v3.old", {0x02, 0x00, 0x00, 0x00});
  for (auto code : {std::initializer_list<std::uint8_t>{0x80, 0x65},
                    std::initializer_list<std::uint8_t>{0x35, 0x67}}) {
    put(b, {0xda, 0xda});  // +0x00 magic
    put(b, code);          // +0x02 hw_code 0x6580 / 0x6735
    put(b, {0x00, 0x00});  // +0x04 hw_sub_code
    put(b, {0x00, 0xca});  // +0x06 hw_version 0xCA00
    put(b, {0x00, 0x02});  // +0x08 page size 0x200
    put(b, {0x00, 0x00});  // +0x0A reserved
    put(b, {0x01, 0x00});  // +0x0C entry_region_index 1
    put(b, {0x01, 0x00});  // +0x0E entry_region_count 1
    // +0x10 one region: 0x10 bytes at 0x21C, load 0x00200000, no signature
    put(b, {0x1c, 0x02, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00,  //
            0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
    zeros(b, 9 * 20);
  }
  ASSERT_EQ(b.size(), 0x6cu + 2 * 0xd8);
  ASSERT_EQ(b[0x6c + 0xd8], 0xda);
  ASSERT_EQ(b[0x6c + 0xd9], 0xda);
  fill(b, 0x10, 0xaa);
  auto f = parseAll(b);
  ASSERT_TRUE(f) << f.error().describe();
  EXPECT_TRUE(f->legacyEntryLayout);
  ASSERT_EQ(f->entries.size(), 2u);
  EXPECT_EQ(f->entries[0].hwCode, 0x6580);
  EXPECT_EQ(f->entries[1].hwCode, 0x6735);
  for (const auto& e : f->entries) {
    EXPECT_EQ(e.hwVersion, 0xca00);
    EXPECT_EQ(e.swVersion, 0);
    EXPECT_EQ(e.pageSize, 0x200);
    EXPECT_EQ(e.entryRegionIndex, 1);
    ASSERT_EQ(e.regions.size(), 1u);
    EXPECT_EQ(e.regions[0], (da::DaRegion{0x21c, 0x10, 0x00200000, 0x10, 0}));
  }
}

TEST(DaParse, V6MarkerIsDetected) {
  auto v6 = parseAll(goldenOneEntry("MTK_DA_v6.golden"));
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->xmlDa);
  // mtkclient looks anywhere in 0x00..0x67, not only at the start of the id.
  auto later = parseAll(goldenOneEntry("MTK_AllInOne_DA_for_MTK_DA_v6"));
  ASSERT_TRUE(later);
  EXPECT_TRUE(later->xmlDa);
  auto v5 = parseAll(goldenOneEntry("MTK_DA_v5.golden"));
  ASSERT_TRUE(v5);
  EXPECT_FALSE(v5->xmlDa);
}

// ------------------------------------------------------------------------------------------
// Hostile and truncated files
// ------------------------------------------------------------------------------------------

void expectInvalid(const Bytes& b, std::uint64_t fileSize, const std::string& fragment) {
  auto f = da::parseDaFile(b, fileSize);
  ASSERT_FALSE(f) << "expected a failure mentioning '" << fragment << "'";
  EXPECT_EQ(f.error().name, "S_INVALID_DA_FILE");
  EXPECT_EQ(f.error().code, 5002);
  EXPECT_NE(f.error().message.find(fragment), std::string::npos) << f.error().message;
  EXPECT_FALSE(f.error().hint.empty());
}

TEST(DaHostile, HugeEntryCount) {
  Bytes b = goldenOneEntry();
  poke32(b, 0x68, {0xff, 0xff, 0xff, 0xff});
  expectInvalid(b, b.size(), "4294967295 entries");
}

TEST(DaHostile, EntryCountThatDoesNotFitTheFile) {
  Bytes b = goldenOneEntry();
  poke32(b, 0x68, {0x02, 0x00, 0x00, 0x00});  // 0x6C + 2*0xDC = 0x224 > 0x1B0
  expectInvalid(b, b.size(), "entry table for 2 entries ends at byte 548, beyond the end");
}

TEST(DaHostile, EntryTableLongerThanTheBytesRead) {
  const Bytes b = goldenOneEntry();
  auto f = da::parseDaFile(ByteSpan(b).first(0x100), b.size());
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().message.find("needs the first 328 bytes"), std::string::npos)
      << f.error().message;
}

TEST(DaHostile, ZeroEntries) {
  Bytes b = goldenOneEntry();
  poke32(b, 0x68, {0x00, 0x00, 0x00, 0x00});
  expectInvalid(b, b.size(), "empty");
}

TEST(DaHostile, RegionBeyondTheFileSize) {
  const Bytes b = goldenOneEntry();
  expectInvalid(b, 0x1af, "entry 0 region 2");  // region 2 ends at 0x1B0
}

TEST(DaHostile, RegionOffsetPlusLengthWrapsAround) {
  Bytes b = goldenOneEntry();
  poke32(b, regionField(1, 0), {0xf0, 0xff, 0xff, 0xff});  // offset 0xFFFFFFF0, length 0x30
  expectInvalid(b, b.size(), "entry 0 region 1");
}

TEST(DaHostile, ElevenRegions) {
  Bytes b = goldenOneEntry();
  b[0x6c + 0x12] = 11;
  expectInvalid(b, b.size(), "11 regions");
}

TEST(DaHostile, SignatureLongerThanTheRegion) {
  Bytes b = goldenOneEntry();
  poke32(b, regionField(2, 4), {0x29, 0x00, 0x00, 0x00});  // sig 0x29 > length 0x28
  expectInvalid(b, b.size(), "signature");
}

TEST(DaHostile, WrongMagics) {
  Bytes notDa = goldenOneEntry();
  notDa[0] = 'X';
  expectInvalid(notDa, notDa.size(), "MTK_DOWNLOAD_AGENT");
  Bytes badHeaderMagic = goldenOneEntry();
  badHeaderMagic[0x64] = 0x98;
  expectInvalid(badHeaderMagic, badHeaderMagic.size(), "0x22668898");
  Bytes badEntryMagic = goldenOneEntry();
  badEntryMagic[0x6c] = 0xdb;
  expectInvalid(badEntryMagic, badEntryMagic.size(), "0xdadb");
}

TEST(DaHostile, EveryTruncationFailsCleanly) {
  const Bytes b = goldenOneEntry();
  for (std::size_t n = 0; n < b.size(); ++n) {
    Bytes cut(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n));
    auto f = da::parseDaFile(cut, cut.size());
    EXPECT_FALSE(f) << "a " << n << "-byte prefix parsed";
  }
}

TEST(DaHostile, RandomCorruptionNeverReadsOutOfBounds) {
  // Deterministic byte flips over the header and entry table; the sanitizer build checks
  // memory, this checks that whatever parses keeps every region inside the file.
  const Bytes golden = goldenOneEntry();
  std::uint32_t x = 12345;
  for (int round = 0; round < 2000; ++round) {
    Bytes b = golden;
    for (int k = 0; k < 4; ++k) {
      x = x * 1664525u + 1013904223u;
      b[(x >> 8) % 0x148] = static_cast<std::uint8_t>(x >> 24);
    }
    auto f = parseAll(b);
    if (!f) continue;
    for (const auto& e : f->entries) {
      for (const auto& r : e.regions) EXPECT_TRUE(da::regionBytes(b, r));
    }
  }
}

// ------------------------------------------------------------------------------------------
// Selection (§3.3, mtkclient's rule)
// ------------------------------------------------------------------------------------------

da::DaEntry entry(std::uint16_t code, std::uint16_t hw, std::uint16_t sw,
                  std::uint16_t sub = 0x8a00) {
  da::DaEntry e;
  e.hwCode = code;
  e.hwSubCode = sub;
  e.hwVersion = hw;
  e.swVersion = sw;
  return e;
}

TEST(DaSelect, HwVersionMustNotExceedTheDevice) {
  da::DaFile f;
  f.entries = {entry(0x6765, 0xca00, 0)};
  EXPECT_TRUE(da::selectEntry(f, 0x6765, 0xca00, 0, "MT6765"));
  EXPECT_TRUE(da::selectEntry(f, 0x6765, 0xcb00, 0, "MT6765"));
  EXPECT_FALSE(da::selectEntry(f, 0x6765, 0xc900, 0, "MT6765"));
}

TEST(DaSelect, SwVersionMustNotExceedTheDevice) {
  da::DaFile f;
  f.entries = {entry(0x6799, 0xcb00, 0x0002)};
  EXPECT_TRUE(da::selectEntry(f, 0x6799, 0xcb00, 0x0002, "MT6799"));
  EXPECT_TRUE(da::selectEntry(f, 0x6799, 0xcb00, 0x0003, "MT6799"));
  EXPECT_FALSE(da::selectEntry(f, 0x6799, 0xcb00, 0x0001, "MT6799"));
}

TEST(DaSelect, ZeroDeviceVersionsAcceptAnyEntry) {
  da::DaFile f;
  f.entries = {entry(0x6799, 0xcb00, 0x0001)};
  EXPECT_TRUE(da::selectEntry(f, 0x6799, 0, 0, "MT6799"));
  EXPECT_TRUE(da::selectEntry(f, 0x6799, 0, 0x0001, "MT6799"));
  EXPECT_TRUE(da::selectEntry(f, 0x6799, 0xcb00, 0, "MT6799"));
}

TEST(DaSelect, FirstFittingEntryWinsAndSubCodeIsNotCompared) {
  da::DaFile f;
  f.entries = {entry(0x6580, 0xca00, 0), entry(0x6765, 0xcb00, 1), entry(0x6765, 0xca00, 0, 0),
               entry(0x6765, 0xca00, 0)};
  auto a = da::selectEntry(f, 0x6765, 0xca00, 0, "MT6765");
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, &f.entries[2]);  // sub code 0x0000 vs the phone's 0x8A00: still chosen
  // mtkclient does not look for the closest version: file order decides.
  auto b = da::selectEntry(f, 0x6765, 0xcb00, 1, "MT6765");
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, &f.entries[1]);
  auto c = da::selectEntry(f, 0x6765, 0xcc00, 5, "MT6765");
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, &f.entries[1]);
}

TEST(DaSelect, NoLoaderMessageListsWhatTheFileHolds) {
  da::DaFile f;
  f.entries = {entry(0x6580, 0xca00, 0), entry(0x6735, 0xca00, 0), entry(0x6580, 0xcb00, 0)};
  auto r = da::selectEntry(f, 0x6765, 0xca00, 0, "MT6765");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "this DA file has no loader for MT6765 (hw code 0x766); it has loaders for MT6580, "
            "MT6735");
  EXPECT_EQ(r.error().name, "STATUS_DA_SELECTION_ERR");
  EXPECT_EQ(static_cast<std::uint32_t>(r.error().code), 0xc0030003u);
  EXPECT_NE(r.error().hint.find("mtk-make-test-da --chip MT6765"), std::string::npos);
}

TEST(DaSelect, NoLoaderMessageNamesUnknownCodesInHex) {
  da::DaFile f;
  f.entries = {entry(0x8127, 0xca00, 0), entry(0x6765, 0xca00, 0)};
  auto r = da::selectEntry(f, 0x6735, 0, 0, "MT6753");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "this DA file has no loader for MT6753 (hw code 0x337); it has loaders for 0x8127, "
            "MT6765");
}

TEST(DaSelect, ChipPresentButForOtherSilicon) {
  da::DaFile f;
  f.entries = {entry(0x6765, 0xcb00, 0x0001)};
  auto r = da::selectEntry(f, 0x6765, 0xca00, 0x0001, "MT6765");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "this DA file has no loader for MT6765 (hw code 0x766) hw/sw version 0xca00/0x0001; "
            "its MT6765 loaders are for hw/sw versions 0xcb00/0x0001");
}

// ------------------------------------------------------------------------------------------
// Test payloads and the builder
// ------------------------------------------------------------------------------------------

TEST(DaBuild, TestPayloadStartsWithItsLabelAndIsDeterministic) {
  const Bytes a = da::makeTestPayload("mtkflash DA1", 0x100, 7);
  ASSERT_EQ(a.size(), 0x100u);
  EXPECT_EQ(std::string(a.begin(), a.begin() + 12), "mtkflash DA1");
  EXPECT_EQ(a, da::makeTestPayload("mtkflash DA1", 0x100, 7));
  EXPECT_NE(a, da::makeTestPayload("mtkflash DA1", 0x100, 8));
  EXPECT_EQ(da::makeTestPayload("mtkflash DA1", 4, 7), (Bytes{'m', 't', 'k', 'f'}));
  EXPECT_TRUE(da::makeTestPayload("x", 0, 1).empty());
}

// §5.4's container: MT6765, DA1 0x20100 bytes @0x200000 and DA2 0x30100 bytes @0x40000000,
// signatures of 0x100, DA1 carrying SHA-256(DA2 body) at +0x1000.
da::DaBuildSpec mtkclientExample() {
  da::DaBuildSpec s;
  da::DaBuildEntry e;
  e.chipCode = 0x6765;
  e.da1 = da::makeTestPayload("mtkflash test DA1", 0x20000, 1);
  e.da2 = da::makeTestPayload("mtkflash test DA2", 0x30000, 2);
  e.da1Address = 0x00200000;
  e.da2Address = 0x40000000;
  e.sigLen = 0x100;
  s.entries.push_back(e);
  return s;
}

TEST(DaBuild, HeaderAndEntryBytesMatchTheDocumentedLayout) {
  const Bytes b = da::buildDaFile(mtkclientExample());
  ASSERT_GE(b.size(), 0x6cu + 0xdcu);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 18), "MTK_DOWNLOAD_AGENT");
  EXPECT_EQ(b[18], 0);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&b[0x20])), da::kTestDaId);
  EXPECT_EQ(Bytes(b.begin() + 0x60, b.begin() + 0x6c),
            (Bytes{0x04, 0x00, 0x00, 0x00, 0x99, 0x88, 0x66, 0x22, 0x01, 0x00, 0x00, 0x00}));
  // Entry: magic, hw_code 0x6765, sub 0x8A00, hw 0xCA00, sw 0, rsv, page 0x1000, rsv, index 0,
  // count 3; then region 0 at 0x148 (right after the table) with its 0x50000000 address.
  EXPECT_EQ(
      Bytes(b.begin() + 0x6c, b.begin() + 0x6c + 0x1c),
      (Bytes{0xda, 0xda, 0x65, 0x67, 0x00, 0x8a, 0x00, 0xca, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
             0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x48, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00}));
  EXPECT_EQ(Bytes(b.begin() + 0x6c + 0x1c, b.begin() + 0x6c + 0x20),
            (Bytes{0x00, 0x00, 0x00, 0x50}));
  // Region 1 (DA1): offset 0x348, 0x20100 bytes, at 0x00200000, 0x20000 without sig, sig 0x100.
  EXPECT_EQ(Bytes(b.begin() + 0x6c + 0x28, b.begin() + 0x6c + 0x3c),
            (Bytes{0x48, 0x03, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00,
                   0x20, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x00, 0x00}));
  // Unused region slots 3..9 are zero.
  for (std::size_t i = 0x6c + 0x14 + 3 * 20; i < 0x6c + 0xdc; ++i) EXPECT_EQ(b[i], 0) << i;
  EXPECT_EQ(b.size(), 0x148u + 0x200 + 0x20100 + 0x30100);
}

TEST(DaBuild, RoundTripOfTheMtkclientExample) {
  const da::DaBuildSpec spec = mtkclientExample();
  const Bytes b = da::buildDaFile(spec);
  auto f = parseAll(b);
  ASSERT_TRUE(f) << f.error().describe();
  EXPECT_EQ(f->id, da::kTestDaId);
  EXPECT_FALSE(f->xmlDa);
  EXPECT_FALSE(f->legacyEntryLayout);
  ASSERT_EQ(f->entries.size(), 1u);
  auto sel = da::selectEntry(*f, 0x6765, 0xca00, 0x0000, "MT6765");
  ASSERT_TRUE(sel) << sel.error().describe();
  const da::DaEntry& e = **sel;
  EXPECT_EQ(e.hwSubCode, 0x8a00);
  ASSERT_EQ(e.regions.size(), 3u);
  EXPECT_EQ(e.regions[0].loadAddress, 0x50000000u);
  EXPECT_EQ(*e.da1(), (da::DaRegion{0x348, 0x20100, 0x00200000, 0x20000, 0x100}));
  EXPECT_EQ(*e.da2(), (da::DaRegion{0x20448, 0x30100, 0x40000000, 0x30000, 0x100}));

  auto da1 = da::regionBytes(b, *e.da1());
  auto da2Body = da::regionBody(b, *e.da2());
  ASSERT_TRUE(da1);
  ASSERT_TRUE(da2Body);
  EXPECT_TRUE(std::equal(da2Body->begin(), da2Body->end(), spec.entries[0].da2.begin()));
  // SHA-256(DA2 body) sits at DA1 + 0x1000; the rest of DA1 is the payload as given.
  const auto digest = Sha256::of(*da2Body);
  EXPECT_TRUE(std::equal(digest.begin(), digest.end(), da1->begin() + 0x1000));
  EXPECT_TRUE(std::equal(da1->begin(), da1->begin() + 0x1000, spec.entries[0].da1.begin()));
  EXPECT_TRUE(da::da1CarriesDigestOf(*da1, *da2Body));

  // A DA2 with one byte changed, or sent with its signature, is not what DA1 vouches for.
  Bytes corrupted(da2Body->begin(), da2Body->end());
  corrupted[0x1234] ^= 0x01;
  EXPECT_FALSE(da::da1CarriesDigestOf(*da1, corrupted));
  EXPECT_FALSE(da::da1CarriesDigestOf(*da1, *da::regionBytes(b, *e.da2())));
}

TEST(DaBuild, SeveralEntriesRoundTrip) {
  da::DaBuildSpec spec;
  spec.id = da::kTestDaIdV6;
  const std::uint16_t codes[] = {0x6580, 0x6735, 0x6765};
  for (std::uint16_t code : codes) {
    da::DaBuildEntry e;
    e.chipCode = code;
    e.hwSubCode = 0;
    e.swVersion = static_cast<std::uint16_t>(code & 0xf);
    e.da1 = da::makeTestPayload("DA1", 0x2000, code);
    e.da2 = da::makeTestPayload("DA2", 0x3000, code);
    e.da1Address = 0x00200000;
    e.da2Address = code == 0x6580 ? 0x80000000 : 0x40000000;
    e.sigLen = 0x20;
    spec.entries.push_back(e);
  }
  const Bytes b = da::buildDaFile(spec);
  auto f = parseAll(b);
  ASSERT_TRUE(f) << f.error().describe();
  EXPECT_TRUE(f->xmlDa);
  ASSERT_EQ(f->entries.size(), 3u);
  std::uint64_t expectedOffset = 0x6c + 3 * 0xdc;
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& e = f->entries[i];
    EXPECT_EQ(e.hwCode, codes[i]);
    EXPECT_EQ(e.hwSubCode, 0);
    EXPECT_EQ(e.hwVersion, 0xca00);
    EXPECT_EQ(e.swVersion, codes[i] & 0xf);
    EXPECT_EQ(e.da2()->loadAddress, spec.entries[i].da2Address);
    for (const auto& r : e.regions) {
      EXPECT_EQ(r.fileOffset, expectedOffset);  // regions are packed in entry order
      EXPECT_EQ(r.sigLen, 0x20u);
      EXPECT_EQ(r.lengthWithoutSig + r.sigLen, r.length);
      expectedOffset += r.length;
    }
    EXPECT_TRUE(
        da::da1CarriesDigestOf(*da::regionBytes(b, *e.da1()), *da::regionBody(b, *e.da2())));
  }
  EXPECT_EQ(expectedOffset, b.size());
  // Each DA1 vouches for its own DA2 only.
  EXPECT_FALSE(da::da1CarriesDigestOf(*da::regionBytes(b, *f->entries[0].da1()),
                                      *da::regionBody(b, *f->entries[1].da2())));
}

TEST(DaBuild, ShortDa1IsExtendedToHoldTheDigest) {
  da::DaBuildSpec spec;
  da::DaBuildEntry e;
  e.chipCode = 0x6765;
  e.da1 = da::makeTestPayload("DA1", 0x10, 1);
  e.da2 = da::makeTestPayload("DA2", 0x10, 2);
  e.sigLen = 0;
  spec.entries.push_back(e);
  const Bytes b = da::buildDaFile(spec);
  auto f = parseAll(b);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->entries[0].da1()->length, 0x1020u);
  EXPECT_TRUE(da::da1CarriesDigestOf(*da::regionBytes(b, *f->entries[0].da1()), e.da2));
}

TEST(DaBuild, DigestCanBeLeftOut) {
  da::DaBuildSpec spec = mtkclientExample();
  spec.entries[0].embedDa2Digest = false;
  const Bytes b = da::buildDaFile(spec);
  auto f = parseAll(b);
  ASSERT_TRUE(f);
  const auto& e = f->entries[0];
  EXPECT_FALSE(da::da1CarriesDigestOf(*da::regionBytes(b, *e.da1()), *da::regionBody(b, *e.da2())));
}

TEST(DaBuild, IsDeterministic) {
  EXPECT_EQ(da::buildDaFile(mtkclientExample()), da::buildDaFile(mtkclientExample()));
}

}  // namespace
