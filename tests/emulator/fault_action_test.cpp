// The fault engine's actions on a virtual phone, one or more tests each, driven byte by byte
// through the in-process link as da_golden_test.cpp does. The bytes expected are written out by
// hand (statuses little-endian for the DA, big-endian for BROM), from mtk-protocols.md §2, §4.3
// and §8. The one-off knobs that are now fault rules (da_silent, dram_init_fails) and the one
// that is not (power_cut_after) are checked to behave as before.

#include <string>
#include <vector>

#include "da_golden_fixture.hpp"
#include "mtk/emu/phone/fault.hpp"

namespace mtk::emu {
namespace {

using namespace da_golden;
using K = FaultAction::Kind;
using std::chrono::milliseconds;

FaultTrigger bromCmd(const char* name) {
  return {.kind = FaultTrigger::Kind::BromCommand, .command = name};
}
FaultTrigger daCmd(const char* name) {
  return {.kind = FaultTrigger::Kind::DaCommand, .command = name};
}

const Bytes kCmdInitExtRam = {0x0a, 0x00, 0x01, 0x00};    // 0x01000A
const Bytes kExtRamException = {0x05, 0x00, 0x05, 0xc0};  // 0xC0050005
const Bytes kMmcError = {0x30, 0x00, 0x04, 0xc0};         // 0xC0040030

class FaultActions : public DaGolden {
 protected:
  void rule(FaultTrigger t, FaultAction a, unsigned times = 1) {
    spec_.faults.push_back(FaultRule{std::move(t), std::move(a), times, ""});
  }
  void expectGone(const std::string& what) {
    if (HasFatalFailure()) return;
    Bytes buf(64);
    auto n = link_->bulkIn(kDataIn, buf, kIo);
    ASSERT_FALSE(n) << what << ": got " << hex(wire::ByteSpan(buf.data(), *n));
    ASSERT_TRUE(flasher::isDisconnect(n.error())) << what << ": " << n.error().describe();
  }
  void reattach() {
    link_.reset();
    auto link = inproc::InProcessLink::attach(bus_, busid_);
    ASSERT_TRUE(link) << link.error().describe();
    link_ = std::move(*link);
    ASSERT_TRUE(link_->setConfiguration(1));
  }
  void getHwCode(const Bytes& code = {0x07, 0x66}, const Bytes& status = {0x00, 0x00}) {
    exchange(0xfd, 0xfd, "GET_HW_CODE echo");
    expect(code, "hw code");
    expect(status, "GET_HW_CODE status");
  }
  // SEND_DA's command and parameters in BROM mode (address 0x200000, no signature).
  void sendDaHeader(std::size_t length, const Bytes& status1 = {0x00, 0x00}) {
    const Bytes len = {static_cast<std::uint8_t>(length >> 24),
                       static_cast<std::uint8_t>(length >> 16),
                       static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)};
    exchange(0xd7, 0xd7, "SEND_DA echo");
    send({0x00, 0x20, 0x00, 0x00});
    expect({0x00, 0x20, 0x00, 0x00}, "address echo");
    send(len);
    expect(len, "length echo");
    send({0x00, 0x00, 0x00, 0x00});
    expect({0x00, 0x00, 0x00, 0x00}, "signature length echo");
    expect(status1, "status1");
  }
  void uploadDa(const Bytes& da) {
    for (std::size_t off = 0; off < da.size(); off += 0x400)
      send(slice(da, off, std::min<std::size_t>(0x400, da.size() - off)));
  }
  void jumpDa() {
    send({0xd5});
    send({0x00, 0x20, 0x00, 0x00});
    expect({0xd5}, "JUMP_DA echo");
    expect({0x00, 0x20, 0x00, 0x00}, "address echo");
    expect({0x00, 0x00}, "JUMP_DA status");
  }
  // INIT_EXT_RAM with the phone's own EMI version (§4.6): command, length, blob, status.
  void initExtRam(const Bytes& status) {
    std::string text = "MTK_BLOADER_INFO_v27";
    Bytes emi(text.begin(), text.end());
    emi.resize(0x100, 0x00);
    sendPacket(kCmdInitExtRam);
    expectStatus(kSt0, "INIT_EXT_RAM status");
    sendPacket(le32(static_cast<std::uint32_t>(emi.size())));
    sendPacket(emi);
    expectStatus(status, "INIT_EXT_RAM result");
  }
  std::vector<std::string> firedNames() {
    std::vector<std::string> out;
    for (const auto& f : phone_->faultLog()) out.push_back(f.name + ": " + f.action);
    return out;
  }
};

// ---- unplug, silent, delay ----

TEST_F(FaultActions, UnplugThenAPlugStartsOver) {
  rule(daCmd("BOOT_TO"), {.kind = K::Unplug});
  ASSERT_NO_FATAL_FAILURE(toDa(false));
  ASSERT_NO_FATAL_FAILURE(sessionSetup());
  sendPacket(kCmdBootTo);
  expectGone("BOOT_TO: the cable is pulled");
  EXPECT_EQ(phone_->state(), PhoneState::Off);
  EXPECT_TRUE(bus_.list().empty());
  phone_->plugCable(false);
  ASSERT_NO_FATAL_FAILURE(reattach());
  handshake(false);  // a fresh preloader (the rule fired its one time)
}

TEST_F(FaultActions, UnplugWaitsAtMost100MsForTheHostToReadWhatWasSent) {
  rule({.kind = FaultTrigger::Kind::BromCommand,
        .command = "GET_HW_CODE",
        .phase = FaultPhase::After},
       {.kind = K::Unplug});
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  send({0xfd});  // its answers are queued; the host does not read them
  bus_.tick();
  EXPECT_EQ(bus_.list().size(), 1u) << "left with its answers unread";
  clock_.advance(milliseconds(99));
  bus_.tick();
  EXPECT_EQ(bus_.list().size(), 1u);
  clock_.advance(milliseconds(1));
  bus_.tick();
  EXPECT_TRUE(bus_.list().empty());
}

TEST_F(FaultActions, SilentStaysOnTheBusAndSwallowsWhatItGets) {
  rule(daCmd("READ_DATA"), {.kind = K::Silent});
  ASSERT_NO_FATAL_FAILURE(toDa2());
  sendPacket(kCmdReadData);
  expectSilence("READ_DATA: no status");
  sendPacket(storageParam(0, 0x200));  // taken and ignored: the host sees no error sending
  expectSilence("still nothing");
  EXPECT_EQ(bus_.list().size(), 1u);
  EXPECT_EQ(phone_->state(), PhoneState::Da);
}

TEST_F(FaultActions, DaSilentKnobIsASilentDa) {
  spec_.daSilent = true;
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  const Bytes da1 = makeDa1(makeDa2());
  sendDaHeader(da1.size());
  uploadDa(da1);
  expect({0x55, 0xb2}, "checksum");
  expect({0x00, 0x00}, "status2");
  jumpDa();
  expectSilence("no 0xC0 from a silent DA");
  sendPacket(kCmdDeviceCtrl);
  expectSilence("and no answer to anything");
  EXPECT_EQ(firedNames(), std::vector<std::string>{"da_silent: silent"});
}

TEST_F(FaultActions, DelayFreezesThePhoneOnTheBusClock) {
  rule(bromCmd("GET_HW_CODE"), {.kind = K::Delay, .delay = milliseconds(300)});
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  send({0xfd});
  expectSilence("frozen: no echo yet");
  // OUT is refused while frozen (the device NAKs): the host's write times out.
  auto n = link_->bulkOut(kDataOut, Bytes{0xfd}, kSilence);
  ASSERT_FALSE(n);
  EXPECT_TRUE(flasher::isTimeout(n.error())) << n.error().describe();
  clock_.advance(milliseconds(299));
  bus_.tick();
  expectSilence("still frozen at 299 ms");
  clock_.advance(milliseconds(1));
  bus_.tick();
  expect({0xfd}, "the echo, 300 ms late");
  expect({0x07, 0x66}, "hw code");
  expect({0x00, 0x00}, "status");
  getHwCode();  // no longer frozen
}

// ---- status ----

TEST_F(FaultActions, BromStatusReplacesSendDaStatus1AndEndsTheCommand) {
  rule(bromCmd("SEND_DA"), {.kind = K::Status, .status = 0x1d0d});
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  sendDaHeader(0x2000, {0x1d, 0x0d});  // SLA required, as a phone with SLA answers
  getHwCode();                         // no data expected: the next byte is a command
}

TEST_F(FaultActions, DaStatusRefusesTheCommand) {
  rule(daCmd("WRITE_DATA"), {.kind = K::Status, .status = 0xc0040030});
  ASSERT_NO_FATAL_FAILURE(toDa2());
  sendPacket(kCmdWriteData);
  expectStatus(kMmcError, "WRITE_DATA answered STATUS_MMC_ERR");
  expectSilence("nothing more: the command ended");
  getPacketLength();  // back at the command loop
  const Bytes data = lcgPayload(0x200, 4);
  writeData(0x1000, data, 0x200, "the next WRITE_DATA works");
}

TEST_F(FaultActions, DaStatusOnADeviceCtrlCode) {
  rule(daCmd("GET_PACKET_LENGTH"), {.kind = K::Status, .status = 0xc0010004});
  ASSERT_NO_FATAL_FAILURE(toDa(false));
  ASSERT_NO_FATAL_FAILURE(sessionSetup());
  sendPacket(kCmdDeviceCtrl);
  expectStatus(kSt0, "DEVICE_CTRL status");
  sendPacket(kCtrlGetPacketLength);
  expectStatus(kUnsupportedCtrl, "GET_PACKET_LENGTH answered 0xC0010004");
  expectSilence("no data after it");
  getPacketLength();
}

// ---- corrupt a byte, corrupt a checksum ----

TEST_F(FaultActions, CorruptByteOutDamagesTheUploadedDa) {
  // After SEND_DA's command byte: 12 parameter bytes, then the data; damage data byte 5.
  rule(bromCmd("SEND_DA"), {.kind = K::CorruptByte, .byteIndex = 12 + 5, .mask = 0x5a});
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  Bytes da = lcgPayload(0x300, 3);
  ASSERT_EQ(ownXor16(da), 0x0fec);
  sendDaHeader(da.size());
  uploadDa(da);
  da[5] ^= 0x5a;
  const std::uint16_t damaged = ownXor16(da);
  expect({static_cast<std::uint8_t>(damaged >> 8), static_cast<std::uint8_t>(damaged)},
         "the checksum of what arrived, damaged byte included");
  expect({0x00, 0x00}, "status2 (the phone cannot know)");
}

TEST_F(FaultActions, CorruptByteInDamagesTheAnswer) {
  rule(bromCmd("GET_HW_CODE"),
       {.kind = K::CorruptByte, .byteIndex = 1, .direction = FaultDirection::In, .mask = 0xff});
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  getHwCode({0xf8, 0x66});  // byte 0 is the echo; byte 1, 0x07, arrives as 0xF8
  getHwCode();              // once
}

TEST_F(FaultActions, CorruptByteAfterWriteDataLandsWhenNobodyChecks) {
  // After WRITE_DATA's command: parameter 12+56, u32 0 and checksum 2x16, data header 12.
  rule(daCmd("WRITE_DATA"), {.kind = K::CorruptByte, .byteIndex = 112 + 0x10, .mask = 0x01});
  ASSERT_NO_FATAL_FAILURE(toDa2());  // checksum level 0, as mtkclient sets it
  const Bytes data = lcgPayload(0x400, 0x99);
  writeData(0x300000, data, 0x400, "WRITE_DATA");
  Bytes expected = data;
  expected[0x10] ^= 0x01;
  EXPECT_EQ(storageRead(0x300000, 0x400), expected);
}

TEST_F(FaultActions, CorruptChecksumOfSendDa) {
  rule(bromCmd("SEND_DA"), {.kind = K::CorruptChecksum});
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  const Bytes da = lcgPayload(0x300, 3);
  sendDaHeader(da.size());
  uploadDa(da);
  expect({0x0f, 0xed}, "0x0FEC damaged on its way (bit 0)");
  expect({0x00, 0x00}, "status2");
}

TEST_F(FaultActions, CorruptChecksumOfAWriteChunkWithChecksumsOn) {
  rule(daCmd("WRITE_DATA"), {.kind = K::CorruptChecksum});
  ASSERT_NO_FATAL_FAILURE(toDa2());
  ctrlSet(kCtrlSetChecksumLevel, {0x01, 0x00, 0x00, 0x00}, "SET_CHECKSUM_LEVEL 1");
  const Bytes data = lcgPayload(0x200, 0x31);
  sendPacket(kCmdWriteData);
  expectStatus(kSt0, "WRITE_DATA status");
  sendPacket(storageParam(0x400000, 0x200));
  expectStatus(kSt0, "param status");
  sendPacket({0x00, 0x00, 0x00, 0x00});
  sendPacket(le32(ownSum16(data)));
  sendPacket(data);
  expectStatus(kChecksumError, "the damaged checksum does not match: 0xC0040003");
  EXPECT_EQ(storageRead(0x400000, 0x200), Bytes(0x200, 0)) << "nothing written";
}

// ---- storage write error, power cut ----

TEST_F(FaultActions, StorageErrorAtAnAddressFailsTheChunkOverIt) {
  rule(daCmd("WRITE_DATA"), {.kind = K::StorageError, .address = 0x100200});
  ASSERT_NO_FATAL_FAILURE(toDa2());
  const Bytes data = lcgPayload(0x400, 0x42);
  sendPacket(kCmdWriteData);
  expectStatus(kSt0, "WRITE_DATA status");
  sendPacket(storageParam(0x100000, 0x400));
  expectStatus(kSt0, "param status");
  for (std::size_t off = 0; off < 0x400; off += 0x200) {
    const Bytes chunk = slice(data, off, 0x200);
    sendPacket({0x00, 0x00, 0x00, 0x00});
    sendPacket(le32(ownSum16(chunk)));
    sendPacket(chunk);
    expectStatus(off == 0 ? kSt0 : kMmcError, "chunk at +" + std::to_string(off));
  }
  EXPECT_EQ(storageRead(0x100000, 0x200), slice(data, 0, 0x200)) << "the first chunk landed";
  EXPECT_EQ(storageRead(0x100200, 0x200), Bytes(0x200, 0)) << "the failed one did not";
  getPacketLength();
  writeData(0x100200, slice(data, 0x200, 0x200), 0x200, "once: the same address works again");
}

TEST_F(FaultActions, PowerCutTearsTheWriteAndThePhoneGoesOff) {
  rule(daCmd("WRITE_DATA"), {.kind = K::PowerCut, .landBytes = 0x100});
  ASSERT_NO_FATAL_FAILURE(toDa2());
  const Bytes data = lcgPayload(0x400, 0x13);
  sendPacket(kCmdWriteData);
  expectStatus(kSt0, "WRITE_DATA status");
  sendPacket(storageParam(0x500000, 0x400));
  expectStatus(kSt0, "param status");
  sendPacket({0x00, 0x00, 0x00, 0x00});
  sendPacket(le32(ownSum16(data)));
  sendPacket(data);
  expectGone("the power failed during the write");
  EXPECT_EQ(phone_->state(), PhoneState::Off);
  Bytes torn = data;
  std::fill(torn.begin() + 0x100, torn.end(), 0x00);
  EXPECT_EQ(storageRead(0x500000, 0x400), torn) << "the first 0x100 bytes landed, no more";
  phone_->plugCable(false);
  EXPECT_FALSE(phone_->storage()->powerCut()) << "power is back after a power-on";
  EXPECT_TRUE(phone_->storage()->write(kUser, 0x500000, data));
}

TEST_F(FaultActions, PowerCutLandsOneSectorByDefault) {
  rule(daCmd("WRITE_DATA"), {.kind = K::PowerCut});
  ASSERT_NO_FATAL_FAILURE(toDa2());
  const Bytes data = lcgPayload(0x800, 0x14);
  sendPacket(kCmdWriteData);
  expectStatus(kSt0, "WRITE_DATA status");
  sendPacket(storageParam(0x600000, 0x800));
  expectStatus(kSt0, "param status");
  sendPacket({0x00, 0x00, 0x00, 0x00});
  sendPacket(le32(ownSum16(data)));
  sendPacket(data);
  expectGone("the power failed");
  Bytes torn = data;
  std::fill(torn.begin() + 0x200, torn.end(), 0x00);
  EXPECT_EQ(storageRead(0x600000, 0x800), torn);
}

TEST_F(FaultActions, PowerCutAfterKnobStillAnswersMmcError) {
  spec_.powerCutAfter = 0x100;  // not a fault rule: the storage dies, the phone stays
  ASSERT_NO_FATAL_FAILURE(toDa2());
  const Bytes data = lcgPayload(0x400, 0x15);
  sendPacket(kCmdWriteData);
  expectStatus(kSt0, "WRITE_DATA status");
  sendPacket(storageParam(0x700000, 0x400));
  expectStatus(kSt0, "param status");
  sendPacket({0x00, 0x00, 0x00, 0x00});
  sendPacket(le32(ownSum16(data)));
  sendPacket(data);
  expectStatus(kMmcError, "STATUS_MMC_ERR");
  EXPECT_EQ(bus_.list().size(), 1u);
}

// ---- a flapping cable ----

TEST_F(FaultActions, FlapUnplugsAndReplugsOnTheBusClock) {
  rule(bromCmd("GET_HW_CODE"), {.kind = K::Flap, .delay = milliseconds(100), .cycles = 2});
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  send({0xfd});
  expectGone("the first drop");
  link_.reset();
  const std::size_t expected[] = {1, 0, 1, 1};  // replug, drop, replug, stays
  for (std::size_t want : expected) {
    clock_.advance(milliseconds(100));
    bus_.tick();
    EXPECT_EQ(bus_.list().size(), want);
  }
  ASSERT_NO_FATAL_FAILURE(reattach());
  handshake(true);  // it came back as it went: in BROM mode
  getHwCode();
  const auto lines = phone_->recentExchanges();
  EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                          [](const std::string& l) {
                            return l.find("-- cable plugged back in (flap)") != std::string::npos;
                          }),
            2);
}

