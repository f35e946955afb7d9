// The fault engine's triggers on a virtual phone, driven byte by byte through the in-process
// link as da_golden_test.cpp does (the DaGolden fixture brings the phone to BROM, DA1 or DA2).
// Each test puts one rule in the phone's spec and shows where it fires: before or after a BROM
// command or a DA operation, at a byte offset of either bulk stream (from power-on or from the
// DA's start), after some time on the bus clock, at a power-on, at the Nth occurrence, with a
// seeded probability. The fault log and the exchange log say what happened.
//
// Byte counts used below (host to phone, from power-on, BROM mode): the handshake is 4 bytes
// (A0 0A 50 05); SEND_DA is 1 command byte and 3 x 4 parameter bytes before its data.

#include <vector>

#include "da_golden_fixture.hpp"
#include "mtk/emu/phone/fault.hpp"

namespace mtk::emu {
namespace {

using namespace da_golden;
using K = FaultAction::Kind;

FaultTrigger bromCmd(const char* name, FaultPhase phase = FaultPhase::Before) {
  return {.kind = FaultTrigger::Kind::BromCommand, .command = name, .phase = phase};
}
FaultTrigger daCmd(const char* name, FaultPhase phase = FaultPhase::Before) {
  return {.kind = FaultTrigger::Kind::DaCommand, .command = name, .phase = phase};
}
FaultTrigger bulk(FaultDirection d, std::uint64_t offset, bool fromDa = false) {
  return {.kind = FaultTrigger::Kind::BulkOffset,
          .direction = d,
          .offset = offset,
          .fromDaStart = fromDa};
}
FaultAction act(K kind) {
  return {.kind = kind};
}
FaultAction statusAction(std::uint32_t s) {
  return {.kind = K::Status, .status = s};
}

class FaultTriggers : public DaGolden {
 protected:
  void rule(FaultTrigger t, FaultAction a, unsigned times = 1) {
    spec_.faults.push_back(FaultRule{std::move(t), std::move(a), times, ""});
  }
  // The phone left the bus: the next IN transfer fails as a disconnect, not a timeout.
  void expectGone(const std::string& what) {
    if (HasFatalFailure()) return;
    Bytes buf(64);
    auto n = link_->bulkIn(kDataIn, buf, kIo);
    ASSERT_FALSE(n) << what << ": got " << hex(wire::ByteSpan(buf.data(), *n));
    ASSERT_TRUE(flasher::isDisconnect(n.error())) << what << ": " << n.error().describe();
  }
  void getHwCode(const Bytes& status = {0x00, 0x00}) {
    exchange(0xfd, 0xfd, "GET_HW_CODE echo");
    expect({0x07, 0x66}, "hw code 0x0766");
    expect(status, "GET_HW_CODE status");
  }
  std::vector<std::string> firedTriggers() {
    std::vector<std::string> out;
    for (const auto& f : phone_->faultLog()) out.push_back(f.trigger + " -> " + f.action);
    return out;
  }
  // SEND_DA 0x200000 with `data`, in BROM mode; stops short of reading the checksum.
  void sendDaData(const Bytes& data) {
    exchange(0xd7, 0xd7, "SEND_DA echo");
    send({0x00, 0x20, 0x00, 0x00});
    expect({0x00, 0x20, 0x00, 0x00}, "address echo");
    send(be32(static_cast<std::uint32_t>(data.size())));
    expect(be32(static_cast<std::uint32_t>(data.size())), "length echo");
    send({0x00, 0x00, 0x00, 0x00});
    expect({0x00, 0x00, 0x00, 0x00}, "signature length echo");
    expect({0x00, 0x00}, "status1");
  }
  static Bytes be32(std::uint32_t v) {
    return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
            static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
  }
};

// ---- before / after a BROM command ----

TEST_F(FaultTriggers, BeforeABromCommandNothingOfItIsAnswered) {
  rule(bromCmd("GET_HW_CODE"), act(K::Unplug));
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  send({0xfd});
  expectGone("the cable went before GET_HW_CODE's echo");
  EXPECT_EQ(phone_->state(), PhoneState::Off);
  EXPECT_EQ(firedTriggers(),
            std::vector<std::string>{"before brom_command GET_HW_CODE #1 -> unplug"});
}

TEST_F(FaultTriggers, AfterABromCommandItsAnswersAreOut) {
  rule(bromCmd("GET_HW_CODE", FaultPhase::After), act(K::Unplug));
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  getHwCode();  // the whole answer arrives
  expectGone("the next exchange finds no phone");
  EXPECT_EQ(firedTriggers(),
            std::vector<std::string>{"after brom_command GET_HW_CODE #1 -> unplug"});
}

TEST_F(FaultTriggers, TheHandshakeIsABromCommandToo) {
  rule(bromCmd("HANDSHAKE", FaultPhase::After), act(K::Silent));
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  send({0xfd});
  expectSilence("silent once the handshake was answered");
}

// ---- before / after a DA operation ----

TEST_F(FaultTriggers, BeforeTheSecondWriteData) {
  FaultTrigger t = daCmd("WRITE_DATA");
  t.occurrence = 2;
  rule(t, act(K::Unplug));
  ASSERT_NO_FATAL_FAILURE(toDa2());
  const Bytes data = lcgPayload(0x200, 0x51);
  writeData(0x100000, data, 0x200, "first WRITE_DATA");
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_TRUE(phone_->faultLog().empty()) << "fired on the first WRITE_DATA";
  sendPacket(kCmdWriteData);
  expectGone("the second WRITE_DATA: no status");
  EXPECT_EQ(storageRead(0x100000, 0x200), data);
  EXPECT_EQ(firedTriggers(),
            std::vector<std::string>{"before da_command WRITE_DATA, occurrence 2 #2 -> unplug"});
}

TEST_F(FaultTriggers, AfterADeviceCtrlCodeByItsName) {
  rule(daCmd("GET_PACKET_LENGTH", FaultPhase::After), act(K::Silent));
  ASSERT_NO_FATAL_FAILURE(toDa(false));
  ASSERT_NO_FATAL_FAILURE(sessionSetup());
  getPacketLength();  // answered in full
  sendPacket(kCmdDeviceCtrl);
  expectSilence("silent after GET_PACKET_LENGTH");
  EXPECT_EQ(firedTriggers(),
            std::vector<std::string>{"after da_command GET_PACKET_LENGTH #1 -> silent"});
}

TEST_F(FaultTriggers, BeforeTheDaStartsNoSyncByte) {
  rule(daCmd("START"), act(K::Silent));
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  const Bytes da1 = makeDa1(makeDa2());
  sendDaData(da1);
  for (std::size_t off = 0; off < da1.size(); off += 0x400) send(slice(da1, off, 0x400));
  expect({0x55, 0xb2}, "checksum");
  expect({0x00, 0x00}, "status2");
  send({0xd5});
  send({0x00, 0x20, 0x00, 0x00});
  expect({0xd5}, "JUMP_DA echo");
  expect({0x00, 0x20, 0x00, 0x00}, "address echo");
  expect({0x00, 0x00}, "JUMP_DA status");
  expectSilence("no 0xC0: the DA never starts talking");
  EXPECT_EQ(phone_->state(), PhoneState::Da);
}

// ---- at a byte offset of the bulk stream ----

TEST_F(FaultTriggers, OutOffsetFromPowerOnIsExactToTheByte) {
  // Byte 0x1000 of the DA data: 4 (handshake) + 13 (SEND_DA and its parameters) + 0x1000.
  rule(bulk(FaultDirection::Out, 4 + 13 + 0x1000), act(K::Unplug));
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  const Bytes data = lcgPayload(0x2000, 9);
  sendDaData(data);
  for (std::size_t off = 0; off < 0x1000; off += 0x400) send(slice(data, off, 0x400));
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_TRUE(phone_->faultLog().empty()) << "fired before byte 0x1000";
  // The write that carries byte 0x1000 fails: the cable is gone.
  auto n = link_->bulkOut(kDataOut, slice(data, 0x1000, 0x400), kIo);
  ASSERT_FALSE(n);
  EXPECT_TRUE(flasher::isDisconnect(n.error())) << n.error().describe();
  EXPECT_EQ(firedTriggers(), std::vector<std::string>{"bulk_out_offset 0x1011 -> unplug"});
}

TEST_F(FaultTriggers, OutOffsetFromTheDaStart) {
  // From the DA's start: the SYNC packet is bytes 0..15, SETUP_ENVIRONMENT's header 16..27.
  rule(bulk(FaultDirection::Out, 16, true), act(K::Silent));
  ASSERT_NO_FATAL_FAILURE(toDa(false));  // far more than 16 bytes went out before the DA
  EXPECT_TRUE(phone_->faultLog().empty()) << "counted from power-on instead";
  send(header(4));
  send(kSyncWord);
  expectSilence("SYNC has no answer anyway");
  EXPECT_TRUE(phone_->faultLog().empty()) << "fired inside the SYNC packet";
  sendPacket(kCmdSetupEnvironment);
  sendPacket(Bytes(20, 0));
  expectSilence("silent from the byte after SYNC on");
  EXPECT_EQ(firedTriggers(), std::vector<std::string>{"bulk_out_offset 0x10 from da -> silent"});
}

TEST_F(FaultTriggers, InOffsetActsOnTheTransferCarryingTheByte) {
  // Phone to host: the handshake answers are bytes 0..3; GET_HW_CODE's echo is 4, hw code 5..6.
  rule(bulk(FaultDirection::In, 6), act(K::Unplug));
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  exchange(0xfd, 0xfd, "the echo (byte 4) still arrives");
  expectGone("the hw code transfer (bytes 5..6) never does");
}

TEST_F(FaultTriggers, OutOffsetCorruptsAWriteDataByteCountedFromTheDaStart) {
  // Host bytes from the DA's start, counted from mtkclient-expectations §5.7 and the fixture:
  // setup 16+48+32, DEVICE_CTRLs 32+48+48+32, BOOT_TO 16+28+12+0x3000, then WRITE_DATA 16,
  // its parameter 12+56, the chunk's u32 0 and checksum 2x16, the data header 12.
  const std::uint64_t dataStart = 96 + 160 + (56 + 0x3000) + 16 + 68 + 32 + 12;
  rule(bulk(FaultDirection::Out, dataStart + 0x21, true),
       FaultAction{.kind = K::CorruptByte, .mask = 0x80});
  ASSERT_NO_FATAL_FAILURE(toDa2());  // checksum level 0 (mtkclient): the DA does not check
  const Bytes data = lcgPayload(0x400, 0x77);
  writeData(0x200000, data, 0x400, "WRITE_DATA");
  Bytes damaged = data;
  damaged[0x21] ^= 0x80;
  EXPECT_EQ(storageRead(0x200000, 0x400), damaged) << "exactly data byte 0x21 was damaged";
}

// ---- time and power-on ----

TEST_F(FaultTriggers, AfterMsOnTheBusClock) {
  rule({.kind = FaultTrigger::Kind::Time, .afterMs = std::chrono::milliseconds(500)},
       act(K::Unplug));
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  clock_.advance(std::chrono::milliseconds(499));
  bus_.tick();
  EXPECT_EQ(bus_.list().size(), 1u) << "left before 500 ms";
  clock_.advance(std::chrono::milliseconds(1));
  bus_.tick();
  EXPECT_TRUE(bus_.list().empty());
  ASSERT_EQ(phone_->faultLog().size(), 1u);
  EXPECT_EQ(phone_->faultLog()[0].at, std::chrono::milliseconds(500));
}

TEST_F(FaultTriggers, AfterMsGatesACommandTrigger) {
  FaultTrigger t = bromCmd("GET_HW_CODE");
  t.afterMs = std::chrono::milliseconds(1000);
  rule(t, statusAction(0x1234));
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  getHwCode();  // t = 0: the gate is shut
  clock_.advance(std::chrono::milliseconds(1000));
  getHwCode({0x12, 0x34});
}

TEST_F(FaultTriggers, TheSecondPowerOn) {
  rule({.kind = FaultTrigger::Kind::PowerOn, .occurrence = 2}, act(K::Silent));
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  link_.reset();
  phone_->powerOff();
  phone_->powerOn(true);
  auto link = inproc::InProcessLink::attach(bus_, busid_);
  ASSERT_TRUE(link) << link.error().describe();
  link_ = std::move(*link);
  ASSERT_TRUE(link_->setConfiguration(1));
  send({0xa0});
  expectSilence("silent from the second power-on");
  ASSERT_EQ(phone_->faultLog().size(), 1u);
  EXPECT_EQ(phone_->faultLog()[0].powerOn, 2u);
}

// ---- occurrence, times ----

TEST_F(FaultTriggers, OccurrenceAndTimes) {
  FaultTrigger t = bromCmd("GET_HW_CODE");
  t.occurrence = 2;
  rule(t, statusAction(0x1111), 2);
  ASSERT_NO_FATAL_FAILURE(powerOn(true));
  handshake(true);
  getHwCode();
  getHwCode({0x11, 0x11});
  getHwCode({0x11, 0x11});
  getHwCode();  // fired twice: done
  EXPECT_EQ(phone_->faultLog().size(), 2u);
}

// ---- probability from a seed ----

class FaultSeeds : public FaultTriggers {
 protected:
  // 32 GET_HW_CODEs against a rule that replaces the status with probability 1/2: which ones
  // it replaced, as a bit string, and the fault log.
  std::string run(std::uint64_t seed, std::vector<std::string>* log) {
    spec_.faults.clear();
    FaultTrigger t = bromCmd("GET_HW_CODE");
    t.probability = 0.5;
    rule(t, statusAction(0xbad0), 0);
    spec_.faultSeed = seed;
    link_.reset();
    phone_.reset();
    powerOn(true);
    handshake(true);
    std::string bits;
    for (int i = 0; i < 32 && !HasFatalFailure(); ++i) {
      exchange(0xfd, 0xfd, "echo");
      expect({0x07, 0x66}, "hw code");
      Bytes status(2);
      auto n = link_->bulkIn(kDataIn, status, kIo);
      if (!n) ADD_FAILURE() << n.error().describe();
      bits += status == Bytes{0xba, 0xd0} ? '1' : '0';
    }
    for (const auto& f : phone_->faultLog()) log->push_back(f.describe());
    return bits;
  }
};

TEST_F(FaultSeeds, SameSeedSameRunOtherSeedOtherRun) {
  std::vector<std::string> logA, logB, logC;
  const std::string a = run(42, &logA);
  const std::string b = run(42, &logB);
  const std::string c = run(7, &logC);
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(a, b);
  EXPECT_EQ(logA, logB);
  EXPECT_NE(a, c) << "seeds 42 and 7 drew the same 32 coins";
  EXPECT_NE(a.find('1'), std::string::npos) << a;
  EXPECT_NE(a.find('0'), std::string::npos) << a;
  EXPECT_EQ(logA.size(), static_cast<std::size_t>(std::count(a.begin(), a.end(), '1')));
}

// ---- what a person reads when something failed ----

TEST_F(FaultTriggers, RecentExchangesNameCommandsStatusesAndFaults) {
  rule(daCmd("WRITE_DATA"), statusAction(0xc0040030));
  ASSERT_NO_FATAL_FAILURE(toDa2());
  sendPacket(kCmdWriteData);
  expectStatus({0x30, 0x00, 0x04, 0xc0}, "WRITE_DATA refused with STATUS_MMC_ERR");
  const auto lines = phone_->recentExchanges();
  ASSERT_EQ(lines.size(), 32u) << "a ring of the last 32";
  auto has = [&lines](const std::string& text) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(has("-> DA BOOT_TO"));
  EXPECT_TRUE(has("-> DA WRITE_DATA"));
  EXPECT_TRUE(has("!! fault #0: status 0xc0040030 on before da_command WRITE_DATA #1"));
  EXPECT_TRUE(has("<- DA status STATUS_MMC_ERR"));
  EXPECT_NE(lines.back().find("(fault; meant OK"), std::string::npos) << lines.back();
  EXPECT_EQ(lines.front().rfind("+0 ms ", 0), 0u) << lines.front();
}

}  // namespace
}  // namespace mtk::emu
