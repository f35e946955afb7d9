#include "mtk/wire/sparse.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>

namespace mtk::wire::sparse {
namespace {

constexpr std::size_t kScratchSize = 64 * 1024;

constexpr const char* kCorruptHint =
    "the image is damaged or not an Android sparse image; extract it again from the firmware "
    "package (simg2img can tell whether it is readable)";
constexpr const char* kCrcHint =
    "the image is damaged; download or extract the firmware again and compare its checksums";

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::string label(std::string_view name) {
  return name.empty() ? std::string("sparse image") : std::string(name);
}

Error corruptError(std::string_view name, const std::string& message) {
  return makeError(-1, kCorruptName, label(name) + ": " + message, kCorruptHint);
}

std::string chunkWhere(const ChunkPosition& at, std::uint32_t totalChunks) {
  return "chunk " + std::to_string(at.index) + " of " + std::to_string(totalChunks) +
         " at file offset " + hex(at.fileOffset);
}

// ---- CRC32 (zlib's, the one libsparse uses) ------------------------------------------------

std::uint32_t crcBytes(std::uint32_t crc, ByteSpan b) {
  while (!b.empty()) {
    const std::size_t n = std::min<std::size_t>(b.size(), 1u << 30);  // zlib takes uInt lengths
    crc = static_cast<std::uint32_t>(::crc32(crc, b.data(), static_cast<uInt>(n)));
    b = b.subspan(n);
  }
  return crc;
}

std::uint32_t combine(std::uint32_t a, std::uint32_t b, std::uint64_t lengthOfB) {
  return static_cast<std::uint32_t>(::crc32_combine(a, b, static_cast<z_off_t>(lengthOfB)));
}

// `crc` extended by `length` bytes (a multiple of 4) of `value`'s little-endian bytes repeated:
// the CRC of one copy, doubled with crc32_combine (O(log n), so a DONT_CARE run of terabytes
// costs microseconds).
std::uint32_t crcRepeat(std::uint32_t crc, std::uint32_t value, std::uint64_t length) {
  std::array<std::uint8_t, 4> unit{};
  storeLe32(unit.data(), value);
  const std::uint32_t unitCrc = crcBytes(0, unit);
  // z_off_t is signed; keep every length handed to zlib well inside it.
  const std::uint64_t maxPiece = sizeof(z_off_t) >= 8 ? (std::uint64_t{1} << 62) : (1u << 30);
  while (length > 0) {
    const std::uint64_t piece = std::min(length, maxPiece);
    std::uint64_t count = piece / 4;
    std::uint32_t powCrc = unitCrc;
    std::uint64_t powLen = 4;
    while (count > 0) {
      if (count & 1) crc = combine(crc, powCrc, powLen);
      count >>= 1;
      if (count > 0) {
        powCrc = combine(powCrc, powCrc, powLen);
        powLen *= 2;
      }
    }
    length -= piece;
  }
  return crc;
}

Result<SparseHeader> parseHeader(ByteSpan bytes, std::string_view name) {
  if (bytes.size() < kFileHeaderSize) {
    return corruptError(name, "the file is " + std::to_string(bytes.size()) +
                                  " bytes, shorter than a sparse file header (28 bytes)");
  }
  Reader r(bytes);
  const std::uint32_t magic = r.le32();
  SparseHeader h;
  h.majorVersion = r.le16();
  h.minorVersion = r.le16();
  h.fileHeaderSize = r.le16();
  h.chunkHeaderSize = r.le16();
  h.blockSize = r.le32();
  h.totalBlocks = r.le32();
  h.totalChunks = r.le32();
  h.imageChecksum = r.le32();
  if (magic != kMagic) {
    return corruptError(
        name, "not an Android sparse image: magic is " + hex32(magic) + ", expected 0xed26ff3a");
  }
  if (h.majorVersion != kMajorVersion) {
    return corruptError(name, "sparse format version " + std::to_string(h.majorVersion) + "." +
                                  std::to_string(h.minorVersion) +
                                  " is not supported (only major version 1 is)");
  }
  if (h.fileHeaderSize < kFileHeaderSize) {
    return corruptError(name, "file_hdr_sz is " + std::to_string(h.fileHeaderSize) +
                                  ", less than the 28 bytes of the header itself");
  }
  if (h.chunkHeaderSize < kChunkHeaderSize) {
    return corruptError(name, "chunk_hdr_sz is " + std::to_string(h.chunkHeaderSize) +
                                  ", less than the 12 bytes of a chunk header");
  }
  if (h.blockSize == 0 || h.blockSize % 4 != 0) {
    return corruptError(
        name, "blk_sz is " + std::to_string(h.blockSize) + ", not a non-zero multiple of 4");
  }
  return h;
}

}  // namespace

const char* chunkTypeName(ChunkType t) {
  switch (t) {
    case ChunkType::Raw:
      return "RAW";
    case ChunkType::Fill:
      return "FILL";
    case ChunkType::DontCare:
      return "DONT_CARE";
    case ChunkType::Crc32:
      return "CRC32";
  }
  return "?";
}

bool isSparse(ByteSpan first4OrMore) {
  return first4OrMore.size() >= 4 && loadLe32(first4OrMore.data()) == kMagic;
}

Result<SparseHeader> parseSparseHeader(ByteSpan bytes) {
  return parseHeader(bytes, {});
}

Result<ChunkHeader> parseChunkHeader(ByteSpan bytes, const SparseHeader& header,
                                     const ChunkPosition& at) {
  const auto bad = [&](const std::string& message) {
    return corruptError(at.name, chunkWhere(at, header.totalChunks) + ": " + message);
  };
  if (bytes.size() < kChunkHeaderSize) {
    return bad("only " + std::to_string(bytes.size()) + " bytes of the 12-byte chunk header");
  }
  if (at.index >= header.totalChunks) {
    return bad("the header announces only " + std::to_string(header.totalChunks) + " chunks");
  }
  Reader r(bytes);
  const std::uint16_t type = r.le16();
  ChunkHeader c;
  c.reserved = r.le16();
  c.blocks = r.le32();
  c.totalSize = r.le32();
  c.type = static_cast<ChunkType>(type);

  const std::uint64_t hdr = header.chunkHeaderSize;
  std::uint64_t expected = 0;
  switch (c.type) {
    case ChunkType::Raw:
      expected = hdr + std::uint64_t{c.blocks} * header.blockSize;
      break;
    case ChunkType::Fill:
    case ChunkType::Crc32:
      expected = hdr + 4;
      break;
    case ChunkType::DontCare:
      expected = hdr;
      break;
    default:
      return makeError(kUnknownChunkCode, kUnknownChunkName,
                       label(at.name) + ": " + chunkWhere(at, header.totalChunks) +
                           ": unknown chunk type " + hex(type) +
                           " (known: 0xcac1 RAW, 0xcac2 FILL, 0xcac3 DONT_CARE, 0xcac4 CRC32)",
                       kCorruptHint);
  }
  if (c.totalSize != expected) {
    std::string what = std::string(chunkTypeName(c.type)) + " chunk";
    if (c.type == ChunkType::Raw) {
      what += " of " + std::to_string(c.blocks) + " blocks of " + std::to_string(header.blockSize) +
              " bytes";
    }
    return bad("total_sz is " + std::to_string(c.totalSize) + " but a " + what + " takes " +
               std::to_string(expected) + " bytes in the file (chunk_hdr_sz " +
               std::to_string(hdr) + " included)");
  }
  if (c.type != ChunkType::Crc32 && at.blocksBefore + c.blocks > header.totalBlocks) {
    return bad(std::string(chunkTypeName(c.type)) + " chunk of " + std::to_string(c.blocks) +
               " blocks starting at block " + std::to_string(at.blocksBefore) +
               " runs past total_blks " + std::to_string(header.totalBlocks));
  }
  return c;
}

Bytes encodeSparseHeader(const SparseHeader& h) {
  Bytes out;
  Writer(out)
      .le32(kMagic)
      .le16(h.majorVersion)
      .le16(h.minorVersion)
      .le16(h.fileHeaderSize)
      .le16(h.chunkHeaderSize)
      .le32(h.blockSize)
      .le32(h.totalBlocks)
      .le32(h.totalChunks)
      .le32(h.imageChecksum);
  return out;
}

Bytes encodeChunkHeader(const ChunkHeader& c) {
  Bytes out;
  Writer(out)
      .le16(static_cast<std::uint16_t>(c.type))
      .le16(c.reserved)
      .le32(c.blocks)
      .le32(c.totalSize);
  return out;
}

Pull pullFrom(ByteSpan data) {
  return [data, pos = std::size_t{0}](MutableByteSpan out) mutable -> Result<std::size_t> {
    const std::size_t n = std::min(out.size(), data.size() - pos);
    std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(pos), n, out.begin());
    pos += n;
    return n;
  };
}

