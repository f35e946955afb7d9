// The flasher's XFlash DA client against the virtual phone's DA, in process and over USB/IP:
// session setup, DA2 with its digest check, DRAM through BROM, storage info, and streaming
// read / write / format on the virtual eMMC and UFS, plus each DA-stage field error.
#include <gtest/gtest.h>

#include <cstring>

#include "mtk/emu/phone/virtual_phone.hpp"
#include "mtk/emu/usbip_server.hpp"
#include "mtk/flasher/mtk_errors.hpp"
#include "mtk/flasher/phone_connection.hpp"
#include "mtk/flasher/usbip_client.hpp"
#include "mtk/flasher/xflash_client.hpp"
#include "mtk/inproc/inprocess_link.hpp"
#include "mtk/wire/sha256.hpp"
#include "mtk/wire/xflash.hpp"

namespace mtk::test {
namespace {

using flasher::Millis;
using namespace std::chrono_literals;
namespace xf = wire::xflash;

constexpr std::uint32_t kDa1Address = 0x00200000;
constexpr std::uint64_t kDa2Address = 0x40000000;

// A DA pair of our own: DA2's SHA-256 sits inside DA1, as real DA1s carry it (§3.6).
struct TestDa {
  wire::Bytes da1;
  wire::Bytes da2;
  TestDa() {
    da2.resize(0x30000);
    for (std::size_t i = 0; i < da2.size(); ++i) da2[i] = static_cast<std::uint8_t>(i * 7 + 3);
    da1.resize(0x20100);
    for (std::size_t i = 0; i < da1.size(); ++i) da1[i] = static_cast<std::uint8_t>(i * 5 + 1);
    const auto digest = wire::Sha256::of(da2);
    std::memcpy(da1.data() + 0x1000, digest.data(), digest.size());
  }
};

emu::PhoneSpec smallPhone(emu::StorageKind kind = emu::StorageKind::Emmc) {
  emu::PhoneSpec spec;
  spec.storage.kind = kind;
  spec.storage.sectorSize = kind == emu::StorageKind::Ufs ? 4096 : 512;
  spec.storage.user = 256ull << 20;
  spec.storage.boot1 = spec.storage.boot2 = 4u << 20;
  spec.preloaderWindow = std::chrono::hours(1);
  return spec;
}

class DaBench : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    emu::UsbipServerOptions o;
    o.port = 0;
    server_ = std::make_unique<emu::UsbipServer>(bus_, o);
    ASSERT_TRUE(server_->start());
    busid_ = bus_.addPort();
  }
  void TearDown() override {
    if (session_.transport) session_.transport->close();
    server_->stop();
    phone_.reset();
  }
  emu::VirtualPhone& phone(emu::PhoneSpec spec, bool brom = false) {
    phone_ = std::make_unique<emu::VirtualPhone>(bus_, busid_, std::move(spec));
    EXPECT_FALSE(phone_->storageError()) << phone_->storageError()->describe();
    phone_->powerOn(brom);
    return *phone_;
  }
  std::unique_ptr<flasher::DeviceLocator> locator() {
    if (GetParam() == "inproc") return std::make_unique<inproc::InProcessLocator>(bus_, busid_);
    flasher::UsbipAddress a;
    a.port = server_->port();
    a.busid = busid_;
    return std::make_unique<flasher::UsbipLocator>(a);
  }
  // BROM/preloader, DA1, session setup: the client is ready for DA1's commands.
  flasher::XFlashClient& startDa(const TestDa& da) {
    auto l = locator();
    auto s = flasher::connectPhone(*l, {});
    EXPECT_TRUE(s) << s.error().describe();
    session_ = std::move(*s);
    auto r = flasher::startDa1(session_, {kDa1Address, da.da1, 0x100}, 2000ms);
    EXPECT_TRUE(r) << r.error().describe();
    flasher::XFlashOptions o;
    o.statusTimeout = 1000ms;
    client_ = std::make_unique<flasher::XFlashClient>(*session_.transport, o);
    auto setup = client_->setupSession();
    EXPECT_TRUE(setup) << setup.error().describe();
    return *client_;
  }
  // ... and DA2 running.
  flasher::XFlashClient& startDa2(const TestDa& da) {
    auto& c = startDa(da);
    auto b = c.bootTo(kDa2Address, da.da2, "DA2");
    EXPECT_TRUE(b) << b.error().describe();
    EXPECT_TRUE(c.setChecksumLevel(1));
    auto info = c.storageInfo();
    EXPECT_TRUE(info) << info.error().describe();
    return c;
  }

