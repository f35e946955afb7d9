// mtk::wire::gpt: goldens assembled by hand from UEFI's field offsets (mtk-protocols.md §7.2,
// mtkclient-expectations.md §5.9), CRCs computed here with zlib directly, round trips at 512
// and 4096-byte sectors, and hostile headers.

#include "mtk/wire/gpt.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using mtk::Error;
using mtk::wire::Bytes;
using mtk::wire::ByteSpan;
namespace gpt = mtk::wire::gpt;

std::uint32_t zcrc(const std::uint8_t* p, std::size_t n) {
  return static_cast<std::uint32_t>(crc32(0L, p, static_cast<uInt>(n)));
}

// Little-endian stores written out by hand, so the goldens do not lean on the code under test.
void put32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void put64(Bytes& b, std::size_t at, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

bool hasFinding(const std::vector<Error>& errors, const std::string& name) {
  return std::any_of(errors.begin(), errors.end(), [&](const Error& e) { return e.name == name; });
}

std::string names(const std::vector<Error>& errors) {
  std::string s;
  for (const Error& e : errors) s += e.name + " ";
  return s;
}

const gpt::Guid kBasicData = {0xA2, 0xA0, 0xD0, 0xEB, 0xE5, 0xB9, 0x33, 0x44,
                              0x87, 0xC0, 0x68, 0xB6, 0xB7, 0x26, 0x99, 0xC7};
// 12345678-9ABC-DEF0-1122-334455667788
const gpt::Guid kDiskGuid = {0x78, 0x56, 0x34, 0x12, 0xBC, 0x9A, 0xF0, 0xDE,
                             0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
// 00000001-0000-0000-0000-000000000001 and ...0002
const gpt::Guid kUnique1 = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
const gpt::Guid kUnique2 = {2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

// ------------------------------------------------------------------------------------------
// A 64-sector, 512-byte-sector disk with a 4-entry array, assembled byte by byte:
//   LBA0 protective MBR, LBA1 header, LBA2 entries (4 x 128 = one sector), usable 3..61,
//   LBA62 backup entries, LBA63 backup header.
//   entry 0: "boot",     LBA 3..10,  attributes 0
//   entry 1: "userdata", LBA 11..61, attributes bit 63 ("do not automount" on Windows)
// ------------------------------------------------------------------------------------------

constexpr std::uint64_t kSmallDisk = 64;

Bytes handMbr(std::uint32_t sizeField) {
  Bytes mbr(512, 0);
  const std::uint8_t rec[16] = {0x00,                    // status: not bootable
                                0x00, 0x02, 0x00,        // CHS start (UEFI's value)
                                0xEE,                    // type: GPT protective
                                0xFF, 0xFF, 0xFF,        // CHS end: "too big"
                                0x01, 0x00, 0x00, 0x00,  // first LBA 1
                                0,    0,    0,    0};    // size, below
  std::copy(std::begin(rec), std::end(rec), mbr.begin() + 0x1BE);
  put32(mbr, 0x1BE + 12, sizeField);
  mbr[0x1FE] = 0x55;
  mbr[0x1FF] = 0xAA;
  return mbr;
}

Bytes handEntries() {
  Bytes e(512, 0);
  // entry 0 at 0
  std::copy(kBasicData.begin(), kBasicData.end(), e.begin() + 0);
  std::copy(kUnique1.begin(), kUnique1.end(), e.begin() + 16);
  e[32] = 3;   // first LBA
  e[40] = 10;  // last LBA
  const char* boot = "boot";
  for (int i = 0; boot[i]; ++i) e[56 + 2 * i] = static_cast<std::uint8_t>(boot[i]);
  // entry 1 at 128
  std::copy(kBasicData.begin(), kBasicData.end(), e.begin() + 128);
  std::copy(kUnique2.begin(), kUnique2.end(), e.begin() + 128 + 16);
  e[128 + 32] = 11;
  e[128 + 40] = 61;
  e[128 + 55] = 0x80;  // attributes bit 63: top byte of the u64 at 48
  const char* user = "userdata";
  for (int i = 0; user[i]; ++i) e[128 + 56 + 2 * i] = static_cast<std::uint8_t>(user[i]);
  return e;
}

// The header sector with both CRCs filled in by zlib.
Bytes handHeader(std::uint64_t myLba, std::uint64_t alternateLba, std::uint64_t entriesLba) {
  Bytes h(512, 0);
  const std::uint8_t fixed[] = {'E',  'F',  'I',  ' ',  'P', 'A', 'R', 'T',  // @0 signature
                                0x00, 0x00, 0x01, 0x00,                      // @8 revision 1.0
                                0x5C, 0x00, 0x00, 0x00};                     // @12 header size 92
  std::copy(std::begin(fixed), std::end(fixed), h.begin());
  put64(h, 24, myLba);
  put64(h, 32, alternateLba);
  put64(h, 40, 3);   // first usable
  put64(h, 48, 61);  // last usable
  std::copy(kDiskGuid.begin(), kDiskGuid.end(), h.begin() + 56);
  put64(h, 72, entriesLba);
  put32(h, 80, 4);    // entries
  put32(h, 84, 128);  // entry size
  Bytes entries = handEntries();
  put32(h, 88, zcrc(entries.data(), entries.size()));
  put32(h, 16, zcrc(h.data(), 92));  // computed while the field is still zero
  return h;
}

Bytes handPrimary() {
  Bytes out = handMbr(kSmallDisk - 1);
  Bytes header = handHeader(1, 63, 2);
  Bytes entries = handEntries();
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), entries.begin(), entries.end());
  return out;
}

gpt::Layout smallLayout() {
  gpt::Layout l;
  l.diskSectors = kSmallDisk;
  l.sectorSize = 512;
  l.diskGuid = kDiskGuid;
  l.numEntries = 4;
  l.partitions = {{"boot", 3, 10, kBasicData, kUnique1, 0},
                  {"userdata", 11, 61, kBasicData, kUnique2, 0x8000000000000000ull}};
  return l;
}

// Re-seals the primary header at LBA1 after a test edits it, so only the edit is wrong.
void resealHeader(Bytes& image, std::size_t sectorSize = 512) {
  put32(image, sectorSize + 16, 0);
  put32(image, sectorSize + 16, zcrc(image.data() + sectorSize, 92));
}

// ------------------------------------------------------------------------------------------
// GUID text form
// ------------------------------------------------------------------------------------------

TEST(GptGuid, BasicDataTextToBytesIsMixedEndian) {
  auto g = gpt::parseGuid("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7");
  ASSERT_TRUE(g.ok()) << g.error().describe();
  EXPECT_EQ(*g, kBasicData);
  EXPECT_EQ(gpt::formatGuid(kBasicData), "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7");
  EXPECT_EQ(gpt::basicDataType(), kBasicData);
}

TEST(GptGuid, AcceptsLowerCaseAndBraces) {
  auto g = gpt::parseGuid("{12345678-9abc-def0-1122-334455667788}");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(*g, kDiskGuid);
  EXPECT_EQ(gpt::formatGuid(*g), "12345678-9ABC-DEF0-1122-334455667788");
}

TEST(GptGuid, RejectsMalformedText) {
  for (const char* bad :
       {"", "EBD0A0A2-B9E5-4433-87C0-68B6B72699C", "EBD0A0A2-B9E5-4433-87C0-68B6B72699C77",
        "EBD0A0A2B9E5-4433-87C0-68B6B72699C7-", "EBD0A0A2-B9E5-4433-87C0-68B6B72699CG",
        "{EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"}) {
    auto g = gpt::parseGuid(bad);
    ASSERT_FALSE(g.ok()) << bad;
    EXPECT_EQ(g.error().name, "GUID_SYNTAX");
  }
}

// ------------------------------------------------------------------------------------------
// Protective MBR
// ------------------------------------------------------------------------------------------

TEST(GptMbr, MatchesHandAssembledRecord) {
  EXPECT_EQ(gpt::buildProtectiveMbr(kSmallDisk), handMbr(63));
  Bytes mbr = gpt::buildProtectiveMbr(kSmallDisk);
  EXPECT_EQ(mbr[0x1BE], 0x00);
  EXPECT_EQ(mbr[0x1BE + 4], 0xEE);
  EXPECT_EQ(mbr[0x1FE], 0x55);
  EXPECT_EQ(mbr[0x1FF], 0xAA);
}

TEST(GptMbr, SizeIsCappedAt32Bits) {
  // 2^33 sectors: disk - 1 does not fit in the u32 size field.
  EXPECT_EQ(gpt::buildProtectiveMbr(0x200000000ull), handMbr(0xFFFFFFFF));
  EXPECT_EQ(gpt::buildProtectiveMbr(0x100000000ull), handMbr(0xFFFFFFFF));
  EXPECT_EQ(gpt::buildProtectiveMbr(0xFFFFFFFFull), handMbr(0xFFFFFFFE));
}

// ------------------------------------------------------------------------------------------
// Header and entry field offsets
// ------------------------------------------------------------------------------------------

TEST(GptHeader, FieldOffsetsMatchGolden) {
  Bytes golden = handHeader(1, 63, 2);
  golden.resize(92);
  gpt::Header h = gpt::decodeHeader(golden);
  EXPECT_EQ(std::string(h.signature.begin(), h.signature.end()), "EFI PART");
  EXPECT_EQ(h.revision, 0x00010000u);
  EXPECT_EQ(h.headerSize, 92u);
  EXPECT_EQ(h.myLba, 1u);
  EXPECT_EQ(h.alternateLba, 63u);
  EXPECT_EQ(h.firstUsableLba, 3u);
  EXPECT_EQ(h.lastUsableLba, 61u);
  EXPECT_EQ(h.diskGuid, kDiskGuid);
  EXPECT_EQ(h.entriesLba, 2u);
  EXPECT_EQ(h.numEntries, 4u);
  EXPECT_EQ(h.entrySize, 128u);
  Bytes entries = handEntries();
  EXPECT_EQ(h.entriesCrc32, zcrc(entries.data(), entries.size()));
  EXPECT_EQ(gpt::encodeHeader(h), golden);
}

TEST(GptHeader, CrcMatchesZlibOverHeaderWithCrcFieldZero) {
  Bytes golden = handHeader(1, 63, 2);
  std::uint32_t stored = golden[16] | golden[17] << 8 | golden[18] << 16 |
                         static_cast<std::uint32_t>(golden[19]) << 24;
  Bytes zeroed(golden.begin(), golden.begin() + 92);
  std::fill(zeroed.begin() + 16, zeroed.begin() + 20, 0);
  EXPECT_EQ(stored, zcrc(zeroed.data(), zeroed.size()));
  EXPECT_EQ(gpt::headerCrc(golden, 92), stored);
}

TEST(GptEntry, FieldOffsetsMatchGolden) {
  Bytes all = handEntries();
  ByteSpan golden(all.data() + 128, 128);
  gpt::Entry e = gpt::decodeEntry(golden);
  EXPECT_EQ(e.type, kBasicData);
  EXPECT_EQ(e.unique, kUnique2);
  EXPECT_EQ(e.firstLba, 11u);
  EXPECT_EQ(e.lastLba, 61u);
  EXPECT_EQ(e.attributes, 0x8000000000000000ull);
  EXPECT_EQ(e.name, u"userdata");
  EXPECT_EQ(gpt::encodeEntry(e), Bytes(golden.begin(), golden.end()));
}

TEST(GptEntry, NameIsUtf16LeAndCutAt36Units) {
  gpt::Entry e;
  e.name = gpt::utf8ToUtf16("syst\xC3\xA8me");  // "système"
  Bytes b = gpt::encodeEntry(e);
  EXPECT_EQ(b[56 + 8], 0xE8);  // U+00E8 little-endian
  EXPECT_EQ(b[56 + 9], 0x00);
  EXPECT_EQ(gpt::utf16ToUtf8(gpt::decodeEntry(b).name), "syst\xC3\xA8me");

  e.name = std::u16string(40, u'x');
  b = gpt::encodeEntry(e);
  EXPECT_EQ(b.size(), 128u);
  EXPECT_EQ(gpt::decodeEntry(b).name, std::u16string(36, u'x'));
}

TEST(GptEntry, LargerEntrySizePadsWithZeros) {
  gpt::Entry e;
  e.type = kBasicData;
  Bytes b = gpt::encodeEntry(e, 256);
  ASSERT_EQ(b.size(), 256u);
  EXPECT_TRUE(std::all_of(b.begin() + 128, b.end(), [](std::uint8_t x) { return x == 0; }));
}

TEST(GptNames, Utf8Utf16RoundTripIncludingSurrogates) {
  std::string s = "a\xF0\x9F\x98\x80z";  // U+1F600 needs a surrogate pair
  std::u16string u = gpt::utf8ToUtf16(s);
  ASSERT_EQ(u.size(), 4u);
  EXPECT_EQ(u[1], 0xD83D);
  EXPECT_EQ(u[2], 0xDE00);
  EXPECT_EQ(gpt::utf16ToUtf8(u), s);
  EXPECT_EQ(gpt::utf16ToUtf8(u"\xD800x"), "\xEF\xBF\xBDx");  // lone surrogate -> U+FFFD
  EXPECT_EQ(gpt::utf8ToUtf16("\xFF"), u"\xFFFD");
}

// ------------------------------------------------------------------------------------------
// Builders against the hand-assembled disk
// ------------------------------------------------------------------------------------------

TEST(GptBuild, PrimaryMatchesHandAssembledImage) {
  gpt::Layout l = smallLayout();
  ASSERT_TRUE(gpt::checkLayout(l).ok()) << gpt::checkLayout(l).error().describe();
  EXPECT_EQ(gpt::firstUsableLba(l), 3u);
  EXPECT_EQ(gpt::lastUsableLba(l), 61u);
  EXPECT_EQ(gpt::buildPrimary(l), handPrimary());
}

TEST(GptBuild, BackupMatchesHandAssembledImage) {
  gpt::Layout l = smallLayout();
  EXPECT_EQ(gpt::backupStartLba(l), 62u);
  Bytes expected = handEntries();
  Bytes header = handHeader(63, 1, 62);  // my_lba = last LBA, alternate = primary at 1
  expected.insert(expected.end(), header.begin(), header.end());
  EXPECT_EQ(gpt::buildBackup(l), expected);
}

TEST(GptBuild, DefaultArrayIs128EntriesOf128BytesFromLba2) {
  gpt::Layout l;
  l.diskSectors = 0x10000;
  l.partitions = {{"boot", 34, 99, kBasicData, kUnique1, 0}};
  Bytes b = gpt::buildPrimary(l);
  ASSERT_EQ(b.size(), (2u + 32u) * 512u);  // 128 * 128 bytes = 32 sectors
  gpt::Header h = gpt::decodeHeader(ByteSpan(b).subspan(512, 92));
  EXPECT_EQ(h.numEntries, 128u);
  EXPECT_EQ(h.entrySize, 128u);
  EXPECT_EQ(h.entriesLba, 2u);
  EXPECT_EQ(h.firstUsableLba, 34u);
  EXPECT_EQ(h.lastUsableLba, 0x10000u - 34u);
  EXPECT_EQ(h.alternateLba, 0xFFFFu);
  EXPECT_EQ(h.entriesCrc32, zcrc(b.data() + 1024, 128 * 128));
}

// ------------------------------------------------------------------------------------------
// Parsing
// ------------------------------------------------------------------------------------------

TEST(GptParse, HandAssembledImage) {
  auto t = gpt::parse(handPrimary(), 512);
  ASSERT_TRUE(t.ok()) << t.error().describe();
  EXPECT_EQ(t->sectorSize, 512u);
  EXPECT_EQ(t->header.diskGuid, kDiskGuid);
  ASSERT_EQ(t->partitions.size(), 2u);
  EXPECT_EQ(t->partitions[0].name, "boot");
  EXPECT_EQ(t->partitions[0].index, 0u);
  EXPECT_EQ(t->partitions[0].firstLba, 3u);
  EXPECT_EQ(t->partitions[0].lastLba, 10u);
  EXPECT_EQ(t->partitions[0].unique, kUnique1);
  EXPECT_EQ(t->partitions[1].name, "userdata");
  EXPECT_EQ(t->partitions[1].attributes, 0x8000000000000000ull);
  EXPECT_TRUE(gpt::validate(handPrimary(), 512, kSmallDisk).empty())
      << names(gpt::validate(handPrimary(), 512, kSmallDisk));
}

TEST(GptParse, SkipsUnusedEntriesInTheMiddle) {
  Bytes img = handPrimary();
  // Move entry 1 to slot 3, leaving slots 1 and 2 unused.
  std::copy_n(img.begin() + 1024 + 128, 128, img.begin() + 1024 + 384);
  std::fill_n(img.begin() + 1024 + 128, 128, 0);
  put32(img, 512 + 88, zcrc(img.data() + 1024, 512));
  resealHeader(img);
  auto t = gpt::parse(img, 512);
  ASSERT_TRUE(t.ok()) << t.error().describe();
  ASSERT_EQ(t->partitions.size(), 2u);
  EXPECT_EQ(t->partitions[1].index, 3u);
  // mtkclient stops at the first zero unique GUID (slot 1) and would miss "userdata".
  auto findings = gpt::validate(img, 512, kSmallDisk);
  EXPECT_TRUE(hasFinding(findings, "GPT_ENTRY_AFTER_GAP")) << names(findings);
}

void roundTrip(std::uint32_t sectorSize, std::uint64_t diskSectors) {
  gpt::Layout l;
  l.diskSectors = diskSectors;
  l.sectorSize = sectorSize;
  l.diskGuid = kDiskGuid;
  const std::uint64_t first = gpt::firstUsableLba(l);
  l.partitions = {{"preloader", first, first + 99, kBasicData, kUnique1, 0},
                  {"userdata", first + 100, gpt::lastUsableLba(l), kBasicData, kUnique2, 4}};
  ASSERT_TRUE(gpt::checkLayout(l).ok()) << gpt::checkLayout(l).error().describe();

  Bytes primary = gpt::buildPrimary(l);
  auto detected = gpt::detectSectorSize(primary);
  ASSERT_TRUE(detected.ok());
  EXPECT_EQ(*detected, sectorSize);
  auto t = gpt::parse(primary, sectorSize);
  ASSERT_TRUE(t.ok()) << t.error().describe();
  EXPECT_TRUE(gpt::validate(primary, sectorSize, diskSectors).empty())
      << names(gpt::validate(primary, sectorSize, diskSectors));
  ASSERT_EQ(t->partitions.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(t->partitions[i].name, l.partitions[i].name);
    EXPECT_EQ(t->partitions[i].firstLba, l.partitions[i].firstLba);
    EXPECT_EQ(t->partitions[i].lastLba, l.partitions[i].lastLba);
    EXPECT_EQ(t->partitions[i].type, l.partitions[i].type);
    EXPECT_EQ(t->partitions[i].unique, l.partitions[i].unique);
    EXPECT_EQ(t->partitions[i].attributes, l.partitions[i].attributes);
  }
  EXPECT_EQ(t->header.alternateLba, diskSectors - 1);

  Bytes backup = gpt::buildBackup(l);
  ASSERT_EQ(backup.size() % sectorSize, 0u);
  EXPECT_EQ(gpt::backupStartLba(l) + backup.size() / sectorSize, diskSectors);
  auto b = gpt::parseBackup(backup, sectorSize, diskSectors);
  ASSERT_TRUE(b.ok()) << b.error().describe();
  EXPECT_EQ(b->header.myLba, diskSectors - 1);
  EXPECT_EQ(b->header.alternateLba, 1u);
  EXPECT_EQ(b->header.entriesLba, gpt::backupStartLba(l));
  EXPECT_EQ(b->header.entriesCrc32, t->header.entriesCrc32);
  ASSERT_EQ(b->partitions.size(), 2u);
  EXPECT_EQ(b->partitions[1].name, "userdata");
}

TEST(GptParse, RoundTrip512) {
  roundTrip(512, 0x100000);
}
TEST(GptParse, RoundTrip4096) {
  roundTrip(4096, 0x8000);
}

TEST(GptParse, FourKSectorGeometry) {
  gpt::Layout l;
  l.diskSectors = 0x8000;
  l.sectorSize = 4096;
  EXPECT_EQ(gpt::entrySectors(l), 4u);  // 16 KiB of entries
  EXPECT_EQ(gpt::firstUsableLba(l), 6u);
  EXPECT_EQ(gpt::lastUsableLba(l), 0x8000u - 6u);
  Bytes b = gpt::buildPrimary(l);
  ASSERT_EQ(b.size(), 6u * 4096u);
  EXPECT_EQ(b[0x1FE], 0x55);  // MBR signature stays at 0x1FE of a 4 KiB LBA0
  EXPECT_EQ(std::string(b.begin() + 4096, b.begin() + 4096 + 8), "EFI PART");
}

TEST(GptParse, BackupAcceptsExtraLeadingSectors) {
  gpt::Layout l = smallLayout();
  Bytes backup = gpt::buildBackup(l);
  backup.insert(backup.begin(), 3 * 512, 0xAB);  // LBA 59..61 as well
  auto b = gpt::parseBackup(backup, 512, kSmallDisk);
  ASSERT_TRUE(b.ok()) << b.error().describe();
  EXPECT_EQ(b->partitions.size(), 2u);
}

TEST(GptParse, BackupWithWrongMyLbaIsRejected) {
  Bytes backup = gpt::buildBackup(smallLayout());
  Bytes& b = backup;
  put64(b, 512 + 24, 62);
  put32(b, 512 + 16, 0);
  put32(b, 512 + 16, zcrc(b.data() + 512, 92));
  auto t = gpt::parseBackup(b, 512, kSmallDisk);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().name, "GPT_MY_LBA");
}

