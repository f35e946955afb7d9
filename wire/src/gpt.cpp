#include "mtk/wire/gpt.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>

namespace mtk::wire::gpt {
namespace {

constexpr std::array<std::uint8_t, 8> kSignature{'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T'};
constexpr std::size_t kHeaderCrcOffset = 16;
constexpr std::size_t kNameOffset = 56;
constexpr std::size_t kMbrSize = 512;

// The hint every "this table is damaged" finding carries: on a phone the way out is rewriting
// pgpt/sgpt, which SP Flash Tool's Format All + Download or a saved backup both do.
constexpr const char* kDamagedHint =
    "the partition table is damaged; restore pgpt/sgpt from a backup or re-flash with "
    "Format All + Download";

Error gptError(const char* name, std::string message) {
  return makeError(-1, name, std::move(message), kDamagedHint);
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::uint32_t crc(ByteSpan b) {
  // zlib takes uInt lengths; every span here is at most kMaxEntryCount * kMaxEntrySize (1 MiB).
  return static_cast<std::uint32_t>(crc32(0L, b.data(), static_cast<uInt>(b.size())));
}

std::uint64_t ceilDiv(std::uint64_t a, std::uint64_t b) {
  return a / b + (a % b != 0);
}

bool validSectorSize(std::uint32_t s) {
  return s == 512 || s == 4096;
}
bool validEntrySize(std::uint32_t s) {
  return s >= kMinEntrySize && s <= kMaxEntrySize && s % 8 == 0;
}
bool validEntryCount(std::uint32_t n) {
  return n >= 1 && n <= kMaxEntryCount;
}

std::uint32_t effectiveEntryCount(const Layout& l) {
  std::size_t n = std::max<std::size_t>(l.numEntries, l.partitions.size());
  return static_cast<std::uint32_t>(
      std::min<std::size_t>(n, std::numeric_limits<std::uint32_t>::max()));
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Byte positions, in on-disk order, of the 16 bytes as they appear in the text form: the first
// three groups are stored little-endian, the rest as written.
constexpr std::array<int, 16> kTextOrder{3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};

// --- UTF-8 / UTF-16 -------------------------------------------------------------------------

constexpr char32_t kReplacement = 0xFFFD;

// Decodes one code point from `s` at `i` (advancing it); malformed input yields U+FFFD.
char32_t nextCodePoint(std::string_view s, std::size_t& i) {
  auto b0 = static_cast<unsigned char>(s[i++]);
  if (b0 < 0x80) return b0;
  int extra = b0 >= 0xF0 && b0 < 0xF8 ? 3 : b0 >= 0xE0 ? 2 : b0 >= 0xC2 && b0 < 0xE0 ? 1 : -1;
  if (extra < 0) return kReplacement;
  char32_t cp = b0 & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return kReplacement;
    cp = cp << 6 | (static_cast<unsigned char>(s[i++]) & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) return kReplacement;
  return cp;
}

void appendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | cp >> 12);
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | cp >> 18);
    out += static_cast<char>(0x80 | (cp >> 12 & 0x3F));
    out += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// --- Partition checks shared by checkLayout() and checkPartitions() -------------------------

struct Range {
  std::string_view name;
  std::uint32_t index;
  std::uint64_t first;
  std::uint64_t last;
};

std::string describe(const Range& r) {
  return "partition " + std::to_string(r.index) + " '" + std::string(r.name) + "' (LBA " +
         std::to_string(r.first) + ".." + std::to_string(r.last) + ")";
}

void checkRanges(std::vector<Range> ranges, std::uint64_t firstUsable, std::uint64_t lastUsable,
                 std::vector<Error>& out) {
  std::vector<Range> valid;
  for (const Range& r : ranges) {
    if (r.first > r.last) {
      out.push_back(gptError("GPT_PARTITION_RANGE", describe(r) + " ends before it starts"));
      continue;
    }
    if (r.first < firstUsable || r.last > lastUsable) {
      out.push_back(gptError("GPT_PARTITION_OUTSIDE", describe(r) + " is outside the usable LBAs " +
                                                          std::to_string(firstUsable) + ".." +
                                                          std::to_string(lastUsable)));
    }
    valid.push_back(r);
  }
  // Sorted by start, a partition overlaps an earlier one exactly when it starts at or before
  // the furthest end seen so far; tracking that end also catches one range inside another.
  std::sort(valid.begin(), valid.end(),
            [](const Range& a, const Range& b) { return a.first < b.first; });
  const Range* reach = nullptr;
  for (const Range& r : valid) {
    if (reach && r.first <= reach->last) {
      out.push_back(
          gptError("GPT_PARTITION_OVERLAP", describe(r) + " overlaps " + describe(*reach)));
    }
    if (!reach || r.last > reach->last) reach = &r;
  }
}

// --- Decoding shared by parse(), parseBackup() and validate() -------------------------------

// Where a header and its entries are expected inside the bytes the caller handed over.
struct Placement {
  const char* what;             // "primary GPT" / "backup GPT", for messages
  std::uint64_t baseLba;        // LBA of bytes[0]
  std::uint64_t headerLba;      // where the header must be, and its my_lba
  std::uint64_t minEntriesLba;  // entries may not start before this
  std::uint64_t endLba;         // entries must end at or before this LBA (exclusive)
};

// The primary header is LBA 1; its entries may start at LBA 2 and end wherever the bytes do.
constexpr Placement kPrimary{"primary GPT", 0, 1, 2, std::numeric_limits<std::uint64_t>::max()};

struct Decoded {
  Table table;
  std::vector<Entry> all;  // every slot, used or not (validate's gap check needs them)
};

// Decodes a header and its entries. Problems that make the bytes unreadable are returned as the
// error; problems that leave them readable (CRCs, my_lba) go to `soft` so validate() can report
// them all while parse() refuses on the first.
Result<Decoded> decode(ByteSpan bytes, std::uint32_t sectorSize, const Placement& p,
                       std::vector<Error>& soft) {
  const std::string at = std::string(p.what) + " header at LBA " + std::to_string(p.headerLba);
  if (!validSectorSize(sectorSize)) {
    return makeError(-1, "GPT_SECTOR_SIZE",
                     "sector size " + std::to_string(sectorSize) + " is not 512 or 4096");
  }
  const std::uint64_t givenSectors = bytes.size() / sectorSize;
  if (p.headerLba < p.baseLba || p.headerLba - p.baseLba >= givenSectors) {
    return gptError("GPT_TRUNCATED", at + ": only " + std::to_string(bytes.size()) +
                                         " bytes given, the header sector is not among them");
  }
  ByteSpan sector = bytes.subspan((p.headerLba - p.baseLba) * sectorSize, sectorSize);
  Decoded d;
  Header& h = d.table.header;
  h = decodeHeader(sector);
  d.table.sectorSize = sectorSize;
  if (h.signature != kSignature) {
    return gptError("GPT_BAD_SIGNATURE",
                    at + ": no \"EFI PART\" signature (found " + hexdump(sector.first(8)) + ")");
  }
  if (h.headerSize < kHeaderSize || h.headerSize > sectorSize) {
    return gptError("GPT_HEADER_SIZE", at + ": header size " + std::to_string(h.headerSize) +
                                           " is outside 92.." + std::to_string(sectorSize));
  }
  if (std::uint32_t c = headerCrc(sector, h.headerSize); c != h.headerCrc32) {
    soft.push_back(gptError(
        "GPT_HEADER_CRC", at + ": header CRC32 is " + hex(h.headerCrc32) + ", computed " + hex(c)));
  }
  if (h.myLba != p.headerLba) {
    soft.push_back(gptError("GPT_MY_LBA", at + ": my_lba is " + std::to_string(h.myLba)));
  }
  if (!validEntryCount(h.numEntries)) {
    return gptError("GPT_ENTRY_COUNT", at + ": " + std::to_string(h.numEntries) +
                                           " entries (accepted 1.." +
                                           std::to_string(kMaxEntryCount) + ")");
  }
  if (!validEntrySize(h.entrySize)) {
    return gptError("GPT_ENTRY_SIZE", at + ": entry size " + std::to_string(h.entrySize) +
                                          " (accepted multiples of 8 in 128..1024)");
  }
  // Both factors are bounded above, so this cannot overflow; the LBA arithmetic below divides
  // instead of multiplying so a huge entries_lba cannot wrap.
  const std::uint64_t arrayBytes = std::uint64_t{h.numEntries} * h.entrySize;
  const std::uint64_t arraySectors = ceilDiv(arrayBytes, sectorSize);
  if (h.entriesLba < p.minEntriesLba || h.entriesLba > p.endLba ||
      p.endLba - h.entriesLba < arraySectors) {
    return gptError("GPT_ENTRIES_LBA",
                    at + ": entry array at LBA " + std::to_string(h.entriesLba) + " (" +
                        std::to_string(arraySectors) + " sectors) is not within LBA " +
                        std::to_string(p.minEntriesLba) + ".." + std::to_string(p.endLba));
  }
  // minEntriesLba >= baseLba, so the subtraction is safe; comparing in sectors first keeps the
  // multiplication below from wrapping.
  const std::uint64_t arraySector = h.entriesLba - p.baseLba;
  if (arraySector > givenSectors || bytes.size() - arraySector * sectorSize < arrayBytes) {
    return gptError("GPT_TRUNCATED", at + ": entry array at LBA " + std::to_string(h.entriesLba) +
                                         " (" + hex(arrayBytes) + " bytes) runs past the " +
                                         hex(bytes.size()) + " bytes given");
  }
  ByteSpan array = bytes.subspan(arraySector * sectorSize, arrayBytes);
  if (std::uint32_t c = crc(array); c != h.entriesCrc32) {
    soft.push_back(gptError("GPT_ENTRIES_CRC", at + ": entry array CRC32 is " +
                                                   hex(h.entriesCrc32) + ", computed " + hex(c)));
  }
  for (std::uint32_t i = 0; i < h.numEntries; ++i) {
    Entry e = decodeEntry(array.subspan(std::size_t{i} * h.entrySize, h.entrySize));
    if (!isZero(e.type)) {
      Partition part;
      part.name = utf16ToUtf8(e.name);
      part.firstLba = e.firstLba;
      part.lastLba = e.lastLba;
      part.type = e.type;
      part.unique = e.unique;
      part.attributes = e.attributes;
      part.index = i;
      d.table.partitions.push_back(std::move(part));
    }
    d.all.push_back(std::move(e));
  }
  return d;
}

// parse()'s strictness on top of decode(): any soft finding or inverted range refuses the table.
Result<Table> strict(Result<Decoded> d, std::vector<Error>& soft) {
  if (!d) return std::move(d).error();
  if (!soft.empty()) return std::move(soft.front());
  for (const Partition& part : d->table.partitions) {
    if (part.firstLba > part.lastLba) {
      return gptError("GPT_PARTITION_RANGE",
                      describe({part.name, part.index, part.firstLba, part.lastLba}) +
                          " ends before it starts");
    }
  }
  return std::move(d->table);
}

bool hasProtectiveMbr(ByteSpan lba0) {
  if (lba0.size() < kMbrSize) return false;
  if (lba0[kMbrSignatureOffset] != 0x55 || lba0[kMbrSignatureOffset + 1] != 0xAA) return false;
  for (std::size_t i = 0; i < 4; ++i) {
    const std::uint8_t* rec = lba0.data() + kMbrEntryOffset + 16 * i;
    if (rec[4] == kProtectiveType && loadLe32(rec + 8) == 1) return true;
  }
  return false;
}

// mtkclient reads entries until the first all-zero unique GUID; anything used after that slot
// is invisible to it even though the table is valid UEFI.
void checkGaps(const std::vector<Entry>& all, std::vector<Error>& out) {
  auto gap = std::find_if(all.begin(), all.end(), [](const Entry& e) { return isZero(e.unique); });
  if (gap == all.end()) return;
  for (auto it = gap + 1; it != all.end(); ++it) {
    if (!isZero(it->type)) {
      out.push_back(
          makeError(-1, "GPT_ENTRY_AFTER_GAP",
                    "entry " + std::to_string(it - all.begin()) + " '" + utf16ToUtf8(it->name) +
                        "' follows entry " + std::to_string(gap - all.begin()) +
                        " whose unique GUID is zero; mtkclient stops reading there",
                    "pack used entries at the start of the array with non-zero unique GUIDs"));
    }
  }
}

void checkUsableRange(const Header& h, std::uint32_t sectorSize, std::uint64_t diskSectors,
                      std::vector<Error>& out) {
  const std::uint64_t arraySectors = ceilDiv(std::uint64_t{h.numEntries} * h.entrySize, sectorSize);
  if (h.firstUsableLba > h.lastUsableLba) {
    out.push_back(gptError("GPT_USABLE_RANGE",
                           "first usable LBA " + std::to_string(h.firstUsableLba) +
                               " is after last usable LBA " + std::to_string(h.lastUsableLba)));
  }
  if (h.firstUsableLba < h.entriesLba + arraySectors) {
    out.push_back(
        gptError("GPT_USABLE_RANGE", "first usable LBA " + std::to_string(h.firstUsableLba) +
                                         " lies inside the primary entry array (ends at LBA " +
                                         std::to_string(h.entriesLba + arraySectors - 1) + ")"));
  }
  if (diskSectors == 0) return;
  if (h.alternateLba != diskSectors - 1) {
    out.push_back(gptError("GPT_ALTERNATE_LBA",
                           "alternate (backup) header LBA is " + std::to_string(h.alternateLba) +
                               ", the last LBA is " + std::to_string(diskSectors - 1)));
  }
  if (diskSectors < arraySectors + 2 || h.lastUsableLba > diskSectors - 2 - arraySectors) {
    out.push_back(gptError("GPT_USABLE_RANGE", "last usable LBA " +
                                                   std::to_string(h.lastUsableLba) +
                                                   " reaches into the backup entry array of a " +
                                                   std::to_string(diskSectors) + "-sector disk"));
  }
}

Header layoutHeader(const Layout& l, bool backup) {
  Header h;
  h.myLba = backup ? l.diskSectors - 1 : 1;
  h.alternateLba = backup ? 1 : l.diskSectors - 1;
  h.firstUsableLba = firstUsableLba(l);
  h.lastUsableLba = lastUsableLba(l);
  h.diskGuid = l.diskGuid;
  h.entriesLba = backup ? backupStartLba(l) : 2;
  h.numEntries = effectiveEntryCount(l);
  h.entrySize = l.entrySize;
  return h;
}

// The entry array padded to whole sectors.
Bytes buildEntries(const Layout& l) {
  Bytes out;
  for (const PartitionSpec& p : l.partitions) {
    Entry e{p.type, p.unique, p.firstLba, p.lastLba, p.attributes, utf8ToUtf16(p.name)};
    Bytes b = encodeEntry(e, l.entrySize);
    out.insert(out.end(), b.begin(), b.end());
  }
  out.resize(entrySectors(l) * l.sectorSize, 0);
  return out;
}

// A header sector with both CRCs filled in from `entries`.
Bytes headerSector(Header h, ByteSpan entries, std::uint32_t sectorSize) {
  const std::uint64_t arrayBytes = std::uint64_t{h.numEntries} * h.entrySize;
  h.entriesCrc32 = crc(entries.first(std::min<std::uint64_t>(arrayBytes, entries.size())));
  h.headerCrc32 = 0;
  Bytes sector = encodeHeader(h);
  h.headerCrc32 = crc(sector);
  sector = encodeHeader(h);
  sector.resize(sectorSize, 0);
  return sector;
}

}  // namespace

// --- GUIDs ----------------------------------------------------------------------------------

std::string formatGuid(const Guid& g) {
  static const char* digits = "0123456789ABCDEF";
  std::string s;
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    std::uint8_t b = g[kTextOrder[i]];
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

Result<Guid> parseGuid(std::string_view text) {
  if (text.size() == 38 && text.front() == '{' && text.back() == '}') {
    text = text.substr(1, 36);
  }
  auto bad = [&] {
    return makeError(-1, "GUID_SYNTAX",
                     "'" + std::string(text) +
                         "' is not a GUID like "
                         "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7");
  };
  if (text.size() != 36) return bad();
  Guid g{};
  std::size_t pos = 0;
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      if (text[pos++] != '-') return bad();
    }
    int hi = hexValue(text[pos]);
    int lo = hexValue(text[pos + 1]);
    if (hi < 0 || lo < 0) return bad();
    g[kTextOrder[i]] = static_cast<std::uint8_t>(hi << 4 | lo);
    pos += 2;
  }
  return g;
}

