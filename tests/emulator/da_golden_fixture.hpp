#pragma once
// Shared by the DA golden-exchange tests (da_golden_test.cpp, da_golden_storage_test.cpp):
// hand-written byte builders and a fixture that brings a virtual phone to its DA.

#include <gtest/gtest.h>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include "mtk/emu/clock.hpp"
#include "mtk/emu/device_bus.hpp"
#include "mtk/emu/phone/phone_spec.hpp"
#include "mtk/emu/phone/virtual_phone.hpp"
#include "mtk/emu/storage/virtual_storage.hpp"
#include "mtk/flasher/usb_link.hpp"
#include "mtk/inproc/inprocess_link.hpp"
#include "mtk/wire/bytes.hpp"
#include "mtk/wire/sha256.hpp"

namespace mtk::emu::da_golden {

using flasher::Millis;
using wire::Bytes;

constexpr std::uint8_t kDataOut = 0x01;  // CDC data interface, bulk OUT
constexpr std::uint8_t kDataIn = 0x81;   // CDC data interface, bulk IN
constexpr Millis kIo{2000};
constexpr Millis kSilence{50};  // "no reply": nothing arrives within this long

constexpr std::uint32_t kUser = 8;                 // eMMC part_type USER (§4.7)
constexpr std::uint64_t kUserSize = 256ull << 20;  // 0x10000000
constexpr std::uint64_t kBootSize = 4ull << 20;    // 0x00400000
constexpr std::uint64_t kRpmbSize = 2ull << 20;    // 0x00200000

// ---- byte helpers (hand-written; the project's encoders are not used) ----

// Test payloads: the LCG of brom_golden_test (x = x*1103515245 + 12345, byte = bits 16..23).
inline Bytes lcgPayload(std::size_t n, std::uint32_t seed) {
  Bytes out(n);
  std::uint32_t x = seed;
  for (auto& b : out) {
    x = x * 1103515245u + 12345u;
    b = static_cast<std::uint8_t>(x >> 16);
  }
  return out;
}

inline Bytes le32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
          static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
}
inline Bytes le64(std::uint64_t v) {
  Bytes b(8);
  for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return b;
}
inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
inline Bytes slice(const Bytes& b, std::size_t off, std::size_t n) {
  return Bytes(b.begin() + static_cast<std::ptrdiff_t>(off),
               b.begin() + static_cast<std::ptrdiff_t>(off + n));
}

// §4.1: magic EF EE EE FE, type 01 00 00 00 (DT_PROTOCOL_FLOW), u32 LE length.
inline Bytes header(std::uint32_t len) {
  return cat({{0xef, 0xee, 0xee, 0xfe, 0x01, 0x00, 0x00, 0x00}, le32(len)});
}

// Status payloads, spelled out.
const Bytes kSt0 = {0x00, 0x00, 0x00, 0x00};
const Bytes kSyncWord = {0x53, 0x59, 0x4e, 0x43};         // "SYNC", 0x434E5953
const Bytes kUnsupportedCtrl = {0x04, 0x00, 0x01, 0xc0};  // 0xC0010004
const Bytes kInvalidAddress = {0x39, 0x00, 0x02, 0xc0};   // 0xC0020039
const Bytes kHashMismatch = {0x04, 0x00, 0x07, 0xc0};     // 0xC0070004
const Bytes kChecksumError = {0x03, 0x00, 0x04, 0xc0};    // 0xC0040003
const Bytes kContinue = {0x04, 0x00, 0x04, 0x40};         // 0x40040004
const Bytes kComplete = {0x05, 0x00, 0x04, 0x40};         // 0x40040005

