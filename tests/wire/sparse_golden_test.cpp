// mtk::wire::sparse: goldens written by hand from the format's field list (libsparse's
// sparse_format.h).
#include "sparse_test_support.hpp"

namespace {

using namespace mtk::test::sparse_support;

// ---- goldens -----------------------------------------------------------------------------

TEST(SparseGolden, FileHeader) {
  EXPECT_TRUE(sp::isSparse(kHeaderBytes));
  EXPECT_TRUE(sp::isSparse(ByteSpan(kHeaderBytes).first(4)));
  EXPECT_FALSE(sp::isSparse(ByteSpan(kHeaderBytes).first(3)));
  EXPECT_FALSE(sp::isSparse(Bytes{0x3A, 0xFF, 0x26, 0xEE}));

  auto h = sp::parseSparseHeader(kHeaderBytes);
  ASSERT_TRUE(h.ok()) << h.error().describe();
  EXPECT_EQ(h->majorVersion, 1);
  EXPECT_EQ(h->minorVersion, 0);
  EXPECT_EQ(h->fileHeaderSize, 28);
  EXPECT_EQ(h->chunkHeaderSize, 12);
  EXPECT_EQ(h->blockSize, 16u);
  EXPECT_EQ(h->totalBlocks, 8u);
  EXPECT_EQ(h->totalChunks, 5u);
  EXPECT_EQ(h->imageChecksum, 0u);
  EXPECT_EQ(h->unpackedSize(), 128u);
  EXPECT_EQ(sp::encodeSparseHeader(*h), kHeaderBytes);

  // A real-world shape: blk_sz 4096, 0x40000 blocks (1 GiB), 0x1234 chunks.
  Bytes big = {0x3A, 0xFF, 0x26, 0xED, 0x01, 0x00, 0x00, 0x00, 0x1C, 0x00, 0x0C, 0x00, 0x00, 0x10,
               0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x34, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  auto g = sp::parseSparseHeader(big);
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->blockSize, 4096u);
  EXPECT_EQ(g->totalBlocks, 0x40000u);
  EXPECT_EQ(g->totalChunks, 0x1234u);
  EXPECT_EQ(g->unpackedSize(), 1ull << 30);
}

TEST(SparseGolden, ChunkHeaders) {
  const sp::SparseHeader h = *sp::parseSparseHeader(kHeaderBytes);
  struct Case {
    const Bytes* bytes;
    sp::ChunkType type;
    std::uint32_t blocks;
    std::uint32_t total;
  };
  for (const Case& c : {Case{&kRawHeader, sp::ChunkType::Raw, 2, 44},
                        Case{&kFillHeader, sp::ChunkType::Fill, 3, 16},
                        Case{&kDontCareHeader, sp::ChunkType::DontCare, 2, 12},
                        Case{&kCrcHeader, sp::ChunkType::Crc32, 0, 16}}) {
    SCOPED_TRACE(sp::chunkTypeName(c.type));
    auto r = sp::parseChunkHeader(*c.bytes, h);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(r->type, c.type);
    EXPECT_EQ(r->blocks, c.blocks);
    EXPECT_EQ(r->totalSize, c.total);
    EXPECT_EQ(sp::encodeChunkHeader(*r), *c.bytes);
  }
}

TEST(SparseGolden, SmallImageGivesTheExpectedExtents) {
  const Bytes file = smallImage();
  ASSERT_EQ(file.size(), kSmallSize);
  auto r = sp::SparseReader::open(sp::pullFrom(file), {.name = "system.img"});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->unpackedSize(), 128u);
  EXPECT_EQ(r->fileOffset(), 28u);

  const std::vector<SparseExtent> want = {
      {SparseExtent::Data, 0, 32, 0, 0},
      {SparseExtent::Fill, 32, 48, 0xDEADBEEF, 1},
      {SparseExtent::Skip, 80, 32, 0, 2},
      {SparseExtent::Data, 112, 16, 0, 3},
  };
  std::vector<SparseExtent> got;
  Bytes data;
  while (true) {
    auto e = r->next();
    ASSERT_TRUE(e.ok()) << e.error().describe();
    if (!*e) break;
    got.push_back(**e);
    if ((*e)->kind != SparseExtent::Data) continue;
    EXPECT_EQ(r->dataRemaining(), (*e)->length);
    std::uint8_t buf[5];
    while (auto n = r->read(buf)) {
      if (*n == 0) break;
      data.insert(data.end(), buf, buf + *n);
    }
  }
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(describe(got[i]), describe(want[i])) << i;
    EXPECT_EQ(got[i].chunk, want[i].chunk) << i;
  }
  Bytes wantData;
  for (int i = 0; i < 32; ++i) wantData.push_back(static_cast<std::uint8_t>(i));
  golden::fill(wantData, 16, 0xAA);
  EXPECT_EQ(data, wantData);
  EXPECT_TRUE(r->done());
  EXPECT_EQ(r->chunksRead(), 5u);
  EXPECT_EQ(r->fileOffset(), kSmallSize);
  EXPECT_EQ(r->crc32(), zcrc(0, smallExpanded()));
  // After the end: still nothing, no error.
  auto again = r->next();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->has_value());

  auto x = expand(file);
  ASSERT_TRUE(x.ok()) << x.error().describe();
  EXPECT_EQ(x->bytes, smallExpanded());
}

