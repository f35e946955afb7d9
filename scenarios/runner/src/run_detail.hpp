#pragma once
// Pieces of a scenario run: preparing its folder (firmwares, test DA) and looking into the
// virtual phone's flash (its current partition table, partition contents, what was written).

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mtk/emu/storage/virtual_storage.hpp"
#include "mtk/flasher/partition_table.hpp"
#include "mtk/scenario/scenario.hpp"
#include "mtk/wire/sha256.hpp"

namespace mtk::scenario::detail {

// Writes every firmware of the scenario into `folder`/<name>/ (the sample firmware, then the
// scenario's changes); returns name -> scatter path.
Result<std::map<std::string, std::string>> prepareFirmwares(const Scenario& s,
                                                            const std::string& folder);
// A test DA for the chips the scenario may meet (MT6765 and the phone's); returns its path.
Result<std::string> prepareDa(const std::string& folder, std::uint16_t phoneDaCode,
                              wire::Bytes* bytes = nullptr);

// Copies a folder of (sparse) files, holes kept: a phone's flash prepared once, for each run.
Status copySparseTree(const std::string& from, const std::string& to);

// The partition table the phone's flash holds now (GPT, else PMT), read from the storage.
std::optional<flasher::PartitionTable> tableOnFlash(const emu::VirtualStorage& storage);
wire::Sha256::Digest hashRange(const emu::VirtualStorage& storage, std::uint32_t partType,
                               std::uint64_t offset, std::uint64_t length);
bool allZero(const emu::VirtualStorage& storage, std::uint32_t partType, std::uint64_t offset,
             std::uint64_t length);
// Whether the image (raw or sparse) is what the flash holds at `offset` (data stretches only).
Result<bool> imageOnFlash(const emu::VirtualStorage& storage, std::uint32_t partType,
                          std::uint64_t offset, const std::string& image);

struct Written {
  std::uint32_t partType = 0;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
};

}  // namespace mtk::scenario::detail
