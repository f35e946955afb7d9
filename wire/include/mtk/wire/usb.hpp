#pragma once
// USB 2.0 chapter 9 structures: the setup packet and the standard descriptors, plus the CDC
// class requests a serial-style device answers. Encoders produce the exact bytes a device sends;
// parsers accept what a real device may send (unknown descriptors between interfaces are kept).

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mtk/error.hpp"
#include "mtk/wire/bytes.hpp"

namespace mtk::wire::usb {

// bmRequestType pieces
constexpr std::uint8_t kDirDeviceToHost = 0x80;
constexpr std::uint8_t kTypeMask = 0x60;
constexpr std::uint8_t kTypeStandard = 0x00;
constexpr std::uint8_t kTypeClass = 0x20;
constexpr std::uint8_t kTypeVendor = 0x40;
constexpr std::uint8_t kRecipientMask = 0x1f;
constexpr std::uint8_t kRecipientDevice = 0;
constexpr std::uint8_t kRecipientInterface = 1;
constexpr std::uint8_t kRecipientEndpoint = 2;

// Standard requests
constexpr std::uint8_t GET_STATUS = 0x00;
constexpr std::uint8_t CLEAR_FEATURE = 0x01;
constexpr std::uint8_t SET_FEATURE = 0x03;
constexpr std::uint8_t SET_ADDRESS = 0x05;
constexpr std::uint8_t GET_DESCRIPTOR = 0x06;
constexpr std::uint8_t GET_CONFIGURATION = 0x08;
constexpr std::uint8_t SET_CONFIGURATION = 0x09;
constexpr std::uint8_t GET_INTERFACE = 0x0a;
constexpr std::uint8_t SET_INTERFACE = 0x0b;
constexpr std::uint16_t FEATURE_ENDPOINT_HALT = 0;

// CDC ACM class requests
constexpr std::uint8_t CDC_SEND_BREAK = 0x23;
constexpr std::uint8_t CDC_SET_LINE_CODING = 0x20;
constexpr std::uint8_t CDC_GET_LINE_CODING = 0x21;
constexpr std::uint8_t CDC_SET_CONTROL_LINE_STATE = 0x22;

// Descriptor types
constexpr std::uint8_t DT_DEVICE = 1;
constexpr std::uint8_t DT_CONFIG = 2;
constexpr std::uint8_t DT_STRING = 3;
constexpr std::uint8_t DT_INTERFACE = 4;
constexpr std::uint8_t DT_ENDPOINT = 5;
constexpr std::uint8_t DT_DEVICE_QUALIFIER = 6;
constexpr std::uint8_t DT_OTHER_SPEED_CONFIG = 7;
constexpr std::uint8_t DT_CS_INTERFACE = 0x24;

// Endpoint attributes
constexpr std::uint8_t kEpControl = 0;
constexpr std::uint8_t kEpIsochronous = 1;
constexpr std::uint8_t kEpBulk = 2;
constexpr std::uint8_t kEpInterrupt = 3;
constexpr std::uint8_t kEpDirIn = 0x80;

// Interface classes
constexpr std::uint8_t kClassComm = 0x02;
constexpr std::uint8_t kClassCdcData = 0x0a;
constexpr std::uint8_t kClassVendor = 0xff;

struct SetupPacket {
  std::uint8_t bmRequestType = 0;
  std::uint8_t bRequest = 0;
  std::uint16_t wValue = 0;
  std::uint16_t wIndex = 0;
  std::uint16_t wLength = 0;

  bool isIn() const { return (bmRequestType & kDirDeviceToHost) != 0; }
  std::uint8_t type() const { return bmRequestType & kTypeMask; }
  std::uint8_t recipient() const { return bmRequestType & kRecipientMask; }