bool isZero(const Guid& g) {
  return std::all_of(g.begin(), g.end(), [](std::uint8_t b) { return b == 0; });
}

Guid basicDataType() {
  return {0xA2, 0xA0, 0xD0, 0xEB, 0xE5, 0xB9, 0x33, 0x44,
          0x87, 0xC0, 0x68, 0xB6, 0xB7, 0x26, 0x99, 0xC7};
}

// --- Names ----------------------------------------------------------------------------------

std::u16string utf8ToUtf16(std::string_view s) {
  std::u16string out;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = nextCodePoint(s, i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out += static_cast<char16_t>(0xD800 | cp >> 10);
      out += static_cast<char16_t>(0xDC00 | (cp & 0x3FF));
    } else {
      out += static_cast<char16_t>(cp);
    }
  }
  return out;
}

std::string utf16ToUtf8(std::u16string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char32_t u = s[i];
    bool high = u >= 0xD800 && u < 0xDC00;
    bool low = u >= 0xDC00 && u < 0xE000;
    if (high && i + 1 < s.size() && s[i + 1] >= 0xDC00 && s[i + 1] < 0xE000) {
      u = 0x10000 + ((u - 0xD800) << 10) + (s[++i] - 0xDC00);
    } else if (high || low) {
      u = kReplacement;
    }
    appendUtf8(out, u);
  }
  return out;
}

