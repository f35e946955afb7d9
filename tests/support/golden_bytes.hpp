#pragma once
// Hand-written byte helpers for golden vectors: deliberately independent of mtk::wire, so a
// test's expected bytes never come from the encoder under test.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace mtk::test::golden {

using Bytes = std::vector<std::uint8_t>;

inline void put(Bytes& out, std::initializer_list<std::uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}
inline void zeros(Bytes& out, std::size_t n) {
  out.insert(out.end(), n, 0);
}
inline void fill(Bytes& out, std::size_t n, std::uint8_t v) {
  out.insert(out.end(), n, v);
}
// A NUL-padded char[size] field: the ASCII characters, then zeros up to `size`.
inline void text(Bytes& out, const std::string& s, std::size_t size) {
  for (char c : s) out.push_back(static_cast<std::uint8_t>(c));
  zeros(out, size - s.size());
}

}  // namespace mtk::test::golden