// Command codes (§4.2) as their 4 wire bytes.
const Bytes kCmdSetupEnvironment = {0x00, 0x01, 0x01, 0x00};   // 0x010100
const Bytes kCmdSetupHwInitParams = {0x01, 0x01, 0x01, 0x00};  // 0x010101
const Bytes kCmdFormat = {0x03, 0x00, 0x01, 0x00};             // 0x010003
const Bytes kCmdWriteData = {0x04, 0x00, 0x01, 0x00};          // 0x010004
const Bytes kCmdReadData = {0x05, 0x00, 0x01, 0x00};           // 0x010005
const Bytes kCmdShutdown = {0x07, 0x00, 0x01, 0x00};           // 0x010007
const Bytes kCmdBootTo = {0x08, 0x00, 0x01, 0x00};             // 0x010008
const Bytes kCmdDeviceCtrl = {0x09, 0x00, 0x01, 0x00};         // 0x010009
// DEVICE_CTRL sub-codes.
const Bytes kCtrlGetEmmcInfo = {0x01, 0x00, 0x04, 0x00};         // 0x040001
const Bytes kCtrlGetPacketLength = {0x07, 0x00, 0x04, 0x00};     // 0x040007
const Bytes kCtrlGetConnectionAgent = {0x0a, 0x00, 0x04, 0x00};  // 0x04000A
const Bytes kCtrlGetExpireDate = {0x11, 0x00, 0x04, 0x00};       // 0x040011
const Bytes kCtrlSetChecksumLevel = {0x03, 0x00, 0x02, 0x00};    // 0x020003
const Bytes kCtrlSetResetKey = {0x04, 0x00, 0x02, 0x00};         // 0x020004
const Bytes kCtrlMistyped800005 = {0x05, 0x00, 0x80, 0x00};      // 0x800005

// The 56-byte storage parameter (§5.8 / §4.5): <I storage, <I part, <Q addr, <Q len, 8 x <I 0.
inline Bytes storageParam(std::uint64_t addr, std::uint64_t len) {
  return cat(
      {{0x01, 0x00, 0x00, 0x00}, {0x08, 0x00, 0x00, 0x00}, le64(addr), le64(len), Bytes(32, 0)});
}

// §5.11: checksum = sum(bytes) & 0xFFFF, by our own loop.
inline std::uint16_t ownSum16(const Bytes& data) {
  std::uint32_t s = 0;
  for (auto b : data) s += b;
  return static_cast<std::uint16_t>(s & 0xffff);
}
// mtk-protocols.md §2.5: XOR of LE 16-bit words (for SEND_DA's checksum).
inline std::uint16_t ownXor16(const Bytes& data) {
  std::uint16_t sum = 0;
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum ^= static_cast<std::uint16_t>(data[i] | data[i + 1] << 8);
  if (i < data.size()) sum ^= data[i];
  return sum;
}

inline std::string hex(wire::ByteSpan b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i) s += ' ';
    s += digits[b[i] >> 4];
    s += digits[b[i] & 15];
  }
  return s;
}

// DA2 = lcgPayload(0x3000, 0xda2); its SHA-256 (Python hashlib):
constexpr const char* kDa2Sha256 =
    "54fac121270954a9eef5ba388ab2de07957d53bf8ed97d58de5653543658ac7d";
// DA1 = lcgPayload(0x2000, 0xda1) with that digest at +0x1000; its XOR16 (offline): 0x55b2.
inline Bytes makeDa2() {
  return lcgPayload(0x3000, 0xda2);
}
inline Bytes makeDa1(const Bytes& da2) {
  Bytes da1 = lcgPayload(0x2000, 0xda1);
  const auto digest = wire::Sha256::of(da2);
  std::copy(digest.begin(), digest.end(), da1.begin() + 0x1000);
  return da1;
}

class DaGolden : public ::testing::Test {
 protected:
  DaGolden() {
    busid_ = bus_.addPort();
    spec_.storage.kind = StorageKind::Emmc;
    spec_.storage.user = kUserSize;
    spec_.storage.boot1 = kBootSize;
    spec_.storage.boot2 = kBootSize;
    spec_.storage.rpmb = kRpmbSize;
    for (auto& g : spec_.storage.gp) g = 0;
  }
  void TearDown() override {
    link_.reset();
    phone_.reset();
  }