// --- Header and entry codecs ----------------------------------------------------------------

Bytes encodeHeader(const Header& h) {
  Bytes out;
  Writer(out)
      .bytes(h.signature)
      .le32(h.revision)
      .le32(h.headerSize)
      .le32(h.headerCrc32)
      .le32(h.reserved)
      .le64(h.myLba)
      .le64(h.alternateLba)
      .le64(h.firstUsableLba)
      .le64(h.lastUsableLba)
      .bytes(h.diskGuid)
      .le64(h.entriesLba)
      .le32(h.numEntries)
      .le32(h.entrySize)
      .le32(h.entriesCrc32);
  return out;
}

Header decodeHeader(ByteSpan b) {
  Header h;
  if (b.size() < kHeaderSize) return Header{{}, 0, 0, 0, 0, 0, 0, 0, 0, {}, 0, 0, 0, 0};
  Reader r(b);
  std::copy_n(r.bytes(8).begin(), 8, h.signature.begin());
  h.revision = r.le32();
  h.headerSize = r.le32();
  h.headerCrc32 = r.le32();
  h.reserved = r.le32();
  h.myLba = r.le64();
  h.alternateLba = r.le64();
  h.firstUsableLba = r.le64();
  h.lastUsableLba = r.le64();
  std::copy_n(r.bytes(16).begin(), 16, h.diskGuid.begin());
  h.entriesLba = r.le64();
  h.numEntries = r.le32();
  h.entrySize = r.le32();
  h.entriesCrc32 = r.le32();
  return h;
}

