#include "mtk/flasher/xflash_client.hpp"

#include <algorithm>
#include <cstdio>

#include "mtk/flasher/mtk_errors.hpp"

namespace mtk::flasher {

namespace xf = wire::xflash;
using namespace codes;
using std::chrono::milliseconds;

namespace {

constexpr std::size_t kMaxControlPacket = 64 * 1024;
constexpr int kChecksumRetries = 3;

std::string hex(std::uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

}  // namespace

const char* storageTypeName(StorageType t) {
  switch (t) {
    case StorageType::Emmc:
      return "EMMC";
    case StorageType::Ufs:
      return "UFS";
    case StorageType::Nand:
      return "NAND";
    case StorageType::None:
      return "none";
  }
  return "?";
}

const StorageArea* StorageInfo::area(const std::string& name) const {
  for (const auto& a : areas) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

const StorageArea* StorageInfo::user() const {
  return area(type == StorageType::Ufs ? "lu2" : "user");
}

std::uint32_t StorageInfo::storageId() const {
  return type == StorageType::Ufs    ? xf::STORAGE_UFS
         : type == StorageType::Nand ? xf::STORAGE_NAND
                                     : xf::STORAGE_EMMC;
}

// ---- packets ----

Status XFlashClient::sendPacket(wire::ByteSpan payload, const char* what) {
  auto h = xf::encodeHeader(static_cast<std::uint32_t>(payload.size()));
  if (auto s = t_.write(h, options_.dataTimeout); !s) return Error(s.error()).context(what);
  if (auto s = t_.write(payload, options_.dataTimeout); !s) return Error(s.error()).context(what);
  return {};
}

Status XFlashClient::sendU32(std::uint32_t value, const char* what) {
  std::uint8_t b[4];
  wire::storeLe32(b, value);
  return sendPacket(b, what);
}

// A packet header; returns the payload length (at most `max`).
Result<std::size_t> XFlashClient::readHeader(const char* what, milliseconds timeout,
                                             std::size_t max) {
  std::array<std::uint8_t, xf::kHeaderSize> h{};
  if (auto s = t_.readExact(h, timeout); !s) {
    if (isTimeout(s.error())) {
      return mtkError(S_FT_DA_NO_RESPONSE,
                      std::string("no answer from the DA (stage: DA, command ") + what +
                          ") within " + std::to_string(timeout.count()) + " ms",
                      "the DA stopped answering: reconnect the phone and start again; if it "
                      "repeats, the DA file may not suit this phone");
    }
    return Error(s.error()).context(what);
  }
  auto header = xf::decodeHeader(h);
  if (!header) return Error(header.error()).context(what);
  if (header->length > max) {
    return makeError(-1, "XFLASH_PROTOCOL_ERROR",
                     std::string(what) + ": the DA announced a " + std::to_string(header->length) +
                         "-byte packet, more than the " + std::to_string(max) + " expected",
                     "the DA is out of step: reconnect the phone and start again");
  }
  return std::size_t{header->length};
}

Result<wire::Bytes> XFlashClient::readPacket(std::size_t max, const char* what,
                                             milliseconds timeout) {
  auto len = readHeader(what, timeout, max);
  if (!len) return len.error();
  wire::Bytes payload(*len);
  if (auto s = t_.readExact(payload, timeout); !s) return Error(s.error()).context(what);
  return payload;
}

Result<std::uint32_t> XFlashClient::readStatus(const char* what) {
  auto p = readPacket(kMaxControlPacket, what, options_.statusTimeout);
  if (!p) return p.error();
  // A status is a 4-byte payload; a 2-byte one is accepted too, as mtkclient does.
  if (p->size() == 4) {
    const std::uint32_t v = wire::loadLe32(p->data());
    return v == xf::kMagic ? xf::STATUS_OK : v;
  }
  if (p->size() == 2) return static_cast<std::uint32_t>(wire::loadLe16(p->data()));
  return makeError(-1, "XFLASH_PROTOCOL_ERROR",
                   std::string(what) + ": expected a status, got a " + std::to_string(p->size()) +
                       "-byte packet",
                   "the DA is out of step: reconnect the phone and start again");
}

Error XFlashClient::daError(std::uint32_t status, const std::string& what) const {
  const std::string s = xf::describeStatus(status);
  switch (status) {
    case xf::STATUS_DA_HASH_MISMATCH:
      return makeError(
          status, "STATUS_DA_HASH_MISMATCH", what + ": DA1 rejected DA2: its digest does not match",
          "the DA file's two stages do not belong together (a mixed or patched DA), or DRAM is "
          "unstable: use an unmodified DA file for this chip");
    case xf::STATUS_EXT_RAM_EXCEPTION:
      return mtkError(
          S_FT_ENABLE_DRAM_FAIL,
          what + ": the DA could not bring up DRAM with these EMI settings (" + s + ")",
          "the preloader image does not match this phone's RAM: use the preloader of this exact "
          "model (or a readback of its own boot1)");
    case xf::STATUS_EMI_SETTING_VERSION_ERR:
      return mtkError(S_DA_DRAM_NOT_SUPPORT,
                      what + ": the DA does not support these EMI settings (" + s + ")",
                      "the preloader image is for another RAM type or another chip: use this "
                      "model's preloader");
    case xf::STATUS_UNSUPPORTED_CMD:
    case xf::STATUS_UNSUPPORTED_CTRL_CODE:
      return makeError(status, "STATUS_UNSUPPORTED",
                       what + ": the DA does not support it (" + s + ")",
                       "this DA is too old or too new for the operation");
    default:
      return makeError(status, s.substr(0, s.find(' ')), what + " failed: " + s,
                       "the phone's DA refused the operation; the log above names the step");
  }
}

Status XFlashClient::expectOk(const char* what) {
  auto s = readStatus(what);
  if (!s) return s.error();
  if (*s != xf::STATUS_OK) return daError(*s, what);
  return {};
}

Status XFlashClient::command(std::uint32_t cmd, const char* what) {
  if (auto s = sendU32(cmd, what); !s) return s;
  return expectOk(what);
}

// ---- session ----

Status XFlashClient::setupSession() {
  if (auto s = sendU32(xf::SYNC_SIGNAL, "SYNC"); !s) return s;
  if (auto s = sendU32(xf::CMD_SETUP_ENVIRONMENT, "SETUP_ENVIRONMENT"); !s) return s;
  wire::Bytes env;
  wire::Writer(env).le32(2).le32(1).le32(1).le32(0).le32(
      0);  // log level, UART log, Linux, no UFS provisioning
  if (auto s = sendPacket(env, "SETUP_ENVIRONMENT"); !s) return s;
  if (auto s = expectOk("SETUP_ENVIRONMENT"); !s) return s;
  if (auto s = sendU32(xf::CMD_SETUP_HW_INIT_PARAMS, "SETUP_HW_INIT_PARAMS"); !s) return s;
  if (auto s = sendU32(0, "SETUP_HW_INIT_PARAMS"); !s) return s;
  if (auto s = expectOk("SETUP_HW_INIT_PARAMS"); !s) return s;
  auto sync = readStatus("the DA's SYNC");
  if (!sync) return sync.error();
  if (*sync != xf::SYNC_SIGNAL) {
    return mtkError(S_FT_DA_SYNC_INCORRECT, "the DA answered " + hex(*sync) + " instead of SYNC",
                    "possibly an illegal DA for this phone: use the DA file that matches the chip");
  }
  return {};
}

Result<wire::Bytes> XFlashClient::ctrlGet(std::uint32_t code, const char* what) {
  if (auto s = command(xf::CMD_DEVICE_CTRL, what); !s) return s.error();
  if (auto s = sendU32(code, what); !s) return s.error();
  if (auto s = expectOk(what); !s) return s.error();
  auto data = readPacket(kMaxControlPacket, what, options_.statusTimeout);
  if (!data) return data;
  if (auto s = expectOk(what); !s) return s.error();
  return data;
}

Status XFlashClient::ctrlSet(std::uint32_t code, wire::ByteSpan param, const char* what) {
  if (auto s = command(xf::CMD_DEVICE_CTRL, what); !s) return s;
  if (auto s = sendU32(code, what); !s) return s;
  if (auto s = expectOk(what); !s) return s;
  if (auto s = sendPacket(param, what); !s) return s;
  return expectOk(what);
}

Result<std::string> XFlashClient::connectionAgent() {
  auto d = ctrlGet(xf::CTRL_GET_CONNECTION_AGENT, "GET_CONNECTION_AGENT");
  if (!d) return d.error();
  return std::string(d->begin(), d->end());
}

Status XFlashClient::setChecksumLevel(std::uint32_t level) {
  std::uint8_t b[4];
  wire::storeLe32(b, level);
  return ctrlSet(xf::CTRL_SET_CHECKSUM_LEVEL, b, "SET_CHECKSUM_LEVEL");
}

Result<std::pair<std::uint32_t, std::uint32_t>> XFlashClient::packetLength() {
  auto d = ctrlGet(xf::CTRL_GET_PACKET_LENGTH, "GET_PACKET_LENGTH");
  if (!d) return d.error();
  if (d->size() < 8)
    return makeError(-1, "XFLASH_PROTOCOL_ERROR", "GET_PACKET_LENGTH answer too short", "");
  packetLength_ = {wire::loadLe32(d->data()), wire::loadLe32(d->data() + 4)};
  return *packetLength_;
}

Result<std::uint32_t> XFlashClient::checkedPacketLength(bool write) {
  if (!packetLength_) {
    auto p = packetLength();
    if (!p) return p.error();
  }
  const std::uint32_t n = write ? packetLength_->first : packetLength_->second;
  if (n == 0 || n > (64u << 20)) {
    return makeError(-1, "XFLASH_PROTOCOL_ERROR",
                     "the DA reports a packet length of " + std::to_string(n), "");
  }
  return n;
}

Result<StorageInfo> XFlashClient::storageInfo() {
  StorageInfo info;
  auto e = ctrlGet(xf::CTRL_GET_EMMC_INFO, "GET_EMMC_INFO");
  if (!e) return e.error();
  auto emmc = xf::decodeEmmcInfo(*e);
  if (emmc && emmc->type != 0) {
    info.type = StorageType::Emmc;
    info.blockSize = emmc->blockSize ? emmc->blockSize : 512;
    info.areas = {{"boot1", xf::EMMC_BOOT1, emmc->boot1},
                  {"boot2", xf::EMMC_BOOT2, emmc->boot2},
                  {"rpmb", xf::EMMC_RPMB, emmc->rpmb}};
    for (std::uint32_t i = 0; i < 4; ++i) {
      if (emmc->gp[i])
        info.areas.push_back({"gp" + std::to_string(i + 1), xf::EMMC_GP1 + i, emmc->gp[i]});
    }
    info.areas.push_back({"user", xf::EMMC_USER, emmc->user});
    storage_ = info;
    return info;
  }
  auto u = ctrlGet(xf::CTRL_GET_UFS_INFO, "GET_UFS_INFO");
  if (u) {
    auto ufs = xf::decodeUfsInfo(*u);
    if (ufs && ufs->type != 0) {
      info.type = StorageType::Ufs;
      info.blockSize = ufs->blockSize ? ufs->blockSize : 4096;
      info.areas = {{"lu0", xf::UFS_BOOT1, ufs->lu2},
                    {"lu1", xf::UFS_BOOT2, ufs->lu1},
                    {"lu2", xf::UFS_USER, ufs->lu0}};
      storage_ = info;
      return info;
    }
  }
  auto n = ctrlGet(xf::CTRL_GET_NAND_INFO, "GET_NAND_INFO");
  if (n && n->size() >= 4 && wire::loadLe32(n->data()) != 0) info.type = StorageType::Nand;
  storage_ = info;
  return info;
}

Status XFlashClient::initExtRam(wire::ByteSpan emi) {
  if (auto s = command(xf::CMD_INIT_EXT_RAM, "INIT_EXT_RAM"); !s) return s;
  if (auto s = sendU32(static_cast<std::uint32_t>(emi.size()), "INIT_EXT_RAM"); !s) return s;
  if (auto s = sendPacket(emi, "INIT_EXT_RAM"); !s) return s;
  auto st = readStatus("INIT_EXT_RAM");
  if (!st) {
    if (st.error().name == "S_FT_DA_NO_RESPONSE") {
      return mtkError(S_FT_ENABLE_DRAM_FAIL, "the DA went silent while bringing up DRAM",
                      "the EMI settings do not suit this phone's RAM: use this model's preloader");
    }
    return st.error();
  }
  if (*st != xf::STATUS_OK) return daError(*st, "INIT_EXT_RAM");
  return {};
}

Status XFlashClient::bootTo(std::uint64_t address, wire::ByteSpan image, const std::string& what) {
  if (auto s = command(xf::CMD_BOOT_TO, "BOOT_TO"); !s) return s;
  wire::Bytes param;
  wire::Writer(param).le64(address).le64(image.size());
  if (auto s = sendPacket(param, "BOOT_TO"); !s) return s;
  if (auto s = sendPacket(image, "BOOT_TO"); !s) return s;
  auto st = readStatus("BOOT_TO");
  if (!st) {
    Error e = st.error();
    if (e.name == "S_FT_DA_NO_RESPONSE")
      e.message = "no answer after sending " + what + " (stage: " + what + ")";
    return e;
  }
  if (*st != xf::STATUS_OK) return daError(*st, "BOOT_TO " + what);
  auto sync = readStatus("BOOT_TO");
  if (!sync) {
    Error e = sync.error();
    if (e.name == "S_FT_DA_NO_RESPONSE")
      e.message = what + " was accepted but never started (stage: " + what + ")";
    return e;
  }
  if (*sync != xf::SYNC_SIGNAL && *sync != xf::STATUS_OK) return daError(*sync, "starting " + what);
  return {};
}

// ---- storage ----

Status XFlashClient::read(std::uint32_t partType, std::uint64_t address, std::uint64_t length,
                          const Sink& sink, const Progress& progress) {
  auto rlen = checkedPacketLength(false);
  if (!rlen) return rlen.error();
  if (auto s = command(xf::CMD_READ_DATA, "READ_DATA"); !s) return s;
  xf::StorageParam p{storage_.storageId(), partType, address, length, {}};
  if (auto s = sendPacket(xf::encodeStorageParam(p), "READ_DATA"); !s) return s;
  const std::string where = "READ_DATA of " + std::to_string(length) + " bytes at " + hex(address);
  if (auto s = expectOk(where.c_str()); !s) return s;
  if (auto s = expectOk(where.c_str()); !s) return s;
  std::uint64_t done = 0;
  wire::Bytes buffer(*rlen);  // reused for every packet: no allocation or zero-fill per packet
  while (done < length) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(length - done, *rlen));
    auto len = readHeader("READ_DATA", options_.statusTimeout, buffer.size());
    if (!len) return len.error();
    const wire::MutableByteSpan data(buffer.data(), *len);
    if (auto s = t_.readExact(data, options_.dataTimeout); !s)
      return Error(s.error()).context(where);
    // Some DAs put a status between data packets: a 4-byte packet where more is due is one.
    if (data.size() == 4 && want > 4) {
      const std::uint32_t st = wire::loadLe32(data.data());
      if (st != xf::STATUS_OK) return daError(st, where);
      continue;
    }
    if (data.empty() || data.size() > want) {
      return makeError(-1, "XFLASH_PROTOCOL_ERROR",
                       where + ": a data packet of " + std::to_string(data.size()) +
                           " bytes where " + std::to_string(want) + " were due",
                       "the DA is out of step: reconnect the phone and start again");
    }
    if (auto s = sink(data); !s) return s;
    done += data.size();
    if (auto s = sendU32(0, "READ_DATA ack"); !s) return s;
    if (progress) progress(done, length);
  }
  return expectOk(where.c_str());
}

// WRITE_DATA, chunk by chunk: u32 0, u32 checksum, the data; one status per chunk. A chunk the
// DA finds damaged (checksum) is sent again in a new WRITE_DATA from that chunk on.
Status XFlashClient::write(std::uint32_t partType, std::uint64_t address, std::uint64_t length,
                           const Source& source, const Progress& progress) {
  auto wlen = checkedPacketLength(true);
  if (!wlen) return wlen.error();
  wire::Bytes chunk(*wlen);
  std::size_t chunkSize = 0;  // bytes of `chunk` loaded and not yet acknowledged
  std::uint64_t done = 0;
  int retries = 0;
  while (done < length) {
    if (auto s = command(xf::CMD_WRITE_DATA, "WRITE_DATA"); !s) return s;
    xf::StorageParam p{storage_.storageId(), partType, address + done, length - done, {}};
    if (auto s = sendPacket(xf::encodeStorageParam(p), "WRITE_DATA"); !s) return s;
    const std::string where = "WRITE_DATA at " + hex(address + done);
    if (auto s = expectOk(where.c_str()); !s) return s;
    bool restarted = false;
    while (done < length) {
      if (chunkSize == 0) {
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(length - done, *wlen));
        auto n = source(wire::MutableByteSpan(chunk.data(), want));
        if (!n) return n.error();
        if (*n != want) {
          return makeError(-1, "IMAGE_SHORT",
                           "the image ended " + std::to_string(length - done) + " bytes early", "");
        }
        chunkSize = want;
      }
      xf::Sum16 sum;
      sum.update(wire::ByteSpan(chunk.data(), chunkSize));
      if (auto s = sendU32(0, "WRITE_DATA"); !s) return s;
      if (auto s = sendU32(sum.value(), "WRITE_DATA"); !s) return s;
      if (auto s = sendPacket(wire::ByteSpan(chunk.data(), chunkSize), "WRITE_DATA"); !s) return s;
      auto st = readStatus("WRITE_DATA");
      if (!st) return st.error();
      if (*st == xf::STATUS_CHECKSUM_ERR && retries < kChecksumRetries) {
        ++retries;  // damaged on the way: the DA wrote nothing of it; start again from here
        restarted = true;
        break;
      }
      if (*st != xf::STATUS_OK) {
        return daError(*st, "writing " + std::to_string(chunkSize) + " bytes at " +
                                hex(address + done) + " (storage area " + std::to_string(partType) +
                                ")");
      }
      done += chunkSize;
      chunkSize = 0;
      if (progress) progress(done, length);
    }
    if (restarted) continue;
    return expectOk("WRITE_DATA");
  }
  return {};
}

