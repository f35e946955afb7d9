#pragma once
// A TCP socket with deadlines, for the USB/IP client: non-blocking underneath, so a send that
// cannot proceed can still let replies in (the server may be waiting for us to read).

#include <sys/uio.h>

#include <chrono>
#include <functional>
#include <string>

#include "mtk/error.hpp"
#include "mtk/flasher/usb_link.hpp"

namespace mtk::flasher::usbip_detail {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

class Socket {
 public:
  Socket() = default;
  ~Socket() { close(); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  Status connect(const std::string& host, std::uint16_t port, Deadline deadline);
  // Reads exactly n bytes. A deadline reached before the first byte is a timeout; one reached
  // in the middle of a message, or the peer closing, breaks the connection.
  Status readAll(void* data, std::size_t n, Deadline deadline);
  // True when at least one byte can be read before the deadline.
  Result<bool> waitReadable(Deadline deadline);
  // Writes every iovec. While the socket is full, `onReadable` is called when data arrives so
  // replies keep flowing.
  Status writeAll(iovec* iov, int count, Deadline deadline,
                  const std::function<Status()>& onReadable);
  void close();
  bool isOpen() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

Error connectionLost(const std::string& what);

}  // namespace mtk::flasher::usbip_detail
