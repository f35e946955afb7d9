#include "mtk/flasher/libusb_link.hpp"
#include "mtk/flasher/transport.hpp"
#include "mtk/flasher/usbip_client.hpp"

namespace mtk::flasher {

Result<std::unique_ptr<DeviceLocator>> makeLocator(const std::string& spec) {
  if (spec.empty() || spec == "usb") return std::unique_ptr<DeviceLocator>(new LibusbLocator());
  if (spec.rfind("usb:", 0) == 0) {
    std::string port = spec.substr(4);
    if (port.empty() || port.find_first_not_of("0123456789-.") != std::string::npos ||
        port.find('-') == std::string::npos) {
      return makeError(usb_errors::kInvalidParam, "BAD_DEVICE_SPEC",
                       "'" + spec + "' is not a USB port",
                       "write it as usb:BUS-PORT, e.g. usb:1-4 (see `lsusb -t`)");
    }
    return std::unique_ptr<DeviceLocator>(new LibusbLocator(port));
  }
  if (spec.rfind("usbip://", 0) == 0) {
    auto a = parseUsbipUrl(spec);
    if (!a) return std::move(a).error();
    return std::unique_ptr<DeviceLocator>(new UsbipLocator(*a));
  }
  return makeError(usb_errors::kInvalidParam, "BAD_DEVICE_SPEC", "unknown device '" + spec + "'",
                   "use usb, usb:BUS-PORT or usbip://HOST[:PORT][/BUSID]");
}

}  // namespace mtk::flasher
