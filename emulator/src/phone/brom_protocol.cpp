#include "mtk/emu/phone/brom_protocol.hpp"

#include <algorithm>
#include <optional>

#include "fault_runtime.hpp"
#include "mtk/wire/brom.hpp"
#include "mtk/wire/sha256.hpp"

namespace mtk::emu {

namespace brom = wire::brom;

BromProtocol::BromProtocol(BootMode mode, const PhoneSpec& spec, DeviceIo& io,
                           RegisterSpace& registers, FaultRuntime& faults, Started onStarted)
    : mode_(mode),
      spec_(spec),
      io_(io),
      regs_(registers),
      faults_(faults),
      onStarted_(std::move(onStarted)) {}

Task<void> BromProtocol::run() {
  co_await handshake();
  for (;;) {
    const std::uint8_t cmd = co_await io_.u8();
    const std::string name = bromCommandName(cmd);
    if (!faults_.at(FaultStage::Brom, name, FaultPhase::Before)) co_await io_.hang();
    const bool jumped = co_await command(cmd);
    if (!faults_.at(FaultStage::Brom, name, FaultPhase::After)) co_await io_.hang();
    if (jumped) co_return;
  }
}

bool BromProtocol::answer(std::uint16_t status) {
  const auto sent = static_cast<std::uint16_t>(faults_.status(FaultStage::Brom, status));
  io_.sendBe16(sent);
  return sent == status;
}

std::uint16_t BromProtocol::checksum(std::uint16_t sum) {
  return faults_.takeChecksumFault() ? static_cast<std::uint16_t>(sum ^ 0x0001) : sum;
}

// Start command, byte by byte (§2.2). Per byte: the expected one is answered with its
// complement; anything else with byte+1, and the sequence starts over. The preloader first
// swallows one 0xA0 without answering: that is what switches it from listening to handshaking,
// and why hosts send one extra 0xA0 to a preloader. Newer preloaders (GET_BL_VER > 2) also
// take a repeated 0xA0 in mid-sequence as a restart at the second byte, without answering.
Task<void> BromProtocol::handshake() {
  std::optional<std::uint8_t> pending;
  if (mode_ == BootMode::Preloader) {
    while (co_await io_.u8() != brom::kStartCommand[0]) {
    }
  } else {
    pending = co_await io_.u8();
  }
  if (!faults_.at(FaultStage::Brom, "HANDSHAKE", FaultPhase::Before)) co_await io_.hang();
  // A handshake has begun: the preloader no longer boots on, nor prints READY.
  if (onStarted_) onStarted_();
  const bool newPreloader = mode_ == BootMode::Preloader && spec_.preloaderVersion > 2;
  std::size_t i = 0;
  while (i < brom::kStartCommand.size()) {
    std::uint8_t b;
    if (pending) {
      b = *pending;
      pending.reset();
    } else {
      b = co_await io_.u8();
    }
    if (b == brom::kStartCommand[i]) {
      io_.send8(brom::startReply(b));
      ++i;
    } else if (newPreloader && i > 0 && b == brom::kStartCommand[0]) {
      i = 1;
    } else {
      io_.send8(static_cast<std::uint8_t>(b + 1));
      i = 0;
    }
  }
  if (!faults_.at(FaultStage::Brom, "HANDSHAKE", FaultPhase::After)) co_await io_.hang();
}

Task<std::uint32_t> BromProtocol::echoU32() {
  const std::uint32_t v = co_await io_.be32();
  io_.sendBe32(v);
  co_return v;
}

Task<bool> BromProtocol::command(std::uint8_t cmd) {
  const bool isBrom = mode_ == BootMode::Brom;
  const bool hasIds = isBrom || spec_.preloaderVersion > 2;
  // GET_BL_VER and GET_VERSION answer instead of echoing; every other command is echoed first.
  if (cmd == brom::GET_BL_VER) {
    io_.send8(isBrom ? brom::GET_BL_VER : spec_.preloaderVersion);
    co_return false;
  }
  if (cmd == brom::GET_VERSION) {
    io_.send8(isBrom ? spec_.bromVersion : brom::GET_VERSION);
    co_return false;
  }
  io_.send8(cmd);
  switch (cmd) {
    case brom::GET_HW_CODE:
      io_.sendBe16(spec_.chip->hwCode);
      answer(brom::STATUS_OK);
      break;
    case brom::GET_HW_SW_VER:
      io_.sendBe16(spec_.hwSubCode);
      io_.sendBe16(spec_.hwVersion);
      io_.sendBe16(spec_.swVersion);
      answer(brom::STATUS_OK);
      break;
    case brom::GET_TARGET_CONFIG:
      io_.sendBe32(spec_.targetConfig);
      answer(brom::STATUS_OK);
      break;
    case brom::GET_PL_CAP:
      if (isBrom) break;                                     // a BROM does not know it: echo only
      io_.sendBe32(spec_.preloaderVersion > 2 ? 0x7 : 0x0);  // XFLASH | MEID | SOCID
      io_.sendBe32(0);
      break;
    case brom::GET_ME_ID:
      if (!hasIds) break;
      io_.sendBe32(static_cast<std::uint32_t>(spec_.meId.size()));
      io_.send(wire::Bytes(spec_.meId.begin(), spec_.meId.end()));
      answer(brom::STATUS_OK);
      break;
    case brom::GET_SOC_ID:
      if (!hasIds) break;
      io_.sendBe32(static_cast<std::uint32_t>(spec_.socId.size()));
      io_.send(wire::Bytes(spec_.socId.begin(), spec_.socId.end()));
      answer(brom::STATUS_OK);
      break;
    case brom::READ32:
    case brom::READ16:
      co_await readRegisters(cmd == brom::READ32);
      break;
    case brom::WRITE32:
    case brom::WRITE16:
    case brom::WRITE16_LEGACY:
    case brom::WRITE16_NO_ECHO:
      co_await writeRegisters(cmd == brom::WRITE32, cmd != brom::WRITE16_NO_ECHO);
      break;
    case brom::UART1_LOG_EN:
      answer(brom::STATUS_OK);
      break;
    case brom::SEND_DA:
      co_await sendDa();
      break;
    case brom::JUMP_DA:
      co_return co_await jumpDa();
    case brom::SEND_CERT: {
      if (!isBrom) break;
      const std::uint32_t len = co_await echoU32();
      if (answer(len ? brom::STATUS_OK : brom::STATUS_LENGTH_ZERO) && len && len <= kMaxDaBytes)
        co_await upload(len);
      break;
    }
    case brom::SEND_AUTH: {
      if (!isBrom) break;
      const std::uint32_t len = co_await echoU32();
      if (!(spec_.targetConfig & brom::CFG_DAA)) {
        answer(brom::STATUS_NO_AUTH_NEEDED);
        break;
      }
      if (answer(len ? brom::STATUS_OK : brom::STATUS_LENGTH_ZERO) && len && len <= kMaxDaBytes)
        co_await upload(len);
      break;
    }
    default:
      break;  // unknown: echoed and ignored, as the preloader does
  }
  co_return false;
}

// READ/WRITE16/32 start alike: echo address and count, then a status that refuses a
// misaligned address or a zero count. Empty when refused.
Task<std::optional<BromProtocol::Range>> BromProtocol::acceptRange(bool wide) {
  const std::uint32_t address = co_await echoU32();
  const std::uint32_t count = co_await echoU32();
  std::uint16_t status = brom::STATUS_OK;
  if (address % (wide ? 4 : 2)) {
    status = brom::STATUS_RW_MISALIGNED;
  } else if (count == 0) {
    status = brom::STATUS_RW_ZERO_COUNT;
  }
  if (!answer(status) || status != brom::STATUS_OK) co_return std::nullopt;
  co_return Range{address, count};
}

Task<void> BromProtocol::readRegisters(bool wide) {
  const auto range = co_await acceptRange(wide);
  if (!range) co_return;
  const auto [address, count] = *range;
  for (std::uint32_t i = 0; i < count; ++i) {
    co_await io_.drained();  // a huge count must not queue gigabytes: go at the host's pace
    const std::uint32_t a = address + i * (wide ? 4 : 2);
    if (wide) {
      io_.sendBe32(regs_.read32(a));
    } else {
      io_.sendBe16(regs_.read16(a));
    }
  }
  answer(brom::STATUS_OK);
}

Task<void> BromProtocol::writeRegisters(bool wide, bool echoValues) {
  const auto range = co_await acceptRange(wide);
  if (!range) co_return;
  const auto [address, count] = *range;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint32_t a = address + i * (wide ? 4 : 2);
    if (wide) {
      const std::uint32_t v = co_await io_.be32();
      if (echoValues) io_.sendBe32(v);
      regs_.write32(a, v);
    } else {
      const std::uint16_t v = co_await io_.be16();
      if (echoValues) io_.sendBe16(v);
      regs_.write16(a, v);
    }
  }
  answer(brom::STATUS_OK);
}

