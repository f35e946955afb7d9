// Names of commands and faults, as configuration files write them and logs print them.
#include <cstdio>

#include "mtk/emu/phone/fault.hpp"
#include "mtk/wire/brom.hpp"
#include "mtk/wire/xflash.hpp"

namespace mtk::emu {

namespace {

namespace brom = wire::brom;
namespace xf = wire::xflash;

struct BromName {
  std::uint8_t code;
  const char* name;
};
constexpr BromName kBromCommands[] = {
    {brom::GET_HW_SW_VER, "GET_HW_SW_VER"},
    {brom::GET_HW_CODE, "GET_HW_CODE"},
    {brom::GET_BL_VER, "GET_BL_VER"},
    {brom::GET_VERSION, "GET_VERSION"},
    {brom::GET_PL_CAP, "GET_PL_CAP"},
    {brom::GET_TARGET_CONFIG, "GET_TARGET_CONFIG"},
    {brom::READ16, "READ16"},
    {brom::READ32, "READ32"},
    {brom::WRITE16, "WRITE16"},
    {brom::WRITE16_NO_ECHO, "WRITE16_NO_ECHO"},
    {brom::WRITE32, "WRITE32"},
    {brom::JUMP_DA, "JUMP_DA"},
    {brom::SEND_DA, "SEND_DA"},
    {brom::UART1_LOG_EN, "UART1_LOG_EN"},
    {brom::SEND_CERT, "SEND_CERT"},
    {brom::GET_ME_ID, "GET_ME_ID"},
    {brom::SEND_AUTH, "SEND_AUTH"},
    {brom::GET_SOC_ID, "GET_SOC_ID"},
    {brom::WRITE16_LEGACY, "WRITE16_LEGACY"},
};
constexpr const char* kBromHandshake = "HANDSHAKE";

struct DaName {
  std::uint32_t code;
  const char* name;
};
constexpr DaName kDaCommands[] = {
    {xf::SYNC_SIGNAL, "SYNC"},
    {xf::CMD_DOWNLOAD, "DOWNLOAD"},
    {xf::CMD_UPLOAD, "UPLOAD"},
    {xf::CMD_FORMAT, "FORMAT"},
    {xf::CMD_WRITE_DATA, "WRITE_DATA"},
    {xf::CMD_READ_DATA, "READ_DATA"},
    {xf::CMD_FORMAT_PARTITION, "FORMAT_PARTITION"},
    {xf::CMD_SHUTDOWN, "SHUTDOWN"},
    {xf::CMD_BOOT_TO, "BOOT_TO"},
    {xf::CMD_DEVICE_CTRL, "DEVICE_CTRL"},
    {xf::CMD_INIT_EXT_RAM, "INIT_EXT_RAM"},
    {xf::CMD_SWITCH_USB_SPEED, "SWITCH_USB_SPEED"},
    {xf::CMD_SETUP_ENVIRONMENT, "SETUP_ENVIRONMENT"},
    {xf::CMD_SETUP_HW_INIT_PARAMS, "SETUP_HW_INIT_PARAMS"},
};
constexpr DaName kDaCtrls[] = {
    {xf::CTRL_SET_BATTERY_OPT, "SET_BATTERY_OPT"},
    {xf::CTRL_SET_CHECKSUM_LEVEL, "SET_CHECKSUM_LEVEL"},
    {xf::CTRL_SET_RESET_KEY, "SET_RESET_KEY"},
    {xf::CTRL_SET_HOST_INFO, "SET_HOST_INFO"},
    {xf::CTRL_SET_META_BOOT_MODE, "SET_META_BOOT_MODE"},
    {xf::CTRL_GET_EMMC_INFO, "GET_EMMC_INFO"},
    {xf::CTRL_GET_NAND_INFO, "GET_NAND_INFO"},
    {xf::CTRL_GET_NOR_INFO, "GET_NOR_INFO"},
    {xf::CTRL_GET_UFS_INFO, "GET_UFS_INFO"},
    {xf::CTRL_GET_DA_VERSION, "GET_DA_VERSION"},
    {xf::CTRL_GET_PACKET_LENGTH, "GET_PACKET_LENGTH"},
    {xf::CTRL_GET_RANDOM_ID, "GET_RANDOM_ID"},
    {xf::CTRL_GET_PARTITION_TBL_CATA, "GET_PARTITION_TBL_CATA"},
    {xf::CTRL_GET_CONNECTION_AGENT, "GET_CONNECTION_AGENT"},
    {xf::CTRL_GET_USB_SPEED, "GET_USB_SPEED"},
    {xf::CTRL_GET_RAM_INFO, "GET_RAM_INFO"},
    {xf::CTRL_GET_CHIP_ID, "GET_CHIP_ID"},
    {xf::CTRL_GET_EXPIRE_DATE, "GET_EXPIRE_DATE"},
    {xf::CTRL_SLA_ENABLED_STATUS, "SLA_ENABLED_STATUS"},
    {xf::CTRL_START_DL_INFO, "START_DL_INFO"},
    {xf::CTRL_END_DL_INFO, "END_DL_INFO"},
    {xf::CTRL_CC_OPTIONAL_DOWNLOAD_ACT, "CC_OPTIONAL_DOWNLOAD_ACT"},
};
constexpr const char* kDaStart = "START";

std::string hexName(std::uint32_t v, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*x", digits, v);
  return buf;
}

std::string bytesText(std::uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

bool isBromCommandName(std::string_view name) {
  if (name == kBromHandshake) return true;
  for (const auto& c : kBromCommands)
    if (name == c.name) return true;
  return false;
}

bool isDaCommandName(std::string_view name) {
  if (name == kDaStart) return true;
  for (const auto& c : kDaCommands)
    if (name == c.name) return true;
  for (const auto& c : kDaCtrls)
    if (name == c.name) return true;
  return false;
}

std::vector<std::string> bromCommandNames() {
  std::vector<std::string> out{kBromHandshake};
  for (const auto& c : kBromCommands) out.emplace_back(c.name);
  return out;
}

std::vector<std::string> daCommandNames() {
  std::vector<std::string> out{kDaStart};
  for (const auto& c : kDaCommands) out.emplace_back(c.name);
  for (const auto& c : kDaCtrls) out.emplace_back(c.name);
  return out;
}

std::string bromCommandName(std::uint8_t cmd) {
  for (const auto& c : kBromCommands)
    if (c.code == cmd) return c.name;
  return hexName(cmd, 2);
}

std::string daCommandName(std::uint32_t cmd) {
  for (const auto& c : kDaCommands)
    if (c.code == cmd) return c.name;
  return hexName(cmd, 6);
}

std::string daCtrlName(std::uint32_t code) {
  for (const auto& c : kDaCtrls)
    if (c.code == code) return c.name;
  return hexName(code, 6);
}

const char* faultActionName(FaultAction::Kind kind) {
  using K = FaultAction::Kind;
  switch (kind) {
    case K::Unplug:
      return "unplug";
    case K::Silent:
      return "silent";
    case K::Delay:
      return "delay_ms";
    case K::Status:
      return "status";
    case K::CorruptByte:
      return "corrupt_byte";
    case K::CorruptChecksum:
      return "corrupt_checksum";
    case K::StorageError:
      return "storage_error_at";
    case K::PowerCut:
      return "power_cut";
    case K::Flap:
      return "flap";
    case K::RefuseDram:
      return "refuse_dram";
    case K::Da2HashMismatch:
      return "da2_hash_mismatch";
    case K::MissWindow:
      return "miss_window";
  }
  return "?";
}

std::string describeTrigger(const FaultTrigger& t) {
  using K = FaultTrigger::Kind;
  std::string s;
  const char* phase = t.phase == FaultPhase::Before ? "before" : "after";
  switch (t.kind) {
    case K::PowerOn:
      s = "power_on";
      break;
    case K::BromCommand:
      s = std::string(phase) + " brom_command " + t.command;
      break;
    case K::DaCommand:
      s = std::string(phase) + " da_command " + t.command;
      break;
    case K::BulkOffset:
      s = std::string(t.direction == FaultDirection::Out ? "bulk_out_offset " : "bulk_in_offset ") +
          (t.offsetRange ? "[" + bytesText(t.offsetRange->first) + ", " +
                               bytesText(t.offsetRange->second) + "]"
                         : bytesText(t.offset)) +
          (t.fromDaStart ? " from da" : "");
      break;
    case K::Time:
      s = "after_ms " + std::to_string(t.afterMs ? t.afterMs->count() : 0);
      break;
  }
  if (t.kind != K::Time && t.afterMs) s += ", after_ms " + std::to_string(t.afterMs->count());
  if (t.occurrence != 1) s += ", occurrence " + std::to_string(t.occurrence);
  if (t.probability < 1.0) {
    char buf[32];
    std::snprintf(buf, sizeof buf, ", probability %g", t.probability);
    s += buf;
  }
  return s;
}

std::string describeAction(const FaultAction& a) {
  using K = FaultAction::Kind;
  std::string s = faultActionName(a.kind);
  const char* dir = a.direction == FaultDirection::Out ? "out" : "in";
  switch (a.kind) {
    case K::Delay:
      s += " " + std::to_string(a.delay.count());
      break;
    case K::Status:
      s += " " + hexName(a.status, a.status > 0xffff ? 8 : 4);
      break;
    case K::CorruptByte:
      s += " " + std::to_string(a.byteIndex) + " " + dir + " mask " + hexName(a.mask, 2);
      break;
    case K::StorageError:
      s += " " + bytesText(a.address) + " of " + (a.area.empty() ? "user" : a.area);
      break;
    case K::PowerCut:
      if (a.landBytes) s += " after " + std::to_string(*a.landBytes) + " bytes";
      break;
    case K::Flap:
      s += " " + std::to_string(a.cycles) + " every " + std::to_string(a.delay.count()) + " ms";
      break;
    default:
      break;
  }
  return s;
}

}  // namespace mtk::emu