TEST(GptDetect, PrefersFiveTwelveThenFourK) {
  Bytes both(8192, 0);
  std::copy_n("EFI PART", 8, both.begin() + 512);
  std::copy_n("EFI PART", 8, both.begin() + 4096);
  EXPECT_EQ(*gpt::detectSectorSize(both), 512u);
  std::fill_n(both.begin() + 512, 8, 0);
  EXPECT_EQ(*gpt::detectSectorSize(both), 4096u);
  std::fill_n(both.begin() + 4096, 8, 0);
  auto none = gpt::detectSectorSize(both);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().name, "GPT_NOT_FOUND");
  EXPECT_FALSE(gpt::detectSectorSize(ByteSpan()).ok());
}

// ------------------------------------------------------------------------------------------
// Hostile input
// ------------------------------------------------------------------------------------------

std::string parseErrorName(const Bytes& img, std::uint32_t sectorSize = 512) {
  auto t = gpt::parse(img, sectorSize);
  return t.ok() ? std::string("OK") : t.error().name;
}

TEST(GptHostile, HugeEntryCountRejected) {
  Bytes img = handPrimary();
  put32(img, 512 + 80, 0xFFFFFFFF);
  resealHeader(img);
  EXPECT_EQ(parseErrorName(img), "GPT_ENTRY_COUNT");
  put32(img, 512 + 80, 1025);
  resealHeader(img);
  EXPECT_EQ(parseErrorName(img), "GPT_ENTRY_COUNT");
  put32(img, 512 + 80, 0);
  resealHeader(img);
  EXPECT_EQ(parseErrorName(img), "GPT_ENTRY_COUNT");
}