  void powerOn(bool brom) {
    phone_ = std::make_unique<VirtualPhone>(bus_, busid_, spec_);
    ASSERT_NE(phone_->storage(), nullptr) << "storage did not open";
    phone_->powerOn(brom);
    auto link = inproc::InProcessLink::attach(bus_, busid_);
    ASSERT_TRUE(link) << link.error().describe();
    link_ = std::move(*link);
    auto st = link_->setConfiguration(1);
    ASSERT_TRUE(st) << st.error().describe();
  }

  // ---- raw I/O (after the first fatal failure they do nothing) ----
  void send(const Bytes& bytes) {
    if (HasFatalFailure()) return;
    auto n = link_->bulkOut(kDataOut, bytes, kIo);
    ASSERT_TRUE(n) << "sending " << bytes.size() << " bytes: " << n.error().describe();
    ASSERT_EQ(*n, bytes.size());
  }
  void zlp() {
    if (HasFatalFailure()) return;
    auto n = link_->bulkOut(kDataOut, {}, kIo);
    ASSERT_TRUE(n) << "ZLP: " << n.error().describe();
  }
  // One BROM reply field, read with a buffer sized exactly to it.
  void expect(const Bytes& golden, const std::string& what) {
    if (HasFatalFailure()) return;
    Bytes buf(golden.size());
    auto n = link_->bulkIn(kDataIn, buf, kIo);
    ASSERT_TRUE(n) << what << ": expected " << hex(golden) << ", " << n.error().describe();
    ASSERT_EQ(hex(wire::ByteSpan(buf.data(), *n)), hex(golden)) << what;
  }
  // One transfer, read with a buffer 64 bytes larger: it must come back exactly `golden`.
  void expectTransfer(const Bytes& golden, const std::string& what) {
    if (HasFatalFailure()) return;
    Bytes buf(golden.size() + 64);
    auto n = link_->bulkIn(kDataIn, buf, kIo);
    ASSERT_TRUE(n) << what << ": expected " << hex(golden) << ", " << n.error().describe();
    ASSERT_EQ(*n, golden.size()) << what << ": transfer was "
                                 << hex(wire::ByteSpan(buf.data(), std::min<std::size_t>(*n, 64)));
    ASSERT_TRUE(std::equal(golden.begin(), golden.end(), buf.begin()))
        << what << ": got " << hex(wire::ByteSpan(buf.data(), std::min<std::size_t>(*n, 64)))
        << (golden.size() > 64 ? " ..." : "") << "; expected "
        << hex(wire::ByteSpan(golden.data(), std::min<std::size_t>(golden.size(), 64)));
  }
  // One transfer of any content but exactly `len` bytes.
  void readTransfer(std::size_t len, Bytes& out, const std::string& what) {
    out.clear();
    if (HasFatalFailure()) return;
    Bytes buf(len + 512);
    auto n = link_->bulkIn(kDataIn, buf, kIo);
    ASSERT_TRUE(n) << what << ": " << n.error().describe();
    ASSERT_EQ(*n, len) << what << ": transfer of " << *n << " bytes";
    buf.resize(len);
    out = std::move(buf);
  }
  void expectSilence(const std::string& what) {
    if (HasFatalFailure()) return;
    Bytes buf(64);
    auto n = link_->bulkIn(kDataIn, buf, kSilence);
    ASSERT_FALSE(n) << what << ": expected no reply, got " << hex(wire::ByteSpan(buf.data(), *n));
    ASSERT_TRUE(flasher::isTimeout(n.error())) << what << ": " << n.error().describe();
  }

