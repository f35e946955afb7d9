// mtk::wire::sparse: goldens assembled by hand from the format's field list (AOSP libsparse's
// sparse_format.h: 28-byte file header, 12-byte chunk headers, RAW/FILL/DONT_CARE/CRC32), CRCs
// computed here with zlib over an expansion built by hand, corrupt files, writer -> reader round
// trips, and images whose expansion is far larger than anything held in memory.

#include "mtk/wire/sparse.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "golden_bytes.hpp"

namespace {

using mtk::Error;
using mtk::Result;
using mtk::Status;
using mtk::wire::Bytes;
using mtk::wire::ByteSpan;
using mtk::wire::MutableByteSpan;
namespace sp = mtk::wire::sparse;
namespace golden = mtk::test::golden;
using sp::SparseExtent;

constexpr std::uint64_t kMiB = 1ull << 20;

std::uint32_t zcrc(std::uint32_t crc, ByteSpan b) {
  return static_cast<std::uint32_t>(crc32(crc, b.data(), static_cast<uInt>(b.size())));
}

// Little-endian fields written out by hand, so the goldens do not lean on the code under test.
void le16(Bytes& b, std::uint16_t v) {
  golden::put(b, {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)});
}
void le32(Bytes& b, std::uint32_t v) {
  golden::put(b, {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                  static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)});
}
void chunkHeader(Bytes& b, std::uint16_t type, std::uint32_t blocks, std::uint32_t totalSize) {
  le16(b, type);
  le16(b, 0);
  le32(b, blocks);
  le32(b, totalSize);
}

// ---- the small golden image ----------------------------------------------------------------
// blk_sz 16, 8 blocks, 5 chunks: RAW 2 blocks (bytes 0x00..0x1f), FILL 3 blocks of 0xDEADBEEF,
// DONT_CARE 2 blocks, RAW 1 block of 0xAA, CRC32 of all 128 output bytes.

const Bytes kHeaderBytes = {
    0x3A, 0xFF, 0x26, 0xED,  // magic 0xED26FF3A
    0x01, 0x00,              // major 1
    0x00, 0x00,              // minor 0
    0x1C, 0x00,              // file_hdr_sz 28
    0x0C, 0x00,              // chunk_hdr_sz 12
    0x10, 0x00, 0x00, 0x00,  // blk_sz 16
    0x08, 0x00, 0x00, 0x00,  // total_blks 8
    0x05, 0x00, 0x00, 0x00,  // total_chunks 5
    0x00, 0x00, 0x00, 0x00,  // image_checksum 0
};
const Bytes kRawHeader = {0xC1, 0xCA, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00};
const Bytes kFillHeader = {0xC2, 0xCA, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00};
const Bytes kDontCareHeader = {0xC3, 0xCA, 0x00, 0x00, 0x02, 0x00,
                               0x00, 0x00, 0x0C, 0x00, 0x00, 0x00};
const Bytes kCrcHeader = {0xC4, 0xCA, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00};

// The 128 bytes the small image expands to (DONT_CARE as zeros).
Bytes smallExpanded() {
  Bytes out;
  for (int i = 0; i < 32; ++i) out.push_back(static_cast<std::uint8_t>(i));
  for (int i = 0; i < 12; ++i) golden::put(out, {0xEF, 0xBE, 0xAD, 0xDE});
  golden::zeros(out, 32);
  golden::fill(out, 16, 0xAA);
  return out;
}

Bytes smallImage(std::uint32_t crc) {
  Bytes b = kHeaderBytes;
  b.insert(b.end(), kRawHeader.begin(), kRawHeader.end());
  for (int i = 0; i < 32; ++i) b.push_back(static_cast<std::uint8_t>(i));
  b.insert(b.end(), kFillHeader.begin(), kFillHeader.end());
  golden::put(b, {0xEF, 0xBE, 0xAD, 0xDE});
  b.insert(b.end(), kDontCareHeader.begin(), kDontCareHeader.end());
  golden::put(b, {0xC1, 0xCA, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x1C, 0x00, 0x00, 0x00});
  golden::fill(b, 16, 0xAA);
  b.insert(b.end(), kCrcHeader.begin(), kCrcHeader.end());
  le32(b, crc);
  return b;
}

