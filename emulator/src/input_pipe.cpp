#include "mtk/emu/input_pipe.hpp"

#include <algorithm>

namespace mtk::emu {

void InputPipe::clear() {
  buf_.clear();
  head_ = 0;
}

wire::Bytes InputPipe::take(std::size_t n) {
  wire::Bytes out(buf_.begin() + static_cast<std::ptrdiff_t>(head_),
                  buf_.begin() + static_cast<std::ptrdiff_t>(head_ + n));
  head_ += n;
  if (head_ == buf_.size()) {
    clear();
  } else if (head_ > 4096 && head_ * 2 > buf_.size()) {  // compact now and then
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  return out;
}

void InputPipe::wake() {
  auto h = waiter_;
  waiter_ = {};
  if (h) h.resume();
}

bool InputPipe::StreamAwaiter::await_ready() {
  // Bytes already buffered go first, so the stream keeps the order they arrived in.
  const std::size_t k = std::min(n, pipe.buffered());
  if (k) {
    sink(wire::ByteSpan(pipe.buf_.data() + pipe.head_, k));
    pipe.take(k);  // small copy of buffered bytes only; bulk data below bypasses the buffer
  }
  if (k == n) return true;
  pipe.streamLeft_ = n - k;
  pipe.sink_ = std::move(sink);
  return false;
}

std::size_t InputPipe::push(wire::ByteSpan data) {
  std::size_t taken = 0;
  while (taken < data.size()) {
    if (streamLeft_ > 0 && buffered() == 0) {
      const std::size_t k = std::min(streamLeft_, data.size() - taken);
      sink_(data.subspan(taken, k));
      streamLeft_ -= k;
      taken += k;
      if (streamLeft_ == 0) {
        sink_ = nullptr;
        wake();  // may start another read or stream: the loop carries on with the rest
      }
      continue;
    }
    const std::size_t room = capacity_ > buffered() ? capacity_ - buffered() : 0;
    if (room == 0) break;
    const std::size_t k = std::min(room, data.size() - taken);
    buf_.insert(buf_.end(), data.begin() + static_cast<std::ptrdiff_t>(taken),
                data.begin() + static_cast<std::ptrdiff_t>(taken + k));
    taken += k;
    while (waiter_ && streamLeft_ == 0 && buffered() >= want_) wake();
  }
  return taken;
}

}  // namespace mtk::emu
