// mtk::wire::sparse: the reader with short pulls and small buffers, and corrupt inputs.
#include "sparse_test_support.hpp"

namespace {

using namespace mtk::test::sparse_support;

// ---- reader behaviour --------------------------------------------------------------------

TEST(SparseReader, ShortPullsAndSmallBuffersGiveTheSameOutput) {
  const Bytes file = smallImage();
  for (std::size_t step : {1u, 2u, 3u, 13u, 1000u}) {
    for (std::size_t chunk : {1u, 4u, 16u, 64u}) {
      auto x = expand(trickle(file, step), chunk);
      ASSERT_TRUE(x.ok()) << step << "/" << chunk << ": " << x.error().describe();
      EXPECT_EQ(x->bytes, smallExpanded()) << step << "/" << chunk;
    }
  }
}

TEST(SparseReader, DataTheCallerDoesNotReadIsSkippedAndStillChecksummed) {
  const Bytes file = smallImage();
  auto r = sp::SparseReader::open(sp::pullFrom(file));
  ASSERT_TRUE(r.ok());
  int extents = 0;
  while (true) {
    auto e = r->next();  // never calls read(); the CRC32 chunk still matches
    ASSERT_TRUE(e.ok()) << e.error().describe();
    if (!*e) break;
    ++extents;
    if ((*e)->chunk == 0) {
      std::uint8_t two[2];
      auto n = r->read(two);  // a partial read, then the rest is dropped
      ASSERT_TRUE(n.ok());
      EXPECT_EQ(*n, 2u);
      EXPECT_EQ(r->dataRemaining(), 30u);
    }
  }
  EXPECT_EQ(extents, 4);
  EXPECT_EQ(r->fileOffset(), kSmallSize);

  // read() outside a Data extent returns 0.
  auto q = sp::SparseReader::open(sp::pullFrom(file));
  ASSERT_TRUE(q.ok());
  std::uint8_t buf[8];
  auto n = q->read(buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
}

TEST(SparseReader, CrcChecksCanBeTurnedOffAndImageChecksumOn) {
  const Bytes x = smallExpanded();
  const std::uint32_t good = zcrc(0, x);
  const Bytes bad = smallImage(good ^ 1);
  EXPECT_FALSE(expand(bad).ok());
  auto off = expand(sp::pullFrom(bad), 7, {.verifyCrc = false});
  ASSERT_TRUE(off.ok()) << off.error().describe();
  EXPECT_EQ(off->bytes, x);

  // image_checksum: ignored by default (as libsparse does), checked on request.
  Bytes withSum = smallImage();
  withSum[24] = 0x01;  // image_checksum = 1: wrong
  EXPECT_TRUE(expand(withSum).ok());
  auto checked = expand(sp::pullFrom(withSum), 7, {.verifyImageChecksum = true});
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().name, "SPARSE_CRC_MISMATCH");
  EXPECT_TRUE(has(checked.error().message, "image_checksum is 0x00000001"))
      << checked.error().message;
  for (int i = 0; i < 4; ++i) withSum[24 + i] = static_cast<std::uint8_t>(good >> (8 * i));
  EXPECT_TRUE(expand(sp::pullFrom(withSum), 7, {.verifyImageChecksum = true}).ok());
}

TEST(SparseReader, PullErrorsArePassedOnAndSticky) {
  const Bytes file = smallImage();
  // Serves the header, the first chunk header and 30 bytes of RAW data, then fails.
  int calls = 0;
  std::size_t pos = 0;
  sp::Pull failing = [&](MutableByteSpan out) -> Result<std::size_t> {
    if (++calls > 3) return mtk::makeError(-5, "IO_ERROR", "disk on fire");
    const std::size_t n = std::min<std::size_t>(out.size(), 30);
    std::copy_n(file.begin() + static_cast<std::ptrdiff_t>(pos), n, out.begin());
    pos += n;
    return n;
  };
  auto r = sp::SparseReader::open(failing, {.name = "vendor.img"});
  ASSERT_TRUE(r.ok());
  Result<std::optional<SparseExtent>> e = r->next();
  std::uint8_t buf[64];
  Result<std::size_t> n = r->read(buf);
  ASSERT_TRUE(e.ok());
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().name, "IO_ERROR");
  EXPECT_TRUE(has(n.error().message, "vendor.img: reading RAW data at file offset 0x"))
      << n.error().message;
  auto again = r->next();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().name, "IO_ERROR");
}

