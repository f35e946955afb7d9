#pragma once
// The byte stream a device-side protocol reads from: OUT transfers push bytes in, coroutines
// await exactly the bytes they need. Small fields are buffered; bulk payloads can be streamed
// straight from the transfer to a sink without being buffered or copied.
//
// The buffer is bounded: bytes beyond `capacity` that nobody is waiting for are refused (the
// device model then NAKs, holding the host's URB), so a flooding host cannot grow memory.

#include <coroutine>
#include <cstdint>
#include <functional>
#include <vector>

#include "mtk/wire/bytes.hpp"

namespace mtk::emu {

class InputPipe {
 public:
  explicit InputPipe(std::size_t capacity = 1u << 20) : capacity_(capacity) {}

  // Feeds the bytes of an OUT transfer; returns how many were taken. Resumes waiting code.
  std::size_t push(wire::ByteSpan data);
  std::size_t buffered() const { return buf_.size() - head_; }
  // Forgets buffered bytes (the waiting coroutine, if any, keeps waiting).
  void clear();

  struct ReadAwaiter {
    InputPipe& pipe;
    std::size_t n;
    bool await_ready() const { return pipe.buffered() >= n; }
    void await_suspend(std::coroutine_handle<> h) {
      pipe.waiter_ = h;
      pipe.want_ = n;
    }
    wire::Bytes await_resume() { return pipe.take(n); }
  };
  // Exactly n bytes.
  ReadAwaiter read(std::size_t n) { return ReadAwaiter{*this, n}; }

  struct StreamAwaiter {
    InputPipe& pipe;
    std::size_t n;
    std::function<void(wire::ByteSpan)> sink;
    bool await_ready();
    void await_suspend(std::coroutine_handle<> h) { pipe.waiter_ = h; }
    void await_resume() const noexcept {}
  };
  // Hands the next n bytes to `sink` as they arrive (in pieces), then resumes.
  StreamAwaiter stream(std::size_t n, std::function<void(wire::ByteSpan)> sink) {
    return StreamAwaiter{*this, n, std::move(sink)};
  }

 private:
  wire::Bytes take(std::size_t n);
  void wake();

  std::size_t capacity_;
  wire::Bytes buf_;
  std::size_t head_ = 0;
  std::coroutine_handle<> waiter_;
  std::size_t want_ = 0;  // bytes a read waits for
  // An active stream: bytes go to the sink instead of the buffer.
  std::size_t streamLeft_ = 0;
  std::function<void(wire::ByteSpan)> sink_;
};

}  // namespace mtk::emu
