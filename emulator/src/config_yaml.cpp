#include "config_yaml.hpp"

#include <cctype>

namespace mtk::emu::config {

Error error(const std::string& file, const YAML::Node& node, const std::string& message) {
  std::string where = file;
  if (node.IsDefined() && node.Mark().line >= 0)
    where += ":" + std::to_string(node.Mark().line + 1);
  return makeError(-1, "EMU_CONFIG_INVALID", where + ": " + message,
                   "see the reference at the top of emulator/include/mtk/emu/emulator_config.hpp");
}

Result<std::uint64_t> size(const std::string& file, const YAML::Node& n, const std::string& key) {
  std::string s = n.as<std::string>();
  std::uint64_t mult = 1;
  if (!s.empty()) {
    switch (std::toupper(static_cast<unsigned char>(s.back()))) {
      case 'K':
        mult = 1ull << 10;
        break;
      case 'M':
        mult = 1ull << 20;
        break;
      case 'G':
        mult = 1ull << 30;
        break;
      case 'T':
        mult = 1ull << 40;
        break;
      default:
        break;
    }
    if (mult != 1) s.pop_back();
  }
  try {
    std::size_t used = 0;
    const unsigned long long v = std::stoull(s, &used, 0);
    if (used != s.size() || v > (1ull << 50) / mult) throw std::invalid_argument(s);
    return static_cast<std::uint64_t>(v) * mult;
  } catch (const std::exception&) {
    return error(file, n, key + " must be a size such as 4096, 4M or 64G");
  }
}

Result<bool> boolean(const std::string& file, const YAML::Node& n, const std::string& key) {
  try {
    return n.as<bool>();
  } catch (const YAML::Exception&) {
    return error(file, n, key + " must be true or false");
  }
}

Result<wire::Bytes> hexBytes(const std::string& file, const YAML::Node& n, const std::string& key,
                             std::size_t size) {
  const std::string s = n.as<std::string>();
  if (s.size() != 2 * size || s.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    return error(file, n,
                 key + " must be " + std::to_string(size) + " bytes in hex (" +
                     std::to_string(2 * size) + " digits)");
  }
  wire::Bytes out(size);
  for (std::size_t i = 0; i < size; ++i)
    out[i] = static_cast<std::uint8_t>(std::stoul(s.substr(2 * i, 2), nullptr, 16));
  return out;
}

}  // namespace mtk::emu::config
