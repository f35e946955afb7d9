// The flasher's BROM/preloader client against virtual phones, through the in-process link and
// through USB/IP: identification, the preloader window, and every refusal a user can meet
// before the DA runs, with the MediaTek name people search for.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "mtk/emu/phone/virtual_phone.hpp"
#include "mtk/emu/usbip_server.hpp"
#include "mtk/flasher/mtk_errors.hpp"
#include "mtk/flasher/phone_connection.hpp"
#include "mtk/flasher/usbip_client.hpp"
#include "mtk/inproc/inprocess_link.hpp"
#include "mtk/wire/brom.hpp"
#include "mtk/wire/sha256.hpp"

namespace mtk::test {
namespace {

using flasher::Millis;
using namespace std::chrono_literals;

class PhoneBench {
 public:
  explicit PhoneBench(const std::string& transport) : transport_(transport) {
    emu::UsbipServerOptions o;
    o.port = 0;
    server_ = std::make_unique<emu::UsbipServer>(bus_, o);
    EXPECT_TRUE(server_->start());
    busid_ = bus_.addPort();
  }
  ~PhoneBench() {
    server_->stop();
    phone_.reset();
  }
  emu::VirtualPhone& phone(emu::PhoneSpec spec = {}) {
    phone_ = std::make_unique<emu::VirtualPhone>(bus_, busid_, std::move(spec));
    return *phone_;
  }
  std::unique_ptr<flasher::DeviceLocator> locator() {
    if (transport_ == "inproc") return std::make_unique<inproc::InProcessLocator>(bus_, busid_);
    flasher::UsbipAddress a;
    a.port = server_->port();
    a.busid = busid_;
    return std::make_unique<flasher::UsbipLocator>(a);
  }
  Result<flasher::PhoneSession> connect(Millis wait = Millis(3000)) {
    auto l = locator();
    flasher::ConnectOptions o;
    o.waitTimeout = wait;
    o.brom.commandTimeout = 1000ms;
    return flasher::connectPhone(*l, o);
  }

