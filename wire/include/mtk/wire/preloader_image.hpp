#pragma once
// The preloader image (preloader_<project>.bin) and the boot region it lives in, as described in
// shared/docs/spflash.md §4.3 and mtk-protocols.md §4.6 and §7.3:
//
//   * a flashable preloader begins with a GFH FILE_INFO block ("MMM", version 1, size 0x38,
//     type 0, name "FILE_INFO") whose total file length (+0x20) says how long the file is and
//     whose signature length (+0x2C) says how many of those bytes are the trailing signature;
//   * the EMI (DRAM) settings a host hands to the DA sit just before the signature: the last u32
//     of the unsigned part is the EMI size, and the blob is the EMI-size bytes before that u32,
//     starting with "MTK_BLOADER_INFO_v<NN>" (if that u32 is 0, 0x800 bytes are dropped and the
//     u32 read again);
//   * on eMMC boot1 (or UFS LU0) the image sits behind a device header ("EMMC_BOOT", padded to
//     0x200) and a BROM layout header ("BRLYT" at 0x200, image offset at +0xC, usually 0x800);
//     a boot1 readback must be "processed" (unwrapped) before it is a flashable preloader.
//
// Every length read from a file is checked against the buffer (in 64 bits, so nothing wraps).
// The builder makes TEST preloaders from our own bytes; MediaTek's preloaders cannot ship with
// the project, but the same code paths read them when a user supplies one.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mtk/error.hpp"
#include "mtk/wire/bytes.hpp"

namespace mtk::wire::preloader {

// --- GFH FILE_INFO (spflash.md §4.3 item 3, mtk-protocols.md §7.3) ---
inline constexpr std::uint8_t kGfhMagic[3] = {'M', 'M', 'M'};
inline constexpr std::uint8_t kGfhVersion = 1;
inline constexpr std::uint16_t kGfhFileInfoSize = 0x38;
inline constexpr std::uint16_t kGfhTypeFileInfo = 0;
inline constexpr char kGfhFileInfoName[] = "FILE_INFO";  // 12-byte field at +0x08
inline constexpr std::size_t kGfhNameSize = 12;
// The 8 bytes hosts search for (§4.6): "MMM", version 1, u16 size 0x38, u16 type 0.
inline constexpr std::uint8_t kGfhFileInfoPattern[8] = {0x4d, 0x4d, 0x4d, 0x01,
                                                        0x38, 0x00, 0x00, 0x00};
inline constexpr std::size_t kFileLengthOffset = 0x20;
inline constexpr std::size_t kSigLengthOffset = 0x2c;

// --- EMI (mtk-protocols.md §4.6) ---
inline constexpr char kEmiMarker[] = "MTK_BLOADER_INFO_v";
inline constexpr std::size_t kEmiZeroSizeDrop = 0x800;  // dropped when the EMI size reads 0

// --- boot region (spflash.md §4.3 items 1-2, mtk-protocols.md §7.3) ---
inline constexpr char kEmmcBootName[] = "EMMC_BOOT";
inline constexpr char kUfsBootName[] = "UFS_BOOT";
inline constexpr std::size_t kDeviceHeaderNameSize = 12;
inline constexpr std::size_t kDeviceHeaderSize = 0x200;      // padded size = BRLYT offset
inline constexpr std::size_t kBrlytOffsetField = 0x10;       // u32 in the device header
inline constexpr char kBrlytName[] = "BRLYT";                // 8-byte field
inline constexpr std::size_t kBrlytImageOffsetField = 0x0c;  // u32 in BRLYT: header_size
inline constexpr std::uint32_t kBrlytMagic = 0x42424242;     // "BBBB"
inline constexpr std::uint32_t kBrlytTypeEmmc = 0x10005;
inline constexpr std::size_t kBootImageOffset = 0x800;  // where wrapForBootRegion puts the image

// --- MediaTek's names for what goes wrong (shared/docs/spflash-codes.tsv, same in every build) ---
inline constexpr int kInvalidGfhFileInfoCode = 5066;
inline constexpr const char* kInvalidGfhFileInfoName = "S_DL_PC_BL_INVALID_GFH_FILE_INFO";
inline constexpr int kGetDramSettingFailCode = 5054;
inline constexpr const char* kGetDramSettingFailName = "S_DL_GET_DRAM_SETTING_FAIL";
inline constexpr const char* kNoEmiHint =
    "this preloader image carries no EMI (DRAM) settings: use the preloader file of this exact "
    "model";
// Boot-region damage that is not about the GFH itself uses the project's own code and this name.
inline constexpr const char* kBootRegionErrorName = "BOOT_REGION_HEADER";

struct GfhFileInfo {
  std::uint8_t version = kGfhVersion;     // +0x03, the byte after "MMM"
  std::uint16_t size = kGfhFileInfoSize;  // +0x04
  std::uint16_t type = kGfhTypeFileInfo;  // +0x06
  std::string name = kGfhFileInfoName;    // +0x08, 12 bytes NUL padded
  std::uint32_t fileVersion = 0;          // +0x14 file_ver
  std::uint16_t fileType = 0;             // +0x18 file_type
  std::uint8_t flashDevice = 0;           // +0x1A flash_dev
  std::uint8_t sigType = 0;               // +0x1B sig_type
  std::uint32_t loadAddress = 0;          // +0x1C load_addr
  std::uint32_t fileLength = 0;           // +0x20 file_len: the whole file, signature included
  std::uint32_t maxSize = 0;              // +0x24 max_size
  std::uint32_t contentOffset = 0;        // +0x28 content_offset (GFH header size); kept as read
  std::uint32_t sigLength = 0;            // +0x2C sig_len: trailing signature bytes
  std::uint32_t jumpOffset = 0;           // +0x30 jump_offset; kept as read
  std::uint32_t attributes = 0;           // +0x34 attr

