#pragma once
// Internals shared by the scatter parsers (text, XML) and the validator. Not installed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mtk/wire/scatter.hpp"

namespace mtk::wire::scatter::detail {

// SP Flash Tool names (spflash-codes.tsv, v5 numbering).
constexpr std::int64_t kIncorrectFormat = 5011;  // S_DL_SCAT_INCORRECT_FORMAT
constexpr const char* kIncorrectFormatName = "S_DL_SCAT_INCORRECT_FORMAT";
constexpr std::int64_t kVersionUnsupported = 5079;  // S_DL_SCAT_VERSION_UNSUPPORTED
constexpr const char* kVersionUnsupportedName = "S_DL_SCAT_VERSION_UNSUPPORTED";
constexpr std::int64_t kStorageNotMatch = 3183;  // S_STORAGE_NOT_MATCH
constexpr const char* kStorageNotMatchName = "S_STORAGE_NOT_MATCH";

// Upper bound on partition records, so a hostile file cannot make the model grow without limit
// (the largest real file, 160 records in two sections).
constexpr std::size_t kMaxPartitions = 4096;

std::string_view trim(std::string_view s);
bool equalsNoCase(std::string_view a, std::string_view b);
std::string upper(std::string_view s);
std::string hex(std::uint64_t v);
// "0x1A" / "0X1a" hex or decimal, the whole string, no sign; nullopt when malformed or > 64 bits.
std::optional<std::uint64_t> parseNumber(std::string_view s);
// "HW_STORAGE_EMMC" / "emmc" / " EMMC " -> "EMMC".
std::string storageKind(std::string_view s);
// "true"/"false" in any case.
std::optional<bool> parseBool(std::string_view s);
// At most 60 printable characters of `s` for an error message.
std::string excerpt(std::string_view s);
// "file:line: " (or "file: " for line 0).
std::string where(std::string_view fileName, int line);
Error formatError(std::string_view fileName, int line, const std::string& message,
                  std::string hint = {});

// Receives the structure both syntaxes share and builds the model: the platform general block,
// storage sections with their general block, partition records, and key/value pairs for
// whichever of those is open.
class Builder {
 public:
  Builder(std::string_view fileName, Format format);

  Status platformGeneral(int line);
  Status section(std::string_view storage, int line);
  Status storageGeneral(int line);
  Status partition(std::string_view index, int line);
  Status key(std::string_view key, std::string_view value, int line);
  // Checks completeness, the version and selects `storage` (see scatter::parse()).
  Result<Scatter> finish(std::string_view storage);

  Error error(int line, const std::string& message, std::string hint = {}) const {
    return formatError(scatter_.fileName, line, message, std::move(hint));
  }

 private:
  enum class Block { None, PlatformGeneral, Section, StorageGeneral, Partition };
  Status closePartition();
  Status generalKey(std::string_view key, std::string_view value, int line);
  Status storageKey(std::string_view key, std::string_view value, int line);
  Status partitionKey(std::string_view key, std::string_view value, int line);
  Section& currentSection();

  Scatter scatter_;
  Section top_;  // V1.x: the one layout
  bool sawPlatformGeneral_ = false;
  bool sawPartitionOutsideSection_ = false;
  int firstOutsideLine_ = 0;
  Block block_ = Block::None;
  Partition current_;
  std::uint32_t seen_ = 0;  // bit per partition key (see scatter.cpp)
  std::uint32_t generalSeen_ = 0;
  std::size_t count_ = 0;
};

}  // namespace mtk::wire::scatter::detail