  // ---- XFlash packets (§4.1) ----
  // Header as one write, then the payload in 0x200-byte writes (mtkclient send_param, §5.14).
  void sendPacket(const Bytes& payload) {
    send(header(static_cast<std::uint32_t>(payload.size())));
    for (std::size_t off = 0; off < payload.size() && !HasFatalFailure(); off += 0x200) {
      send(slice(payload, off, std::min<std::size_t>(0x200, payload.size() - off)));
    }
  }
  // A device packet: its 12-byte header transfer, then its payload transfer.
  void expectPacket(const Bytes& payload, const std::string& what) {
    expectTransfer(header(static_cast<std::uint32_t>(payload.size())), what + " (header)");
    expectTransfer(payload, what);
  }
  void expectStatus(const Bytes& status, const std::string& what) { expectPacket(status, what); }
  void readPacket(std::size_t len, Bytes& out, const std::string& what) {
    out.clear();
    expectTransfer(header(static_cast<std::uint32_t>(len)), what + " (header)");
    readTransfer(len, out, what);
  }
  void hostAck() { sendPacket({0x00, 0x00, 0x00, 0x00}); }  // header(len 4) + 00000000

  // ---- BROM → DA1 (§5.5), as brom_golden_test does ----
  void exchange(std::uint8_t out, std::uint8_t in, const std::string& what) {
    send({out});
    expect({in}, what);
  }
  void handshake(bool brom) {
    if (!brom) send({0xa0});  // a preloader first swallows one stray A0
    exchange(0xa0, 0x5f, "handshake A0");
    exchange(0x0a, 0xf5, "handshake 0A");
    exchange(0x50, 0xaf, "handshake 50");
    exchange(0x05, 0xfa, "handshake 05");
  }
  // SEND_DA 0x200000, 0x2000 bytes (0x100 of them a "signature"), 0x400-byte writes with a ZLP
  // every 0x2000 bytes; JUMP_DA; the C0 byte.
  void toDa(bool brom) {
    ASSERT_NO_FATAL_FAILURE(powerOn(brom));
    ASSERT_NO_FATAL_FAILURE(handshake(brom));
    const Bytes da1 = makeDa1(makeDa2());
    ASSERT_EQ(ownXor16(da1), 0x55b2) << "the test's DA1 differs from the offline one";
    exchange(0xd7, 0xd7, "SEND_DA echo");
    send({0x00, 0x20, 0x00, 0x00});
    expect({0x00, 0x20, 0x00, 0x00}, "SEND_DA address echo");
    send({0x00, 0x00, 0x20, 0x00});
    expect({0x00, 0x00, 0x20, 0x00}, "SEND_DA length echo");
    send({0x00, 0x00, 0x01, 0x00});
    expect({0x00, 0x00, 0x01, 0x00}, "SEND_DA signature length echo");
    expect({0x00, 0x00}, "SEND_DA status1");
    for (std::size_t off = 0; off < da1.size() && !HasFatalFailure(); off += 0x400) {
      send(slice(da1, off, 0x400));
      if ((off + 0x400) % 0x2000 == 0) zlp();
    }
    expect({0x55, 0xb2}, "SEND_DA checksum");
    expect({0x00, 0x00}, "SEND_DA status2");
    send({0xd5});
    send({0x00, 0x20, 0x00, 0x00});
    expect({0xd5}, "JUMP_DA echo");
    expect({0x00, 0x20, 0x00, 0x00}, "JUMP_DA address echo");
    expect({0x00, 0x00}, "JUMP_DA status");
    expect({0xc0}, "DA1 sync byte C0");
    ASSERT_FALSE(HasFatalFailure());
    ASSERT_EQ(phone_->state(), PhoneState::Da);
  }

