// Scatter model, the builder both syntaxes feed, storage selection and small helpers.
// Syntax-specific code lives in scatter_text.cpp and scatter_xml.cpp, checks in
// scatter_validate.cpp.

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <limits>

#include "mtk/wire/scatter.hpp"
#include "scatter_detail.hpp"

namespace mtk::wire::scatter {

namespace detail {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool equalsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llX", static_cast<unsigned long long>(v));
  return buf;
}

std::optional<std::uint64_t> parseNumber(std::string_view s) {
  s = trim(s);
  unsigned base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    unsigned d;
    if (c >= '0' && c <= '9') {
      d = static_cast<unsigned>(c - '0');
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      d = static_cast<unsigned>(c - 'a' + 10);
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      d = static_cast<unsigned>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / base) return std::nullopt;
    v = v * base + d;
  }
  return v;
}

std::string storageKind(std::string_view s) {
  std::string u = upper(trim(s));
  constexpr std::string_view prefix = "HW_STORAGE_";
  if (u.rfind(prefix, 0) == 0) u.erase(0, prefix.size());
  return u;
}

std::optional<bool> parseBool(std::string_view s) {
  s = trim(s);
  if (equalsNoCase(s, "true")) return true;
  if (equalsNoCase(s, "false")) return false;
  return std::nullopt;
}

std::string excerpt(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (out.size() >= 60) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  return out;
}

std::string where(std::string_view fileName, int line) {
  std::string s(fileName.empty() ? std::string_view("<scatter>") : fileName);
  if (line > 0) s += ":" + std::to_string(line);
  return s + ": ";
}

Error formatError(std::string_view fileName, int line, const std::string& message,
                  std::string hint) {
  if (hint.empty()) {
    hint = "load the scatter file that came with the firmware, unedited";
  }
  return makeError(kIncorrectFormat, kIncorrectFormatName, where(fileName, line) + message,
                   std::move(hint));
}

namespace {

// Partition keys by bit, in the order SP Flash Tool writes them.
enum Key : unsigned {
  kIndex,
  kName,
  kFile,
  kIsDownload,
  kType,
  kLinear,
  kPhysical,
  kSize,
  kRegion,
  kStorage,
  kBoundaryCheck,
  kIsReserved,
  kOperationType,
  kReserve,
  kIsUpgradable,
  kEmptyBootNeeded,
  kComboPartsizeCheck,
  kKeyCount
};

constexpr std::array<const char*, kKeyCount> kKeyNames = {
    "partition_index",   "partition_name",      "file_name",      "is_download", "type",
    "linear_start_addr", "physical_start_addr", "partition_size", "region",      "storage",
    "boundary_check",    "is_reserved",         "operation_type", "reserve",     "is_upgradable",
    "empty_boot_needed", "combo_partsize_check"};

int keyIndex(std::string_view key) {
  for (std::size_t i = 0; i < kKeyNames.size(); ++i) {
    if (key == kKeyNames[i]) return static_cast<int>(i);
  }
  return -1;
}

// General keys with a field in the model.
enum GeneralKey : unsigned {
  kConfigVersion,
  kPlatform,
  kProject,
  kGStorage,
  kBootChannel,
  kBlockSize
};

int generalIndex(std::string_view key) {
  constexpr std::array<const char*, 6> names = {"config_version", "platform",     "project",
                                                "storage",        "boot_channel", "block_size"};
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (key == names[i]) return static_cast<int>(i);
  }
  return -1;
}

std::string partitionLabel(const Partition& p) {
  std::string s = "partition " + (p.index.empty() ? std::string("?") : p.index);
  if (!p.name.empty()) s += " (" + p.name + ")";
  return s;
}

}  // namespace

Builder::Builder(std::string_view fileName, Format format) {
  scatter_.fileName = std::string(fileName);
  scatter_.format = format;
}

Section& Builder::currentSection() {
  return scatter_.sections.empty() ? top_ : scatter_.sections.back();
}

