#include "echo_bench.hpp"

#include <gtest/gtest.h>

#include "mtk/emu/mtk_descriptors.hpp"
#include "mtk/flasher/usbip_client.hpp"
#include "mtk/inproc/inprocess_link.hpp"

namespace mtk::test {

EchoBench::EchoBench(unsigned devices, emu::UsbipServerOptions options) {
  for (unsigned i = 0; i < devices; ++i) {
    busids_.push_back(bus_.addPort());
    bus_.plug(busids_.back(),
              std::make_shared<emu::UsbDevice>(emu::echoDeviceDescriptors(0x0e8d, 0x2000),
                                               std::make_shared<emu::EchoFunction>()));
  }
  options.port = 0;
  server_ = std::make_unique<emu::UsbipServer>(bus_, options);
  auto s = server_->start();
  if (!s) ADD_FAILURE() << s.error().describe();
}

EchoBench::~EchoBench() {
  server_->stop();
}

std::string EchoBench::url(const std::string& busid) const {
  return "usbip://127.0.0.1:" + std::to_string(port()) + "/" + busid;
}

Result<std::unique_ptr<flasher::Transport>> EchoBench::open(const std::string& transport,
                                                            const std::string& busid) {
  std::vector<flasher::UsbId> ids{{0x0e8d, 0x2000}};
  if (transport == "inproc")
    return inproc::InProcessLocator(bus_, busid).waitFor(ids, flasher::Millis(2000));
  auto a = flasher::parseUsbipUrl(url(busid));
  if (!a) return std::move(a).error();
  return flasher::UsbipLocator(*a).waitFor(ids, flasher::Millis(5000));
}

}  // namespace mtk::test