// ---- corrupt inputs ----------------------------------------------------------------------

TEST(SparseCorrupt, BadFileHeaders) {
  struct Case {
    std::size_t at;
    std::uint8_t value;
    const char* message;
  };
  for (const Case& c : {Case{0, 0x3B, "not an Android sparse image: magic is 0xed26ff3b"},
                        Case{4, 0x02, "sparse format version 2.0 is not supported"},
                        Case{8, 0x1B, "file_hdr_sz is 27"}, Case{10, 0x0B, "chunk_hdr_sz is 11"},
                        Case{12, 0x12, "blk_sz is 18, not a non-zero multiple of 4"},
                        Case{13, 0x00, "blk_sz is 0"}}) {
    Bytes h = kHeaderBytes;
    h[c.at] = c.value;
    if (c.at == 13) h[12] = 0;
    auto r = sp::parseSparseHeader(h);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.error().name, "SPARSE_CORRUPT");
    EXPECT_EQ(r.error().code, -1);
    EXPECT_TRUE(has(r.error().message, c.message)) << r.error().message;
    EXPECT_FALSE(r.error().hint.empty());
  }
  EXPECT_FALSE(sp::parseSparseHeader(ByteSpan(kHeaderBytes).first(27)).ok());

  // Through the reader the image name leads the message.
  Bytes file = smallImage();
  file[3] = 0x00;
  auto r = sp::SparseReader::open(sp::pullFrom(file), {.name = "userdata.img"});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.error().message, "userdata.img: not an Android sparse image"))
      << r.error().message;
}

TEST(SparseCorrupt, TotalSizeMismatch) {
  Bytes file = smallImage();
  file[28 + 8] = 0x2D;  // RAW of 2 blocks of 16 says total_sz 45, not 44
  Error e = expandError(file);
  EXPECT_EQ(e.name, "SPARSE_CORRUPT");
  EXPECT_TRUE(has(e.message,
                  "sparse image: chunk 0 of 5 at file offset 0x1c: total_sz is 45 but "
                  "a RAW chunk of 2 blocks of 16 bytes takes 44 bytes"))
      << e.message;

  file = smallImage();
  file[72 + 8] = 0x0C;  // FILL with total_sz 12
  e = expandError(file);
  EXPECT_TRUE(has(e.message,
                  "chunk 1 of 5 at file offset 0x48: total_sz is 12 but a FILL chunk "
                  "takes 16 bytes"))
      << e.message;

  file = smallImage();
  file[88 + 8] = 0x10;  // DONT_CARE with total_sz 16
  e = expandError(file);
  EXPECT_TRUE(has(e.message, "chunk 2 of 5 at file offset 0x58: total_sz is 16 but a DONT_CARE"))
      << e.message;

  file = smallImage();
  file[128 + 8] = 0x0C;  // CRC32 with total_sz 12
  e = expandError(file);
  EXPECT_TRUE(has(e.message, "chunk 4 of 5 at file offset 0x80: total_sz is 12 but a CRC32"))
      << e.message;
}

TEST(SparseCorrupt, RawSizeThatWrapsIn32Bits) {
  // blk_sz 2^28, RAW of 16 blocks: 12 + 2^32 bytes, which a 32-bit sum would see as 12.
  sp::SparseHeader h;
  h.blockSize = 1u << 28;
  h.totalBlocks = 16;
  h.totalChunks = 1;
  Bytes c;
  chunkHeader(c, 0xCAC1, 16, 12);
  auto r = sp::parseChunkHeader(c, h);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.error().message, "takes 4294967308 bytes")) << r.error().message;
}

