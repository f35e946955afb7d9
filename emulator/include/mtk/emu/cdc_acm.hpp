#pragma once
// The CDC ACM class requests a MediaTek download port answers (shared/docs/mtk-protocols.md
// §1.3): SET/GET_LINE_CODING, SET_CONTROL_LINE_STATE and SEND_BREAK. Host tools send the first
// two before talking; the preloader takes SET_LINE_CODING as "a tool is present".

#include <cstdint>
#include <optional>

#include "mtk/wire/bytes.hpp"
#include "mtk/wire/usb.hpp"

namespace mtk::emu {

class CdcAcmState {
 public:
  // Answers a class request; std::nullopt when it is not a CDC ACM request (caller STALLs).
  std::optional<wire::Bytes> handle(const wire::usb::SetupPacket& setup, wire::ByteSpan outData);

  const wire::usb::LineCoding& lineCoding() const { return lineCoding_; }
  std::uint16_t controlLineState() const { return controlLineState_; }
  bool dtr() const { return controlLineState_ & 1; }
  bool lineCodingSet() const { return lineCodingSet_; }
  unsigned breaks() const { return breaks_; }

 private:
  wire::usb::LineCoding lineCoding_{115200, 0, 0, 8};
  std::uint16_t controlLineState_ = 0;
  bool lineCodingSet_ = false;
  unsigned breaks_ = 0;
};

}  // namespace mtk::emu
