#include "mtk/emu/echo_function.hpp"

#include <algorithm>

namespace mtk::emu {

using namespace mtk::wire::usb;

EchoFunction::EchoFunction(std::size_t capacity) : capacity_(capacity) {
  auto block = std::make_shared<wire::Bytes>(kSourcePeriod);
  for (std::size_t i = 0; i < kSourcePeriod; ++i) (*block)[i] = sourcePattern(i);
  sourceBlock_ = std::move(block);
}

std::optional<wire::Bytes> EchoFunction::onControl(const SetupPacket& s, wire::ByteSpan outData) {
  if (s.type() == kTypeVendor && s.bRequest == kVendorGetSinkCount && s.isIn()) {
    wire::Bytes b(8);
    wire::storeLe64(b.data(), sinkCount_);
    return b;
  }
  return cdc_.handle(s, outData);
}

std::size_t EchoFunction::onOut(std::uint8_t ep, wire::ByteSpan data) {
  if (ep == kSinkSourceEp) {
    sinkCount_ += data.size();
    std::uint64_t sum = 0;
    for (std::uint8_t b : data) sum += b;
    sinkSum_ += sum;
    return data.size();
  }
  if (data.empty()) {  // a zero-length packet is echoed as one
    port_->sendIn(kEchoEp, {});
    return 0;
  }
  const std::size_t queued = port_->queuedIn(kEchoEp);
  const std::size_t room = queued >= capacity_ ? 0 : capacity_ - queued;
  const std::size_t n = std::min(room, data.size());
  if (n) port_->sendIn(kEchoEp, wire::Bytes(data.begin(), data.begin() + n));
  return n;
}

void EchoFunction::onInWanted(std::uint8_t ep, std::size_t /*wanted*/) {
  if (ep == kSinkSourceEp) {
    port_->sendInShared(kSinkSourceEp, sourceBlock_);
  } else if (ep == kEchoEp) {
    port_->resumeOut(kEchoEp);  // the echo queue drained: take what the host is holding
  }
}

DeviceDescriptors echoDeviceDescriptors(std::uint16_t vid, std::uint16_t pid,
                                        wire::usbip::Speed speed) {
  MtkPortIdentity id;
  id.vid = vid;
  id.pid = pid;
  id.speed = speed;
  id.product = "mtkemu echo test device";
  InterfaceDescriptor vendor;
  vendor.bInterfaceClass = kClassVendor;
  vendor.endpoints = {{kSinkSourceEp, kEpBulk, 512, 0},
                      {static_cast<std::uint8_t>(0x80 | kSinkSourceEp), kEpBulk, 512, 0}};
  id.extraInterfaces.push_back(vendor);
  return mtkCdcDescriptors(id);
}

}  // namespace mtk::emu
