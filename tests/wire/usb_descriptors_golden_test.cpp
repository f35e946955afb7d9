// Golden byte vectors for USB 2.0 chapter 9 structures, CDC 1.10 functional descriptors and the
// MediaTek download-port descriptor set. Every expected byte is written by hand from the USB 2.0
// spec (tables 9-2, 9-8, 9-10, 9-12, 9-13, 9-15, 9-16), CDC 1.10 (tables 26, 27, 28, 33) and
// shared/docs/mtk-protocols.md §1.2 / §1.3 — never produced by the project's own encoders.

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "mtk/emu/mtk_descriptors.hpp"
#include "mtk/wire/usb.hpp"
#include "mtk/wire/usbip.hpp"

namespace {

namespace usb = mtk::wire::usb;
using Bytes = std::vector<std::uint8_t>;

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

template <std::size_t N>
Bytes toBytes(const std::array<std::uint8_t, N>& a) {
  return Bytes(a.begin(), a.end());
}

// ------------------------------------------------------------------------------------------
// Hand-written descriptors
// ------------------------------------------------------------------------------------------

// Device descriptor of a MediaTek preloader (mtk-protocols.md §1.1/§1.2): USB 2.00, class 02,
// EP0 64 bytes, 0e8d:2000, bcdDevice 1.00, strings 1/2, no serial, one configuration.
const Bytes kPreloaderDevice = {
    0x12,        // bLength 18
    0x01,        // bDescriptorType DEVICE
    0x00, 0x02,  // bcdUSB 2.00 (LE)
    0x02,        // bDeviceClass CDC
    0x00,        // bDeviceSubClass
    0x00,        // bDeviceProtocol
    0x40,        // bMaxPacketSize0 64
    0x8d, 0x0e,  // idVendor 0x0e8d (LE)
    0x00, 0x20,  // idProduct 0x2000 (LE)
    0x00, 0x01,  // bcdDevice 1.00 (LE)
    0x01,        // iManufacturer "MediaTek"
    0x02,        // iProduct "MT65xx Preloader"
    0x00,        // iSerialNumber none
    0x01,        // bNumConfigurations
};

// The configuration of §1.2, built from its parts. `bulk` is the bulk wMaxPacketSize
// (LE low byte, high byte): 512 = {0x00, 0x02}, 64 = {0x40, 0x00}. `type` is 0x02 for
// CONFIGURATION and 0x07 for OTHER_SPEED_CONFIGURATION.
Bytes mtkConfig(std::uint8_t bulkLo, std::uint8_t bulkHi, std::uint8_t type = 0x02) {
  const Bytes config = {
      0x09,        // bLength
      type,        // bDescriptorType
      0x43, 0x00,  // wTotalLength 67 = 9 + (9+7+7) + (9+5+4+5+5+7)
      0x02,        // bNumInterfaces
      0x01,        // bConfigurationValue
      0x03,        // iConfiguration: string 3 "USB CDC ACM for preloader"
      0xc0,        // bmAttributes: reserved bit 7 + self powered
      0xfa,        // bMaxPower 250 * 2 mA
  };
  const Bytes dataInterface = {
      0x09, 0x04,  // INTERFACE
      0x00,        // bInterfaceNumber 0
      0x00,        // bAlternateSetting
      0x02,        // bNumEndpoints
      0x0a,        // bInterfaceClass CDC Data
      0x00, 0x00,  // subclass, protocol
      0x04,        // iInterface: string 4 "CDC ACM Data Interface"
  };
  const Bytes bulkOut = {0x07, 0x05, 0x01, 0x02, bulkLo, bulkHi, 0x00};  // EP 0x01 bulk OUT
  const Bytes bulkIn = {0x07, 0x05, 0x81, 0x02, bulkLo, bulkHi, 0x00};   // EP 0x81 bulk IN
  const Bytes commInterface = {
      0x09, 0x04,  // INTERFACE
      0x01,        // bInterfaceNumber 1
      0x00,        // bAlternateSetting
      0x01,        // bNumEndpoints
      0x02,        // bInterfaceClass CDC Communication
      0x02,        // bInterfaceSubClass ACM
      0x01,        // bInterfaceProtocol AT commands (V.250)
      0x05,        // iInterface: string 5 "CDC ACM Communication Interface"
  };
  // CDC functional descriptors, bDescriptorType CS_INTERFACE 0x24, in the order of §1.2
  // (which is also the order PL-6735 usbd.c emits them: header, ACM, union, call management).
  const Bytes header = {0x05, 0x24, 0x00, 0x10, 0x01};    // subtype 0 header, bcdCDC 1.10 (LE)
  const Bytes acm = {0x04, 0x24, 0x02, 0x0f};             // subtype 2 ACM, bmCapabilities 0x0f
  const Bytes unionFn = {0x05, 0x24, 0x06, 0x01, 0x00};   // subtype 6 union, master 1, slave 0
  const Bytes callMgmt = {0x05, 0x24, 0x01, 0x03, 0x00};  // subtype 1 call mgmt, caps 3, data 0
  const Bytes interruptIn = {0x07, 0x05, 0x83, 0x03, 0x40, 0x00, 0x10};  // EP 0x83 int IN 64, 16
  return concat({config, dataInterface, bulkOut, bulkIn, commInterface, header, acm, unionFn,
                 callMgmt, interruptIn});
}

const Bytes kCdcFunctionals = {0x05, 0x24, 0x00, 0x10, 0x01, 0x04, 0x24, 0x02, 0x0f, 0x05,
                               0x24, 0x06, 0x01, 0x00, 0x05, 0x24, 0x01, 0x03, 0x00};

// ------------------------------------------------------------------------------------------
// Setup packet
// ------------------------------------------------------------------------------------------

TEST(UsbGolden, SetupPacketGetDeviceDescriptorEncodes) {
  usb::SetupPacket s;
  s.bmRequestType = 0x80;
  s.bRequest = usb::GET_DESCRIPTOR;
  s.wValue = 0x0100;  // type DEVICE in the high byte, index 0
  s.wIndex = 0;
  s.wLength = 18;
  const std::array<std::uint8_t, 8> expected = {0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00};
  EXPECT_EQ(s.encode(), expected);
}

TEST(UsbGolden, SetupPacketGetDeviceDescriptorDecodes) {
  const std::array<std::uint8_t, 8> golden = {0x80, 0x06, 0x00, 0x01, 0x00, 0x00, 0x12, 0x00};
  auto s = usb::SetupPacket::decode(golden);
  EXPECT_EQ(s.bmRequestType, 0x80);
  EXPECT_EQ(s.bRequest, 0x06);
  EXPECT_EQ(s.wValue, 0x0100);
  EXPECT_EQ(s.wIndex, 0x0000);
  EXPECT_EQ(s.wLength, 18);
  EXPECT_TRUE(s.isIn());
  EXPECT_EQ(s.type(), usb::kTypeStandard);
  EXPECT_EQ(s.recipient(), usb::kRecipientDevice);
}

TEST(UsbGolden, SetupPacketCdcRequestsFromMtkclient) {
  // mtk-protocols.md §1.3: SET_LINE_CODING 21 20, wValue 0, wIndex 0, wLength 7.
  const std::array<std::uint8_t, 8> lineCoding = {0x21, 0x20, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00};
  auto a = usb::SetupPacket::decode(lineCoding);
  EXPECT_FALSE(a.isIn());
  EXPECT_EQ(a.type(), usb::kTypeClass);
  EXPECT_EQ(a.recipient(), usb::kRecipientInterface);
  EXPECT_EQ(a.bRequest, usb::CDC_SET_LINE_CODING);
  EXPECT_EQ(a.wLength, 7);
  EXPECT_EQ(a.encode(), lineCoding);

  // SET_CONTROL_LINE_STATE 21 22, wValue 0x0002 (RTS=1, DTR=0), no data.
  const std::array<std::uint8_t, 8> lineState = {0x21, 0x22, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00};
  auto b = usb::SetupPacket::decode(lineState);
  EXPECT_EQ(b.bRequest, usb::CDC_SET_CONTROL_LINE_STATE);
  EXPECT_EQ(b.wValue, 0x0002);
  EXPECT_EQ(b.wLength, 0);
  EXPECT_EQ(b.encode(), lineState);
}

TEST(UsbGolden, SetupPacketFieldsAreLittleEndian) {
  const std::array<std::uint8_t, 8> golden = {0x02, 0x01, 0x34, 0x12, 0x81, 0x00, 0xcd, 0xab};
  auto s = usb::SetupPacket::decode(golden);
  EXPECT_EQ(s.wValue, 0x1234);
  EXPECT_EQ(s.wIndex, 0x0081);
  EXPECT_EQ(s.wLength, 0xabcd);
  EXPECT_EQ(s.recipient(), usb::kRecipientEndpoint);
  EXPECT_EQ(s.encode(), golden);
}

// ------------------------------------------------------------------------------------------
// Device, string and language descriptors
// ------------------------------------------------------------------------------------------

usb::DeviceDescriptor preloaderDevice() {
  usb::DeviceDescriptor d;
  d.bcdUSB = 0x0200;
  d.bDeviceClass = 0x02;
  d.bDeviceSubClass = 0x00;
  d.bDeviceProtocol = 0x00;
  d.bMaxPacketSize0 = 64;
  d.idVendor = 0x0e8d;
  d.idProduct = 0x2000;
  d.bcdDevice = 0x0100;
  d.iManufacturer = 1;
  d.iProduct = 2;
  d.iSerialNumber = 0;
  d.bNumConfigurations = 1;
  return d;
}

TEST(UsbGolden, DeviceDescriptorPreloaderEncodes) {
  ASSERT_EQ(kPreloaderDevice.size(), 18u);
  EXPECT_EQ(usb::encodeDeviceDescriptor(preloaderDevice()), kPreloaderDevice);
}

TEST(UsbGolden, DeviceDescriptorPreloaderParses) {
  auto d = usb::parseDeviceDescriptor(kPreloaderDevice);
  ASSERT_TRUE(d.ok()) << d.error().describe();
  EXPECT_EQ(d->bcdUSB, 0x0200);
  EXPECT_EQ(d->bDeviceClass, 0x02);
  EXPECT_EQ(d->bDeviceSubClass, 0x00);
  EXPECT_EQ(d->bDeviceProtocol, 0x00);
  EXPECT_EQ(d->bMaxPacketSize0, 64);
  EXPECT_EQ(d->idVendor, 0x0e8d);
  EXPECT_EQ(d->idProduct, 0x2000);
  EXPECT_EQ(d->bcdDevice, 0x0100);
  EXPECT_EQ(d->iManufacturer, 1);
  EXPECT_EQ(d->iProduct, 2);
  EXPECT_EQ(d->iSerialNumber, 0);
  EXPECT_EQ(d->bNumConfigurations, 1);
}

TEST(UsbGolden, DeviceDescriptorParseRejectsMalformed) {
  Bytes shortOne(kPreloaderDevice.begin(), kPreloaderDevice.end() - 1);
  EXPECT_FALSE(usb::parseDeviceDescriptor(shortOne).ok());
  Bytes wrongType = kPreloaderDevice;
  wrongType[1] = 0x02;
  EXPECT_FALSE(usb::parseDeviceDescriptor(wrongType).ok());
  Bytes wrongLength = kPreloaderDevice;
  wrongLength[0] = 0x11;
  EXPECT_FALSE(usb::parseDeviceDescriptor(wrongLength).ok());
}

TEST(UsbGolden, DeviceQualifierForHighSpeedPort) {
  // USB 2.0 table 9-9: 10 bytes, type 6, bcdUSB, class/sub/proto, other-speed EP0 size,
  // bNumConfigurations, reserved 0. §1.2 says the preloader's qualifier reports 16 for FS EP0.
  const Bytes expected = {0x0a, 0x06, 0x00, 0x02, 0x02, 0x00, 0x00, 0x10, 0x01, 0x00};
  EXPECT_EQ(usb::encodeDeviceQualifier(preloaderDevice(), 16), expected);
}

TEST(UsbGolden, StringDescriptorMediaTek) {
  const Bytes expected = {
      0x12, 0x03,                                   // bLength 18, STRING
      'M',  0x00, 'e', 0x00, 'd', 0x00, 'i', 0x00,  // UTF-16LE
      'a',  0x00, 'T', 0x00, 'e', 0x00, 'k', 0x00,
  };
  ASSERT_EQ(expected.size(), 18u);
  EXPECT_EQ(usb::encodeStringDescriptor("MediaTek"), expected);
  auto s = usb::parseStringDescriptor(expected);
  ASSERT_TRUE(s.ok()) << s.error().describe();
  EXPECT_EQ(*s, "MediaTek");
}

TEST(UsbGolden, StringDescriptorNonAsciiBmp) {
  // U+00E9 (UTF-8 c3 a9) and U+20AC (UTF-8 e2 82 ac) as UTF-16LE code units.
  const Bytes expected = {0x06, 0x03, 0xe9, 0x00, 0xac, 0x20};
  EXPECT_EQ(usb::encodeStringDescriptor("\xc3\xa9\xe2\x82\xac"), expected);
  auto s = usb::parseStringDescriptor(expected);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "\xc3\xa9\xe2\x82\xac");
}

