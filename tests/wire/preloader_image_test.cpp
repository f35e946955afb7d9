// The preloader image: GFH FILE_INFO, the EMI blob (mtk-protocols.md §4.6) and the boot-region
// wrapper (spflash.md §4.3, mtk-protocols.md §7.3). Golden images are assembled by hand, field
// by field with explicit little-endian bytes, from those sections; they never come from
// encodeGfhFileInfo, buildTestPreloader, wrapForBootRegion or mtk::wire::Writer, so a builder
// bug cannot hide behind a matching parser bug. The builders are then checked against the
// parsers and against the same hand-written layout facts.

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "mtk/wire/preloader_image.hpp"

#include "golden_bytes.hpp"

namespace {

namespace pl = mtk::wire::preloader;
using Bytes = std::vector<std::uint8_t>;
using namespace mtk::test::golden;
using mtk::wire::ByteSpan;

void poke(Bytes& b, std::size_t at, std::initializer_list<std::uint8_t> le) {
  std::size_t i = at;
  for (auto v : le) b[i++] = v;
}
bool startsWith(const Bytes& b, const std::string& s) {
  return b.size() >= s.size() && std::string(b.begin(), b.begin() + s.size()) == s;
}

// A FILE_INFO block (§7.3 offsets) with the file and signature lengths given as LE bytes.
//   file_ver 1, file_type 1, flash_dev 5, sig_type 1, load 0x00201000, max 0x00040000,
//   content_offset 0x38, jump_offset 0x38, attr 1.
void fileInfo(Bytes& b, std::initializer_list<std::uint8_t> fileLenLe,
              std::initializer_list<std::uint8_t> sigLenLe) {
  put(b, {0x4d, 0x4d, 0x4d, 0x01});  // +0x00 "MMM", version 1
  put(b, {0x38, 0x00});              // +0x04 size 0x38
  put(b, {0x00, 0x00});              // +0x06 type 0 = FILE_INFO
  text(b, "FILE_INFO", 12);          // +0x08 name
  put(b, {0x01, 0x00, 0x00, 0x00});  // +0x14 file_ver 1
  put(b, {0x01, 0x00});              // +0x18 file_type 1
  put(b, {0x05});                    // +0x1A flash_dev 5
  put(b, {0x01});                    // +0x1B sig_type 1
  put(b, {0x00, 0x10, 0x20, 0x00});  // +0x1C load_addr 0x00201000
  put(b, fileLenLe);                 // +0x20 file_len
  put(b, {0x00, 0x00, 0x04, 0x00});  // +0x24 max_size 0x00040000
  put(b, {0x38, 0x00, 0x00, 0x00});  // +0x28 content_offset 0x38
  put(b, sigLenLe);                  // +0x2C sig_len
  put(b, {0x38, 0x00, 0x00, 0x00});  // +0x30 jump_offset 0x38
  put(b, {0x01, 0x00, 0x00, 0x00});  // +0x34 attr 1
}

// A 24-byte EMI blob: "MTK_BLOADER_INFO_v27" + 4 setting bytes.
void emiBlob(Bytes& b) {
  text(b, "MTK_BLOADER_INFO_v27", 20);
  put(b, {0xe1, 0xe2, 0xe3, 0xe4});
}
Bytes expectedEmi() {
  Bytes e;
  emiBlob(e);
  return e;
}

// A tiny preloader (0x80 bytes):
//   0x00 FILE_INFO (file_len 0x80, sig_len 0x10)
//   0x38 0x1C bytes of code (0xc0)
//   0x54 EMI blob, 0x18 bytes
//   0x6C u32 EMI size 0x18 (the last u32 before the signature)
//   0x70 0x10 bytes of signature (0x5a)
Bytes goldenTinyPreloader() {
  Bytes b;
  fileInfo(b, {0x80, 0x00, 0x00, 0x00}, {0x10, 0x00, 0x00, 0x00});
  EXPECT_EQ(b.size(), 0x38u);
  fill(b, 0x1c, 0xc0);  // code
  EXPECT_EQ(b.size(), 0x54u);
  emiBlob(b);
  EXPECT_EQ(b.size(), 0x6cu);
  put(b, {0x18, 0x00, 0x00, 0x00});  // EMI size 0x18
  fill(b, 0x10, 0x5a);               // signature
  EXPECT_EQ(b.size(), 0x80u);
  return b;
}

// The same with the EMI size word followed by 0x800 bytes whose last u32 is 0, so §4.6's
// "if 0, drop 0x800 bytes and re-read" applies: 0x880 bytes.
Bytes goldenZeroTailPreloader() {
  Bytes b;
  fileInfo(b, {0x80, 0x08, 0x00, 0x00}, {0x10, 0x00, 0x00, 0x00});
  fill(b, 0x1c, 0xc0);
  emiBlob(b);
  put(b, {0x18, 0x00, 0x00, 0x00});
  EXPECT_EQ(b.size(), 0x70u);
  fill(b, 0x7fc, 0xee);  // 0x800 bytes dropped: anything, ending in a zero u32
  zeros(b, 4);
  fill(b, 0x10, 0x5a);
  EXPECT_EQ(b.size(), 0x880u);
  return b;
}

// EMMC_BOOT device header + BRLYT (image at 0x800, BRLYT at 0x200) in front of `image`.
Bytes goldenBootRegion(const Bytes& image, const std::string& device = "EMMC_BOOT") {
  Bytes b;
  text(b, device, 12);               // 0x000 name
  put(b, {0x01, 0x00, 0x00, 0x00});  // 0x00C version 1
  put(b, {0x00, 0x02, 0x00, 0x00});  // 0x010 size 0x200 = BRLYT offset
  zeros(b, 0x200 - b.size());
  text(b, "BRLYT", 8);               // 0x200 name
  put(b, {0x01, 0x00, 0x00, 0x00});  // +0x08 version 1
  put(b, {0x00, 0x08, 0x00, 0x00});  // +0x0C header_size 0x800 = image offset
  put(b, {0x80, 0x08, 0x00, 0x00});  // +0x10 total_size 0x880
  put(b, {0x42, 0x42, 0x42, 0x42});  // +0x14 magic "BBBB"
  put(b, {0x05, 0x00, 0x01, 0x00});  // +0x18 type eMMC 0x10005
  put(b, {0x00, 0x08, 0x00, 0x00});  // +0x1C header_size_2
  put(b, {0x80, 0x08, 0x00, 0x00});  // +0x20 total_size_2
  zeros(b, 0x800 - b.size());
  b.insert(b.end(), image.begin(), image.end());
  return b;
}

// ------------------------------------------------------------------------------------------
// GFH FILE_INFO
// ------------------------------------------------------------------------------------------

TEST(PreloaderGfh, HandAssembledFileInfoParses) {
  Bytes b;
  fileInfo(b, {0x78, 0x56, 0x34, 0x12}, {0x00, 0x01, 0x00, 0x00});
  poke(b, 0x14, {0x02, 0x00, 0x00, 0x00});  // file_ver 2
  poke(b, 0x18, {0x34, 0x12});              // file_type 0x1234
  poke(b, 0x1a, {0x07});                    // flash_dev 7
  poke(b, 0x1b, {0x00});                    // sig_type 0
  poke(b, 0x1c, {0x44, 0x33, 0x22, 0x11});  // load_addr 0x11223344
  poke(b, 0x24, {0x00, 0x00, 0x10, 0x00});  // max_size 0x100000
  poke(b, 0x28, {0x00, 0x03, 0x00, 0x00});  // content_offset 0x300
  poke(b, 0x30, {0x04, 0x03, 0x00, 0x00});  // jump_offset 0x304
  poke(b, 0x34, {0xef, 0xbe, 0xad, 0xde});  // attr 0xdeadbeef
  auto f = pl::parseGfhFileInfo(b);
  ASSERT_TRUE(f) << f.error().describe();
  EXPECT_EQ(f->version, 1);
  EXPECT_EQ(f->size, 0x38);
  EXPECT_EQ(f->type, 0);
  EXPECT_EQ(f->name, "FILE_INFO");
  EXPECT_EQ(f->fileVersion, 2u);
  EXPECT_EQ(f->fileType, 0x1234);
  EXPECT_EQ(f->flashDevice, 7);
  EXPECT_EQ(f->sigType, 0);
  EXPECT_EQ(f->loadAddress, 0x11223344u);
  EXPECT_EQ(f->fileLength, 0x12345678u);
  EXPECT_EQ(f->maxSize, 0x100000u);
  EXPECT_EQ(f->contentOffset, 0x300u);
  EXPECT_EQ(f->sigLength, 0x100u);
  EXPECT_EQ(f->jumpOffset, 0x304u);
  EXPECT_EQ(f->attributes, 0xdeadbeefu);
}

TEST(PreloaderGfh, EncodeMatchesTheHandAssembledBytes) {
  Bytes b;
  fileInfo(b, {0x80, 0x00, 0x00, 0x00}, {0x10, 0x00, 0x00, 0x00});
  auto f = pl::parseGfhFileInfo(b);
  ASSERT_TRUE(f) << f.error().describe();
  EXPECT_EQ(pl::encodeGfhFileInfo(*f), b);
}

TEST(PreloaderGfh, TinyImageParsesAndSplits) {
  const Bytes b = goldenTinyPreloader();
  auto p = pl::parsePreloaderImage(b);
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->fileInfo.fileLength, 0x80u);
  EXPECT_EQ(p->file.size(), 0x80u);
  EXPECT_EQ(p->body.size(), 0x70u);
  ASSERT_EQ(p->signature.size(), 0x10u);
  EXPECT_EQ(p->signature[0], 0x5a);
}