Status XFlashClient::format(std::uint32_t partType, std::uint64_t address, std::uint64_t length,
                            const Progress& progress) {
  if (auto s = command(xf::CMD_FORMAT, "FORMAT"); !s) return s;
  xf::StorageParam p{storage_.storageId(), partType, address, length, {}};
  if (auto s = sendPacket(xf::encodeStorageParam(p), "FORMAT"); !s) return s;
  const std::string where = "FORMAT of " + std::to_string(length) + " bytes at " + hex(address);
  if (auto s = expectOk(where.c_str()); !s) return s;
  for (int round = 0; round < 100000; ++round) {
    auto st = readStatus("FORMAT");
    if (!st) return st.error();
    if (*st == xf::STATUS_COMPLETE || *st == xf::STATUS_OK) {
      if (progress) progress(length, length);
      return {};
    }
    if (*st != xf::STATUS_CONTINUE) return daError(*st, where);
    auto progressWord = readStatus("FORMAT progress");
    if (!progressWord) return progressWord.error();
    if (progress) progress(std::min<std::uint64_t>(*progressWord, length), length);
    if (auto s = sendU32(0, "FORMAT ack"); !s) return s;
  }
  return makeError(-1, "XFLASH_PROTOCOL_ERROR", where + ": the DA never finished", "");
}