Status Builder::platformGeneral(int line) {
  if (auto st = closePartition(); !st) return st;
  if (sawPlatformGeneral_) {
    return error(line, "a second MTK_PLATFORM_CFG general block (first at line " +
                           std::to_string(top_.line) + ")");
  }
  if (count_ > 0 || !scatter_.sections.empty()) {
    return error(line, "the MTK_PLATFORM_CFG general block must come before the partitions");
  }
  sawPlatformGeneral_ = true;
  top_.line = line;
  block_ = Block::PlatformGeneral;
  return {};
}

Status Builder::section(std::string_view storage, int line) {
  if (auto st = closePartition(); !st) return st;
  if (trim(storage).empty()) return error(line, "storage_type without a storage name");
  if (!top_.partitions.empty()) {
    return error(line, "storage_type section after partition records that belong to none");
  }
  Section s;
  s.storage = std::string(trim(storage));
  s.line = line;
  scatter_.sections.push_back(std::move(s));
  block_ = Block::Section;
  return {};
}

Status Builder::storageGeneral(int line) {
  if (auto st = closePartition(); !st) return st;
  if (scatter_.sections.empty()) {
    return error(line, "MTK_STORAGE_CFG general block outside a storage_type section");
  }
  block_ = Block::StorageGeneral;
  generalSeen_ = 0;
  return {};
}

Status Builder::partition(std::string_view index, int line) {
  if (auto st = closePartition(); !st) return st;
  if (count_ >= kMaxPartitions) {
    return error(line, "more than " + std::to_string(kMaxPartitions) + " partition records");
  }
  ++count_;
  current_ = Partition{};
  current_.index = std::string(trim(index));
  current_.line = line;
  seen_ = 1u << kIndex;
  block_ = Block::Partition;
  if (scatter_.sections.empty() && !sawPartitionOutsideSection_) {
    sawPartitionOutsideSection_ = true;
    firstOutsideLine_ = line;
  }
  return {};
}

Status Builder::closePartition() {
  if (block_ != Block::Partition) return {};
  block_ = Block::None;
  // What SP Flash Tool v6 requires plus what every V1.x file carries; boundary_check,
  // is_reserved, reserve and the V1.1.6+ flags default when absent.
  for (unsigned k : {kName, kFile, kIsDownload, kType, kSize, kRegion, kStorage, kOperationType}) {
    if (!(seen_ & (1u << k))) {
      return error(current_.line,
                   partitionLabel(current_) + " has no \"" + kKeyNames[k] + "\" key");
    }
  }
  const bool linear = seen_ & (1u << kLinear);
  const bool physical = seen_ & (1u << kPhysical);
  if (!linear && !physical) {
    return error(current_.line, partitionLabel(current_) +
                                    " has neither linear_start_addr nor physical_start_addr");
  }
  if (!linear) current_.linearStartAddress = current_.physicalStartAddress;
  if (!physical) current_.physicalStartAddress = current_.linearStartAddress;
  currentSection().partitions.push_back(std::move(current_));
  current_ = Partition{};
  return {};
}

Status Builder::key(std::string_view key, std::string_view value, int line) {
  if (key == "info" || key == "description") return {};  // structure only
  switch (block_) {
    case Block::None:
      return error(line, "\"" + excerpt(key) +
                             "\" outside any block (a scatter starts with "
                             "\"- general: MTK_PLATFORM_CFG\")");
    case Block::PlatformGeneral:
      return generalKey(key, value, line);
    case Block::Section:
      scatter_.sections.back().extras.emplace_back(key, value);
      return {};
    case Block::StorageGeneral:
      return storageKey(key, value, line);
    case Block::Partition:
      return partitionKey(key, value, line);
  }
  return {};
}

