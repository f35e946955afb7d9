#pragma once
// One TCP connection of the USB/IP server: the list/import phase, then the URB phase for the
// imported device. Lives on the server's I/O thread; the device's completions may arrive on any
// thread and are brought back to it.

#include <utility>  // before Asio: Boost 1.74's awaitable.hpp misses it under g++ 12

#include <boost/asio.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "mtk/emu/device_bus.hpp"
#include "mtk/emu/usbip_server.hpp"
#include "mtk/wire/usbip.hpp"

namespace mtk::emu {

class UsbipConnection : public std::enable_shared_from_this<UsbipConnection> {
 public:
  using tcp = boost::asio::ip::tcp;
  using Closed = std::function<void(UsbipConnection*)>;

  UsbipConnection(tcp::socket socket, DeviceBus& bus, const UsbipServerOptions& options,
                  Closed onClosed);
  ~UsbipConnection();

  void start();
  // Closes the socket, drops pending URBs and releases the device. I/O thread only.
  void close(const std::string& reason);

 private:
  struct Reply {
    wire::usbip::UrbHeader header;
    UrbPtr urb;  // keeps IN data alive until written; null for RET_UNLINK
    std::size_t heldBytes = 0;
  };

  void armTimeout();
  void readOpHeader();
  void handleOpHeader();
  void handleImport();
  void sendAndClose(wire::Bytes message);

  void readUrbHeader();
  void handleUrbHeader();
  void handleSubmit(const wire::usbip::CmdSubmit& cmd);
  void submitToDevice(UrbPtr urb);
  void handleUnlink(const wire::usbip::CmdUnlink& cmd);
  void completed(UrbPtr urb);  // I/O thread
  void queueRetSubmit(UrbPtr urb);
  void queueRetUnlink(std::uint32_t seqnum, std::int32_t status);
  void startWrite();
  bool overBudget() const { return heldBytes_ >= options_.maxInFlightBytes; }
  void continueReading();
  void onUnplugged(const std::string& busid, std::uint64_t generation);

  tcp::socket socket_;
  boost::asio::steady_timer timer_;
  DeviceBus& bus_;
  const UsbipServerOptions& options_;
  Closed onClosed_;
  std::string peer_;
  bool closed_ = false;

  std::array<std::uint8_t, wire::usbip::kUrbHeaderSize> header_{};
  wire::Bytes scratch_;  // busid field, ISO descriptors

  // After OP_REQ_IMPORT.
  std::string busid_;
  std::uint64_t generation_ = 0;
  std::uint32_t devid_ = 0;
  std::shared_ptr<UsbDevice> device_;
  int unplugToken_ = 0;

  struct Pending {
    bool in = false;
    std::size_t requested = 0;
  };
  std::unordered_map<std::uint32_t, Pending> pending_;  // seqnum -> submitted, not replied
  std::unordered_map<std::uint32_t, std::uint32_t> deferredUnlinks_;  // urb seqnum -> unlink seqnum
  std::size_t pendingInRequested_ = 0;
  std::size_t heldBytes_ = 0;  // OUT data held by the device + IN data waiting to be written
  bool readPaused_ = false;
  UrbPtr current_;  // the CMD_SUBMIT whose payload is being read

  // Buffers of finished OUT URBs, reused; bounded so an idle connection holds at most 8 MiB.
  static constexpr std::size_t kOutPoolSize = 8;
  static constexpr std::size_t kOutPoolBufferMax = 1u << 20;
  std::vector<OutBuffer> outPool_;

  std::deque<Reply> writeQueue_;
  std::size_t writing_ = 0;  // replies in the current async_write
  std::vector<boost::asio::const_buffer> gather_;
};

}  // namespace mtk::emu