 private:
  std::string transport_;
  emu::DeviceBus bus_;
  std::unique_ptr<emu::UsbipServer> server_;
  std::string busid_;
  std::unique_ptr<emu::VirtualPhone> phone_;
};

class BromClientTest : public ::testing::TestWithParam<std::string> {
 protected:
  PhoneBench bench_{GetParam()};
};

wire::Bytes fakeDa(std::size_t size) {
  wire::Bytes d(size);
  for (std::size_t i = 0; i < size; ++i) d[i] = static_cast<std::uint8_t>(i * 13 + 7);
  return d;
}

TEST_P(BromClientTest, IdentifiesAPreloader) {
  emu::PhoneSpec spec;
  spec.deriveIds(42);
  auto& phone = bench_.phone(spec);
  phone.powerOn();
  auto s = bench_.connect();
  ASSERT_TRUE(s) << s.error().describe();
  const auto& t = s->target;
  EXPECT_EQ(t.stage, flasher::BootStage::Preloader);
  EXPECT_EQ(t.hwCode, 0x0766);
  EXPECT_EQ(t.chipName(), "MT6765");
  EXPECT_EQ(t.hwSubCode, 0x8a00);
  EXPECT_EQ(t.hwVersion, 0xca00);
  EXPECT_EQ(t.swVersion, 0x0000);
  EXPECT_EQ(t.blVersion, 3);
  EXPECT_FALSE(t.bromVersion);
  ASSERT_TRUE(t.meId);
  EXPECT_TRUE(std::equal(t.meId->begin(), t.meId->end(), spec.meId.begin()));
  ASSERT_TRUE(t.socId);
  EXPECT_TRUE(std::equal(t.socId->begin(), t.socId->end(), spec.socId.begin()));
  EXPECT_EQ(t.usb.pid, 0x2000);
  EXPECT_EQ(t.usb.speed, 3);
  EXPECT_TRUE(t.watchdogDisabled);
  EXPECT_TRUE(phone.watchdogDisabled()) << "the phone must have seen the watchdog write";
  EXPECT_EQ(phone.state(), emu::PhoneState::Connected);
}

TEST_P(BromClientTest, IdentifiesABromWithVolumeDownHeld) {
  emu::PhoneSpec spec;
  spec.targetConfig = wire::brom::CFG_SBC;
  bench_.phone(spec).powerOn(/*holdVolumeDown=*/true);
  auto s = bench_.connect();
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(s->target.stage, flasher::BootStage::Brom);
  EXPECT_EQ(s->target.usb.pid, 0x0003);
  EXPECT_EQ(s->target.usb.speed, 2);
  EXPECT_EQ(s->target.bromVersion, 5);
  EXPECT_EQ(s->target.targetConfig, wire::brom::CFG_SBC);
  EXPECT_TRUE(s->target.meId);
}

TEST_P(BromClientTest, CatchesThePreloaderWindowWhenWaitingFirst) {
  emu::PhoneSpec spec;
  spec.preloaderWindow = 300ms;
  auto& phone = bench_.phone(spec);
  std::thread plugIn([&] {
    std::this_thread::sleep_for(150ms);  // the flasher is already waiting
    phone.powerOn();
  });
  auto s = bench_.connect(Millis(5000));
  plugIn.join();
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(s->target.stage, flasher::BootStage::Preloader);
  std::this_thread::sleep_for(400ms);  // past the window: a phone that is talking stays
  EXPECT_EQ(phone.state(), emu::PhoneState::Connected);
}

TEST_P(BromClientTest, MissedWindowSaysWhatToDo) {
  emu::PhoneSpec spec;
  spec.preloaderWindow = 100ms;
  auto& phone = bench_.phone(spec);
  phone.powerOn();
  for (int i = 0; i < 200 && phone.state() != emu::PhoneState::BootedOn; ++i)
    std::this_thread::sleep_for(5ms);
  ASSERT_EQ(phone.state(), emu::PhoneState::BootedOn)
      << "the preloader must boot on after its window";
  auto s = bench_.connect(Millis(300));  // the flasher started too late
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().name, "LIBUSB_ERROR_NOT_FOUND");
  EXPECT_NE(s.error().hint.find("preloader"), std::string::npos) << s.error().hint;
  EXPECT_NE(s.error().hint.find("start the flasher"), std::string::npos) << s.error().hint;
}

TEST_P(BromClientTest, WrongChipIsRefusedNamingBoth) {
  emu::PhoneSpec spec;
  spec.chip = wire::chipByName("MT6757");
  bench_.phone(spec).powerOn();
  auto s = bench_.connect();
  ASSERT_TRUE(s) << s.error().describe();
  auto check = flasher::checkPlatform(s->target, "MT6757D");
  ASSERT_FALSE(check);
  EXPECT_EQ(check.error().name, "S_CHIP_TYPE_NOT_MATCH");
  EXPECT_EQ(check.error().code, 3184);
  EXPECT_NE(check.error().message.find("firmware is for MT6757D, the phone is MT6757"),
            std::string::npos)
      << check.error().message;
  EXPECT_TRUE(flasher::checkPlatform(s->target, "MT6757"));
  EXPECT_TRUE(flasher::checkPlatform(s->target, "mt6757"))
      << "scatter platforms are case-insensitive";
}

TEST_P(BromClientTest, AcceptedDaRunsAndAnswers) {
  bench_.phone().powerOn();
  auto s = bench_.connect();
  ASSERT_TRUE(s) << s.error().describe();
  const auto da = fakeDa(0x20100);
  std::size_t lastProgress = 0;
  auto r = flasher::startDa1(*s, {0x00200000, da, 0x100}, 1000ms, {},
                             [&](std::size_t sent, std::size_t) { lastProgress = sent; });
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(lastProgress, da.size());
}

TEST_P(BromClientTest, SlaRequiredIsASecurityRefusal) {
  emu::PhoneSpec spec;
  spec.targetConfig = wire::brom::CFG_SBC | wire::brom::CFG_SLA;
  bench_.phone(spec).powerOn(true);
  auto s = bench_.connect();
  ASSERT_TRUE(s) << s.error().describe();
  const auto da = fakeDa(4096);
  auto r = flasher::startDa1(*s, {0x00200000, da, 0x100}, 1000ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "S_SECURITY_SLA_FAIL");
  EXPECT_EQ(r.error().code, 6004);
  EXPECT_NE(r.error().message.find("SBC on, SLA on, DAA off"), std::string::npos)
      << r.error().message;
}

TEST_P(BromClientTest, DaaRefusesAnUnsignedDaInBromAndPreloader) {
  for (bool brom : {true, false}) {
    emu::PhoneSpec spec;
    spec.targetConfig = wire::brom::CFG_DAA;
    auto& phone = bench_.phone(spec);
    phone.powerOn(brom);
    auto s = bench_.connect();
    ASSERT_TRUE(s) << s.error().describe();
    const auto da = fakeDa(8192);
    auto r = flasher::startDa1(*s, {0x00200000, da, 0x100}, 1000ms);
    ASSERT_FALSE(r) << (brom ? "BROM" : "preloader");
    EXPECT_EQ(r.error().name, "S_SECURITY_DAA_FAIL") << r.error().describe();
    EXPECT_NE(r.error().message.find("DAA on"), std::string::npos) << r.error().message;
    s->transport->close();
    phone.powerOff();
  }
}

TEST_P(BromClientTest, DaaAcceptsTheDaItsKeySigned) {
  const auto da = fakeDa(8192);
  emu::PhoneSpec spec;
  spec.targetConfig = wire::brom::CFG_DAA;
  spec.acceptedDaSha256 = {wire::Sha256::hex(wire::Sha256::of(da))};
  bench_.phone(spec).powerOn(true);
  auto s = bench_.connect();
  ASSERT_TRUE(s) << s.error().describe();
  auto r = flasher::startDa1(*s, {0x00200000, da, 0x100}, 1000ms);
  EXPECT_TRUE(r) << r.error().describe();
}

TEST_P(BromClientTest, DamagedUploadIsAChecksumMismatch) {
  emu::PhoneSpec spec;
  spec.corruptUploadAt = 1234;
  bench_.phone(spec).powerOn();
  auto s = bench_.connect();
  ASSERT_TRUE(s) << s.error().describe();
  const auto da = fakeDa(0x8000);
  auto r = flasher::startDa1(*s, {0x00200000, da, 0x100}, 1000ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "S_BROM_CMD_SEND_DA_CHKSUM_DIFF");
  EXPECT_EQ(r.error().code, 2034);
  EXPECT_NE(r.error().hint.find("cable"), std::string::npos);
}

TEST_P(BromClientTest, SilentDaIsNoResponseWithinTheTimeout) {
  emu::PhoneSpec spec;
  spec.daSilent = true;
  bench_.phone(spec).powerOn();
  auto s = bench_.connect();
  ASSERT_TRUE(s) << s.error().describe();
  const auto da = fakeDa(0x1000);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = flasher::startDa1(*s, {0x00200000, da, 0x100}, 300ms);
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "S_FT_DA_NO_RESPONSE");
  EXPECT_EQ(r.error().code, 4001);
  EXPECT_NE(r.error().message.find("stage: DA1 after JUMP_DA to 0x00200000"), std::string::npos)
      << r.error().message;
  EXPECT_LT(took, 3s);
}

