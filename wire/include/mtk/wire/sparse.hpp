#pragma once
// Android sparse images (AOSP libsparse's format, the one fastboot and SP Flash Tool accept for
// system/vendor/userdata): a 28-byte file header, then chunks that each describe a run of output
// blocks as RAW data, a FILL of one 32-bit value, DONT_CARE (no data) or a CRC32 of all output
// so far. Every field is little-endian.
//
//   file header (file_hdr_sz bytes, 28 in version 1.0; larger headers are skipped over):
//     u32 magic 0xED26FF3A, u16 major 1, u16 minor 0, u16 file_hdr_sz, u16 chunk_hdr_sz,
//     u32 blk_sz (a multiple of 4), u32 total_blks, u32 total_chunks, u32 image_checksum
//   chunk header (chunk_hdr_sz bytes, 12 in version 1.0; larger headers are skipped over):
//     u16 chunk_type, u16 reserved, u32 chunk_sz (output blocks), u32 total_sz (file bytes of the
//     chunk, header included)
//     RAW 0xCAC1        total_sz = chunk_hdr_sz + chunk_sz * blk_sz, the data follows
//     FILL 0xCAC2       total_sz = chunk_hdr_sz + 4, one u32 repeated over chunk_sz blocks
//     DONT_CARE 0xCAC3  total_sz = chunk_hdr_sz, nothing follows
//     CRC32 0xCAC4      total_sz = chunk_hdr_sz + 4, zlib's crc32 of all output so far
//
// CRCs (CRC32 chunks, and image_checksum when asked to check it) cover the expanded output with
// DONT_CARE runs counted as zeros, as libsparse computes them. The content a phone ends up with in
// a DONT_CARE run is whatever was there before; the zeros only exist for the checksum.
//
// Nothing here expands an image in memory: SparseReader pulls the file sequentially through a
// callback and hands out extents; the data of RAW chunks is copied piecewise into the caller's
// buffer. SparseWriter pushes a file out chunk by chunk. Both keep a fixed, small amount of state
// however large the image (total_blks * blk_sz can reach 2^64 - 2^34 bytes).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mtk/error.hpp"
#include "mtk/wire/bytes.hpp"

namespace mtk::wire::sparse {

constexpr std::uint32_t kMagic = 0xED26FF3A;
constexpr std::uint16_t kMajorVersion = 1;
constexpr std::uint16_t kMinorVersion = 0;
constexpr std::size_t kFileHeaderSize = 28;   // version 1.0
constexpr std::size_t kChunkHeaderSize = 12;  // version 1.0

enum class ChunkType : std::uint16_t {
  Raw = 0xCAC1,
  Fill = 0xCAC2,
  DontCare = 0xCAC3,
  Crc32 = 0xCAC4,
};
const char* chunkTypeName(ChunkType t);  // "RAW", "FILL", "DONT_CARE", "CRC32", "?"

// Error names. Structural problems (bad magic, sizes that do not add up, a truncated file,
// chunks past total_blks) are SPARSE_CORRUPT; a CRC32 chunk (or a checked image_checksum) that
// does not match is SPARSE_CRC_MISMATCH; an unknown chunk type carries the DA's name for it.
// Messages start with the image name (Options::name) and give the chunk index and file offset.
constexpr const char* kCorruptName = "SPARSE_CORRUPT";           // code -1
constexpr const char* kCrcMismatchName = "SPARSE_CRC_MISMATCH";  // code -1
constexpr const char* kUnknownChunkName = "STATUS_UNKNOWN_SPARSE_CHUNK_TYPE";
constexpr std::int64_t kUnknownChunkCode = 0xC0040005;
constexpr const char* kWriterInvalidName =
    "SPARSE_WRITER_INVALID";  // code -1: misuse of the writer

struct SparseHeader {
  std::uint16_t majorVersion = kMajorVersion;
  std::uint16_t minorVersion = kMinorVersion;
  std::uint16_t fileHeaderSize = kFileHeaderSize;
  std::uint16_t chunkHeaderSize = kChunkHeaderSize;
  std::uint32_t blockSize = 4096;
  std::uint32_t totalBlocks = 0;
  std::uint32_t totalChunks = 0;
  std::uint32_t imageChecksum = 0;

