#include "mtk/wire/da_container.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "mtk/wire/chips.hpp"
#include "mtk/wire/sha256.hpp"

namespace mtk::wire::da {

namespace {

constexpr const char* kInvalidHint =
    "use the DA file from the phone's firmware package (MTK_AllInOne_DA.bin, MTK_DA_V5.bin or "
    "MTK_DA_V6.bin), or build a test DA for a virtual phone with mtk-make-test-da";

std::string hex(std::uint32_t v, int width = 0) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*x", width, v);
  return buf;
}

Error invalid(std::string message) {
  return makeError(kInvalidDaFileCode, kInvalidDaFileName, "DA file: " + std::move(message),
                   kInvalidHint);
}

bool contains(ByteSpan haystack, ByteSpan needle) {
  return !needle.empty() && std::search(haystack.begin(), haystack.end(), needle.begin(),
                                        needle.end()) != haystack.end();
}

ByteSpan asBytes(std::string_view s) {
  return ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

// mtkclient's rule (§3.1): old files have 0xD8-byte entries, so a second entry starts with
// DA DA at 0x6C + 0xD8. Fewer bytes than that means a new-layout file with one short entry.
bool hasLegacyEntryLayout(ByteSpan header) {
  constexpr std::size_t at = kHeaderSize + kLegacyEntrySize;
  return header.size() >= at + 2 && header[at] == 0xda && header[at + 1] == 0xda;
}

// A region must lie inside the file and carry no more signature than bytes; checked in 64 bits
// so offset + length cannot wrap.
Status checkRegion(const DaRegion& r, std::uint64_t fileSize, const std::string& where) {
  if (std::uint64_t{r.fileOffset} + r.length > fileSize)
    return invalid(where + " spans " + hex(r.fileOffset) + "+" + hex(r.length) +
                   ", beyond the end of the file (" + std::to_string(fileSize) + " bytes)");
  if (r.sigLen > r.length)
    return invalid(where + " has a " + hex(r.sigLen) + "-byte signature but only " + hex(r.length) +
                   " bytes");
  return {};
}

Result<DaEntry> parseEntry(ByteSpan bytes, bool legacy, std::uint64_t fileSize, std::size_t index) {
  const std::string where = "entry " + std::to_string(index);
  Reader r(bytes);
  DaEntry e;
  e.magic = r.le16();
  e.hwCode = r.le16();
  e.hwSubCode = r.le16();
  e.hwVersion = r.le16();
  if (!legacy) {
    e.swVersion = r.le16();
    r.skip(2);  // reserved
  }
  e.pageSize = r.le16();
  r.skip(2);  // reserved
  e.entryRegionIndex = r.le16();
  e.entryRegionCount = r.le16();
  if (e.magic != kEntryMagic)
    return invalid(where + " begins with " + hex(e.magic, 4) + ", not 0xdada");
  if (e.entryRegionCount > kMaxRegions)
    return invalid(where + " claims " + std::to_string(e.entryRegionCount) +
                   " regions; an entry has room for " + std::to_string(kMaxRegions));
  for (std::size_t i = 0; i < e.entryRegionCount; ++i) {
    DaRegion g;
    g.fileOffset = r.le32();
    g.length = r.le32();
    g.loadAddress = r.le32();
    g.lengthWithoutSig = r.le32();
    g.sigLen = r.le32();
    if (auto s = checkRegion(g, fileSize, where + " region " + std::to_string(i)); !s)
      return std::move(s).error();
    e.regions.push_back(g);
  }
  if (r.failed()) return invalid(where + " is truncated");  // cannot happen: sizes checked
  return e;
}

// Chip code -> the BROM hw code people see in logs, preferring the named chip (several chips
// share a DA chip code: MT6735/MT6737M/MT6753 are all 0x6735).
std::string codeForMessage(std::uint16_t daCode, std::string_view chipName) {
  const ChipInfo* chip = chipByName(chipName);
  if (!chip || chip->daCode != daCode) {
    chip = nullptr;
    for (const auto& c : chipTable()) {
      if (c.daCode == daCode) {
        chip = &c;
        break;
      }
    }
  }
  if (chip) return "hw code " + hex(chip->hwCode);
  return "DA chip code " + hex(daCode, 4);
}

// "MT6580, MT6735" in file order, each chip once; entries with chip code 0 are unused slots.
std::string loaderList(const DaFile& file) {
  std::vector<std::uint16_t> seen;
  std::string out;
  for (const auto& e : file.entries) {
    if (e.hwCode == 0 || std::find(seen.begin(), seen.end(), e.hwCode) != seen.end()) continue;
    seen.push_back(e.hwCode);
    if (!out.empty()) out += ", ";
    out += daChipName(e.hwCode);
  }
  return out;
}

// For a chip the file does hold but not for this silicon revision: which versions it has.
std::string versionList(const DaFile& file, std::uint16_t daCode) {
  std::string out;
  for (const auto& e : file.entries) {
    if (e.hwCode != daCode) continue;
    if (!out.empty()) out += ", ";
    out += hex(e.hwVersion, 4) + "/" + hex(e.swVersion, 4);
  }
  return out;
}

bool versionFits(std::uint16_t entryVersion, std::uint16_t deviceVersion) {
  return deviceVersion == 0 || entryVersion <= deviceVersion;
}

// Deterministic stand-in for a signature: SHA-256 of a label and the body, repeated. Never
// equal to SHA-256(body), so it cannot make a digest search succeed by accident.
Bytes fillerSignature(ByteSpan body, std::uint32_t sigLen) {
  Sha256 h;
  h.update(asBytes("mtkflash test signature"));
  h.update(body);
  const auto d = h.finish();
  Bytes sig(sigLen);
  for (std::size_t i = 0; i < sig.size(); ++i) sig[i] = d[i % d.size()];
  return sig;
}

void writeRegion(Writer& w, std::uint32_t fileOffset, std::uint32_t bodyLen, std::uint32_t address,
                 std::uint32_t sigLen) {
  w.le32(fileOffset).le32(bodyLen + sigLen).le32(address).le32(bodyLen).le32(sigLen);
}

// Region bodies of one entry with DA1 carrying the DA2 digest when asked.
std::array<Bytes, 3> entryBodies(const DaBuildEntry& e) {
  Bytes emi =
      e.emi.empty() ? makeTestPayload("mtkflash test EMI placeholder", 0x100, e.chipCode) : e.emi;
  Bytes da1 = e.da1;
  if (e.embedDa2Digest) {
    const auto d = Sha256::of(e.da2);
    if (da1.size() < kDa2DigestOffsetInDa1 + d.size()) da1.resize(kDa2DigestOffsetInDa1 + d.size());
    std::copy(d.begin(), d.end(), da1.begin() + kDa2DigestOffsetInDa1);
  }
  return {std::move(emi), std::move(da1), e.da2};
}

}  // namespace

Result<DaFile> parseDaFile(ByteSpan header, std::uint64_t fileSize) {
  if (fileSize < kHeaderSize || header.size() < kHeaderSize)
    return invalid("only " + std::to_string(std::min<std::uint64_t>(fileSize, header.size())) +
                   " bytes; the header alone is " + std::to_string(kHeaderSize));
  Reader r(header);
  DaFile f;
  const std::string magic = r.fixedString(kIdOffset);
  f.id = r.fixedString(kIdSize);
  f.version = r.le32();
  const std::uint32_t headerMagic = r.le32();
  const std::uint32_t count = r.le32();
  if (magic != kFileMagic)
    return invalid("does not begin with \"MTK_DOWNLOAD_AGENT\"; this is not a DA file");
  if (headerMagic != kHeaderMagic)
    return invalid("header magic is " + hex(headerMagic, 8) + ", not 0x22668899");
  f.xmlDa = contains(header.first(0x68), asBytes(kV6Marker));
  f.legacyEntryLayout = hasLegacyEntryLayout(header);
  const std::size_t entrySize = f.legacyEntryLayout ? kLegacyEntrySize : kEntrySize;
  if (count == 0) return invalid("the entry table is empty");
  if (count > kMaxEntries)
    return invalid("claims " + std::to_string(count) + " entries; at most " +
                   std::to_string(kMaxEntries) + " are accepted");
  const std::size_t tableEnd = kHeaderSize + count * entrySize;
  if (tableEnd > fileSize)
    return invalid("the entry table for " + std::to_string(count) + " entries ends at byte " +
                   std::to_string(tableEnd) + ", beyond the end of the file (" +
                   std::to_string(fileSize) + " bytes)");
  if (tableEnd > header.size())
    return invalid("the entry table needs the first " + std::to_string(tableEnd) +
                   " bytes but only " + std::to_string(header.size()) + " were read");
  for (std::size_t i = 0; i < count; ++i) {
    auto e = parseEntry(header.subspan(kHeaderSize + i * entrySize, entrySize), f.legacyEntryLayout,
                        fileSize, i);
    if (!e) return std::move(e).error();
    f.entries.push_back(std::move(*e));
  }
  return f;
}

std::string daChipName(std::uint16_t daCode) {
  for (const auto& c : chipTable()) {
    if (c.daCode == daCode) return c.name;
  }
  return hex(daCode, 4);
}

Result<const DaEntry*> selectEntry(const DaFile& file, std::uint16_t daCode,
                                   std::uint16_t hwVersion, std::uint16_t swVersion,
                                   std::string_view chipName) {
  for (const auto& e : file.entries) {
    if (e.hwCode == daCode && versionFits(e.hwVersion, hwVersion) &&
        versionFits(e.swVersion, swVersion))
      return &e;
  }
  const std::string chip = chipName.empty() ? daChipName(daCode) : std::string(chipName);
  std::string msg =
      "this DA file has no loader for " + chip + " (" + codeForMessage(daCode, chipName) + ")";
  const std::string versions = versionList(file, daCode);
  if (!versions.empty()) {
    // The chip is there, only for other silicon: say which, since that is the surprising case.
    msg += " hw/sw version " + hex(hwVersion, 4) + "/" + hex(swVersion, 4) + "; its " + chip +
           " loaders are for hw/sw versions " + versions;
  } else {
    const std::string loaders = loaderList(file);
    msg += loaders.empty() ? "; it has no loaders" : "; it has loaders for " + loaders;
  }
  return makeError(kDaSelectionErrCode, kDaSelectionErrName, msg,
                   "use the DA file from this phone's own firmware package; for a virtual "
                   "phone, build one with mtk-make-test-da --chip " +
                       chip);
}

Result<ByteSpan> regionBytes(ByteSpan file, const DaRegion& region) {
  if (std::uint64_t{region.fileOffset} + region.length > file.size() ||
      region.sigLen > region.length)
    return invalid("region " + hex(region.fileOffset) + "+" + hex(region.length) +
                   " is outside the " + std::to_string(file.size()) + " bytes given");
  return file.subspan(region.fileOffset, region.length);
}

Result<ByteSpan> regionBody(ByteSpan file, const DaRegion& region) {
  auto bytes = regionBytes(file, region);
  if (!bytes) return bytes;
  return bytes->first(region.bodyLength());
}

bool da1CarriesDigestOf(ByteSpan da1, ByteSpan da2) {
  const auto d = Sha256::of(da2);
  return contains(da1, d);
}

Bytes makeTestPayload(std::string_view label, std::size_t size, std::uint32_t seed) {
  Bytes out(size);
  const std::size_t n = std::min(label.size(), size);
  std::copy_n(label.begin(), n, out.begin());
  // splitmix64: cheap, well mixed, and the same on every platform.
  std::uint64_t state = 0x6d746b666c617368ull ^ seed;
  for (std::size_t i = n; i < size; i += 8) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    for (std::size_t k = 0; k < 8 && i + k < size; ++k)
      out[i + k] = static_cast<std::uint8_t>(z >> (8 * k));
  }
  return out;
}

