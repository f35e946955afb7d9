// One test body, every transport: the in-process link, the USB/IP client, and libusb (which
// sees a virtual phone only inside the VM test, where `usbip attach` makes it a real USB device;
// elsewhere it skips). All talk to the echo test device.
#include <gtest/gtest.h>

#include <cstring>

#include "echo_bench.hpp"
#include "mtk/flasher/libusb_link.hpp"

namespace mtk::test {
namespace {

using flasher::Millis;

class TransportConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "libusb") {
      auto list = flasher::libusbListDevices({{0x0e8d, 0x2000}});
      if (!list || list->empty()) {
        GTEST_SKIP() << "no 0e8d:2000 echo device on this machine's USB (the VM test attaches one)";
      }
      auto locator = flasher::makeLocator("usb");
      ASSERT_TRUE(locator);
      auto t = (*locator)->waitFor({{0x0e8d, 0x2000}}, Millis(2000));
      ASSERT_TRUE(t) << t.error().describe();
      transport_ = std::move(*t);
      return;
    }
    bench_ = std::make_unique<EchoBench>(1);
    auto t = bench_->open(GetParam(), bench_->busids()[0]);
    ASSERT_TRUE(t) << t.error().describe();
    transport_ = std::move(*t);
  }
  void TearDown() override {
    if (transport_) transport_->close();
  }

  std::string echo(const std::string& s) {
    auto w = transport_->write(
        wire::ByteSpan(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()), Millis(1000));
    EXPECT_TRUE(w) << w.error().describe();
    wire::Bytes buf(4096);
    auto n = transport_->readSome(buf, Millis(1000));
    EXPECT_TRUE(n) << n.error().describe();
    return n ? std::string(buf.begin(), buf.begin() + *n) : "";
  }

  std::unique_ptr<EchoBench> bench_;
  std::unique_ptr<flasher::Transport> transport_;
};

TEST_P(TransportConformance, ReportsTheDeviceIdentity) {
  const auto& id = transport_->identity();
  EXPECT_EQ(id.vid, 0x0e8d);
  EXPECT_EQ(id.pid, 0x2000);
  EXPECT_EQ(id.maxPacketSize, 512);
  EXPECT_EQ(id.speed, 3);
  EXPECT_EQ(id.manufacturer, "MediaTek");
  EXPECT_EQ(id.product, "mtkemu echo test device");
  EXPECT_FALSE(id.location.empty());
}

TEST_P(TransportConformance, SentTheSerialSetupRealToolsSend) {
  // CdcTransport sent SET_LINE_CODING 921600 8N1 while opening; the device must now report it.
  wire::Bytes lc(7);
  auto n = transport_->control({0xa1, wire::usb::CDC_GET_LINE_CODING, 0, 1, 7}, lc, Millis(1000));
  ASSERT_TRUE(n) << n.error().describe();
  EXPECT_EQ(wire::hexdump(lc), "00 10 0e 00 00 00 08");
}

TEST_P(TransportConformance, EchoesSmallTransfers) {
  EXPECT_EQ(echo("hello"), "hello");
  EXPECT_EQ(echo("A"), "A");
}

TEST_P(TransportConformance, ReadExactSpansSeveralTransfers) {
  for (const char* part : {"abc", "defg", "hij"}) {
    ASSERT_TRUE(transport_->write(
        wire::ByteSpan(reinterpret_cast<const std::uint8_t*>(part), std::strlen(part)),
        Millis(1000)));
  }
  wire::Bytes buf(10);
  auto s = transport_->readExact(buf, Millis(2000));
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(std::string(buf.begin(), buf.end()), "abcdefghij");
}

TEST_P(TransportConformance, ReadTimesOutAndLosesNothing) {
  wire::Bytes buf(64);
  auto n = transport_->readSome(buf, Millis(50));
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().name, "LIBUSB_ERROR_TIMEOUT");
  // The cancelled request must not swallow what comes next.
  EXPECT_EQ(echo("after"), "after");
}

TEST_P(TransportConformance, ZeroLengthPacket) {
  ASSERT_TRUE(transport_->write({}, Millis(1000)));
  wire::Bytes buf(64);
  auto n = transport_->readSome(buf, Millis(1000));
  ASSERT_TRUE(n) << n.error().describe();
  EXPECT_EQ(*n, 0u);
}

TEST_P(TransportConformance, LargeTransferComesBackByteExact) {
  wire::Bytes data(3u << 20 | 7);  // not a multiple of anything convenient
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<std::uint8_t>(i * 7 + (i >> 9));
  ASSERT_TRUE(transport_->write(data, Millis(5000)));
  wire::Bytes back(data.size());
  auto s = transport_->readExact(back, Millis(5000));
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_TRUE(back == data);
}

INSTANTIATE_TEST_SUITE_P(AllTransports, TransportConformance,
                         ::testing::Values("inproc", "usbip", "libusb"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace mtk::test