TEST(GptHostile, BadEntrySizeRejected) {
  for (std::uint32_t size : {0u, 8u, 120u, 130u, 1032u, 0xFFFFFFFFu}) {
    Bytes img = handPrimary();
    put32(img, 512 + 84, size);
    resealHeader(img);
    EXPECT_EQ(parseErrorName(img), "GPT_ENTRY_SIZE") << size;
  }
}

TEST(GptHostile, BadHeaderSizeRejected) {
  for (std::uint32_t size : {0u, 91u, 513u, 0xFFFFFFFFu}) {
    Bytes img = handPrimary();
    put32(img, 512 + 12, size);
    EXPECT_EQ(parseErrorName(img), "GPT_HEADER_SIZE") << size;
  }
}

TEST(GptHostile, TruncatedInputRejected) {
  Bytes img = handPrimary();
  for (std::size_t n : {0u, 1u, 511u, 512u, 600u, 1023u, 1024u, 1535u}) {
    Bytes cut(img.begin(), img.begin() + n);
    auto t = gpt::parse(cut, 512);
    ASSERT_FALSE(t.ok()) << n;
    EXPECT_EQ(t.error().name, "GPT_TRUNCATED") << n;
    EXPECT_FALSE(gpt::validate(cut, 512).empty());
  }
}

