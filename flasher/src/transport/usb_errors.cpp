#include "mtk/flasher/usb_link.hpp"

namespace mtk::flasher {

Error usbError(int code, const std::string& message) {
  using namespace usb_errors;
  switch (code) {
    case kIo:
      return makeError(code, "LIBUSB_ERROR_IO", message,
                       "check the cable and the USB port; try another port");
    case kInvalidParam:
      return makeError(code, "LIBUSB_ERROR_INVALID_PARAM", message, "");
    case kAccess:
      return makeError(
          code, "LIBUSB_ERROR_ACCESS", message,
          "run as root or install a udev rule giving your user access to 0e8d:* devices");
    case kNoDevice:
      return makeError(
          code, "LIBUSB_ERROR_NO_DEVICE", message,
          "the phone disconnected: check the cable, then start again with the phone off");
    case kNotFound:
      return makeError(code, "LIBUSB_ERROR_NOT_FOUND", message,
                       "connect the phone powered off (hold volume-down for BROM mode)");
    case kBusy:
      return makeError(code, "LIBUSB_ERROR_BUSY", message,
                       "another program holds the port (ModemManager, another flasher): stop it");
    case kTimeout:
      return makeError(code, "LIBUSB_ERROR_TIMEOUT", message,
                       "the phone stopped answering: reconnect it and start again");
    case kOverflow:
      return makeError(code, "LIBUSB_ERROR_OVERFLOW", message,
                       "the device sent more than was asked for: a protocol mismatch");
    case kPipe:
      return makeError(code, "LIBUSB_ERROR_PIPE", message,
                       "the device refused the request (STALL)");
    default:
      return makeError(code, "LIBUSB_ERROR_OTHER", message, "");
  }
}

bool isTimeout(const Error& e) {
  return e.code == usb_errors::kTimeout && e.name == "LIBUSB_ERROR_TIMEOUT";
}
bool isDisconnect(const Error& e) {
  return e.code == usb_errors::kNoDevice && e.name == "LIBUSB_ERROR_NO_DEVICE";
}

}  // namespace mtk::flasher
