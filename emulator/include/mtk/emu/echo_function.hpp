#pragma once
// A test device behind a MediaTek-style CDC layout, for proving transports and exports:
//  - CDC data interface, bulk 0x01 -> 0x81: echo. Each OUT transfer comes back as one IN
//    transfer. At most `capacity` bytes wait to be read; past that the device NAKs (holds the
//    OUT URB), as real flow control does.
//  - vendor interface, bulk 0x02: a sink that reads (sums) and drops what it gets, as a
//    device passing data to storage would touch it;
//    bulk 0x82: a source that produces sourcePattern() forever, as fast as it is read.
//  - vendor request 0x01 (IN, device): the sink's byte count, 8 bytes little-endian.
//    Any other vendor request STALLs.

#include <cstdint>
#include <memory>

#include "mtk/emu/cdc_acm.hpp"
#include "mtk/emu/mtk_descriptors.hpp"
#include "mtk/emu/usb_function.hpp"

namespace mtk::emu {

constexpr std::uint8_t kEchoEp = 0x01;
constexpr std::uint8_t kSinkSourceEp = 0x02;
constexpr std::uint8_t kVendorGetSinkCount = 0x01;
constexpr std::size_t kSourcePeriod = 1 << 20;

// Byte `position` of the source stream (it repeats every kSourcePeriod bytes).
inline std::uint8_t sourcePattern(std::uint64_t position) {
  const std::uint64_t i = position % kSourcePeriod;
  return static_cast<std::uint8_t>(i * 131 + (i >> 11));
}

class EchoFunction final : public UsbFunction {
 public:
  explicit EchoFunction(std::size_t capacity = 64u << 20);

  std::optional<wire::Bytes> onControl(const wire::usb::SetupPacket& setup,
                                       wire::ByteSpan outData) override;
  std::size_t onOut(std::uint8_t ep, wire::ByteSpan data) override;
  void onInWanted(std::uint8_t ep, std::size_t wanted) override;

  std::uint64_t sinkCount() const { return sinkCount_; }
  std::uint64_t sinkSum() const { return sinkSum_; }  // sum of every byte received
  const CdcAcmState& cdc() const { return cdc_; }

 private:
  std::size_t capacity_;
  std::uint64_t sinkCount_ = 0;
  std::uint64_t sinkSum_ = 0;
  CdcAcmState cdc_;
  std::shared_ptr<const wire::Bytes> sourceBlock_;
};

// The echo device's descriptors: the MediaTek CDC layout plus the vendor interface.
DeviceDescriptors echoDeviceDescriptors(std::uint16_t vid, std::uint16_t pid,
                                        wire::usbip::Speed speed = wire::usbip::Speed::High);

}  // namespace mtk::emu
