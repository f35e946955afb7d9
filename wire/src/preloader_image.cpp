#include "mtk/wire/preloader_image.hpp"

#include <algorithm>
#include <cstdio>

#include "mtk/wire/da_container.hpp"  // makeTestPayload

namespace mtk::wire::preloader {

namespace {

constexpr const char* kInvalidGfhHint =
    "use the preloader_<project>.bin from the phone's firmware package; a boot1 (EMMC_BOOT) "
    "readback must be processed into a preloader image first";
constexpr const char* kBootRegionHint =
    "this is not a readable boot1/UFS LU0 readback; read the EMMC_BOOT_1 region again, or use "
    "the preloader_<project>.bin from the phone's firmware package";

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

Error invalidGfh(std::string message, std::string hint = kInvalidGfhHint) {
  return makeError(kInvalidGfhFileInfoCode, kInvalidGfhFileInfoName,
                   "preloader GFH FILE_INFO: " + std::move(message), std::move(hint));
}

Error noEmi(std::string message) {
  return makeError(kGetDramSettingFailCode, kGetDramSettingFailName,
                   "preloader EMI settings: " + std::move(message), kNoEmiHint);
}

Error badBootRegion(std::string message) {
  return makeError(-1, kBootRegionErrorName, "boot region: " + std::move(message), kBootRegionHint);
}

// FNV-1a: a seed from the chip name that is the same on every platform.
std::uint32_t fnv1a(std::string_view s) {
  std::uint32_t h = 0x811c9dc5;
  for (char c : s) h = (h ^ static_cast<std::uint8_t>(c)) * 0x01000193;
  return h;
}

bool startsWith(ByteSpan data, std::string_view prefix) {
  return data.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), data.begin(),
                    [](char c, std::uint8_t b) { return static_cast<std::uint8_t>(c) == b; });
}

// The NUL-terminated name in a fixed field of `size` bytes at the start of `data` (which must
// hold at least `size` bytes).
std::string fieldName(ByteSpan data, std::size_t size) {
  Reader r(data);
  return r.fixedString(size);
}

// The device-header name ("EMMC_BOOT", "UFS_BOOT") at the start of `data`, or "".
std::string deviceHeaderName(ByteSpan data) {
  if (data.size() < kDeviceHeaderNameSize) return {};
  std::string n = fieldName(data, kDeviceHeaderNameSize);
  return (n == kEmmcBootName || n == kUfsBootName) ? n : std::string();
}

// FILE_INFO at the start of `data`; `at` is where `data` starts in the caller's buffer, for
// messages only.
Result<GfhFileInfo> parseGfhAt(ByteSpan data, std::uint64_t at) {
  const std::string where = "at " + hex(at);
  if (data.size() < kGfhFileInfoSize)
    return invalidGfh("only " + std::to_string(data.size()) + " bytes " + where +
                      "; the FILE_INFO block is 0x38");
  Reader r(data);
  GfhFileInfo f;
  const ByteSpan magic = r.bytes(3);
  f.version = r.u8();
  f.size = r.le16();
  f.type = r.le16();
  f.name = r.fixedString(kGfhNameSize);
  f.fileVersion = r.le32();
  f.fileType = r.le16();
  f.flashDevice = r.u8();
  f.sigType = r.u8();
  f.loadAddress = r.le32();
  f.fileLength = r.le32();
  f.maxSize = r.le32();
  f.contentOffset = r.le32();
  f.sigLength = r.le32();
  f.jumpOffset = r.le32();
  f.attributes = r.le32();
  if (r.failed()) return invalidGfh("short read " + where);  // not reachable: size checked

  if (!std::equal(magic.begin(), magic.end(), std::begin(kGfhMagic))) {
    const std::string dev = deviceHeaderName(data);
    if (!dev.empty())
      return invalidGfh("this is a boot-region readback (" + dev + " device header " + where +
                            "), not a preloader image",
                        "process the readback first: cut the preloader out from behind its " + dev +
                            "/BRLYT header");
    return invalidGfh("begins with " + hexdump(data.first(4)) + " " + where +
                      ", not 4d 4d 4d 01 (\"MMM\", version 1)");
  }
  if (f.version != kGfhVersion)
    return invalidGfh("GFH version " + std::to_string(f.version) + " at " + hex(at + 3) +
                      ", expected 1");
  if (f.size != kGfhFileInfoSize)
    return invalidGfh("block size " + hex(f.size) + " at " + hex(at + 4) + ", FILE_INFO is 0x38");
  if (f.type != kGfhTypeFileInfo)
    return invalidGfh("block type " + std::to_string(f.type) + " at " + hex(at + 6) +
                      ", FILE_INFO is 0");
  if (f.name != kGfhFileInfoName)
    return invalidGfh("block name \"" + f.name + "\" at " + hex(at + 8) +
                      ", expected \"FILE_INFO\"");
  if (f.fileLength < kGfhFileInfoSize)
    return invalidGfh("file length " + hex(f.fileLength) + " at " + hex(at + kFileLengthOffset) +
                      " is shorter than the 0x38-byte FILE_INFO block itself");
  if (f.sigLength > f.fileLength - kGfhFileInfoSize)
    return invalidGfh("signature length " + hex(f.sigLength) + " at " + hex(at + kSigLengthOffset) +
                      " does not fit in the file length " + hex(f.fileLength) +
                      " after the FILE_INFO block");
  return f;
}