TEST(GptHostile, EntriesLbaOutOfRangeRejected) {
  for (std::uint64_t lba : {0ull, 1ull, 3ull, 0xFFFFFFFFFFFFFFFFull, 0x0080000000000000ull}) {
    Bytes img = handPrimary();
    put64(img, 512 + 72, lba);
    resealHeader(img);
    std::string name = parseErrorName(img);
    EXPECT_TRUE(name == "GPT_ENTRIES_LBA" || name == "GPT_TRUNCATED") << lba << " " << name;
  }
}

TEST(GptHostile, BadSignatureAndSectorSizeRejected) {
  Bytes img = handPrimary();
  img[512] = 'X';
  EXPECT_EQ(parseErrorName(img), "GPT_BAD_SIGNATURE");
  EXPECT_EQ(parseErrorName(handPrimary(), 1024), "GPT_SECTOR_SIZE");
  // The 512-byte image read as 4096-byte sectors has no header at 4096.
  EXPECT_EQ(parseErrorName(handPrimary(), 4096), "GPT_TRUNCATED");
}

TEST(GptHostile, InvertedPartitionRejected) {
  Bytes img = handPrimary();
  put64(img, 1024 + 32, 20);  // boot: first 20 > last 10
  put32(img, 512 + 88, zcrc(img.data() + 1024, 512));
  resealHeader(img);
  EXPECT_EQ(parseErrorName(img), "GPT_PARTITION_RANGE");
  EXPECT_TRUE(hasFinding(gpt::validate(img, 512), "GPT_PARTITION_RANGE"));
}

