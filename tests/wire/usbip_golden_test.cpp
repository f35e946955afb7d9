// Golden byte vectors for every USB/IP message, written by hand from shared/docs/usbip.md
// (a summary of Linux Documentation/usb/usbip_protocol.rst). The expected bytes are spelled out
// literally or appended with the tiny local helpers below; they never come from
// mtk::wire::Writer or any other project encoder, so an encoder bug cannot hide behind a
// matching decoder bug.

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <variant>
#include <vector>

#include "mtk/wire/usbip.hpp"

#include "golden_bytes.hpp"

namespace {

namespace usbip = mtk::wire::usbip;
using Bytes = std::vector<std::uint8_t>;
using namespace mtk::test::golden;

template <class T, std::size_t N>
Bytes toBytes(const std::array<T, N>& a) {
  return Bytes(a.begin(), a.end());
}

constexpr const char* kPath = "/sys/devices/platform/vhci/usb1/1-1";

// The 312-byte device record of a MediaTek preloader exported as bus 1, device 2, high speed,
// spelled out field by field in the order usbip.md gives.
Bytes preloaderDeviceRecord(std::uint8_t numInterfaces) {
  Bytes b;
  text(b, kPath, 256);               // char path[256]
  text(b, "1-1", 32);                // char busid[32]
  put(b, {0x00, 0x00, 0x00, 0x01});  // u32 busnum 1
  put(b, {0x00, 0x00, 0x00, 0x02});  // u32 devnum 2
  put(b, {0x00, 0x00, 0x00, 0x03});  // u32 speed 3 = high
  put(b, {0x0e, 0x8d});              // u16 idVendor 0x0e8d
  put(b, {0x20, 0x00});              // u16 idProduct 0x2000
  put(b, {0x01, 0x00});              // u16 bcdDevice 0x0100
  put(b, {0x02});                    // bDeviceClass (CDC)
  put(b, {0x00});                    // bDeviceSubClass
  put(b, {0x00});                    // bDeviceProtocol
  put(b, {0x01});                    // bConfigurationValue
  put(b, {0x01});                    // bNumConfigurations
  put(b, {numInterfaces});           // bNumInterfaces
  return b;
}

usbip::DeviceRecord preloaderRecord() {
  usbip::DeviceRecord d;
  d.path = kPath;
  d.busid = "1-1";
  d.busnum = 1;
  d.devnum = 2;
  d.speed = usbip::Speed::High;
  d.idVendor = 0x0e8d;
  d.idProduct = 0x2000;
  d.bcdDevice = 0x0100;
  d.bDeviceClass = 0x02;
  d.bDeviceSubClass = 0x00;
  d.bDeviceProtocol = 0x00;
  d.bConfigurationValue = 1;
  d.bNumConfigurations = 1;
  d.bNumInterfaces = 2;
  d.interfaces = {{0x0a, 0x00, 0x00}, {0x02, 0x02, 0x01}};
  return d;
}

// The CMD_SUBMIT example of usbip.md: GET_DESCRIPTOR(device, 18) from a client that imported
// busnum 1 devnum 2.
const Bytes kGetDescriptorSubmit = {
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x02,  //
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,                          //
    0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x12, 0x00, 0x00, 0x00, 0x00,  //
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                          //
    0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00,
};

// Its reply header from usbip.md: RET_SUBMIT seq 1, devid/direction/ep 0, status 0,
// actual_length 18, start_frame 0, number_of_packets 0, error_count 0, 8 bytes padding.
const Bytes kGetDescriptorReturn = {
    0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,  //
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                          //
    0x00, 0x00, 0x00, 0x00,                                                  // status 0
    0x00, 0x00, 0x00, 0x12,                                                  // actual_length 18
    0x00, 0x00, 0x00, 0x00,                                                  // start_frame
    0x00, 0x00, 0x00, 0x00,                                                  // number_of_packets
    0x00, 0x00, 0x00, 0x00,                                                  // error_count
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                          // padding
};

usbip::CmdSubmit submitWith(std::uint32_t direction, std::int32_t length, std::int32_t packets) {
  usbip::CmdSubmit m;
  m.basic.command = usbip::CMD_SUBMIT;
  m.basic.seqnum = 7;
  m.basic.direction = direction;
  m.basic.ep = 1;
  m.transferBufferLength = length;
  m.numberOfPackets = packets;
  return m;
}

// ------------------------------------------------------------------------------------------
// Connection phase
// ------------------------------------------------------------------------------------------

TEST(UsbipGolden, OpReqDevlistIsTheEightBytesOfTheDoc) {
  const Bytes expected = {0x01, 0x11, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(usbip::encodeDevlistRequest(), expected);
}

TEST(UsbipGolden, OpHeaderDecodesDevlistRequest) {
  const Bytes golden = {0x01, 0x11, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00};
  auto h = usbip::decodeOpHeader(golden);
  ASSERT_TRUE(h.ok()) << h.error().describe();
  EXPECT_EQ(h->version, 0x0111);
  EXPECT_EQ(h->code, 0x8005);
  EXPECT_EQ(h->status, 0u);
}

TEST(UsbipGolden, OpHeaderEncodesStatusBigEndian) {
  Bytes out;
  usbip::encodeOpHeader(out, {0x0111, 0x0003, 0x01020304});
  const Bytes expected = {0x01, 0x11, 0x00, 0x03, 0x01, 0x02, 0x03, 0x04};
  EXPECT_EQ(out, expected);
}

TEST(UsbipGolden, OpHeaderRejectsWrongVersion) {
  const Bytes v110 = {0x01, 0x10, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00};
  EXPECT_FALSE(usbip::decodeOpHeader(v110).ok());
  const Bytes littleEndian = {0x11, 0x01, 0x05, 0x80, 0x00, 0x00, 0x00, 0x00};
  EXPECT_FALSE(usbip::decodeOpHeader(littleEndian).ok());
  const Bytes zero = {0x00, 0x00, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00};
  EXPECT_FALSE(usbip::decodeOpHeader(zero).ok());
}

TEST(UsbipGolden, OpHeaderRejectsShortInput) {
  const Bytes seven = {0x01, 0x11, 0x80, 0x05, 0x00, 0x00, 0x00};
  EXPECT_FALSE(usbip::decodeOpHeader(seven).ok());
  EXPECT_FALSE(usbip::decodeOpHeader(Bytes{}).ok());
}

TEST(UsbipGolden, OpReqImportFor1Dash1) {
  // 01 11 80 03 00 00 00 00 31 2d 31 followed by 29 zero bytes (usbip.md).
  Bytes expected = {0x01, 0x11, 0x80, 0x03, 0x00, 0x00, 0x00, 0x00, 0x31, 0x2d, 0x31};
  zeros(expected, 29);
  ASSERT_EQ(expected.size(), 40u);
  EXPECT_EQ(usbip::encodeImportRequest("1-1"), expected);
}

TEST(UsbipGolden, OpReqImportTruncatesAnOverlongBusidAndKeepsTheNul) {
  const std::string longBusid(40, 'x');
  Bytes expected = {0x01, 0x11, 0x80, 0x03, 0x00, 0x00, 0x00, 0x00};
  expected.insert(expected.end(), 31, 'x');
  expected.push_back(0x00);
  EXPECT_EQ(usbip::encodeImportRequest(longBusid), expected);
}

TEST(UsbipGolden, DeviceRecordIs312BytesFieldByField) {
  const Bytes expected = preloaderDeviceRecord(2);
  ASSERT_EQ(expected.size(), 312u);
  // Spot checks on the hand-written vector itself, so a helper slip shows up here.
  EXPECT_EQ(expected[256], '1');       // busid starts after path[256]
  EXPECT_EQ(expected[288 + 3], 0x01);  // busnum low byte
  EXPECT_EQ(expected[296 + 3], 0x03);  // speed low byte
  EXPECT_EQ(expected[300], 0x0e);      // idVendor high byte
  EXPECT_EQ(expected[311], 0x02);      // bNumInterfaces is the last byte

  Bytes out;
  usbip::encodeDeviceRecord(out, preloaderRecord());
  EXPECT_EQ(out, expected);
}

TEST(UsbipGolden, DevidIsBusnumShiftedLeft16OrDevnum) {
  usbip::DeviceRecord d;
  d.busnum = 1;
  d.devnum = 2;
  EXPECT_EQ(d.devid(), 0x00010002u);
}

Bytes goldenDevlistReply() {
  Bytes b = {0x01, 0x11, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00};  // OP_REP_DEVLIST, status 0
  put(b, {0x00, 0x00, 0x00, 0x01});                            // n = 1 device
  Bytes record = preloaderDeviceRecord(2);
  b.insert(b.end(), record.begin(), record.end());
  put(b, {0x0a, 0x00, 0x00, 0x00});  // interface 0: CDC data, padding
  put(b, {0x02, 0x02, 0x01, 0x00});  // interface 1: CDC comm / ACM / AT, padding
  return b;
}

TEST(UsbipGolden, OpRepDevlistOneDeviceTwoInterfaces) {
  const Bytes expected = goldenDevlistReply();
  ASSERT_EQ(expected.size(), 8u + 4u + 312u + 2u * 4u);
  EXPECT_EQ(usbip::encodeDevlistReply({preloaderRecord()}), expected);
}

TEST(UsbipGolden, OpRepDevlistEmpty) {
  const Bytes expected = {0x01, 0x11, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(usbip::encodeDevlistReply({}), expected);
  auto devices = usbip::decodeDevlistReply(expected);
  ASSERT_TRUE(devices.ok()) << devices.error().describe();
  EXPECT_TRUE(devices->empty());
}

TEST(UsbipGolden, OpRepDevlistDecodesGoldenBytes) {
  const Bytes golden = goldenDevlistReply();
  auto devices = usbip::decodeDevlistReply(golden);
  ASSERT_TRUE(devices.ok()) << devices.error().describe();
  ASSERT_EQ(devices->size(), 1u);
  const auto& d = devices->front();
  EXPECT_EQ(d.path, kPath);
  EXPECT_EQ(d.busid, "1-1");
  EXPECT_EQ(d.busnum, 1u);
  EXPECT_EQ(d.devnum, 2u);
  EXPECT_EQ(d.speed, usbip::Speed::High);
  EXPECT_EQ(d.idVendor, 0x0e8d);
  EXPECT_EQ(d.idProduct, 0x2000);
  EXPECT_EQ(d.bcdDevice, 0x0100);
  EXPECT_EQ(d.bDeviceClass, 0x02);
  EXPECT_EQ(d.bDeviceSubClass, 0x00);
  EXPECT_EQ(d.bDeviceProtocol, 0x00);
  EXPECT_EQ(d.bConfigurationValue, 1);
  EXPECT_EQ(d.bNumConfigurations, 1);
  EXPECT_EQ(d.bNumInterfaces, 2);
  ASSERT_EQ(d.interfaces.size(), 2u);
  EXPECT_EQ(d.interfaces[0].bInterfaceClass, 0x0a);
  EXPECT_EQ(d.interfaces[0].bInterfaceSubClass, 0x00);
  EXPECT_EQ(d.interfaces[0].bInterfaceProtocol, 0x00);
  EXPECT_EQ(d.interfaces[1].bInterfaceClass, 0x02);
  EXPECT_EQ(d.interfaces[1].bInterfaceSubClass, 0x02);
  EXPECT_EQ(d.interfaces[1].bInterfaceProtocol, 0x01);
}

TEST(UsbipGolden, OpRepDevlistRejectsCountThatDoesNotFit) {
  // n = 0xffffffff and no records at all: must fail (and must not try to reserve 4G records).
  const Bytes huge = {0x01, 0x11, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff};
  EXPECT_FALSE(usbip::decodeDevlistReply(huge).ok());

  // n = 2 but only one record present.
  Bytes two = goldenDevlistReply();
  two[11] = 0x02;
  EXPECT_FALSE(usbip::decodeDevlistReply(two).ok());
}

TEST(UsbipGolden, OpRepDevlistRejectsTruncatedInput) {
  const Bytes golden = goldenDevlistReply();
  // Every strict prefix is malformed: no count, short count, short record, missing interfaces.
  for (std::size_t len :
       {std::size_t{0}, std::size_t{8}, std::size_t{10}, std::size_t{12}, std::size_t{12 + 311},
        std::size_t{12 + 312}, std::size_t{12 + 312 + 4}, golden.size() - 1}) {
    Bytes cut(golden.begin(), golden.begin() + static_cast<std::ptrdiff_t>(len));
    EXPECT_FALSE(usbip::decodeDevlistReply(cut).ok()) << "length " << len;
  }
}

TEST(UsbipGolden, OpRepDevlistRejectsWrongCodeOrStatus) {
  Bytes golden = goldenDevlistReply();
  Bytes wrongCode = golden;
  wrongCode[3] = 0x03;  // OP_REP_IMPORT
  EXPECT_FALSE(usbip::decodeDevlistReply(wrongCode).ok());
  Bytes failed = golden;
  failed[7] = 0x01;  // status 1
  EXPECT_FALSE(usbip::decodeDevlistReply(failed).ok());
  Bytes wrongVersion = golden;
  wrongVersion[1] = 0x10;
  EXPECT_FALSE(usbip::decodeDevlistReply(wrongVersion).ok());
}

TEST(UsbipGolden, OpRepImportSuccessIsHeaderAndRecordWithoutInterfaces) {
  Bytes expected = {0x01, 0x11, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00};
  Bytes record = preloaderDeviceRecord(2);
  expected.insert(expected.end(), record.begin(), record.end());
  ASSERT_EQ(expected.size(), 8u + 312u);

  const auto d = preloaderRecord();  // has interfaces; they must not be sent here
  EXPECT_EQ(usbip::encodeImportReply(0, &d), expected);

  // And the golden bytes decode back to the same device.
  auto h = usbip::decodeOpHeader(expected);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->code, 0x0003);
  EXPECT_EQ(h->status, 0u);
  auto rec = usbip::decodeDeviceRecord(mtk::wire::ByteSpan(expected).subspan(8));
  ASSERT_TRUE(rec.ok()) << rec.error().describe();
  EXPECT_EQ(rec->busid, "1-1");
  EXPECT_EQ(rec->devid(), 0x00010002u);
  EXPECT_EQ(rec->speed, usbip::Speed::High);
  EXPECT_EQ(rec->idProduct, 0x2000);
}

TEST(UsbipGolden, OpRepImportFailureIsHeaderOnlyWithStatus1) {
  const Bytes expected = {0x01, 0x11, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01};
  EXPECT_EQ(usbip::encodeImportReply(1, nullptr), expected);
  const auto d = preloaderRecord();
  EXPECT_EQ(usbip::encodeImportReply(1, &d), expected);  // record ignored on failure
}

TEST(UsbipGolden, DeviceRecordRejectsShortInput) {
  const Bytes record = preloaderDeviceRecord(0);
  Bytes cut(record.begin(), record.end() - 1);
  EXPECT_FALSE(usbip::decodeDeviceRecord(cut).ok());
}

// ------------------------------------------------------------------------------------------
// URB phase
// ------------------------------------------------------------------------------------------

TEST(UsbipGolden, CmdSubmitGetDescriptorEncodesToDocExample) {
  ASSERT_EQ(kGetDescriptorSubmit.size(), 48u);
  usbip::CmdSubmit m;
  m.basic.seqnum = 1;
  m.basic.devid = 0x00010002;
  m.basic.direction = usbip::kDirIn;
  m.basic.ep = 0;
  m.transferFlags = 0x200;
  m.transferBufferLength = 18;
  m.startFrame = 0;
  m.numberOfPackets = 0;
  m.interval = 0;
  m.setup = {0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00};
  EXPECT_EQ(toBytes(usbip::encode(m)), kGetDescriptorSubmit);
}

TEST(UsbipGolden, CmdSubmitGetDescriptorDecodesFromDocExample) {
  auto msg = usbip::decodeUrbHeader(kGetDescriptorSubmit);
  ASSERT_TRUE(msg.ok()) << msg.error().describe();
  ASSERT_TRUE(std::holds_alternative<usbip::CmdSubmit>(*msg));
  const auto& m = std::get<usbip::CmdSubmit>(*msg);
  EXPECT_EQ(m.basic.command, 1u);
  EXPECT_EQ(m.basic.seqnum, 1u);
  EXPECT_EQ(m.basic.devid, 0x00010002u);
  EXPECT_EQ(m.basic.direction, 1u);
  EXPECT_EQ(m.basic.ep, 0u);
  EXPECT_EQ(m.transferFlags, 0x200u);
  EXPECT_EQ(m.transferBufferLength, 18);
  EXPECT_EQ(m.startFrame, 0);
  EXPECT_EQ(m.numberOfPackets, 0);
  EXPECT_EQ(m.interval, 0);
  const std::array<std::uint8_t, 8> setup = {0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00};
  EXPECT_EQ(m.setup, setup);
  // IN transfer: nothing follows the header.
  auto payload = usbip::submitPayloadSize(m, 1 << 20);
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(*payload, 0u);
}

TEST(UsbipGolden, CmdSubmitSignedFieldsDecodeAsTwosComplement) {
  // Bulk OUT on ep 1, 0x0a bytes, number_of_packets 0xffffffff (the protocol text's "no ISO"),
  // interval 0xffffffff, start_frame 0x80000000.
  const Bytes golden = {
      0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x02,  //
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,                          //
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x80, 0x00, 0x00, 0x00,  //
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,                          //
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  };
  auto msg = usbip::decodeUrbHeader(golden);
  ASSERT_TRUE(msg.ok());
  const auto& m = std::get<usbip::CmdSubmit>(*msg);
  EXPECT_EQ(m.basic.seqnum, 0x100u);
  EXPECT_EQ(m.basic.direction, usbip::kDirOut);
  EXPECT_EQ(m.basic.ep, 1u);
  EXPECT_EQ(m.transferBufferLength, 10);
  EXPECT_EQ(m.startFrame, std::numeric_limits<std::int32_t>::min());
  EXPECT_EQ(m.numberOfPackets, -1);
  EXPECT_EQ(m.interval, -1);
  auto payload = usbip::submitPayloadSize(m, 1 << 20);
  ASSERT_TRUE(payload.ok());
  EXPECT_EQ(*payload, 10u);  // OUT data only, no ISO descriptors
  EXPECT_EQ(toBytes(usbip::encode(m)), golden);
}

TEST(UsbipGolden, RetSubmitEncodesToDocExample) {
  ASSERT_EQ(kGetDescriptorReturn.size(), 48u);
  usbip::RetSubmit m;
  m.basic.seqnum = 1;  // devid, direction, ep stay 0 in replies
  m.status = 0;
  m.actualLength = 18;
  m.startFrame = 0;
  m.numberOfPackets = 0;
  m.errorCount = 0;
  EXPECT_EQ(toBytes(usbip::encode(m)), kGetDescriptorReturn);
}

TEST(UsbipGolden, RetSubmitDecodesFromDocExample) {
  auto msg = usbip::decodeUrbHeader(kGetDescriptorReturn);
  ASSERT_TRUE(msg.ok()) << msg.error().describe();
  ASSERT_TRUE(std::holds_alternative<usbip::RetSubmit>(*msg));
  const auto& m = std::get<usbip::RetSubmit>(*msg);
  EXPECT_EQ(m.basic.command, 3u);
  EXPECT_EQ(m.basic.seqnum, 1u);
  EXPECT_EQ(m.basic.devid, 0u);
  EXPECT_EQ(m.basic.direction, 0u);
  EXPECT_EQ(m.basic.ep, 0u);
  EXPECT_EQ(m.status, 0);
  EXPECT_EQ(m.actualLength, 18);
  EXPECT_EQ(m.startFrame, 0);
  EXPECT_EQ(m.numberOfPackets, 0);
  EXPECT_EQ(m.errorCount, 0);
  // The 18 descriptor bytes follow for an IN URB; nothing follows for an OUT URB.
  auto in = usbip::retSubmitPayloadSize(m, usbip::kDirIn, 1 << 20);
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(*in, 18u);
  auto out = usbip::retSubmitPayloadSize(m, usbip::kDirOut, 1 << 20);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, 0u);
}

TEST(UsbipGolden, RetSubmitStallStatusIsMinus32) {
  usbip::RetSubmit m;
  m.basic.seqnum = 9;
  m.status = -usbip::kEPIPE;
  Bytes expected = {0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x09};
  zeros(expected, 12);
  put(expected, {0xff, 0xff, 0xff, 0xe0});  // -32
  zeros(expected, 24);
  EXPECT_EQ(toBytes(usbip::encode(m)), expected);
  auto msg = usbip::decodeUrbHeader(expected);
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(std::get<usbip::RetSubmit>(*msg).status, -32);
}

TEST(UsbipGolden, RetSubmitPayloadRejectsNegativeAndOverLimit) {
  usbip::RetSubmit m;
  m.actualLength = -1;
  EXPECT_FALSE(usbip::retSubmitPayloadSize(m, usbip::kDirIn, 1 << 20).ok());
  m.actualLength = 0x7fffffff;
  EXPECT_FALSE(usbip::retSubmitPayloadSize(m, usbip::kDirIn, 1 << 20).ok());
}

TEST(UsbipGolden, CmdUnlinkGolden) {
  // CMD_UNLINK seq 5 for devid 1-2, asking to unlink seq 4; 24 bytes padding.
  Bytes expected;
  put(expected, {0x00, 0x00, 0x00, 0x02});  // command
  put(expected, {0x00, 0x00, 0x00, 0x05});  // seqnum
  put(expected, {0x00, 0x01, 0x00, 0x02});  // devid
  put(expected, {0x00, 0x00, 0x00, 0x00});  // direction
  put(expected, {0x00, 0x00, 0x00, 0x00});  // ep
  put(expected, {0x00, 0x00, 0x00, 0x04});  // unlink_seqnum
  zeros(expected, 24);
  ASSERT_EQ(expected.size(), 48u);

  usbip::CmdUnlink m;
  m.basic.seqnum = 5;
  m.basic.devid = 0x00010002;
  m.unlinkSeqnum = 4;
  EXPECT_EQ(toBytes(usbip::encode(m)), expected);

  auto msg = usbip::decodeUrbHeader(expected);
  ASSERT_TRUE(msg.ok()) << msg.error().describe();
  ASSERT_TRUE(std::holds_alternative<usbip::CmdUnlink>(*msg));
  const auto& d = std::get<usbip::CmdUnlink>(*msg);
  EXPECT_EQ(d.basic.command, 2u);
  EXPECT_EQ(d.basic.seqnum, 5u);
  EXPECT_EQ(d.basic.devid, 0x00010002u);
  EXPECT_EQ(d.unlinkSeqnum, 4u);
}

TEST(UsbipGolden, RetUnlinkEconnresetGolden) {
  Bytes expected;
  put(expected, {0x00, 0x00, 0x00, 0x04});  // command RET_UNLINK
  put(expected, {0x00, 0x00, 0x00, 0x05});  // seqnum (of the CMD_UNLINK)
  zeros(expected, 12);                      // devid, direction, ep = 0
  put(expected, {0xff, 0xff, 0xff, 0x98});  // status -ECONNRESET = -104
  zeros(expected, 24);
  ASSERT_EQ(expected.size(), 48u);

  usbip::RetUnlink m;
  m.basic.seqnum = 5;
  m.status = -usbip::kECONNRESET;
  EXPECT_EQ(toBytes(usbip::encode(m)), expected);

  auto msg = usbip::decodeUrbHeader(expected);
  ASSERT_TRUE(msg.ok()) << msg.error().describe();
  ASSERT_TRUE(std::holds_alternative<usbip::RetUnlink>(*msg));
  const auto& d = std::get<usbip::RetUnlink>(*msg);
  EXPECT_EQ(d.basic.command, 4u);
  EXPECT_EQ(d.basic.seqnum, 5u);
  EXPECT_EQ(d.status, -104);
}

TEST(UsbipGolden, RetUnlinkStatusZeroWhenAlreadyCompleted) {
  Bytes expected = {0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x06};
  zeros(expected, 40);
  usbip::RetUnlink m;
  m.basic.seqnum = 6;
  m.status = 0;
  EXPECT_EQ(toBytes(usbip::encode(m)), expected);
}

TEST(UsbipGolden, ErrnoConstantsMatchLinux) {
  EXPECT_EQ(usbip::kEPIPE, 32);
  EXPECT_EQ(usbip::kEOVERFLOW, 75);
  EXPECT_EQ(usbip::kECONNRESET, 104);
  EXPECT_EQ(usbip::kESHUTDOWN, 108);
}

TEST(UsbipGolden, DecodeRejectsUnknownCommands) {
  for (std::uint8_t command : {0x00, 0x05, 0xff}) {
    Bytes golden = kGetDescriptorSubmit;
    golden[3] = command;
    EXPECT_FALSE(usbip::decodeUrbHeader(golden).ok()) << "command " << int(command);
  }
  Bytes highByte = kGetDescriptorSubmit;
  highByte[0] = 0x01;  // 0x01000001: a little-endian peer's CMD_SUBMIT
  EXPECT_FALSE(usbip::decodeUrbHeader(highByte).ok());
}

TEST(UsbipGolden, DecodeRejectsShortHeader) {
  Bytes cut(kGetDescriptorSubmit.begin(), kGetDescriptorSubmit.end() - 1);
  EXPECT_FALSE(usbip::decodeUrbHeader(cut).ok());
  EXPECT_FALSE(usbip::decodeUrbHeader(Bytes{}).ok());
}

// ------------------------------------------------------------------------------------------
// submitPayloadSize
// ------------------------------------------------------------------------------------------

constexpr std::size_t kLimit = 1 << 20;

TEST(UsbipPayload, OutLengthCounts) {
  auto n = usbip::submitPayloadSize(submitWith(usbip::kDirOut, 512, 0), kLimit);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 512u);
}

