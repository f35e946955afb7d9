#include "mtk/wire/xflash.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace mtk::wire::xflash {

namespace {
Error formatError(std::string message) {
  return makeError(
      -1, "XFLASH_PROTOCOL_ERROR", std::move(message),
      "the DA answered outside the XFlash protocol: the DA may not be an XFlash (V5) DA");
}
}  // namespace

std::array<std::uint8_t, kHeaderSize> encodeHeader(std::uint32_t length, std::uint32_t type) {
  std::array<std::uint8_t, kHeaderSize> h{};
  storeLe32(&h[0], kMagic);
  storeLe32(&h[4], type);
  storeLe32(&h[8], length);
  return h;
}

Result<Header> decodeHeader(ByteSpan b) {
  if (b.size() < kHeaderSize) return formatError("packet header shorter than 12 bytes");
  Header h{loadLe32(&b[0]), loadLe32(&b[4]), loadLe32(&b[8])};
  if (h.magic != kMagic)
    return formatError("packet header without the 0xfeeeeeef magic: " + hexdump(b.first(12)));
  return h;
}

std::string describeStatus(std::uint32_t s) {
  const char* name = nullptr;
  switch (s) {
    case STATUS_OK:
      name = "OK";
      break;
    case STATUS_CONTINUE:
      name = "STATUS_CONTINUE";
      break;
    case STATUS_COMPLETE:
      name = "STATUS_COMPLETE";
      break;
    case STATUS_ERR:
      name = "STATUS_ERR";
      break;
    case STATUS_UNSUPPORTED_CMD:
      name = "STATUS_UNSUPPORTED_CMD";
      break;
    case STATUS_UNSUPPORTED_CTRL_CODE:
      name = "STATUS_UNSUPPORTED_CTRL_CODE";
      break;
    case STATUS_PROTOCOL_ERR:
      name = "STATUS_PROTOCOL_ERR";
      break;
    case STATUS_INVALID_ADDRESS:
      name = "STATUS_INVALID_ADDRESS";
      break;
    case STATUS_CHECKSUM_ERR:
      name = "STATUS_CHECKSUM_ERR";
      break;
    case STATUS_PARTITION_NOT_FOUND:
      name = "STATUS_PARTITION_NOT_FOUND";
      break;
    case STATUS_READ_PT_FAIL:
      name = "STATUS_READ_PT_FAIL";
      break;
    case STATUS_MMC_ERR:
      name = "STATUS_MMC_ERR";
      break;
    case STATUS_NAND_ERR:
      name = "STATUS_NAND_ERR";
      break;
    case STATUS_EMI_SETTING_VERSION_ERR:
      name = "STATUS_EMI_SETTING_VERSION_ERR";
      break;
    case STATUS_UFS_ERR:
      name = "STATUS_UFS_ERR";
      break;
    case STATUS_EXT_RAM_EXCEPTION:
      name = "STATUS_EXT_RAM_EXCEPTION";
      break;
    case STATUS_DA_HASH_MISMATCH:
      name = "STATUS_DA_HASH_MISMATCH";
      break;
    default:
      break;
  }
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08x", s);
  return name ? std::string(name) + " (" + hex + ")" : std::string(hex);
}

Bytes encodeStorageParam(const StorageParam& p) {
  Bytes out;
  Writer w(out);
  w.le32(p.storage).le32(p.partType).le64(p.address).le64(p.length);
  for (auto v : p.nand) w.le32(v);
  return out;
}

Result<StorageParam> decodeStorageParam(ByteSpan b) {
  if (b.size() < kStorageParamSize)
    return formatError("storage parameter block shorter than 56 bytes");
  Reader r(b);
  StorageParam p;
  p.storage = r.le32();
  p.partType = r.le32();
  p.address = r.le64();
  p.length = r.le64();
  for (auto& v : p.nand) v = r.le32();
  return p;
}

Bytes encodeEmmcInfo(const EmmcInfo& i) {
  Bytes out;
  Writer w(out);
  w.le32(i.type).le32(i.blockSize).le64(i.boot1).le64(i.boot2).le64(i.rpmb);
  for (auto g : i.gp) w.le64(g);
  w.le64(i.user).bytes(i.cid).le64(i.fwVersion);
  return out;
}

Result<EmmcInfo> decodeEmmcInfo(ByteSpan b) {
  if (b.size() < kEmmcInfoSize) return formatError("GET_EMMC_INFO answer shorter than 0x60 bytes");
  Reader r(b);
  EmmcInfo i;
  i.type = r.le32();
  i.blockSize = r.le32();
  i.boot1 = r.le64();
  i.boot2 = r.le64();
  i.rpmb = r.le64();
  for (auto& g : i.gp) g = r.le64();
  i.user = r.le64();
  auto cid = r.bytes(16);
  std::copy(cid.begin(), cid.end(), i.cid.begin());
  i.fwVersion = r.le64();
  return i;
}

Bytes encodeUfsInfo(const UfsInfo& i) {
  Bytes out;
  Writer(out).le32(i.type).le32(i.blockSize).le64(i.lu2).le64(i.lu1).le64(i.lu0).bytes(i.cid);
  return out;
}

Result<UfsInfo> decodeUfsInfo(ByteSpan b) {
  if (b.size() < 32) return formatError("GET_UFS_INFO answer shorter than 32 bytes");
  Reader r(b);
  UfsInfo i;
  i.type = r.le32();
  i.blockSize = r.le32();
  i.lu2 = r.le64();
  i.lu1 = r.le64();
  i.lu0 = r.le64();
  if (r.remaining() >= 16) {
    auto cid = r.bytes(16);
    std::copy(cid.begin(), cid.end(), i.cid.begin());
  }
  return i;
}

// Eight bytes at a time: the byte pairs of a 64-bit word land in four 16-bit lanes, which can
// take 128 rounds before they could overflow; then they are folded into the running sum.
void Sum16::update(ByteSpan data) {
  // Every WRITE_DATA chunk is summed on both sides, so this runs over every byte flashed.
  std::uint64_t total = sum_;
  std::size_t i = 0;
#if defined(__SSE2__)
  // PSADBW against zero adds 8 bytes into each 64-bit half: 16 bytes per instruction. SSE2 is
  // part of every x86-64 CPU.
  __m128i acc = _mm_setzero_si128();
  const __m128i zero = _mm_setzero_si128();
  for (; data.size() - i >= 16; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data.data() + i));
    acc = _mm_add_epi64(acc, _mm_sad_epu8(v, zero));
  }
  total += static_cast<std::uint64_t>(_mm_cvtsi128_si64(acc)) +
           static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(acc, acc)));
#else
  constexpr std::uint64_t kLow = 0x00ff00ff00ff00ffull;
  while (data.size() - i >= 8) {
    std::uint64_t lanes = 0;
    const std::size_t rounds = std::min<std::size_t>((data.size() - i) / 8, 128);
    for (std::size_t r = 0; r < rounds; ++r, i += 8) {
      std::uint64_t v;
      std::memcpy(&v, data.data() + i, 8);
      lanes += (v & kLow) + ((v >> 8) & kLow);
    }
    total += (lanes & 0xffff) + ((lanes >> 16) & 0xffff) + ((lanes >> 32) & 0xffff) + (lanes >> 48);
  }
#endif
  for (; i < data.size(); ++i) total += data[i];
  sum_ = static_cast<std::uint32_t>(total & 0xffff);
}

}  // namespace mtk::wire::xflash