TEST(GptHostile, RandomCorruptionNeverCrashes) {
  const Bytes base = handPrimary();
  std::uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1103515245u + 12345u; };
  for (int round = 0; round < 3000; ++round) {
    Bytes img = base;
    int flips = 1 + next() % 8;
    for (int i = 0; i < flips; ++i) {
      // Mostly the header, where the lengths live.
      std::size_t at = next() % 4 == 0 ? next() % img.size() : 512 + next() % 92;
      img[at] = static_cast<std::uint8_t>(next() >> 16);
    }
    if (next() % 3 == 0) resealHeader(img);
    img.resize(next() % 2 ? img.size() : next() % img.size());
    (void)gpt::parse(img, 512);
    (void)gpt::validate(img, 512, kSmallDisk);
    (void)gpt::parseBackup(img.size() % 512 ? ByteSpan() : ByteSpan(img), 512, kSmallDisk);
    (void)gpt::detectSectorSize(img);
  }
  SUCCEED();
}

// ------------------------------------------------------------------------------------------
// Validation findings
// ------------------------------------------------------------------------------------------

TEST(GptValidate, HeaderCrcMismatch) {
  Bytes img = handPrimary();
  put64(img, 512 + 40, 4);  // first usable, CRC not updated
  auto t = gpt::parse(img, 512);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().name, "GPT_HEADER_CRC");
  EXPECT_NE(t.error().message.find("LBA 1"), std::string::npos) << t.error().message;
  EXPECT_TRUE(hasFinding(gpt::validate(img, 512), "GPT_HEADER_CRC"));
}

