#pragma once
// Descriptor sets of a MediaTek download port (shared/docs/mtk-protocols.md §1.2): a CDC
// device (class 0x02 at device level), one configuration with a CDC data interface (bulk OUT
// 0x01, bulk IN 0x81) and a CDC communication interface (interrupt IN 0x83).

#include <cstdint>
#include <string>

#include "mtk/emu/usb_device.hpp"

namespace mtk::emu {

constexpr std::uint16_t kMediaTekVid = 0x0e8d;
constexpr std::uint16_t kPidBrom = 0x0003;
constexpr std::uint16_t kPidPreloader = 0x2000;
constexpr std::uint16_t kPidDa = 0x2001;

struct MtkPortIdentity {
  std::uint16_t vid = kMediaTekVid;
  std::uint16_t pid = kPidPreloader;
  wire::usbip::Speed speed = wire::usbip::Speed::High;  // BROM runs at full speed
  std::string manufacturer = "MediaTek";
  std::string product = "MT65xx Preloader";
  // Extra interfaces appended after the two CDC ones (the test device adds a vendor one).
  std::vector<wire::usb::InterfaceDescriptor> extraInterfaces;
};

DeviceDescriptors mtkCdcDescriptors(const MtkPortIdentity& id);

}  // namespace mtk::emu
