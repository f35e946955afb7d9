// mtk::wire::sparse: the writer, round trips, and images far larger than memory.
#include "sparse_test_support.hpp"

namespace {

using namespace mtk::test::sparse_support;

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
