#pragma once
// A phone's flash as it is at power-on: opened, and on a blank flash the partition table, the
// preloader in the boot areas and the initial partition content written; the legacy power-cut
// knob armed after that, so it counts only what hosts write.

#include <memory>
#include <optional>
#include <vector>

#include "mtk/emu/phone/phone_spec.hpp"

namespace mtk::emu {

struct PhoneStorage {
  std::shared_ptr<VirtualStorage> storage;  // null when it could not be opened
  std::vector<PlacedPartition> partitions;  // the layout, where the user area holds it
  std::optional<Error> error;               // the first thing that went wrong
};

PhoneStorage preparePhoneStorage(const PhoneSpec& spec);

}  // namespace mtk::emu