Push pushTo(Bytes& out) {
  return [&out](ByteSpan b) -> Status {
    out.insert(out.end(), b.begin(), b.end());
    return {};
  };
}

void fillPattern(std::uint32_t value, MutableByteSpan out) {
  std::array<std::uint8_t, 4> unit{};
  storeLe32(unit.data(), value);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = unit[i % 4];
}

// ---- SparseReader ----------------------------------------------------------------------------

SparseReader::SparseReader(Pull pull, Options options)
    : pull_(std::move(pull)), options_(std::move(options)), scratch_(kScratchSize) {}

Result<SparseReader> SparseReader::open(Pull pull, Options options) {
  SparseReader r(std::move(pull), std::move(options));
  std::array<std::uint8_t, kFileHeaderSize> raw{};
  if (auto st = r.pullExact(raw, "the file header"); !st) return std::move(st).error();
  auto h = parseHeader(raw, r.options_.name);
  if (!h) return std::move(h).error();
  r.header_ = *h;
  if (auto st = r.discard(r.header_.fileHeaderSize - kFileHeaderSize, false, "the file header");
      !st) {
    return std::move(st).error();
  }
  return r;
}

Error SparseReader::corrupt(const std::string& message) const {
  return corruptError(options_.name, message);
}

Error SparseReader::fail(Error e) {
  failed_ = e;
  return e;
}