TEST(PreloaderGfh, PaddingAfterTheFileIsExcluded) {
  Bytes b = goldenTinyPreloader();
  fill(b, 0x100, 0xff);
  auto p = pl::parsePreloaderImage(b);
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->file.size(), 0x80u);
}

void expectInvalidGfh(const Bytes& b, const std::string& inMessage) {
  auto p = pl::parsePreloaderImage(b);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, 5066);
  EXPECT_EQ(p.error().name, "S_DL_PC_BL_INVALID_GFH_FILE_INFO");
  EXPECT_NE(p.error().message.find(inMessage), std::string::npos) << p.error().describe();
  EXPECT_FALSE(p.error().hint.empty());
}

TEST(PreloaderHostile, BadFileInfoFields) {
  const Bytes good = goldenTinyPreloader();
  Bytes b = good;
  b[2] = 'X';
  expectInvalidGfh(b, "not 4d 4d 4d 01");
  b = good;
  b[3] = 2;
  expectInvalidGfh(b, "GFH version 2 at 0x3");
  b = good;
  poke(b, 4, {0x3c, 0x00});
  expectInvalidGfh(b, "block size 0x3c at 0x4");
  b = good;
  poke(b, 6, {0x01, 0x00});
  expectInvalidGfh(b, "block type 1 at 0x6");
  b = good;
  b[8] = 'X';
  expectInvalidGfh(b, "block name \"XILE_INFO\" at 0x8");
  b = good;
  poke(b, 0x20, {0x37, 0x00, 0x00, 0x00});
  expectInvalidGfh(b, "file length 0x37 at 0x20");
  b = good;
  poke(b, 0x2c, {0x49, 0x00, 0x00, 0x00});  // 0x80 - 0x38 = 0x48 is the most that fits
  expectInvalidGfh(b, "signature length 0x49 at 0x2c");
}

