#pragma once
// What partitions hold before anyone flashes the phone: a fill byte, seeded pseudo-random bytes
// or a file, per partition, so a scenario can prove that nvram survives a flash (its content is
// known and can be compared afterwards) and a readback has something to read.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mtk/emu/storage/initial_content.hpp"
#include "mtk/emu/storage/virtual_storage.hpp"
#include "mtk/error.hpp"

namespace mtk::emu {

struct InitialContent {
  enum class Kind { Pattern, Seeded, File };
  std::string partition{};  // a partition of the layout, or a storage area (boot1, user, lu0, ...)
  Kind kind = Kind::Pattern;
  std::uint8_t pattern = 0;             // Pattern: every byte
  std::uint64_t seed = 0;               // Seeded: seededBytes(seed, ...)
  std::string file{};                   // File: its bytes, from the start
  std::uint64_t offset = 0;             // where in the partition the content starts
  std::optional<std::uint64_t> size{};  // default: the rest of the partition (a file: its size)
};

// The bytes of seeded content: byte i is byte (i % 8) of the little-endian (i / 8)-th output of
// SplitMix64(seed) (splitmix64.hpp), so anyone can recompute them. `start` is the index of out[0].
void seededBytes(std::uint64_t seed, std::uint64_t start, wire::MutableByteSpan out);

// Whether the contents are due: the user area is blank (no table written yet) and, with no
// partition table to tell, each targeted range still starts with a zero sector, so a restarted
// emulator never overwrites what was flashed.
Result<bool> initialContentDue(const VirtualStorage& storage, TableKind table,
                               const std::vector<PlacedPartition>& partitions,
                               const std::vector<InitialContent>& content);

// Writes the contents, in order (a later one may overwrite part of an earlier one).
Status writeInitialContent(VirtualStorage& storage, const std::vector<PlacedPartition>& partitions,
                           const std::vector<InitialContent>& content);

}  // namespace mtk::emu