Status SparseReader::pullExact(MutableByteSpan out, const char* what) {
  std::size_t got = 0;
  while (got < out.size()) {
    const std::size_t want = out.size() - got;
    auto n = pull_(out.subspan(got));
    if (!n) {
      Error e = std::move(n).error();
      e.context(label(options_.name) + ": reading " + what + " at file offset " + hex(fileOffset_));
      return fail(std::move(e));
    }
    if (*n > want) {
      return fail(corrupt("the pull callback returned " + std::to_string(*n) +
                          " bytes where at most " + std::to_string(want) + " were asked for"));
    }
    if (*n == 0) {
      std::string where = std::string(what);
      if (inChunk_) {
        where += " of chunk " + std::to_string(currentChunk_) + " of " +
                 std::to_string(header_.totalChunks) + " (header at file offset " +
                 hex(currentChunkOffset_) + ")";
      }
      return fail(corrupt("the file ends at offset " + hex(fileOffset_) + ", " +
                          std::to_string(want) + " bytes short, in " + where +
                          ": the file is truncated"));
    }
    got += *n;
    fileOffset_ += *n;
  }
  return {};
}

Status SparseReader::discard(std::uint64_t n, bool checksum, const char* what) {
  while (n > 0) {
    const auto piece = static_cast<std::size_t>(std::min<std::uint64_t>(n, scratch_.size()));
    const MutableByteSpan buf(scratch_.data(), piece);
    if (auto st = pullExact(buf, what); !st) return st;
    if (checksum) crc_ = crcBytes(crc_, buf);
    n -= piece;
  }
  return {};
}

