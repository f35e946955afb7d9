#pragma once
// Exports the devices of a DeviceBus over USB/IP (TCP), so Linux's `usbip` tool, the kernel's
// vhci-hcd and the project's own USB/IP client can import them. Runs its own I/O thread.
//
// Network input is hostile by default: every length and count is checked against the limits
// below before anything is allocated; a malformed, truncated or oversized message closes that
// one connection with a log line and nothing else.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "mtk/emu/device_bus.hpp"
#include "mtk/error.hpp"

namespace mtk::emu {

struct UsbipServerOptions {
  std::string address = "127.0.0.1";  // another address only when asked for explicitly
  std::uint16_t port = 3240;          // 0 picks a free port (see UsbipServer::port())
  // A CMD_SUBMIT asking for more than this closes the connection (Linux usbfs allows 16 MiB).
  std::size_t maxUrbBytes = 16u << 20;
  // Bytes of OUT data held plus IN data requested by one connection's pending URBs; beyond it
  // the server stops reading that socket until replies drain (TCP flow control).
  std::size_t maxInFlightBytes = 32u << 20;
  std::size_t maxPendingUrbs = 1024;                // more closes the connection
  std::size_t maxConnections = 256;                 // more are refused at accept
  std::chrono::milliseconds requestTimeout{10000};  // for the list/import phase
};

class UsbipServer {
 public:
  UsbipServer(DeviceBus& bus, UsbipServerOptions options = {});
  ~UsbipServer();
  UsbipServer(const UsbipServer&) = delete;
  UsbipServer& operator=(const UsbipServer&) = delete;

  // Binds, listens and starts the I/O thread.
  Status start();
  // Closes the listener and every connection, and joins the I/O thread. Idempotent.
  void stop();

  std::uint16_t port() const;
  std::size_t connectionCount() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mtk::emu
