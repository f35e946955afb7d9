// The USB device model on its own: URBs in, completions out, no sockets.
#include <gtest/gtest.h>

#include "mtk/emu/device_bus.hpp"
#include "mtk/emu/echo_function.hpp"
#include "mtk/emu/usb_device.hpp"

namespace mtk::emu {
namespace {

using namespace mtk::wire::usb;

class DeviceModelTest : public ::testing::Test {
 protected:
  void SetUp() override { make(64u << 20); }

  void make(std::size_t capacity) {
    echo_ = std::make_shared<EchoFunction>(capacity);
    device_ = std::make_unique<UsbDevice>(echoDeviceDescriptors(0x0e8d, 0x2000), echo_);
    device_->setCompletion([this](UrbPtr u) { done_.push_back(std::move(u)); });
  }

  std::uint64_t control(SetupPacket s, wire::Bytes out = {}) {
    auto u = std::make_unique<Urb>();
    u->id = next_++;
    u->setup = s;
    u->in = s.isIn();
    u->length = s.wLength;
    u->setOut(out);
    const auto id = u->id;
    device_->submit(std::move(u));
    return id;
  }
  void configure() {
    control({0, SET_CONFIGURATION, 1, 0, 0});
    ASSERT_EQ(take()->status, kUrbOk);
  }
  std::uint64_t bulkIn(std::uint8_t ep, std::uint32_t len) {
    auto u = std::make_unique<Urb>();
    u->id = next_++;
    u->endpoint = ep;
    u->in = true;
    u->length = len;
    const auto id = u->id;
    device_->submit(std::move(u));
    return id;
  }
  std::uint64_t bulkOut(std::uint8_t ep, wire::Bytes data) {
    auto u = std::make_unique<Urb>();
    u->id = next_++;
    u->endpoint = ep;
    u->length = static_cast<std::uint32_t>(data.size());
    u->setOut(data);
    const auto id = u->id;
    device_->submit(std::move(u));
    return id;
  }
  UrbPtr take() {
    if (done_.empty()) return nullptr;
    UrbPtr u = std::move(done_.front());
    done_.erase(done_.begin());
    return u;
  }
  static std::string text(const Urb& u) {
    auto d = u.inData();
    return std::string(d.begin(), d.end());
  }

  std::shared_ptr<EchoFunction> echo_;
  std::unique_ptr<UsbDevice> device_;
  std::vector<UrbPtr> done_;
  std::uint64_t next_ = 1;
};

TEST_F(DeviceModelTest, DeviceDescriptorIsTruncatedToWLength) {
  control({0x80, GET_DESCRIPTOR, DT_DEVICE << 8, 0, 8});
  auto u = take();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->status, kUrbOk);
  ASSERT_EQ(u->actual, 8u);
  EXPECT_EQ(u->inData()[0], 18);  // bLength says 18 even though 8 were asked
  EXPECT_EQ(u->inData()[7], 64);  // bMaxPacketSize0
}

TEST_F(DeviceModelTest, BulkStallsUntilConfigured) {
  bulkOut(1, {1, 2, 3});
  auto u = take();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->status, kUrbStall);
  configure();
  control({0x80, GET_CONFIGURATION, 0, 0, 1});
  EXPECT_EQ(take()->inData()[0], 1);
}

TEST_F(DeviceModelTest, BulkInWaitsForDataInsteadOfAnsweringEmpty) {
  configure();
  bulkIn(1, 512);
  EXPECT_TRUE(done_.empty()) << "an IN URB must stay pending while nothing is queued";
  bulkOut(1, {'h', 'i'});
  ASSERT_EQ(done_.size(), 2u);
  // The OUT completes and the held IN gets the echo.
  UrbPtr a = take(), b = take();
  UrbPtr& in = a->in ? a : b;
  UrbPtr& out = a->in ? b : a;
  EXPECT_EQ(out->actual, 2u);
  EXPECT_EQ(text(*in), "hi");
}

TEST_F(DeviceModelTest, InUrbNeverGetsMoreThanItAskedFor) {
  configure();
  bulkOut(1, wire::Bytes{'0', '1', '2', '3', '4', '5', '6', '7', '8', '9'});
  take();
  bulkIn(1, 4);
  auto first = take();
  ASSERT_TRUE(first);
  EXPECT_EQ(text(*first), "0123");
  bulkIn(1, 100);
  auto second = take();
  ASSERT_TRUE(second);
  EXPECT_EQ(text(*second), "456789");
}

TEST_F(DeviceModelTest, PendingInOnOneEndpointDoesNotBlockOthers) {
  configure();
  bulkIn(1, 64);  // stays pending
  control({0xa1, CDC_GET_LINE_CODING, 0, 1, 7});
  ASSERT_EQ(done_.size(), 1u);
  EXPECT_EQ(take()->actual, 7u);
  bulkOut(2, wire::Bytes(1000, 0xaa));  // sink
  ASSERT_EQ(done_.size(), 1u);
  EXPECT_EQ(take()->actual, 1000u);
  EXPECT_EQ(echo_->sinkCount(), 1000u);
}

TEST_F(DeviceModelTest, CancelDropsAPendingUrbWithoutCompletingIt) {
  configure();
  auto id = bulkIn(1, 64);
  EXPECT_TRUE(device_->cancel(id));
  EXPECT_FALSE(device_->cancel(id));
  bulkOut(1, {'x'});
  ASSERT_EQ(done_.size(), 1u);  // only the OUT: the cancelled IN never completes
  EXPECT_FALSE(take()->in);
  EXPECT_EQ(device_->pendingUrbs(), 0u);
}

