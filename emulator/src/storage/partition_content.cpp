#include "mtk/emu/storage/partition_content.hpp"

#include <algorithm>
#include <fstream>

#include "mtk/emu/splitmix64.hpp"

namespace mtk::emu {

namespace {

constexpr std::size_t kPiece = 1u << 20;  // content is written a MiB at a time: memory stays flat

Error contentError(const std::string& message) {
  return makeError(-1, "EMU_INITIAL_CONTENT_INVALID", message,
                   "check initial_content against the phone's layout and storage sizes");
}

struct Range {
  std::uint32_t partType;
  std::uint64_t offset;
  std::uint64_t size;
};

// A partition of the layout first; else a whole storage area by its name.
Result<Range> rangeOf(const VirtualStorage& storage, const std::vector<PlacedPartition>& partitions,
                      const std::string& name) {
  for (const auto& p : partitions) {
    if (p.name == name) return Range{p.partType, p.offset, p.size};
  }
  if (const StorageArea* a = storage.areaByName(name)) return Range{a->partType, 0, a->size};
  return contentError("initial_content names '" + name +
                      "', which is neither a partition of the layout nor a storage area");
}

Result<std::uint64_t> fileSize(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return contentError("cannot read " + path);
  return static_cast<std::uint64_t>(in.tellg());
}

}  // namespace

void seededBytes(std::uint64_t seed, std::uint64_t start, wire::MutableByteSpan out) {
  for (std::size_t i = 0; i < out.size();) {
    const std::uint64_t index = start + i;
    const std::uint64_t word = SplitMix64::at(seed, index / 8);
    for (unsigned b = static_cast<unsigned>(index % 8); b < 8 && i < out.size(); ++b, ++i)
      out[i] = static_cast<std::uint8_t>(word >> (8 * b));
  }
}

Result<bool> initialContentDue(const VirtualStorage& storage, TableKind table,
                               const std::vector<PlacedPartition>& partitions,
                               const std::vector<InitialContent>& content) {
  if (content.empty()) return false;
  auto blank = userAreaBlank(storage);
  if (!blank || !*blank || table != TableKind::None) return blank;
  wire::Bytes first(storage.sectorSize());
  for (const auto& c : content) {
    auto r = rangeOf(storage, partitions, c.partition);
    if (!r) return r.error();
    if (c.offset >= r->size) continue;  // writeInitialContent reports it
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(first.size(), r->size));
    if (auto s = storage.read(r->partType, r->offset, wire::MutableByteSpan(first.data(), n)); !s)
      return s.error();
    if (std::any_of(first.begin(), first.begin() + static_cast<std::ptrdiff_t>(n),
                    [](auto b) { return b != 0; }))
      return false;
  }
  return true;
}

Status writeInitialContent(VirtualStorage& storage, const std::vector<PlacedPartition>& partitions,
                           const std::vector<InitialContent>& content) {
  wire::Bytes piece;
  for (const auto& c : content) {
    auto r = rangeOf(storage, partitions, c.partition);
    if (!r) return r.error();
    if (c.offset > r->size) {
      return contentError("initial_content for " + c.partition + ": offset " +
                          std::to_string(c.offset) + " is past its end (" +
                          std::to_string(r->size) + " bytes)");
    }
    std::uint64_t size = c.size ? *c.size : r->size - c.offset;
    std::ifstream file;
    if (c.kind == InitialContent::Kind::File) {
      auto fs = fileSize(c.file);
      if (!fs) return fs.error();
      size = c.size ? std::min(*c.size, *fs) : *fs;
      file.open(c.file, std::ios::binary);
    }
    if (size > r->size - c.offset) {
      return contentError("initial_content for " + c.partition + ": " + std::to_string(size) +
                          " bytes at offset " + std::to_string(c.offset) + " do not fit its " +
                          std::to_string(r->size) + " bytes");
    }
    for (std::uint64_t done = 0; done < size;) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kPiece, size - done));
      piece.resize(n);
      switch (c.kind) {
        case InitialContent::Kind::Pattern:
          std::fill(piece.begin(), piece.end(), c.pattern);
          break;
        case InitialContent::Kind::Seeded:
          seededBytes(c.seed, done, piece);
          break;
        case InitialContent::Kind::File:
          if (!file.read(reinterpret_cast<char*>(piece.data()), static_cast<std::streamsize>(n)))
            return contentError("cannot read " + c.file);
          break;
      }
      if (auto s = storage.write(r->partType, r->offset + c.offset + done, piece); !s) return s;
      done += n;
    }
  }
  return {};
}

}  // namespace mtk::emu
