#pragma once
// The BootROM / preloader command protocol (shared/docs/mtk-protocols.md §2): command bytes,
// the start-command handshake, target-config bits, wire statuses and the SEND_DA checksum.
// Integers on this wire are big-endian; the device echoes commands and u32 parameters.

#include <array>
#include <cstdint>
#include <string>

#include "mtk/wire/bytes.hpp"

namespace mtk::wire::brom {

// Start command: the host sends these one byte at a time; the device answers each with its
// bitwise complement (5F F5 AF FA).
constexpr std::array<std::uint8_t, 4> kStartCommand = {0xa0, 0x0a, 0x50, 0x05};
constexpr std::uint8_t startReply(std::uint8_t b) {
  return static_cast<std::uint8_t>(~b);
}

// Commands (§2.3).
constexpr std::uint8_t GET_HW_SW_VER = 0xfc;
constexpr std::uint8_t GET_HW_CODE = 0xfd;
constexpr std::uint8_t GET_BL_VER = 0xfe;
constexpr std::uint8_t GET_VERSION = 0xff;
constexpr std::uint8_t GET_PL_CAP = 0xfb;
constexpr std::uint8_t GET_TARGET_CONFIG = 0xd8;
constexpr std::uint8_t READ16 = 0xd0;
constexpr std::uint8_t READ32 = 0xd1;
constexpr std::uint8_t WRITE16 = 0xd2;
constexpr std::uint8_t WRITE16_NO_ECHO = 0xd3;
constexpr std::uint8_t WRITE32 = 0xd4;
constexpr std::uint8_t JUMP_DA = 0xd5;
constexpr std::uint8_t SEND_DA = 0xd7;
constexpr std::uint8_t UART1_LOG_EN = 0xdb;
constexpr std::uint8_t SEND_CERT = 0xe0;
constexpr std::uint8_t GET_ME_ID = 0xe1;
constexpr std::uint8_t SEND_AUTH = 0xe2;
constexpr std::uint8_t GET_SOC_ID = 0xe7;
constexpr std::uint8_t WRITE16_LEGACY = 0xa1;

// What a V5 (XFlash) or legacy DA sends first after JUMP_DA (§3.5).
constexpr std::uint8_t kDaSyncChar = 0xc0;

// GET_TARGET_CONFIG bits (§2.4).
constexpr std::uint32_t CFG_SBC = 0x01;
constexpr std::uint32_t CFG_SLA = 0x02;
constexpr std::uint32_t CFG_DAA = 0x04;
constexpr std::uint32_t CFG_EPP = 0x08;
constexpr std::uint32_t CFG_CERT_REQUIRED = 0x10;
constexpr std::uint32_t CFG_MEM_READ_AUTH = 0x20;
constexpr std::uint32_t CFG_MEM_WRITE_AUTH = 0x40;
constexpr std::uint32_t CFG_CMD_C8_BLOCKED = 0x80;
// "SBC on, SLA off, DAA off" and the other set bits by name.
std::string describeTargetConfig(std::uint32_t cfg);

// u16 statuses on the wire (§8.1, §8.2).
constexpr std::uint16_t STATUS_OK = 0x0000;
constexpr std::uint16_t STATUS_NO_AUTH_NEEDED = 0x1d0c;
constexpr std::uint16_t STATUS_SLA_REQUIRED = 0x1d0d;
constexpr std::uint16_t STATUS_INVALID_ADDRESS = 0x1d02;
constexpr std::uint16_t STATUS_INVALID_JUMP_ADDRESS = 0x1d0f;
constexpr std::uint16_t STATUS_ADDRESS_NOT_ALIGNED = 0x1d11;
constexpr std::uint16_t STATUS_LENGTH_ZERO = 0x1d13;
constexpr std::uint16_t STATUS_SIG_LONGER_THAN_DA = 0x1d14;
constexpr std::uint16_t STATUS_SIG_MISSING_WITH_DAA = 0x1d15;
constexpr std::uint16_t STATUS_DA_NOT_EXIST = 0x1d16;
constexpr std::uint16_t STATUS_DA_IMAGE_SIG_VERIFY_FAIL = 0x2001;
constexpr std::uint16_t STATUS_DAA_SIG_VERIFY_FAILED = 0x7024;
constexpr std::uint16_t STATUS_RW_MISALIGNED = 0xffff;  // READ/WRITE16/32 (-1)
constexpr std::uint16_t STATUS_RW_ZERO_COUNT = 0xfffe;  // (-2)
// A short name for a status, for messages ("SLA required", "0x1d0d").
std::string describeStatus(std::uint16_t status);

// SEND_DA / SEND_CERT / SEND_AUTH checksum (§2.5): XOR of consecutive little-endian 16-bit
// words; an odd trailing byte is XORed in as a zero-extended byte.
std::uint16_t xor16(ByteSpan data, std::uint16_t seed = 0);
// The same over a stream fed in pieces of any length.
class Xor16 {
 public:
  void update(ByteSpan data);
  std::uint16_t value() const;

 private:
  std::uint16_t acc_ = 0;
  bool odd_ = false;  // a low byte is waiting for its high byte
  std::uint8_t low_ = 0;
};

}  // namespace mtk::wire::brom