std::uint32_t lastU32(ByteSpan b) {
  return loadLe32(b.data() + b.size() - 4);
}

}  // namespace

Result<GfhFileInfo> parseGfhFileInfo(ByteSpan data) {
  return parseGfhAt(data, 0);
}

Bytes encodeGfhFileInfo(const GfhFileInfo& f) {
  Bytes out;
  out.reserve(kGfhFileInfoSize);
  Writer w(out);
  w.bytes(ByteSpan(kGfhMagic, 3)).u8(f.version).le16(f.size).le16(f.type);
  w.fixedString(f.name, kGfhNameSize);
  w.le32(f.fileVersion).le16(f.fileType).u8(f.flashDevice).u8(f.sigType);
  w.le32(f.loadAddress).le32(f.fileLength).le32(f.maxSize).le32(f.contentOffset);
  w.le32(f.sigLength).le32(f.jumpOffset).le32(f.attributes);
  return out;
}

Result<PreloaderImage> parsePreloaderImage(ByteSpan image) {
  auto info = parseGfhAt(image, 0);
  if (!info) return std::move(info).error();
  const GfhFileInfo& f = *info;
  if (f.fileLength > image.size())
    return invalidGfh("file length " + hex(f.fileLength) + " at " + hex(kFileLengthOffset) +
                      " runs past the end of the image (" + hex(image.size()) + " bytes)");
  PreloaderImage p;
  p.fileInfo = f;
  p.file = image.first(f.fileLength);
  p.body = p.file.first(f.fileLength - f.sigLength);
  p.signature = p.file.subspan(f.fileLength - f.sigLength);
  return p;
}

Result<Bytes> extractEmi(ByteSpan image) {
  const auto it = std::search(image.begin(), image.end(), std::begin(kGfhFileInfoPattern),
                              std::end(kGfhFileInfoPattern));
  if (it == image.end())
    return invalidGfh("no FILE_INFO header (4d 4d 4d 01 38 00 00 00) anywhere in the " +
                      std::to_string(image.size()) + "-byte image");
  const std::size_t gfhAt = static_cast<std::size_t>(it - image.begin());
  const ByteSpan data = image.subspan(gfhAt);
  auto info = parseGfhAt(data, gfhAt);
  if (!info) return std::move(info).error();
  const GfhFileInfo& f = *info;
  if (f.fileLength > data.size())
    return invalidGfh("file length " + hex(f.fileLength) + " at " + hex(gfhAt + kFileLengthOffset) +
                      " runs past the end of the image (" + hex(data.size()) +
                      " bytes from the FILE_INFO at " + hex(gfhAt) + ")");

  // Strip the signature. parseGfhAt guarantees body.size() >= 0x38.
  ByteSpan body = data.first(f.fileLength - f.sigLength);
  constexpr std::size_t kMinBody = kGfhFileInfoSize + 4;  // FILE_INFO + the EMI size word
  if (body.size() < kMinBody)
    return noEmi("the unsigned part of the file (" + hex(body.size()) +
                 " bytes) is only the FILE_INFO block; there is no EMI size word");
  std::uint32_t size = lastU32(body);
  if (size == 0) {
    const std::uint64_t firstAt = gfhAt + body.size() - 4;
    if (body.size() < kMinBody + kEmiZeroSizeDrop)
      return noEmi("the EMI size at " + hex(firstAt) +
                   " is 0 and dropping 0x800 bytes would cut into the FILE_INFO block");
    body = body.first(body.size() - kEmiZeroSizeDrop);
    size = lastU32(body);
    if (size == 0)
      return noEmi("the EMI size is 0 at " + hex(firstAt) + " and again at " +
                   hex(gfhAt + body.size() - 4) + " after dropping 0x800 bytes");
  }
  const std::uint64_t sizeAt = gfhAt + body.size() - 4;
  const std::size_t room = body.size() - kMinBody;  // bytes between FILE_INFO and the size word
  if (size > room)
    return noEmi("the EMI size " + hex(size) + " at " + hex(sizeAt) + " is larger than the " +
                 hex(room) + " bytes between the FILE_INFO block and it");
  const ByteSpan blob = body.subspan(body.size() - 4 - size, size);
  if (!startsWith(blob, kEmiMarker))
    return noEmi("the " + hex(size) + " bytes before the EMI size at " + hex(sizeAt) + " (from " +
                 hex(sizeAt - size) + ") begin with " + hexdump(blob, 18) +
                 ", not \"MTK_BLOADER_INFO_v\"");
  return Bytes(blob.begin(), blob.end());
}

