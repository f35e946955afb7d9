#include "mtk/emu/mtk_descriptors.hpp"

namespace mtk::emu {

using namespace mtk::wire::usb;

namespace {

ConfigDescriptor cdcConfig(std::uint16_t bulkPacket, const MtkPortIdentity& id) {
  InterfaceDescriptor data;
  data.bInterfaceNumber = 0;
  data.bInterfaceClass = kClassCdcData;
  data.iInterface = 4;
  data.endpoints = {{0x01, kEpBulk, bulkPacket, 0}, {0x81, kEpBulk, bulkPacket, 0}};

  InterfaceDescriptor comm;
  comm.bInterfaceNumber = 1;
  comm.bInterfaceClass = kClassComm;
  comm.bInterfaceSubClass = 0x02;  // ACM
  comm.bInterfaceProtocol = 0x01;  // AT commands
  comm.iInterface = 5;
  // CDC functional descriptors: header (bcdCDC 1.10), ACM (capabilities 0x0f),
  // union (master 1, slave 0), call management (capabilities 0x03, data interface 0).
  comm.classSpecific = {0x05, DT_CS_INTERFACE, 0x00, 0x10, 0x01,  //
                        0x04, DT_CS_INTERFACE, 0x02, 0x0f,        //
                        0x05, DT_CS_INTERFACE, 0x06, 0x01, 0x00,  //
                        0x05, DT_CS_INTERFACE, 0x01, 0x03, 0x00};
  comm.endpoints = {{0x83, kEpInterrupt, 64, 0x10}};

  ConfigDescriptor c;
  c.bConfigurationValue = 1;
  c.iConfiguration = 3;
  c.bmAttributes = 0xc0;  // self powered
  c.bMaxPower = 0xfa;
  c.interfaces = {data, comm};
  for (const auto& extra : id.extraInterfaces) {
    InterfaceDescriptor i = extra;
    i.bInterfaceNumber = static_cast<std::uint8_t>(c.interfaces.size());
    for (auto& e : i.endpoints) {
      if (e.transferType() == kEpBulk) e.wMaxPacketSize = bulkPacket;
    }
    c.interfaces.push_back(i);
  }
  return c;
}

}  // namespace

DeviceDescriptors mtkCdcDescriptors(const MtkPortIdentity& id) {
  const bool high = id.speed == wire::usbip::Speed::High;
  DeviceDescriptors d;
  d.device.bcdUSB = 0x0200;
  d.device.bDeviceClass = kClassComm;
  d.device.bMaxPacketSize0 = 64;
  d.device.idVendor = id.vid;
  d.device.idProduct = id.pid;
  d.device.bcdDevice = 0x0100;
  d.device.iManufacturer = 1;
  d.device.iProduct = 2;
  d.device.iSerialNumber = 0;
  d.device.bNumConfigurations = 1;
  d.config = cdcConfig(high ? 512 : 64, id);
  // A high-speed port also describes itself at full speed; a full-speed-only one (BROM) does not.
  if (high) {
    d.otherSpeedConfig = cdcConfig(64, id);
    d.otherSpeedMaxPacket0 = 16;  // what PL-6735 reports in its device qualifier (§1.2)
  }
  d.strings = {id.manufacturer, id.product, "USB CDC ACM for preloader", "CDC ACM Data Interface",
               "CDC ACM Communication Interface"};
  d.speed = id.speed;
  return d;
}

}  // namespace mtk::emu