Bytes buildDaFile(const DaBuildSpec& spec) {
  std::vector<std::array<Bytes, 3>> bodies;
  for (const auto& e : spec.entries) bodies.push_back(entryBodies(e));

  Bytes out;
  Writer w(out);
  w.fixedString(kFileMagic, kIdOffset).fixedString(spec.id, kIdSize);
  w.le32(kHeaderVersion).le32(kHeaderMagic).le32(static_cast<std::uint32_t>(spec.entries.size()));

  // Region data follows the entry table, in entry order.
  std::size_t dataOffset = kHeaderSize + spec.entries.size() * kEntrySize;
  for (std::size_t i = 0; i < spec.entries.size(); ++i) {
    const auto& e = spec.entries[i];
    w.le16(kEntryMagic).le16(e.chipCode).le16(e.hwSubCode).le16(e.hwVersion);
    w.le16(e.swVersion).le16(0).le16(e.pageSize).le16(0).le16(0).le16(3);
    const std::uint32_t addresses[3] = {kEmiRegionAddress, e.da1Address, e.da2Address};
    for (std::size_t k = 0; k < 3; ++k) {
      const auto bodyLen = static_cast<std::uint32_t>(bodies[i][k].size());
      writeRegion(w, static_cast<std::uint32_t>(dataOffset), bodyLen, addresses[k], e.sigLen);
      dataOffset += bodyLen + e.sigLen;
    }
    w.zeros((kMaxRegions - 3) * kRegionSize);
  }
  for (std::size_t i = 0; i < spec.entries.size(); ++i) {
    for (const auto& body : bodies[i]) {
      w.bytes(body);
      w.bytes(fillerSignature(body, spec.entries[i].sigLen));
    }
  }
  return out;
}

}  // namespace mtk::wire::da
