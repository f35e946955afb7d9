// CdcTransport's opening sequence, checked request by request with a mock UsbLink: what it
// asks the device and in which order, and what it does with broken answers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>

#include "mtk/emu/mtk_descriptors.hpp"
#include "mtk/flasher/cdc_transport.hpp"

namespace mtk::flasher {
namespace {

using ::testing::_;
using ::testing::InSequence;
using ::testing::Invoke;
using ::testing::Return;
using namespace mtk::wire::usb;

class MockLink : public UsbLink {
 public:
  MOCK_METHOD(Result<std::size_t>, control, (const SetupPacket&, wire::MutableByteSpan, Millis),
              (override));
  MOCK_METHOD(Result<std::size_t>, bulkOut, (std::uint8_t, wire::ByteSpan, Millis), (override));
  MOCK_METHOD(Result<std::size_t>, bulkIn, (std::uint8_t, wire::MutableByteSpan, Millis),
              (override));
  MOCK_METHOD(Status, setConfiguration, (std::uint8_t), (override));
  MOCK_METHOD(Status, claimInterface, (std::uint8_t), (override));
  MOCK_METHOD(std::string, location, (), (const, override));
  MOCK_METHOD(std::uint8_t, speed, (), (const, override));
  MOCK_METHOD(void, close, (), (override));
};

MATCHER_P3(IsRequest, type, request, value, "") {
  return arg.bmRequestType == type && arg.bRequest == request && arg.wValue == value;
}

// Answers an IN control request with `bytes` (truncated to the buffer).
auto answer(wire::Bytes bytes) {
  return Invoke(
      [bytes](const SetupPacket&, wire::MutableByteSpan buf, Millis) -> Result<std::size_t> {
        std::size_t n = std::min(buf.size(), bytes.size());
        std::memcpy(buf.data(), bytes.data(), n);
        return n;
      });
}

TEST(CdcTransportTest, OpensLikeRealToolsDo) {
  const auto d = emu::mtkCdcDescriptors({});
  const auto config = encodeConfigDescriptor(d.config);
  auto link = std::make_unique<MockLink>();
  MockLink& m = *link;
  ON_CALL(m, location()).WillByDefault(Return("mock:1"));
  ON_CALL(m, speed()).WillByDefault(Return(3));
  {
    InSequence seq;
    EXPECT_CALL(m, control(IsRequest(0x80, GET_DESCRIPTOR, 0x0100), _, _))
        .WillOnce(answer(encodeDeviceDescriptor(d.device)));
    EXPECT_CALL(m, control(IsRequest(0x80, GET_DESCRIPTOR, 0x0200), _, _)).WillOnce(answer(config));
    EXPECT_CALL(m, control(IsRequest(0x80, GET_DESCRIPTOR, 0x0200), _, _)).WillOnce(answer(config));
    EXPECT_CALL(m, setConfiguration(1)).WillOnce(Return(Status()));
    EXPECT_CALL(m, claimInterface(1)).WillOnce(Return(Status()));  // communication interface
    EXPECT_CALL(m, claimInterface(0)).WillOnce(Return(Status()));  // data interface
    // SET_LINE_CODING to the communication interface: 921600 baud, 1 stop bit, no parity, 8 bits.
    EXPECT_CALL(m, control(IsRequest(0x21, CDC_SET_LINE_CODING, 0), _, _))
        .WillOnce(Invoke(
            [](const SetupPacket& s, wire::MutableByteSpan b, Millis) -> Result<std::size_t> {
              EXPECT_EQ(s.wIndex, 1);
              EXPECT_EQ(wire::hexdump(b), "00 10 0e 00 00 00 08");
              return b.size();
            }));
    // SET_CONTROL_LINE_STATE with RTS and without DTR, as mtkclient sends.
    EXPECT_CALL(m, control(IsRequest(0x21, CDC_SET_CONTROL_LINE_STATE, 2), _, _))
        .WillOnce(Return(Result<std::size_t>(usbError(usb_errors::kPipe, "stall"))));  // ignored
    EXPECT_CALL(m, control(IsRequest(0x80, GET_DESCRIPTOR, 0x0301), _, _))
        .WillOnce(answer(encodeStringDescriptor("MediaTek")));
    EXPECT_CALL(m, control(IsRequest(0x80, GET_DESCRIPTOR, 0x0302), _, _))
        .WillOnce(answer(encodeStringDescriptor("MT65xx Preloader")));
  }
  auto t = CdcTransport::open(std::move(link));
  ASSERT_TRUE(t) << t.error().describe();
  EXPECT_EQ((*t)->identity().pid, 0x2000);
  EXPECT_EQ((*t)->identity().product, "MT65xx Preloader");
  EXPECT_EQ((*t)->pipe().epIn, 0x81);
  EXPECT_EQ((*t)->pipe().epOut, 0x01);

  // Data goes to the discovered endpoints.
  EXPECT_CALL(m, bulkOut(0x01, _, _)).WillOnce(Return(Result<std::size_t>(std::size_t{1})));
  const std::uint8_t a0 = 0xa0;
  EXPECT_TRUE((*t)->write(wire::ByteSpan(&a0, 1), Millis(100)));
  EXPECT_CALL(m, bulkOut(0x01, _, _)).WillOnce(Return(Result<std::size_t>(std::size_t{0})));
  auto short_write = (*t)->write(wire::ByteSpan(&a0, 1), Millis(100));
  EXPECT_FALSE(short_write) << "a device that takes fewer bytes than sent is an error";
}

TEST(CdcTransportTest, DeviceWithoutBulkPipeIsRefusedWithAHint) {
  DeviceDescriptor dev;
  dev.idVendor = 0x0e8d;
  dev.idProduct = 0x2000;
  ConfigDescriptor cfg;
  InterfaceDescriptor only;
  only.bInterfaceClass = kClassComm;
  only.endpoints = {{0x83, kEpInterrupt, 64, 16}};
  cfg.interfaces = {only};
  auto link = std::make_unique<MockLink>();
  MockLink& m = *link;
  ON_CALL(m, location()).WillByDefault(Return("mock:1"));
  EXPECT_CALL(m, control(IsRequest(0x80, GET_DESCRIPTOR, 0x0100), _, _))
      .WillOnce(answer(encodeDeviceDescriptor(dev)));
  EXPECT_CALL(m, control(IsRequest(0x80, GET_DESCRIPTOR, 0x0200), _, _))
      .Times(2)
      .WillRepeatedly(answer(encodeConfigDescriptor(cfg)));
  auto t = CdcTransport::open(std::move(link));
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().name, "LIBUSB_ERROR_NOT_FOUND");
  EXPECT_NE(t.error().message.find("mock:1"), std::string::npos) << t.error().message;
  EXPECT_FALSE(t.error().hint.empty());
}

TEST(CdcTransportTest, DeviceThatVanishesWhileOpeningReportsNoDevice) {
  auto link = std::make_unique<MockLink>();
  MockLink& m = *link;
  ON_CALL(m, location()).WillByDefault(Return("mock:1"));
  EXPECT_CALL(m, control(_, _, _))
      .WillOnce(Return(Result<std::size_t>(usbError(usb_errors::kNoDevice, "gone"))));
  auto t = CdcTransport::open(std::move(link));
  ASSERT_FALSE(t);
  EXPECT_TRUE(isDisconnect(t.error()));
}

}  // namespace
}  // namespace mtk::flasher
