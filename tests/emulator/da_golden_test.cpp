// Golden byte vectors for the XFlash (V5) Download Agent protocol, played against a VirtualPhone
// through the in-process link, byte by byte, in the order mtkclient sends them.
//
// Every byte the test sends or expects is written by hand from the documentation, never produced
// by the project's encoders (no wire::xflash::encodeHeader / encodeStorageParam, no XFlashClient):
//   /work/shared/docs/mtkclient-expectations.md §5.5 (reaching the DA), §5.6 (framing,
//   DEVICE_CTRL), §5.7 (session setup, BOOT_TO), §5.8 (payload layouts), §5.9 (printgpt), §5.10
//   (READ_DATA), §5.11 (WRITE_DATA), §5.12 (FORMAT), §5.14, §6; /work/shared/docs/mtk-protocols.md
//   §4.1–§4.8.
// XFlash integers are little-endian. A packet is a 12-byte header `EF EE EE FE 01 00 00 00 <len>`
// and its payload, each its own USB transfer (§4.1): every header and every payload is read with
// a buffer larger than it, so a transfer that merged two fields, or split one, fails the test.
//
// Only hashing is reused (wire::Sha256, as the brief allows) where the DA1 has to carry the DA2
// digest; the digest, the DA1 XOR16 and the write checksums are also pinned to constants computed
// outside this project (Python hashlib / sum()).
//
// The phone: PhoneSpec default (MT6765), eMMC with user 256 MiB, boot1/boot2 4 MiB, RPMB 2 MiB, no
// GP areas, write/read packet length 1 MiB unless a test says otherwise. A ManualClock drives the
// bus and is never advanced except where SHUTDOWN's drop off USB is checked.

#include "da_golden_fixture.hpp"

