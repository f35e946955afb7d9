// mtk::wire byte helpers: the bounds-checked Reader, fixed-size strings and hexdump. Expected
// values are written by hand.

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "mtk/wire/bytes.hpp"

namespace {

using mtk::wire::Bytes;
using mtk::wire::ByteSpan;
using mtk::wire::Reader;
using mtk::wire::Writer;

// ------------------------------------------------------------------------------------------
// Reader: values and byte order
// ------------------------------------------------------------------------------------------

TEST(Reader, ReadsBigAndLittleEndian) {
  const Bytes golden = {0x12,                                             // u8
                        0x12, 0x34,                                       // be16 0x1234
                        0x12, 0x34, 0x56, 0x78,                           // be32 0x12345678
                        0x34, 0x12,                                       // le16 0x1234
                        0x78, 0x56, 0x34, 0x12,                           // le32 0x12345678
                        0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01};  // le64
  Reader r(golden);
  EXPECT_EQ(r.u8(), 0x12);
  EXPECT_EQ(r.be16(), 0x1234);
  EXPECT_EQ(r.be32(), 0x12345678u);
  EXPECT_EQ(r.le16(), 0x1234);
  EXPECT_EQ(r.le32(), 0x12345678u);
  EXPECT_EQ(r.le64(), 0x0123456789abcdefull);
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(r.position(), golden.size());
}

TEST(Reader, ReadingExactlyToTheEndIsNotAFailure) {
  const Bytes golden = {0xde, 0xad, 0xbe, 0xef};
  Reader r(golden);
  EXPECT_EQ(r.be32(), 0xdeadbeefu);
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(r.remaining(), 0u);
}

// ------------------------------------------------------------------------------------------
// Reader: bounds
// ------------------------------------------------------------------------------------------

TEST(Reader, ReadPastEndFailsAndReturnsZero) {
  const Bytes golden = {0xff, 0xff, 0xff};
  Reader r(golden);
  EXPECT_EQ(r.be32(), 0u);  // 4 bytes wanted, 3 present
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(r.position(), 0u);  // nothing consumed by the failed read
}

TEST(Reader, EveryWidthFailsOnShortInput) {
  const Bytes one = {0xff};
  {
    Reader r(one);
    EXPECT_EQ(r.be16(), 0);
    EXPECT_TRUE(r.failed());
  }
  {
    Reader r(one);
    EXPECT_EQ(r.le16(), 0);
    EXPECT_TRUE(r.failed());
  }
  {
    Reader r(one);
    EXPECT_EQ(r.le32(), 0u);
    EXPECT_TRUE(r.failed());
  }
  {
    Reader r(one);
    EXPECT_EQ(r.le64(), 0u);
    EXPECT_TRUE(r.failed());
  }
  {
    Reader r(ByteSpan{});
    EXPECT_EQ(r.u8(), 0);
    EXPECT_TRUE(r.failed());
  }
}

TEST(Reader, FailureIsStickyEvenWhenBytesRemain) {
  const Bytes golden = {0xaa, 0xbb, 0xcc};
  Reader r(golden);
  EXPECT_EQ(r.be32(), 0u);
  ASSERT_TRUE(r.failed());
  // 3 bytes are still physically there, but after a failure every read gives zero.
  EXPECT_EQ(r.u8(), 0);
  EXPECT_EQ(r.be16(), 0);
  EXPECT_TRUE(r.bytes(1).empty());
  EXPECT_TRUE(r.failed());
}

TEST(Reader, BytesPastEndReturnsEmptySpan) {
  const Bytes golden = {0x01, 0x02, 0x03};
  Reader r(golden);
  ByteSpan two = r.bytes(2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0], 0x01);
  EXPECT_EQ(two[1], 0x02);
  EXPECT_TRUE(r.bytes(2).empty());
  EXPECT_TRUE(r.failed());
}

TEST(Reader, HugeLengthDoesNotWrapAround) {
  const Bytes golden = {0x01, 0x02, 0x03, 0x04};
  Reader r(golden);
  r.u8();
  EXPECT_TRUE(r.bytes(std::numeric_limits<std::size_t>::max()).empty());
  EXPECT_TRUE(r.failed());
  Reader s(golden);
  s.skip(std::numeric_limits<std::size_t>::max());
  EXPECT_TRUE(s.failed());
}

TEST(Reader, SkipAdvancesAndFailsPastEnd) {
  const Bytes golden = {0x00, 0x00, 0x00, 0x2a};
  Reader r(golden);
  r.skip(3);
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(r.position(), 3u);
  EXPECT_EQ(r.remaining(), 1u);
  EXPECT_EQ(r.u8(), 0x2a);
  r.skip(1);
  EXPECT_TRUE(r.failed());
}

