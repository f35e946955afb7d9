#pragma once
// One opened USB device, at the level of endpoints: what libusb, the USB/IP client and the
// in-process link each provide. CdcTransport builds the MediaTek serial pipe on top of it.
// No libusb or Asio types appear here.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "mtk/error.hpp"
#include "mtk/wire/bytes.hpp"
#include "mtk/wire/usb.hpp"

namespace mtk::flasher {

using Millis = std::chrono::milliseconds;

// Transport errors reuse libusb's names and numbers: they are what people search for.
namespace usb_errors {
constexpr int kIo = -1;
constexpr int kInvalidParam = -2;
constexpr int kAccess = -3;
constexpr int kNoDevice = -4;
constexpr int kNotFound = -5;
constexpr int kBusy = -6;
constexpr int kTimeout = -7;
constexpr int kOverflow = -8;
constexpr int kPipe = -9;
constexpr int kOther = -99;
}  // namespace usb_errors

// Builds the Error for a libusb-style code, with a hint suited to it.
Error usbError(int code, const std::string& message);
bool isTimeout(const Error& e);
bool isDisconnect(const Error& e);

class UsbLink {
 public:
  virtual ~UsbLink() = default;

  // A control transfer on endpoint 0. For IN requests `data` receives up to its size (and
  // setup.wLength should equal it); returns the bytes moved.
  virtual Result<std::size_t> control(const wire::usb::SetupPacket& setup,
                                      wire::MutableByteSpan data, Millis timeout) = 0;
  // One bulk OUT transfer of all of `data` (implementations may split it into several URBs
  // and keep them in flight together). An empty span sends a zero-length packet.
  virtual Result<std::size_t> bulkOut(std::uint8_t endpoint, wire::ByteSpan data,
                                      Millis timeout) = 0;
  // One bulk IN transfer of at most `buffer.size()` bytes; a short result is normal (the
  // device ended its transfer). Returns the bytes received.
  virtual Result<std::size_t> bulkIn(std::uint8_t endpoint, wire::MutableByteSpan buffer,
                                     Millis timeout) = 0;

  virtual Status setConfiguration(std::uint8_t value) = 0;
  // Takes an interface for this process, detaching a kernel driver (cdc_acm) if one is bound.
  virtual Status claimInterface(std::uint8_t number) = 0;

  // Where the device is: "usb:1-4", "usbip://127.0.0.1:3240/1-1", "inproc:1-1".
  virtual std::string location() const = 0;
  virtual std::uint8_t speed() const = 0;  // usbip numbering: 2 full, 3 high
  virtual void close() = 0;
};

}  // namespace mtk::flasher