// ---- DRAM, DA2 digest, the preloader window ----

TEST_F(FaultActions, RefuseDramOnce) {
  rule(daCmd("INIT_EXT_RAM"), {.kind = K::RefuseDram});
  ASSERT_NO_FATAL_FAILURE(toDa(true));  // from BROM the DA needs DRAM brought up
  ASSERT_NO_FATAL_FAILURE(sessionSetup());
  initExtRam(kExtRamException);
  initExtRam(kSt0);
}

TEST_F(FaultActions, DramInitFailsKnobRefusesEveryTime) {
  spec_.dramInitFails = true;
  ASSERT_NO_FATAL_FAILURE(toDa(true));
  ASSERT_NO_FATAL_FAILURE(sessionSetup());
  initExtRam(kExtRamException);
  initExtRam(kExtRamException);
  EXPECT_EQ(firedNames(), (std::vector<std::string>{"dram_init_fails: refuse_dram",
                                                    "dram_init_fails: refuse_dram"}));
}

TEST_F(FaultActions, Da2HashMismatchForTheRightDa2) {
  rule(daCmd("BOOT_TO"), {.kind = K::Da2HashMismatch});
  ASSERT_NO_FATAL_FAILURE(toDa(false));
  ASSERT_NO_FATAL_FAILURE(sessionSetup());
  ASSERT_NO_FATAL_FAILURE(mtkclientCtrls(false));
  bootToUntilStatus(0x40000000, makeDa2(), "DA2");
  expectStatus(kHashMismatch, "STATUS_DA_HASH_MISMATCH (0xC0070004)");
  expectSilence("no SYNC");
  bootDa2();  // once: the same DA2 boots now
}

