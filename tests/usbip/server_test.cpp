// The USB/IP server against exact, concurrent and hostile clients. Every test ends by checking
// the server still serves (it never crashes or wedges on bad input).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "echo_bench.hpp"
#include "mtk/flasher/usbip_client.hpp"
#include "mtk/wire/usbip.hpp"
#include "raw_client.hpp"

namespace mtk::test {
namespace {

using flasher::Millis;
namespace usbip = wire::usbip;

wire::Bytes submitHeader(std::uint32_t seq, std::uint32_t dir, std::uint32_t ep, std::int32_t len,
                         std::array<std::uint8_t, 8> setup = {}) {
  usbip::CmdSubmit c;
  c.basic.seqnum = seq;
  c.basic.devid = 0x00010002;
  c.basic.direction = dir;
  c.basic.ep = ep;
  c.transferFlags = dir ? usbip::URB_DIR_IN : 0;
  c.transferBufferLength = len;
  c.setup = setup;
  auto h = usbip::encode(c);
  return wire::Bytes(h.begin(), h.end());
}

// The server is healthy when a fresh client can still list its devices.
void expectServing(EchoBench& bench) {
  flasher::UsbipAddress a;
  a.port = bench.port();
  auto list = flasher::usbipListDevices(a, Millis(3000));
  ASSERT_TRUE(list) << list.error().describe();
  EXPECT_EQ(list->size(), bench.busids().size());
}

void waitForConnections(EchoBench& bench, std::size_t n) {
  for (int i = 0; i < 300 && bench.server().connectionCount() != n; ++i) {
    std::this_thread::sleep_for(Millis(10));
  }
  EXPECT_EQ(bench.server().connectionCount(), n);
}

TEST(UsbipServerTest, DevlistFromGoldenRequest) {
  EchoBench bench(2);
  RawClient c(bench.port());
  const wire::Bytes req = {0x01, 0x11, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00};
  ASSERT_TRUE(c.send(req));
  auto head = c.recv(12);
  ASSERT_TRUE(head);
  EXPECT_EQ(wire::hexdump(*head), "01 11 00 05 00 00 00 00 00 00 00 02");
  for (const char* busid : {"1-1", "1-2"}) {
    auto rec = c.recv(usbip::kDeviceRecordSize);
    ASSERT_TRUE(rec);
    auto d = usbip::decodeDeviceRecord(*rec);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->busid, busid);
    EXPECT_EQ(d->idVendor, 0x0e8d);
    EXPECT_EQ(d->idProduct, 0x2000);
    EXPECT_EQ(d->speed, usbip::Speed::High);
    ASSERT_EQ(d->bNumInterfaces, 3);
    auto ifs = c.recv(3 * 4);
    ASSERT_TRUE(ifs);
    EXPECT_EQ(wire::hexdump(*ifs), "0a 00 00 00 02 02 01 00 ff 00 00 00");
  }
  EXPECT_TRUE(c.closedByPeer());
}

TEST(UsbipServerTest, ImportRefusesUnknownAndAlreadyAttached) {
  EchoBench bench(1);
  RawClient first(bench.port());
  EXPECT_EQ(first.import("1-1"), 0);
  RawClient second(bench.port());
  EXPECT_EQ(second.import("1-1"), 1);
  RawClient unknown(bench.port());
  EXPECT_EQ(unknown.import("7-7"), 1);
  first.close();
  // Once the first client is gone the device can be imported again.
  bool ok = false;
  for (int i = 0; i < 100 && !ok; ++i) {
    RawClient again(bench.port());
    ok = again.import("1-1") == 0;
    if (!ok) std::this_thread::sleep_for(Millis(10));
  }
  EXPECT_TRUE(ok);
}

TEST(UsbipServerTest, GarbageClosesOnlyThatConnection) {
  EchoBench bench(1);
  RawClient bad(bench.port());
  ASSERT_TRUE(bad.send(wire::Bytes{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P', '/', '1'}));
  EXPECT_TRUE(bad.closedByPeer());
  RawClient wrongCode(bench.port());
  ASSERT_TRUE(wrongCode.send(wire::Bytes{0x01, 0x11, 0x12, 0x34, 0, 0, 0, 0}));
  EXPECT_TRUE(wrongCode.closedByPeer());
  expectServing(bench);
}

TEST(UsbipServerTest, TruncatedHeadersAreHarmless) {
  EchoBench bench(1);
  {
    RawClient c(bench.port());
    ASSERT_TRUE(c.send(wire::Bytes{0x01, 0x11, 0x80}));
  }  // closes with 3 of 8 bytes sent
  {
    RawClient c(bench.port());
    ASSERT_EQ(c.import("1-1"), 0);
    auto h = submitHeader(1, 0, 1, 16);
    ASSERT_TRUE(c.send(wire::ByteSpan(h.data(), 20)));  // 20 of 48 header bytes
  }
  waitForConnections(bench, 0);
  expectServing(bench);
}

TEST(UsbipServerTest, HugeAndNegativeLengthsCloseTheConnectionWithoutAllocating) {
  EchoBench bench(1);
  for (std::int32_t len : {static_cast<std::int32_t>(0xffffffffu), 0x7fffffff, (64 << 20)}) {
    for (std::uint32_t dir : {0u, 1u}) {
      RawClient c(bench.port());
      ASSERT_EQ(c.import("1-1"), 0);
      ASSERT_TRUE(c.send(submitHeader(1, dir, 1, len)));
      EXPECT_TRUE(c.closedByPeer()) << "length " << len << " dir " << dir;
    }
  }
  RawClient iso(bench.port());  // a count of ISO packets that would mean gigabytes
  ASSERT_EQ(iso.import("1-1"), 0);
  auto h = submitHeader(1, 0, 1, 0);
  wire::storeBe32(h.data() + 32, 0x10000000);
  ASSERT_TRUE(iso.send(h));
  EXPECT_TRUE(iso.closedByPeer());
  expectServing(bench);
}

TEST(UsbipServerTest, ClientVanishingMidTransferFreesTheDevice) {
  EchoBench bench(1);
  {
    RawClient c(bench.port());
    ASSERT_EQ(c.import("1-1"), 0);
    ASSERT_TRUE(c.send(submitHeader(1, 1, 1, 512)));      // a pending IN
    ASSERT_TRUE(c.send(submitHeader(2, 0, 1, 1 << 20)));  // 1 MiB OUT announced...
    ASSERT_TRUE(c.send(wire::Bytes(1000, 0x55)));         // ...but only 1000 bytes sent
  }
  waitForConnections(bench, 0);
  {
    std::lock_guard lock(bench.bus().mutex());
    EXPECT_EQ(bench.bus().device("1-1")->pendingUrbs(), 0u);
  }
  auto t = bench.open("usbip", "1-1");
  ASSERT_TRUE(t) << t.error().describe();
}

TEST(UsbipServerTest, UnlinkReallyCancelsAPendingIn) {
  EchoBench bench(1);
  RawClient c(bench.port());
  ASSERT_EQ(c.import("1-1"), 0);
  // SET_CONFIGURATION 1 so the bulk endpoints exist.
  ASSERT_TRUE(c.send(submitHeader(1, 0, 0, 0, {0x00, 0x09, 0x01, 0x00, 0, 0, 0, 0})));
  auto r = c.recv(48);
  ASSERT_TRUE(r);
  EXPECT_EQ(wire::loadBe32(r->data() + 20), 0u);

  ASSERT_TRUE(c.send(submitHeader(2, 1, 1, 512)));  // IN on the echo endpoint: pending
  usbip::CmdUnlink u;
  u.basic.seqnum = 3;
  u.unlinkSeqnum = 2;
  auto uh = usbip::encode(u);
  ASSERT_TRUE(c.send(uh));
  r = c.recv(48);
  ASSERT_TRUE(r);
  EXPECT_EQ(wire::loadBe32(r->data()), usbip::RET_UNLINK);
  EXPECT_EQ(wire::loadBe32(r->data() + 4), 3u);
  EXPECT_EQ(wire::loadBe32(r->data() + 20), 0xffffff98u);  // -ECONNRESET

  // Data sent now goes to the next IN, and no RET_SUBMIT ever comes for seqnum 2.
  auto out = submitHeader(4, 0, 1, 3);
  out.insert(out.end(), {'a', 'b', 'c'});
  ASSERT_TRUE(c.send(out));
  ASSERT_TRUE(c.send(submitHeader(5, 1, 1, 512)));
  for (std::uint32_t expected : {4u, 5u}) {
    r = c.recv(48);
    ASSERT_TRUE(r);
    EXPECT_EQ(wire::loadBe32(r->data()), usbip::RET_SUBMIT);
    EXPECT_EQ(wire::loadBe32(r->data() + 4), expected);
    EXPECT_EQ(wire::loadBe32(r->data() + 24), 3u);
    if (expected == 5) {
      auto data = c.recv(3);
      ASSERT_TRUE(data);
      EXPECT_EQ(std::string(data->begin(), data->end()), "abc");
    }
  }
  // Unlinking something already answered gets status 0.
  u.basic.seqnum = 6;
  u.unlinkSeqnum = 5;
  ASSERT_TRUE(c.send(usbip::encode(u)));
  r = c.recv(48);
  ASSERT_TRUE(r);
  EXPECT_EQ(wire::loadBe32(r->data() + 20), 0u);
}

TEST(UsbipServerTest, Echo64MiBThroughTheClient) {
  EchoBench bench(1);
  auto t = bench.open("usbip", "1-1");
  ASSERT_TRUE(t) << t.error().describe();
  wire::Bytes data(64u << 20);
  for (std::size_t i = 0; i < data.size(); i += 4)
    wire::storeLe32(&data[i], static_cast<std::uint32_t>(i * 2654435761u));
  ASSERT_TRUE((*t)->write(data, Millis(60000)));
  wire::Bytes back(1 << 20);
  for (std::size_t off = 0; off < data.size(); off += back.size()) {
    auto s = (*t)->readExact(back, Millis(10000));
    ASSERT_TRUE(s) << s.error().describe();
    ASSERT_TRUE(
        std::equal(back.begin(), back.end(), data.begin() + static_cast<std::ptrdiff_t>(off)))
        << "mismatch in MiB " << off / back.size();
  }
}

TEST(UsbipServerTest, SixtyFourClientsAtOnce) {
  EchoBench bench(8);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 64; ++i) {
    threads.emplace_back([&, i] {
      if (i < 8) {  // eight clients each own a device and echo through it
        auto t = bench.open("usbip", bench.busids()[static_cast<std::size_t>(i)]);
        if (!t) {
          ++failures;
          return;
        }
        wire::Bytes data(256 * 1024, static_cast<std::uint8_t>(i));
        for (int round = 0; round < 4; ++round) {
          wire::Bytes back(data.size());
          if (!(*t)->write(data, Millis(10000)) || !(*t)->readExact(back, Millis(10000)) ||
              back != data) {
            ++failures;
          }
        }
      } else {  // the rest keep listing
        flasher::UsbipAddress a;
        a.port = bench.port();
        for (int round = 0; round < 5; ++round) {
          auto list = flasher::usbipListDevices(a, Millis(10000));
          if (!list || list->size() != 8) ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  expectServing(bench);
}

TEST(UsbipServerTest, UnplugDropsTheClientWithNoDevice) {
  EchoBench bench(1);
  auto t = bench.open("usbip", "1-1");
  ASSERT_TRUE(t) << t.error().describe();
  bench.bus().unplug("1-1");
  wire::Bytes buf(64);
  auto n = (*t)->readSome(buf, Millis(3000));
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().name, "LIBUSB_ERROR_NO_DEVICE") << n.error().describe();
}

}  // namespace
}  // namespace mtk::test

namespace mtk::test {
namespace {

// A phone re-enumerating (preloader 2000 -> DA 2001) looks to a USB/IP client like an unplug:
// the connection drops, and the same busid comes back with the new PID.
TEST(UsbipServerTest, ReEnumerationIsADropThenANewDevice) {
  EchoBench bench(1);
  auto t = bench.open("usbip", "1-1");
  ASSERT_TRUE(t) << t.error().describe();
  std::thread replug([&] {
    std::this_thread::sleep_for(flasher::Millis(50));
    bench.bus().plug("1-1",
                     std::make_shared<emu::UsbDevice>(emu::echoDeviceDescriptors(0x0e8d, 0x2001),
                                                      std::make_shared<emu::EchoFunction>()));
  });
  wire::Bytes buf(64);
  auto n = (*t)->readSome(buf, flasher::Millis(3000));  // pending when the device goes away
  replug.join();
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().name, "LIBUSB_ERROR_NO_DEVICE");

  flasher::UsbipAddress a;
  a.port = bench.port();
  auto next = flasher::UsbipLocator(a).waitFor({{0x0e8d, 0x2001}}, flasher::Millis(3000));
  ASSERT_TRUE(next) << next.error().describe();
  EXPECT_EQ((*next)->identity().pid, 0x2001);
  EXPECT_EQ((*next)->identity().location, bench.url("1-1"));
  const std::uint8_t ping = 0x42;
  ASSERT_TRUE((*next)->write(wire::ByteSpan(&ping, 1), flasher::Millis(1000)));
  auto m = (*next)->readSome(buf, flasher::Millis(1000));
  ASSERT_TRUE(m);
  EXPECT_EQ(buf[0], 0x42);
}

}  // namespace
}  // namespace mtk::test