  // ---- §5.7 session setup ----
  void sessionSetup() {
    // SYNC: header EF EE EE FE 01 00 00 00 04 00 00 00 + 53 59 4E 43; no answer.
    send({0xef, 0xee, 0xee, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00});
    send({0x53, 0x59, 0x4e, 0x43});
    expectSilence("SYNC has no answer");
    // SETUP_ENVIRONMENT, no status until the 20-byte param.
    sendPacket(kCmdSetupEnvironment);
    expectSilence("SETUP_ENVIRONMENT: no status before the param");
    sendPacket({0x02, 0x00, 0x00, 0x00,    // da_log_level 2
                0x01, 0x00, 0x00, 0x00,    // log_channel 1 (UART)
                0x01, 0x00, 0x00, 0x00,    // system_os 1 (Linux)
                0x00, 0x00, 0x00, 0x00,    // ufs_provision 0
                0x00, 0x00, 0x00, 0x00});  // 0
    expectTransfer({0xef, 0xee, 0xee, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00},
                   "SETUP_ENVIRONMENT status header (12-byte transfer)");
    expectTransfer({0x00, 0x00, 0x00, 0x00}, "SETUP_ENVIRONMENT status 0 (4-byte transfer)");
    // SETUP_HW_INIT_PARAMS, param <I 0>: st0, then the SYNC packet.
    sendPacket(kCmdSetupHwInitParams);
    expectSilence("SETUP_HW_INIT_PARAMS: no status before the param");
    sendPacket({0x00, 0x00, 0x00, 0x00});
    expectTransfer({0xef, 0xee, 0xee, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00},
                   "SETUP_HW_INIT_PARAMS status header");
    expectTransfer({0x00, 0x00, 0x00, 0x00}, "SETUP_HW_INIT_PARAMS status 0");
    expectTransfer({0xef, 0xee, 0xee, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00},
                   "DA sync packet header");
    expectTransfer({0x53, 0x59, 0x4e, 0x43}, "DA sync packet: 53 59 4E 43");
  }

  // ---- DEVICE_CTRL (§5.6) ----
  void ctrlGet(const Bytes& code, Bytes& data, std::size_t len, const std::string& what) {
    sendPacket(kCmdDeviceCtrl);
    expectStatus(kSt0, what + ": DEVICE_CTRL status");
    sendPacket(code);
    expectStatus(kSt0, what + ": ctrl code status");
    readPacket(len, data, what + ": data");
    expectStatus(kSt0, what + ": final status");
  }
  void ctrlGetExact(const Bytes& code, const Bytes& golden, const std::string& what) {
    sendPacket(kCmdDeviceCtrl);
    expectStatus(kSt0, what + ": DEVICE_CTRL status");
    sendPacket(code);
    expectStatus(kSt0, what + ": ctrl code status");
    expectPacket(golden, what + ": data");
    expectStatus(kSt0, what + ": final status");
  }
  void ctrlSet(const Bytes& code, const Bytes& param, const std::string& what) {
    sendPacket(kCmdDeviceCtrl);
    expectStatus(kSt0, what + ": DEVICE_CTRL status");
    sendPacket(code);
    expectStatus(kSt0, what + ": ctrl code status");
    sendPacket(param);
    expectStatus(kSt0, what + ": status after the param");
  }
  void ctrlUnsupported(const Bytes& code, const std::string& what) {
    sendPacket(kCmdDeviceCtrl);
    expectStatus(kSt0, what + ": DEVICE_CTRL status");
    sendPacket(code);
    expectStatus(kUnsupportedCtrl, what + ": 0xC0010004");
    expectSilence(what + ": nothing after 0xC0010004");
  }
  void getPacketLength(const Bytes& golden = {0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x10, 0x00}) {
    ctrlGetExact(kCtrlGetPacketLength, golden, "GET_PACKET_LENGTH");
  }

  // mtkclient's DEVICE_CTRL run after the setup (§5.7): expire date, reset key, checksum level,
  // connection agent.
  void mtkclientCtrls(bool brom) {
    ctrlUnsupported(kCtrlGetExpireDate, "GET_EXPIRE_DATE");
    ctrlSet(kCtrlSetResetKey, {0x68, 0x00, 0x00, 0x00}, "SET_RESET_KEY 0x68");
    ctrlSet(kCtrlSetChecksumLevel, {0x00, 0x00, 0x00, 0x00}, "SET_CHECKSUM_LEVEL 0");
    if (brom) {
      ctrlGetExact(kCtrlGetConnectionAgent, {'b', 'r', 'o', 'm'}, "GET_CONNECTION_AGENT");
    } else {
      ctrlGetExact(kCtrlGetConnectionAgent, {'p', 'r', 'e', 'l', 'o', 'a', 'd', 'e', 'r'},
                   "GET_CONNECTION_AGENT");
    }
  }