TEST(GptValidate, EntriesCrcMismatch) {
  Bytes img = handPrimary();
  img[1024 + 56] = 'B';  // "boot" -> "Boot"
  auto t = gpt::parse(img, 512);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().name, "GPT_ENTRIES_CRC");
  auto findings = gpt::validate(img, 512);
  EXPECT_TRUE(hasFinding(findings, "GPT_ENTRIES_CRC"));
  EXPECT_FALSE(hasFinding(findings, "GPT_HEADER_CRC"));
}

TEST(GptValidate, BothCrcsReportedTogether) {
  Bytes img = handPrimary();
  img[1024 + 56] = 'B';
  put64(img, 512 + 40, 4);
  auto findings = gpt::validate(img, 512);
  EXPECT_TRUE(hasFinding(findings, "GPT_HEADER_CRC")) << names(findings);
  EXPECT_TRUE(hasFinding(findings, "GPT_ENTRIES_CRC")) << names(findings);
}

TEST(GptValidate, MissingProtectiveMbr) {
  Bytes img = handPrimary();
  img[0x1FF] = 0;
  auto findings = gpt::validate(img, 512);
  ASSERT_TRUE(hasFinding(findings, "GPT_NO_PROTECTIVE_MBR")) << names(findings);
  EXPECT_EQ(findings.size(), 1u);
  EXPECT_TRUE(gpt::parse(img, 512).ok());  // the GPT itself is fine

  img = handPrimary();
  img[0x1BE + 4] = 0x07;  // an NTFS entry instead of 0xEE
  EXPECT_TRUE(hasFinding(gpt::validate(img, 512), "GPT_NO_PROTECTIVE_MBR"));
}