std::string emiVersion(ByteSpan emi) {
  constexpr std::size_t n = sizeof kEmiMarker - 1;
  if (!startsWith(emi, kEmiMarker)) return {};
  std::string v = "v";
  for (std::size_t i = n; i < emi.size() && emi[i] >= '0' && emi[i] <= '9'; ++i)
    v += static_cast<char>(emi[i]);
  return v.size() > 1 ? v : std::string();
}

Bytes wrapForBootRegion(ByteSpan image, BootMedium medium) {
  // Our choices where the docs are silent: device-header and BRLYT version 1; total_size =
  // 0x800 + the image bytes; the same 0x200 unit and BRLYT type 0x10005 for UFS (the docs list
  // no UFS type).
  const std::uint32_t total = static_cast<std::uint32_t>(kBootImageOffset + image.size());
  Bytes out;
  out.reserve(kBootImageOffset + image.size());
  Writer w(out);
  w.fixedString(medium == BootMedium::Ufs ? kUfsBootName : kEmmcBootName, kDeviceHeaderNameSize);
  w.le32(1).le32(static_cast<std::uint32_t>(kDeviceHeaderSize));
  w.zeros(kDeviceHeaderSize - out.size());
  w.fixedString(kBrlytName, 8).le32(1);
  w.le32(static_cast<std::uint32_t>(kBootImageOffset)).le32(total).le32(kBrlytMagic);
  w.le32(kBrlytTypeEmmc);
  w.le32(static_cast<std::uint32_t>(kBootImageOffset)).le32(total);  // the second size pair
  w.zeros(kBootImageOffset - out.size());
  w.bytes(image);
  return out;
}