TEST(UsbipPayload, InLengthDoesNotCount) {
  auto n = usbip::submitPayloadSize(submitWith(usbip::kDirIn, 512, 0), kLimit);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
}

TEST(UsbipPayload, ZeroLengthOut) {
  auto n = usbip::submitPayloadSize(submitWith(usbip::kDirOut, 0, 0), kLimit);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
}

TEST(UsbipPayload, NegativeLengthRejected) {
  EXPECT_FALSE(usbip::submitPayloadSize(submitWith(usbip::kDirOut, -1, 0), kLimit).ok());
  EXPECT_FALSE(usbip::submitPayloadSize(
                   submitWith(usbip::kDirOut, std::numeric_limits<std::int32_t>::min(), 0), kLimit)
                   .ok());
  EXPECT_FALSE(usbip::submitPayloadSize(submitWith(usbip::kDirIn, -1, 0), kLimit).ok());
}

TEST(UsbipPayload, OverLimitRejected) {
  // usbip.md: a transfer_buffer_length of 0x7fffffff must not allocate 2 GiB.
  EXPECT_FALSE(usbip::submitPayloadSize(submitWith(usbip::kDirOut, 0x7fffffff, 0), kLimit).ok());
  EXPECT_FALSE(usbip::submitPayloadSize(submitWith(usbip::kDirOut, kLimit + 1, 0), kLimit).ok());
  auto atLimit = usbip::submitPayloadSize(submitWith(usbip::kDirOut, kLimit, 0), kLimit);
  ASSERT_TRUE(atLimit.ok());
  EXPECT_EQ(*atLimit, kLimit);
}

