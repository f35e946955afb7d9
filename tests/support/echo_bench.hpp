#pragma once
// A test bench: a DeviceBus with echo test devices, exported over USB/IP on a free loopback
// port, plus ways to open each of the flasher's transports on it.

#include <memory>
#include <string>
#include <vector>

#include "mtk/emu/device_bus.hpp"
#include "mtk/emu/echo_function.hpp"
#include "mtk/emu/usbip_server.hpp"
#include "mtk/flasher/transport.hpp"

namespace mtk::test {

class EchoBench {
 public:
  explicit EchoBench(unsigned devices = 1, emu::UsbipServerOptions options = {});
  ~EchoBench();

  emu::DeviceBus& bus() { return bus_; }
  emu::UsbipServer& server() { return *server_; }
  std::uint16_t port() const { return server_->port(); }
  const std::vector<std::string>& busids() const { return busids_; }
  std::string url(const std::string& busid) const;

  // Opens busid through the named transport: "inproc" or "usbip".
  Result<std::unique_ptr<flasher::Transport>> open(const std::string& transport,
                                                   const std::string& busid);

 private:
  emu::DeviceBus bus_;
  std::unique_ptr<emu::UsbipServer> server_;
  std::vector<std::string> busids_;
};

}  // namespace mtk::test