TEST(SparseCorrupt, ChunkPastTotalBlocks) {
  Bytes file = smallImage();
  file[16] = 0x07;  // total_blks 7: the last RAW (block 7) runs past it
  Error e = expandError(file);
  EXPECT_EQ(e.name, "SPARSE_CORRUPT");
  EXPECT_TRUE(has(e.message,
                  "chunk 3 of 5 at file offset 0x64: RAW chunk of 1 blocks starting at "
                  "block 7 runs past total_blks 7"))
      << e.message;

  file = smallImage();
  file[16] = 0x09;  // total_blks 9: the chunks describe only 8
  e = expandError(file);
  EXPECT_TRUE(has(e.message, "the 5 chunks describe 8 blocks, but total_blks is 9")) << e.message;

  // parseChunkHeader on its own: index past total_chunks, blocks past total_blks.
  const sp::SparseHeader h = *sp::parseSparseHeader(kHeaderBytes);
  auto r = sp::parseChunkHeader(kRawHeader, h, {.index = 5, .fileOffset = 0x90});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.error().message,
                  "chunk 5 of 5 at file offset 0x90: the header announces "
                  "only 5 chunks"))
      << r.error().message;
  r = sp::parseChunkHeader(kFillHeader, h, {.index = 2, .blocksBefore = 6});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(has(r.error().message, "FILL chunk of 3 blocks starting at block 6 runs past"));
}

TEST(SparseCorrupt, UnknownChunkType) {
  Bytes file = smallImage();
  file[88] = 0xC5;  // 0xCAC5 instead of DONT_CARE
  Error e = expandError(file);
  EXPECT_EQ(e.name, "STATUS_UNKNOWN_SPARSE_CHUNK_TYPE");
  EXPECT_EQ(e.code, 0xC0040005);
  EXPECT_TRUE(has(e.message, "chunk 2 of 5 at file offset 0x58: unknown chunk type 0xcac5"))
      << e.message;
}

TEST(SparseCorrupt, TruncatedAnywhere) {
  const Bytes file = smallImage();
  for (std::size_t cut = 0; cut < file.size(); ++cut) {
    const Bytes part(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(cut));
    auto r = expand(part);
    ASSERT_FALSE(r.ok()) << "cut at " << cut;
    EXPECT_EQ(r.error().name, "SPARSE_CORRUPT") << cut;
    EXPECT_TRUE(has(r.error().message, "truncated")) << r.error().message;
  }
  // Cut inside the first RAW's data: names the offset, the chunk and what is missing.
  const Bytes part(file.begin(), file.begin() + 50);
  Error e = expandError(part);
  EXPECT_TRUE(has(e.message, "the file ends at offset 0x32, "));
  EXPECT_TRUE(has(e.message, "in RAW data of chunk 0 of 5 (header at file offset 0x1c)"))
      << e.message;
  // total_chunks larger than the chunks present.
  Bytes more = file;
  more[20] = 0x06;
  e = expandError(more);
  EXPECT_TRUE(has(e.message, "in the chunk header of chunk 5 of 6")) << e.message;
}

TEST(SparseCorrupt, BadCrc) {
  Bytes file = smallImage();
  file[40 + 5] ^= 0x01;  // one data bit of the first RAW chunk
  Error e = expandError(file);
  EXPECT_EQ(e.name, "SPARSE_CRC_MISMATCH");
  EXPECT_TRUE(has(e.message, "chunk 4 of 5 at file offset 0x80: CRC32 chunk says 0x")) << e.message;
  EXPECT_TRUE(has(e.message, "but the first 128 bytes of output have CRC32 0x")) << e.message;

  file = smallImage();
  file[84] ^= 0x01;  // the fill value
  EXPECT_EQ(expandError(file).name, "SPARSE_CRC_MISMATCH");
}

}  // namespace
