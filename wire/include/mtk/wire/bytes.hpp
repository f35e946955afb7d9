#pragma once
// Byte order helpers and a bounds-checked reader. Every wire format in the project goes through
// these, so a length read from the network can never walk past the end of a buffer.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mtk::wire {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;
using MutableByteSpan = std::span<std::uint8_t>;

inline std::uint16_t loadBe16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}
inline std::uint32_t loadBe32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}
inline std::uint16_t loadLe16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | p[1] << 8);
}
inline std::uint32_t loadLe32(const std::uint8_t* p) {
  return std::uint32_t{p[3]} << 24 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[1]} << 8 | p[0];
}
inline std::uint64_t loadLe64(const std::uint8_t* p) {
  return std::uint64_t{loadLe32(p + 4)} << 32 | loadLe32(p);
}
inline void storeBe16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
inline void storeBe32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}
inline void storeLe16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
}
inline void storeLe32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
inline void storeLe64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

// Appends to a growing byte vector.
class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}
  Writer& u8(std::uint8_t v) {
    out_.push_back(v);
    return *this;
  }
  Writer& be16(std::uint16_t v) {
    storeBe16(grow(2), v);
    return *this;
  }
  Writer& be32(std::uint32_t v) {
    storeBe32(grow(4), v);
    return *this;
  }
  Writer& le16(std::uint16_t v) {
    storeLe16(grow(2), v);
    return *this;
  }
  Writer& le32(std::uint32_t v) {
    storeLe32(grow(4), v);
    return *this;
  }
  Writer& le64(std::uint64_t v) {
    storeLe64(grow(8), v);
    return *this;
  }
  Writer& bytes(ByteSpan b) {
    out_.insert(out_.end(), b.begin(), b.end());
    return *this;
  }
  Writer& zeros(std::size_t n) {
    out_.insert(out_.end(), n, 0);
    return *this;
  }
  // A fixed-size, NUL-padded text field (truncated to size-1 so it always ends in NUL).
  Writer& fixedString(std::string_view s, std::size_t size);

 private:
  std::uint8_t* grow(std::size_t n) {
    out_.resize(out_.size() + n);
    return out_.data() + out_.size() - n;
  }
  Bytes& out_;
};

// Reads from a span; any read past the end sets failed() and returns zeros from then on, so a
// parser can read a whole record and check once.
class Reader {
 public:
  explicit Reader(ByteSpan data) : data_(data) {}
  std::uint8_t u8() {
    auto p = take(1);
    return p ? p[0] : 0;
  }
  std::uint16_t be16() {
    auto p = take(2);
    return p ? loadBe16(p) : 0;
  }
  std::uint32_t be32() {
    auto p = take(4);
    return p ? loadBe32(p) : 0;
  }
  std::uint16_t le16() {
    auto p = take(2);
    return p ? loadLe16(p) : 0;
  }
  std::uint32_t le32() {
    auto p = take(4);
    return p ? loadLe32(p) : 0;
  }
  std::uint64_t le64() {
    auto p = take(8);
    return p ? loadLe64(p) : 0;
  }
  ByteSpan bytes(std::size_t n) {
    auto p = take(n);
    return p ? ByteSpan(p, n) : ByteSpan();
  }
  void skip(std::size_t n) { take(n); }
  // A NUL-padded text field of exactly `size` bytes; stops at the first NUL.
  std::string fixedString(std::size_t size);

  bool failed() const { return failed_; }
  std::size_t remaining() const { return failed_ ? 0 : data_.size() - pos_; }
  std::size_t position() const { return pos_; }

 private:
  const std::uint8_t* take(std::size_t n) {
    if (failed_ || n > data_.size() - pos_) {
      failed_ = true;
      return nullptr;
    }
    const std::uint8_t* p = data_.data() + pos_;
    pos_ += n;
    return p;
  }
  ByteSpan data_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

// "0a 1b ..." for logs and test failure messages; at most `limit` bytes, then "...".
std::string hexdump(ByteSpan data, std::size_t limit = 64);

}  // namespace mtk::wire