Result<std::string> XFlashClient::usbSpeed() {
  auto d = ctrlGet(xf::CTRL_GET_USB_SPEED, "GET_USB_SPEED");
  if (!d) return d.error();
  return std::string(d->begin(), d->end());
}

Status XFlashClient::switchUsbSpeed() {
  if (auto s = command(xf::CMD_SWITCH_USB_SPEED, "SWITCH_USB_SPEED"); !s) return s;
  if (auto s = sendU32(0x0e8d2001, "SWITCH_USB_SPEED"); !s) return s;
  return expectOk("SWITCH_USB_SPEED");
}

Status XFlashClient::shutdown(std::uint32_t bootMode, bool powerOff) {
  if (auto s = command(xf::CMD_SHUTDOWN, "SHUTDOWN"); !s) return s;
  wire::Bytes param;
  // has_flags, enable_wdt, async, boot_mode, dl_bit, dont_reset_rtc, leave_usb, 0. No flags:
  // the DA's default, a reset (reboot). Flags without the watchdog: the phone stays off.
  const std::uint32_t hasFlags = powerOff ? 1 : 0;
  wire::Writer(param).le32(hasFlags).le32(0).le32(0).le32(bootMode).le32(0).le32(0).le32(0).le32(0);
  if (auto s = sendPacket(param, "SHUTDOWN"); !s) return s;
  return expectOk("SHUTDOWN");
}

}  // namespace mtk::flasher