TEST(GptValidate, OverlappingPartitions) {
  gpt::Layout l = smallLayout();
  l.partitions[1].firstLba = 10;  // boot ends at 10
  auto status = gpt::checkLayout(l);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().name, "GPT_PARTITION_OVERLAP");
  Bytes img = gpt::buildPrimary(l);
  EXPECT_TRUE(gpt::parse(img, 512).ok());
  auto findings = gpt::validate(img, 512, kSmallDisk);
  ASSERT_TRUE(hasFinding(findings, "GPT_PARTITION_OVERLAP")) << names(findings);
  EXPECT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].message.find("boot"), std::string::npos) << findings[0].message;
}

TEST(GptValidate, ContainedPartitionOverlaps) {
  gpt::Layout l = smallLayout();
  // userdata 11..61 contains a third partition 20..30 listed after it.
  gpt::Guid u3 = kUnique2;
  u3[0] = 3;
  l.partitions.push_back({"inner", 20, 30, kBasicData, u3, 0});
  l.partitions[0].lastLba = 5;  // and boot 3..5 keeps clear
  auto findings = gpt::validate(gpt::buildPrimary(l), 512);
  EXPECT_TRUE(hasFinding(findings, "GPT_PARTITION_OVERLAP")) << names(findings);
}

TEST(GptValidate, PartitionOutsideUsableRange) {
  gpt::Layout l = smallLayout();
  l.partitions[0].firstLba = 2;  // inside the entry array
  EXPECT_EQ(gpt::checkLayout(l).error().name, "GPT_PARTITION_OUTSIDE");
  EXPECT_TRUE(hasFinding(gpt::validate(gpt::buildPrimary(l), 512), "GPT_PARTITION_OUTSIDE"));

  l = smallLayout();
  l.partitions[1].lastLba = 62;  // the backup entry array
  EXPECT_TRUE(hasFinding(gpt::validate(gpt::buildPrimary(l), 512), "GPT_PARTITION_OUTSIDE"));
}