  std::array<std::uint8_t, 8> encode() const;  // little-endian fields, as on the wire
  static SetupPacket decode(const std::array<std::uint8_t, 8>& b);
};

struct DeviceDescriptor {
  std::uint16_t bcdUSB = 0x0200;
  std::uint8_t bDeviceClass = 0;
  std::uint8_t bDeviceSubClass = 0;
  std::uint8_t bDeviceProtocol = 0;
  std::uint8_t bMaxPacketSize0 = 64;
  std::uint16_t idVendor = 0;
  std::uint16_t idProduct = 0;
  std::uint16_t bcdDevice = 0;
  std::uint8_t iManufacturer = 0;
  std::uint8_t iProduct = 0;
  std::uint8_t iSerialNumber = 0;
  std::uint8_t bNumConfigurations = 1;
};

struct EndpointDescriptor {
  std::uint8_t bEndpointAddress = 0;
  std::uint8_t bmAttributes = kEpBulk;
  std::uint16_t wMaxPacketSize = 512;
  std::uint8_t bInterval = 0;

  bool isIn() const { return (bEndpointAddress & kEpDirIn) != 0; }
  std::uint8_t transferType() const { return bmAttributes & 3; }
};

struct InterfaceDescriptor {
  std::uint8_t bInterfaceNumber = 0;
  std::uint8_t bAlternateSetting = 0;
  std::uint8_t bInterfaceClass = 0;
  std::uint8_t bInterfaceSubClass = 0;
  std::uint8_t bInterfaceProtocol = 0;
  std::uint8_t iInterface = 0;
  Bytes classSpecific;  // descriptors between the interface and its endpoints (CDC functionals)
  std::vector<EndpointDescriptor> endpoints;
};

struct ConfigDescriptor {
  std::uint8_t bConfigurationValue = 1;
  std::uint8_t iConfiguration = 0;
  std::uint8_t bmAttributes = 0x80;
  std::uint8_t bMaxPower = 50;  // in 2 mA units
  std::vector<InterfaceDescriptor> interfaces;
};

Bytes encodeDeviceDescriptor(const DeviceDescriptor& d);  // 18 bytes
// The whole configuration: config header (wTotalLength filled in), then each interface, its
// class-specific descriptors and its endpoints, in order.
Bytes encodeConfigDescriptor(const ConfigDescriptor& c, std::uint8_t descriptorType = DT_CONFIG);
Bytes encodeDeviceQualifier(const DeviceDescriptor& d, std::uint8_t otherSpeedMaxPacket0);
Bytes encodeStringDescriptor(const std::string& utf8);  // UTF-16LE; ASCII/BMP only
Bytes encodeLanguageIds(const std::vector<std::uint16_t>& langs);

Result<DeviceDescriptor> parseDeviceDescriptor(ByteSpan in);
Result<ConfigDescriptor> parseConfigDescriptor(ByteSpan in);
Result<std::string> parseStringDescriptor(ByteSpan in);  // UTF-16LE to UTF-8 (BMP only)

// The CDC data interface a MediaTek-style serial device uses for its protocol: the interface
// with class 0x0a (or, failing that, the first one with a bulk IN and a bulk OUT endpoint).
struct BulkPipe {
  std::uint8_t interfaceNumber = 0;
  std::uint8_t commInterface = 0;  // the CDC communication interface, for class requests
  bool hasCommInterface = false;
  std::uint8_t epIn = 0;
  std::uint8_t epOut = 0;
  std::uint16_t maxPacketSize = 0;
};
Result<BulkPipe> findBulkPipe(const ConfigDescriptor& config);

// CDC line coding (7 bytes): dwDTERate LE, bCharFormat, bParityType, bDataBits.
struct LineCoding {
  std::uint32_t baud = 115200;
  std::uint8_t stopBits = 0;
  std::uint8_t parity = 0;
  std::uint8_t dataBits = 8;
};
std::array<std::uint8_t, 7> encodeLineCoding(const LineCoding& lc);
LineCoding decodeLineCoding(ByteSpan in);  // missing bytes read as zero

}  // namespace mtk::wire::usb
