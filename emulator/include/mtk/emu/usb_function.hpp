#pragma once
// What a virtual device does with its endpoints (a "gadget function" in Linux terms). The USB
// device model answers the standard requests and manages URB queues; a function sees only
// class/vendor requests and the byte streams on its bulk and interrupt endpoints.

#include <cstdint>
#include <memory>
#include <optional>

#include "mtk/wire/bytes.hpp"
#include "mtk/wire/usb.hpp"

namespace mtk::emu {

// Given to a function so it can talk back to the host.
class EndpointPort {
 public:
  virtual ~EndpointPort() = default;
  // Queues one IN transfer on endpoint `ep` (number, no direction bit). A transfer is what one
  // device-side write produces: the host's IN URBs take it in pieces no larger than they asked
  // for; an empty transfer is a zero-length packet.
  virtual void sendIn(std::uint8_t ep, wire::Bytes data) = 0;
  // The same for a buffer the function keeps sharing (no copy is made).
  virtual void sendInShared(std::uint8_t ep, std::shared_ptr<const wire::Bytes> data) = 0;
  // Bytes queued on `ep` that no URB has taken yet.
  virtual std::size_t queuedIn(std::uint8_t ep) const = 0;
  // Tells the model the function has room again for OUT data it refused earlier.
  virtual void resumeOut(std::uint8_t ep) = 0;
  // Sets or clears the halt (STALL) condition of an endpoint address (with direction bit).
  virtual void setHalt(std::uint8_t address, bool halted) = 0;
};

class UsbFunction {
 public:
  virtual ~UsbFunction() = default;

  // Called once when the function is placed in a device.
  virtual void bind(EndpointPort& port) { port_ = &port; }

  // Class and vendor control requests. For IN requests return the data (the model truncates it
  // to wLength); for OUT requests return an empty vector on success. std::nullopt = STALL.
  virtual std::optional<wire::Bytes> onControl(const wire::usb::SetupPacket& setup,
                                               wire::ByteSpan outData) = 0;

  // Bytes of a bulk/interrupt OUT transfer. Returns how many were taken; fewer than offered
  // means "no room now" (USB flow control: the device NAKs) and the model holds the URB until
  // the function calls resumeOut(). An empty span is a zero-length packet; return 0 for it.
  virtual std::size_t onOut(std::uint8_t ep, wire::ByteSpan data) = 0;

  // An IN URB is waiting on `ep` and nothing is queued: a function that produces data on demand
  // (a source endpoint) can queue some now. `wanted` is the URB's length.
  virtual void onInWanted(std::uint8_t /*ep*/, std::size_t /*wanted*/) {}

  // SET_CONFIGURATION with a non-zero value (0 = deconfigured).
  virtual void onConfigured(std::uint8_t /*value*/) {}

 protected:
  EndpointPort* port_ = nullptr;
};

}  // namespace mtk::emu
