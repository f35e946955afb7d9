#pragma once
// Phones on a cable (and virtual phones attached with `usbip attach`, which the kernel presents
// exactly like real ones): libusb-1.0 behind the UsbLink interface. No libusb type appears in
// this header.

#include <memory>
#include <string>
#include <vector>

#include "mtk/flasher/transport.hpp"
#include "mtk/flasher/usb_link.hpp"

namespace mtk::flasher {

struct LibusbDeviceInfo {
  UsbId id;
  std::string location;  // "usb:BUS-PORT[.PORT...]"
  std::uint8_t busNumber = 0;
  std::uint8_t deviceAddress = 0;
};

// Lists the USB devices whose VID:PID is in `ids` (all devices when `ids` is empty).
Result<std::vector<LibusbDeviceInfo>> libusbListDevices(const std::vector<UsbId>& ids);

class LibusbLocator final : public DeviceLocator {
 public:
  // `port`: "" for any port, else "BUS-PORT[.PORT...]" as in "usb:1-4".
  explicit LibusbLocator(std::string port = {});
  ~LibusbLocator() override;
  Result<std::unique_ptr<Transport>> waitFor(const std::vector<UsbId>& ids,
                                             Millis timeout) override;
  std::string describe() const override;

 private:
  std::string port_;
};

}  // namespace mtk::flasher