TEST_F(FaultActions, MissWindowAtPowerOnIsAWindowOfZero) {
  rule({.kind = FaultTrigger::Kind::PowerOn}, {.kind = K::MissWindow});
  phone_ = std::make_unique<VirtualPhone>(bus_, busid_, spec_);
  phone_->powerOn(false);
  EXPECT_EQ(bus_.list().size(), 1u) << "it shows up...";
  bus_.runDeferred();
  EXPECT_TRUE(bus_.list().empty()) << "...and is gone at once";
  EXPECT_EQ(phone_->state(), PhoneState::BootedOn);
  phone_->powerOn(false);  // the next power-on listens as usual
  ASSERT_NO_FATAL_FAILURE(reattach());
  handshake(false);
}

TEST_F(FaultActions, MissWindowWhenTheHandshakeComesTooLate) {
  rule(bromCmd("HANDSHAKE"), {.kind = K::MissWindow});
  ASSERT_NO_FATAL_FAILURE(powerOn(false));
  send({0xa0});  // the preloader takes it as the start of a handshake ... and boots on
  expectGone("the preloader booted on");
  EXPECT_EQ(phone_->state(), PhoneState::BootedOn);
}

TEST_F(FaultActions, MissWindowDoesNothingInBrom) {
  rule(bromCmd("HANDSHAKE"), {.kind = K::MissWindow});
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  getHwCode();
  const auto lines = phone_->recentExchanges();
  EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
    return l.find("miss_window: the preloader is not listening; no effect") != std::string::npos;
  }));
}

}  // namespace
}  // namespace mtk::emu
