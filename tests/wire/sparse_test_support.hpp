// Shared by the sparse tests: goldens assembled by hand from the format's field list (AOSP
// libsparse's sparse_format.h: 28-byte file header, 12-byte chunk headers,
// RAW/FILL/DONT_CARE/CRC32), CRCs computed here with zlib over an expansion built by hand, corrupt
// files, writer -> reader round trips, and images whose expansion is far larger than anything held
// in memory.

#pragma once
#include "mtk/wire/sparse.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "golden_bytes.hpp"

namespace mtk::test::sparse_support {

using mtk::Error;
using mtk::Result;
using mtk::Status;
using mtk::wire::Bytes;
using mtk::wire::ByteSpan;
using mtk::wire::MutableByteSpan;
namespace sp = mtk::wire::sparse;
namespace golden = mtk::test::golden;
using sp::SparseExtent;

inline constexpr std::uint64_t kMiB = 1ull << 20;

inline std::uint32_t zcrc(std::uint32_t crc, ByteSpan b) {
  return static_cast<std::uint32_t>(crc32(crc, b.data(), static_cast<uInt>(b.size())));
}

// Little-endian fields written out by hand, so the goldens do not lean on the code under test.
inline void le16(Bytes& b, std::uint16_t v) {
  golden::put(b, {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8)});
}
inline void le32(Bytes& b, std::uint32_t v) {
  golden::put(b, {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                  static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)});
}
inline void chunkHeader(Bytes& b, std::uint16_t type, std::uint32_t blocks,
                        std::uint32_t totalSize) {
  le16(b, type);
  le16(b, 0);
  le32(b, blocks);
  le32(b, totalSize);
}

// ---- the small golden image ----------------------------------------------------------------
// blk_sz 16, 8 blocks, 5 chunks: RAW 2 blocks (bytes 0x00..0x1f), FILL 3 blocks of 0xDEADBEEF,
// DONT_CARE 2 blocks, RAW 1 block of 0xAA, CRC32 of all 128 output bytes.

inline const Bytes kHeaderBytes = {
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
inline const Bytes kRawHeader = {0xC1, 0xCA, 0x00, 0x00, 0x02, 0x00,
                                 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00};
inline const Bytes kFillHeader = {0xC2, 0xCA, 0x00, 0x00, 0x03, 0x00,
                                  0x00, 0x00, 0x10, 0x00, 0x00, 0x00};
inline const Bytes kDontCareHeader = {0xC3, 0xCA, 0x00, 0x00, 0x02, 0x00,
                                      0x00, 0x00, 0x0C, 0x00, 0x00, 0x00};
inline const Bytes kCrcHeader = {0xC4, 0xCA, 0x00, 0x00, 0x00, 0x00,
                                 0x00, 0x00, 0x10, 0x00, 0x00, 0x00};

// The 128 bytes the small image expands to (DONT_CARE as zeros).
inline Bytes smallExpanded() {
  Bytes out;
  for (int i = 0; i < 32; ++i) out.push_back(static_cast<std::uint8_t>(i));
  for (int i = 0; i < 12; ++i) golden::put(out, {0xEF, 0xBE, 0xAD, 0xDE});
  golden::zeros(out, 32);
  golden::fill(out, 16, 0xAA);
  return out;
}

inline Bytes smallImage(std::uint32_t crc) {
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

inline Bytes smallImage() {
  const Bytes x = smallExpanded();
  return smallImage(zcrc(0, x));
}

// Offsets in smallImage() (hand-counted): header 0, RAW 28 (data 40), FILL 72, DONT_CARE 88,
// RAW 100 (data 112), CRC32 128 (value 140), end 144.
inline constexpr std::size_t kSmallSize = 144;

// ---- helpers -----------------------------------------------------------------------------

inline std::string kindName(SparseExtent::Kind k) {
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

inline std::string describe(const SparseExtent& e) {
  return kindName(e.kind) + "(" + std::to_string(e.outOffset) + "," + std::to_string(e.length) +
         "," + std::to_string(e.fillValue) + ")";
}

struct Expanded {
  std::vector<SparseExtent> extents;
  Bytes bytes;  // the whole output, DONT_CARE as zeros (small images only)
};

// Reads a whole image through the streaming API, `chunk` bytes per read() call.
inline Result<Expanded> expand(sp::Pull pull, std::size_t chunk = 7,
                               sp::SparseReader::Options o = {}) {
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

inline Result<Expanded> expand(const Bytes& file, std::size_t chunk = 7) {
  return expand(sp::pullFrom(file), chunk);
}

// A pull that hands out at most `step` bytes per call.
inline sp::Pull trickle(const Bytes& file, std::size_t step) {
  return [&file, step, pos = std::size_t{0}](MutableByteSpan out) mutable -> Result<std::size_t> {
    const std::size_t n = std::min({out.size(), step, file.size() - pos});
    std::copy_n(file.begin() + static_cast<std::ptrdiff_t>(pos), n, out.begin());
    pos += n;
    return n;
  };
}

inline Error expandError(const Bytes& file) {
  auto r = expand(file);
  EXPECT_FALSE(r.ok()) << "expected an error";
  if (r.ok()) return Error{};
  return r.error();
}

inline bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace mtk::test::sparse_support
