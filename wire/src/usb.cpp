#include "mtk/wire/usb.hpp"

#include <algorithm>

namespace mtk::wire::usb {
namespace {

Error descriptorError(std::string message) {
  return makeError(-1, "USB_BAD_DESCRIPTOR", std::move(message),
                   "the device sent a malformed descriptor; reconnect it or try another cable");
}

void appendEndpoint(Bytes& out, const EndpointDescriptor& e) {
  Writer(out)
      .u8(7)
      .u8(DT_ENDPOINT)
      .u8(e.bEndpointAddress)
      .u8(e.bmAttributes)
      .le16(e.wMaxPacketSize)
      .u8(e.bInterval);
}

}  // namespace

std::array<std::uint8_t, 8> SetupPacket::encode() const {
  std::array<std::uint8_t, 8> b{};
  b[0] = bmRequestType;
  b[1] = bRequest;
  storeLe16(&b[2], wValue);
  storeLe16(&b[4], wIndex);
  storeLe16(&b[6], wLength);
  return b;
}

SetupPacket SetupPacket::decode(const std::array<std::uint8_t, 8>& b) {
  SetupPacket s;
  s.bmRequestType = b[0];
  s.bRequest = b[1];
  s.wValue = loadLe16(&b[2]);
  s.wIndex = loadLe16(&b[4]);
  s.wLength = loadLe16(&b[6]);
  return s;
}

Bytes encodeDeviceDescriptor(const DeviceDescriptor& d) {
  Bytes out;
  Writer(out)
      .u8(18)
      .u8(DT_DEVICE)
      .le16(d.bcdUSB)
      .u8(d.bDeviceClass)
      .u8(d.bDeviceSubClass)
      .u8(d.bDeviceProtocol)
      .u8(d.bMaxPacketSize0)
      .le16(d.idVendor)
      .le16(d.idProduct)
      .le16(d.bcdDevice)
      .u8(d.iManufacturer)
      .u8(d.iProduct)
      .u8(d.iSerialNumber)
      .u8(d.bNumConfigurations);
  return out;
}

Bytes encodeConfigDescriptor(const ConfigDescriptor& c, std::uint8_t descriptorType) {
  Bytes out;
  Writer(out)
      .u8(9)
      .u8(descriptorType)
      .le16(0)
      .u8(static_cast<std::uint8_t>(c.interfaces.size()))
      .u8(c.bConfigurationValue)
      .u8(c.iConfiguration)
      .u8(c.bmAttributes)
      .u8(c.bMaxPower);
  for (const auto& i : c.interfaces) {
    Writer(out)
        .u8(9)
        .u8(DT_INTERFACE)
        .u8(i.bInterfaceNumber)
        .u8(i.bAlternateSetting)
        .u8(static_cast<std::uint8_t>(i.endpoints.size()))
        .u8(i.bInterfaceClass)
        .u8(i.bInterfaceSubClass)
        .u8(i.bInterfaceProtocol)
        .u8(i.iInterface);
    Writer(out).bytes(i.classSpecific);
    for (const auto& e : i.endpoints) appendEndpoint(out, e);
  }
  storeLe16(&out[2], static_cast<std::uint16_t>(out.size()));
  return out;
}

Bytes encodeDeviceQualifier(const DeviceDescriptor& d, std::uint8_t otherSpeedMaxPacket0) {
  Bytes out;
  Writer(out)
      .u8(10)
      .u8(DT_DEVICE_QUALIFIER)
      .le16(d.bcdUSB)
      .u8(d.bDeviceClass)
      .u8(d.bDeviceSubClass)
      .u8(d.bDeviceProtocol)
      .u8(otherSpeedMaxPacket0)
      .u8(d.bNumConfigurations)
      .u8(0);
  return out;
}

Bytes encodeStringDescriptor(const std::string& utf8) {
  // Decode UTF-8 into BMP code points; anything outside the BMP becomes '?'.
  std::vector<std::uint16_t> units;
  for (std::size_t i = 0; i < utf8.size();) {
    unsigned char c = static_cast<unsigned char>(utf8[i]);
    std::uint32_t cp = '?';
    std::size_t len = 1;
    if (c < 0x80) {
      cp = c;
    } else if ((c >> 5) == 6 && i + 1 < utf8.size()) {
      cp = (c & 0x1f) << 6 | (utf8[i + 1] & 0x3f);
      len = 2;
    } else if ((c >> 4) == 14 && i + 2 < utf8.size()) {
      cp = (c & 0x0f) << 12 | (utf8[i + 1] & 0x3f) << 6 | (utf8[i + 2] & 0x3f);
      len = 3;
    } else if ((c >> 3) == 30) {
      len = 4;
    }
    units.push_back(static_cast<std::uint16_t>(cp));
    i += len;
  }
  if (units.size() > 126) units.resize(126);  // bLength is one byte
  Bytes out;
  Writer w(out);
  w.u8(static_cast<std::uint8_t>(2 + 2 * units.size())).u8(DT_STRING);
  for (auto u : units) w.le16(u);
  return out;
}

Bytes encodeLanguageIds(const std::vector<std::uint16_t>& langs) {
  Bytes out;
  Writer w(out);
  w.u8(static_cast<std::uint8_t>(2 + 2 * langs.size())).u8(DT_STRING);
  for (auto l : langs) w.le16(l);
  return out;
}

Result<DeviceDescriptor> parseDeviceDescriptor(ByteSpan in) {
  if (in.size() < 18 || in[0] < 18 || in[1] != DT_DEVICE) {
    return descriptorError("device descriptor is not 18 bytes of type 1");
  }
  Reader r(in.subspan(2));
  DeviceDescriptor d;
  d.bcdUSB = r.le16();
  d.bDeviceClass = r.u8();
  d.bDeviceSubClass = r.u8();
  d.bDeviceProtocol = r.u8();
  d.bMaxPacketSize0 = r.u8();
  d.idVendor = r.le16();
  d.idProduct = r.le16();
  d.bcdDevice = r.le16();
  d.iManufacturer = r.u8();
  d.iProduct = r.u8();
  d.iSerialNumber = r.u8();
  d.bNumConfigurations = r.u8();
  return d;
}

Result<ConfigDescriptor> parseConfigDescriptor(ByteSpan in) {
  if (in.size() < 9 || in[0] < 9 || (in[1] != DT_CONFIG && in[1] != DT_OTHER_SPEED_CONFIG)) {
    return descriptorError("configuration descriptor header is not 9 bytes of type 2");
  }
  std::size_t total = loadLe16(&in[2]);
  if (total > in.size()) return descriptorError("configuration descriptor is truncated");
  ConfigDescriptor c;
  c.bConfigurationValue = in[5];
  c.iConfiguration = in[6];
  c.bmAttributes = in[7];
  c.bMaxPower = in[8];
  std::size_t pos = in[0];
  while (pos + 2 <= total) {
    std::size_t len = in[pos];
    std::uint8_t type = in[pos + 1];
    if (len < 2 || pos + len > total) return descriptorError("descriptor length runs past the end");
    ByteSpan d = in.subspan(pos, len);
    if (type == DT_INTERFACE) {
      if (len < 9) return descriptorError("interface descriptor shorter than 9 bytes");
      InterfaceDescriptor i;
      i.bInterfaceNumber = d[2];
      i.bAlternateSetting = d[3];
      i.bInterfaceClass = d[5];
      i.bInterfaceSubClass = d[6];
      i.bInterfaceProtocol = d[7];
      i.iInterface = d[8];
      c.interfaces.push_back(std::move(i));
    } else if (type == DT_ENDPOINT) {
      if (len < 7) return descriptorError("endpoint descriptor shorter than 7 bytes");
      if (c.interfaces.empty()) return descriptorError("endpoint before any interface");
      EndpointDescriptor e;
      e.bEndpointAddress = d[2];
      e.bmAttributes = d[3];
      e.wMaxPacketSize = loadLe16(&d[4]);
      e.bInterval = d[6];
      c.interfaces.back().endpoints.push_back(e);
    } else if (!c.interfaces.empty()) {
      auto& extra = c.interfaces.back().classSpecific;
      extra.insert(extra.end(), d.begin(), d.end());
    }
    pos += len;
  }
  return c;
}

Result<std::string> parseStringDescriptor(ByteSpan in) {
  if (in.size() < 2 || in[1] != DT_STRING || in[0] > in.size() || in[0] < 2) {
    return descriptorError("string descriptor malformed");
  }
  std::string s;
  for (std::size_t i = 2; i + 1 < in[0]; i += 2) {
    std::uint16_t u = loadLe16(&in[i]);
    if (u < 0x80) {
      s += static_cast<char>(u);
    } else if (u < 0x800) {
      s += static_cast<char>(0xc0 | u >> 6);
      s += static_cast<char>(0x80 | (u & 0x3f));
    } else {
      s += static_cast<char>(0xe0 | u >> 12);
      s += static_cast<char>(0x80 | ((u >> 6) & 0x3f));
      s += static_cast<char>(0x80 | (u & 0x3f));
    }
  }
  return s;
}

Result<BulkPipe> findBulkPipe(const ConfigDescriptor& config) {
  auto pipeOf = [](const InterfaceDescriptor& i) -> std::optional<BulkPipe> {
    BulkPipe p;
    p.interfaceNumber = i.bInterfaceNumber;
    for (const auto& e : i.endpoints) {
      if (e.transferType() != kEpBulk) continue;
      if (e.isIn() && !p.epIn) p.epIn = e.bEndpointAddress;
      if (!e.isIn() && !p.epOut) p.epOut = e.bEndpointAddress;
      if (!p.maxPacketSize) p.maxPacketSize = e.wMaxPacketSize;
    }
    if (!p.epIn || !p.epOut) return std::nullopt;
    return p;
  };
  std::optional<BulkPipe> found;
  for (const auto& i : config.interfaces) {
    if (i.bAlternateSetting == 0 && i.bInterfaceClass == kClassCdcData) found = pipeOf(i);
    if (found) break;
  }
  for (const auto& i : config.interfaces) {
    if (found) break;
    if (i.bAlternateSetting == 0) found = pipeOf(i);
  }
  if (!found) {
    return makeError(-5, "LIBUSB_ERROR_NOT_FOUND",
                     "the device has no interface with a bulk IN and a bulk OUT endpoint",
                     "this is not a MediaTek download port; check the VID:PID");
  }
  for (const auto& i : config.interfaces) {
    if (i.bInterfaceClass == kClassComm) {
      found->commInterface = i.bInterfaceNumber;
      found->hasCommInterface = true;
      break;
    }
  }
  return *found;
}

std::array<std::uint8_t, 7> encodeLineCoding(const LineCoding& lc) {
  std::array<std::uint8_t, 7> b{};
  storeLe32(b.data(), lc.baud);
  b[4] = lc.stopBits;
  b[5] = lc.parity;
  b[6] = lc.dataBits;
  return b;
}

LineCoding decodeLineCoding(ByteSpan in) {
  std::array<std::uint8_t, 7> b{};
  std::copy_n(in.begin(), std::min<std::size_t>(in.size(), 7), b.begin());
  LineCoding lc;
  lc.baud = loadLe32(b.data());
  lc.stopBits = b[4];
  lc.parity = b[5];
  lc.dataBits = b[6];
  return lc;
}

}  // namespace mtk::wire::usb
