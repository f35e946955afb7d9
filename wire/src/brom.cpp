#include "mtk/wire/brom.hpp"

#include <cstdio>

namespace mtk::wire::brom {

std::string describeTargetConfig(std::uint32_t cfg) {
  std::string s = std::string("SBC ") + (cfg & CFG_SBC ? "on" : "off") + ", SLA " +
                  (cfg & CFG_SLA ? "on" : "off") + ", DAA " + (cfg & CFG_DAA ? "on" : "off");
  if (cfg & CFG_EPP) s += ", EPP";
  if (cfg & CFG_CERT_REQUIRED) s += ", root cert required";
  if (cfg & CFG_MEM_READ_AUTH) s += ", memory read needs auth";
  if (cfg & CFG_MEM_WRITE_AUTH) s += ", memory write needs auth";
  if (cfg & CFG_CMD_C8_BLOCKED) s += ", C8 blocked";
  return s;
}

std::string describeStatus(std::uint16_t status) {
  const char* name = nullptr;
  switch (status) {
    case STATUS_OK:
      name = "OK";
      break;
    case STATUS_NO_AUTH_NEEDED:
      name = "no auth needed";
      break;
    case STATUS_SLA_REQUIRED:
      name = "SLA required";
      break;
    case STATUS_INVALID_ADDRESS:
      name = "invalid address";
      break;
    case STATUS_INVALID_JUMP_ADDRESS:
      name = "invalid jump address";
      break;
    case STATUS_ADDRESS_NOT_ALIGNED:
      name = "address not 16-bit aligned";
      break;
    case STATUS_LENGTH_ZERO:
      name = "length is zero";
      break;
    case STATUS_SIG_LONGER_THAN_DA:
      name = "signature longer than the DA";
      break;
    case STATUS_SIG_MISSING_WITH_DAA:
      name = "no signature while DAA is on";
      break;
    case STATUS_DA_NOT_EXIST:
      name = "no DA was sent";
      break;
    case STATUS_DA_IMAGE_SIG_VERIFY_FAIL:
      name = "DA image signature verify failed";
      break;
    case STATUS_DAA_SIG_VERIFY_FAILED:
      name = "DAA signature verify failed";
      break;
    case STATUS_RW_MISALIGNED:
      name = "address not aligned";
      break;
    case STATUS_RW_ZERO_COUNT:
      name = "count is zero";
      break;
    default:
      break;
  }
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%04x", status);
  return name ? std::string(name) + " (" + hex + ")" : std::string(hex);
}

void Xor16::update(ByteSpan data) {
  for (std::uint8_t b : data) {
    if (odd_) {
      acc_ ^= static_cast<std::uint16_t>(low_ | b << 8);
      odd_ = false;
    } else {
      low_ = b;
      odd_ = true;
    }
  }
}

std::uint16_t Xor16::value() const {
  return odd_ ? static_cast<std::uint16_t>(acc_ ^ low_) : acc_;
}

std::uint16_t xor16(ByteSpan data, std::uint16_t seed) {
  Xor16 x;
  x.update(data);
  return static_cast<std::uint16_t>(x.value() ^ seed);
}

}  // namespace mtk::wire::brom