TEST(UsbGolden, StringDescriptorEmpty) {
  const Bytes expected = {0x02, 0x03};
  EXPECT_EQ(usb::encodeStringDescriptor(""), expected);
  auto s = usb::parseStringDescriptor(expected);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "");
}

TEST(UsbGolden, StringDescriptorParseRejectsMalformed) {
  const Bytes wrongType = {0x04, 0x02, 'A', 0x00};
  EXPECT_FALSE(usb::parseStringDescriptor(wrongType).ok());
  const Bytes lengthPastEnd = {0x06, 0x03, 'A', 0x00};
  EXPECT_FALSE(usb::parseStringDescriptor(lengthPastEnd).ok());
  const Bytes oneByte = {0x02};
  EXPECT_FALSE(usb::parseStringDescriptor(oneByte).ok());
}

TEST(UsbGolden, LanguageIdDescriptorEnglishUs) {
  const Bytes expected = {0x04, 0x03, 0x09, 0x04};
  EXPECT_EQ(usb::encodeLanguageIds({0x0409}), expected);
}

// ------------------------------------------------------------------------------------------
// Configuration descriptor
// ------------------------------------------------------------------------------------------

TEST(UsbGolden, HandWrittenMtkConfigIs67Bytes) {
  const Bytes hs = mtkConfig(0x00, 0x02);
  ASSERT_EQ(hs.size(), 67u);
  EXPECT_EQ(hs[2] | hs[3] << 8, 67);  // wTotalLength agrees with the bytes
}

