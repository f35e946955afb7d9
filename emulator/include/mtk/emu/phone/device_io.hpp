#pragma once
// What device-side protocol coroutines use to talk to the host: awaitable reads from the OUT
// stream, IN transfers (each field its own transfer, as real firmware sends them), and flow
// control so a protocol never queues more IN data than the host is taking.

#include <coroutine>
#include <cstdint>

#include "mtk/emu/input_pipe.hpp"
#include "mtk/emu/task.hpp"
#include "mtk/emu/usb_function.hpp"

namespace mtk::emu {

class DeviceIo {
 public:
  DeviceIo(InputPipe& in, std::uint8_t inEndpoint) : in_(in), ep_(inEndpoint) {}
  void bind(EndpointPort* port) { port_ = port; }

  InputPipe& in() { return in_; }
  InputPipe::ReadAwaiter read(std::size_t n) { return in_.read(n); }
  Task<std::uint8_t> u8();
  Task<std::uint16_t> be16();
  Task<std::uint32_t> be32();

  // One IN transfer each.
  void send(wire::Bytes data);
  void send8(std::uint8_t v) { send(wire::Bytes{v}); }
  void sendBe16(std::uint16_t v);
  void sendBe32(std::uint32_t v);

  // Resumes once the host has taken the queued IN data down to `limit` bytes.
  struct DrainAwaiter {
    DeviceIo& io;
    std::size_t limit;
    bool await_ready() const { return !io.port_ || io.port_->queuedIn(io.ep_) <= limit; }
    void await_suspend(std::coroutine_handle<> h) {
      io.drainWaiter_ = h;
      io.drainLimit_ = limit;
    }
    void await_resume() const noexcept {}
  };
  DrainAwaiter drained(std::size_t limit = 64 * 1024) { return DrainAwaiter{*this, limit}; }
  // The function calls this when the host is waiting for IN data (the queue ran dry).
  void onInWanted();

 private:
  InputPipe& in_;
  std::uint8_t ep_;
  EndpointPort* port_ = nullptr;
  std::coroutine_handle<> drainWaiter_;
  std::size_t drainLimit_ = 0;
};

}  // namespace mtk::emu