TEST(PreloaderHostile, FileLengthBeyondTheBuffer) {
  Bytes b = goldenTinyPreloader();
  poke(b, 0x20, {0x81, 0x00, 0x00, 0x00});
  expectInvalidGfh(b, "file length 0x81 at 0x20 runs past the end of the image (0x80 bytes)");
  poke(b, 0x20, {0xff, 0xff, 0xff, 0xff});
  expectInvalidGfh(b, "runs past the end");
  auto e = pl::extractEmi(b);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, 5066);
}

TEST(PreloaderHostile, EveryTruncationFailsCleanly) {
  const Bytes good = goldenTinyPreloader();
  for (std::size_t n = 0; n < good.size(); ++n) {
    const Bytes b(good.begin(), good.begin() + n);
    EXPECT_FALSE(pl::parsePreloaderImage(b)) << n;
    EXPECT_FALSE(pl::extractEmi(b)) << n;
  }
}

TEST(PreloaderHostile, BootRegionGivenAsAPreloaderIsNamed) {
  const Bytes b = goldenBootRegion(goldenTinyPreloader());
  auto p = pl::parsePreloaderImage(b);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, 5066);
  EXPECT_NE(p.error().message.find("boot-region readback (EMMC_BOOT"), std::string::npos)
      << p.error().describe();
}