TEST(SparseGolden, WriterProducesTheHandWrittenBytes) {
  Bytes out;
  auto w = sp::SparseWriter::start(sp::pushTo(out),
                                   {.blockSize = 16, .totalBlocks = 8, .totalChunks = 5});
  ASSERT_TRUE(w.ok()) << w.error().describe();
  Bytes first;
  for (int i = 0; i < 32; ++i) first.push_back(static_cast<std::uint8_t>(i));
  ASSERT_TRUE(w->addRaw(first).ok());
  ASSERT_TRUE(w->addFill(0xDEADBEEF, 3).ok());
  ASSERT_TRUE(w->addDontCare(2).ok());
  ASSERT_TRUE(w->addRaw(Bytes(16, 0xAA)).ok());
  EXPECT_EQ(w->crc32(), zcrc(0, smallExpanded()));
  ASSERT_TRUE(w->addCrc32().ok());
  auto st = w->finish();
  ASSERT_TRUE(st.ok()) << st.error().describe();
  EXPECT_EQ(out, smallImage());
  EXPECT_EQ(w->bytesWritten(), kSmallSize);
  EXPECT_EQ(w->blocksWritten(), 8u);
  EXPECT_EQ(w->chunksWritten(), 5u);
}

TEST(SparseGolden, LargerHeadersAreSkipped) {
  // file_hdr_sz 32 and chunk_hdr_sz 16 (a future minor version): the extra bytes are skipped
  // and total_sz counts the 16-byte chunk header.
  Bytes b = {0x3A, 0xFF, 0x26, 0xED, 0x01, 0x00, 0x07, 0x00, 0x20, 0x00, 0x10, 0x00, 0x04, 0x00,
             0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  golden::fill(b, 4, 0x99);  // the 4 header bytes this reader does not know
  // RAW 1 block (4 bytes), total_sz 16 + 4 = 20
  golden::put(b, {0xC1, 0xCA, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00});
  golden::fill(b, 4, 0x77);
  golden::put(b, {0x01, 0x02, 0x03, 0x04});
  // FILL 2 blocks, total_sz 20
  golden::put(b, {0xC2, 0xCA, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00});
  golden::fill(b, 4, 0x77);
  golden::put(b, {0x11, 0x22, 0x33, 0x44});
  // CRC32, total_sz 20
  golden::put(b, {0xC4, 0xCA, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00});
  golden::fill(b, 4, 0x77);
  const Bytes expanded = {0x01, 0x02, 0x03, 0x04, 0x11, 0x22, 0x33, 0x44, 0x11, 0x22, 0x33, 0x44};
  le32(b, zcrc(0, expanded));

  auto x = expand(b, 3);
  ASSERT_TRUE(x.ok()) << x.error().describe();
  EXPECT_EQ(x->bytes, expanded);
  ASSERT_EQ(x->extents.size(), 2u);
  EXPECT_EQ(describe(x->extents[1]), describe({SparseExtent::Fill, 4, 8, 0x44332211, 1}));
}

TEST(SparseGolden, ZeroBlockChunksAreConsumedSilently) {
  Bytes b = {0x3A, 0xFF, 0x26, 0xED, 0x01, 0x00, 0x00, 0x00, 0x1C, 0x00, 0x0C, 0x00, 0x04, 0x00,
             0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  chunkHeader(b, 0xCAC3, 0, 12);  // DONT_CARE of nothing
  chunkHeader(b, 0xCAC1, 0, 12);  // RAW of nothing
  chunkHeader(b, 0xCAC2, 1, 16);
  le32(b, 0x01020304);
  chunkHeader(b, 0xCAC2, 0, 16);  // FILL of nothing
  le32(b, 0xFFFFFFFF);
  auto x = expand(b);
  ASSERT_TRUE(x.ok()) << x.error().describe();
  ASSERT_EQ(x->extents.size(), 1u);
  EXPECT_EQ(x->extents[0].chunk, 2u);
  EXPECT_EQ(x->bytes, (Bytes{0x04, 0x03, 0x02, 0x01}));
}

}  // namespace
