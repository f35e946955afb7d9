#include "phone_storage.hpp"

namespace mtk::emu {

PhoneStorage preparePhoneStorage(const PhoneSpec& spec) {
  PhoneStorage out;
  auto opened = VirtualStorage::open(spec.storage);
  if (!opened) {
    out.error = opened.error();
    return out;
  }
  out.storage = std::move(*opened);
  VirtualStorage& st = *out.storage;
  auto fail = [&out](const Error& e) {
    if (!out.error) out.error = e;
  };
  const StorageArea* user = st.areaByName(spec.storage.kind == StorageKind::Ufs ? "lu2" : "user");
  Result<bool> contentDue = false;
  if (user) {
    const auto layout = spec.layout.empty() ? defaultLayout(user->size) : spec.layout;
    auto placed = placeLayout(st, layout);
    if (placed) {
      out.partitions = std::move(*placed);
    } else if (!spec.initialContent.empty()) {
      fail(placed.error());
    }
    // Decided before the table is written, since the table makes the user area non-blank.
    contentDue = initialContentDue(st, spec.partitionTable, out.partitions, spec.initialContent);
    if (auto s = writeInitialTable(st, spec.partitionTable, layout); !s) fail(s.error());
  } else if (!spec.initialContent.empty()) {
    fail(makeError(-1, "EMU_INITIAL_CONTENT_INVALID",
                   std::string("initial_content on a phone without a user area (storage ") +
                       storageKindName(spec.storage.kind) + ")",
                   "give the phone eMMC or UFS storage, or drop initial_content"));
  }
  if (spec.hasPreloader) {
    if (auto s = writeInitialPreloader(st, spec.chip->name, spec.emiVersion); !s) fail(s.error());
  }
  // After the preloader: content aimed at a boot area wins over it.
  if (!contentDue) {
    fail(contentDue.error());
  } else if (*contentDue) {
    if (auto s = writeInitialContent(st, out.partitions, spec.initialContent); !s) fail(s.error());
  }
  if (spec.powerCutAfter) st.armPowerCut(*spec.powerCutAfter);
  return out;
}

}  // namespace mtk::emu