  // The length of the expanded image: total_blks * blk_sz.
  std::uint64_t unpackedSize() const { return std::uint64_t{totalBlocks} * blockSize; }
};

struct ChunkHeader {
  ChunkType type = ChunkType::Raw;
  std::uint16_t reserved = 0;
  std::uint32_t blocks = 0;     // chunk_sz: output blocks (0 for CRC32)
  std::uint32_t totalSize = 0;  // total_sz: bytes in the file, chunk header included
};

// True when the bytes start with the sparse magic (needs at least 4 bytes; fewer: false).
bool isSparse(ByteSpan first4OrMore);

// Parses and checks a file header (at least 28 bytes; only the first 28 are read): magic, major
// version 1 (any minor), file_hdr_sz >= 28, chunk_hdr_sz >= 12, blk_sz a non-zero multiple of 4.
// A larger file_hdr_sz means the reader skips file_hdr_sz - 28 bytes after these 28.
Result<SparseHeader> parseSparseHeader(ByteSpan bytes);

// Where a chunk sits, for the checks that need it and for messages.
struct ChunkPosition {
  std::uint32_t index = 0;         // 0-based chunk number
  std::uint64_t fileOffset = 0;    // offset of the chunk header in the file
  std::uint64_t blocksBefore = 0;  // output blocks described by the chunks before it
  std::string_view name = {};      // image name for messages ("" = "sparse image")
};

// Parses and checks a chunk header (at least 12 bytes; only the first 12 are read): the index is
// below total_chunks, the type is known, total_sz is exactly what the type requires (computed
// in 64 bits, so chunk_sz * blk_sz cannot wrap), and blocksBefore + chunk_sz <= total_blks.
// CRC32 chunks describe no output; their chunk_sz is ignored, as libsparse does.
Result<ChunkHeader> parseChunkHeader(ByteSpan bytes, const SparseHeader& header,
                                     const ChunkPosition& at = {});

// The file's bytes as 28- and 12-byte version 1.0 headers (the sizes fields are written as given).
Bytes encodeSparseHeader(const SparseHeader& h);
Bytes encodeChunkHeader(const ChunkHeader& c);

// Reads up to `out.size()` bytes of the file into `out`, in order; returns how many (0 = end of
// file). Short reads are fine; the reader asks again.
using Pull = std::function<Result<std::size_t>(MutableByteSpan out)>;
// Takes the next bytes of the file being written.
using Push = std::function<Status(ByteSpan bytes)>;

// A Pull over bytes already in memory (which must outlive it), and a Push that appends to a
// vector: for tests and small images.
Pull pullFrom(ByteSpan data);
Push pushTo(Bytes& out);

// Writes the output bytes of a FILL of `value` into `out`: the value's four little-endian bytes
// repeated, starting with byte 0 of the value (extents start on block boundaries and blk_sz is a
// multiple of 4, so a buffer that starts at an extent offset + 4k lines up).
void fillPattern(std::uint32_t value, MutableByteSpan out);

// One run of output.
struct SparseExtent {
  enum Kind { Data, Fill, Skip };  // RAW chunk, FILL chunk, DONT_CARE chunk
  Kind kind = Data;
  std::uint64_t outOffset = 0;  // byte offset in the expanded image
  std::uint64_t length = 0;     // bytes, a whole number of blocks (never 0)
  std::uint32_t fillValue = 0;  // Fill: the value (see fillPattern()); else 0
  std::uint32_t chunk = 0;      // index of the chunk it comes from
};

// Streams a sparse file: open() reads the file header, next() one extent after another, read()
// the data of the current Data extent. Memory is one fixed 64 KiB scratch buffer.
//
//   auto r = SparseReader::open(pull, {.name = "system.img"});
//   while (true) {
//     auto e = r->next();            // Result<std::optional<SparseExtent>>
//     if (!e) return e.error();
//     if (!*e) break;                // all chunks read, totals checked
//     if ((*e)->kind == SparseExtent::Data)
//       while (auto n = r->read(buffer); n && *n > 0) send(buffer.first(*n));
//   }
//
// CRC32 chunks are checked inside next() and never show up as extents; chunks of 0 blocks are
// consumed silently. Data of a Data extent that the caller does not read is pulled, checksummed
// and dropped by the next next(). After an error every call returns that error again.
class SparseReader {
 public:
  struct Options {
    std::string name = {};  // image name for messages, e.g. "system.img"
    // Keep a CRC32 of the output and check CRC32 chunks against it. Costs one crc32() pass over
    // RAW data (fills and DONT_CARE runs are folded in arithmetically, in O(log n)).
    bool verifyCrc = true;
    // Also check a non-zero image_checksum at the end. Off by default: libsparse and fastboot
    // never check it, and tools write 0 there.
    bool verifyImageChecksum = false;
  };

  static Result<SparseReader> open(Pull pull, Options options);
  static Result<SparseReader> open(Pull pull) { return open(std::move(pull), Options{}); }

