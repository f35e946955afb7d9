// mtk::wire::pmt: 4 KiB table regions assembled by hand from mtk-protocols.md §7.1 (signature,
// version string, pt_resident records, signature again in the last 4 bytes), then the hostile
// cases a parser must refuse without reading past the region.

#include "mtk/wire/pmt.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using mtk::wire::Bytes;
using mtk::wire::ByteSpan;
namespace pmt = mtk::wire::pmt;

void put64(Bytes& b, std::size_t at, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void putName(Bytes& b, std::size_t at, const std::string& name) {
  std::copy(name.begin(), name.end(), b.begin() + at);
}

const std::uint8_t kPtSig[4] = {0x31, 0x76, 0x54, 0x50};   // "1vTP" = 0x50547631 LE
const std::uint8_t kMptSig[4] = {0x31, 0x54, 0x50, 0x4D};  // "1TPM" = 0x4D505431 LE

Bytes handRegion(const std::uint8_t (&sig)[4], const char version[4]) {
  Bytes r(0x1000, 0);
  std::copy_n(sig, 4, r.begin());
  std::copy_n(version, 4, r.begin() + 4);
  std::copy_n(sig, 4, r.begin() + 0xFFC);
  return r;
}

// v1.1: name[64] @0, size @0x40, part_id @0x48, offset @0x50, mask_flags @0x58; 0x60 a record.
Bytes handV11(const std::uint8_t (&sig)[4] = kPtSig) {
  Bytes r = handRegion(sig, "1.1");
  std::size_t rec = 8;
  putName(r, rec, "PRELOADER");
  put64(r, rec + 0x40, 0x40000);  // size
  put64(r, rec + 0x48, 1);        // part_id: BOOT1
  put64(r, rec + 0x50, 0);        // offset
  put64(r, rec + 0x58, 0);        // mask_flags
  rec += 0x60;
  putName(r, rec, "ANDROID");
  put64(r, rec + 0x40, 0x20000000);
  put64(r, rec + 0x48, 8);  // USER
  put64(r, rec + 0x50, 0x1A00000);
  put64(r, rec + 0x58, 0x10);
  return r;
}

pmt::Table v11Table(std::uint32_t sig = pmt::kSigPtV1) {
  pmt::Table t;
  t.signature = sig;
  t.variant = pmt::Variant::kV11;
  t.entries = {{"PRELOADER", 0x40000, 1, 0, 0}, {"ANDROID", 0x20000000, 8, 0x1A00000, 0x10}};
  return t;
}

void expectSameEntries(const pmt::Table& got, const pmt::Table& want) {
  ASSERT_EQ(got.entries.size(), want.entries.size());
  for (std::size_t i = 0; i < want.entries.size(); ++i) {
    EXPECT_EQ(got.entries[i].name, want.entries[i].name) << i;
    EXPECT_EQ(got.entries[i].size, want.entries[i].size) << i;
    EXPECT_EQ(got.entries[i].partId, want.entries[i].partId) << i;
    EXPECT_EQ(got.entries[i].offset, want.entries[i].offset) << i;
    EXPECT_EQ(got.entries[i].maskFlags, want.entries[i].maskFlags) << i;
  }
}

std::string parseErrorName(const Bytes& region) {
  auto t = pmt::parse(region);
  return t.ok() ? std::string("OK") : t.error().name;
}

// ------------------------------------------------------------------------------------------
// Layout constants
// ------------------------------------------------------------------------------------------

TEST(PmtLayout, SignaturesAreLittleEndianAscii) {
  EXPECT_EQ(mtk::wire::loadLe32(kPtSig), pmt::kSigPtV1);
  EXPECT_EQ(mtk::wire::loadLe32(kMptSig), pmt::kSigMptV1);
  EXPECT_EQ(pmt::kSigPtV2, 0x50547632u);
  EXPECT_EQ(pmt::kSigMptV2, 0x4D505432u);
}

TEST(PmtLayout, RecordSizesAndCapacity) {
  EXPECT_EQ(pmt::recordSize(pmt::Variant::kV11), 0x60u);
  EXPECT_EQ(pmt::recordSize(pmt::Variant::kV10), 0x58u);
  EXPECT_EQ(pmt::capacity(pmt::Variant::kV11), 42u);  // (4096 - 12) / 96
  EXPECT_EQ(pmt::capacity(pmt::Variant::kV10), 46u);  // (4096 - 12) / 88
  EXPECT_GE(pmt::capacity(pmt::Variant::kV11), pmt::kMaxBuildEntries);
}

TEST(PmtLayout, EmmcLocationIsOneMebibyteBeforeUserAreaEnd) {
  auto off = pmt::emmcTableOffset(0x3A3E00000ull);
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(*off, 0x3A3D00000ull);
  EXPECT_EQ(pmt::kMirrorOffset, 0x1000u);
  EXPECT_FALSE(pmt::emmcTableOffset(0xFFFFF).ok());
}

// ------------------------------------------------------------------------------------------
// Goldens
// ------------------------------------------------------------------------------------------

TEST(PmtGolden, BuildV11MatchesHandAssembledRegion) {
  auto b = pmt::build(v11Table());
  ASSERT_TRUE(b.ok()) << b.error().describe();
  EXPECT_EQ(*b, handV11());
}

TEST(PmtGolden, ParseV11HandAssembledRegion) {
  auto t = pmt::parse(handV11());
  ASSERT_TRUE(t.ok()) << t.error().describe();
  EXPECT_EQ(t->signature, pmt::kSigPtV1);
  EXPECT_EQ(t->variant, pmt::Variant::kV11);
  EXPECT_FALSE(t->isMirror());
  expectSameEntries(*t, v11Table());
}

TEST(PmtGolden, V10HasNoPartId) {
  // v1.0: name[64] @0, size @0x40, offset @0x48, mask_flags @0x50; 0x58 a record.
  Bytes r = handRegion(kPtSig, "1.0");
  putName(r, 8, "PRELOADER");
  put64(r, 8 + 0x40, 0x40000);
  putName(r, 8 + 0x58, "ANDROID");
  put64(r, 8 + 0x58 + 0x40, 0x20000000);
  put64(r, 8 + 0x58 + 0x48, 0x1A00000);
  put64(r, 8 + 0x58 + 0x50, 0x10);

  pmt::Table want;
  want.variant = pmt::Variant::kV10;
  want.entries = {{"PRELOADER", 0x40000, 0, 0, 0}, {"ANDROID", 0x20000000, 0, 0x1A00000, 0x10}};
  auto t = pmt::parse(r);
  ASSERT_TRUE(t.ok()) << t.error().describe();
  EXPECT_EQ(t->variant, pmt::Variant::kV10);
  expectSameEntries(*t, want);
  auto b = pmt::build(want);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, r);
}