TEST(UsbGolden, ConfigDescriptorParsesHandWrittenBytes) {
  const Bytes golden = mtkConfig(0x00, 0x02);
  auto c = usb::parseConfigDescriptor(golden);
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(c->bConfigurationValue, 1);
  EXPECT_EQ(c->iConfiguration, 3);
  EXPECT_EQ(c->bmAttributes, 0xc0);
  EXPECT_EQ(c->bMaxPower, 0xfa);
  ASSERT_EQ(c->interfaces.size(), 2u);

  const auto& data = c->interfaces[0];
  EXPECT_EQ(data.bInterfaceNumber, 0);
  EXPECT_EQ(data.bAlternateSetting, 0);
  EXPECT_EQ(data.bInterfaceClass, 0x0a);
  EXPECT_EQ(data.bInterfaceSubClass, 0x00);
  EXPECT_EQ(data.bInterfaceProtocol, 0x00);
  EXPECT_EQ(data.iInterface, 4);
  EXPECT_TRUE(data.classSpecific.empty());
  ASSERT_EQ(data.endpoints.size(), 2u);
  EXPECT_EQ(data.endpoints[0].bEndpointAddress, 0x01);
  EXPECT_FALSE(data.endpoints[0].isIn());
  EXPECT_EQ(data.endpoints[0].transferType(), usb::kEpBulk);
  EXPECT_EQ(data.endpoints[0].wMaxPacketSize, 512);
  EXPECT_EQ(data.endpoints[1].bEndpointAddress, 0x81);
  EXPECT_TRUE(data.endpoints[1].isIn());
  EXPECT_EQ(data.endpoints[1].transferType(), usb::kEpBulk);
  EXPECT_EQ(data.endpoints[1].wMaxPacketSize, 512);

  const auto& comm = c->interfaces[1];
  EXPECT_EQ(comm.bInterfaceNumber, 1);
  EXPECT_EQ(comm.bInterfaceClass, 0x02);
  EXPECT_EQ(comm.bInterfaceSubClass, 0x02);
  EXPECT_EQ(comm.bInterfaceProtocol, 0x01);
  EXPECT_EQ(comm.iInterface, 5);
  EXPECT_EQ(comm.classSpecific, kCdcFunctionals);
  ASSERT_EQ(comm.endpoints.size(), 1u);
  EXPECT_EQ(comm.endpoints[0].bEndpointAddress, 0x83);
  EXPECT_EQ(comm.endpoints[0].transferType(), usb::kEpInterrupt);
  EXPECT_EQ(comm.endpoints[0].wMaxPacketSize, 64);
  EXPECT_EQ(comm.endpoints[0].bInterval, 0x10);
}