TEST(UsbipPayload, NumberOfPacketsZeroAndMinusOneMeanNoIso) {
  for (std::int32_t packets : {0, -1}) {
    auto out = usbip::submitPayloadSize(submitWith(usbip::kDirOut, 100, packets), kLimit);
    ASSERT_TRUE(out.ok()) << packets;
    EXPECT_EQ(*out, 100u) << packets;
    auto in = usbip::submitPayloadSize(submitWith(usbip::kDirIn, 100, packets), kLimit);
    ASSERT_TRUE(in.ok()) << packets;
    EXPECT_EQ(*in, 0u) << packets;
  }
  // Decoded from the wire: 0xffffffff is the protocol text's value for "not ISO".
  Bytes golden = kGetDescriptorSubmit;
  golden[32] = golden[33] = golden[34] = golden[35] = 0xff;
  auto msg = usbip::decodeUrbHeader(golden);
  ASSERT_TRUE(msg.ok());
  auto n = usbip::submitPayloadSize(std::get<usbip::CmdSubmit>(*msg), kLimit);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0u);
}

TEST(UsbipPayload, IsoDescriptorsAre16BytesEach) {
  EXPECT_EQ(usbip::kIsoDescriptorSize, 16u);
  auto in = usbip::submitPayloadSize(submitWith(usbip::kDirIn, 3000, 3), kLimit);
  ASSERT_TRUE(in.ok());
  EXPECT_EQ(*in, 3u * 16u);  // IN: descriptors only
  auto out = usbip::submitPayloadSize(submitWith(usbip::kDirOut, 10, 2), kLimit);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, 10u + 2u * 16u);  // OUT: data, then descriptors
  auto one = usbip::submitPayloadSize(submitWith(usbip::kDirOut, 0, 1), kLimit);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, 16u);
}

TEST(UsbipPayload, NegativePacketCountOtherThanMinusOneRejected) {
  EXPECT_FALSE(usbip::submitPayloadSize(submitWith(usbip::kDirIn, 0, -2), kLimit).ok());
  EXPECT_FALSE(usbip::submitPayloadSize(
                   submitWith(usbip::kDirIn, 0, std::numeric_limits<std::int32_t>::min()), kLimit)
                   .ok());
}

TEST(UsbipPayload, IsoOverLimitRejected) {
  // 0x7fffffff packets * 16 bytes must be refused, not multiplied into a huge allocation.
  EXPECT_FALSE(usbip::submitPayloadSize(submitWith(usbip::kDirIn, 0, 0x7fffffff), kLimit).ok());
  // Data plus descriptors together above the limit.
  EXPECT_FALSE(usbip::submitPayloadSize(submitWith(usbip::kDirOut, kLimit, 1), kLimit).ok());
  EXPECT_FALSE(usbip::submitPayloadSize(submitWith(usbip::kDirOut, kLimit - 15, 1), kLimit).ok());
  auto exact = usbip::submitPayloadSize(submitWith(usbip::kDirOut, kLimit - 16, 1), kLimit);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(*exact, kLimit);
}

}  // namespace