TEST(Reader, ZeroLengthReadAtEndIsFine) {
  const Bytes golden = {0x01};
  Reader r(golden);
  r.u8();
  EXPECT_TRUE(r.bytes(0).empty());
  EXPECT_FALSE(r.failed());
}

// ------------------------------------------------------------------------------------------
// fixedString
// ------------------------------------------------------------------------------------------

TEST(FixedString, ReaderStopsAtFirstNulAndConsumesTheWholeField) {
  const Bytes golden = {'1', '-', '1', 0x00, 'x', 'y', 0x00, 0x00,  // char[8] "1-1" + junk
                        0x42};
  Reader r(golden);
  EXPECT_EQ(r.fixedString(8), "1-1");
  EXPECT_EQ(r.position(), 8u);
  EXPECT_EQ(r.u8(), 0x42);
  EXPECT_FALSE(r.failed());
}

TEST(FixedString, ReaderFieldWithoutNulUsesAllBytes) {
  const Bytes golden = {'a', 'b', 'c', 'd'};
  Reader r(golden);
  EXPECT_EQ(r.fixedString(4), "abcd");
  EXPECT_FALSE(r.failed());
}

TEST(FixedString, ReaderAllZeroFieldIsEmpty) {
  const Bytes golden(32, 0x00);
  Reader r(golden);
  EXPECT_EQ(r.fixedString(32), "");
  EXPECT_FALSE(r.failed());
}

TEST(FixedString, ReaderPastEndFailsAndGivesEmpty) {
  const Bytes golden = {'a', 'b', 'c'};
  Reader r(golden);
  EXPECT_EQ(r.fixedString(4), "");
  EXPECT_TRUE(r.failed());
}

TEST(FixedString, WriterPadsWithNul) {
  Bytes out;
  Writer(out).fixedString("1-1", 8);
  const Bytes expected = {'1', '-', '1', 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(out, expected);
}

TEST(FixedString, WriterTruncatesToSizeMinusOneSoANulAlwaysEnds) {
  Bytes out;
  Writer(out).fixedString("abcdef", 4);
  const Bytes expected = {'a', 'b', 'c', 0x00};
  EXPECT_EQ(out, expected);

  Bytes exact;
  Writer(exact).fixedString("abcd", 4);  // 4 chars do not fit next to the NUL
  EXPECT_EQ(exact, expected);
}

TEST(FixedString, WriterSizeZeroWritesNothing) {
  Bytes out;
  Writer(out).fixedString("abc", 0);
  EXPECT_TRUE(out.empty());
}

// ------------------------------------------------------------------------------------------
// Writer byte order (against hand-written bytes)
// ------------------------------------------------------------------------------------------

TEST(Writer, WritesBigAndLittleEndian) {
  Bytes out;
  Writer(out)
      .u8(0x12)
      .be16(0x1234)
      .be32(0x12345678)
      .le16(0x1234)
      .le32(0x12345678)
      .le64(0x0123456789abcdefull)
      .zeros(2);
  const Bytes expected = {0x12, 0x12, 0x34, 0x12, 0x34, 0x56, 0x78, 0x34, 0x12, 0x78, 0x56, 0x34,
                          0x12, 0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01, 0x00, 0x00};
  EXPECT_EQ(out, expected);
}

TEST(Writer, AppendsToExistingBytes) {
  Bytes out = {0xaa};
  const Bytes tail = {0x01, 0x02};
  Writer(out).bytes(tail);
  const Bytes expected = {0xaa, 0x01, 0x02};
  EXPECT_EQ(out, expected);
}

// ------------------------------------------------------------------------------------------
// hexdump
// ------------------------------------------------------------------------------------------

TEST(Hexdump, LowercaseSpaceSeparated) {
  const Bytes golden = {0x0a, 0x1b, 0xff, 0x00};
  EXPECT_EQ(mtk::wire::hexdump(golden), "0a 1b ff 00");
}

TEST(Hexdump, Empty) {
  EXPECT_EQ(mtk::wire::hexdump(ByteSpan{}), "");
}

TEST(Hexdump, LimitAddsEllipsis) {
  const Bytes golden = {0x00, 0x01, 0x02, 0x03, 0x04};
  EXPECT_EQ(mtk::wire::hexdump(golden, 3), "00 01 02 ...");
  EXPECT_EQ(mtk::wire::hexdump(golden, 5), "00 01 02 03 04");  // exactly the limit: no "..."
}

TEST(Hexdump, DefaultLimitIs64Bytes) {
  const Bytes sixtyFour(64, 0xab);
  std::string expected;
  for (int i = 0; i < 64; ++i) expected += i ? " ab" : "ab";
  EXPECT_EQ(mtk::wire::hexdump(sixtyFour), expected);

  const Bytes sixtyFive(65, 0xab);
  EXPECT_EQ(mtk::wire::hexdump(sixtyFive), expected + " ...");
}

}  // namespace
