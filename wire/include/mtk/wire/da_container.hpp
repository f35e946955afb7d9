#pragma once
// The Download Agent container (MTK_AllInOne_DA.bin, MTK_DA_V5.bin, MTK_DA_V6.bin), as described
// in shared/docs/mtk-protocols.md §3 and mtkclient-expectations.md §5.4: a 0x6C-byte header, a
// table of per-chip entries (0xDC bytes, 0xD8 in old files), and the region bytes they point
// at. Region [1] is DA1 (uploaded by SEND_DA with its signature), region [2] is DA2 (sent by
// BOOT_TO without it), region [0] is a small header/EMI blob that hosts do not upload.
//
// The parser reads only the first bytes of a file (header + entry table, at most
// kMaxHeaderSize) and checks every count, offset and length against the real file size, so a
// hostile file can neither make it allocate nor point a region outside the file. The builder
// makes TEST containers from our own payload bytes; MediaTek's DA binaries cannot ship with the
// project, but the same code paths load them when a user supplies one.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mtk/error.hpp"
#include "mtk/wire/bytes.hpp"

namespace mtk::wire::da {

// --- layout constants (§3.1, §3.2) ---
inline constexpr char kFileMagic[] = "MTK_DOWNLOAD_AGENT";  // at 0x00, NUL padded to 32 bytes
inline constexpr char kV6Marker[] = "MTK_DA_v6";            // anywhere in 0x00..0x67 => XML DA
inline constexpr std::uint32_t kHeaderMagic = 0x22668899;   // at 0x64
inline constexpr std::uint32_t kHeaderVersion = 4;          // at 0x60
inline constexpr std::size_t kIdOffset = 0x20;
inline constexpr std::size_t kIdSize = 64;
inline constexpr std::size_t kHeaderSize = 0x6c;  // the entry table starts here
inline constexpr std::size_t kEntrySize = 0xdc;
inline constexpr std::size_t kLegacyEntrySize = 0xd8;  // no sw_version / reserved fields
inline constexpr std::uint16_t kEntryMagic = 0xdada;
inline constexpr std::size_t kRegionSize = 20;
inline constexpr std::size_t kMaxRegions = 10;  // the region table has 10 slots
inline constexpr std::size_t kMaxEntries = 64;  // real files hold ~50; more is hostile
// Enough leading bytes of any acceptable file for parseDaFile.
inline constexpr std::size_t kMaxHeaderSize = kHeaderSize + kMaxEntries * kEntrySize;

// Region roles in an entry (§3.2).
inline constexpr std::size_t kRegionEmi = 0;
inline constexpr std::size_t kRegionDa1 = 1;
inline constexpr std::size_t kRegionDa2 = 2;

// Where the test builder puts SHA-256(DA2 body) inside DA1 (mtkclient-expectations §5.4).
inline constexpr std::size_t kDa2DigestOffsetInDa1 = 0x1000;
// Load address of region [0] in modern files (mtkclient Tools/da_info.txt).
inline constexpr std::uint32_t kEmiRegionAddress = 0x50000000;

// MediaTek's names for the two ways this goes wrong (shared/docs/spflash-codes.tsv,
// spflash.md §2.2): an unreadable DA file, and a DA file without an entry for the chip.
inline constexpr int kInvalidDaFileCode = 5002;  // S_INVALID_DA_FILE
inline constexpr const char* kInvalidDaFileName = "S_INVALID_DA_FILE";
inline constexpr std::int64_t kDaSelectionErrCode = 0xC0030003;  // a V6 tool status
inline constexpr const char* kDaSelectionErrName = "STATUS_DA_SELECTION_ERR";

struct DaRegion {
  std::uint32_t fileOffset = 0;   // where the region's bytes start in the file (m_buf)
  std::uint32_t length = 0;       // bytes in the file, signature included (m_len)
  std::uint32_t loadAddress = 0;  // where the host asks the device to put it (m_start_addr)
  // The 4th field. mtkclient names it m_start_offset but never uses it; MediaTek's datool calls
  // it code_size, and in MediaTek's files it equals length - sigLen: the code without the
  // trailing signature. Kept as read; slicing uses length and sigLen, as mtkclient does.
  std::uint32_t lengthWithoutSig = 0;
  std::uint32_t sigLen = 0;  // signature bytes at the end of the region (m_sig_len)

