#include "mtk/flasher/brom_client.hpp"

#include <cstdio>

#include "mtk/flasher/mtk_errors.hpp"
#include "mtk/wire/brom.hpp"

namespace mtk::flasher {

namespace brom = wire::brom;
using namespace codes;
using std::chrono::milliseconds;

namespace {

std::string hex(std::uint32_t v, int digits) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%0*x", digits, v);
  return b;
}

}  // namespace

const char* bootStageName(BootStage s) {
  return s == BootStage::Brom ? "BROM" : "preloader";
}

std::string TargetInfo::chipName() const {
  return chip ? chip->name : "unknown (hw code " + hex(hwCode, 4) + ")";
}

Error BromClient::noAnswer(const char* what, const Error& cause) const {
  if (isDisconnect(cause)) {
    return mtkError(S_BROM_CONNECT_TO_BOOTLOADER_FAIL,
                    std::string("the phone left USB during ") + what + " (" + cause.message + ")",
                    "if it was in preloader mode it booted on: power it off, start the flasher "
                    "first, then connect it (hold volume-down for BROM mode)");
  }
  return mtkError(S_TIMEOUT, std::string("no answer to ") + what + ": " + cause.message,
                  "reconnect the phone powered off and try again; try another cable or port");
}

Result<std::uint8_t> BromClient::u8(const char* what, milliseconds timeout) {
  std::uint8_t b = 0;
  if (auto s = t_.readExact(wire::MutableByteSpan(&b, 1), timeout); !s) return s.error();
  (void)what;
  return b;
}

Result<std::uint16_t> BromClient::u16(const char* what) {
  std::uint8_t b[2];
  if (auto s = t_.readExact(b, options_.commandTimeout); !s) return noAnswer(what, s.error());
  return wire::loadBe16(b);
}

Result<std::uint32_t> BromClient::u32(const char* what) {
  std::uint8_t b[4];
  if (auto s = t_.readExact(b, options_.commandTimeout); !s) return noAnswer(what, s.error());
  return wire::loadBe32(b);
}

// Tolerant start command. A preloader swallows the first 0xA0 it hears (so it gets an extra
// one), may print READY while listening (drained), and a newer one silently takes a repeated
// 0xA0 as "back to the second byte": two unanswered 0xA0 in a row therefore mean "go on with
// 0x0A". An echoed 0xA0 means the phone is already in command mode (an earlier session did the
// handshake). Any other wrong answer starts over. All of it bounded.
Status BromClient::handshake(BootStage stage) {
  std::string last;
  int silentA0 = 0;
  std::size_t i = 0;
  int restarts = 0;
  auto restart = [&] {
    i = 0;
    silentA0 = 0;
    ++restarts;
    t_.drain(milliseconds(20));
  };
  if (stage == BootStage::Preloader) {
    const std::uint8_t wake = brom::kStartCommand[0];
    if (auto s = t_.write(wire::ByteSpan(&wake, 1), options_.byteTimeout); !s) {
      return noAnswer("the start command", s.error());
    }
  }
  t_.drain(milliseconds(20));
  for (int step = 0; step < 8 * options_.handshakeAttempts && restarts < options_.handshakeAttempts;
       ++step) {
    const std::uint8_t b = brom::kStartCommand[i];
    if (auto s = t_.write(wire::ByteSpan(&b, 1), options_.byteTimeout); !s) {
      return noAnswer("the start command", s.error());
    }
    auto r = u8("the start command", i == 0 ? milliseconds(100) : options_.byteTimeout);
    if (!r) {
      if (isDisconnect(r.error())) return noAnswer("the start command", r.error());
      last += " " + hex(b, 2) + "->(none)";
      if (b == brom::kStartCommand[0] && ++silentA0 >= 2) {
        i = 1;  // a newer preloader restarted at the second byte without answering
        silentA0 = 0;
      } else if (b != brom::kStartCommand[0]) {
        restart();
      }
      continue;
    }
    last += " " + hex(b, 2) + "->" + hex(*r, 2);
    if (*r == brom::startReply(b)) {
      silentA0 = 0;
      if (++i == brom::kStartCommand.size()) return {};
      continue;
    }
    if (b == brom::kStartCommand[0] && *r == b) return {};  // already in command mode
    restart();
  }
  if (last.size() > 200) last = " ..." + last.substr(last.size() - 200);
  return mtkError(S_BROM_CMD_STARTCMD_FAIL,
                  std::string("the ") + bootStageName(stage) +
                      " did not complete the start command; last:" + last,
                  "power the phone off, unplug it, start the flasher, then plug it in; if another "
                  "tool (ModemManager, a serial terminal) has the port open, close it");
}

