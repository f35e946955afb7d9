#include "mtk/emu/phone/device_io.hpp"

namespace mtk::emu {

Task<std::uint8_t> DeviceIo::u8() {
  auto b = co_await in_.read(1);
  co_return b[0];
}

Task<std::uint16_t> DeviceIo::be16() {
  auto b = co_await in_.read(2);
  co_return wire::loadBe16(b.data());
}

Task<std::uint32_t> DeviceIo::be32() {
  auto b = co_await in_.read(4);
  co_return wire::loadBe32(b.data());
}

void DeviceIo::send(wire::Bytes data) {
  if (!port_) return;
  if (tap_) {
    const auto verdict = tap_->onIn(data);
    if (verdict == InTap::Verdict::Drop) return;
    // Once something is held, everything after it waits too: transfers keep their order.
    if (verdict == InTap::Verdict::Hold || !held_.empty()) {
      heldBytes_ += data.size();
      held_.push_back(std::move(data));
      return;
    }
  }
  port_->sendIn(ep_, std::move(data));
}

void DeviceIo::releaseHeld() {
  while (!held_.empty() && port_) {
    wire::Bytes data = std::move(held_.front());
    held_.pop_front();
    heldBytes_ -= data.size();
    port_->sendIn(ep_, std::move(data));
  }
}

void DeviceIo::sendBe16(std::uint16_t v) {
  wire::Bytes b(2);
  wire::storeBe16(b.data(), v);
  send(std::move(b));
}

void DeviceIo::sendBe32(std::uint32_t v) {
  wire::Bytes b(4);
  wire::storeBe32(b.data(), v);
  send(std::move(b));
}

void DeviceIo::onInWanted() {
  if (drainWaiter_ && port_ && queued() <= drainLimit_) {
    auto h = drainWaiter_;
    drainWaiter_ = {};
    h.resume();
  }
}

}  // namespace mtk::emu