TEST(UsbGolden, ConfigDescriptorRoundTripIsByteExact) {
  for (const Bytes& golden : {mtkConfig(0x00, 0x02), mtkConfig(0x40, 0x00)}) {
    auto c = usb::parseConfigDescriptor(golden);
    ASSERT_TRUE(c.ok()) << c.error().describe();
    EXPECT_EQ(usb::encodeConfigDescriptor(*c), golden);
  }
}

TEST(UsbGolden, OtherSpeedConfigParsesAndEncodesWithType7) {
  const Bytes golden = mtkConfig(0x40, 0x00, 0x07);
  auto c = usb::parseConfigDescriptor(golden);
  ASSERT_TRUE(c.ok()) << c.error().describe();
  EXPECT_EQ(usb::encodeConfigDescriptor(*c, usb::DT_OTHER_SPEED_CONFIG), golden);
}

TEST(UsbGolden, ConfigDescriptorParseRejectsMalformed) {
  const Bytes golden = mtkConfig(0x00, 0x02);
  // wTotalLength larger than the bytes given.
  Bytes truncated(golden.begin(), golden.end() - 1);
  EXPECT_FALSE(usb::parseConfigDescriptor(truncated).ok());
  // A descriptor whose bLength runs past wTotalLength.
  Bytes overrun = golden;
  overrun[golden.size() - 7] = 0x08;  // last endpoint claims 8 bytes
  EXPECT_FALSE(usb::parseConfigDescriptor(overrun).ok());
  // A zero-length descriptor (would loop forever if accepted).
  Bytes zeroLength = golden;
  zeroLength[9] = 0x00;
  EXPECT_FALSE(usb::parseConfigDescriptor(zeroLength).ok());
  // Wrong descriptor type.
  Bytes wrongType = golden;
  wrongType[1] = 0x01;
  EXPECT_FALSE(usb::parseConfigDescriptor(wrongType).ok());
  // Endpoint before any interface.
  const Bytes orphanEndpoint = {0x09, 0x02, 0x10, 0x00, 0x00, 0x01, 0x00, 0x80,
                                0x32, 0x07, 0x05, 0x81, 0x02, 0x40, 0x00, 0x00};
  EXPECT_FALSE(usb::parseConfigDescriptor(orphanEndpoint).ok());
}