  std::uint32_t bodyLength() const { return length - sigLen; }  // parse checks sigLen <= length
  bool operator==(const DaRegion&) const = default;
};

struct DaEntry {
  std::uint16_t magic = kEntryMagic;
  std::uint16_t hwCode = 0;  // the chip code (0x6765), not the BROM hw code (0x0766)
  std::uint16_t hwSubCode = 0;
  std::uint16_t hwVersion = 0;
  std::uint16_t swVersion = 0;  // 0 in old 0xD8-byte entries, which do not have it
  std::uint16_t pageSize = 0;
  std::uint16_t entryRegionIndex = 0;
  std::uint16_t entryRegionCount = 0;
  std::vector<DaRegion> regions;  // entryRegionCount of them

  // DA1 / DA2 by their fixed slots, or nullptr when the entry has too few regions.
  const DaRegion* da1() const {
    return regions.size() > kRegionDa1 ? &regions[kRegionDa1] : nullptr;
  }
  const DaRegion* da2() const {
    return regions.size() > kRegionDa2 ? &regions[kRegionDa2] : nullptr;
  }
  bool operator==(const DaEntry&) const = default;
};

struct DaFile {
  std::string id;  // the identifier at 0x20 ("MTK_AllInOne_DA_v3...")
  std::uint32_t version = 0;
  bool legacyEntryLayout = false;  // 0xD8-byte entries
  bool xmlDa = false;              // "MTK_DA_v6" in 0x00..0x67: the DA speaks XML (V6)
  std::vector<DaEntry> entries;
};

// Parses the header and entry table from the first bytes of a file (`header`, which may be the
// whole file or just its first kMaxHeaderSize bytes); `fileSize` is the size of the whole file,
// and every region must lie inside it. Errors are S_INVALID_DA_FILE with a hint.
Result<DaFile> parseDaFile(ByteSpan header, std::uint64_t fileSize);

// The entry mtkclient would use (§3.3): the first with hwCode == daCode, hwVersion <= the
// device's hw version and swVersion <= its sw version (a device version of 0 accepts any).
// hwSubCode is not compared, as in mtkclient. `chipName` ("MT6765") is for the message only.
// When none fits: STATUS_DA_SELECTION_ERR, "this DA file has no loader for MT6765 (hw code
// 0x766); it has loaders for MT6580, MT6735".
Result<const DaEntry*> selectEntry(const DaFile& file, std::uint16_t daCode,
                                   std::uint16_t hwVersion, std::uint16_t swVersion,
                                   std::string_view chipName);

// "MT6765" for a DA chip code in the chip table, else "0x6765".
std::string daChipName(std::uint16_t daCode);

// The bytes of a region (signature included), or the body without its signature (what BOOT_TO
// sends as DA2), checked against `file`.
Result<ByteSpan> regionBytes(ByteSpan file, const DaRegion& region);
Result<ByteSpan> regionBody(ByteSpan file, const DaRegion& region);

// True when SHA-256(da2) appears anywhere in da1: the check a DA1 makes on BOOT_TO (§3.6) and
// the one that keeps working for mtkclient (mtkclient-expectations §5.4).
bool da1CarriesDigestOf(ByteSpan da1, ByteSpan da2);

// --- test containers ---

inline constexpr char kTestDaId[] = "MTK_AllInOne_DA_v3.mtkflash-test";
inline constexpr char kTestDaIdV6[] = "MTK_DA_v6.mtkflash-test";

struct DaBuildEntry {
  std::uint16_t chipCode = 0;  // DA chip code, e.g. 0x6765
  std::uint16_t hwSubCode = 0x8a00;
  std::uint16_t hwVersion = 0xca00;
  std::uint16_t swVersion = 0x0000;
  std::uint16_t pageSize = 0x1000;
  Bytes emi;  // region [0] body; empty means a small generated placeholder
  Bytes da1;
  std::uint32_t da1Address = 0x00200000;
  Bytes da2;
  std::uint32_t da2Address = 0x40000000;
  std::uint32_t sigLen = 0x100;  // filler signature appended to every region
  // Write SHA-256(DA2 body, without signature) into DA1 at kDa2DigestOffsetInDa1 (DA1 is
  // zero-extended if it is shorter), so a digest-checking DA1 accepts this DA2.
  bool embedDa2Digest = true;
};

struct DaBuildSpec {
  std::string id = kTestDaId;  // use kTestDaIdV6 (or any id containing kV6Marker) for V6
  std::vector<DaBuildEntry> entries;
};

// A container in the 0xDC-entry layout: header, entry table, then each entry's regions [0],
// [1], [2] back to back. Deterministic: the same spec gives the same bytes.
Bytes buildDaFile(const DaBuildSpec& spec);

// Deterministic filler of `size` bytes that begins with `label` (truncated to fit): our own
// bytes for DA1/DA2 bodies of test containers.
Bytes makeTestPayload(std::string_view label, std::size_t size, std::uint32_t seed);

}  // namespace mtk::wire::da