Bytes smallImage() {
  const Bytes x = smallExpanded();
  return smallImage(zcrc(0, x));
}

// Offsets in smallImage() (hand-counted): header 0, RAW 28 (data 40), FILL 72, DONT_CARE 88,
// RAW 100 (data 112), CRC32 128 (value 140), end 144.
constexpr std::size_t kSmallSize = 144;

// ---- helpers -----------------------------------------------------------------------------

std::string kindName(SparseExtent::Kind k) {
  switch (k) {
    case SparseExtent::Data:
      return "Data";
    case SparseExtent::Fill:
      return "Fill";
    case SparseExtent::Skip:
      return "Skip";
  }
  return "?";
}

std::string describe(const SparseExtent& e) {
  return kindName(e.kind) + "(" + std::to_string(e.outOffset) + "," + std::to_string(e.length) +
         "," + std::to_string(e.fillValue) + ")";
}

struct Expanded {
  std::vector<SparseExtent> extents;
  Bytes bytes;  // the whole output, DONT_CARE as zeros (small images only)
};

// Reads a whole image through the streaming API, `chunk` bytes per read() call.
Result<Expanded> expand(sp::Pull pull, std::size_t chunk = 7, sp::SparseReader::Options o = {}) {
  auto r = sp::SparseReader::open(std::move(pull), o);
  if (!r) return r.error();
  Expanded out;
  out.bytes.resize(r->unpackedSize());
  Bytes buf(chunk);
  while (true) {
    auto e = r->next();
    if (!e) return e.error();
    if (!*e) break;
    const SparseExtent& x = **e;
    out.extents.push_back(x);
    MutableByteSpan dst(out.bytes.data() + x.outOffset, x.length);
    if (x.kind == SparseExtent::Fill) sp::fillPattern(x.fillValue, dst);
    if (x.kind != SparseExtent::Data) continue;
    std::size_t at = 0;
    while (true) {
      auto n = r->read(buf);
      if (!n) return n.error();
      if (*n == 0) break;
      std::copy_n(buf.begin(), *n, dst.begin() + static_cast<std::ptrdiff_t>(at));
      at += *n;
    }
    if (at != x.length) return mtk::makeError(-1, "TEST", "short Data extent");
  }
  if (!r->done()) return mtk::makeError(-1, "TEST", "not done");
  return out;
}

Result<Expanded> expand(const Bytes& file, std::size_t chunk = 7) {
  return expand(sp::pullFrom(file), chunk);
}

// A pull that hands out at most `step` bytes per call.
sp::Pull trickle(const Bytes& file, std::size_t step) {
  return [&file, step, pos = std::size_t{0}](MutableByteSpan out) mutable -> Result<std::size_t> {
    const std::size_t n = std::min({out.size(), step, file.size() - pos});
    std::copy_n(file.begin() + static_cast<std::ptrdiff_t>(pos), n, out.begin());
    pos += n;
    return n;
  };
}

Error expandError(const Bytes& file) {
  auto r = expand(file);
  EXPECT_FALSE(r.ok()) << "expected an error";
  if (r.ok()) return Error{};
  return r.error();
}

bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

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

// ---- writer ------------------------------------------------------------------------------