// ------------------------------------------------------------------------------------------
// EMI (mtk-protocols.md §4.6)
// ------------------------------------------------------------------------------------------

TEST(PreloaderEmi, FoundInTheHandAssembledImage) {
  auto e = pl::extractEmi(goldenTinyPreloader());
  ASSERT_TRUE(e) << e.error().describe();
  EXPECT_EQ(*e, expectedEmi());
  EXPECT_EQ(pl::emiVersion(*e), "v27");
}

TEST(PreloaderEmi, ZeroSizeDrops0x800AndRereads) {
  const Bytes b = goldenZeroTailPreloader();
  auto e = pl::extractEmi(b);
  ASSERT_TRUE(e) << e.error().describe();
  EXPECT_EQ(*e, expectedEmi());
}

TEST(PreloaderEmi, ZeroSizeTwiceIsNoEmi) {
  Bytes b = goldenZeroTailPreloader();
  poke(b, 0x6c, {0x00, 0x00, 0x00, 0x00});  // the size word before the 0x800 bytes
  auto e = pl::extractEmi(b);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, 5054);
  EXPECT_NE(e.error().message.find("is 0 at 0x86c and again at 0x6c"), std::string::npos)
      << e.error().describe();
}

TEST(PreloaderEmi, ZeroSizeInAShortImageDoesNotUnderflow) {
  Bytes b = goldenTinyPreloader();
  poke(b, 0x6c, {0x00, 0x00, 0x00, 0x00});
  auto e = pl::extractEmi(b);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, 5054);
}

TEST(PreloaderEmi, FoundInsideABootRegionReadback) {
  Bytes b = goldenBootRegion(goldenTinyPreloader());
  fill(b, 0x300, 0x00);  // padding to the end of the readback
  auto e = pl::extractEmi(b);
  ASSERT_TRUE(e) << e.error().describe();
  EXPECT_EQ(*e, expectedEmi());
}

TEST(PreloaderEmi, MissingEmiIs5054WithTheHint) {
  // A 0x60-byte image with no EMI blob: code right up to the signature.
  Bytes b;
  fileInfo(b, {0x60, 0x00, 0x00, 0x00}, {0x10, 0x00, 0x00, 0x00});
  fill(b, 0x14, 0xc0);
  put(b, {0x08, 0x00, 0x00, 0x00});  // the "size" word: 8 bytes of code, no marker
  fill(b, 0x10, 0x5a);
  ASSERT_EQ(b.size(), 0x60u);
  auto e = pl::extractEmi(b);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, 5054);
  EXPECT_EQ(e.error().name, "S_DL_GET_DRAM_SETTING_FAIL");
  EXPECT_EQ(e.error().hint,
            "this preloader image carries no EMI (DRAM) settings: use the preloader file of this "
            "exact model");
  EXPECT_NE(e.error().message.find("not \"MTK_BLOADER_INFO_v\""), std::string::npos)
      << e.error().describe();
}

TEST(PreloaderEmi, EmiSizeLargerThanTheImage) {
  Bytes b = goldenTinyPreloader();
  poke(b, 0x6c, {0xff, 0xff, 0xff, 0x7f});
  auto e = pl::extractEmi(b);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, 5054);
  EXPECT_NE(e.error().message.find("0x7fffffff at 0x6c is larger than the 0x34 bytes"),
            std::string::npos)
      << e.error().describe();
  // One byte too many would reach into FILE_INFO: 0x6c - 0x38 = 0x34 is the most allowed.
  poke(b, 0x6c, {0x35, 0x00, 0x00, 0x00});
  EXPECT_EQ(pl::extractEmi(b).error().code, 5054);
}

