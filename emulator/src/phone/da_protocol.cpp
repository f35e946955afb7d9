#include "mtk/emu/phone/da_protocol.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "fault_runtime.hpp"
#include "mtk/wire/brom.hpp"
#include "mtk/wire/sha256.hpp"

namespace mtk::emu {

namespace xf = wire::xflash;

namespace {
constexpr std::uint32_t kExtensionAddress = 0x4fff0000;  // where mtkclient loads its DA patch
constexpr std::uint64_t kFormatProgressBytes = 256ull << 20;
}  // namespace

DaProtocol::DaProtocol(const PhoneSpec& spec, DeviceIo& io, VirtualStorage* storage,
                       FaultRuntime& faults, const wire::Bytes& da1, BootMode agent, Events events)
    : spec_(spec),
      io_(io),
      storage_(storage),
      faults_(faults),
      da1_(da1),
      agent_(agent),
      events_(std::move(events)),
      dramReady_(agent == BootMode::Preloader),
      chunksToCorrupt_(spec.corruptWriteChunks),
      // A DA started from a full-speed BROM runs at full speed until the host switches it.
      highSpeed_(agent == BootMode::Preloader || !spec.usbSpeedSwitch) {}

// ---- packets ----

Task<std::uint32_t> DaProtocol::readLength() {
  auto h = co_await io_.read(xf::kHeaderSize);
  auto header = xf::decodeHeader(h);
  if (!header) {
    spdlog::warn("da: {}", header.error().message);
    co_return 0xffffffffu;  // the caller stops: a real DA would be out of step for good
  }
  co_return header->length;
}

Task<wire::Bytes> DaProtocol::readPacket(std::size_t max) {
  const std::uint32_t len = co_await readLength();
  if (len > max) {
    spdlog::warn("da: a {}-byte packet where at most {} fit; the DA stops", len, max);
    for (;;) co_await io_.read(1);  // hang, as a DA overrunning its buffer would
  }
  co_return co_await io_.read(len);
}

Task<std::uint32_t> DaProtocol::readU32Packet() {
  auto p = co_await readPacket(kMaxParam);
  co_return p.size() >= 4 ? wire::loadLe32(p.data())
                          : (p.size() >= 2 ? wire::loadLe16(p.data()) : 0);
}

void DaProtocol::sendPacket(wire::Bytes payload) {
  auto h = xf::encodeHeader(static_cast<std::uint32_t>(payload.size()));
  io_.send(wire::Bytes(h.begin(), h.end()));
  io_.send(std::move(payload));
}

void DaProtocol::sendU32(std::uint32_t value) {
  wire::Bytes b(4);
  wire::storeLe32(b.data(), value);
  sendPacket(std::move(b));
}

bool DaProtocol::sendStatus(std::uint32_t status) {
  const std::uint32_t sent = faults_.status(FaultStage::Da, status);
  sendU32(sent);
  return sent == status;
}

// ---- session ----

Task<void> DaProtocol::run() {
  if (!faults_.at(FaultStage::Da, "START", FaultPhase::Before)) co_await io_.hang();
  io_.send8(wire::brom::kDaSyncChar);
  if (!faults_.at(FaultStage::Da, "START", FaultPhase::After)) co_await io_.hang();
  for (;;) {
    const auto p = co_await readPacket(kMaxParam);
    if (p.size() != 4) {
      spdlog::warn("da: expected a 4-byte command, got {} bytes; the DA stops", p.size());
      break;
    }
    const std::uint32_t cmd = wire::loadLe32(p.data());
    const std::string name = daCommandName(cmd);
    if (!faults_.at(FaultStage::Da, name, FaultPhase::Before)) co_await io_.hang();
    const bool carryOn = co_await command(cmd);
    if (!faults_.at(FaultStage::Da, name, FaultPhase::After)) co_await io_.hang();
    if (!carryOn) break;
  }
  for (;;) co_await io_.read(1);  // a stopped DA reads and never answers
}

Task<bool> DaProtocol::command(std::uint32_t cmd) {
  switch (cmd) {
    case xf::SYNC_SIGNAL:
      co_return true;  // no status
    case xf::CMD_SETUP_ENVIRONMENT:
      co_await readPacket(kMaxParam);  // log level, channel, OS, UFS provisioning
      sendStatus(xf::STATUS_OK);
      co_return true;
    case xf::CMD_SETUP_HW_INIT_PARAMS: {
      co_await readPacket(kMaxParam);
      if (sendStatus(xf::STATUS_OK)) sendU32(xf::SYNC_SIGNAL);
      co_return true;
    }
    case xf::CMD_DEVICE_CTRL:
      if (sendStatus(xf::STATUS_OK)) co_await deviceCtrl();
      co_return true;
    case xf::CMD_BOOT_TO:
      if (!sendStatus(xf::STATUS_OK)) co_return true;
      co_return co_await bootTo();
    case xf::CMD_INIT_EXT_RAM:
      if (sendStatus(xf::STATUS_OK)) co_await initExtRam();
      co_return true;
    case xf::CMD_READ_DATA:
    case xf::CMD_WRITE_DATA:
    case xf::CMD_FORMAT:
      if (!da2Running_) {  // storage commands are DA2's; DA1 only prepares the ground
        sendStatus(xf::STATUS_UNSUPPORTED_CMD);
        co_return true;
      }
      if (!sendStatus(xf::STATUS_OK)) co_return true;
      if (cmd == xf::CMD_READ_DATA) co_return co_await readData();
      if (cmd == xf::CMD_WRITE_DATA) co_return co_await writeData();
      co_return co_await format();
    case xf::CMD_SHUTDOWN:
      if (!sendStatus(xf::STATUS_OK)) co_return true;
      co_await shutdown();
      co_return false;
    case xf::CMD_SWITCH_USB_SPEED:
      if (!spec_.usbSpeedSwitch) {
        sendStatus(xf::STATUS_UNSUPPORTED_CMD);
        co_return true;
      }
      if (sendStatus(xf::STATUS_OK)) co_await switchUsbSpeed();
      co_return true;
    default:
      sendStatus(xf::STATUS_UNSUPPORTED_CMD);
      co_return true;
  }
}

// ---- DEVICE_CTRL ----

wire::Bytes DaProtocol::ramInfo() const {
  wire::Bytes b;
  wire::Writer w(b);
  // sram type, base, size, dram type, base, size (6 x u32)
  w.le32(0).le32(0x00100000).le32(0x00040000).le32(dramReady_ ? 1 : 0).le32(0x40000000);
  w.le32(static_cast<std::uint32_t>(std::min<std::uint64_t>(spec_.dramSize, 0xffffffffull)));
  return b;
}

// DEVICE_CTRL codes are DA operations of their own for the fault engine ("GET_EMMC_INFO").
Task<void> DaProtocol::deviceCtrl() {
  const std::uint32_t code = co_await readU32Packet();
  const std::string name = daCtrlName(code);
  if (!faults_.at(FaultStage::Da, name, FaultPhase::Before)) co_await io_.hang();
  co_await answerCtrl(code);
  if (!faults_.at(FaultStage::Da, name, FaultPhase::After)) co_await io_.hang();
}

Task<void> DaProtocol::answerCtrl(std::uint32_t code) {
  auto get = [this](wire::Bytes data) {
    if (!sendStatus(xf::STATUS_OK)) return;
    sendPacket(std::move(data));
    sendStatus(xf::STATUS_OK);
  };
  auto text = [](const char* s) { return wire::Bytes(s, s + std::char_traits<char>::length(s)); };
  const bool ufs = storage_ && storage_->kind() == StorageKind::Ufs;
  const bool emmc = storage_ && storage_->kind() == StorageKind::Emmc;
  switch (code) {
    case xf::CTRL_GET_CONNECTION_AGENT:
      get(text(agent_ == BootMode::Brom ? "brom" : "preloader"));
      co_return;
    case xf::CTRL_GET_USB_SPEED:
      get(text(highSpeed_ ? "high-speed" : "full-speed"));
      co_return;
    case xf::CTRL_GET_PACKET_LENGTH: {
      wire::Bytes b;
      wire::Writer(b).le32(spec_.writePacketLength).le32(spec_.readPacketLength);
      get(std::move(b));
      co_return;
    }
    case xf::CTRL_GET_EMMC_INFO: {
      xf::EmmcInfo i;
      if (emmc) {
        i.type = 1;
        i.blockSize = storage_->sectorSize();
        auto size = [this](const char* n) {
          auto a = storage_->areaByName(n);
          return a ? a->size : 0;
        };
        i.boot1 = size("boot1");
        i.boot2 = size("boot2");
        i.rpmb = size("rpmb");
        for (int g = 0; g < 4; ++g) i.gp[g] = size(("gp" + std::to_string(g + 1)).c_str());
        i.user = size("user");
        const char cid[] = "MTKEMU-EMMC-CID";
        std::copy(cid, cid + 15, i.cid.begin());
      }
      get(xf::encodeEmmcInfo(i));
      co_return;
    }
    case xf::CTRL_GET_UFS_INFO: {
      xf::UfsInfo i;
      if (ufs) {
        i.type = 1;
        i.blockSize = storage_->sectorSize();
        i.lu0 = storage_->areaByName("lu2")->size;  // mtkclient reads this as the user area
        i.lu1 = storage_->areaByName("lu1")->size;
        i.lu2 = storage_->areaByName("lu0")->size;
      }
      get(xf::encodeUfsInfo(i));
      co_return;
    }
    case xf::CTRL_GET_NAND_INFO: {
      // u32 type, page size, block size, spare size, u64 total, u64 available, u8 bmt, 12-byte id
      wire::Bytes b;
      wire::Writer(b).le32(0).le32(0).le32(0).le32(0).le64(0).le64(0).u8(0).zeros(12);
      get(std::move(b));
      co_return;
    }
    case xf::CTRL_GET_NOR_INFO: {
      wire::Bytes b;
      wire::Writer(b).le32(0).le32(0).le64(0);
      get(std::move(b));
      co_return;
    }
    case xf::CTRL_GET_RAM_INFO:
      get(ramInfo());
      co_return;
    case xf::CTRL_GET_CHIP_ID: {
      wire::Bytes b;
      wire::Writer(b)
          .le16(spec_.chip->hwCode)
          .le16(spec_.hwSubCode)
          .le16(spec_.hwVersion)
          .le16(spec_.swVersion)
          .le16(0);
      get(std::move(b));
      co_return;
    }
    case xf::CTRL_GET_DA_VERSION:
      get(text("MTK_DA_v5 (mtkemu)"));
      co_return;
    case xf::CTRL_SLA_ENABLED_STATUS: {
      wire::Bytes b(4, 0);
      get(std::move(b));
      co_return;
    }
    case xf::CTRL_GET_PARTITION_TBL_CATA: {
      wire::Bytes b(4);
      wire::storeLe32(b.data(), 0x64);  // GPT
      get(std::move(b));
      co_return;
    }
    case xf::CTRL_SET_CHECKSUM_LEVEL:
    case xf::CTRL_SET_RESET_KEY:
    case xf::CTRL_SET_BATTERY_OPT:
    case xf::CTRL_SET_HOST_INFO:
    case xf::CTRL_SET_META_BOOT_MODE: {
      if (!sendStatus(xf::STATUS_OK)) co_return;
      auto param = co_await readPacket(kMaxParam);
      if (code == xf::CTRL_SET_CHECKSUM_LEVEL && param.size() >= 4)
        checksumLevel_ = wire::loadLe32(param.data());
      sendStatus(xf::STATUS_OK);
      co_return;
    }
    default:
      // Unknown codes (GET_EXPIRE_DATE, mtkclient's mistyped 0x800005, CUSTOM_ACK ...): this
      // status and nothing more (mtkclient-expectations §5.6).
      sendStatus(xf::STATUS_UNSUPPORTED_CTRL_CODE);
      co_return;
  }
}

// ---- BOOT_TO, INIT_EXT_RAM ----

// BOOT_TO (§4.5): u64 address, u64 length (no status), then the image as one data packet;
// status; and once the new stage runs, a SYNC status.
Task<bool> DaProtocol::bootTo() {
  auto param = co_await readPacket(kMaxParam);
  wire::Reader r(param);
  const std::uint64_t address = r.le64();
  const std::uint64_t length = r.le64();
  const std::uint32_t len = co_await readLength();
  if (len > kMaxImage || len != length) {
    spdlog::warn("da: BOOT_TO image of {} bytes (announced {}); the DA stops", len, length);
    co_return false;
  }
  wire::Sha256 hash;
  co_await io_.in().stream(len, [&hash](wire::ByteSpan piece) { hash.update(piece); });
  if (address == kExtensionAddress) {  // mtkclient's patch: refused, as §5.3 asks
    sendStatus(xf::STATUS_INVALID_ADDRESS);
    co_return true;
  }
  if (!dramReady_) {
    // DA2 lives in DRAM. Without it the jump goes nowhere: the DA never answers again.
    spdlog::info("da: BOOT_TO 0x{:x} with DRAM down: the DA hangs", address);
    co_return false;
  }
  const auto digest = hash.finish();
  const bool carried =
      std::search(da1_.begin(), da1_.end(), digest.begin(), digest.end()) != da1_.end();
  if (faults_.takeDa2Mismatch() || (spec_.checkDa2Hash && !carried)) {
    sendStatus(xf::STATUS_DA_HASH_MISMATCH);
    co_return true;
  }
  if (!sendStatus(xf::STATUS_OK)) co_return true;
  da2Running_ = true;
  sendStatus(xf::SYNC_SIGNAL);
  co_return true;
}

// INIT_EXT_RAM (§4.5, §4.6): u32 EMI length, then the EMI blob; it must be the phone's own
// version ("MTK_BLOADER_INFO_v27...").
Task<void> DaProtocol::initExtRam() {
  const std::uint32_t len = co_await readU32Packet();
  auto emi = co_await readPacket(kMaxParam);
  const std::string prefix = "MTK_BLOADER_INFO_";
  const std::string text(emi.begin(), emi.begin() + std::min<std::size_t>(emi.size(), 64));
  if (emi.size() != len || text.rfind(prefix, 0) != 0) {
    sendStatus(xf::STATUS_EMI_SETTING_VERSION_ERR);  // not EMI settings at all
    co_return;
  }
  const std::string version = text.substr(prefix.size(), spec_.emiVersion.size());
  // (spec.dramInitFails is a fault rule that refuses every INIT_EXT_RAM.)
  if (version != spec_.emiVersion || faults_.takeDramRefusal()) {
    sendStatus(xf::STATUS_EXT_RAM_EXCEPTION);
    co_return;
  }
  dramReady_ = true;
  sendStatus(xf::STATUS_OK);
}

// ---- storage ----

std::uint32_t DaProtocol::checkAccess(const xf::StorageParam& p) const {
  if (!storage_ || storage_->kind() == StorageKind::Nand || storage_->kind() == StorageKind::None) {
    return xf::STATUS_NAND_ERR;
  }
  const std::uint32_t want =
      storage_->kind() == StorageKind::Ufs ? xf::STORAGE_UFS : xf::STORAGE_EMMC;
  if (p.storage != want) return xf::STATUS_ERR;
  const StorageArea* a = storage_->area(p.partType);
  if (!a) return xf::STATUS_PARTITION_NOT_FOUND;
  if (p.address > a->size || p.length > a->size - p.address) return xf::STATUS_INVALID_ADDRESS;
  return xf::STATUS_OK;
}

// READ_DATA, WRITE_DATA and FORMAT start alike: the 56-byte parameter block and a status
// that accepts or refuses the range. A block that does not decode stops the DA.
Task<DaProtocol::Access> DaProtocol::acceptStorageParam() {
  auto param = xf::decodeStorageParam(co_await readPacket(kMaxParam));
  if (!param) co_return Access{true, std::nullopt};
  const std::uint32_t check = checkAccess(*param);
  if (!sendStatus(check) || check != xf::STATUS_OK) co_return Access{false, std::nullopt};
  co_return Access{false, *param};
}

// READ_DATA (mtkclient-expectations §5.10): param; two statuses; data packets of at most the
// read packet length, each acknowledged by the host; a final status.
Task<bool> DaProtocol::readData() {
  const Access a = co_await acceptStorageParam();
  if (!a.param) co_return !a.protocolError;
  const auto param = a.param;
  if (!sendStatus(xf::STATUS_OK)) co_return true;
  std::uint64_t offset = param->address;
  std::uint64_t left = param->length;
  while (left > 0) {
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(left, spec_.readPacketLength));
    wire::Bytes chunk(n);
    if (auto s = storage_->read(param->partType, offset, chunk); !s) {
      spdlog::warn("da: {}", s.error().message);
      sendStatus(storage_->kind() == StorageKind::Ufs ? xf::STATUS_UFS_ERR : xf::STATUS_MMC_ERR);
      co_return true;
    }
    sendPacket(std::move(chunk));
    co_await readU32Packet();  // the host's ack
    offset += n;
    left -= n;
  }
  sendStatus(xf::STATUS_OK);
  co_return true;
}