  // BOOT_TO (§5.7, §4.5): cmd → st0; 16-byte param (no status); data packet → st0.
  void bootToUntilStatus(std::uint64_t addr, const Bytes& image, const std::string& what) {
    sendPacket(kCmdBootTo);
    expectStatus(kSt0, what + ": BOOT_TO status");
    sendPacket(cat({le64(addr), le64(image.size())}));
    expectSilence(what + ": no status after the BOOT_TO param");
    sendPacket(image);
  }
  void bootDa2() {
    const Bytes da2 = makeDa2();
    ASSERT_EQ(wire::Sha256::hex(wire::Sha256::of(da2)), kDa2Sha256);
    bootToUntilStatus(0x40000000, da2, "DA2");
    expectStatus(kSt0, "BOOT_TO DA2: status after the data");
    expectStatus(kSyncWord, "BOOT_TO DA2: SYNC status once DA2 runs");
  }

  // Preloader (DRAM up) → DA → setup → DEVICE_CTRLs → DA2.
  void toDa2() {
    ASSERT_NO_FATAL_FAILURE(toDa(false));
    ASSERT_NO_FATAL_FAILURE(sessionSetup());
    ASSERT_NO_FATAL_FAILURE(mtkclientCtrls(false));
    ASSERT_NO_FATAL_FAILURE(bootDa2());
  }

  // ---- READ_DATA (§5.10), one packet at most `packet` bytes ----
  void readData(std::uint64_t addr, std::uint64_t len, std::size_t packet, Bytes& out,
                const std::string& what) {
    out.clear();
    sendPacket(kCmdReadData);
    expectStatus(kSt0, what + ": READ_DATA status");
    sendPacket(storageParam(addr, len));
    expectStatus(kSt0, what + ": first status after the param");
    expectStatus(kSt0, what + ": second status after the param");
    std::uint64_t left = len;
    while (left > 0 && !HasFatalFailure()) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, packet));
      Bytes piece;
      readPacket(n, piece, what + ": data packet");
      out.insert(out.end(), piece.begin(), piece.end());
      hostAck();
      left -= n;
    }
    expectStatus(kSt0, what + ": final status");
  }

  // ---- WRITE_DATA (§5.11): data already padded to 512 ----
  void writeData(std::uint64_t addr, const Bytes& data, std::size_t wlen, const std::string& what) {
    sendPacket(kCmdWriteData);
    expectStatus(kSt0, what + ": WRITE_DATA status");
    sendPacket(storageParam(addr, data.size()));
    expectStatus(kSt0, what + ": status after the param");
    for (std::size_t off = 0; off < data.size() && !HasFatalFailure(); off += wlen) {
      const Bytes chunk = slice(data, off, std::min(wlen, data.size() - off));
      sendPacket({0x00, 0x00, 0x00, 0x00});
      sendPacket(le32(ownSum16(chunk)));
      sendPacket(chunk);
      expectStatus(kSt0, what + ": status after the chunk at +" + std::to_string(off));
    }
    expectStatus(kSt0, what + ": final status");
  }

  Bytes storageRead(std::uint64_t off, std::size_t n) {
    Bytes b(n);
    auto st = phone_->storage()->read(kUser, off, b);
    EXPECT_TRUE(st) << st.error().describe();
    return b;
  }
  void storageWrite(std::uint64_t off, const Bytes& b) {
    auto st = phone_->storage()->write(kUser, off, b);
    ASSERT_TRUE(st) << st.error().describe();
  }

  ManualClock clock_;
  DeviceBus bus_{1, &clock_};
  std::string busid_;
  PhoneSpec spec_;
  std::unique_ptr<VirtualPhone> phone_;
  std::unique_ptr<inproc::InProcessLink> link_;
};

// =============================================================================================
// 1. Session setup (expectations §5.7, protocols §4.4)

}  // namespace mtk::emu::da_golden