Result<std::optional<SparseExtent>> SparseReader::next() {
  if (failed_) return *failed_;
  if (done_) return std::optional<SparseExtent>{};
  const bool crcOn = options_.verifyCrc || options_.verifyImageChecksum;
  if (dataRemaining_ > 0) {
    if (auto st = discard(dataRemaining_, crcOn, "RAW data"); !st) return std::move(st).error();
    dataRemaining_ = 0;
  }
  const std::uint64_t blockSize = header_.blockSize;
  while (true) {
    if (chunk_ == header_.totalChunks) {
      if (blocks_ != header_.totalBlocks) {
        return fail(corrupt("the " + std::to_string(header_.totalChunks) + " chunks describe " +
                            std::to_string(blocks_) + " blocks, but total_blks is " +
                            std::to_string(header_.totalBlocks)));
      }
      if (options_.verifyImageChecksum && header_.imageChecksum != 0 &&
          crc_ != header_.imageChecksum) {
        return fail(makeError(-1, kCrcMismatchName,
                              label(options_.name) + ": image_checksum is " +
                                  hex32(header_.imageChecksum) + " but the expanded image has " +
                                  hex32(crc_),
                              kCrcHint));
      }
      done_ = true;
      return std::optional<SparseExtent>{};
    }
    currentChunk_ = chunk_;
    currentChunkOffset_ = fileOffset_;
    inChunk_ = true;
    std::array<std::uint8_t, kChunkHeaderSize> raw{};
    if (auto st = pullExact(raw, "the chunk header"); !st) return std::move(st).error();
    if (auto st = discard(header_.chunkHeaderSize - kChunkHeaderSize, false, "the chunk header");
        !st) {
      return std::move(st).error();
    }
    const ChunkPosition at{chunk_, currentChunkOffset_, blocks_, options_.name};
    auto c = parseChunkHeader(raw, header_, at);
    if (!c) return fail(std::move(c).error());
    ++chunk_;

    SparseExtent e;
    e.chunk = at.index;
    e.outOffset = blocks_ * blockSize;
    e.length = std::uint64_t{c->blocks} * blockSize;
    switch (c->type) {
      case ChunkType::Raw:
        blocks_ += c->blocks;
        if (e.length == 0) continue;
        e.kind = SparseExtent::Data;
        dataRemaining_ = e.length;
        return std::optional<SparseExtent>(e);
      case ChunkType::Fill: {
        std::array<std::uint8_t, 4> v{};
        if (auto st = pullExact(v, "the fill value"); !st) return std::move(st).error();
        e.fillValue = loadLe32(v.data());
        if (crcOn) crc_ = crcRepeat(crc_, e.fillValue, e.length);
        blocks_ += c->blocks;
        if (e.length == 0) continue;
        e.kind = SparseExtent::Fill;
        return std::optional<SparseExtent>(e);
      }
      case ChunkType::DontCare:
        if (crcOn) crc_ = crcRepeat(crc_, 0, e.length);
        blocks_ += c->blocks;
        if (e.length == 0) continue;
        e.kind = SparseExtent::Skip;
        return std::optional<SparseExtent>(e);
      case ChunkType::Crc32: {
        std::array<std::uint8_t, 4> v{};
        if (auto st = pullExact(v, "the CRC32 value"); !st) return std::move(st).error();
        const std::uint32_t want = loadLe32(v.data());
        if (options_.verifyCrc && want != crc_) {
          return fail(makeError(-1, kCrcMismatchName,
                                label(options_.name) + ": " + chunkWhere(at, header_.totalChunks) +
                                    ": CRC32 chunk says " + hex32(want) + " but the first " +
                                    std::to_string(blocks_ * blockSize) +
                                    " bytes of output have CRC32 " + hex32(crc_) +
                                    " (DONT_CARE counted as zeros)",
                                kCrcHint));
        }
        continue;
      }
    }
  }
}

Result<std::size_t> SparseReader::read(MutableByteSpan out) {
  if (failed_) return *failed_;
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), dataRemaining_));
  if (n == 0) return std::size_t{0};
  const MutableByteSpan dst = out.first(n);
  if (auto st = pullExact(dst, "RAW data"); !st) return std::move(st).error();
  if (options_.verifyCrc || options_.verifyImageChecksum) crc_ = crcBytes(crc_, dst);
  dataRemaining_ -= n;
  return n;
}

// ---- SparseWriter ----------------------------------------------------------------------------

SparseWriter::SparseWriter(Push push, const Layout& layout)
    : push_(std::move(push)), layout_(layout) {}

Result<SparseWriter> SparseWriter::start(Push push, const Layout& layout) {
  SparseWriter w(std::move(push), layout);
  if (layout.blockSize == 0 || layout.blockSize % 4 != 0) {
    return w.invalid("block size " + std::to_string(layout.blockSize) +
                     " is not a non-zero multiple of 4");
  }
  SparseHeader h;
  h.blockSize = layout.blockSize;
  h.totalBlocks = layout.totalBlocks;
  h.totalChunks = layout.totalChunks;
  h.imageChecksum = layout.imageChecksum;
  if (auto st = w.push(encodeSparseHeader(h)); !st) return std::move(st).error();
  return w;
}

Error SparseWriter::invalid(const std::string& message) {
  return makeError(-1, kWriterInvalidName, "writing a sparse image: " + message);
}

Status SparseWriter::push(ByteSpan bytes) {
  if (failed_) return *failed_;
  if (auto st = push_(bytes); !st) {
    Error e = std::move(st).error();
    e.context("writing a sparse image at file offset " + hex(bytes_));
    failed_ = e;
    return e;
  }
  bytes_ += bytes.size();
  return {};
}

Status SparseWriter::ready(const char* what, std::uint32_t blocks) {
  if (failed_) return *failed_;
  if (rawRemaining_ > 0) {
    return invalid(std::string(what) + " while the RAW chunk before still needs " +
                   std::to_string(rawRemaining_) + " bytes");
  }
  if (chunks_ >= layout_.totalChunks) {
    return invalid(std::string(what) + " would be chunk " + std::to_string(chunks_ + 1) +
                   " of an image declared with " + std::to_string(layout_.totalChunks));
  }
  if (std::uint64_t{blocks_} + blocks > layout_.totalBlocks) {
    return invalid(std::string(what) + " of " + std::to_string(blocks) +
                   " blocks would end at block " + std::to_string(std::uint64_t{blocks_} + blocks) +
                   ", past the declared " + std::to_string(layout_.totalBlocks));
  }
  return {};
}

