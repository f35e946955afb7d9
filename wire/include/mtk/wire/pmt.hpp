#pragma once
// MediaTek's Partition Management Table (PMT), the partition table of eMMC phones before GPT
// (~MT6575..MT6592) as described in mtk-protocols.md §7.1 and spflash.md §4.1.
//
// eMMC table region (4 KiB, little-endian):
//   @0      u32 signature (PT: 0x50547631 "1vTP" on disk; mirror MPT: 0x4D505431)
//   @4      4-byte version string, "1.1\0" (or "1.0\0")
//   @8      entries, `pt_resident` records back to back; the first empty name ends the table
//   @0xFFC  the signature again
// The main region starts 1 MiB before the end of the user area, the mirror 4 KiB after it.
//
// Record layouts the docs give:
//   v1.1 (eMMC, version "1.1", implemented, the default):
//        name[64], u64 size, u64 part_id, u64 offset, u64 mask_flags      = 0x60 bytes
//   v1.0 (version "1.0", implemented, picked by the version string):
//        name[64], u64 size, u64 offset, u64 mask_flags                   = 0x58 bytes
//   32-bit (old kernels' `unsigned long`): name[64], u32 size, u32 offset, u32 mask_flags
//        = 0x4C bytes. NOT implemented: the docs give it no version string to recognise it by.
// Bytes between the last record and the trailer are written as zero; the docs place no pt_info
// record there for eMMC (emulator's choice). The version string must be exactly "1.1\0" or
// "1.0\0" (emulator's choice).
// NAND phones keep the table in the last erase blocks with signature and sequence number in the
// spare area; that is a flash-translation concern and not modelled here.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mtk/error.hpp"
#include "mtk/wire/bytes.hpp"

namespace mtk::wire::pmt {

// Signatures as u32 read little-endian. mtkclient also recognises generation 3 ("PTv3"/"MPT3");
// the docs give no numbers for it, so 0x50547633/0x4D505433 follow the v1/v2 pattern
// (emulator's choice).
constexpr std::uint32_t kSigPtV1 = 0x50547631;
constexpr std::uint32_t kSigMptV1 = 0x4D505431;
constexpr std::uint32_t kSigPtV2 = 0x50547632;
constexpr std::uint32_t kSigMptV2 = 0x4D505432;
constexpr std::uint32_t kSigPtV3 = 0x50547633;
constexpr std::uint32_t kSigMptV3 = 0x4D505433;

constexpr std::size_t kRegionSize = 0x1000;
constexpr std::size_t kNameSize = 64;
constexpr std::size_t kHeaderSize = 8;                    // signature + version string
constexpr std::size_t kTrailerSize = 4;                   // signature again
constexpr std::uint64_t kEmmcDistanceFromEnd = 0x100000;  // of the user area
constexpr std::uint64_t kMirrorOffset = 0x1000;           // mirror region after the main one
// How many records build() writes at most: MediaTek's preloader PART_MAX_COUNT (40) in the
// builds we know, so a table we build fits any loader's array. Parsers accept up to what the
// region holds (42 for v1.1, 46 for v1.0). The docs do not give the value (emulator's choice).
constexpr std::size_t kMaxBuildEntries = 40;

enum class Variant {
  kV11,  // version "1.1", with part_id
  kV10,  // version "1.0", no part_id
};

std::size_t recordSize(Variant v);          // 0x60 / 0x58
std::string_view versionString(Variant v);  // "1.1" / "1.0"
std::size_t capacity(Variant v);            // records that fit in one region

struct Entry {
  std::string name;  // at most 63 bytes kept (the field always ends in NUL)
  std::uint64_t size = 0;
  std::uint64_t partId = 0;  // eMMC region (8 = USER, 1/2 = BOOT1/2, ...); 0 in v1.0
  std::uint64_t offset = 0;  // start address in bytes
  std::uint64_t maskFlags = 0;
};

struct Table {
  std::uint32_t signature = kSigPtV1;
  Variant variant = Variant::kV11;
  std::vector<Entry> entries;

  bool isMirror() const;  // an MPT signature
};

// One 4 KiB region. Fails on an unknown signature, more than kMaxBuildEntries entries or an
// empty name (which would end the table early for any reader).
Result<Bytes> build(const Table& t);

// Parses one region (`region` must hold at least kRegionSize bytes; more is ignored). Checks
// both signatures, the version string, and that no entry's offset + size wraps around.
// Errors: PMT_TRUNCATED, PMT_SIGNATURE, PMT_TRAILER, PMT_VERSION, PMT_ENTRY_RANGE.
Result<Table> parse(ByteSpan region);

// What the loaders do: the main table at `bytes`, else the mirror kMirrorOffset later. `bytes`
// should hold both regions (8 KiB). Fails with the main table's error if neither parses.
Result<Table> parseMainOrMirror(ByteSpan bytes);

// Byte offset of the main table in the user area: userAreaBytes - 1 MiB. Fails when the user
// area is too small to hold both regions there.
Result<std::uint64_t> emmcTableOffset(std::uint64_t userAreaBytes);

}  // namespace mtk::wire::pmt
