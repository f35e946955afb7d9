#pragma once
// The MediaTek download pipe over any UsbLink: reads the descriptors, configures the device,
// finds the CDC data interface and its bulk endpoints, claims it (detaching cdc_acm where the
// link supports it) and sends SET_LINE_CODING and SET_CONTROL_LINE_STATE as real tools do
// (shared/docs/mtk-protocols.md §1.3). Errors of those two requests are ignored, as they are by
// the tools phones are tested with.

#include <memory>

#include "mtk/flasher/transport.hpp"
#include "mtk/flasher/usb_link.hpp"

namespace mtk::flasher {

struct CdcOptions {
  Millis controlTimeout{1000};
  bool sendLineCoding = true;
};

class CdcTransport final : public Transport {
 public:
  static Result<std::unique_ptr<CdcTransport>> open(std::unique_ptr<UsbLink> link,
                                                    const CdcOptions& options = {});

  Status write(wire::ByteSpan data, Millis timeout) override;
  Result<std::size_t> readSome(wire::MutableByteSpan buffer, Millis timeout) override;
  Result<std::size_t> control(const wire::usb::SetupPacket& setup, wire::MutableByteSpan data,
                              Millis timeout) override;
  const DeviceIdentity& identity() const override { return identity_; }
  void close() override;

  UsbLink& link() { return *link_; }
  const wire::usb::BulkPipe& pipe() const { return pipe_; }

 private:
  CdcTransport(std::unique_ptr<UsbLink> link) : link_(std::move(link)) {}
  std::unique_ptr<UsbLink> link_;
  wire::usb::BulkPipe pipe_;
  DeviceIdentity identity_;
};

}  // namespace mtk::flasher