TEST(SparseWriter, PiecewiseRawEqualsAddRaw) {
  Bytes data(3 * 4096);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7);
  Bytes a;
  Bytes b;
  auto wa = sp::SparseWriter::start(sp::pushTo(a), {.totalBlocks = 3, .totalChunks = 1});
  ASSERT_TRUE(wa.ok());
  ASSERT_TRUE(wa->addRaw(data).ok());
  ASSERT_TRUE(wa->finish().ok());
  auto wb = sp::SparseWriter::start(sp::pushTo(b), {.totalBlocks = 3, .totalChunks = 1});
  ASSERT_TRUE(wb.ok());
  ASSERT_TRUE(wb->beginRaw(3).ok());
  for (std::size_t at = 0; at < data.size(); at += 1000) {
    const std::size_t n = std::min<std::size_t>(1000, data.size() - at);
    ASSERT_TRUE(wb->writeRaw(ByteSpan(data).subspan(at, n)).ok());
  }
  ASSERT_TRUE(wb->finish().ok());
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 28u + 12u + data.size());
}

TEST(SparseWriter, Misuse) {
  Bytes out;
  EXPECT_FALSE(sp::SparseWriter::start(sp::pushTo(out), {.blockSize = 6}).ok());
  EXPECT_FALSE(sp::SparseWriter::start(sp::pushTo(out), {.blockSize = 0}).ok());

  auto w = sp::SparseWriter::start(sp::pushTo(out),
                                   {.blockSize = 16, .totalBlocks = 4, .totalChunks = 3});
  ASSERT_TRUE(w.ok());
  Status st = w->addRaw(Bytes(15));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().name, "SPARSE_WRITER_INVALID");
  EXPECT_FALSE(w->addRaw(Bytes{}).ok());
  EXPECT_FALSE(w->addFill(0, 0).ok());
  EXPECT_FALSE(w->addDontCare(5).ok());  // past total_blks 4
  ASSERT_TRUE(w->beginRaw(2).ok());
  EXPECT_FALSE(w->addDontCare(1).ok());  // RAW still open
  EXPECT_FALSE(w->finish().ok());
  EXPECT_FALSE(w->writeRaw(Bytes(33)).ok());  // more than the chunk holds
  ASSERT_TRUE(w->writeRaw(Bytes(32)).ok());
  ASSERT_TRUE(w->addDontCare(1).ok());
  st = w->finish();
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(has(st.error().message, "the chunks describe 3 blocks, the header declared 4"));
  ASSERT_TRUE(w->addFill(7, 1).ok());
  EXPECT_FALSE(w->addCrc32().ok());  // a fourth chunk of three
  EXPECT_TRUE(w->finish().ok());

  // A RAW chunk of 4 GiB does not fit total_sz.
  auto big = sp::SparseWriter::start(sp::pushTo(out), {.totalBlocks = 1u << 20, .totalChunks = 1});
  ASSERT_TRUE(big.ok());
  st = big->beginRaw(1u << 20);
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(has(st.error().message, "split it")) << st.error().message;
}

TEST(SparseWriter, PushFailuresAreReturnedAndSticky) {
  int pushes = 0;
  sp::Push push = [&](ByteSpan) -> Status {
    if (++pushes == 2) return mtk::makeError(-28, "ENOSPC", "no space left on device");
    return {};
  };
  auto w = sp::SparseWriter::start(push, {.blockSize = 16, .totalBlocks = 2, .totalChunks = 2});
  ASSERT_TRUE(w.ok());
  Status st = w->addFill(1, 1);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().name, "ENOSPC");
  EXPECT_TRUE(has(st.error().message, "writing a sparse image at file offset 0x1c"));
  st = w->addFill(1, 1);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().name, "ENOSPC");
  EXPECT_EQ(pushes, 2);
  EXPECT_FALSE(w->finish().ok());
}

