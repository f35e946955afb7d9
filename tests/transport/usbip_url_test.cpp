#include <gtest/gtest.h>

#include "mtk/flasher/transport.hpp"
#include "mtk/flasher/usbip_client.hpp"

namespace mtk::flasher {
namespace {

TEST(UsbipUrlTest, ParsesHostPortAndBusid) {
  auto a = parseUsbipUrl("usbip://127.0.0.1:4000/1-2");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 4000);
  EXPECT_EQ(a->busid, "1-2");
  EXPECT_EQ(a->url(), "usbip://127.0.0.1:4000/1-2");

  a = parseUsbipUrl("usbip://localhost");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->port, 3240);
  EXPECT_EQ(a->busid, "");

  a = parseUsbipUrl("usbip://[::1]:3241/1-1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 3241);
}

TEST(UsbipUrlTest, RejectsMalformed) {
  for (const char* bad :
       {"usbip://", "usbip://h:0", "usbip://h:70000", "usbip://h:12a/1-1", "http://h",
        "usbip://[::1", "usbip://h/0123456789012345678901234567890123"}) {
    auto a = parseUsbipUrl(bad);
    EXPECT_FALSE(a) << bad;
    if (!a) {
      EXPECT_EQ(a.error().name, "BAD_DEVICE_SPEC");
    }
  }
}

TEST(DeviceSpecTest, FactoryKnowsEveryForm) {
  EXPECT_TRUE(makeLocator("usb"));
  EXPECT_TRUE(makeLocator("usb:1-4"));
  EXPECT_TRUE(makeLocator("usb:3-1.2"));
  EXPECT_TRUE(makeLocator("usbip://127.0.0.1:3240/1-1"));
  EXPECT_FALSE(makeLocator("usb:"));
  EXPECT_FALSE(makeLocator("usb:x"));
  EXPECT_FALSE(makeLocator("serial:/dev/ttyACM0"));
}

}  // namespace
}  // namespace mtk::flasher
