// V1.x scatter text from the model (see scatter_write.hpp). Every value is checked against what
// the line parser in scatter_text.cpp would make of it, so write -> parse gives the model back.

#include "mtk/wire/scatter_write.hpp"

#include <array>
#include <cctype>
#include <cstdio>
#include <optional>
#include <string_view>
#include <vector>

#include "scatter_detail.hpp"

namespace mtk::wire::scatter {
namespace {

constexpr const char* kUnwritable = "SCATTER_UNWRITABLE";
constexpr std::string_view kBanner =
    "##########################################################################################"
    "##################";  // 108 '#', as MediaTek's generator writes it

Error unwritable(const std::string& message) {
  return makeError(-1, kUnwritable, "writing a V1.x scatter: " + message,
                   "fix the value in the scatter model; the text format cannot carry it");
}

std::string hexNumber(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

// Addresses: end-relative ones as "0xFFFF0084" (the generator's spelling), others lowercase.
std::string hexAddress(std::uint64_t v) {
  if (!isEndRelative(v)) return hexNumber(v);
  char buf[16];
  std::snprintf(buf, sizeof buf, "0xFFFF%04llx", static_cast<unsigned long long>(v & 0xFFFF));
  return buf;
}

const char* boolText(bool b) {
  return b ? "true" : "false";
}

// "V1.1.2" -> {1, 1, 2}; nullopt unless 'V'/'v' followed by dot-separated numbers.
std::optional<std::vector<unsigned>> versionParts(std::string_view v) {
  if (v.size() < 2 || (v[0] != 'V' && v[0] != 'v')) return std::nullopt;
  std::vector<unsigned> parts(1, 0);
  bool digit = false;
  for (std::size_t i = 1; i < v.size(); ++i) {
    const char c = v[i];
    if (c >= '0' && c <= '9') {
      if (parts.back() > 100000) return std::nullopt;
      parts.back() = parts.back() * 10 + static_cast<unsigned>(c - '0');
      digit = true;
    } else if (c == '.' && digit) {
      parts.push_back(0);
      digit = false;
    } else {
      return std::nullopt;
    }
  }
  if (!digit) return std::nullopt;
  return parts;
}

bool atLeast(const std::vector<unsigned>& have, std::initializer_list<unsigned> want) {
  std::size_t i = 0;
  for (unsigned w : want) {
    const unsigned h = i < have.size() ? have[i] : 0;
    if (h != w) return h > w;
    ++i;
  }
  return true;
}

// Whether `value` comes back unchanged from "key: value" through the line parser.
Status checkValue(const std::string& where, std::string_view key, std::string_view value) {
  const auto bad = [&](const std::string& why) {
    return unwritable(where + ": " + std::string(key) + " \"" + detail::excerpt(value) + "\" " +
                      why);
  };
  for (char c : value) {
    if (c == '\n' || c == '\r' || c == '\0') return bad("contains a line break or NUL");
  }
  if (detail::trim(value) != value) return bad("starts or ends with a blank");
  if (!value.empty() && value.front() == '#') return bad("starts with '#' (read as a comment)");
  if (value.find(" #") != std::string_view::npos || value.find("\t#") != std::string_view::npos) {
    return bad("contains \" #\" (the rest would be read as a comment)");
  }
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front()) {
    return bad("is quoted (the quotes would be read as quoting and dropped)");
  }
  return {};
}

bool isLowerIdentifier(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (!(std::islower(u) || std::isdigit(u) || c == '_')) return false;
  }
  return true;
}

constexpr std::array<std::string_view, 17> kPartitionKeys = {
    "partition_index",   "partition_name",      "file_name",      "is_download", "type",
    "linear_start_addr", "physical_start_addr", "partition_size", "region",      "storage",
    "boundary_check",    "is_reserved",         "operation_type", "reserve",     "is_upgradable",
    "empty_boot_needed", "combo_partsize_check"};
constexpr std::array<std::string_view, 6> kGeneralKeys = {
    "config_version", "platform", "project", "storage", "boot_channel", "block_size"};
// Keys the parser reads as structure wherever they appear.
constexpr std::array<std::string_view, 5> kStructureKeys = {"info", "description", "general",
                                                            "storage_type", "partition_index"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& keys, std::string_view k) {
  for (std::string_view x : keys) {
    if (x == k) return true;
  }
  return false;
}

Status checkExtras(const std::string& where, const Extras& extras, bool partition) {
  for (const auto& [key, value] : extras) {
    if (!isLowerIdentifier(key)) {
      return unwritable(where + ": extra key \"" + detail::excerpt(key) +
                        "\" is not a lowercase identifier (the parser lowercases keys)");
    }
    if (contains(kStructureKeys, key) || (partition && contains(kPartitionKeys, key)) ||
        (!partition && contains(kGeneralKeys, key))) {
      return unwritable(where + ": extra key \"" + key +
                        "\" is a key the model names or the parser reads as structure");
    }
    if (auto st = checkValue(where, key, value); !st) return st;
  }
  return {};
}

class Out {
 public:
  explicit Out(bool crlf) : eol_(crlf ? "\r\n" : "\n") {}
  void line(std::string_view indent, std::string_view key, std::string_view value) {
    text_ += indent;
    text_ += key;
    text_ += ':';
    if (!value.empty()) {
      text_ += ' ';
      text_ += value;
    }
    text_ += eol_;
  }
  void raw(std::string_view s) {
    text_ += s;
    text_ += eol_;
  }
  void banner(std::string_view title) {
    raw(kBanner);
    raw("#");
    raw(std::string("#  ") + std::string(title));
    raw("#");
    raw(kBanner);
  }
  std::string take() { return std::move(text_); }