std::uint32_t headerCrc(ByteSpan sector, std::uint32_t headerSize) {
  Bytes copy(sector.begin(), sector.begin() + std::min<std::size_t>(headerSize, sector.size()));
  if (copy.size() >= kHeaderCrcOffset + 4) storeLe32(copy.data() + kHeaderCrcOffset, 0);
  return crc(copy);
}

Bytes encodeEntry(const Entry& e, std::uint32_t entrySize) {
  Bytes out;
  Writer w(out);
  w.bytes(e.type).bytes(e.unique).le64(e.firstLba).le64(e.lastLba).le64(e.attributes);
  std::size_t units = std::min(e.name.size(), kNameUnits);
  for (std::size_t i = 0; i < units; ++i) w.le16(e.name[i]);
  w.zeros((kNameUnits - units) * 2);
  out.resize(std::max<std::size_t>(entrySize, out.size()), 0);
  return out;
}

Entry decodeEntry(ByteSpan b) {
  Entry e;
  if (b.size() < kNameOffset + kNameUnits * 2) return e;
  Reader r(b);
  std::copy_n(r.bytes(16).begin(), 16, e.type.begin());
  std::copy_n(r.bytes(16).begin(), 16, e.unique.begin());
  e.firstLba = r.le64();
  e.lastLba = r.le64();
  e.attributes = r.le64();
  for (std::size_t i = 0; i < kNameUnits; ++i) {
    char16_t u = r.le16();
    if (u == 0) break;
    e.name += u;
  }
  return e;
}

