#include "mtk/wire/bytes.hpp"

#include <algorithm>

namespace mtk::wire {

Writer& Writer::fixedString(std::string_view s, std::size_t size) {
  if (size == 0) return *this;
  std::size_t n = std::min(s.size(), size - 1);
  bytes(ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), n));
  return zeros(size - n);
}

std::string Reader::fixedString(std::size_t size) {
  ByteSpan b = bytes(size);
  std::size_t n = 0;
  while (n < b.size() && b[n] != 0) ++n;
  return std::string(reinterpret_cast<const char*>(b.data()), n);
}

std::string hexdump(ByteSpan data, std::size_t limit) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  std::size_t n = std::min(data.size(), limit);
  for (std::size_t i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += digits[data[i] >> 4];
    s += digits[data[i] & 15];
  }
  if (data.size() > limit) s += " ...";
  return s;
}

}  // namespace mtk::wire