 private:
  std::string_view eol_;
  std::string text_;
};

}  // namespace

Result<std::string> writeV1(const Scatter& s, const WriteOptions& options) {
  if (s.format == Format::Legacy) {
    return unwritable(
        "a legacy scatter has no type, region or storage per partition; fill them in (and clear "
        "the format) before writing V1.x");
  }
  if (s.partitions.empty()) return unwritable("the selected layout has no partitions");

  // config_version
  std::string version = options.configVersion;
  if (version.empty()) {
    const auto own = versionParts(s.configVersion);
    if (own && (*own)[0] == 1) {
      version = s.configVersion;
    } else {
      bool combo = false;
      for (const Partition& p : s.partitions) combo = combo || p.comboPartsizeCheck;
      version = combo ? "V1.2.0" : "V1.1.2";
    }
  }
  const auto parts = versionParts(version);
  if (!parts || (*parts)[0] != 1) {
    return unwritable("config_version \"" + detail::excerpt(version) +
                      "\" is not a V1.x version (V1.1.0 ... V1.2.0)");
  }
  const bool v112 = atLeast(*parts, {1, 1, 2});
  const bool v118 = atLeast(*parts, {1, 1, 8});

  const std::string general = "general block";
  for (const auto& [key, value] :
       std::initializer_list<std::pair<std::string_view, const std::string&>>{
           {"platform", s.platform},
           {"project", s.project},
           {"storage", s.storage},
           {"boot_channel", s.bootChannel}}) {
    if (auto st = checkValue(general, key, value); !st) return std::move(st).error();
  }
  if (auto st = checkExtras(general, s.generalExtras, false); !st) return std::move(st).error();

  Out out(options.crlf);
  out.banner("General Setting");
  out.raw("- general: MTK_PLATFORM_CFG");
  out.raw("  info: ");  // sic: the generator leaves a blank after "info:"
  out.line("    - ", "config_version", version);
  constexpr std::string_view in = "      ";
  out.line(in, "platform", s.platform);
  out.line(in, "project", s.project);
  if (!s.storage.empty()) out.line(in, "storage", s.storage);  // absent reads as NAND
  if (!s.bootChannel.empty()) out.line(in, "boot_channel", s.bootChannel);
  if (s.blockSize != 0) out.line(in, "block_size", hexNumber(s.blockSize));
  for (const auto& [key, value] : s.generalExtras) out.line(in, key, value);
  out.banner("Layout Setting");

  constexpr std::string_view pin = "  ";
  for (std::size_t i = 0; i < s.partitions.size(); ++i) {
    const Partition& p = s.partitions[i];
    const std::string index = p.index.empty() ? "SYS" + std::to_string(i) : p.index;
    const std::string where =
        "partition " + std::to_string(i) + " (" + detail::excerpt(p.name) + ")";
    for (const auto& [key, value] :
         std::initializer_list<std::pair<std::string_view, const std::string&>>{
             {"partition_index", index},
             {"partition_name", p.name},
             {"file_name", p.fileName},
             {"type", p.type},
             {"region", p.region},
             {"storage", p.storage},
             {"operation_type", p.operationType}}) {
      if (auto st = checkValue(where, key, value); !st) return std::move(st).error();
    }
    if (detail::equalsNoCase(p.fileName, "NONE")) {
      return unwritable(where + ": file_name \"" + p.fileName +
                        "\" would read back as no file; leave it empty for none");
    }
    if (auto st = checkExtras(where, p.extras, true); !st) return std::move(st).error();

    out.line("- ", "partition_index", index);
    out.line(pin, "partition_name", p.name);
    out.line(pin, "file_name", p.fileName.empty() ? std::string("NONE") : p.fileName);
    out.line(pin, "is_download", boolText(p.isDownload));
    out.line(pin, "type", p.type);
    out.line(pin, "linear_start_addr", hexAddress(p.linearStartAddress));
    out.line(pin, "physical_start_addr", hexAddress(p.physicalStartAddress));
    out.line(pin, "partition_size", hexNumber(p.partitionSize));
    out.line(pin, "region", p.region);
    out.line(pin, "storage", p.storage);
    out.line(pin, "boundary_check", boolText(p.boundaryCheck));
    out.line(pin, "is_reserved", boolText(p.isReserved));
    out.line(pin, "operation_type", p.operationType);
    if (v112 || p.isUpgradable || p.emptyBootNeeded) {
      out.line(pin, "is_upgradable", boolText(p.isUpgradable));
      out.line(pin, "empty_boot_needed", boolText(p.emptyBootNeeded));
    }
    if (v118 || p.comboPartsizeCheck) {
      out.line(pin, "combo_partsize_check", boolText(p.comboPartsizeCheck));
    }
    for (const auto& [key, value] : p.extras) out.line(pin, key, value);
    out.line(pin, "reserve", p.reserve == 0 ? std::string("0x00") : hexNumber(p.reserve));
    out.raw("");
  }
  return out.take();
}

}  // namespace mtk::wire::scatter
