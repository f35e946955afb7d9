#pragma once
// The flasher's own USB/IP client: imports a device from a USB/IP server (mtkemu, or Linux's
// usbipd) over TCP and moves URBs itself, with no kernel module. Large transfers are split into
// URBs of up to maxUrbBytes and several are kept in flight at once.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mtk/flasher/transport.hpp"
#include "mtk/flasher/usb_link.hpp"
#include "mtk/wire/usbip.hpp"

namespace mtk::flasher {

struct UsbipAddress {
  std::string host = "127.0.0.1";
  std::uint16_t port = wire::usbip::kDefaultPort;
  std::string busid;  // empty: the first device that matches
  std::string url() const;
};
// "usbip://HOST[:PORT][/BUSID]"
Result<UsbipAddress> parseUsbipUrl(const std::string& url);

// OP_REQ_DEVLIST on a fresh connection.
Result<std::vector<wire::usbip::DeviceRecord>> usbipListDevices(const UsbipAddress& server,
                                                                Millis timeout);

struct UsbipLinkOptions {
  std::size_t maxUrbBytes = 1u << 20;  // one URB carries at most this much
  std::size_t maxInFlight = 4;         // URBs outstanding at once within one transfer
  // Write-behind: a bulk OUT of up to maxUrbBytes returns once its URB is on the socket, not
  // when the device has taken it, so a protocol's next packets (and the next chunk) are on
  // their way while the device still works, as libusb's asynchronous transfers allow. A
  // failure of such a URB is reported by the next call. At most this much is outstanding:
  std::size_t writeBehindBytes = 8u << 20;  // 0 turns write-behind off
  std::size_t writeBehindUrbs = 32;
};

class UsbipLink final : public UsbLink {
 public:
  // OP_REQ_IMPORT of server.busid (which must be set).
  static Result<std::unique_ptr<UsbipLink>> import(const UsbipAddress& server, Millis timeout,
                                                   UsbipLinkOptions options = {});
  ~UsbipLink() override;

  Result<std::size_t> control(const wire::usb::SetupPacket& setup, wire::MutableByteSpan data,
                              Millis timeout) override;
  Result<std::size_t> bulkOut(std::uint8_t endpoint, wire::ByteSpan data, Millis timeout) override;
  Result<std::size_t> bulkIn(std::uint8_t endpoint, wire::MutableByteSpan buffer,
                             Millis timeout) override;
  Status setConfiguration(std::uint8_t value) override;
  Status claimInterface(std::uint8_t number) override;
  std::string location() const override;
  std::uint8_t speed() const override;
  void close() override;

  const wire::usbip::DeviceRecord& record() const;

 private:
  struct Impl;
  explicit UsbipLink(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Waits for a matching device on a USB/IP server and imports it. A phone that re-enumerates
// drops the connection and reappears (same busid, new PID); waitFor() polls the device list.
class UsbipLocator final : public DeviceLocator {
 public:
  explicit UsbipLocator(UsbipAddress server, UsbipLinkOptions options = {})
      : server_(std::move(server)), options_(options) {}
  Result<std::unique_ptr<Transport>> waitFor(const std::vector<UsbId>& ids,
                                             Millis timeout) override;
  std::string describe() const override { return server_.url(); }

 private:
  UsbipAddress server_;
  UsbipLinkOptions options_;
};

}  // namespace mtk::flasher
