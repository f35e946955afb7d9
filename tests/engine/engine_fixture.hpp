#pragma once
// What engine tests share: a temporary folder, a test DA file, virtual phones on a bus that is
// also exported over USB/IP, and a locator for either transport (the test parameter).
#include <gtest/gtest.h>

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "mtk/emu/phone/virtual_phone.hpp"
#include "mtk/emu/usbip_server.hpp"
#include "mtk/flasher/da_session.hpp"
#include "mtk/flasher/usbip_client.hpp"
#include "mtk/inproc/inprocess_link.hpp"
#include "mtk/wire/da_container.hpp"

namespace mtk::test {

class TempDir {
 public:
  TempDir() {
    char t[] = "/tmp/mtkflash-test-XXXXXX";
    path_ = ::mkdtemp(t);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }
  std::string file(const std::string& name, const wire::Bytes& bytes) const {
    const std::string p = sub(name);
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    return p;
  }

 private:
  std::string path_;
};

inline std::string testDa(const TempDir& dir, std::vector<std::uint16_t> chips,
                          const std::string& id = wire::da::kTestDaId) {
  wire::da::DaBuildSpec spec;
  spec.id = id;
  for (auto c : chips) {
    wire::da::DaBuildEntry e;
    e.chipCode = c;
    e.da1 = wire::da::makeTestPayload("DA1", 0x20000, c);
    e.da2 = wire::da::makeTestPayload("DA2", 0x30000, c + 1);
    spec.entries.push_back(e);
  }
  return dir.file("da.bin", wire::da::buildDaFile(spec));
}

// Phones on one bus, exported over USB/IP on 127.0.0.1; GetParam() picks the transport.
class PhoneRig : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    emu::UsbipServerOptions so;
    so.port = 0;
    server_ = std::make_unique<emu::UsbipServer>(bus_, so);
    ASSERT_TRUE(server_->start());
  }
  void TearDown() override {
    server_->stop();
    phones_.clear();
  }

  // A phone in preloader mode that listens as long as the test needs; returns its busid.
  emu::VirtualPhone& addPhone(emu::PhoneSpec spec, bool brom = false) {
    spec.preloaderWindow = std::chrono::hours(1);
    const std::string busid = bus_.addPort();
    phones_.push_back(std::make_unique<emu::VirtualPhone>(bus_, busid, std::move(spec)));
    busids_.push_back(busid);
    phones_.back()->powerOn(brom);
    return *phones_.back();
  }

  std::unique_ptr<flasher::DeviceLocator> locator(std::size_t phone = 0) {
    if (GetParam() == "inproc")
      return std::make_unique<inproc::InProcessLocator>(bus_, busids_.at(phone));
    flasher::UsbipAddress a;
    a.port = server_->port();
    a.busid = busids_.at(phone);
    return std::make_unique<flasher::UsbipLocator>(a);
  }

  Result<flasher::DaSession> open(const std::string& daPath, const std::string& preloader = {},
                                  std::size_t phone = 0, const std::string& expectPlatform = {}) {
    using namespace std::chrono_literals;
    auto l = locator(phone);
    flasher::DaSessionOptions o;
    o.daPath = daPath;
    o.preloaderPath = preloader;
    o.expectPlatform = expectPlatform;
    o.connect.waitTimeout = 2000ms;
    o.daSyncTimeout = 1000ms;
    o.xflash.statusTimeout = 2000ms;
    return flasher::openDaSession(*l, o);
  }

  TempDir dir_;
  emu::DeviceBus bus_;
  std::vector<std::string> busids_;
  std::vector<std::unique_ptr<emu::VirtualPhone>> phones_;
  std::unique_ptr<emu::UsbipServer> server_;
};

}  // namespace mtk::test