Status SparseWriter::chunk(ChunkType type, std::uint32_t blocks, std::uint32_t totalSize,
                           ByteSpan payload) {
  ChunkHeader c;
  c.type = type;
  c.blocks = blocks;
  c.totalSize = totalSize;
  Bytes b = encodeChunkHeader(c);
  b.insert(b.end(), payload.begin(), payload.end());
  if (auto st = push(b); !st) return st;
  ++chunks_;
  blocks_ += type == ChunkType::Crc32 ? 0 : blocks;
  return {};
}

Status SparseWriter::addRaw(ByteSpan data) {
  if (data.empty() || data.size() % layout_.blockSize != 0) {
    return invalid("RAW data of " + std::to_string(data.size()) +
                   " bytes is not a non-zero whole number of " + std::to_string(layout_.blockSize) +
                   "-byte blocks");
  }
  const std::uint64_t blocks = data.size() / layout_.blockSize;
  if (blocks > std::numeric_limits<std::uint32_t>::max()) {
    return invalid("RAW data of " + std::to_string(blocks) + " blocks is too long for a chunk");
  }
  if (auto st = beginRaw(static_cast<std::uint32_t>(blocks)); !st) return st;
  return writeRaw(data);
}

Status SparseWriter::beginRaw(std::uint32_t blocks) {
  if (auto st = ready("a RAW chunk", blocks); !st) return st;
  if (blocks == 0) return invalid("a RAW chunk of 0 blocks");
  const std::uint64_t length = std::uint64_t{blocks} * layout_.blockSize;
  const std::uint64_t total = kChunkHeaderSize + length;
  if (total > std::numeric_limits<std::uint32_t>::max()) {
    return invalid("a RAW chunk of " + std::to_string(blocks) + " blocks is " +
                   std::to_string(total) +
                   " bytes with its header; total_sz is 32 bits: split it into several chunks");
  }
  if (auto st = chunk(ChunkType::Raw, blocks, static_cast<std::uint32_t>(total), {}); !st) {
    return st;
  }
  rawRemaining_ = length;
  return {};
}

Status SparseWriter::writeRaw(ByteSpan data) {
  if (failed_) return *failed_;
  if (data.size() > rawRemaining_) {
    return invalid(std::to_string(data.size()) + " bytes of RAW data where the open chunk needs " +
                   std::to_string(rawRemaining_));
  }
  if (auto st = push(data); !st) return st;
  crc_ = crcBytes(crc_, data);
  rawRemaining_ -= data.size();
  return {};
}

Status SparseWriter::addFill(std::uint32_t value, std::uint32_t blocks) {
  if (auto st = ready("a FILL chunk", blocks); !st) return st;
  if (blocks == 0) return invalid("a FILL chunk of 0 blocks");
  std::array<std::uint8_t, 4> v{};
  storeLe32(v.data(), value);
  if (auto st = chunk(ChunkType::Fill, blocks, kChunkHeaderSize + 4, v); !st) return st;
  crc_ = crcRepeat(crc_, value, std::uint64_t{blocks} * layout_.blockSize);
  return {};
}

Status SparseWriter::addDontCare(std::uint32_t blocks) {
  if (auto st = ready("a DONT_CARE chunk", blocks); !st) return st;
  if (blocks == 0) return invalid("a DONT_CARE chunk of 0 blocks");
  if (auto st = chunk(ChunkType::DontCare, blocks, kChunkHeaderSize, {}); !st) return st;
  crc_ = crcRepeat(crc_, 0, std::uint64_t{blocks} * layout_.blockSize);
  return {};
}

Status SparseWriter::addCrc32() {
  if (auto st = ready("a CRC32 chunk", 0); !st) return st;
  std::array<std::uint8_t, 4> v{};
  storeLe32(v.data(), crc_);
  return chunk(ChunkType::Crc32, 0, kChunkHeaderSize + 4, v);
}

Status SparseWriter::finish() {
  if (failed_) return *failed_;
  if (rawRemaining_ > 0) {
    return invalid("the last RAW chunk still needs " + std::to_string(rawRemaining_) + " bytes");
  }
  if (blocks_ != layout_.totalBlocks) {
    return invalid("the chunks describe " + std::to_string(blocks_) +
                   " blocks, the header declared " + std::to_string(layout_.totalBlocks));
  }
  if (chunks_ != layout_.totalChunks) {
    return invalid(std::to_string(chunks_) + " chunks written, the header declared " +
                   std::to_string(layout_.totalChunks));
  }
  return {};
}

}  // namespace mtk::wire::sparse