TEST(PreloaderEmi, NoGfhAnywhereIs5066) {
  Bytes b;
  emiBlob(b);
  put(b, {0x18, 0x00, 0x00, 0x00});
  auto e = pl::extractEmi(b);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, 5066);
}

TEST(PreloaderEmi, VersionString) {
  auto v = [](const std::string& s) {
    return pl::emiVersion(ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
  };
  EXPECT_EQ(v("MTK_BLOADER_INFO_v27"), "v27");
  EXPECT_EQ(v(std::string("MTK_BLOADER_INFO_v51\0\0\0", 23)), "v51");
  EXPECT_EQ(v("MTK_BLOADER_INFO_v13xyz"), "v13");
  EXPECT_EQ(v("MTK_BLOADER_INFO_v"), "");
  EXPECT_EQ(v("MTK_BLOADER_INFO_vX"), "");
  EXPECT_EQ(v("MTK_BIN"), "");
  EXPECT_EQ(v(""), "");
}

// ------------------------------------------------------------------------------------------
// Boot region (spflash.md §4.3)
// ------------------------------------------------------------------------------------------

TEST(PreloaderBoot, HandAssembledReadbackUnwrapsToTheImage) {
  const Bytes image = goldenTinyPreloader();
  Bytes dump = goldenBootRegion(image);
  fill(dump, 0x400, 0x00);  // the rest of the readback
  auto u = pl::unwrapBootRegion(dump);
  ASSERT_TRUE(u) << u.error().describe();
  EXPECT_EQ(*u, image);
}

TEST(PreloaderBoot, UfsBootAndAnotherImageOffsetAreFollowed) {
  const Bytes image = goldenTinyPreloader();
  Bytes dump = goldenBootRegion(image, "UFS_BOOT");
  // Move the image to 0x1000 and say so at BRLYT+0xC.
  dump.insert(dump.begin() + 0x800, 0x800, 0xff);
  poke(dump, 0x20c, {0x00, 0x10, 0x00, 0x00});
  auto u = pl::unwrapBootRegion(dump);
  ASSERT_TRUE(u) << u.error().describe();
  EXPECT_EQ(*u, image);
}

TEST(PreloaderBoot, WrapMatchesTheHandAssembledHeader) {
  const Bytes image = goldenTinyPreloader();
  EXPECT_EQ(pl::wrapForBootRegion(image), goldenBootRegion(image));
  const Bytes ufs = pl::wrapForBootRegion(image, pl::BootMedium::Ufs);
  EXPECT_EQ(ufs, goldenBootRegion(image, "UFS_BOOT"));
}

TEST(PreloaderBoot, WrapUnwrapRoundTrip) {
  for (auto medium : {pl::BootMedium::Emmc, pl::BootMedium::Ufs}) {
    const Bytes image = pl::buildTestPreloader({});
    Bytes dump = pl::wrapForBootRegion(image, medium);
    dump.resize(0x40000, 0x00);  // a boot1-sized readback
    auto u = pl::unwrapBootRegion(dump);
    ASSERT_TRUE(u) << u.error().describe();
    EXPECT_EQ(*u, image);
  }
}

void expectBootError(const Bytes& dump, std::int64_t code, const std::string& inMessage) {
  auto u = pl::unwrapBootRegion(dump);
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().code, code) << u.error().describe();
  EXPECT_NE(u.error().message.find(inMessage), std::string::npos) << u.error().describe();
  EXPECT_FALSE(u.error().hint.empty());
}

TEST(PreloaderBootHostile, NoDeviceHeader) {
  Bytes dump = goldenBootRegion(goldenTinyPreloader());
  dump[0] = 'X';
  expectBootError(dump, -1, "no EMMC_BOOT or UFS_BOOT device header at 0x0");
  expectBootError(goldenTinyPreloader(), -1, "already begins with a GFH FILE_INFO");
  expectBootError(Bytes(0x13, 0), -1, "only 19 bytes");
}