  const SparseHeader& header() const { return header_; }
  std::uint64_t unpackedSize() const { return header_.unpackedSize(); }

  // The next extent, nullopt once every chunk was read and the totals (total_blks, and the image
  // checksum when asked) were checked.
  Result<std::optional<SparseExtent>> next();

  // Copies the next bytes of the current Data extent into `out` (as many as fit and remain);
  // returns how many, 0 when the extent is exhausted or the current extent is not Data.
  Result<std::size_t> read(MutableByteSpan out);
  std::uint64_t dataRemaining() const { return dataRemaining_; }

  // CRC32 of the output up to the current position (DONT_CARE as zeros); 0 when !verifyCrc.
  std::uint32_t crc32() const { return crc_; }
  std::uint64_t fileOffset() const { return fileOffset_; }  // bytes pulled so far
  std::uint32_t chunksRead() const { return chunk_; }
  bool done() const { return done_; }

 private:
  SparseReader(Pull pull, Options options);
  Status pullExact(MutableByteSpan out, const char* what);
  Status discard(std::uint64_t n, bool checksum, const char* what);
  Error corrupt(const std::string& message) const;
  Error fail(Error e);

  Pull pull_;
  Options options_;
  SparseHeader header_;
  std::vector<std::uint8_t> scratch_;
  std::uint64_t fileOffset_ = 0;
  std::uint64_t blocks_ = 0;  // output blocks of the chunks read so far
  std::uint32_t chunk_ = 0;   // chunks read so far
  std::uint32_t currentChunk_ = 0;
  std::uint64_t currentChunkOffset_ = 0;
  std::uint64_t dataRemaining_ = 0;
  std::uint32_t crc_ = 0;
  bool inChunk_ = false;  // past the file header: truncation messages name the chunk
  bool done_ = false;
  std::optional<Error> failed_;
};

// Writes a sparse file to a push callback, chunk by chunk. The header goes out first, so the
// block and chunk counts are given up front and finish() checks they were met:
//
//   auto w = SparseWriter::start(pushTo(out), {.blockSize = 4096, .totalBlocks = 3,
//                                              .totalChunks = 2});
//   w->addRaw(block0);              // one RAW chunk per call (any whole number of blocks)
//   w->addDontCare(2);
//   w->finish();
//
// A RAW chunk larger than memory goes out with beginRaw(blocks) and then writeRaw() calls that
// together carry exactly blocks * blk_sz bytes. Each add* call is one chunk; the writer never
// merges them. A failed push is returned and the writer refuses further calls.
class SparseWriter {
 public:
  struct Layout {
    std::uint32_t blockSize = 4096;
    std::uint32_t totalBlocks = 0;
    std::uint32_t totalChunks = 0;
    std::uint32_t imageChecksum = 0;  // written as given (0: none, as every tool writes)
  };

  // Checks the layout (blk_sz a non-zero multiple of 4) and pushes the 28-byte file header.
  static Result<SparseWriter> start(Push push, const Layout& layout);

  Status addRaw(ByteSpan data);  // data.size() a non-zero multiple of blk_sz
  Status beginRaw(std::uint32_t blocks);
  Status writeRaw(ByteSpan data);
  Status addFill(std::uint32_t value, std::uint32_t blocks);
  Status addDontCare(std::uint32_t blocks);
  Status addCrc32();  // the CRC32 of all output so far (DONT_CARE as zeros)
  // Checks that the open RAW chunk (if any) is complete and the block and chunk counts match.
  Status finish();

  std::uint32_t blocksWritten() const { return blocks_; }
  std::uint32_t chunksWritten() const { return chunks_; }
  std::uint64_t bytesWritten() const { return bytes_; }  // file bytes pushed so far
  std::uint32_t crc32() const { return crc_; }           // of the output so far

 private:
  SparseWriter(Push push, const Layout& layout);
  Status chunk(ChunkType type, std::uint32_t blocks, std::uint32_t totalSize, ByteSpan payload);
  Status push(ByteSpan bytes);
  Status ready(const char* what, std::uint32_t blocks);
  Error invalid(const std::string& message);

  Push push_;
  Layout layout_;
  std::uint32_t blocks_ = 0;
  std::uint32_t chunks_ = 0;
  std::uint64_t bytes_ = 0;
  std::uint64_t rawRemaining_ = 0;  // bytes still owed to the open RAW chunk
  std::uint32_t crc_ = 0;
  std::optional<Error> failed_;
};

}  // namespace mtk::wire::sparse