// ------------------------------------------------------------------------------------------
// findBulkPipe
// ------------------------------------------------------------------------------------------

TEST(UsbGolden, FindBulkPipeOnMtkConfig) {
  auto c = usb::parseConfigDescriptor(mtkConfig(0x00, 0x02));
  ASSERT_TRUE(c.ok());
  auto p = usb::findBulkPipe(*c);
  ASSERT_TRUE(p.ok()) << p.error().describe();
  EXPECT_EQ(p->interfaceNumber, 0);
  EXPECT_EQ(p->epOut, 0x01);
  EXPECT_EQ(p->epIn, 0x81);
  EXPECT_EQ(p->maxPacketSize, 512);
  EXPECT_TRUE(p->hasCommInterface);
  EXPECT_EQ(p->commInterface, 1);
}

TEST(UsbGolden, FindBulkPipePicksTheCdcDataInterfaceNotTheFirstBulkOne) {
  // Interface 0: vendor class ff with bulk 0x02/0x82 (64). Interface 1: CDC comm with an
  // interrupt IN. Interface 2: CDC data 0a with bulk 0x83/0x03 (512). mtkclient (§1.3) picks
  // the first interface whose class is 0x0a.
  const Bytes golden = {
      0x09, 0x02, 0x51, 0x00, 0x03, 0x01, 0x00, 0x80, 0x32,  // config, 81 bytes, 3 interfaces
      0x09, 0x04, 0x00, 0x00, 0x02, 0xff, 0x00, 0x00, 0x00,  // if 0 vendor
      0x07, 0x05, 0x02, 0x02, 0x40, 0x00, 0x00,              //   bulk OUT 0x02
      0x07, 0x05, 0x82, 0x02, 0x40, 0x00, 0x00,              //   bulk IN 0x82
      0x09, 0x04, 0x01, 0x00, 0x01, 0x02, 0x02, 0x01, 0x00,  // if 1 CDC comm
      0x05, 0x24, 0x00, 0x10, 0x01,                          //   header
      0x05, 0x24, 0x06, 0x01, 0x02,                          //   union master 1 slave 2
      0x07, 0x05, 0x84, 0x03, 0x10, 0x00, 0x10,              //   interrupt IN 0x84
      0x09, 0x04, 0x02, 0x00, 0x02, 0x0a, 0x00, 0x00, 0x00,  // if 2 CDC data
      0x07, 0x05, 0x83, 0x02, 0x00, 0x02, 0x00,              //   bulk IN 0x83 (IN listed first)
      0x07, 0x05, 0x03, 0x02, 0x00, 0x02, 0x00,              //   bulk OUT 0x03
  };
  ASSERT_EQ(golden.size(), 0x51u);
  auto c = usb::parseConfigDescriptor(golden);
  ASSERT_TRUE(c.ok()) << c.error().describe();
  ASSERT_EQ(c->interfaces.size(), 3u);
  auto p = usb::findBulkPipe(*c);
  ASSERT_TRUE(p.ok()) << p.error().describe();
  EXPECT_EQ(p->interfaceNumber, 2);
  EXPECT_EQ(p->epIn, 0x83);
  EXPECT_EQ(p->epOut, 0x03);
  EXPECT_EQ(p->maxPacketSize, 512);
  EXPECT_TRUE(p->hasCommInterface);
  EXPECT_EQ(p->commInterface, 1);
}