  emu::DeviceBus bus_;
  std::unique_ptr<emu::UsbipServer> server_;
  std::string busid_;
  std::unique_ptr<emu::VirtualPhone> phone_;
  flasher::PhoneSession session_;
  std::unique_ptr<flasher::XFlashClient> client_;
};

wire::Bytes pattern(std::size_t n, std::uint32_t seed) {
  wire::Bytes b(n);
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& v : b) {
    x = x * 1664525u + 1013904223u;
    v = static_cast<std::uint8_t>(x >> 24);
  }
  return b;
}

TEST_P(DaBench, SessionSetupAndDeviceInfo) {
  TestDa da;
  phone(smallPhone());
  auto& c = startDa(da);
  auto agent = c.connectionAgent();
  ASSERT_TRUE(agent) << agent.error().describe();
  EXPECT_EQ(*agent, "preloader");
  auto pl = c.packetLength();
  ASSERT_TRUE(pl);
  EXPECT_EQ(pl->first, 1u << 20);
  EXPECT_EQ(pl->second, 1u << 20);
  // An unknown control code: 0xC0010004 and nothing more (the session goes on).
  auto unknown = c.ctrlGet(xf::CTRL_GET_EXPIRE_DATE, "GET_EXPIRE_DATE");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, xf::STATUS_UNSUPPORTED_CTRL_CODE);
  EXPECT_TRUE(c.connectionAgent());
  ASSERT_TRUE(c.bootTo(kDa2Address, da.da2, "DA2"));
  auto info = c.storageInfo();
  ASSERT_TRUE(info) << info.error().describe();
  EXPECT_EQ(info->type, flasher::StorageType::Emmc);
  EXPECT_EQ(info->blockSize, 512u);
  ASSERT_TRUE(info->user());
  EXPECT_EQ(info->user()->size, 256ull << 20);
  EXPECT_EQ(info->area("boot1")->size, 4u << 20);
}

TEST_P(DaBench, WriteReadFormatRoundTrip) {
  TestDa da;
  auto& p = phone(smallPhone());
  auto& c = startDa2(da);
  const auto data = pattern((3u << 20) + 4096, 7);
  std::size_t given = 0;
  std::uint64_t lastProgress = 0;
  auto w = c.write(
      xf::EMMC_USER, 0x100000, data.size(),
      [&](wire::MutableByteSpan out) -> Result<std::size_t> {
        std::memcpy(out.data(), data.data() + given, out.size());
        given += out.size();
        return out.size();
      },
      [&](std::uint64_t done, std::uint64_t) { lastProgress = done; });
  ASSERT_TRUE(w) << w.error().describe();
  EXPECT_EQ(lastProgress, data.size());

  // The phone's flash has exactly these bytes, and nothing around them changed.
  wire::Bytes onFlash(data.size() + 1024);
  ASSERT_TRUE(p.storage()->read(xf::EMMC_USER, 0x100000 - 512, onFlash));
  EXPECT_TRUE(std::all_of(onFlash.begin(), onFlash.begin() + 512, [](auto b) { return b == 0; }));
  EXPECT_TRUE(std::equal(data.begin(), data.end(), onFlash.begin() + 512));
  EXPECT_TRUE(std::all_of(onFlash.end() - 512, onFlash.end(), [](auto b) { return b == 0; }));

  wire::Bytes back;
  auto r = c.read(xf::EMMC_USER, 0x100000, data.size(), [&](wire::ByteSpan piece) -> Status {
    back.insert(back.end(), piece.begin(), piece.end());
    return {};
  });
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(back == data);

  ASSERT_TRUE(c.format(xf::EMMC_USER, 0x100000, 1u << 20));
  wire::Bytes erased(1u << 20);
  ASSERT_TRUE(p.storage()->read(xf::EMMC_USER, 0x100000, erased));
  EXPECT_TRUE(std::all_of(erased.begin(), erased.end(), [](auto b) { return b == 0; }));
  // A whole-area format takes the progress path (CONTINUE, ack, COMPLETE).
  ASSERT_TRUE(c.format(xf::EMMC_USER, 0, 256ull << 20));
}