Result<Bytes> unwrapBootRegion(ByteSpan dump) {
  if (dump.size() >= 4 && std::equal(std::begin(kGfhMagic), std::end(kGfhMagic), dump.begin()) &&
      dump[3] == kGfhVersion)
    return badBootRegion(
        "the data already begins with a GFH FILE_INFO (\"MMM\\x01\" at 0x0): it is a preloader "
        "image, not a boot-region readback, and needs no processing");
  if (dump.size() < kBrlytOffsetField + 4)
    return badBootRegion("only " + std::to_string(dump.size()) +
                         " bytes; the device header needs 0x14 (name, version, size)");
  const std::string name = fieldName(dump, kDeviceHeaderNameSize);
  if (name != kEmmcBootName && name != kUfsBootName)
    return badBootRegion("no EMMC_BOOT or UFS_BOOT device header at 0x0 (it begins " +
                         hexdump(dump.first(kDeviceHeaderNameSize)) + ")");

  const std::uint64_t brlyt = loadLe32(dump.data() + kBrlytOffsetField);
  if (brlyt + kBrlytImageOffsetField + 4 > dump.size())
    return badBootRegion("the BRLYT offset " + hex(brlyt) + " (u32 at 0x10 of the " + name +
                         " header) leaves no image offset at BRLYT+0xc inside the " +
                         hex(dump.size()) + "-byte readback");
  const std::uint64_t imageAt = loadLe32(dump.data() + brlyt + kBrlytImageOffsetField);
  const std::string brlytNote =
      dump.size() >= brlyt + 8 && fieldName(dump.subspan(brlyt), 8) == kBrlytName
          ? ""
          : " (and there is no \"BRLYT\" name at " + hex(brlyt) + ")";
  if (imageAt >= dump.size())
    return badBootRegion("the image offset " + hex(imageAt) + " (u32 at BRLYT+0xc = " +
                         hex(brlyt + kBrlytImageOffsetField) + ") is beyond the end of the " +
                         hex(dump.size()) + "-byte readback" + brlytNote);

  const ByteSpan data = dump.subspan(imageAt);
  if (data.size() < 4 || !std::equal(std::begin(kGfhMagic), std::end(kGfhMagic), data.begin()) ||
      data[3] != kGfhVersion)
    return invalidGfh("no \"MMM\\x01\" at the image offset " + hex(imageAt) + " (read from " +
                          hex(brlyt + kBrlytImageOffsetField) + "); found " +
                          hexdump(data.first(std::min<std::size_t>(4, data.size()))) + brlytNote,
                      kBootRegionHint);
  auto info = parseGfhAt(data, imageAt);
  if (!info) {
    Error e = std::move(info).error();
    e.hint = kBootRegionHint;
    return e;
  }
  if (info->fileLength > data.size())
    return invalidGfh("file length " + hex(info->fileLength) + " at " +
                          hex(imageAt + kFileLengthOffset) +
                          " runs past the end of the readback (only " + hex(data.size()) +
                          " bytes from the image offset " + hex(imageAt) + ")",
                      kBootRegionHint);
  const ByteSpan file = data.first(info->fileLength);
  return Bytes(file.begin(), file.end());
}

Bytes buildTestPreloader(const TestPreloaderSpec& spec) {
  // Sizes first, so FILE_INFO can be written at once.
  const std::size_t emiSize = spec.withEmi ? kTestEmiHeaderSize + spec.emiPayloadSize : 0;
  const std::size_t emiPart = spec.withEmi ? emiSize + 4 : 0;  // blob + its size word
  const std::size_t tail = spec.withEmi && spec.zeroTailAfterEmi ? kEmiZeroSizeDrop : 0;
  const std::size_t fileLength = kGfhFileInfoSize + spec.codeSize + emiPart + tail + spec.sigLength;
  const std::uint32_t seed = fnv1a(spec.chipName);

  GfhFileInfo f;  // (test preloader layout, our choice) for every value the docs leave open
  f.fileVersion = 1;
  f.fileType = 1;
  f.flashDevice = 5;
  f.sigType = spec.sigLength ? 1 : 0;
  f.loadAddress = spec.loadAddress;
  f.fileLength = static_cast<std::uint32_t>(fileLength);
  f.maxSize = 0x40000;  // the EMMC_BOOT_1 region size quoted in mtk-protocols.md §7.3
  f.contentOffset = kGfhFileInfoSize;
  f.sigLength = spec.sigLength;
  f.jumpOffset = kGfhFileInfoSize;
  f.attributes = 1;

  Bytes out = encodeGfhFileInfo(f);
  out.reserve(fileLength);
  Writer w(out);
  w.bytes(da::makeTestPayload("mtkflash test preloader " + spec.chipName, spec.codeSize, seed));
  if (spec.withEmi) {
    const std::string digits = !spec.emiVersion.empty() && spec.emiVersion[0] == 'v'
                                   ? spec.emiVersion.substr(1)
                                   : spec.emiVersion;
    w.fixedString(std::string(kEmiMarker) + digits, kTestEmiNameSize);
    w.fixedString(spec.chipName, kTestEmiChipSize);
    w.fixedString(kTestEmiBinMarker, kTestEmiBinSize);
    w.bytes(
        da::makeTestPayload("EMI settings " + spec.chipName, spec.emiPayloadSize, seed ^ 0xe311));
    w.le32(static_cast<std::uint32_t>(emiSize));
    w.zeros(tail);
  }
  Bytes sig(spec.sigLength);
  for (std::size_t i = 0; i < sig.size(); ++i) sig[i] = static_cast<std::uint8_t>(0x5a ^ i);
  w.bytes(sig);
  return out;
}

}  // namespace mtk::wire::preloader