TEST(SparseWriter, RoundTripThroughTheReader) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE(round);
    const std::uint32_t blockSize = 4u << (rng() % 4);  // 4, 8, 16, 32
    struct Op {
      int kind;  // 0 raw, 1 fill, 2 dont care, 3 crc
      std::uint32_t blocks;
      std::uint32_t value;
    };
    std::vector<Op> ops;
    std::uint32_t blocks = 0;
    const int n = 1 + static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) {
      Op op{static_cast<int>(rng() % 4), 1 + static_cast<std::uint32_t>(rng() % 9),
            static_cast<std::uint32_t>(rng())};
      if (op.kind == 3) op.blocks = 0;
      blocks += op.blocks;
      ops.push_back(op);
    }
    // The expected output, built without the library.
    Bytes want;
    for (const Op& op : ops) {
      const std::size_t len = std::size_t{op.blocks} * blockSize;
      if (op.kind == 0) {
        for (std::size_t i = 0; i < len; ++i) want.push_back(static_cast<std::uint8_t>(rng()));
      } else if (op.kind == 1) {
        for (std::size_t i = 0; i < len; ++i) {
          want.push_back(static_cast<std::uint8_t>(op.value >> (8 * (i % 4))));
        }
      } else if (op.kind == 2) {
        golden::zeros(want, len);
      }
    }
    Bytes file;
    auto w = sp::SparseWriter::start(sp::pushTo(file),
                                     {.blockSize = blockSize,
                                      .totalBlocks = blocks,
                                      .totalChunks = static_cast<std::uint32_t>(ops.size())});
    ASSERT_TRUE(w.ok());
    std::size_t at = 0;
    for (const Op& op : ops) {
      const std::size_t len = std::size_t{op.blocks} * blockSize;
      Status st;
      if (op.kind == 0) st = w->addRaw(ByteSpan(want).subspan(at, len));
      if (op.kind == 1) st = w->addFill(op.value, op.blocks);
      if (op.kind == 2) st = w->addDontCare(op.blocks);
      if (op.kind == 3) {
        EXPECT_EQ(w->crc32(), zcrc(0, ByteSpan(want).first(at)));
        st = w->addCrc32();
      }
      ASSERT_TRUE(st.ok()) << st.error().describe();
      at += len;
    }
    ASSERT_TRUE(w->finish().ok());
    auto x = expand(trickle(file, 1 + rng() % 50), 1 + rng() % 40);
    ASSERT_TRUE(x.ok()) << x.error().describe();
    EXPECT_EQ(x->bytes, want);
  }
}

// ---- big images, small memory -----------------------------------------------------------

TEST(SparseBig, SixtyFourMiBFromATinyFile) {
  // 16384 blocks of 4 KiB: FILL 0 (32 MiB), DONT_CARE (16 MiB), one RAW block, FILL 0x11223344
  // (the rest), CRC32. The reader never asks the pull for more than its 64 KiB scratch or the
  // caller's 4 KiB buffer, and the CRC over 64 MiB of fills is checked.
  Bytes file;
  auto w = sp::SparseWriter::start(sp::pushTo(file),
                                   {.blockSize = 4096, .totalBlocks = 16384, .totalChunks = 5});
  ASSERT_TRUE(w.ok());
  Bytes raw(4096);
  for (std::size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<std::uint8_t>(i ^ 0x5A);
  ASSERT_TRUE(w->addFill(0, 8192).ok());
  ASSERT_TRUE(w->addDontCare(4096).ok());
  ASSERT_TRUE(w->addRaw(raw).ok());
  ASSERT_TRUE(w->addFill(0x11223344, 4095).ok());
  ASSERT_TRUE(w->addCrc32().ok());
  ASSERT_TRUE(w->finish().ok());
  EXPECT_EQ(file.size(), 28u + 16 + 12 + (12 + 4096) + 16 + 16);

  // The expected CRC, the slow way: zlib over every byte, 1 MiB at a time.
  std::uint32_t want = 0;
  Bytes piece(kMiB, 0);
  for (int i = 0; i < 48; ++i) want = zcrc(want, piece);
  want = zcrc(want, raw);
  sp::fillPattern(0x11223344, piece);
  for (std::uint64_t left = 4095 * 4096; left > 0;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, piece.size()));
    want = zcrc(want, ByteSpan(piece).first(n));
    left -= n;
  }
  EXPECT_EQ(w->crc32(), want);

  std::size_t biggestAsk = 0;
  std::size_t pos = 0;
  sp::Pull pull = [&](MutableByteSpan out) -> Result<std::size_t> {
    biggestAsk = std::max(biggestAsk, out.size());
    const std::size_t n = std::min(out.size(), file.size() - pos);
    std::copy_n(file.begin() + static_cast<std::ptrdiff_t>(pos), n, out.begin());
    pos += n;
    return n;
  };
  auto r = sp::SparseReader::open(pull);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->unpackedSize(), 64 * kMiB);
  std::uint64_t covered = 0;
  std::uint64_t data = 0;
  std::uint8_t buf[4096];
  while (true) {
    auto e = r->next();
    ASSERT_TRUE(e.ok()) << e.error().describe();
    if (!*e) break;
    EXPECT_EQ((*e)->outOffset, covered);
    covered += (*e)->length;
    while (true) {
      auto n = r->read(buf);
      ASSERT_TRUE(n.ok());
      if (*n == 0) break;
      data += *n;
    }
  }
  EXPECT_EQ(covered, 64 * kMiB);
  EXPECT_EQ(data, 4096u);
  EXPECT_EQ(r->crc32(), want);
  EXPECT_LE(biggestAsk, 64u * 1024);
}

