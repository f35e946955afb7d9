#include "mtk/flasher/image_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "mtk/wire/sparse.hpp"

namespace mtk::flasher {

namespace sp = wire::sparse;

namespace {

// An open file descriptor, closed on destruction.
class File {
 public:
  explicit File(int fd = -1) : fd_(fd) {}
  File(File&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  File& operator=(File&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

Error readError(const std::string& path, int err) {
  return makeError(-1, "CANNOT_READ", "cannot read " + path + ": " + std::strerror(err),
                   "check that the file exists and is readable");
}

// Reads exactly out.size() bytes at `offset` (pread; the file is not modified meanwhile).
Status readAt(const File& f, const std::string& path, std::uint64_t offset,
              wire::MutableByteSpan out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t n =
        ::pread(f.fd(), out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return readError(path, errno);
    if (n == 0) {
      return makeError(-1, "CANNOT_READ", path + " ended early (it changed while being read?)",
                       "check the file");
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

class RawImage final : public ImageReader {
 public:
  RawImage(File f, std::string path, std::uint64_t size)
      : f_(std::move(f)), path_(std::move(path)), size_(size) {
    if (size_ > 0) stretches_.push_back({0, size_});
  }
  bool sparse() const override { return false; }
  std::uint64_t fileSize() const override { return size_; }
  std::uint64_t length() const override { return size_; }
  const std::vector<Stretch>& stretches() const override { return stretches_; }
  Status next(wire::MutableByteSpan out) override {
    if (out.size() > size_ - pos_) {
      return makeError(-1, "CANNOT_READ", "read past the end of " + path_, "");
    }
    if (auto s = readAt(f_, path_, pos_, out); !s) return s;
    pos_ += out.size();
    return {};
  }
  Status rewind() override {
    pos_ = 0;
    return {};
  }

 private:
  File f_;
  std::string path_;
  std::uint64_t size_;
  std::uint64_t pos_ = 0;
  std::vector<Stretch> stretches_;
};

// An Android sparse image. open() walks the chunk headers once (seeking over the data) to learn
// the stretches; next() then streams the file in order through wire::sparse::SparseReader,
// which checks every CRC32 chunk on the way.
class SparseImage final : public ImageReader {
 public:
  static Result<std::unique_ptr<ImageReader>> open(File f, std::string path, std::uint64_t size) {
    std::unique_ptr<SparseImage> img(new SparseImage(std::move(f), std::move(path), size));
    if (auto s = img->scan(); !s) return s.error();
    if (auto s = img->rewind(); !s) return s.error();
    return std::unique_ptr<ImageReader>(std::move(img));
  }
  bool sparse() const override { return true; }
  std::uint64_t fileSize() const override { return size_; }
  std::uint64_t length() const override { return header_.unpackedSize(); }
  const std::vector<Stretch>& stretches() const override { return stretches_; }

  Status next(wire::MutableByteSpan out) override {
    std::size_t done = 0;
    while (done < out.size()) {
      if (!extent_ || left_ == 0) {
        auto e = reader_->next();
        if (!e) return e.error();
        if (!*e) return makeError(-1, "CANNOT_READ", "read past the end of " + path_, "");
        if ((*e)->kind == sp::SparseExtent::Skip) continue;
        extent_ = **e;
        left_ = extent_->length;
      }
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(out.size() - done, left_));
      wire::MutableByteSpan piece(out.data() + done, n);
      if (extent_->kind == sp::SparseExtent::Data) {
        std::size_t got = 0;
        while (got < n) {
          auto r = reader_->read(piece.subspan(got));
          if (!r) return r.error();
          if (*r == 0) return makeError(-1, "CANNOT_READ", path_ + ": RAW chunk ended early", "");
          got += *r;
        }
      } else {
        // A fill pattern that starts mid-extent starts mid-value too.
        const std::uint64_t pos = extent_->length - left_;
        std::uint8_t v[4];
        wire::storeLe32(v, extent_->fillValue);
        for (std::size_t i = 0; i < n; ++i) piece[i] = v[(pos + i) % 4];
      }
      left_ -= n;
      done += n;
    }
    served_ += out.size();
    // After the last data byte, read the rest of the file: CRC32 chunks at the end (where
    // img2simg puts them) are checked only when the reader passes them.
    if (served_ == dataLength_) {
      while (true) {
        auto e = reader_->next();
        if (!e) return e.error();
        if (!*e) break;
        if ((*e)->kind != sp::SparseExtent::Skip) {
          return makeError(-1, sp::kCorruptName, path_ + ": more data than its chunks announced",
                           "the file is damaged; copy or download it again");
        }
      }
      crcChecked_ = true;
    }
    return {};
  }

  Status rewind() override {
    pos_ = 0;
    served_ = 0;
    extent_.reset();
    left_ = 0;
    sp::SparseReader::Options o;
    o.name = path_;
    // CRC32 chunks are checked on the first complete pass; later passes (verifying what the
    // phone holds) compare against the same bytes and need not pay for it again.
    // An image without CRC32 chunks (img2simg writes none by default) has nothing to check.
    o.verifyCrc = hasCrcChunk_ && !crcChecked_;
    auto r = sp::SparseReader::open(
        [this](wire::MutableByteSpan out) -> Result<std::size_t> {
          const std::size_t n =
              static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), size_ - pos_));
          if (n == 0) return std::size_t{0};
          if (auto s = readAt(f_, path_, pos_, out.first(n)); !s) return s.error();
          pos_ += n;
          return n;
        },
        o);
    if (!r) return r.error();
    reader_.emplace(std::move(*r));
    return {};
  }

 private:
  SparseImage(File f, std::string path, std::uint64_t size)
      : f_(std::move(f)), path_(std::move(path)), size_(size) {}

  Status scan() {
    std::uint8_t head[sp::kFileHeaderSize];
    if (size_ < sizeof head) return truncated(0);
    if (auto s = readAt(f_, path_, 0, head); !s) return s;
    auto h = sp::parseSparseHeader(head);
    if (!h) return Error(h.error()).context(path_);
    header_ = *h;
    std::uint64_t at = header_.fileHeaderSize;
    std::uint64_t blocks = 0;
    std::optional<Stretch> open;
    for (std::uint32_t i = 0; i < header_.totalChunks; ++i) {
      std::uint8_t ch[sp::kChunkHeaderSize];
      if (at + sizeof ch > size_) return truncated(at);
      if (auto s = readAt(f_, path_, at, ch); !s) return s;
      auto c = sp::parseChunkHeader(ch, header_, {i, at, blocks, path_});
      if (!c) return c.error();
      if (at + c->totalSize > size_) return truncated(at);
      at += c->totalSize;
      if (c->type == sp::ChunkType::Crc32) hasCrcChunk_ = true;
      if (c->type == sp::ChunkType::Crc32 || c->blocks == 0) continue;
      const std::uint64_t off = blocks * header_.blockSize;
      const std::uint64_t len = std::uint64_t{c->blocks} * header_.blockSize;
      blocks += c->blocks;
      if (c->type == sp::ChunkType::DontCare) {
        if (open) stretches_.push_back(*open);
        open.reset();
        continue;
      }
      if (open) {
        open->length += len;
      } else {
        open = Stretch{off, len};
      }
    }
    if (open) stretches_.push_back(*open);
    for (const Stretch& st : stretches_) dataLength_ += st.length;
    return {};
  }

  Error truncated(std::uint64_t at) const {
    return makeError(-1, sp::kCorruptName,
                     path_ + ": the sparse image is cut short near byte " + std::to_string(at),
                     "the file is incomplete; copy or download it again");
  }

  File f_;
  std::string path_;
  std::uint64_t size_;
  sp::SparseHeader header_;
  std::vector<Stretch> stretches_;
  std::optional<sp::SparseReader> reader_;
  std::uint64_t pos_ = 0;  // file bytes handed to the reader
  std::optional<sp::SparseExtent> extent_;
  std::uint64_t left_ = 0;
  std::uint64_t served_ = 0;  // data bytes handed out since the last rewind
  bool crcChecked_ = false;   // a complete pass checked every CRC32 chunk
  bool hasCrcChunk_ = false;
  std::uint64_t dataLength_ = 0;  // of all stretches
};

}  // namespace

Result<std::unique_ptr<ImageReader>> ImageReader::open(const std::string& path, bool allowSparse) {
  File f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.fd() < 0) return readError(path, errno);
  struct stat st {};
  if (::fstat(f.fd(), &st) != 0) return readError(path, errno);
  if (!S_ISREG(st.st_mode)) {
    return makeError(-1, "NOT_A_FILE", path + " is not a regular file",
                     "give an image file (a folder of files is not an image)");
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  std::uint8_t magic[4] = {};
  if (allowSparse && size >= sizeof magic) {
    if (auto s = readAt(f, path, 0, magic); !s) return s.error();
    if (sp::isSparse(magic)) return SparseImage::open(std::move(f), path, size);
  }
  return std::unique_ptr<ImageReader>(new RawImage(std::move(f), path, size));
}

}  // namespace mtk::flasher