TEST(PreloaderBootHostile, BrlytOffsetBeyondTheReadback) {
  Bytes dump = goldenBootRegion(goldenTinyPreloader());
  poke(dump, 0x10, {0x00, 0x00, 0x01, 0x00});  // 0x10000
  expectBootError(dump, -1, "the BRLYT offset 0x10000 (u32 at 0x10");
  poke(dump, 0x10, {0xff, 0xff, 0xff, 0xff});
  expectBootError(dump, -1, "the BRLYT offset 0xffffffff");
  // Exactly one byte short of the u32 at BRLYT+0xC: BRLYT at 5 needs bytes up to 0x15.
  poke(dump, 0x10, {0x05, 0x00, 0x00, 0x00});
  const Bytes cut(dump.begin(), dump.begin() + 0x14);
  expectBootError(cut, -1, "leaves no image offset");
}

TEST(PreloaderBootHostile, ImageOffsetBeyondTheReadback) {
  Bytes dump = goldenBootRegion(goldenTinyPreloader());
  poke(dump, 0x20c, {0x00, 0x00, 0x00, 0x80});
  expectBootError(dump, -1, "the image offset 0x80000000 (u32 at BRLYT+0xc = 0x20c)");
}

TEST(PreloaderBootHostile, NoPreloaderAtTheImageOffset) {
  Bytes dump = goldenBootRegion(goldenTinyPreloader());
  poke(dump, 0x20c, {0x00, 0x04, 0x00, 0x00});  // 0x400: zeros
  expectBootError(dump, 5066, "no \"MMM\\x01\" at the image offset 0x400 (read from 0x20c)");
  // A damaged BRLYT is mentioned when it explains the bad offset.
  dump[0x200] = 'X';
  expectBootError(dump, 5066, "no \"BRLYT\" name at 0x200");
}

TEST(PreloaderBootHostile, FileLengthBeyondTheReadback) {
  Bytes dump = goldenBootRegion(goldenTinyPreloader());
  poke(dump, 0x820, {0x81, 0x00, 0x00, 0x00});
  expectBootError(dump, 5066, "file length 0x81 at 0x820 runs past the end of the readback");
  dump.resize(0x87f);
  poke(dump, 0x820, {0x80, 0x00, 0x00, 0x00});
  expectBootError(dump, 5066, "runs past the end of the readback");
}

TEST(PreloaderBootHostile, EveryTruncationFailsCleanly) {
  const Bytes good = goldenBootRegion(goldenTinyPreloader());
  for (std::size_t n = 0; n < good.size(); ++n) {
    const Bytes b(good.begin(), good.begin() + n);
    EXPECT_FALSE(pl::unwrapBootRegion(b)) << n;
  }
  EXPECT_TRUE(pl::unwrapBootRegion(good));
}

// ------------------------------------------------------------------------------------------
// Test-preloader builder
// ------------------------------------------------------------------------------------------

TEST(PreloaderBuild, DefaultSpecParsesAndCarriesEmiV27) {
  const pl::TestPreloaderSpec spec;
  const Bytes b = pl::buildTestPreloader(spec);
  // Layout facts written from the header comment: 0x38 + code + EMI(0x4C + payload) + 4 + sig.
  const std::size_t emiSize = 0x4c + spec.emiPayloadSize;
  ASSERT_EQ(b.size(), 0x38 + spec.codeSize + emiSize + 4 + spec.sigLength);
  auto p = pl::parsePreloaderImage(b);
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->fileInfo.fileLength, b.size());
  EXPECT_EQ(p->fileInfo.sigLength, spec.sigLength);
  EXPECT_EQ(p->fileInfo.loadAddress, spec.loadAddress);
  EXPECT_EQ(p->fileInfo.contentOffset, 0x38u);
  // Bytes 0..7 are the §4.6 search pattern; load address at +0x1C as LE bytes.
  EXPECT_EQ(Bytes(b.begin(), b.begin() + 8),
            (Bytes{0x4d, 0x4d, 0x4d, 0x01, 0x38, 0x00, 0x00, 0x00}));
  EXPECT_EQ(Bytes(b.begin() + 0x1c, b.begin() + 0x20), (Bytes{0x00, 0x10, 0x20, 0x00}));

  auto e = pl::extractEmi(b);
  ASSERT_TRUE(e) << e.error().describe();
  EXPECT_TRUE(startsWith(*e, "MTK_BLOADER_INFO_v27")) << mtk::wire::hexdump(*e);
  EXPECT_EQ(e->size(), emiSize);
  EXPECT_EQ(pl::emiVersion(*e), "v27");
  // The EMI blob's own fields (our layout): chip name at +0x20, "MTK_BIN" at +0x40.
  EXPECT_EQ(std::string(e->begin() + 0x20, e->begin() + 0x26), "MT6765");
  EXPECT_EQ((*e)[0x26], 0);
  EXPECT_EQ(std::string(e->begin() + 0x40, e->begin() + 0x47), "MTK_BIN");
  // The size word sits right before the signature, LE.
  const std::size_t sizeAt = b.size() - spec.sigLength - 4;
  EXPECT_EQ(b[sizeAt], static_cast<std::uint8_t>(emiSize));
  EXPECT_EQ(b[sizeAt + 1], static_cast<std::uint8_t>(emiSize >> 8));
  EXPECT_EQ(b[sizeAt + 2], 0);
  EXPECT_EQ(b[sizeAt + 3], 0);
}