  bool operator==(const GfhFileInfo&) const = default;
};

// Parses the 0x38-byte FILE_INFO block at the start of `data`. Checks the magic, version, block
// size and type, the name, that the file length covers the block itself and that the signature
// fits after it. Does NOT compare the file length with data.size(): `data` may be the header
// alone (parsePreloaderImage does that check). Errors: 5066 S_DL_PC_BL_INVALID_GFH_FILE_INFO.
Result<GfhFileInfo> parseGfhFileInfo(ByteSpan data);

// The 0x38 bytes of a FILE_INFO block (name truncated to 11 characters).
Bytes encodeGfhFileInfo(const GfhFileInfo& info);

// A flashable preloader: FILE_INFO at offset 0, and at least `fileLength` bytes. Bytes after
// fileLength (padding) are allowed and excluded from `file`.
struct PreloaderImage {
  GfhFileInfo fileInfo;
  ByteSpan file;       // [0, fileLength)
  ByteSpan body;       // [0, fileLength - sigLength): the file without its signature
  ByteSpan signature;  // [fileLength - sigLength, fileLength)
};
// Errors: 5066, with a hint that names a boot-region readback when `image` is one.
Result<PreloaderImage> parsePreloaderImage(ByteSpan image);

// The EMI blob per mtk-protocols.md §4.6: finds the first GFH FILE_INFO pattern (so a boot1
// readback works too), takes the file length and signature length from it, strips the
// signature, reads the last u32 as the EMI size (0 => drop 0x800 bytes and read again) and
// returns the EMI-size bytes before that u32. The blob must lie after the FILE_INFO block and
// start with "MTK_BLOADER_INFO_v". Errors: 5066 when there is no usable FILE_INFO; 5054
// S_DL_GET_DRAM_SETTING_FAIL (with kNoEmiHint) when the image carries no EMI blob.
Result<Bytes> extractEmi(ByteSpan preloaderImage);

// "v27" for a blob beginning "MTK_BLOADER_INFO_v27"; "" when `emi` does not begin with the
// marker followed by at least one digit.
std::string emiVersion(ByteSpan emi);

// --- boot region ---

enum class BootMedium { Emmc, Ufs };

// Device header ("EMMC_BOOT" or "UFS_BOOT", version 1, size 0x200) padded to 0x200, BRLYT at
// 0x200 (version 1, header_size 0x800, total_size 0x800 + image size, magic 0x42424242, type
// 0x10005, the size pair repeated) padded to 0x800, then `preloaderImage` as given.
Bytes wrapForBootRegion(ByteSpan preloaderImage, BootMedium medium = BootMedium::Emmc);

// "Processes" a boot1 (or UFS LU0) readback per spflash.md §4.3: checks the EMMC_BOOT/UFS_BOOT
// name at 0, reads the BRLYT offset from 0x10, the image offset from BRLYT+0xC, checks
// "MMM\x01" there, reads the file length at +0x20 and returns [offset, offset + file length).
// Errors name what is wrong and at which offset: BOOT_REGION_HEADER (own code -1) for the
// device header and offsets, 5066 for the FILE_INFO at the image offset.
Result<Bytes> unwrapBootRegion(ByteSpan boot1Dump);

// --- test preloaders ---
//
// Layout (every choice here is "(test preloader layout, our choice)" unless the docs fix it):
//   0x00   GFH FILE_INFO, 0x38 bytes (docs fix the offsets; the values of file_ver 1,
//          file_type 1, flash_dev 5, sig_type 1 (0 without signature), max_size 0x40000,
//          content_offset = jump_offset = 0x38 (only FILE_INFO, code right after it) and attr 1
//          are our choice)
//   0x38   codeSize bytes of deterministic "code" of our own, beginning "mtkflash test
//          preloader <chip>"
//   ...    EMI blob (unless withEmi is false), our layout:
//            +0x00 32-byte field "MTK_BLOADER_INFO_v<NN>", NUL padded (docs: the blob starts so)
//            +0x20 32-byte field: the chip name, NUL padded
//            +0x40 12-byte field "MTK_BIN", NUL padded (mtk-protocols.md §6.3 names "MTK_BIN";
//                  mtkclient's legacy path takes the settings from MTK_BIN + 0xC)
//            +0x4C emiPayloadSize bytes of deterministic settings
//          then the u32 EMI size (= 0x4C + emiPayloadSize), as §4.6 expects
//   ...    if zeroTailAfterEmi: 0x800 zero bytes (the §4.6 "size reads 0, drop 0x800" case)
//   ...    sigLength bytes of signature filler (not a real signature)
// file_len = everything above. Without EMI the image ends with the code bytes, then the
// signature; extractEmi then fails with 5054.
inline constexpr std::size_t kTestEmiNameSize = 0x20;
inline constexpr std::size_t kTestEmiChipSize = 0x20;
inline constexpr char kTestEmiBinMarker[] = "MTK_BIN";
inline constexpr std::size_t kTestEmiBinSize = 0x0c;
inline constexpr std::size_t kTestEmiHeaderSize =
    kTestEmiNameSize + kTestEmiChipSize + kTestEmiBinSize;

struct TestPreloaderSpec {
  std::string chipName = "MT6765";
  std::string emiVersion = "v27";  // "v27" or "27"
  std::size_t emiPayloadSize = 0x100;
  std::uint32_t loadAddress = 0x00201000;
  std::uint32_t sigLength = 0x100;
  std::size_t codeSize = 0x400;
  bool withEmi = true;
  bool zeroTailAfterEmi = false;
};

// Deterministic: the same spec gives the same bytes.
Bytes buildTestPreloader(const TestPreloaderSpec& spec);

}  // namespace mtk::wire::preloader
