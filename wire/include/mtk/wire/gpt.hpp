#pragma once
// GUID Partition Table (UEFI 2.x chapter 5) as MediaTek phones store it in the eMMC user area or
// a UFS LU: LBA0 protective MBR, LBA1 "EFI PART" header, entries from LBA2, and the backup
// header in the last LBA with its entries just before it (mtk-protocols.md §7.2).
//
// Builders encode exactly what they are given, so tests and scenarios can make broken tables on
// purpose; checkLayout() says whether a Layout makes a valid GPT. Parsers treat every byte as
// hostile: all counts and offsets are bounds-checked before use.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mtk/error.hpp"
#include "mtk/wire/bytes.hpp"

namespace mtk::wire::gpt {

// A GUID in its on-disk byte order: the first three groups little-endian, the last two as
// written (UEFI "mixed-endian").
using Guid = std::array<std::uint8_t, 16>;

// "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7" (upper case, no braces).
std::string formatGuid(const Guid& g);
// Accepts the 36-character form in either case, optionally in braces.
Result<Guid> parseGuid(std::string_view text);
bool isZero(const Guid& g);

// "Basic data" (EBD0A0A2-B9E5-4433-87C0-68B6B72699C7): what MediaTek's GPT writer uses for
// every partition.
Guid basicDataType();

constexpr std::uint32_t kRevision = 0x00010000;  // 1.0; mtkclient accepts nothing else
constexpr std::uint32_t kHeaderSize = 92;
constexpr std::uint32_t kDefaultEntryCount = 128;
constexpr std::uint32_t kDefaultEntrySize = 128;
// Bounds a parser enforces so a hostile header cannot make it allocate or read without limit.
constexpr std::uint32_t kMaxEntryCount = 1024;
constexpr std::uint32_t kMinEntrySize = 128;
constexpr std::uint32_t kMaxEntrySize = 1024;
constexpr std::size_t kNameUnits = 36;  // UTF-16LE code units in an entry's name
constexpr std::uint8_t kProtectiveType = 0xEE;
constexpr std::size_t kMbrEntryOffset = 0x1BE;
constexpr std::size_t kMbrSignatureOffset = 0x1FE;

struct Header {
  std::array<std::uint8_t, 8> signature{'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T'};  // @0
  std::uint32_t revision = kRevision;                                             // @8
  std::uint32_t headerSize = kHeaderSize;                                         // @12
  std::uint32_t headerCrc32 = 0;                  // @16, over headerSize bytes with this field zero
  std::uint32_t reserved = 0;                     // @20
  std::uint64_t myLba = 1;                        // @24
  std::uint64_t alternateLba = 0;                 // @32
  std::uint64_t firstUsableLba = 0;               // @40
  std::uint64_t lastUsableLba = 0;                // @48
  Guid diskGuid{};                                // @56
  std::uint64_t entriesLba = 2;                   // @72
  std::uint32_t numEntries = kDefaultEntryCount;  // @80
  std::uint32_t entrySize = kDefaultEntrySize;    // @84
  std::uint32_t entriesCrc32 = 0;                 // @88, over numEntries * entrySize bytes
};

// The 92 header bytes with the CRC fields as stored in `h`.
Bytes encodeHeader(const Header& h);
// Reads the 92 defined bytes; `b` must hold at least kHeaderSize bytes (else all zero).
Header decodeHeader(ByteSpan b);
// The CRC32 of the first headerSize bytes of `sector` with the CRC field taken as zero.
// `sector` must hold headerSize bytes (parsers check that first).
std::uint32_t headerCrc(ByteSpan sector, std::uint32_t headerSize);

struct Entry {
  Guid type{};                   // @0, all zero = unused
  Guid unique{};                 // @16
  std::uint64_t firstLba = 0;    // @32
  std::uint64_t lastLba = 0;     // @40, inclusive
  std::uint64_t attributes = 0;  // @48
  std::u16string name;           // @56, UTF-16LE, kNameUnits units, NUL padded
};

// An entry of `entrySize` bytes (>= 128); the name is cut to kNameUnits units.
Bytes encodeEntry(const Entry& e, std::uint32_t entrySize = kDefaultEntrySize);
// `b` must hold at least 128 bytes (else all zero). The name stops at the first NUL unit.
Entry decodeEntry(ByteSpan b);

// Partition names are kept as UTF-8 in the API and stored as UTF-16LE; unpaired surrogates and
// malformed UTF-8 become U+FFFD.
std::u16string utf8ToUtf16(std::string_view s);
std::string utf16ToUtf8(std::u16string_view s);

struct PartitionSpec {
  std::string name;  // UTF-8
  std::uint64_t firstLba = 0;
  std::uint64_t lastLba = 0;  // inclusive
  Guid type{};
  Guid unique{};
  std::uint64_t attributes = 0;
};

struct Layout {
  std::uint64_t diskSectors = 0;   // whole device (user area / LU), in sectors
  std::uint32_t sectorSize = 512;  // 512 (eMMC) or 4096 (UFS)
  Guid diskGuid{};
  std::vector<PartitionSpec> partitions;          // written to entries 0, 1, ... in this order
  std::uint32_t numEntries = kDefaultEntryCount;  // raised to partitions.size() if smaller
  std::uint32_t entrySize = kDefaultEntrySize;
};

// Geometry the builders use, derived from a Layout.
std::uint64_t entrySectors(const Layout& l);    // sectors one entry array takes
std::uint64_t firstUsableLba(const Layout& l);  // 2 + entrySectors
std::uint64_t lastUsableLba(const Layout& l);   // diskSectors - 2 - entrySectors
std::uint64_t backupStartLba(const Layout& l);  // where buildBackup()'s bytes go

// Everything that would make build*() produce an invalid GPT: bad sector or entry size, a disk
// too small for two copies, names too long, partitions empty-ranged, outside the usable range or
// overlapping.
Status checkLayout(const Layout& l);

// LBA0 .. end of the primary entry array: protective MBR, header, entries.
Bytes buildPrimary(const Layout& l);
// backupStartLba() .. last LBA: the entry array, then the backup header in the last sector.
Bytes buildBackup(const Layout& l);
// Only the 512-byte protective MBR (LBA0 is sectorSize bytes; the rest is zero).
Bytes buildProtectiveMbr(std::uint64_t diskSectors);

struct Partition : PartitionSpec {
  std::uint32_t index = 0;  // entry slot in the array
};

struct Table {
  Header header;
  std::uint32_t sectorSize = 512;
  std::vector<Partition> partitions;  // used entries (non-zero type GUID), in slot order
};

// Parses a primary GPT from `firstBytes` (LBA0 up to the end of the entry array). Checks the
// signature, header size, header CRC, my_lba == 1, entry count/size bounds, that the entry
// array lies inside `firstBytes`, the entries CRC, and that no used entry ends before it starts.
// The protective MBR is not required here; validate() reports it.
Result<Table> parse(ByteSpan firstBytes, std::uint32_t sectorSize);

// Parses the backup GPT from `lastBytes`, the final lastBytes.size() / sectorSize sectors of a
// device of `diskSectors` sectors: header in the last sector, entries before it.
Result<Table> parseBackup(ByteSpan lastBytes, std::uint32_t sectorSize, std::uint64_t diskSectors);

// Everything wrong with a primary GPT, one Error per finding (empty = fine). Names:
// GPT_NO_PROTECTIVE_MBR, GPT_BAD_SIGNATURE, GPT_REVISION, GPT_HEADER_SIZE, GPT_HEADER_CRC,
// GPT_MY_LBA, GPT_ENTRY_COUNT, GPT_ENTRY_SIZE, GPT_TRUNCATED, GPT_ENTRIES_LBA, GPT_ENTRIES_CRC,
// GPT_USABLE_RANGE, GPT_ALTERNATE_LBA, GPT_PARTITION_RANGE, GPT_PARTITION_OUTSIDE,
// GPT_PARTITION_OVERLAP, GPT_ENTRY_AFTER_GAP. Stops early only when the header cannot be read.
// `diskSectors` (0 = unknown) enables the alternate-LBA and last-usable checks.
std::vector<Error> validate(ByteSpan firstBytes, std::uint32_t sectorSize,
                            std::uint64_t diskSectors = 0);

// Partition-level findings for a parsed table (range, outside usable, overlap).
std::vector<Error> checkPartitions(const Table& t);

// 512 if LBA1 at 512 holds "EFI PART", else 4096 if LBA1 at 4096 does (mtkclient's order).
Result<std::uint32_t> detectSectorSize(ByteSpan firstBytes);

}  // namespace mtk::wire::gpt