Status Builder::generalKey(std::string_view key, std::string_view value, int line) {
  const int k = generalIndex(key);
  if (k < 0) {
    scatter_.generalExtras.emplace_back(key, value);
    return {};
  }
  if (generalSeen_ & (1u << k)) return error(line, "\"" + std::string(key) + "\" given twice");
  generalSeen_ |= 1u << k;
  switch (k) {
    case kConfigVersion:
      scatter_.configVersion = std::string(value);
      scatter_.configVersionLine = line;
      break;
    case kPlatform:
      scatter_.platform = std::string(value);
      scatter_.platformLine = line;
      break;
    case kProject:
      scatter_.project = std::string(value);
      break;
    default:
      return storageKey(key, value, line);
  }
  return {};
}

Status Builder::storageKey(std::string_view key, std::string_view value, int line) {
  Section& s = block_ == Block::PlatformGeneral ? top_ : currentSection();
  const int k = generalIndex(key);
  if (k < 0) {
    s.extras.emplace_back(key, value);
    return {};
  }
  if (block_ == Block::StorageGeneral) {
    if (generalSeen_ & (1u << k)) return error(line, "\"" + std::string(key) + "\" given twice");
    generalSeen_ |= 1u << k;
  }
  switch (k) {
    case kGStorage:
      if (block_ == Block::StorageGeneral && !s.storage.empty() &&
          storageKind(s.storage) != storageKind(value)) {
        return error(line, "storage " + excerpt(value) + " inside the storage_type " + s.storage +
                               " section");
      }
      if (block_ == Block::PlatformGeneral || s.storage.empty()) s.storage = std::string(value);
      s.storageLine = line;
      break;
    case kBootChannel:
      s.bootChannel = std::string(value);
      break;
    case kBlockSize: {
      const auto n = parseNumber(value);
      if (!n) return error(line, "block_size \"" + excerpt(value) + "\" is not a number");
      s.blockSize = *n;
      break;
    }
    default:  // config_version/platform/project inside a storage block: keep, do not interpret
      s.extras.emplace_back(key, value);
      break;
  }
  return {};
}

Status Builder::partitionKey(std::string_view key, std::string_view value, int line) {
  const int k = keyIndex(key);
  if (k < 0) {
    current_.extras.emplace_back(key, value);
    return {};
  }
  if (seen_ & (1u << k)) {
    return error(line, partitionLabel(current_) + " gives \"" + std::string(key) + "\" twice");
  }
  seen_ |= 1u << k;
  const auto number = [&](std::uint64_t& out) -> Status {
    const auto n = parseNumber(value);
    if (!n) {
      return error(line, std::string(key) + " \"" + excerpt(value) +
                             "\" is not a number (0x-prefixed hex or decimal, at most 64 bits)");
    }
    out = *n;
    return {};
  };
  const auto flag = [&](bool& out) -> Status {
    const auto b = parseBool(value);
    if (!b)
      return error(line,
                   std::string(key) + " must be true or false, not \"" + excerpt(value) + "\"");
    out = *b;
    return {};
  };
  switch (k) {
    case kName:
      current_.name = std::string(value);
      return {};
    case kFile:
      current_.fileName = equalsNoCase(value, "NONE") ? std::string() : std::string(value);
      return {};
    case kIsDownload:
      return flag(current_.isDownload);
    case kType:
      current_.type = std::string(value);
      return {};
    case kLinear:
      return number(current_.linearStartAddress);
    case kPhysical:
      return number(current_.physicalStartAddress);
    case kSize:
      return number(current_.partitionSize);
    case kRegion:
      current_.region = std::string(value);
      return {};
    case kStorage:
      current_.storage = std::string(value);
      return {};
    case kBoundaryCheck:
      return flag(current_.boundaryCheck);
    case kIsReserved:
      return flag(current_.isReserved);
    case kOperationType:
      current_.operationType = std::string(value);
      return {};
    case kReserve:
      return number(current_.reserve);
    case kIsUpgradable:
      return flag(current_.isUpgradable);
    case kEmptyBootNeeded:
      return flag(current_.emptyBootNeeded);
    case kComboPartsizeCheck:
      return flag(current_.comboPartsizeCheck);
    default:
      return {};
  }
}