namespace mtk::emu {
namespace {

using namespace da_golden;

TEST_F(DaGolden, SessionSetupSyncEnvironmentHwInit) {
  ASSERT_NO_FATAL_FAILURE(toDa(false));
  sessionSetup();
  expectSilence("nothing after the DA sync packet");
}

TEST_F(DaGolden, SessionSetupFromBrom) {
  ASSERT_NO_FATAL_FAILURE(toDa(true));
  sessionSetup();
  expectSilence("nothing after the DA sync packet");
}

// =============================================================================================
// 2. DEVICE_CTRL (§5.6, §5.7, §5.8, §4.8)

TEST_F(DaGolden, DeviceCtrlSequenceInPreloaderMode) {
  ASSERT_NO_FATAL_FAILURE(toDa(false));
  ASSERT_NO_FATAL_FAILURE(sessionSetup());
  ASSERT_NO_FATAL_FAILURE(mtkclientCtrls(false));  // expire date, reset key, level, "preloader"
  getPacketLength();                               // 0x100000, 0x100000
  ctrlUnsupported(kCtrlMistyped800005, "mistyped CC_OPTIONAL_DOWNLOAD_ACT 0x800005");
  getPacketLength();  // still in step after the unsupported code
}

TEST_F(DaGolden, DeviceCtrlSequenceInBromModeAndEmmcInfo) {
  ASSERT_NO_FATAL_FAILURE(toDa(true));
  ASSERT_NO_FATAL_FAILURE(sessionSetup());
  ASSERT_NO_FATAL_FAILURE(mtkclientCtrls(true));  // ... "brom"
  // "brom": mtkclient asks GET_EMMC_INFO next (§5.7).
  sendPacket(kCmdDeviceCtrl);
  expectStatus(kSt0, "DEVICE_CTRL status");
  sendPacket(kCtrlGetEmmcInfo);
  expectStatus(kSt0, "GET_EMMC_INFO code status");
  // Data packet: header, then a payload of at least 0x60 bytes in one transfer.
  Bytes hdr(64);
  auto n = link_->bulkIn(kDataIn, hdr, kIo);
  ASSERT_TRUE(n) << n.error().describe();
  ASSERT_EQ(*n, 12u) << "EMMC_INFO header transfer";
  ASSERT_EQ(hex(wire::ByteSpan(hdr.data(), 8)), "ef ee ee fe 01 00 00 00");
  const std::uint32_t len =
      hdr[8] | hdr[9] << 8 | hdr[10] << 16 | static_cast<std::uint32_t>(hdr[11]) << 24;
  ASSERT_GE(len, 0x60u);
  ASSERT_LE(len, 0x1000u);
  Bytes info;
  readTransfer(len, info, "GET_EMMC_INFO data");
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(hex(slice(info, 0x00, 4)), "01 00 00 00") << "type 1 = eMMC";
  EXPECT_EQ(hex(slice(info, 0x04, 4)), "00 02 00 00") << "block size 0x200";
  EXPECT_EQ(hex(slice(info, 0x08, 8)), "00 00 40 00 00 00 00 00") << "boot1 4 MiB";
  EXPECT_EQ(hex(slice(info, 0x10, 8)), "00 00 40 00 00 00 00 00") << "boot2 4 MiB";
  EXPECT_EQ(hex(slice(info, 0x18, 8)), "00 00 20 00 00 00 00 00") << "rpmb 2 MiB";
  EXPECT_EQ(hex(slice(info, 0x20, 32)), hex(Bytes(32, 0))) << "gp1..gp4 absent";
  EXPECT_EQ(hex(slice(info, 0x40, 8)), "00 00 00 10 00 00 00 00") << "user 256 MiB";
  expectStatus(kSt0, "GET_EMMC_INFO final status");
  ctrlUnsupported(kCtrlMistyped800005, "0x800005 in BROM mode");
}

// =============================================================================================
// 3. BOOT_TO (§5.7, §4.5, §3.6, §5.3)

TEST_F(DaGolden, BootToDa2AnswersStatusThenSync) {
  ASSERT_NO_FATAL_FAILURE(toDa(false));
  ASSERT_NO_FATAL_FAILURE(sessionSetup());
  ASSERT_NO_FATAL_FAILURE(mtkclientCtrls(false));
  // Written out once without helpers: cmd, 16-byte param, data packet.
  send({0xef, 0xee, 0xee, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00});
  send({0x08, 0x00, 0x01, 0x00});
  expectTransfer({0xef, 0xee, 0xee, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00},
                 "BOOT_TO status header");
  expectTransfer({0x00, 0x00, 0x00, 0x00}, "BOOT_TO status 0");
  send({0xef, 0xee, 0xee, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00});
  send({0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00,    // u64 0x40000000
        0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});  // u64 0x3000
  expectSilence("no status after the BOOT_TO param");
  const Bytes da2 = makeDa2();
  ASSERT_EQ(wire::Sha256::hex(wire::Sha256::of(da2)), kDa2Sha256);
  send({0xef, 0xee, 0xee, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00});
  for (std::size_t off = 0; off < da2.size(); off += 0x200) send(slice(da2, off, 0x200));
  expectTransfer({0xef, 0xee, 0xee, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00},
                 "status header after the data");
  expectTransfer({0x00, 0x00, 0x00, 0x00}, "status 0 after the data");
  expectTransfer({0xef, 0xee, 0xee, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00},
                 "SYNC status header");
  expectTransfer({0x53, 0x59, 0x4e, 0x43}, "SYNC status 53 59 4E 43 (DA2 runs)");
  expectSilence("nothing after the SYNC status");
  getPacketLength();  // DA2 takes commands
}

TEST_F(DaGolden, BootToWrongDa2IsHashMismatch) {
  ASSERT_NO_FATAL_FAILURE(toDa(false));
  ASSERT_NO_FATAL_FAILURE(sessionSetup());
  ASSERT_NO_FATAL_FAILURE(mtkclientCtrls(false));
  Bytes wrong = makeDa2();
  wrong[0x1234] ^= 0x01;  // one bit off: its digest is not in DA1
  bootToUntilStatus(0x40000000, wrong, "wrong DA2");
  expectStatus(kHashMismatch, "BOOT_TO wrong DA2: 04 00 07 C0");
  // The new stage does not run, so no SYNC follows (§4.5: SYNC "once the new stage runs").
  expectSilence("no SYNC after a hash mismatch");
}

TEST_F(DaGolden, BootToExtensionIsRejectedAfterItsData) {
  ASSERT_NO_FATAL_FAILURE(toDa2());
  // mtkclient's patch mode: BOOT_TO 0x4FFF0000, 0x402C bytes of payloads/da_x.bin (§5.3).
  const Bytes ext = lcgPayload(0x402c, 0xe7);
  sendPacket(kCmdBootTo);
  expectStatus(kSt0, "extension BOOT_TO status");
  sendPacket({0x00, 0x00, 0xff, 0x4f, 0x00, 0x00, 0x00, 0x00,    // u64 0x4FFF0000
              0x2c, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});  // u64 0x402C
  expectSilence("no status after the extension param");
  send({0xef, 0xee, 0xee, 0xfe, 0x01, 0x00, 0x00, 0x00, 0x2c, 0x40, 0x00, 0x00});
  for (std::size_t off = 0; off < ext.size() && !HasFatalFailure(); off += 0x200) {
    if (off + 0x200 >= ext.size()) {
      expectSilence("no status before the last byte of the extension arrived");
    }
    send(slice(ext, off, std::min<std::size_t>(0x200, ext.size() - off)));
  }
  expectStatus(kInvalidAddress, "extension rejected: 39 00 02 C0 (0xC0020039)");
  // mtkclient "carries on": the DA still answers.
  getPacketLength();
}

// =============================================================================================
// 4. READ_DATA: the printgpt sequence (§5.9, §5.10)

// A protective MBR and a GPT header hand-placed in a recognisable background.
}  // namespace
}  // namespace mtk::emu