Status BromClient::echo(std::uint8_t cmd, const char* name) {
  if (auto s = t_.write(wire::ByteSpan(&cmd, 1), options_.commandTimeout); !s)
    return noAnswer(name, s.error());
  auto r = u8(name, options_.commandTimeout);
  if (!r) return noAnswer(name, r.error());
  if (*r != cmd) {
    return mtkError(S_BROM_CMD_STARTCMD_FAIL,
                    std::string(name) + ": the phone answered " + hex(*r, 2) +
                        " instead of echoing " + hex(cmd, 2),
                    "the protocol is out of step: reconnect the phone and start again");
  }
  return {};
}

Result<std::uint32_t> BromClient::echo32(std::uint32_t value, const char* name) {
  std::uint8_t b[4];
  wire::storeBe32(b, value);
  if (auto s = t_.write(b, options_.commandTimeout); !s) return noAnswer(name, s.error());
  auto r = u32(name);
  if (!r) return r;
  if (*r != value) {
    return mtkError(
        S_BROM_CMD_STARTCMD_FAIL,
        std::string(name) + ": the phone echoed " + hex(*r, 8) + " for " + hex(value, 8),
        "the protocol is out of step: reconnect the phone and start again");
  }
  return value;
}

Result<std::uint16_t> BromClient::getHwCode() {
  if (auto s = echo(brom::GET_HW_CODE, "GET_HW_CODE"); !s) return s.error();
  auto code = u16("GET_HW_CODE");
  if (!code) return code;
  auto status = u16("GET_HW_CODE");
  if (!status) return status.error();
  return *code;
}

Result<TargetInfo> BromClient::identify() {
  TargetInfo info;
  info.usb = t_.identity();
  auto code = getHwCode();
  if (!code) return code.error();
  info.hwCode = *code;
  info.chip = wire::chipByHwCode(info.hwCode);

  if (auto s = echo(brom::GET_HW_SW_VER, "GET_HW_SW_VER"); !s) return s.error();
  for (std::uint16_t* field : {&info.hwSubCode, &info.hwVersion, &info.swVersion}) {
    auto v = u16("GET_HW_SW_VER");
    if (!v) {
      return mtkError(S_BROM_FAIL_TO_GET_BBCHIP_HW_VER, v.error().message, v.error().hint);
    }
    *field = *v;
  }
  if (auto st = u16("GET_HW_SW_VER"); !st) return st.error();

  if (auto s = echo(brom::GET_TARGET_CONFIG, "GET_TARGET_CONFIG"); !s) return s.error();
  auto cfg = u32("GET_TARGET_CONFIG");
  if (!cfg) return cfg.error();
  info.targetConfig = *cfg;
  if (auto st = u16("GET_TARGET_CONFIG"); !st) return st.error();

  // GET_BL_VER: a BROM echoes 0xFE, a preloader answers its version instead.
  const std::uint8_t blv = brom::GET_BL_VER;
  if (auto s = t_.write(wire::ByteSpan(&blv, 1), options_.commandTimeout); !s)
    return noAnswer("GET_BL_VER", s.error());
  auto bl = u8("GET_BL_VER", options_.commandTimeout);
  if (!bl) return noAnswer("GET_BL_VER", bl.error());
  info.stage = *bl == brom::GET_BL_VER ? BootStage::Brom : BootStage::Preloader;
  info.blVersion = info.stage == BootStage::Preloader ? *bl : 0;

  const std::uint8_t ver = brom::GET_VERSION;
  if (auto s = t_.write(wire::ByteSpan(&ver, 1), options_.commandTimeout); !s)
    return noAnswer("GET_VERSION", s.error());
  auto v = u8("GET_VERSION", options_.commandTimeout);
  if (!v) return noAnswer("GET_VERSION", v.error());
  if (info.stage == BootStage::Brom) info.bromVersion = *v;

  if (info.stage == BootStage::Brom || info.blVersion > 2) {
    if (auto s = echo(brom::GET_ME_ID, "GET_ME_ID"); !s) return s.error();
    auto len = u32("GET_ME_ID");
    if (!len) return len.error();
    if (*len != 16) {
      return mtkError(S_SECURITY_GET_ME_ID_FAIL,
                      "GET_ME_ID announced " + std::to_string(*len) + " bytes, not 16",
                      "this phone's boot ROM answers differently from every documented one");
    }
    std::array<std::uint8_t, 16> me{};
    if (auto s = t_.readExact(me, options_.commandTimeout); !s)
      return noAnswer("GET_ME_ID", s.error());
    if (auto st = u16("GET_ME_ID"); !st) return st.error();
    info.meId = me;

    if (auto s = echo(brom::GET_SOC_ID, "GET_SOC_ID"); !s) return s.error();
    auto slen = u32("GET_SOC_ID");
    if (!slen) return slen.error();
    if (*slen == 32) {
      std::array<std::uint8_t, 32> soc{};
      if (auto s = t_.readExact(soc, options_.commandTimeout); !s)
        return noAnswer("GET_SOC_ID", s.error());
      info.socId = soc;
    } else if (*slen > 0 && *slen <= 64) {
      wire::Bytes skip(*slen);
      if (auto s = t_.readExact(skip, options_.commandTimeout); !s)
        return noAnswer("GET_SOC_ID", s.error());
    }
    if (auto st = u16("GET_SOC_ID"); !st) return st.error();
  }
  return info;
}