TEST(UsbGolden, FindBulkPipeFallsBackToFirstBulkPairWithoutCdcData) {
  const Bytes golden = {
      0x09, 0x02, 0x20, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32,  // config, 32 bytes
      0x09, 0x04, 0x00, 0x00, 0x02, 0xff, 0x00, 0x00, 0x00,  // vendor interface
      0x07, 0x05, 0x81, 0x02, 0x40, 0x00, 0x00,              // bulk IN 0x81
      0x07, 0x05, 0x01, 0x02, 0x40, 0x00, 0x00,              // bulk OUT 0x01
  };
  auto c = usb::parseConfigDescriptor(golden);
  ASSERT_TRUE(c.ok());
  auto p = usb::findBulkPipe(*c);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->interfaceNumber, 0);
  EXPECT_EQ(p->epIn, 0x81);
  EXPECT_EQ(p->epOut, 0x01);
  EXPECT_EQ(p->maxPacketSize, 64);
  EXPECT_FALSE(p->hasCommInterface);
}

TEST(UsbGolden, FindBulkPipeFailsWithoutBulkPair) {
  const Bytes golden = {
      0x09, 0x02, 0x19, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32,  // config, 25 bytes
      0x09, 0x04, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x00,  // CDC data with only an IN
      0x07, 0x05, 0x81, 0x02, 0x40, 0x00, 0x00,
  };
  auto c = usb::parseConfigDescriptor(golden);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(usb::findBulkPipe(*c).ok());
}

// ------------------------------------------------------------------------------------------
// CDC line coding
// ------------------------------------------------------------------------------------------

TEST(UsbGolden, LineCoding921600_8N1) {
  // mtk-protocols.md §1.3: 00 10 0E 00 | 00 | 00 | 08 = 921600 baud, 1 stop bit, no parity, 8.
  const std::array<std::uint8_t, 7> golden = {0x00, 0x10, 0x0e, 0x00, 0x00, 0x00, 0x08};
  usb::LineCoding lc;
  lc.baud = 921600;
  lc.stopBits = 0;
  lc.parity = 0;
  lc.dataBits = 8;
  EXPECT_EQ(usb::encodeLineCoding(lc), golden);

  auto d = usb::decodeLineCoding(golden);
  EXPECT_EQ(d.baud, 921600u);
  EXPECT_EQ(d.stopBits, 0);
  EXPECT_EQ(d.parity, 0);
  EXPECT_EQ(d.dataBits, 8);
}