TEST_P(BromClientTest, ReadyBannerAndRepeatedSessionsAreTolerated) {
  emu::PhoneSpec spec;
  spec.readyBanner = true;
  bench_.phone(spec).powerOn();
  std::this_thread::sleep_for(50ms);
  for (int session = 0; session < 2; ++session) {  // the second finds it already in command mode
    auto s = bench_.connect();
    ASSERT_TRUE(s) << "session " << session << ": " << s.error().describe();
    EXPECT_EQ(s->target.hwCode, 0x0766);
  }
}

TEST_P(BromClientTest, HandshakeRecoversFromAnInterruptedStart) {
  for (std::uint8_t blVersion : {1, 3}) {  // the older and the newer preloader rules
    emu::PhoneSpec spec;
    spec.preloaderVersion = blVersion;
    bench_.phone(spec).powerOn();
    {
      // An earlier tool sent the wake byte and half the start command, then went away.
      auto l = bench_.locator();
      auto t = l->waitFor({{0x0e8d, 0x2000}}, 2000ms);
      ASSERT_TRUE(t) << t.error().describe();
      const std::uint8_t partial[] = {0xa0, 0xa0, 0x0a};
      for (std::uint8_t b : partial) ASSERT_TRUE((*t)->write(wire::ByteSpan(&b, 1), 500ms));
      (*t)->close();
    }
    auto s = bench_.connect();
    ASSERT_TRUE(s) << "BL version " << int(blVersion) << ": " << s.error().describe();
    EXPECT_EQ(s->target.blVersion, blVersion);
    s->transport->close();
  }
}

