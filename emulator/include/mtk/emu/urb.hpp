#pragma once
// A USB request block as the device model sees it: what the host asked for and, once the
// device completes it, what happened. Exports (USB/IP server, in-process link) create URBs from
// their own messages and turn completed ones back into replies.

#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>

#include "mtk/wire/bytes.hpp"
#include "mtk/wire/usb.hpp"

namespace mtk::emu {

// Completion statuses are negative Linux errno values, as USB/IP carries them.
constexpr std::int32_t kUrbOk = 0;
constexpr std::int32_t kUrbStall = -32;      // -EPIPE
constexpr std::int32_t kUrbOverflow = -75;   // -EOVERFLOW
constexpr std::int32_t kUrbUnlinked = -104;  // -ECONNRESET
constexpr std::int32_t kUrbShutdown = -108;  // -ESHUTDOWN: the device went away

// Bytes a URB owns. Not zero-filled when allocated: a 1 MiB OUT URB is about to be overwritten
// by the socket read, and a memset would only cost a pass over the data.
struct OutBuffer {
  std::unique_ptr<std::uint8_t[]> data;
  std::size_t capacity = 0;

  // Makes room for n bytes, reusing the allocation when it is large enough.
  std::uint8_t* reserve(std::size_t n) {
    if (n > capacity) {
      data.reset(new std::uint8_t[n]);
      capacity = n;
    }
    return data.get();
  }
};

struct Urb {
  std::uint64_t id = 0;          // unique among the URBs pending on one device
  std::uint8_t endpoint = 0;     // endpoint number 0..15, no direction bit
  bool in = false;               // direction
  bool isochronous = false;      // answered with a STALL: MediaTek devices have no ISO endpoints
  wire::usb::SetupPacket setup;  // control transfers (endpoint 0) only
  std::uint32_t length = 0;      // bytes the host asked for (IN) or sent (OUT)
  // OUT payload. `out` is what the device reads; it points into `outStorage` when the URB owns
  // its data (the USB/IP server), or into the submitter's buffer when the submitter waits for
  // completion or cancellation before reusing it (the in-process link: no copy).
  wire::ByteSpan out;
  OutBuffer outStorage;

  // Results.
  std::int32_t status = kUrbOk;
  std::uint32_t actual = 0;  // bytes moved
  // IN data is not copied into the URB: it points into the device's buffer.
  std::shared_ptr<const wire::Bytes> inBuffer;
  std::size_t inOffset = 0;

  wire::ByteSpan inData() const {
    if (!inBuffer) return {};
    return wire::ByteSpan(inBuffer->data() + inOffset, actual);
  }
  std::uint8_t address() const { return static_cast<std::uint8_t>(endpoint | (in ? 0x80 : 0)); }
  // Copies `bytes` into owned storage and points `out` at them.
  void setOut(wire::ByteSpan bytes) {
    std::uint8_t* p = outStorage.reserve(bytes.size());
    if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
    out = wire::ByteSpan(p, bytes.size());
  }
};

using UrbPtr = std::unique_ptr<Urb>;
// Where a device hands back finished URBs. Called with the device's bus lock held: it must not
// call back into the device; exports queue the reply and return.
using UrbCompletion = std::function<void(UrbPtr)>;

}  // namespace mtk::emu