namespace {

// "V1.1.2" -> 1; nullopt when it does not look like a version.
std::optional<unsigned> majorVersion(std::string_view v) {
  if (v.size() < 2 || (v[0] != 'V' && v[0] != 'v')) return std::nullopt;
  unsigned major = 0;
  std::size_t i = 1;
  for (; i < v.size() && i < 6 && std::isdigit(static_cast<unsigned char>(v[i])); ++i) {
    major = major * 10 + static_cast<unsigned>(v[i] - '0');
  }
  if (i == 1) return std::nullopt;
  for (; i < v.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(v[i])) && v[i] != '.') return std::nullopt;
  }
  return major;
}

Status selectInPlace(Scatter& s, std::string_view storage) {
  if (s.sections.empty()) return {};
  std::size_t chosen = 0;
  const bool combo = s.format == Format::V2Text || s.format == Format::V2Xml;
  if (combo && !trim(storage).empty()) {
    const std::string want = storageKind(storage);
    std::string have;
    bool found = false;
    for (std::size_t i = 0; i < s.sections.size(); ++i) {
      if (storageKind(s.sections[i].storage) == want) {
        chosen = i;
        found = true;
        break;
      }
      have += (have.empty() ? "" : ", ") + s.sections[i].storage;
    }
    if (!found) {
      return makeError(
          kStorageNotMatch, kStorageNotMatchName,
          where(s.fileName, 0) + "no " + want + " layout in this scatter (it has " + have + ")",
          "use the firmware built for this phone's storage");
    }
    Section keep = std::move(s.sections[chosen]);
    s.sections.clear();
    s.sections.push_back(std::move(keep));
    chosen = 0;
  }
  const Section& sec = s.sections[chosen];
  s.storage = sec.storage;
  s.bootChannel = sec.bootChannel;
  s.blockSize = sec.blockSize;
  s.partitions = sec.partitions;
  return {};
}

}  // namespace

Result<Scatter> Builder::finish(std::string_view storage) {
  if (auto st = closePartition(); !st) return std::move(st).error();
  if (!sawPlatformGeneral_) {
    return error(1, "no \"- general: MTK_PLATFORM_CFG\" block: not a V1.x/V2.x scatter");
  }
  if (scatter_.configVersion.empty())
    return error(top_.line, "the general block has no config_version");
  const auto major = majorVersion(scatter_.configVersion);
  if (!major || *major < 1 || *major > 2) {
    return makeError(kVersionUnsupported, kVersionUnsupportedName,
                     where(scatter_.fileName, scatter_.configVersionLine) + "config_version " +
                         excerpt(scatter_.configVersion) +
                         " is not supported (known: V1.1.0-V1.1.9, V1.2.0, V2.1.0, V2.2.0)",
                     "use a scatter from a V1.x/V2.x firmware or a newer tool");
  }
  if (scatter_.sections.empty()) {
    if (top_.partitions.empty()) return error(top_.line, "no partition records");
    if (scatter_.format != Format::V2Xml) scatter_.format = Format::V1;
    if (top_.storage.empty()) top_.storage = "NAND";  // SP Flash Tool's default (§3.2)
    scatter_.sections.push_back(std::move(top_));
  } else {
    if (sawPartitionOutsideSection_) {
      return error(firstOutsideLine_, "partition record outside any storage_type section");
    }
    if (scatter_.format != Format::V2Xml) scatter_.format = Format::V2Text;
    for (const Section& s : scatter_.sections) {
      if (s.partitions.empty()) {
        return error(s.line, "storage_type " + excerpt(s.storage) + " has no partition records");
      }
    }
    // Platform-level storage keys (none in V2.x files) are kept as extras.
    if (!top_.storage.empty()) scatter_.generalExtras.emplace_back("storage", top_.storage);
  }
  if (auto st = selectInPlace(scatter_, storage); !st) return std::move(st).error();
  return std::move(scatter_);
}

}  // namespace detail

