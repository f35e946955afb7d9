#pragma once
// What protocol clients (BROM, DA) use to talk to a phone: a byte pipe with timeouts, the
// device's identity, and a way to wait for the phone to come back under another PID. The
// same interface serves a phone on a cable (libusb), a virtual phone over USB/IP, and a virtual
// phone in the same process. Nothing here names libusb or Asio.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mtk/error.hpp"
#include "mtk/flasher/usb_link.hpp"
#include "mtk/wire/bytes.hpp"
#include "mtk/wire/usb.hpp"

namespace mtk::flasher {

struct UsbId {
  std::uint16_t vid = 0;
  std::uint16_t pid = 0;
  bool operator==(const UsbId&) const = default;
};

// MediaTek download-mode identities (shared/docs/mtk-protocols.md §1.1).
inline const std::vector<UsbId>& mediatekDownloadIds() {
  static const std::vector<UsbId> ids = {{0x0e8d, 0x0003}, {0x0e8d, 0x2000}, {0x0e8d, 0x2001},
                                         {0x0e8d, 0x20ff}, {0x0e8d, 0x3000}, {0x0e8d, 0x6000},
                                         {0x1004, 0x6000}, {0x22d9, 0x0006}};
  return ids;
}

struct DeviceIdentity {
  std::uint16_t vid = 0;
  std::uint16_t pid = 0;
  std::string location;      // "usb:1-4", "usbip://127.0.0.1:3240/1-1", "inproc:1-1"
  std::uint8_t speed = 0;    // 1 low, 2 full, 3 high, 5 super
  std::string manufacturer;  // from the string descriptors, when the device has them
  std::string product;
  std::uint16_t maxPacketSize = 0;  // of the bulk endpoints
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends all of `data` as one bulk transfer; an empty span sends a zero-length packet.
  virtual Status write(wire::ByteSpan data, Millis timeout) = 0;
  // Receives one bulk transfer of at most buffer.size() bytes; returns how many arrived.
  virtual Result<std::size_t> readSome(wire::MutableByteSpan buffer, Millis timeout) = 0;
  // Receives exactly buffer.size() bytes, over as many transfers as it takes.
  Status readExact(wire::MutableByteSpan buffer, Millis timeout);
  // Reads and drops what the device has queued until it stays quiet for `quiet` (stale
  // answers, a preloader's READY banner), reading at most a bounded amount.
  void drain(Millis quiet);
  // A class or vendor control request (CDC line coding, etc.).
  virtual Result<std::size_t> control(const wire::usb::SetupPacket& setup,
                                      wire::MutableByteSpan data, Millis timeout) = 0;
  virtual const DeviceIdentity& identity() const = 0;
  virtual void close() = 0;
};

// Finds phones and opens them. The phone changes identity as it boots (BROM 0e8d:0003 ->
// preloader 0e8d:2000 -> DA 0e8d:2001), so the engine asks again after every re-enumeration.
class DeviceLocator {
 public:
  virtual ~DeviceLocator() = default;
  // Waits until a device with one of `ids` is present, opens it and returns its transport.
  virtual Result<std::unique_ptr<Transport>> waitFor(const std::vector<UsbId>& ids,
                                                     Millis timeout) = 0;
  virtual std::string describe() const = 0;  // for messages: "USB", "usbip://127.0.0.1:3240"
};

// Device selection as the CLI takes it:
//   "" or "usb"                first MediaTek device on USB (libusb)
//   "usb:BUS-PORT[.PORT...]"   one USB port, e.g. usb:1-4 or usb:3-1.2
//   "usbip://HOST[:PORT][/BUSID]"  a USB/IP server (mtkemu); without BUSID, the first match
Result<std::unique_ptr<DeviceLocator>> makeLocator(const std::string& spec);

}  // namespace mtk::flasher
