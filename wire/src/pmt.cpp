#include "mtk/wire/pmt.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

namespace mtk::wire::pmt {
namespace {

constexpr std::size_t kVersionSize = 4;
constexpr std::size_t kTrailerOffset = kRegionSize - kTrailerSize;

// SP Flash Tool's word for a DA that finds no table is S_PART_NO_VALID_TABLE (1037); the way
// out it suggests is a plain download, which writes a fresh PMT.
Error pmtError(const char* name, std::string message) {
  return makeError(-1, name, "PMT: " + std::move(message),
                   "no valid PMT (SP Flash Tool: S_PART_NO_VALID_TABLE, 1037); run Download Only "
                   "or Format All + Download to write a new table");
}

bool knownSignature(std::uint32_t s) {
  return s == kSigPtV1 || s == kSigMptV1 || s == kSigPtV2 || s == kSigMptV2 || s == kSigPtV3 ||
         s == kSigMptV3;
}

std::string sigText(std::uint32_t s) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", s);
  return buf;
}

// The docs do not say how a reader finds the last record; the first record whose name starts
// with NUL or 0xFF (erased flash) ends the table (emulator's choice, as MediaTek's loaders do).
bool endsTable(ByteSpan record) {
  return record[0] == 0x00 || record[0] == 0xFF;
}

void writeRecord(Writer& w, const Entry& e, Variant v) {
  w.fixedString(e.name, kNameSize).le64(e.size);
  if (v == Variant::kV11) w.le64(e.partId);
  w.le64(e.offset).le64(e.maskFlags);
}

Entry readRecord(ByteSpan record, Variant v) {
  Reader r(record);
  Entry e;
  e.name = r.fixedString(kNameSize);
  e.size = r.le64();
  if (v == Variant::kV11) e.partId = r.le64();
  e.offset = r.le64();
  e.maskFlags = r.le64();
  return e;
}

}  // namespace

std::size_t recordSize(Variant v) {
  return v == Variant::kV11 ? 0x60 : 0x58;
}

std::string_view versionString(Variant v) {
  return v == Variant::kV11 ? "1.1" : "1.0";
}

std::size_t capacity(Variant v) {
  return (kRegionSize - kHeaderSize - kTrailerSize) / recordSize(v);
}

bool Table::isMirror() const {
  return signature == kSigMptV1 || signature == kSigMptV2 || signature == kSigMptV3;
}

Result<Bytes> build(const Table& t) {
  if (!knownSignature(t.signature)) {
    return makeError(-1, "PMT_SIGNATURE",
                     "cannot build a PMT with signature " + sigText(t.signature));
  }
  if (t.entries.size() > kMaxBuildEntries) {
    return makeError(-1, "PMT_TOO_MANY_ENTRIES",
                     std::to_string(t.entries.size()) + " partitions; a PMT holds at most " +
                         std::to_string(kMaxBuildEntries));
  }
  Bytes out;
  out.reserve(kRegionSize);
  Writer w(out);
  w.le32(t.signature).fixedString(versionString(t.variant), kVersionSize);
  for (const Entry& e : t.entries) {
    if (e.name.empty()) {
      return makeError(-1, "PMT_EMPTY_NAME",
                       "a partition with an empty name would end the table for any reader");
    }
    writeRecord(w, e, t.variant);
  }
  out.resize(kTrailerOffset, 0);
  w.le32(t.signature);
  return out;
}

Result<Table> parse(ByteSpan region) {
  if (region.size() < kRegionSize) {
    return pmtError("PMT_TRUNCATED", std::to_string(region.size()) + " bytes, a table region is " +
                                         std::to_string(kRegionSize));
  }
  Table t;
  t.signature = loadLe32(region.data());
  if (!knownSignature(t.signature)) {
    return pmtError("PMT_SIGNATURE", "signature " + sigText(t.signature) +
                                         " is not PTv1/2/3 or "
                                         "MPT1/2/3 (bytes " +
                                         hexdump(region.first(4)) + ")");
  }
  if (std::uint32_t trailer = loadLe32(region.data() + kTrailerOffset); trailer != t.signature) {
    return pmtError("PMT_TRAILER", "trailing signature " + sigText(trailer) +
                                       " differs from the leading " + sigText(t.signature));
  }
  ByteSpan version = region.subspan(4, kVersionSize);
  if (std::equal(version.begin(), version.end(), "1.1")) {  // compares the NUL too
    t.variant = Variant::kV11;
  } else if (std::equal(version.begin(), version.end(), "1.0")) {
    t.variant = Variant::kV10;
  } else {
    return pmtError("PMT_VERSION", "version string " + hexdump(version) +
                                       " is not \"1.1\" or "
                                       "\"1.0\"");
  }
  const std::size_t size = recordSize(t.variant);
  for (std::size_t i = 0; i < capacity(t.variant); ++i) {
    ByteSpan record = region.subspan(kHeaderSize + i * size, size);
    if (endsTable(record)) break;
    Entry e = readRecord(record, t.variant);
    if (e.size > std::numeric_limits<std::uint64_t>::max() - e.offset) {
      return pmtError("PMT_ENTRY_RANGE", "entry " + std::to_string(i) + " '" + e.name +
                                             "': offset + size wraps around 2^64");
    }
    t.entries.push_back(std::move(e));
  }
  return t;
}

Result<Table> parseMainOrMirror(ByteSpan bytes) {
  Result<Table> main = parse(bytes);
  if (main || bytes.size() < kMirrorOffset) return main;
  Result<Table> mirror = parse(bytes.subspan(kMirrorOffset));
  if (mirror) return mirror;
  Error e = std::move(main).error();
  e.context("main table (mirror unusable too: " + std::move(mirror).error().message + ")");
  return e;
}

Result<std::uint64_t> emmcTableOffset(std::uint64_t userAreaBytes) {
  if (userAreaBytes < kEmmcDistanceFromEnd) {
    return makeError(-1, "PMT_NO_ROOM",
                     "a user area of " + std::to_string(userAreaBytes) +
                         " bytes is smaller than the 1 MiB the PMT sits before its end");
  }
  return userAreaBytes - kEmmcDistanceFromEnd;
}

}  // namespace mtk::wire::pmt