Result<std::vector<std::uint32_t>> BromClient::read32(std::uint32_t address, std::uint32_t count) {
  if (auto s = echo(brom::READ32, "READ32"); !s) return s.error();
  if (auto a = echo32(address, "READ32"); !a) return a.error();
  if (auto c = echo32(count, "READ32"); !c) return c.error();
  auto status = u16("READ32");
  if (!status) return status.error();
  if (*status != brom::STATUS_OK) {
    return mtkError(S_BROM_CMD_STARTCMD_FAIL,
                    "READ32 of " + hex(address, 8) + " refused: " + brom::describeStatus(*status),
                    "the address must be 4-byte aligned and the count non-zero");
  }
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < count; ++i) {
    auto v = u32("READ32");
    if (!v) return v.error();
    out.push_back(*v);
  }
  if (auto st = u16("READ32"); !st) return st.error();
  return out;
}

Status BromClient::write32(std::uint32_t address, const std::vector<std::uint32_t>& values) {
  if (auto s = echo(brom::WRITE32, "WRITE32"); !s) return s;
  if (auto a = echo32(address, "WRITE32"); !a) return a.error();
  if (auto c = echo32(static_cast<std::uint32_t>(values.size()), "WRITE32"); !c) return c.error();
  auto status = u16("WRITE32");
  if (!status) return status.error();
  if (*status > 3) {  // statuses 0..3 mean the write goes ahead
    return mtkError(S_BROM_CMD_STARTCMD_FAIL,
                    "WRITE32 to " + hex(address, 8) + " refused: " + brom::describeStatus(*status),
                    "the phone's security may forbid memory writes (target config)");
  }
  for (std::uint32_t v : values) {
    if (auto e = echo32(v, "WRITE32"); !e) return e.error();
  }
  auto final = u16("WRITE32");
  if (!final) return final.error();
  return {};
}

Status BromClient::disableWatchdog(const wire::ChipInfo& chip) {
  if (chip.is64bit) return {};  // their BROM takes no watchdog write from hosts
  if (auto s = write32(chip.wdtBase, {chip.wdtValue}); !s) {
    Error e = s.error();
    e.context("disabling the watchdog of " + std::string(chip.name));
    return e;
  }
  return {};
}

