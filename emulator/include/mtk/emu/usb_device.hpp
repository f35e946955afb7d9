#pragma once
// The USB device model: descriptors, endpoint 0 standard requests and per-endpoint URB queues.
// Synchronous and thread-free: an export feeds it URBs (under the bus lock) and it hands
// finished ones to the completion callback, at once or later when data exists.
//
// Rules it keeps, because real hosts depend on them:
//  - a bulk IN URB waits until the device has data; it is never answered empty just because
//    nothing is queued right now;
//  - an IN URB never gets more bytes than it asked for (the rest waits for the next URB);
//  - URBs on one endpoint complete in order; endpoints are independent of each other;
//  - a halted endpoint STALLs (-EPIPE) until CLEAR_FEATURE(ENDPOINT_HALT).

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mtk/emu/urb.hpp"
#include "mtk/emu/usb_function.hpp"
#include "mtk/wire/usb.hpp"
#include "mtk/wire/usbip.hpp"

namespace mtk::emu {

struct DeviceDescriptors {
  wire::usb::DeviceDescriptor device;
  wire::usb::ConfigDescriptor config;  // at the speed the device runs
  // The configuration at the other speed, for GET_DESCRIPTOR(OTHER_SPEED_CONFIGURATION) and
  // the device qualifier; absent for a full-speed-only device (those requests then STALL).
  std::optional<wire::usb::ConfigDescriptor> otherSpeedConfig;
  std::uint8_t otherSpeedMaxPacket0 = 64;
  std::vector<std::string> strings;  // strings[0] is string index 1
  wire::usbip::Speed speed = wire::usbip::Speed::High;
};

class UsbDevice final : private EndpointPort {
 public:
  UsbDevice(DeviceDescriptors descriptors, std::shared_ptr<UsbFunction> function);
  ~UsbDevice() override;
  UsbDevice(const UsbDevice&) = delete;
  UsbDevice& operator=(const UsbDevice&) = delete;

  void setCompletion(UrbCompletion completion) { completion_ = std::move(completion); }
  void submit(UrbPtr urb);
  // Cancels a pending URB. True when it was pending: it is dropped and never completed.
  // False when no such URB is pending (it completed already, or never existed).
  bool cancel(std::uint64_t id);
  // Drops every pending URB without completing it and forgets the configuration, as a bus
  // reset or an unplug does. Queued IN data is kept only if `keepData`.
  void reset(bool keepData = false);

  const DeviceDescriptors& descriptors() const { return descriptors_; }
  std::uint8_t configuration() const { return configuration_; }
  std::size_t pendingUrbs() const;
  UsbFunction& function() { return *function_; }

 private:
  struct Chunk {
    std::shared_ptr<const wire::Bytes> buffer;
    std::size_t offset = 0;
    std::size_t remaining() const { return buffer->size() - offset; }
  };
  struct InEndpoint {
    std::deque<UrbPtr> pending;
    std::deque<Chunk> data;
    std::size_t queuedBytes = 0;
    bool halted = false;
    bool busy = false;  // re-entry guard: a function may queue data from inside a callback
    bool again = false;
  };
  struct OutEndpoint {
    std::deque<UrbPtr> pending;
    std::size_t frontOffset = 0;  // bytes of the front URB the function already took
    bool halted = false;
    bool busy = false;
    bool again = false;
  };

  // EndpointPort
  void sendIn(std::uint8_t ep, wire::Bytes data) override;
  void sendInShared(std::uint8_t ep, std::shared_ptr<const wire::Bytes> data) override;
  std::size_t queuedIn(std::uint8_t ep) const override;
  void resumeOut(std::uint8_t ep) override;
  void setHalt(std::uint8_t address, bool halted) override;

  void handleControl(UrbPtr urb);
  std::optional<wire::Bytes> standardRequest(const wire::usb::SetupPacket& s, bool& handled);
  std::optional<wire::Bytes> getDescriptor(const wire::usb::SetupPacket& s);
  bool endpointExists(std::uint8_t address) const;
  void pumpIn(std::uint8_t ep);
  void pumpOut(std::uint8_t ep);
  void complete(UrbPtr urb, std::int32_t status);

  DeviceDescriptors descriptors_;
  std::shared_ptr<UsbFunction> function_;
  UrbCompletion completion_;
  std::uint8_t configuration_ = 0;
  std::array<InEndpoint, 16> in_;
  std::array<OutEndpoint, 16> out_;
};

}  // namespace mtk::emu
