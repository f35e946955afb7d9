#include "mtk/emu/cdc_acm.hpp"

namespace mtk::emu {

using namespace mtk::wire::usb;

std::optional<wire::Bytes> CdcAcmState::handle(const SetupPacket& s, wire::ByteSpan outData) {
  if (s.type() != kTypeClass) return std::nullopt;
  switch (s.bRequest) {
    case CDC_SET_LINE_CODING:
      if (outData.size() < 7) return std::nullopt;
      lineCoding_ = decodeLineCoding(outData);
      lineCodingSet_ = true;
      return wire::Bytes{};
    case CDC_GET_LINE_CODING: {
      auto b = encodeLineCoding(lineCoding_);
      return wire::Bytes(b.begin(), b.end());
    }
    case CDC_SET_CONTROL_LINE_STATE:
      controlLineState_ = s.wValue;
      return wire::Bytes{};
    case CDC_SEND_BREAK:
      ++breaks_;
      return wire::Bytes{};
    default:
      return std::nullopt;
  }
}

}  // namespace mtk::emu
