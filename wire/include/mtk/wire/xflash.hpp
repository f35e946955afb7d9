#pragma once
// The XFlash ("V5") Download Agent protocol (mtk-protocols.md §4, mtkclient-expectations.md
// §5.6-§5.12): 12-byte little-endian packet headers, command and control codes, statuses, the
// 56-byte storage parameter block and the storage-info layouts. Pure encode/decode.

#include <array>
#include <cstdint>
#include <string>

#include "mtk/error.hpp"
#include "mtk/wire/bytes.hpp"

namespace mtk::wire::xflash {

constexpr std::uint32_t kMagic = 0xfeeeeeef;
constexpr std::size_t kHeaderSize = 12;
constexpr std::uint32_t DT_PROTOCOL_FLOW = 1;
constexpr std::uint32_t DT_MESSAGE = 2;

struct Header {
  std::uint32_t magic = kMagic;
  std::uint32_t type = DT_PROTOCOL_FLOW;
  std::uint32_t length = 0;
};
std::array<std::uint8_t, kHeaderSize> encodeHeader(std::uint32_t length,
                                                   std::uint32_t type = DT_PROTOCOL_FLOW);
Result<Header> decodeHeader(ByteSpan bytes);  // checks the magic

// Commands (§4.2).
constexpr std::uint32_t SYNC_SIGNAL = 0x434e5953;  // "SYNC" as a little-endian u32
constexpr std::uint32_t CMD_DOWNLOAD = 0x010001;
constexpr std::uint32_t CMD_UPLOAD = 0x010002;
constexpr std::uint32_t CMD_FORMAT = 0x010003;
constexpr std::uint32_t CMD_WRITE_DATA = 0x010004;
constexpr std::uint32_t CMD_READ_DATA = 0x010005;
constexpr std::uint32_t CMD_FORMAT_PARTITION = 0x010006;
constexpr std::uint32_t CMD_SHUTDOWN = 0x010007;
constexpr std::uint32_t CMD_BOOT_TO = 0x010008;
constexpr std::uint32_t CMD_DEVICE_CTRL = 0x010009;
constexpr std::uint32_t CMD_INIT_EXT_RAM = 0x01000a;
constexpr std::uint32_t CMD_SWITCH_USB_SPEED = 0x01000b;
constexpr std::uint32_t CMD_SETUP_ENVIRONMENT = 0x010100;
constexpr std::uint32_t CMD_SETUP_HW_INIT_PARAMS = 0x010101;

// DEVICE_CTRL codes (§4.2).
constexpr std::uint32_t CTRL_SET_BATTERY_OPT = 0x020002;
constexpr std::uint32_t CTRL_SET_CHECKSUM_LEVEL = 0x020003;
constexpr std::uint32_t CTRL_SET_RESET_KEY = 0x020004;
constexpr std::uint32_t CTRL_SET_HOST_INFO = 0x020005;
constexpr std::uint32_t CTRL_SET_META_BOOT_MODE = 0x020006;
constexpr std::uint32_t CTRL_GET_EMMC_INFO = 0x040001;
constexpr std::uint32_t CTRL_GET_NAND_INFO = 0x040002;
constexpr std::uint32_t CTRL_GET_NOR_INFO = 0x040003;
constexpr std::uint32_t CTRL_GET_UFS_INFO = 0x040004;
constexpr std::uint32_t CTRL_GET_DA_VERSION = 0x040005;
constexpr std::uint32_t CTRL_GET_PACKET_LENGTH = 0x040007;
constexpr std::uint32_t CTRL_GET_RANDOM_ID = 0x040008;
constexpr std::uint32_t CTRL_GET_PARTITION_TBL_CATA = 0x040009;
constexpr std::uint32_t CTRL_GET_CONNECTION_AGENT = 0x04000a;
constexpr std::uint32_t CTRL_GET_USB_SPEED = 0x04000b;
constexpr std::uint32_t CTRL_GET_RAM_INFO = 0x04000c;
constexpr std::uint32_t CTRL_GET_CHIP_ID = 0x04000d;
constexpr std::uint32_t CTRL_GET_EXPIRE_DATE = 0x040011;
constexpr std::uint32_t CTRL_SLA_ENABLED_STATUS = 0x040016;
constexpr std::uint32_t CTRL_START_DL_INFO = 0x080001;
constexpr std::uint32_t CTRL_END_DL_INFO = 0x080002;
constexpr std::uint32_t CTRL_CC_OPTIONAL_DOWNLOAD_ACT = 0x080005;

// Statuses (§4.3): bits 31-30 severity, 23-16 module, 15-0 code.
constexpr std::uint32_t STATUS_OK = 0;
constexpr std::uint32_t STATUS_CONTINUE = 0x40040004;
constexpr std::uint32_t STATUS_COMPLETE = 0x40040005;
constexpr std::uint32_t STATUS_ERR = 0xc0010001;
constexpr std::uint32_t STATUS_UNSUPPORTED_CMD = 0xc0010003;
constexpr std::uint32_t STATUS_UNSUPPORTED_CTRL_CODE = 0xc0010004;
constexpr std::uint32_t STATUS_PROTOCOL_ERR = 0xc0010005;
constexpr std::uint32_t STATUS_INVALID_ADDRESS = 0xc0020039;  // mtkclient-expectations §5.6
constexpr std::uint32_t STATUS_CHECKSUM_ERR = 0xc0040003;
constexpr std::uint32_t STATUS_PARTITION_NOT_FOUND = 0xc0040006;
constexpr std::uint32_t STATUS_READ_PT_FAIL = 0xc0040007;
constexpr std::uint32_t STATUS_MMC_ERR = 0xc0040030;
constexpr std::uint32_t STATUS_NAND_ERR = 0xc0040040;
constexpr std::uint32_t STATUS_EMI_SETTING_VERSION_ERR = 0xc0040050;
constexpr std::uint32_t STATUS_UFS_ERR = 0xc0040060;
constexpr std::uint32_t STATUS_EXT_RAM_EXCEPTION = 0xc0050005;
constexpr std::uint32_t STATUS_DA_HASH_MISMATCH = 0xc0070004;
// A short name for messages, e.g. "STATUS_DA_HASH_MISMATCH (0xc0070004)".
std::string describeStatus(std::uint32_t status);

// Storage kinds and partition (area) ids (§4.7).
constexpr std::uint32_t STORAGE_EMMC = 0x01;
constexpr std::uint32_t STORAGE_SDMMC = 0x02;
constexpr std::uint32_t STORAGE_NAND = 0x10;
constexpr std::uint32_t STORAGE_NOR = 0x20;
constexpr std::uint32_t STORAGE_UFS = 0x30;
constexpr std::uint32_t EMMC_BOOT1 = 1;
constexpr std::uint32_t EMMC_BOOT2 = 2;
constexpr std::uint32_t EMMC_RPMB = 3;
constexpr std::uint32_t EMMC_GP1 = 4;  // GP1..GP4 = 4..7
constexpr std::uint32_t EMMC_USER = 8;
constexpr std::uint32_t UFS_BOOT1 = 1;
constexpr std::uint32_t UFS_BOOT2 = 2;
constexpr std::uint32_t UFS_USER = 3;
constexpr std::uint32_t UFS_RPMB = 4;

// READ_DATA / WRITE_DATA / FORMAT parameter block: 56 bytes, little-endian (§4.5).
struct StorageParam {
  std::uint32_t storage = STORAGE_EMMC;
  std::uint32_t partType = EMMC_USER;
  std::uint64_t address = 0;
  std::uint64_t length = 0;
  std::array<std::uint32_t, 8> nand{};  // NAND extension; zero for eMMC/UFS
};
constexpr std::size_t kStorageParamSize = 56;
Bytes encodeStorageParam(const StorageParam& p);
Result<StorageParam> decodeStorageParam(ByteSpan bytes);

// GET_EMMC_INFO (§4.8): u32 type, u32 block size, u64 boot1, boot2, rpmb, gp1..gp4, user,
// 16-byte CID, u64 firmware version; 0x60 bytes, then anything.
struct EmmcInfo {
  std::uint32_t type = 0;  // 0 = no eMMC
  std::uint32_t blockSize = 0x200;
  std::uint64_t boot1 = 0, boot2 = 0, rpmb = 0;
  std::array<std::uint64_t, 4> gp{};
  std::uint64_t user = 0;
  std::array<std::uint8_t, 16> cid{};
  std::uint64_t fwVersion = 0;
};
constexpr std::size_t kEmmcInfoSize = 0x60;
Bytes encodeEmmcInfo(const EmmcInfo& i);
Result<EmmcInfo> decodeEmmcInfo(ByteSpan bytes);

// GET_UFS_INFO as mtkclient parses it (§4.8): u32 type, u32 block size (0x1000), u64 lu2,
// u64 lu1, u64 lu0 sizes, then CID (16 bytes).
struct UfsInfo {
  std::uint32_t type = 0;
  std::uint32_t blockSize = 0x1000;
  std::uint64_t lu2 = 0, lu1 = 0, lu0 = 0;  // mtkclient reads lu0 as the user area
  std::array<std::uint8_t, 16> cid{};
};
Bytes encodeUfsInfo(const UfsInfo& i);
Result<UfsInfo> decodeUfsInfo(ByteSpan bytes);

// WRITE_DATA chunk checksum: the sum of all bytes, modulo 2^16 (§4.5), over pieces.
class Sum16 {
 public:
  void update(ByteSpan data);
  std::uint16_t value() const { return static_cast<std::uint16_t>(sum_); }

 private:
  std::uint32_t sum_ = 0;
};

}  // namespace mtk::wire::xflash