// WRITE_DATA (§5.11): param; status; per chunk: u32 0, u32 checksum, data; a status per chunk
// (checked against the 16-bit byte sum when the checksum level asks for it); a final status.
Task<bool> DaProtocol::writeData() {
  const Access a = co_await acceptStorageParam();
  if (!a.param) co_return !a.protocolError;
  const auto param = a.param;
  std::uint64_t offset = param->address;
  std::uint64_t left = param->length;
  wire::Bytes chunk;
  while (left > 0) {
    co_await readU32Packet();                             // 0
    std::uint32_t expected = co_await readU32Packet();    // checksum
    if (faults_.takeChecksumFault()) expected ^= 0x0001;  // damaged on its way to the DA
    const std::uint32_t len = co_await readLength();
    if (len > spec_.writePacketLength || len > left || len == 0) {
      spdlog::warn("da: WRITE_DATA chunk of {} bytes ({} left, packet length {}); the DA stops",
                   len, left, spec_.writePacketLength);
      co_return false;
    }
    chunk.clear();
    chunk.reserve(len);
    xf::Sum16 sum;
    co_await io_.in().stream(len, [&](wire::ByteSpan piece) {
      sum.update(piece);
      chunk.insert(chunk.end(), piece.begin(), piece.end());
    });
    if (chunksToCorrupt_ > 0 && !chunk.empty()) {  // a fault: the cable damaged this chunk
      --chunksToCorrupt_;
      chunk[chunk.size() / 2] ^= 0x01;
      sum = xf::Sum16();
      sum.update(chunk);
    }
    if (checksumLevel_ != 0 && sum.value() != static_cast<std::uint16_t>(expected)) {
      sendStatus(xf::STATUS_CHECKSUM_ERR);  // nothing of this chunk is written
      co_return true;
    }
    const auto written = storage_->write(param->partType, offset, chunk);
    if (!faults_.powerHolds()) co_await io_.hang();  // a power cut: the phone is off
    if (!written) {
      spdlog::warn("da: {}", written.error().message);
      sendStatus(storage_->kind() == StorageKind::Ufs ? xf::STATUS_UFS_ERR : xf::STATUS_MMC_ERR);
      co_return true;
    }
    if (!sendStatus(xf::STATUS_OK)) co_return true;
    offset += len;
    left -= len;
  }
  sendStatus(xf::STATUS_OK);
  co_return true;
}