TEST_F(DeviceModelTest, HaltStallsUntilClearFeature) {
  configure();
  control({0x02, SET_FEATURE, FEATURE_ENDPOINT_HALT, 0x81, 0});
  EXPECT_EQ(take()->status, kUrbOk);
  control({0x82, GET_STATUS, 0, 0x81, 2});
  EXPECT_EQ(take()->inData()[0], 1);
  bulkIn(1, 64);
  EXPECT_EQ(take()->status, kUrbStall);
  control({0x02, CLEAR_FEATURE, FEATURE_ENDPOINT_HALT, 0x81, 0});
  EXPECT_EQ(take()->status, kUrbOk);
  bulkOut(1, {'o', 'k'});
  take();
  bulkIn(1, 64);
  auto u = take();
  ASSERT_TRUE(u);
  EXPECT_EQ(text(*u), "ok");
}

TEST_F(DeviceModelTest, UnknownRequestsStall) {
  control({0xc0, 0x77, 0, 0, 4});  // vendor
  EXPECT_EQ(take()->status, kUrbStall);
  control({0x80, GET_DESCRIPTOR, 0x0900, 0, 9});  // no such descriptor type
  EXPECT_EQ(take()->status, kUrbStall);
  control({0x80, GET_DESCRIPTOR, DT_STRING << 8 | 9, 0x409, 255});  // no string 9
  EXPECT_EQ(take()->status, kUrbStall);
}

TEST_F(DeviceModelTest, LineCodingRoundTrip) {
  control({0x21, CDC_SET_LINE_CODING, 0, 1, 7}, {0x00, 0x10, 0x0e, 0x00, 0, 0, 8});
  EXPECT_EQ(take()->status, kUrbOk);
  EXPECT_EQ(echo_->cdc().lineCoding().baud, 921600u);
  control({0xa1, CDC_GET_LINE_CODING, 0, 1, 7});
  auto u = take();
  EXPECT_EQ(wire::hexdump(u->inData()), "00 10 0e 00 00 00 08");
  control({0x21, CDC_SET_CONTROL_LINE_STATE, 2, 1, 0});
  EXPECT_EQ(take()->status, kUrbOk);
  EXPECT_EQ(echo_->cdc().controlLineState(), 2);
}

TEST_F(DeviceModelTest, FlowControlHoldsOutUntilThereIsRoom) {
  make(16);
  configure();
  bulkOut(1, wire::Bytes(32, 'a'));
  EXPECT_TRUE(done_.empty()) << "the OUT URB must wait: only 16 bytes fit";
  bulkIn(1, 100);
  auto first = take();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->actual, 16u);
  EXPECT_TRUE(done_.empty());
  bulkIn(1, 100);  // queue empty: the device takes the rest of the OUT
  ASSERT_EQ(done_.size(), 2u);
  UrbPtr a = take(), b = take();
  EXPECT_EQ((a->in ? a : b)->actual, 16u);
  EXPECT_EQ((a->in ? b : a)->actual, 32u);
}

TEST_F(DeviceModelTest, ZeroLengthPacketIsEchoed) {
  configure();
  bulkOut(1, {});
  EXPECT_EQ(take()->actual, 0u);
  bulkIn(1, 512);
  auto u = take();
  ASSERT_TRUE(u);
  EXPECT_EQ(u->status, kUrbOk);
  EXPECT_EQ(u->actual, 0u);
}

TEST_F(DeviceModelTest, SourceProducesThePattern) {
  configure();
  bulkIn(2, 4096);
  auto u = take();
  ASSERT_TRUE(u);
  ASSERT_EQ(u->actual, 4096u);
  for (std::size_t i = 0; i < 4096; ++i) ASSERT_EQ(u->inData()[i], sourcePattern(i)) << i;
}

TEST(DeviceBusTest, AttachIsExclusiveAndUnplugNotifies) {
  DeviceBus bus;
  auto busid = bus.addPort();
  EXPECT_EQ(busid, "1-1");
  bus.plug(busid, std::make_shared<UsbDevice>(echoDeviceDescriptors(0x0e8d, 0x0003),
                                              std::make_shared<EchoFunction>()));
  auto list = bus.list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].idProduct, 0x0003);
  const auto devnum = list[0].devnum;
  auto a = bus.attach(busid);
  ASSERT_TRUE(a);
  EXPECT_FALSE(bus.attach(busid));
  EXPECT_FALSE(bus.attach("1-9"));
  std::vector<std::uint64_t> unplugged;
  int token = bus.subscribe([&](const std::string&, std::uint64_t g) { unplugged.push_back(g); });
  // Re-enumeration: the phone comes back under another PID and a new device number.
  bus.plug(busid, std::make_shared<UsbDevice>(echoDeviceDescriptors(0x0e8d, 0x2000),
                                              std::make_shared<EchoFunction>()));
  ASSERT_EQ(unplugged.size(), 1u);
  EXPECT_EQ(unplugged[0], a->generation);
  list = bus.list();
  EXPECT_EQ(list[0].idProduct, 0x2000);
  EXPECT_NE(list[0].devnum, devnum);
  EXPECT_TRUE(bus.attach(busid)) << "a new identity can be attached again";
  bus.unplug(busid);
  EXPECT_TRUE(bus.list().empty());
  bus.unsubscribe(token);
}

}  // namespace
}  // namespace mtk::emu
