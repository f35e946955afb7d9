#include "mtk/flasher/transport.hpp"

namespace mtk::flasher {

Status Transport::readExact(wire::MutableByteSpan buffer, Millis timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t got = 0;
  while (got < buffer.size()) {
    auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return usbError(usb_errors::kTimeout, "read " + std::to_string(got) + " of " +
                                                std::to_string(buffer.size()) +
                                                " bytes before the timeout");
    }
    auto n = readSome(buffer.subspan(got), left);
    if (!n) return std::move(n).error();
    got += *n;
  }
  return {};
}

void Transport::drain(Millis quiet) {
  std::uint8_t buf[512];
  for (int i = 0; i < 256; ++i) {
    if (!readSome(buf, quiet)) return;
  }
}

}  // namespace mtk::flasher
