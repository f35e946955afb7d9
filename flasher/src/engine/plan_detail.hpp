#pragma once
// Pieces the plan builders share: ranges, name matching, the table to write, image steps.

#include <string>
#include <vector>

#include "mtk/flasher/flash_plan.hpp"

namespace mtk::flasher::plan_detail {

bool sameName(const std::string& a, const std::string& b);
bool named(const std::vector<std::string>& names, const std::string& name);
// The phone's entry for a scatter partition: the same name, else SP Flash Tool's fallback of a
// name contained in the other either way (spflash.md §1.2 FindPartition).
const PartitionInfo* findOnPhone(const PartitionTable& t, const std::string& name);

struct Range {
  std::string area;
  std::uint32_t partType = 0;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::string what;
};
// [offset, offset+length) of `whole` minus the kept ranges of the same area, in order.
std::vector<Range> subtract(const Range& whole, const std::vector<Range>& kept);

// Partition table partitions: placed user-area partitions other than pgpt/sgpt (the tables
// themselves), with resolved offsets and sizes.
std::vector<PartitionInfo> tableFromScatter(const std::vector<PlacedPartition>& placed,
                                            const StorageInfo* storage);
// GPT or PMT: what the phone has, else what the scatter's era uses (pgpt: GPT; UFS: GPT).
std::string tableKindFor(const Firmware& fw, const PhoneFacts* phone);

// Scatter image writes for the partitions `want` accepts, protected ones only when named.
// Fails when a downloadable partition's image is missing or does not fit.
Result<std::vector<Step>> imageSteps(const Firmware& fw, const std::vector<PlacedPartition>& placed,
                                     const PlanOptions& o, bool onlySelected);

// Refuses a plan whose scatter has errors against the phone (chip, storage, sizes, images).
Status checkAgainstPhone(const Firmware& fw, const PhoneFacts* phone,
                         const std::vector<std::string>& selected);

Step writeTableStep(const PhoneFacts* phone, const std::string& kind, const std::string& note);

std::string hexAddr(std::uint64_t v);

}  // namespace mtk::flasher::plan_detail
