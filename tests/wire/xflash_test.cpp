// XFlash wire format: golden bytes from mtk-protocols.md §4 and mtkclient-expectations.md §5.
#include <gtest/gtest.h>

#include "mtk/wire/xflash.hpp"

namespace mtk::wire::xflash {
namespace {

TEST(XFlashGolden, CommandHeaderIsTheDocsBytes) {
  // §5.6: header EF EE EE FE, type 1, length 4.
  EXPECT_EQ(hexdump(encodeHeader(4)), "ef ee ee fe 01 00 00 00 04 00 00 00");
  const Bytes h = {0xef, 0xee, 0xee, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00};
  auto d = decodeHeader(h);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->length, 0x100000u);
  const Bytes bad = {0xee, 0xee, 0xee, 0xfe, 0x01, 0, 0, 0, 4, 0, 0, 0};
  EXPECT_FALSE(decodeHeader(bad));
  EXPECT_FALSE(decodeHeader(ByteSpan(h.data(), 11)));
}

TEST(XFlashGolden, StorageParamOfThePgptReadExample) {
  // §4.5: "01000000 08000000 0000000000000000 4400000000000000 + 32 zero bytes".
  StorageParam p{STORAGE_EMMC, EMMC_USER, 0, 0x44, {}};
  Bytes expected = {0x01, 0, 0, 0, 0x08, 0, 0, 0, 0, 0, 0, 0,
                    0,    0, 0, 0, 0x44, 0, 0, 0, 0, 0, 0, 0};
  expected.resize(56, 0);
  EXPECT_EQ(encodeStorageParam(p), expected);
  auto d = decodeStorageParam(expected);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->length, 0x44u);
  EXPECT_FALSE(decodeStorageParam(ByteSpan(expected.data(), 55)));
}

TEST(XFlashGolden, EmmcInfoOffsets) {
  Bytes b(0x60, 0);
  b[0] = 1;                 // type
  b[5] = 0x02;              // block size 0x200
  b[8 + 2] = 0x40;          // boot1 = 0x400000
  b[8 + 8 * 7 + 4] = 0x10;  // user = 0x1000000000 (64 GiB)
  auto i = decodeEmmcInfo(b);
  ASSERT_TRUE(i);
  EXPECT_EQ(i->type, 1u);
  EXPECT_EQ(i->blockSize, 0x200u);
  EXPECT_EQ(i->boot1, 0x400000u);
  EXPECT_EQ(i->user, 0x1000000000ull);
  EXPECT_EQ(encodeEmmcInfo(*i), b);
  EXPECT_FALSE(decodeEmmcInfo(ByteSpan(b.data(), 0x5f)));
}

TEST(XFlashGolden, StatusNames) {
  EXPECT_EQ(describeStatus(0xc0070004), "STATUS_DA_HASH_MISMATCH (0xc0070004)");
  EXPECT_EQ(describeStatus(0x40040005), "STATUS_COMPLETE (0x40040005)");
  EXPECT_EQ(describeStatus(0x12345678), "0x12345678");
}

// The write checksum is the plain byte sum mod 2^16 (§4.5), whatever the length or pieces.
TEST(XFlashSum16, EqualsTheByteSumForAnyLengthAndSplit) {
  Bytes data(5000);
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<std::uint8_t>(255 - (i * 7) % 256);
  for (std::size_t len : {0, 1, 7, 8, 9, 1023, 1024, 1025, 4999, 5000}) {
    std::uint32_t naive = 0;
    for (std::size_t i = 0; i < len; ++i) naive += data[i];
    Sum16 one;
    one.update(ByteSpan(data.data(), len));
    EXPECT_EQ(one.value(), static_cast<std::uint16_t>(naive)) << len;
    Sum16 pieces;
    for (std::size_t off = 0; off < len; off += 333)
      pieces.update(ByteSpan(data.data() + off, std::min<std::size_t>(333, len - off)));
    EXPECT_EQ(pieces.value(), static_cast<std::uint16_t>(naive)) << len;
  }
  Bytes ff(1 << 20, 0xff);  // lanes near their limit
  Sum16 s;
  s.update(ff);
  EXPECT_EQ(s.value(), static_cast<std::uint16_t>((1u << 20) * 255u));
}

}  // namespace
}  // namespace mtk::wire::xflash
