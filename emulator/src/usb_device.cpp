#include "mtk/emu/usb_device.hpp"

#include <algorithm>

namespace mtk::emu {

using namespace mtk::wire::usb;
using wire::Bytes;
using wire::ByteSpan;

UsbDevice::UsbDevice(DeviceDescriptors descriptors, std::shared_ptr<UsbFunction> function)
    : descriptors_(std::move(descriptors)), function_(std::move(function)) {
  function_->bind(*this);
}

UsbDevice::~UsbDevice() = default;

std::size_t UsbDevice::pendingUrbs() const {
  std::size_t n = 0;
  for (const auto& e : in_) n += e.pending.size();
  for (const auto& e : out_) n += e.pending.size();
  return n;
}

void UsbDevice::complete(UrbPtr urb, std::int32_t status) {
  urb->status = status;
  if (status != kUrbOk && urb->in) urb->actual = 0;
  if (completion_) completion_(std::move(urb));
}

void UsbDevice::submit(UrbPtr urb) {
  if (urb->endpoint == 0) {
    handleControl(std::move(urb));
    return;
  }
  const std::uint8_t ep = urb->endpoint & 0x0f;
  if (urb->isochronous || configuration_ == 0 || !endpointExists(urb->address())) {
    complete(std::move(urb), kUrbStall);
    return;
  }
  if (urb->in) {
    in_[ep].pending.push_back(std::move(urb));
    pumpIn(ep);
  } else {
    out_[ep].pending.push_back(std::move(urb));
    pumpOut(ep);
  }
}

bool UsbDevice::cancel(std::uint64_t id) {
  auto match = [id](const UrbPtr& u) { return u->id == id; };
  for (auto& e : in_) {
    auto it = std::find_if(e.pending.begin(), e.pending.end(), match);
    if (it != e.pending.end()) {
      e.pending.erase(it);
      return true;
    }
  }
  for (auto& e : out_) {
    auto it = std::find_if(e.pending.begin(), e.pending.end(), match);
    if (it != e.pending.end()) {
      if (it == e.pending.begin()) e.frontOffset = 0;
      e.pending.erase(it);
      return true;
    }
  }
  return false;
}

void UsbDevice::reset(bool keepData) {
  for (auto& e : in_) {
    e.pending.clear();
    e.halted = false;
    if (!keepData) {
      e.data.clear();
      e.queuedBytes = 0;
    }
  }
  for (auto& e : out_) {
    e.pending.clear();
    e.frontOffset = 0;
    e.halted = false;
  }
  configuration_ = 0;
}

bool UsbDevice::endpointExists(std::uint8_t address) const {
  for (const auto& i : descriptors_.config.interfaces) {
    for (const auto& e : i.endpoints) {
      if (e.bEndpointAddress == address) return true;
    }
  }
  return false;
}

void UsbDevice::sendIn(std::uint8_t ep, Bytes data) {
  sendInShared(ep, std::make_shared<const Bytes>(std::move(data)));
}

void UsbDevice::sendInShared(std::uint8_t ep, std::shared_ptr<const Bytes> data) {
  ep &= 0x0f;
  auto& e = in_[ep];
  e.queuedBytes += data->size();
  e.data.push_back(Chunk{std::move(data), 0});
  pumpIn(ep);
}

std::size_t UsbDevice::queuedIn(std::uint8_t ep) const {
  return in_[ep & 0x0f].queuedBytes;
}

void UsbDevice::resumeOut(std::uint8_t ep) {
  pumpOut(ep & 0x0f);
}

void UsbDevice::setHalt(std::uint8_t address, bool halted) {
  const std::uint8_t ep = address & 0x0f;
  if (address & kEpDirIn) {
    in_[ep].halted = halted;
    pumpIn(ep);
  } else {
    out_[ep].halted = halted;
    pumpOut(ep);
  }
}

// Matches pending IN URBs with queued transfers. Re-entrant calls (a function queueing data
// from onInWanted) only mark the endpoint for another pass.
void UsbDevice::pumpIn(std::uint8_t ep) {
  auto& e = in_[ep];
  if (e.busy) {
    e.again = true;
    return;
  }
  e.busy = true;
  do {
    e.again = false;
    while (!e.pending.empty()) {
      if (e.halted) {
        UrbPtr urb = std::move(e.pending.front());
        e.pending.pop_front();
        complete(std::move(urb), kUrbStall);
        continue;
      }
      if (e.data.empty()) {
        function_->onInWanted(ep, e.pending.front()->length);
        if (e.data.empty()) break;
        if (e.pending.empty()) break;
      }
      UrbPtr urb = std::move(e.pending.front());
      e.pending.pop_front();
      Chunk& c = e.data.front();
      const std::size_t n = std::min<std::size_t>(urb->length, c.remaining());
      urb->inBuffer = c.buffer;
      urb->inOffset = c.offset;
      urb->actual = static_cast<std::uint32_t>(n);
      c.offset += n;
      e.queuedBytes -= n;
      if (c.remaining() == 0) e.data.pop_front();
      complete(std::move(urb), kUrbOk);
    }
  } while (e.again);
  e.busy = false;
}

// Offers the front OUT URB's bytes to the function until it takes all (the URB completes) or
// takes nothing (no room: the URB waits for resumeOut).
void UsbDevice::pumpOut(std::uint8_t ep) {
  auto& e = out_[ep];
  if (e.busy) {
    e.again = true;
    return;
  }
  e.busy = true;
  do {
    e.again = false;
    while (!e.pending.empty()) {
      Urb& front = *e.pending.front();
      bool done = false;
      std::int32_t status = kUrbOk;
      if (e.halted) {
        status = kUrbStall;
        done = true;
      } else if (front.out.empty()) {
        function_->onOut(ep, ByteSpan());  // zero-length packet
        done = true;
      } else {
        ByteSpan rest(front.out.data() + e.frontOffset, front.out.size() - e.frontOffset);
        const std::size_t took = std::min(function_->onOut(ep, rest), rest.size());
        if (e.pending.empty() || e.pending.front().get() != &front) continue;  // cancelled inside
        e.frontOffset += took;
        done = e.frontOffset == front.out.size();
        if (!done && took == 0) break;
      }
      if (!done) continue;
      UrbPtr urb = std::move(e.pending.front());
      e.pending.pop_front();
      urb->actual = status == kUrbOk ? static_cast<std::uint32_t>(urb->out.size()) : 0;
      e.frontOffset = 0;
      complete(std::move(urb), status);
    }
  } while (e.again);
  e.busy = false;
}

void UsbDevice::handleControl(UrbPtr urb) {
  const SetupPacket& s = urb->setup;
  std::optional<Bytes> reply;
  if (s.type() == kTypeStandard) {
    bool handled = false;
    reply = standardRequest(s, handled);
    if (!handled) reply.reset();
  } else {
    reply = function_->onControl(s, urb->out);
  }
  if (!reply) {
    complete(std::move(urb), kUrbStall);
    return;
  }
  if (s.isIn()) {
    const std::size_t n =
        std::min({reply->size(), std::size_t{s.wLength}, std::size_t{urb->length}});
    reply->resize(n);
    urb->actual = static_cast<std::uint32_t>(n);
    urb->inBuffer = std::make_shared<const Bytes>(std::move(*reply));
  } else {
    urb->actual = static_cast<std::uint32_t>(urb->out.size());
  }
  complete(std::move(urb), kUrbOk);
}

std::optional<Bytes> UsbDevice::getDescriptor(const SetupPacket& s) {
  const std::uint8_t type = static_cast<std::uint8_t>(s.wValue >> 8);
  const std::uint8_t index = static_cast<std::uint8_t>(s.wValue);
  switch (type) {
    case DT_DEVICE:
      return encodeDeviceDescriptor(descriptors_.device);
    case DT_CONFIG:
      if (index != 0) return std::nullopt;
      return encodeConfigDescriptor(descriptors_.config);
    case DT_STRING:
      if (index == 0) return encodeLanguageIds({0x0409});
      if (index > descriptors_.strings.size()) return std::nullopt;
      return encodeStringDescriptor(descriptors_.strings[index - 1]);
    case DT_DEVICE_QUALIFIER:
      if (!descriptors_.otherSpeedConfig) return std::nullopt;
      return encodeDeviceQualifier(descriptors_.device, descriptors_.otherSpeedMaxPacket0);
    case DT_OTHER_SPEED_CONFIG:
      if (!descriptors_.otherSpeedConfig || index != 0) return std::nullopt;
      return encodeConfigDescriptor(*descriptors_.otherSpeedConfig, DT_OTHER_SPEED_CONFIG);
    default:
      return std::nullopt;
  }
}

std::optional<Bytes> UsbDevice::standardRequest(const SetupPacket& s, bool& handled) {
  handled = true;
  const bool toEndpoint = s.recipient() == kRecipientEndpoint;
  const std::uint8_t epAddress = static_cast<std::uint8_t>(s.wIndex);
  switch (s.bRequest) {
    case GET_DESCRIPTOR:
      return getDescriptor(s);
    case SET_ADDRESS:
      return Bytes{};
    case SET_CONFIGURATION: {
      const std::uint8_t value = static_cast<std::uint8_t>(s.wValue);
      if (value != 0 && value != descriptors_.config.bConfigurationValue) return std::nullopt;
      // A (re)configuration resets every endpoint: pending URBs are dropped as on real hardware.
      for (auto& e : in_) e.halted = false;
      for (auto& e : out_) e.halted = false;
      configuration_ = value;
      if (value) function_->onConfigured(value);
      return Bytes{};
    }
    case GET_CONFIGURATION:
      return Bytes{configuration_};
    case GET_INTERFACE:
      return Bytes{0};
    case SET_INTERFACE:
      if (s.wValue != 0) return std::nullopt;  // one alternate setting per interface
      return Bytes{};
    case GET_STATUS:
      if (s.recipient() == kRecipientDevice) {
        return Bytes{static_cast<std::uint8_t>((descriptors_.config.bmAttributes & 0x40) ? 1 : 0),
                     0};
      }
      if (toEndpoint) {
        if ((epAddress & 0x0f) == 0) return Bytes{0, 0};
        if (!endpointExists(epAddress)) return std::nullopt;
        bool halted =
            (epAddress & kEpDirIn) ? in_[epAddress & 0x0f].halted : out_[epAddress & 0x0f].halted;
        return Bytes{static_cast<std::uint8_t>(halted ? 1 : 0), 0};
      }
      return Bytes{0, 0};
    case CLEAR_FEATURE:
    case SET_FEATURE:
      if (toEndpoint && s.wValue == FEATURE_ENDPOINT_HALT) {
        if ((epAddress & 0x0f) == 0) return Bytes{};
        if (!endpointExists(epAddress)) return std::nullopt;
        setHalt(epAddress, s.bRequest == SET_FEATURE);
        return Bytes{};
      }
      if (s.recipient() == kRecipientDevice) return Bytes{};  // remote wakeup, test mode: accept
      return std::nullopt;
    default:
      handled = false;
      return std::nullopt;
  }
}

}  // namespace mtk::emu