// --- Building -------------------------------------------------------------------------------

std::uint64_t entrySectors(const Layout& l) {
  if (l.sectorSize == 0) return 0;
  return ceilDiv(std::uint64_t{effectiveEntryCount(l)} * l.entrySize, l.sectorSize);
}
std::uint64_t firstUsableLba(const Layout& l) {
  return 2 + entrySectors(l);
}
std::uint64_t lastUsableLba(const Layout& l) {
  return l.diskSectors - 2 - entrySectors(l);
}
std::uint64_t backupStartLba(const Layout& l) {
  return l.diskSectors - 1 - entrySectors(l);
}

Status checkLayout(const Layout& l) {
  if (!validSectorSize(l.sectorSize)) {
    return makeError(-1, "GPT_SECTOR_SIZE",
                     "sector size " + std::to_string(l.sectorSize) + " is not 512 or 4096");
  }
  if (!validEntrySize(l.entrySize)) {
    return makeError(
        -1, "GPT_ENTRY_SIZE",
        "entry size " + std::to_string(l.entrySize) + " is not a multiple of 8 in 128..1024");
  }
  if (!validEntryCount(effectiveEntryCount(l))) {
    return makeError(
        -1, "GPT_ENTRY_COUNT",
        std::to_string(effectiveEntryCount(l)) + " entries; at most 1024 fit a parser's bounds");
  }
  // Two headers, two arrays, the MBR and at least one usable sector.
  if (l.diskSectors < 2 * entrySectors(l) + 4) {
    return makeError(-1, "GPT_DISK_TOO_SMALL",
                     std::to_string(l.diskSectors) + " sectors cannot hold two GPT copies");
  }
  std::vector<Range> ranges;
  for (std::size_t i = 0; i < l.partitions.size(); ++i) {
    const PartitionSpec& p = l.partitions[i];
    if (utf8ToUtf16(p.name).size() > kNameUnits) {
      return makeError(-1, "GPT_NAME_TOO_LONG",
                       "partition name '" + p.name + "' is longer than 36 UTF-16 units");
    }
    if (isZero(p.type)) {
      return makeError(-1, "GPT_PARTITION_TYPE",
                       "partition '" + p.name +
                           "' has an all-zero type GUID, which marks an "
                           "unused entry");
    }
    ranges.push_back({p.name, static_cast<std::uint32_t>(i), p.firstLba, p.lastLba});
  }
  std::vector<Error> found;
  checkRanges(std::move(ranges), firstUsableLba(l), lastUsableLba(l), found);
  if (!found.empty()) return std::move(found.front());
  return {};
}