TEST_P(DaBench, AccessBeyondTheAreaIsRefused) {
  TestDa da;
  phone(smallPhone());
  auto& c = startDa2(da);
  auto r = c.read(xf::EMMC_USER, (256ull << 20) - 512, 1024,
                  [](wire::ByteSpan) -> Status { return {}; });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, xf::STATUS_INVALID_ADDRESS) << r.error().describe();
  EXPECT_TRUE(c.connectionAgent()) << "the session goes on after a refused command";
}

TEST_P(DaBench, Da2DigestMismatchIsStatusDaHashMismatch) {
  TestDa da;
  phone(smallPhone());
  auto& c = startDa(da);
  auto other = da.da2;
  other[100] ^= 1;  // a DA2 that does not belong to this DA1
  auto b = c.bootTo(kDa2Address, other, "DA2");
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().name, "STATUS_DA_HASH_MISMATCH");
  EXPECT_EQ(b.error().code, 0xc0070004);
  EXPECT_NE(b.error().describe().find("0xc0070004"), std::string::npos) << b.error().describe();
}

TEST_P(DaBench, MtkclientExtensionUploadIsRefused) {
  TestDa da;
  phone(smallPhone());
  auto& c = startDa2(da);
  wire::Bytes ext(0x402c, 0x11);
  auto b = c.bootTo(0x4fff0000, ext, "the extension");
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().code, xf::STATUS_INVALID_ADDRESS);
  EXPECT_TRUE(c.connectionAgent());
}

TEST_P(DaBench, BromNeedsDramBeforeDa2) {
  TestDa da;
  phone(smallPhone(), /*brom=*/true);
  auto& c = startDa(da);
  auto agent = c.connectionAgent();
  ASSERT_TRUE(agent);
  EXPECT_EQ(*agent, "brom");
  const std::string wrong = "MTK_BLOADER_INFO_v20 not this phone's RAM";
  auto bad = c.initExtRam(
      wire::ByteSpan(reinterpret_cast<const std::uint8_t*>(wrong.data()), wrong.size()));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().name, "S_FT_ENABLE_DRAM_FAIL");
  EXPECT_EQ(bad.error().code, 4032);
  const std::string junk = "not EMI settings";
  auto unsupported =
      c.initExtRam(wire::ByteSpan(reinterpret_cast<const std::uint8_t*>(junk.data()), junk.size()));
  ASSERT_FALSE(unsupported);
  EXPECT_EQ(unsupported.error().name, "S_DA_DRAM_NOT_SUPPORT");
  const std::string right = "MTK_BLOADER_INFO_v27 settings for this RAM";
  auto ok = c.initExtRam(
      wire::ByteSpan(reinterpret_cast<const std::uint8_t*>(right.data()), right.size()));
  ASSERT_TRUE(ok) << ok.error().describe();
  EXPECT_TRUE(c.bootTo(kDa2Address, da.da2, "DA2"));
}

TEST_P(DaBench, Da2WithoutDramNeverAnswers) {
  TestDa da;
  phone(smallPhone(), /*brom=*/true);
  auto& c = startDa(da);
  auto b = c.bootTo(kDa2Address, da.da2, "DA2");
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().name, "S_FT_DA_NO_RESPONSE");
  EXPECT_NE(b.error().message.find("stage: DA2"), std::string::npos) << b.error().message;
}

