// Looking into a virtual phone's flash from outside the protocol: the table it holds now, the
// contents of ranges, whether an image landed.
#include <cstring>

#include "mtk/flasher/image_reader.hpp"
#include "mtk/wire/pmt.hpp"
#include "run_detail.hpp"

namespace mtk::scenario::detail {

namespace {

const emu::StorageArea* userArea(const emu::VirtualStorage& storage) {
  const emu::StorageArea* a = storage.areaByName("user");
  return a ? a : storage.areaByName("lu2");
}

}  // namespace

std::optional<flasher::PartitionTable> tableOnFlash(const emu::VirtualStorage& storage) {
  const emu::StorageArea* user = userArea(storage);
  if (!user) return std::nullopt;
  const std::uint32_t sector = storage.sectorSize();
  wire::Bytes head(std::min<std::uint64_t>(user->size, 2 * sector + 128 * 128));
  if (!storage.read(user->partType, 0, head)) return std::nullopt;
  if (auto g = flasher::tableFromGpt(head, sector, user->partType)) return *g;
  if (auto at = wire::pmt::emmcTableOffset(user->size)) {
    wire::Bytes region(2 * wire::pmt::kRegionSize);
    if (storage.read(user->partType, *at, region)) {
      if (auto p = flasher::tableFromPmt(region, sector, user->partType)) return *p;
    }
  }
  return std::nullopt;
}

wire::Sha256::Digest hashRange(const emu::VirtualStorage& storage, std::uint32_t partType,
                               std::uint64_t offset, std::uint64_t length) {
  wire::Sha256 h;
  wire::Bytes buf(1 << 20);
  for (std::uint64_t at = 0; at < length;) {
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), length - at));
    wire::MutableByteSpan piece(buf.data(), n);
    if (!storage.read(partType, offset + at, piece)) std::fill(piece.begin(), piece.end(), 0xEE);
    h.update(piece);
    at += n;
  }
  return h.finish();
}

bool allZero(const emu::VirtualStorage& storage, std::uint32_t partType, std::uint64_t offset,
             std::uint64_t length) {
  wire::Bytes buf(1 << 20);
  for (std::uint64_t at = 0; at < length;) {
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), length - at));
    wire::MutableByteSpan piece(buf.data(), n);
    if (!storage.read(partType, offset + at, piece)) return false;
    if (piece[0] != 0 || std::memcmp(piece.data(), piece.data() + 1, n - 1) != 0) return false;
    at += n;
  }
  return true;
}

Result<bool> imageOnFlash(const emu::VirtualStorage& storage, std::uint32_t partType,
                          std::uint64_t offset, const std::string& image) {
  auto r = flasher::ImageReader::open(image);
  if (!r) return r.error();
  wire::Bytes want, got;
  for (const auto& st : (*r)->stretches()) {
    for (std::uint64_t at = 0; at < st.length;) {
      const std::size_t n =
          static_cast<std::size_t>(std::min<std::uint64_t>(1 << 20, st.length - at));
      want.resize(n);
      got.resize(n);
      if (auto s = (*r)->next(want); !s) return s.error();
      if (auto s = storage.read(partType, offset + st.offset + at, got); !s) return s.error();
      if (want != got) return false;
      at += n;
    }
  }
  return true;
}

}  // namespace mtk::scenario::detail