const char* formatName(Format f) {
  switch (f) {
    case Format::Legacy:
      return "legacy";
    case Format::V1:
      return "V1.x text";
    case Format::V2Text:
      return "V2.x text";
    case Format::V2Xml:
      return "XML";
  }
  return "?";
}

Result<Scatter> parse(std::string_view text, std::string_view fileName, std::string_view storage) {
  std::string_view t = text;
  if (t.size() >= 3 && t.substr(0, 3) == "\xEF\xBB\xBF") t.remove_prefix(3);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  if (!t.empty() && t.front() == '<') return parseXml(text, fileName, storage);
  return parseText(text, fileName, storage);
}

Result<Scatter> selectStorage(const Scatter& s, std::string_view storage) {
  Scatter copy = s;
  if (auto st = detail::selectInPlace(copy, storage); !st) return std::move(st).error();
  return copy;
}

std::string platformFromFileName(std::string_view fileName) {
  const auto slash = fileName.find_last_of("/\\");
  if (slash != std::string_view::npos) fileName.remove_prefix(slash + 1);
  // The last "MT" + four or more digits (+ variant letters such as MT6735M) that does not
  // continue a word: names like "owner__repo_mt6891__MT6893_Android_scatter.txt" keep the chip
  // next to "_Android" last, as MediaTek's own names do.
  std::string found;
  const auto isAlnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  for (std::size_t at = 0; at + 6 <= fileName.size(); ++at) {
    if (!detail::equalsNoCase(fileName.substr(at, 2), "MT")) continue;
    if (at > 0 && isAlnum(fileName[at - 1])) continue;
    std::size_t i = at + 2;
    while (i < fileName.size() && std::isdigit(static_cast<unsigned char>(fileName[i]))) ++i;
    if (i - at < 6) continue;
    while (i < fileName.size() && std::isalpha(static_cast<unsigned char>(fileName[i]))) ++i;
    found = detail::upper(fileName.substr(at, i - at));
    at = i - 1;
  }
  return found;
}

std::vector<std::string> canonicalRegions(std::string_view region) {
  const std::string r = detail::upper(detail::trim(region));
  if (r == "EMMC_BOOT_1" || r == "EMMC_BOOT1") return {"EMMC_BOOT1"};
  if (r == "EMMC_BOOT_2" || r == "EMMC_BOOT2") return {"EMMC_BOOT2"};
  if (r == "EMMC_BOOT1_BOOT2") return {"EMMC_BOOT1", "EMMC_BOOT2"};
  if (r == "UFS_LU0_LU1") return {"UFS_LU0", "UFS_LU1"};
  return {r};
}

std::string humanSize(std::uint64_t bytes) {
  constexpr std::array<const char*, 5> units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  std::size_t u = 0;
  std::uint64_t unit = 1024;
  while (u + 1 < units.size() && bytes / unit >= 1024) {
    unit *= 1024;
    ++u;
  }
  if (bytes % unit == 0) return std::to_string(bytes / unit) + " " + units[u];
  // One decimal, rounded half up, in integers; 1023.96 MiB becomes "1 GiB", not "1024 MiB".
  const std::uint64_t whole = bytes / unit;
  std::uint64_t tenths = ((bytes % unit) * 10 + unit / 2) / unit;
  std::uint64_t w = whole;
  if (tenths == 10) {
    ++w;
    tenths = 0;
    if (w == 1024 && u + 1 < units.size()) return std::string("1 ") + units[u + 1];
  }
  if (tenths == 0) return std::to_string(w) + " " + units[u];
  return std::to_string(w) + "." + std::to_string(tenths) + " " + units[u];
}

}  // namespace mtk::wire::scatter