TEST(UsbGolden, LineCodingShortInputReadsMissingBytesAsZero) {
  const Bytes four = {0x00, 0xc2, 0x01, 0x00};  // 115200, then nothing
  auto d = usb::decodeLineCoding(four);
  EXPECT_EQ(d.baud, 115200u);
  EXPECT_EQ(d.stopBits, 0);
  EXPECT_EQ(d.parity, 0);
  EXPECT_EQ(d.dataBits, 0);
}

// ------------------------------------------------------------------------------------------
// The emulator's MediaTek descriptor set (§1.2)
// ------------------------------------------------------------------------------------------

TEST(MtkDescriptorsGolden, PreloaderHighSpeedConfigMatchesDoc) {
  const auto d = mtk::emu::mtkCdcDescriptors({});
  EXPECT_EQ(d.speed, mtk::wire::usbip::Speed::High);
  EXPECT_EQ(usb::encodeConfigDescriptor(d.config), mtkConfig(0x00, 0x02));
}

TEST(MtkDescriptorsGolden, PreloaderFunctionalDescriptorsInDocOrder) {
  // Checked on its own so a mismatch points straight at the CDC functional bytes.
  const auto d = mtk::emu::mtkCdcDescriptors({});
  ASSERT_EQ(d.config.interfaces.size(), 2u);
  EXPECT_EQ(d.config.interfaces[1].classSpecific, kCdcFunctionals);
}

TEST(MtkDescriptorsGolden, PreloaderDeviceDescriptorMatchesDoc) {
  const auto d = mtk::emu::mtkCdcDescriptors({});
  EXPECT_EQ(usb::encodeDeviceDescriptor(d.device), kPreloaderDevice);
}

TEST(MtkDescriptorsGolden, PreloaderOtherSpeedConfigIsFullSpeed) {
  const auto d = mtk::emu::mtkCdcDescriptors({});
  ASSERT_TRUE(d.otherSpeedConfig.has_value());
  EXPECT_EQ(usb::encodeConfigDescriptor(*d.otherSpeedConfig, usb::DT_OTHER_SPEED_CONFIG),
            mtkConfig(0x40, 0x00, 0x07));
}

TEST(MtkDescriptorsGolden, PreloaderQualifierReportsEp0Of16AtFullSpeed) {
  // §1.2: "bMaxPacketSize0 64 (device qualifier says 16 for FS)".
  const auto d = mtk::emu::mtkCdcDescriptors({});
  EXPECT_EQ(d.otherSpeedMaxPacket0, 16);
  const Bytes expected = {0x0a, 0x06, 0x00, 0x02, 0x02, 0x00, 0x00, 0x10, 0x01, 0x00};
  EXPECT_EQ(usb::encodeDeviceQualifier(d.device, d.otherSpeedMaxPacket0), expected);
}

TEST(MtkDescriptorsGolden, PreloaderStringsMatchDoc) {
  const auto d = mtk::emu::mtkCdcDescriptors({});
  const std::vector<std::string> expected = {"MediaTek", "MT65xx Preloader",
                                             "USB CDC ACM for preloader", "CDC ACM Data Interface",
                                             "CDC ACM Communication Interface"};
  EXPECT_EQ(d.strings, expected);
}

TEST(MtkDescriptorsGolden, BromFullSpeedHas64BytePacketsAndNoOtherSpeed) {
  mtk::emu::MtkPortIdentity id;
  id.pid = mtk::emu::kPidBrom;
  id.speed = mtk::wire::usbip::Speed::Full;
  const auto d = mtk::emu::mtkCdcDescriptors(id);
  EXPECT_EQ(d.speed, mtk::wire::usbip::Speed::Full);
  EXPECT_FALSE(d.otherSpeedConfig.has_value());
  EXPECT_EQ(usb::encodeConfigDescriptor(d.config), mtkConfig(0x40, 0x00));

  const Bytes device = {0x12, 0x01, 0x00, 0x02, 0x02, 0x00, 0x00, 0x40, 0x8d,
                        0x0e, 0x03, 0x00, 0x00, 0x01, 0x01, 0x02, 0x00, 0x01};
  EXPECT_EQ(usb::encodeDeviceDescriptor(d.device), device);
}

}  // namespace