TEST_P(DaBench, UfsAndNandStorage) {
  TestDa da;
  phone(smallPhone(emu::StorageKind::Ufs));
  auto& c = startDa2(da);
  EXPECT_EQ(c.storage().type, flasher::StorageType::Ufs);
  EXPECT_EQ(c.storage().blockSize, 4096u);
  const auto data = pattern(1u << 20, 3);
  std::size_t given = 0;
  ASSERT_TRUE(c.write(xf::UFS_USER, 8192, data.size(),
                      [&](wire::MutableByteSpan out) -> Result<std::size_t> {
                        std::memcpy(out.data(), data.data() + given, out.size());
                        given += out.size();
                        return out.size();
                      }));
  wire::Bytes back;
  ASSERT_TRUE(c.read(xf::UFS_USER, 8192, data.size(), [&](wire::ByteSpan p) -> Status {
    back.insert(back.end(), p.begin(), p.end());
    return {};
  }));
  EXPECT_TRUE(back == data);
}

TEST_P(DaBench, ShutdownRebootsThePhoneOffUsb) {
  TestDa da;
  auto& p = phone(smallPhone());
  auto& c = startDa2(da);
  ASSERT_TRUE(c.shutdown());
  for (int i = 0; i < 200 && !bus_.list().empty(); ++i) {
    bus_.tick();
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_TRUE(bus_.list().empty());
  EXPECT_EQ(p.state(), emu::PhoneState::BootedOn);
}

TEST_P(DaBench, ChunksDamagedOnTheCableAreSentAgain) {
  for (unsigned damaged : {2u, 5u}) {
    TestDa da;
    auto spec = smallPhone();
    spec.corruptWriteChunks = damaged;
    auto& p = phone(spec);
    auto& c = startDa2(da);
    const auto data = pattern(2u << 20, damaged);
    std::size_t given = 0;
    auto w = c.write(xf::EMMC_USER, 0, data.size(),
                     [&](wire::MutableByteSpan out) -> Result<std::size_t> {
                       std::memcpy(out.data(), data.data() + given, out.size());
                       given += out.size();
                       return out.size();
                     });
    if (damaged <= 3) {  // within the retries: the write completes and the data is right
      ASSERT_TRUE(w) << w.error().describe();
      wire::Bytes onFlash(data.size());
      ASSERT_TRUE(p.storage()->read(xf::EMMC_USER, 0, onFlash));
      EXPECT_TRUE(onFlash == data);
    } else {
      ASSERT_FALSE(w);
      EXPECT_EQ(w.error().code, xf::STATUS_CHECKSUM_ERR) << w.error().describe();
    }
    session_.transport->close();
    session_ = {};
  }
}

TEST_P(DaBench, PowerCutTearsTheWriteAndTheErrorNamesTheAddress) {
  TestDa da;
  auto& p = phone(smallPhone());
  auto& c = startDa2(da);
  p.storage()->armPowerCut(1536 * 1024);  // 1.5 MiB into the next writes
  const auto data = pattern(3u << 20, 9);
  std::size_t given = 0;
  auto w = c.write(xf::EMMC_USER, 0x200000, data.size(),
                   [&](wire::MutableByteSpan out) -> Result<std::size_t> {
                     std::memcpy(out.data(), data.data() + given, out.size());
                     given += out.size();
                     return out.size();
                   });
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, xf::STATUS_MMC_ERR) << w.error().describe();
  EXPECT_NE(w.error().message.find("at 0x300000"), std::string::npos) << w.error().message;
  // The first MiB landed, half of the second did, nothing after.
  wire::Bytes onFlash(3u << 20);
  ASSERT_TRUE(p.storage()->read(xf::EMMC_USER, 0x200000, onFlash));
  EXPECT_TRUE(std::equal(data.begin(), data.begin() + (1536 * 1024), onFlash.begin()));
  EXPECT_TRUE(
      std::all_of(onFlash.begin() + (1536 * 1024), onFlash.end(), [](auto b) { return b == 0; }));
}

INSTANTIATE_TEST_SUITE_P(Transports, DaBench, ::testing::Values("inproc", "usbip"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace mtk::test