INSTANTIATE_TEST_SUITE_P(Transports, BromClientTest, ::testing::Values("inproc", "usbip"),
                         [](const auto& info) { return info.param; });

// The window with a clock the test drives: no sleeping, no flakiness.
TEST(PreloaderWindowTest, BootsOnExactlyWhenTheWindowCloses) {
  emu::ManualClock clock;
  emu::DeviceBus bus(1, &clock);
  const auto busid = bus.addPort();
  emu::PhoneSpec spec;
  spec.preloaderWindow = 2000ms;
  emu::VirtualPhone phone(bus, busid, spec);
  phone.powerOn();
  ASSERT_EQ(bus.list().size(), 1u);
  clock.advance(1999ms);
  bus.tick();
  EXPECT_EQ(bus.list().size(), 1u);
  EXPECT_EQ(phone.state(), emu::PhoneState::PreloaderListening);
  clock.advance(2ms);
  bus.tick();
  EXPECT_TRUE(bus.list().empty());
  EXPECT_EQ(phone.state(), emu::PhoneState::BootedOn);
  phone.powerOn(/*holdVolumeDown=*/true);  // BROM mode waits for ever
  clock.advance(std::chrono::hours(1));
  bus.tick();
  ASSERT_EQ(bus.list().size(), 1u);
  EXPECT_EQ(bus.list()[0].idProduct, 0x0003);
}

// Every MediaTek code the flasher reports has the name and number SP Flash Tool uses.
TEST(MtkErrorsTest, NamesAndNumbersMatchSpFlashTool) {
  std::ifstream in(std::string(MTK_SHARED_DIR) + "/docs/spflash-codes.tsv");
  if (!in) GTEST_SKIP() << "../shared/docs/spflash-codes.tsv not found; skipping the cross-check";
  std::map<std::string, std::string> v1952;
  std::string line;
  int column = -1;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, '\t');) cells.push_back(c);
    if (cells[0] == "name") {
      for (std::size_t i = 0; i < cells.size(); ++i) {
        if (cells[i] == "v5.1952") column = static_cast<int>(i);
      }
      continue;
    }
    if (column > 0 && static_cast<int>(cells.size()) > column)
      v1952[cells[0]] = cells[static_cast<std::size_t>(column)];
  }
  ASSERT_GT(column, 0);
  for (const auto& c : flasher::allCodes()) {
    ASSERT_TRUE(v1952.count(c.name)) << c.name << " is not in spflash-codes.tsv";
    EXPECT_EQ(v1952[c.name], std::to_string(c.number)) << c.name;
  }
}

}  // namespace
}  // namespace mtk::test

namespace mtk::test {
namespace {

// A port that answers every byte with 0x00: not a MediaTek boot ROM at all.
class WrongAnswers final : public flasher::Transport {
 public:
  Status write(wire::ByteSpan data, Millis) override {
    pending_ += data.size();
    return {};
  }
  Result<std::size_t> readSome(wire::MutableByteSpan buffer, Millis) override {
    if (pending_ == 0 || buffer.empty())
      return flasher::usbError(flasher::usb_errors::kTimeout, "nothing");
    --pending_;
    buffer[0] = 0x00;
    return std::size_t{1};
  }
  Result<std::size_t> control(const wire::usb::SetupPacket&, wire::MutableByteSpan,
                              Millis) override {
    return std::size_t{0};
  }
  const flasher::DeviceIdentity& identity() const override { return id_; }
  void close() override {}

 private:
  std::size_t pending_ = 0;
  flasher::DeviceIdentity id_;
};

TEST(BromHandshakeTest, WrongAnswersEndInStartCmdFailWithTheBytesSeen) {
  WrongAnswers port;
  flasher::BromOptions o;
  o.byteTimeout = 20ms;
  flasher::BromClient client(port, o);
  auto s = client.handshake(flasher::BootStage::Brom);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().name, "S_BROM_CMD_STARTCMD_FAIL");
  EXPECT_EQ(s.error().code, 2005);
  EXPECT_NE(s.error().message.find("0xa0->0x00"), std::string::npos) << s.error().message;
  EXPECT_FALSE(s.error().hint.empty());
}

}  // namespace
}  // namespace mtk::test
