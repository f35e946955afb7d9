#pragma once
// A bare TCP client for poking the USB/IP server with exact (and hostile) bytes.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "mtk/wire/bytes.hpp"

namespace mtk::test {

class RawClient {
 public:
  explicit RawClient(std::uint16_t port);
  ~RawClient();
  bool connected() const { return fd_ >= 0; }
  bool send(wire::ByteSpan bytes);
  // Exactly n bytes, or nullopt on timeout/close.
  std::optional<wire::Bytes> recv(
      std::size_t n, std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
  // True when the server closes the connection within the timeout (reading and dropping data).
  bool closedByPeer(std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
  void close();

  // OP_REQ_IMPORT of busid; returns the reply status (or -1 on a broken reply).
  int import(const std::string& busid);

 private:
  int fd_ = -1;
};

}  // namespace mtk::test