TEST(PmtGolden, MirrorSignature) {
  auto b = pmt::build(v11Table(pmt::kSigMptV1));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, handV11(kMptSig));
  auto t = pmt::parse(*b);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->isMirror());
}

TEST(PmtGolden, LaterGenerationsAccepted) {
  for (std::uint32_t sig : {pmt::kSigPtV2, pmt::kSigMptV2, pmt::kSigPtV3, pmt::kSigMptV3}) {
    auto b = pmt::build(v11Table(sig));
    ASSERT_TRUE(b.ok());
    auto t = pmt::parse(*b);
    ASSERT_TRUE(t.ok()) << sig;
    EXPECT_EQ(t->signature, sig);
  }
}

TEST(PmtGolden, LongNameKeepsTerminatingNul) {
  pmt::Table t = v11Table();
  t.entries[0].name = std::string(70, 'N');
  auto b = pmt::build(t);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)[8 + 63], 0);
  auto back = pmt::parse(*b);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->entries[0].name, std::string(63, 'N'));
}

// ------------------------------------------------------------------------------------------
// Table end, main/mirror choice
// ------------------------------------------------------------------------------------------

TEST(PmtParse, ErasedRecordEndsTable) {
  Bytes r = handV11();
  std::fill(r.begin() + 8 + 0x60, r.begin() + 0xFFC, 0xFF);  // flash erased after entry 0
  auto t = pmt::parse(r);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->entries.size(), 1u);
}