Bytes buildProtectiveMbr(std::uint64_t diskSectors) {
  Bytes mbr(kMbrSize, 0);
  std::uint8_t* rec = mbr.data() + kMbrEntryOffset;
  rec[0] = 0x00;  // not bootable
  // CHS fields are meaningless on these sizes; UEFI's start value and "too big" at the end.
  rec[1] = 0x00;
  rec[2] = 0x02;
  rec[3] = 0x00;
  rec[4] = kProtectiveType;
  rec[5] = rec[6] = rec[7] = 0xFF;
  storeLe32(rec + 8, 1);
  const std::uint64_t size = diskSectors == 0 ? 0 : diskSectors - 1;
  storeLe32(rec + 12, static_cast<std::uint32_t>(std::min<std::uint64_t>(size, 0xFFFFFFFF)));
  mbr[kMbrSignatureOffset] = 0x55;
  mbr[kMbrSignatureOffset + 1] = 0xAA;
  return mbr;
}

Bytes buildPrimary(const Layout& l) {
  Bytes entries = buildEntries(l);
  Bytes out = buildProtectiveMbr(l.diskSectors);
  out.resize(l.sectorSize, 0);
  Bytes header = headerSector(layoutHeader(l, false), entries, l.sectorSize);
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), entries.begin(), entries.end());
  return out;
}