Status BromClient::sendDa(std::uint32_t address, wire::ByteSpan data, std::uint32_t sigLen,
                          std::uint32_t targetConfig, const Progress& progress) {
  const std::string security = brom::describeTargetConfig(targetConfig);
  if (auto s = echo(brom::SEND_DA, "SEND_DA"); !s) return s;
  for (std::uint32_t v : {address, static_cast<std::uint32_t>(data.size()), sigLen}) {
    if (auto e = echo32(v, "SEND_DA"); !e) return e.error();
  }
  auto status = u16("SEND_DA");
  if (!status) return status.error();
  if (*status == brom::STATUS_SLA_REQUIRED) {
    return mtkError(
        S_SECURITY_SLA_FAIL,
        "the phone requires serial link authorization before it takes a DA (" + security + ")",
        "this phone only accepts DAs after SLA with an auth file signed for it; "
        "use the vendor's authorised DA and auth file");
  }
  if (*status != brom::STATUS_OK) {
    return mtkError(S_BROM_CMD_SEND_DA_FAIL,
                    "the phone refused SEND_DA to " + hex(address, 8) + ": " +
                        brom::describeStatus(*status) + " (" + security + ")",
                    "the DA file does not fit this phone (address, length or signature); use the "
                    "DA for this chip");
  }
  // The data, in pieces (so progress can be shown), then a ZLP if the length ends on a packet.
  const std::size_t piece = 64 * 1024;
  for (std::size_t off = 0; off < data.size(); off += piece) {
    const auto part = data.subspan(off, std::min(piece, data.size() - off));
    if (auto s = t_.write(part, std::chrono::milliseconds(10000)); !s) {
      return mtkError(S_BROM_DOWNLOAD_DA_FAIL,
                      "uploading the DA failed at byte " + std::to_string(off) + " of " +
                          std::to_string(data.size()) + ": " + s.error().message,
                      s.error().hint);
    }
    if (progress) progress(off + part.size(), data.size());
  }
  const std::uint16_t mps = t_.identity().maxPacketSize;
  if (mps && data.size() % mps == 0) (void)t_.write({}, options_.commandTimeout);
  auto sum = u16("SEND_DA checksum");
  if (!sum) return sum.error();
  const std::uint16_t expected = brom::xor16(data);
  if (*sum != expected) {
    return mtkError(S_BROM_CMD_SEND_DA_CHKSUM_DIFF,
                    "the DA arrived damaged: the phone computed checksum " + hex(*sum, 4) +
                        ", the data sent has " + hex(expected, 4),
                    "a bad cable or USB hub corrupts data: use another cable and a port on the "
                    "computer itself");
  }
  auto status2 = u16("SEND_DA (signature check)");
  if (!status2) {
    if ((targetConfig & brom::CFG_DAA) && !isDisconnect(status2.error())) {
      return mtkError(
          S_SECURITY_DAA_FAIL,
          "the phone stopped answering after checking the DA's signature (" + security + ")",
          "DA authentication is on and this DA is not signed for this phone: use the vendor's "
          "signed DA for this model");
    }
    return status2.error();
  }
  if (*status2 == brom::STATUS_DAA_SIG_VERIFY_FAILED ||
      *status2 == brom::STATUS_DA_IMAGE_SIG_VERIFY_FAIL) {
    return mtkError(
        S_SECURITY_DAA_FAIL,
        "the phone rejected the DA's signature: " + brom::describeStatus(*status2) + " (" +
            security + ")",
        "DA authentication is on and this DA is not signed for this phone: use the vendor's "
        "signed DA for this model");
  }
  if (*status2 != brom::STATUS_OK) {
    return mtkError(S_BROM_CMD_SEND_DA_FAIL,
                    "the phone refused the DA after upload: " + brom::describeStatus(*status2),
                    "use the DA for this chip");
  }
  return {};
}

Status BromClient::jumpDa(std::uint32_t address) {
  if (auto s = echo(brom::JUMP_DA, "JUMP_DA"); !s) return s;
  if (auto a = echo32(address, "JUMP_DA"); !a) return a.error();
  auto status = u16("JUMP_DA");
  if (!status) return status.error();
  if (*status != brom::STATUS_OK) {
    return mtkError(
        S_BROM_CMD_JUMP_DA_FAIL,
        "the phone refused JUMP_DA to " + hex(address, 8) + ": " + brom::describeStatus(*status),
        "the DA was not accepted: send it again, or use the DA for this chip");
  }
  return {};
}

Status BromClient::awaitDaSync(milliseconds timeout, const std::string& stage) {
  auto b = u8("the DA's first byte", timeout);
  if (!b) {
    return mtkError(
        S_FT_DA_NO_RESPONSE,
        "no answer from the DA (stage: " + stage + ") within " + std::to_string(timeout.count()) +
            " ms",
        "the DA does not run on this phone (wrong DA for the chip) or the cable dropped: check "
        "the DA file, reconnect and try again");
  }
  if (*b != brom::kDaSyncChar) {
    return mtkError(
        S_FT_DA_SYNC_INCORRECT,
        "the DA (stage: " + stage + ") sent " + hex(*b, 2) + " instead of its sync byte 0xc0",
        "possibly an illegal DA for this phone: use the DA file that matches the chip");
  }
  return {};
}

Status checkPlatform(const TargetInfo& target, const std::string& platform) {
  if (platform.empty()) return {};
  if (target.chip && target.chip->matchesPlatform(platform)) return {};
  return mtkError(
      S_CHIP_TYPE_NOT_MATCH,
      "chip mismatch: the firmware is for " + platform + ", the phone is " + target.chipName() +
          " (hw code " + hex(target.hwCode, 4) + ")",
      "use the firmware (scatter file) made for this phone's chip; nothing was written");
}

}  // namespace mtk::flasher