TEST(GptValidate, RevisionOtherThanOnePointZero) {
  Bytes img = handPrimary();
  put32(img, 512 + 8, 0x00010001);
  resealHeader(img);
  EXPECT_TRUE(gpt::parse(img, 512).ok());
  EXPECT_TRUE(hasFinding(gpt::validate(img, 512), "GPT_REVISION"));
}

TEST(GptValidate, AlternateLbaMustBeLastLba) {
  auto findings = gpt::validate(handPrimary(), 512, kSmallDisk + 1);
  EXPECT_TRUE(hasFinding(findings, "GPT_ALTERNATE_LBA")) << names(findings);
  EXPECT_FALSE(hasFinding(findings, "GPT_USABLE_RANGE")) << names(findings);
  findings = gpt::validate(handPrimary(), 512, kSmallDisk - 1);
  EXPECT_TRUE(hasFinding(findings, "GPT_USABLE_RANGE")) << names(findings);
}

TEST(GptLayout, RejectsBadGeometry) {
  gpt::Layout l = smallLayout();
  l.sectorSize = 1024;
  EXPECT_EQ(gpt::checkLayout(l).error().name, "GPT_SECTOR_SIZE");
  l = smallLayout();
  l.entrySize = 100;
  EXPECT_EQ(gpt::checkLayout(l).error().name, "GPT_ENTRY_SIZE");
  l = smallLayout();
  l.diskSectors = 5;
  EXPECT_EQ(gpt::checkLayout(l).error().name, "GPT_DISK_TOO_SMALL");
  l = smallLayout();
  l.partitions[0].name = std::string(37, 'n');
  EXPECT_EQ(gpt::checkLayout(l).error().name, "GPT_NAME_TOO_LONG");
  l = smallLayout();
  l.partitions[0].type = {};
  EXPECT_EQ(gpt::checkLayout(l).error().name, "GPT_PARTITION_TYPE");
}

TEST(GptLayout, MorePartitionsThanEntriesGrowsTheArray) {
  gpt::Layout l = smallLayout();
  l.numEntries = 1;
  Bytes b = gpt::buildPrimary(l);
  auto t = gpt::parse(b, 512);
  ASSERT_TRUE(t.ok()) << t.error().describe();
  EXPECT_EQ(t->header.numEntries, 2u);
  EXPECT_EQ(t->partitions.size(), 2u);
}

}  // namespace