Bytes buildBackup(const Layout& l) {
  Bytes out = buildEntries(l);
  Bytes header = headerSector(layoutHeader(l, true), out, l.sectorSize);
  out.insert(out.end(), header.begin(), header.end());
  return out;
}

// --- Parsing --------------------------------------------------------------------------------

Result<Table> parse(ByteSpan firstBytes, std::uint32_t sectorSize) {
  if (!validSectorSize(sectorSize)) {
    return makeError(-1, "GPT_SECTOR_SIZE",
                     "sector size " + std::to_string(sectorSize) + " is not 512 or 4096");
  }
  std::vector<Error> soft;
  return strict(decode(firstBytes, sectorSize, kPrimary, soft), soft);
}

Result<Table> parseBackup(ByteSpan lastBytes, std::uint32_t sectorSize, std::uint64_t diskSectors) {
  if (!validSectorSize(sectorSize)) {
    return makeError(-1, "GPT_SECTOR_SIZE",
                     "sector size " + std::to_string(sectorSize) + " is not 512 or 4096");
  }
  const std::uint64_t given = lastBytes.size() / sectorSize;
  if (lastBytes.size() % sectorSize != 0 || given == 0 || given > diskSectors) {
    return gptError("GPT_TRUNCATED", "backup GPT: " + std::to_string(lastBytes.size()) +
                                         " bytes are not whole sectors at the end of a " +
                                         std::to_string(diskSectors) + "-sector disk");
  }
  std::vector<Error> soft;
  // Entries sit between the primary copy (LBA 2 at the earliest) and the backup header.
  const std::uint64_t base = diskSectors - given;
  Placement p{"backup GPT", base, diskSectors - 1, std::max<std::uint64_t>(2, base),
              diskSectors - 1};
  return strict(decode(lastBytes, sectorSize, p, soft), soft);
}

std::vector<Error> checkPartitions(const Table& t) {
  std::vector<Range> ranges;
  for (const Partition& p : t.partitions) {
    ranges.push_back({p.name, p.index, p.firstLba, p.lastLba});
  }
  std::vector<Error> out;
  checkRanges(std::move(ranges), t.header.firstUsableLba, t.header.lastUsableLba, out);
  return out;
}

std::vector<Error> validate(ByteSpan firstBytes, std::uint32_t sectorSize,
                            std::uint64_t diskSectors) {
  std::vector<Error> out;
  if (!hasProtectiveMbr(firstBytes)) {
    out.push_back(makeError(-1, "GPT_NO_PROTECTIVE_MBR",
                            "LBA0 has no 55 AA signature with a type 0xEE entry starting at LBA 1",
                            "mtkclient then looks for an MBR at 0x380000 and fails with \"Error "
                            "reading gpt\"; write a protective MBR to LBA0"));
  }
  if (!validSectorSize(sectorSize)) {
    out.push_back(makeError(-1, "GPT_SECTOR_SIZE",
                            "sector size " + std::to_string(sectorSize) + " is not 512 or 4096"));
    return out;
  }
  Result<Decoded> d = decode(firstBytes, sectorSize, kPrimary, out);
  if (!d) {
    out.push_back(std::move(d).error());
    return out;
  }
  const Header& h = d->table.header;
  if (h.revision != kRevision) {
    out.push_back(gptError("GPT_REVISION", "header revision is " + hex(h.revision) +
                                               ", mtkclient accepts only 0x10000"));
  }
  checkUsableRange(h, sectorSize, diskSectors, out);
  std::vector<Error> parts = checkPartitions(d->table);
  out.insert(out.end(), parts.begin(), parts.end());
  checkGaps(d->all, out);
  return out;
}

Result<std::uint32_t> detectSectorSize(ByteSpan firstBytes) {
  for (std::uint32_t size : {512u, 4096u}) {
    if (firstBytes.size() >= size + kSignature.size() &&
        std::equal(kSignature.begin(), kSignature.end(), firstBytes.begin() + size)) {
      return size;
    }
  }
  return makeError(-1, "GPT_NOT_FOUND",
                   "no \"EFI PART\" header at byte 512 or 4096 of the " +
                       std::to_string(firstBytes.size()) + " bytes read",
                   "the device has no GPT (a PMT-era phone, or an erased user area)");
}

}  // namespace mtk::wire::gpt