std::uint16_t BromProtocol::sendDaStatus(std::uint32_t address, std::uint32_t length,
                                         std::uint32_t sigLen) const {
  const bool daa = spec_.targetConfig & brom::CFG_DAA;
  if (mode_ == BootMode::Brom && (spec_.targetConfig & brom::CFG_SLA) && !slaPassed_) {
    return brom::STATUS_SLA_REQUIRED;
  }
  if (length == 0) return brom::STATUS_LENGTH_ZERO;
  if (sigLen > length) return brom::STATUS_SIG_LONGER_THAN_DA;
  if (daa && sigLen == 0) return brom::STATUS_SIG_MISSING_WITH_DAA;
  if (address & 1) return brom::STATUS_ADDRESS_NOT_ALIGNED;
  if (address < 0x1000 || length > kMaxDaBytes || std::uint64_t{address} + length > 0xffffffffull) {
    return brom::STATUS_INVALID_ADDRESS;
  }
  return brom::STATUS_OK;
}

bool BromProtocol::daAccepted() const {
  const std::string digest = wire::Sha256::hex(wire::Sha256::of(da_));
  return std::find(spec_.acceptedDaSha256.begin(), spec_.acceptedDaSha256.end(), digest) !=
         spec_.acceptedDaSha256.end();
}