TEST(SparseBig, SixteenTiBOfFillsAndHoles) {
  // total_blks 0xFFFFFFFF of 4 KiB: almost 16 TiB of output from an 88-byte file. Expanding it,
  // or computing its CRC a byte at a time, would never finish; the CRC32 chunk still checks.
  Bytes file;
  auto w = sp::SparseWriter::start(
      sp::pushTo(file), {.blockSize = 4096, .totalBlocks = 0xFFFFFFFF, .totalChunks = 4});
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE(w->addDontCare(0x80000000u).ok());
  ASSERT_TRUE(w->addFill(0xA5A5A5A5, 0x7FFFFFFF).ok());
  ASSERT_TRUE(w->addCrc32().ok());
  ASSERT_TRUE(w->addCrc32().ok());
  ASSERT_TRUE(w->finish().ok());
  EXPECT_EQ(file.size(), 28u + 12 + 16 + 16 + 16);

  auto r = sp::SparseReader::open(sp::pullFrom(file));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->unpackedSize(), 0xFFFFFFFFull * 4096);
  std::vector<SparseExtent> got;
  while (true) {
    auto e = r->next();
    ASSERT_TRUE(e.ok()) << e.error().describe();
    if (!*e) break;
    got.push_back(**e);
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(describe(got[0]), describe({SparseExtent::Skip, 0, 0x80000000ull * 4096, 0, 0}));
  EXPECT_EQ(got[1].outOffset, 0x80000000ull * 4096);
  EXPECT_EQ(got[1].length, 0x7FFFFFFFull * 4096);
  EXPECT_EQ(r->crc32(), w->crc32());

  // The same CRC arithmetic on a size that can be checked byte by byte: 3 blocks of zeros,
  // then 5 blocks of 0xA5A5A5A5, at 4 KiB.
  Bytes small;
  auto s = sp::SparseWriter::start(sp::pushTo(small),
                                   {.blockSize = 4096, .totalBlocks = 8, .totalChunks = 3});
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->addDontCare(3).ok());
  ASSERT_TRUE(s->addFill(0xA5A5A5A5, 5).ok());
  ASSERT_TRUE(s->addCrc32().ok());
  Bytes flat(3 * 4096, 0);
  golden::fill(flat, 5 * 4096, 0xA5);
  EXPECT_EQ(s->crc32(), zcrc(0, flat));
  EXPECT_TRUE(expand(small).ok());
}

}  // namespace
