// The DA golden exchanges for storage: READ_DATA (the printgpt sequence), WRITE_DATA, FORMAT
// and SHUTDOWN, byte by byte as mtkclient-expectations.md §5.9-§5.12 give them.
#include "da_golden_fixture.hpp"

namespace mtk::emu {
namespace {

using namespace da_golden;

Bytes gptImage() {
  Bytes img = lcgPayload(0x4200, 0x6b7);
  // MBR partition entry 1 at 0x1BE: status 0, CHS, type EE, CHS, LBA 1, size.
  const Bytes entry = {0x00, 0x00, 0x02, 0x00, 0xee, 0xff, 0xff, 0xff,
                       0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0x07, 0x00};
  std::copy(entry.begin(), entry.end(), img.begin() + 0x1be);
  std::fill(img.begin() + 0x1ce, img.begin() + 0x1fe, 0x00);  // entries 2..4 empty
  img[0x1fe] = 0x55;
  img[0x1ff] = 0xaa;
  // GPT header at LBA1: "EFI PART", revision 0x00010000, header size 0x5C.
  const Bytes gpt = {'E',  'F',  'I',  ' ',  'P',  'A',  'R',  'T',
                     0x00, 0x00, 0x01, 0x00, 0x5c, 0x00, 0x00, 0x00};
  std::copy(gpt.begin(), gpt.end(), img.begin() + 0x200);
  return img;
}

TEST_F(DaGolden, ReadDataPrintgptSequence) {
  ASSERT_NO_FATAL_FAILURE(toDa2());
  const Bytes img = gptImage();
  ASSERT_NO_FATAL_FAILURE(storageWrite(0, img));
  ASSERT_EQ(hex(storageRead(0x1fe, 2)), "55 aa");
  ASSERT_EQ(hex(storageRead(0x200, 8)), "45 46 49 20 50 41 52 54");

  // The first param, written out in full (§4.5 example layout), against the helper.
  ASSERT_EQ(hex(storageParam(0, 0x400)),
            hex(Bytes{0x01, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,  // EMMC, USER
                      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // addr 0
                      0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // len 0x400
                      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));

  const std::pair<std::uint64_t, std::uint64_t> reads[] = {
      {0, 0x400}, {0x600, 0x200}, {0x200, 0x400}, {0x400, 0x200}, {0x600, 0x200}, {0, 0x4200}};
  for (const auto& [addr, len] : reads) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "read (0x%llx, 0x%llx)", static_cast<unsigned long long>(addr),
                  static_cast<unsigned long long>(len));
    const std::string what = buf;
    getPacketLength();
    Bytes got;
    readData(addr, len, 0x100000, got, what);
    ASSERT_FALSE(HasFatalFailure()) << what;
    EXPECT_EQ(got, slice(img, addr, len)) << what << ": data differs from what was written";
  }
  EXPECT_EQ(hex(storageRead(0x1fe, 2)), "55 aa");
  expectSilence("nothing after the last read");
}

// A read longer than the read packet length comes in several data packets, each acked.
TEST_F(DaGolden, ReadDataInSeveralPackets) {
  spec_.readPacketLength = 0x1000;
  ASSERT_NO_FATAL_FAILURE(toDa2());
  const Bytes img = lcgPayload(0x2800, 0x5e);
  ASSERT_NO_FATAL_FAILURE(storageWrite(0x123400, img));
  getPacketLength({0x00, 0x00, 0x10, 0x00, 0x00, 0x10, 0x00, 0x00});
  Bytes got;
  readData(0x123400, 0x2800, 0x1000, got, "read 0x2800 in 0x1000 packets");
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(got, img);
}

// =============================================================================================
// 5. WRITE_DATA (§5.11)

TEST_F(DaGolden, WriteDataThenMistypedCtrl) {
  ASSERT_NO_FATAL_FAILURE(toDa2());
  // 0x1234 bytes, padded with zeros to 0x1400 (a multiple of 512).
  Bytes data = lcgPayload(0x1234, 0x77);
  data.resize(0x1400, 0x00);
  ASSERT_EQ(ownSum16(data), 0x1459) << "own checksum differs from the offline value";
  getPacketLength();
  writeData(0x200000, data, 0x100000, "write 0x1400 at 0x200000");
  ctrlUnsupported(kCtrlMistyped800005, "0x800005 after the write");
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(storageRead(0x200000, 0x1400), data);
  EXPECT_EQ(hex(storageRead(0x1ffe00, 0x200)), hex(Bytes(0x200, 0))) << "written before the range";
  EXPECT_EQ(hex(storageRead(0x201400, 0x200)), hex(Bytes(0x200, 0))) << "written past the range";
}

TEST_F(DaGolden, WriteDataInSeveralChunks) {
  spec_.writePacketLength = 0x1000;
  ASSERT_NO_FATAL_FAILURE(toDa2());
  const Bytes data = lcgPayload(0x2800, 0x78);
  ASSERT_EQ(ownSum16(slice(data, 0, 0x1000)), 0xf2d3);
  ASSERT_EQ(ownSum16(slice(data, 0x1000, 0x1000)), 0x03c1);
  ASSERT_EQ(ownSum16(slice(data, 0x2000, 0x800)), 0x11c9);
  getPacketLength({0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00});
  writeData(0x300000, data, 0x1000, "write 0x2800 in 0x1000 chunks");
  ctrlUnsupported(kCtrlMistyped800005, "0x800005 after the write");
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(storageRead(0x300000, 0x2800), data);
}

TEST_F(DaGolden, WriteDataWithChecksumLevelOneChecksTheSum) {
  ASSERT_NO_FATAL_FAILURE(toDa2());
  ctrlSet(kCtrlSetChecksumLevel, {0x01, 0x00, 0x00, 0x00}, "SET_CHECKSUM_LEVEL 1");
  // Right checksum: written.
  const Bytes good = lcgPayload(0x200, 0x79);
  ASSERT_EQ(ownSum16(good), 0x07cf);
  getPacketLength();
  writeData(0x400000, good, 0x100000, "level 1, right checksum");
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(storageRead(0x400000, 0x200), good);

  // Wrong checksum (0x07ce instead of 0x07cf): 0xC0040003 and nothing written.
  getPacketLength();
  sendPacket(kCmdWriteData);
  expectStatus(kSt0, "WRITE_DATA status");
  sendPacket(storageParam(0x500000, 0x200));
  expectStatus(kSt0, "status after the param");
  sendPacket({0x00, 0x00, 0x00, 0x00});
  sendPacket({0xce, 0x07, 0x00, 0x00});
  sendPacket(good);
  expectStatus(kChecksumError, "wrong checksum: 03 00 04 C0");
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(hex(storageRead(0x500000, 0x200)), hex(Bytes(0x200, 0))) << "a bad chunk was written";
}

// =============================================================================================
// 6. FORMAT (§5.12)

TEST_F(DaGolden, FormatSmallRangeCompletesAtOnce) {
  ASSERT_NO_FATAL_FAILURE(toDa2());
  const Bytes before = lcgPayload(0x3000, 0x99);
  ASSERT_NO_FATAL_FAILURE(storageWrite(0x600000, before));
  sendPacket(kCmdFormat);
  expectStatus(kSt0, "FORMAT status");
  sendPacket(storageParam(0x601000, 0x1000));
  expectStatus(kSt0, "status after the param");
  expectStatus(kComplete, "COMPLETE: 05 00 04 40");
  expectSilence("nothing after COMPLETE");
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(hex(storageRead(0x601000, 0x1000)), hex(Bytes(0x1000, 0))) << "not erased";
  EXPECT_EQ(storageRead(0x600000, 0x1000), slice(before, 0, 0x1000)) << "erased before the range";
  EXPECT_EQ(storageRead(0x602000, 0x1000), slice(before, 0x2000, 0x1000)) << "erased past it";
}

TEST_F(DaGolden, FormatWholeUserAreaReportsContinueThenComplete) {
  ASSERT_NO_FATAL_FAILURE(toDa2());
  const Bytes a = lcgPayload(0x1000, 0xa1);
  ASSERT_NO_FATAL_FAILURE(storageWrite(0, a));
  ASSERT_NO_FATAL_FAILURE(storageWrite(0x8000000, a));
  ASSERT_NO_FATAL_FAILURE(storageWrite(kUserSize - 0x1000, a));
  sendPacket(kCmdFormat);
  expectStatus(kSt0, "FORMAT status");
  sendPacket(storageParam(0, kUserSize));  // 0 .. 0x10000000
  expectStatus(kSt0, "status after the param");
  expectStatus(kContinue, "CONTINUE: 04 00 04 40");
  Bytes waitMs;
  readPacket(4, waitMs, "status word: milliseconds to wait");
  hostAck();
  expectStatus(kComplete, "COMPLETE: 05 00 04 40");
  expectSilence("nothing after COMPLETE");
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(hex(storageRead(0, 0x1000)), hex(Bytes(0x1000, 0)));
  EXPECT_EQ(hex(storageRead(0x8000000, 0x1000)), hex(Bytes(0x1000, 0)));
  EXPECT_EQ(hex(storageRead(kUserSize - 0x1000, 0x1000)), hex(Bytes(0x1000, 0)));
  // And the DA reads back zeros too.
  getPacketLength();
  Bytes got;
  readData(0x8000000, 0x1000, 0x100000, got, "read after format");
  EXPECT_EQ(hex(got), hex(Bytes(0x1000, 0)));
}

// =============================================================================================
// 7. SHUTDOWN (§4.5)

TEST_F(DaGolden, ShutdownAnswersTwoStatusesAndLeavesUsb) {
  ASSERT_NO_FATAL_FAILURE(toDa2());
  sendPacket(kCmdShutdown);
  expectStatus(kSt0, "SHUTDOWN status");
  // has_flags, enable_wdt, async, boot_mode (0 = normal), dl_bit, dont_reset_rtc, leave_usb, 0.
  sendPacket(Bytes(32, 0x00));
  expectStatus(kSt0, "SHUTDOWN status after the 32-byte param");
  ASSERT_FALSE(HasFatalFailure());
  link_.reset();
  clock_.advance(std::chrono::seconds(1));
  bus_.tick();
  EXPECT_TRUE(bus_.list().empty()) << "the phone is still on USB after SHUTDOWN";
}

}  // namespace
}  // namespace mtk::emu
