#pragma once
// What device-side protocol coroutines use to talk to the host: awaitable reads from the OUT
// stream, IN transfers (each field its own transfer, as real firmware sends them), and flow
// control so a protocol never queues more IN data than the host is taking.

#include <coroutine>
#include <cstdint>
#include <deque>

#include "mtk/emu/input_pipe.hpp"
#include "mtk/emu/task.hpp"
#include "mtk/emu/usb_function.hpp"

namespace mtk::emu {

class DeviceIo {
 public:
  // Sees every IN transfer before it is queued: the fault engine counts the stream there, damages
  // bytes in transit, holds transfers back while the phone is frozen, or drops them when it is
  // silent.
  class InTap {
   public:
    enum class Verdict { Send, Hold, Drop };
    virtual ~InTap() = default;
    virtual Verdict onIn(wire::Bytes& data) = 0;
  };

  DeviceIo(InputPipe& in, std::uint8_t inEndpoint) : in_(in), ep_(inEndpoint) {}
  void bind(EndpointPort* port) { port_ = port; }
  void setTap(InTap* tap) { tap_ = tap; }

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

  // Queues the transfers the tap held back, in order.
  void releaseHeld();
  // Nothing the phone sent is waiting for the host (held transfers aside).
  bool inQueueEmpty() const { return !port_ || port_->queuedIn(ep_) == 0; }

  // Never resumes: a phone that stopped (cable pulled, went silent) parks its protocol here;
  // the coroutine is destroyed with the USB function.
  struct Hang {
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    void await_resume() const noexcept {}
  };
  Hang hang() const { return {}; }

  // Resumes once the host has taken the queued IN data down to `limit` bytes (held transfers
  // count as queued, so a frozen phone does not pile up data).
  struct DrainAwaiter {
    DeviceIo& io;
    std::size_t limit;
    bool await_ready() const { return !io.port_ || io.queued() <= limit; }
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
  std::size_t queued() const { return (port_ ? port_->queuedIn(ep_) : 0) + heldBytes_; }

  InputPipe& in_;
  std::uint8_t ep_;
  EndpointPort* port_ = nullptr;
  InTap* tap_ = nullptr;
  std::deque<wire::Bytes> held_;
  std::size_t heldBytes_ = 0;
  std::coroutine_handle<> drainWaiter_;
  std::size_t drainLimit_ = 0;
};

}  // namespace mtk::emu
