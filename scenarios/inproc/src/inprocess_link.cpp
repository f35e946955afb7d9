#include "mtk/inproc/inprocess_link.hpp"

#include <condition_variable>
#include <cstring>
#include <thread>
#include <unordered_map>

#include "mtk/flasher/cdc_transport.hpp"

namespace mtk::inproc {

using flasher::Millis;
using flasher::usbError;
namespace ue = flasher::usb_errors;
constexpr Millis kTickSlice{5};

// Shared with the device's completion callback and the bus listener, which may outlive a
// closed link for a moment.
struct InProcessLink::State {
  std::condition_variable cv;  // used with the bus mutex
  std::unordered_map<std::uint64_t, emu::UrbPtr> done;
  std::shared_ptr<emu::UsbDevice> device;
  std::uint64_t generation = 0;
  std::uint64_t nextId = 1;
  bool gone = false;  // unplugged or closed
  int listenerToken = 0;
};

Result<std::unique_ptr<InProcessLink>> InProcessLink::attach(emu::DeviceBus& bus,
                                                             const std::string& busid) {
  auto a = bus.attach(busid);
  if (!a) return std::move(a).error();
  std::unique_ptr<InProcessLink> link(new InProcessLink(bus, busid));
  auto state = std::make_shared<State>();
  state->device = a->device;
  state->generation = a->generation;
  {
    std::lock_guard lock(bus.mutex());
    // Runs under the bus lock, which is also the lock the waiting thread sleeps on.
    state->device->setCompletion([weak = std::weak_ptr<State>(state)](emu::UrbPtr urb) {
      if (auto s = weak.lock()) {
        s->done[urb->id] = std::move(urb);
        s->cv.notify_all();
      }
    });
  }
  state->listenerToken = bus.subscribe(
      [&bus, weak = std::weak_ptr<State>(state), busid](const std::string& b, std::uint64_t gen) {
        auto s = weak.lock();
        if (!s || b != busid || gen != s->generation) return;
        std::lock_guard lock(bus.mutex());
        s->gone = true;
        s->cv.notify_all();
      });
  link->state_ = std::move(state);
  return link;
}

InProcessLink::~InProcessLink() {
  close();
}

void InProcessLink::close() {
  if (!state_) return;
  bus_.unsubscribe(state_->listenerToken);
  {
    std::lock_guard lock(bus_.mutex());
    state_->gone = true;
  }
  bus_.detach(busid_, state_->generation);
  state_.reset();
}

std::uint8_t InProcessLink::speed() const {
  return state_ ? static_cast<std::uint8_t>(state_->device->descriptors().speed) : 0;
}

Result<std::size_t> InProcessLink::transfer(std::unique_ptr<emu::Urb> urb,
                                            wire::MutableByteSpan inBuf, Millis timeout,
                                            const char* what) {
  if (!state_) return usbError(ue::kNoDevice, std::string(what) + ": the link is closed");
  State& s = *state_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::unique_lock lock(bus_.mutex());
  if (s.gone) return usbError(ue::kNoDevice, std::string(what) + ": the device was unplugged");
  const std::uint64_t id = s.nextId++;
  urb->id = id;
  s.device->submit(std::move(urb));
  // Wait in short slices: between them the bus gets its ticks and runs what devices deferred
  // (a phone unplugging itself), as the USB/IP server's timer does.
  for (;;) {
    lock.unlock();
    bus_.runDeferred();
    lock.lock();
    if (s.done.count(id) || s.gone) break;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    s.cv.wait_until(lock, std::min(deadline, now + kTickSlice),
                    [&] { return s.done.count(id) || s.gone; });
    if (s.done.count(id) || s.gone) break;
    lock.unlock();
    bus_.tick();
    lock.lock();
  }
  auto it = s.done.find(id);
  if (it == s.done.end()) {
    // Cancel before returning: the URB may point at the caller's buffer.
    s.device->cancel(id);
    if (s.gone) return usbError(ue::kNoDevice, std::string(what) + ": the device was unplugged");
    return usbError(ue::kTimeout, std::string(what) + " timed out after " +
                                      std::to_string(timeout.count()) + " ms");
  }
  emu::UrbPtr r = std::move(it->second);
  s.done.erase(it);
  lock.unlock();
  if (r->status == emu::kUrbStall)
    return usbError(ue::kPipe, std::string(what) + ": the device STALLed");
  if (r->status != emu::kUrbOk) {
    return usbError(ue::kIo, std::string(what) + ": status " + std::to_string(r->status));
  }
  if (r->in) {
    auto data = r->inData();
    if (data.size() > inBuf.size()) return usbError(ue::kOverflow, what);
    if (!data.empty()) std::memcpy(inBuf.data(), data.data(), data.size());
    return data.size();
  }
  return static_cast<std::size_t>(r->actual);
}

Result<std::size_t> InProcessLink::control(const wire::usb::SetupPacket& setup,
                                           wire::MutableByteSpan data, Millis timeout) {
  auto urb = std::make_unique<emu::Urb>();
  urb->endpoint = 0;
  urb->setup = setup;
  urb->in = setup.isIn();
  const std::size_t n = std::min<std::size_t>(data.size(), setup.wLength);
  urb->length = static_cast<std::uint32_t>(n);
  if (!urb->in) urb->out = data.first(n);
  const char* what = urb->in ? "control IN" : "control OUT";
  return transfer(std::move(urb), data.first(n), timeout, what);
}

Result<std::size_t> InProcessLink::bulkOut(std::uint8_t endpoint, wire::ByteSpan data,
                                           Millis timeout) {
  auto urb = std::make_unique<emu::Urb>();
  urb->endpoint = endpoint & 0x0f;
  urb->in = false;
  urb->length = static_cast<std::uint32_t>(data.size());
  urb->out = data;  // no copy: transfer() waits for completion or cancels
  return transfer(std::move(urb), {}, timeout, "bulk OUT");
}

Result<std::size_t> InProcessLink::bulkIn(std::uint8_t endpoint, wire::MutableByteSpan buffer,
                                          Millis timeout) {
  auto urb = std::make_unique<emu::Urb>();
  urb->endpoint = endpoint & 0x0f;
  urb->in = true;
  urb->length = static_cast<std::uint32_t>(buffer.size());
  return transfer(std::move(urb), buffer, timeout, "bulk IN");
}

Status InProcessLink::setConfiguration(std::uint8_t value) {
  auto r = control({0, wire::usb::SET_CONFIGURATION, value, 0, 0}, {}, Millis(1000));
  if (!r) return std::move(r).error();
  return {};
}

Result<std::unique_ptr<flasher::Transport>> InProcessLocator::waitFor(
    const std::vector<flasher::UsbId>& ids, Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    for (const auto& r : bus_.list()) {
      if (!busid_.empty() && r.busid != busid_) continue;
      bool match = ids.empty();
      for (const auto& id : ids) match = match || (id.vid == r.idVendor && id.pid == r.idProduct);
      if (!match) continue;
      auto link = InProcessLink::attach(bus_, r.busid);
      if (!link) continue;  // attached elsewhere: keep looking
      auto t = flasher::CdcTransport::open(std::move(*link));
      if (!t) return std::move(t).error();
      return std::unique_ptr<flasher::Transport>(std::move(*t));
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(Millis(1));
    bus_.tick();
  }
  return usbError(ue::kNotFound, "no matching device appeared on the in-process bus within " +
                                     std::to_string(timeout.count()) + " ms");
}

}  // namespace mtk::inproc