TEST(PmtParse, FullRegionStopsAtCapacity) {
  Bytes r = handRegion(kPtSig, "1.1");
  std::fill(r.begin() + 8, r.begin() + 0xFFC, 'A');  // no terminator anywhere
  auto t = pmt::parse(r);
  ASSERT_TRUE(t.ok()) << t.error().describe();
  EXPECT_EQ(t->entries.size(), pmt::capacity(pmt::Variant::kV11));
}

TEST(PmtParse, MirrorUsedWhenMainIsBad) {
  Bytes both = handV11();
  Bytes mirror = handV11(kMptSig);
  both.insert(both.end(), mirror.begin(), mirror.end());
  both[0xFFC] ^= 1;  // main trailer broken
  auto t = pmt::parseMainOrMirror(both);
  ASSERT_TRUE(t.ok()) << t.error().describe();
  EXPECT_TRUE(t->isMirror());
  expectSameEntries(*t, v11Table());

  both[0x1000] = 0;  // mirror signature broken too
  t = pmt::parseMainOrMirror(both);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().name, "PMT_TRAILER");  // the main table's reason
  EXPECT_NE(t.error().message.find("mirror"), std::string::npos) << t.error().message;
}

// ------------------------------------------------------------------------------------------
// Hostile input and build refusals
// ------------------------------------------------------------------------------------------

TEST(PmtHostile, TruncatedRegion) {
  Bytes r = handV11();
  for (std::size_t n : {0u, 3u, 8u, 0xFFFu}) {
    EXPECT_EQ(parseErrorName(Bytes(r.begin(), r.begin() + n)), "PMT_TRUNCATED") << n;
  }
}

TEST(PmtHostile, BadSignatures) {
  Bytes r = handV11();
  r[3] = 0x51;
  r[0xFFF] = 0x51;
  EXPECT_EQ(parseErrorName(r), "PMT_SIGNATURE");
  r = handV11();
  std::copy_n(kMptSig, 4, r.begin() + 0xFFC);  // trailer of the other table
  EXPECT_EQ(parseErrorName(r), "PMT_TRAILER");
}

TEST(PmtHostile, UnknownVersion) {
  for (const char* v : {"2.0", "1.2", "\xFF\xFF\xFF"}) {
    Bytes r = handV11();
    std::copy_n(v, 4, r.begin() + 4);
    EXPECT_EQ(parseErrorName(r), "PMT_VERSION") << v;
  }
  Bytes r = handV11();
  r[7] = ' ';  // "1.1 " without its NUL
  EXPECT_EQ(parseErrorName(r), "PMT_VERSION");
}

TEST(PmtHostile, OffsetPlusSizeWraps) {
  Bytes r = handV11();
  put64(r, 8 + 0x60 + 0x50, 0xFFFFFFFFFFFFF000ull);  // ANDROID offset
  EXPECT_EQ(parseErrorName(r), "PMT_ENTRY_RANGE");
}

TEST(PmtBuild, Refusals) {
  pmt::Table t = v11Table();
  t.signature = 0x12345678;
  EXPECT_EQ(pmt::build(t).error().name, "PMT_SIGNATURE");
  t = v11Table();
  t.entries[1].name.clear();
  EXPECT_EQ(pmt::build(t).error().name, "PMT_EMPTY_NAME");
  t = v11Table();
  t.entries.assign(pmt::kMaxBuildEntries + 1, pmt::Entry{"X", 1, 8, 0, 0});
  EXPECT_EQ(pmt::build(t).error().name, "PMT_TOO_MANY_ENTRIES");
  t.entries.pop_back();
  auto b = pmt::build(t);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->size(), 0x1000u);
  EXPECT_EQ(pmt::parse(*b)->entries.size(), pmt::kMaxBuildEntries);
}

}  // namespace