// FORMAT (§5.12): param; status; for large ranges a CONTINUE with a wait in ms the host acks;
// then COMPLETE. Erasing punches holes, so even a whole user area answers at once.
Task<bool> DaProtocol::format() {
  const Access a = co_await acceptStorageParam();
  if (!a.param) co_return !a.protocolError;
  const auto param = a.param;
  if (param->length >= kFormatProgressBytes) {
    if (!sendStatus(xf::STATUS_CONTINUE)) co_return true;
    sendU32(0);                // milliseconds to wait
    co_await readU32Packet();  // the host's ack
  }
  const auto erased = storage_->erase(param->partType, param->address, param->length);
  if (!faults_.powerHolds()) co_await io_.hang();
  if (!erased) {
    spdlog::warn("da: {}", erased.error().message);
    sendStatus(xf::STATUS_MMC_ERR);
    co_return true;
  }
  sendStatus(xf::STATUS_COMPLETE);
  co_return true;
}

// SWITCH_USB_SPEED (§4.5): u32 0x0E8D2001; a status; then the phone re-enumerates as
// 0e8d:2001 at high speed and the DA carries on there.
Task<void> DaProtocol::switchUsbSpeed() {
  const std::uint32_t target = co_await readU32Packet();
  if (target != 0x0e8d2001) {
    sendStatus(xf::STATUS_ERR);
    co_return;
  }
  if (!sendStatus(xf::STATUS_OK)) co_return;
  highSpeed_ = true;
  if (events_.switchSpeed) events_.switchSpeed();
}

// SHUTDOWN (§4.5): 32 bytes of flags; a status; then the phone leaves USB.
Task<void> DaProtocol::shutdown() {
  auto param = co_await readPacket(kMaxParam);
  // has_flags, enable_wdt, async, boot_mode, ... (mtk-protocols.md §4.5): without flags the DA
  // resets the phone (a reboot); flags without the watchdog leave it powered off.
  const std::uint32_t hasFlags = param.size() >= 4 ? wire::loadLe32(param.data()) : 0;
  const std::uint32_t enableWdt = param.size() >= 8 ? wire::loadLe32(param.data() + 4) : 0;
  const std::uint32_t bootMode = param.size() >= 16 ? wire::loadLe32(param.data() + 12) : 0;
  if (sendStatus(xf::STATUS_OK) && events_.shutdown)
    events_.shutdown(bootMode, hasFlags != 0 && enableWdt == 0);
}

}  // namespace mtk::emu