// SEND_DA (§2.3, §2.5): echo address, length and signature length; status; exactly `length`
// raw bytes (ZLPs never reach the pipe); the XOR16 checksum of what arrived; a second status.
Task<void> BromProtocol::sendDa() {
  const std::uint32_t address = co_await echoU32();
  const std::uint32_t length = co_await echoU32();
  const std::uint32_t sigLen = co_await echoU32();
  const std::uint16_t status = sendDaStatus(address, length, sigLen);
  if (!answer(status) || status != brom::STATUS_OK) co_return;

  daLoaded_ = false;
  da_.clear();
  da_.reserve(length);
  co_await io_.in().stream(
      length, [this](wire::ByteSpan piece) { da_.insert(da_.end(), piece.begin(), piece.end()); });
  if (spec_.corruptUploadAt && *spec_.corruptUploadAt < da_.size()) {
    da_[*spec_.corruptUploadAt] ^= 0x5a;  // as if a byte was damaged on the cable
  }
  io_.sendBe16(checksum(brom::xor16(da_)));
  if ((spec_.targetConfig & brom::CFG_DAA) && !daAccepted()) {
    if (mode_ == BootMode::Preloader) {
      // The preloader wipes the DA and asserts: it never answers again.
      da_.clear();
      for (;;) co_await io_.read(1);
    }
    answer(brom::STATUS_DAA_SIG_VERIFY_FAILED);
    da_.clear();
    co_return;
  }
  if (!answer(brom::STATUS_OK)) {  // a fault refused it: the DA is not there to jump to
    da_.clear();
    co_return;
  }
  daLoaded_ = true;
  daAddress_ = address;
  daSigLen_ = sigLen;
}

Task<bool> BromProtocol::jumpDa() {
  const std::uint32_t address = co_await echoU32();
  std::uint16_t status = brom::STATUS_OK;
  if (!daLoaded_) {
    status = brom::STATUS_DA_NOT_EXIST;
  } else if (address != daAddress_) {
    status = brom::STATUS_INVALID_JUMP_ADDRESS;
  }
  co_return answer(status) && status == brom::STATUS_OK;
}

Task<void> BromProtocol::upload(std::uint32_t length) {
  brom::Xor16 sum;
  co_await io_.in().stream(length, [&sum](wire::ByteSpan piece) { sum.update(piece); });
  io_.sendBe16(checksum(sum.value()));
  answer(brom::STATUS_OK);
}

}  // namespace mtk::emu
