#include "cli_common.hpp"

#include <cstdio>
#include <iostream>

namespace mtk::cli {

int report(const Error& e, bool json) {
  if (json) {
    nlohmann::json j{{"event", "result"}, {"ok", false},          {"code", e.code},
                     {"name", e.name},    {"message", e.message}, {"hint", e.hint}};
    std::cout << j.dump() << std::endl;
  } else {
    std::cerr << "mtkflash: " << e.describe() << std::endl;
  }
  const bool noDevice = e.name == "LIBUSB_ERROR_NOT_FOUND" || e.name == "USBIP_CONNECT_FAILED";
  return noDevice ? kExitNoDevice : kExitFailed;
}

void stage(const std::string& text, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"event", "stage"}, {"text", text}}.dump() << std::endl;
  } else {
    std::cerr << "mtkflash: " << text << std::endl;
  }
}

std::string hex(unsigned v, int digits) {
  char b[16];
  std::snprintf(b, sizeof b, "%0*x", digits, v);
  return b;
}

std::string hexBytes(wire::ByteSpan b) {
  std::string s;
  for (auto x : b) s += hex(x, 2);
  return s;
}

}  // namespace mtk::cli