TEST(PreloaderBuild, SpecFieldsAreHonoured) {
  pl::TestPreloaderSpec spec;
  spec.chipName = "MT6580";
  spec.emiVersion = "13";
  spec.emiPayloadSize = 0x30;
  spec.loadAddress = 0x00102000;
  spec.sigLength = 0;
  spec.codeSize = 0x10;
  const Bytes b = pl::buildTestPreloader(spec);
  auto p = pl::parsePreloaderImage(b);
  ASSERT_TRUE(p) << p.error().describe();
  EXPECT_EQ(p->fileInfo.sigLength, 0u);
  EXPECT_EQ(p->fileInfo.sigType, 0);
  EXPECT_EQ(p->fileInfo.loadAddress, 0x00102000u);
  auto e = pl::extractEmi(b);
  ASSERT_TRUE(e) << e.error().describe();
  EXPECT_EQ(pl::emiVersion(*e), "v13");
  EXPECT_EQ(e->size(), 0x4cu + 0x30u);
  EXPECT_EQ(std::string(e->begin() + 0x20, e->begin() + 0x26), "MT6580");
}

TEST(PreloaderBuild, ZeroTailExercisesTheDropRule) {
  pl::TestPreloaderSpec spec;
  spec.zeroTailAfterEmi = true;
  const Bytes b = pl::buildTestPreloader(spec);
  // The u32 just before the signature is 0.
  const std::size_t lastAt = b.size() - spec.sigLength - 4;
  EXPECT_EQ(Bytes(b.begin() + lastAt, b.begin() + lastAt + 4), (Bytes{0, 0, 0, 0}));
  auto e = pl::extractEmi(b);
  ASSERT_TRUE(e) << e.error().describe();
  spec.zeroTailAfterEmi = false;
  EXPECT_EQ(*e, *pl::extractEmi(pl::buildTestPreloader(spec)));
}

TEST(PreloaderBuild, WithoutEmiGives5054) {
  pl::TestPreloaderSpec spec;
  spec.withEmi = false;
  const Bytes b = pl::buildTestPreloader(spec);
  ASSERT_TRUE(pl::parsePreloaderImage(b));
  EXPECT_EQ(b.size(), 0x38 + spec.codeSize + spec.sigLength);
  auto e = pl::extractEmi(b);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().code, 5054);
  EXPECT_EQ(e.error().name, "S_DL_GET_DRAM_SETTING_FAIL");
  EXPECT_NE(e.error().describe().find("hint: this preloader image carries no EMI"),
            std::string::npos);
}

TEST(PreloaderBuild, IsDeterministicAndDependsOnTheChip) {
  pl::TestPreloaderSpec a;
  EXPECT_EQ(pl::buildTestPreloader(a), pl::buildTestPreloader(a));
  pl::TestPreloaderSpec b;
  b.chipName = "MT6768";
  EXPECT_NE(pl::buildTestPreloader(a), pl::buildTestPreloader(b));
}

}  // namespace
