#pragma once
// Small helpers for reading mtkemu's YAML: errors that name the file and line, checked numbers.

#include <yaml-cpp/yaml.h>

#include <string>

#include "mtk/error.hpp"
#include "mtk/wire/bytes.hpp"

namespace mtk::emu::config {

Error error(const std::string& file, const YAML::Node& node, const std::string& message);

template <class T>
Result<T> number(const std::string& file, const YAML::Node& n, const std::string& key,
                 long long min, long long max) {
  try {
    auto v = n.as<long long>();
    if (v < min || v > max) {
      return error(file, n,
                   key + " must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    return static_cast<T>(v);
  } catch (const YAML::Exception&) {
    return error(file, n, key + " must be a number");
  }
}

// A size: a number of bytes, or with a suffix K, M, G (powers of 1024): "64G", "4M".
Result<std::uint64_t> size(const std::string& file, const YAML::Node& n, const std::string& key);

Result<bool> boolean(const std::string& file, const YAML::Node& n, const std::string& key);
Result<wire::Bytes> hexBytes(const std::string& file, const YAML::Node& n, const std::string& key,
                             std::size_t size);

}  // namespace mtk::emu::config
