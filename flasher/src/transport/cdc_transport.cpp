#include "mtk/flasher/cdc_transport.hpp"

namespace mtk::flasher {

using namespace mtk::wire::usb;

namespace {

Result<std::string> readString(UsbLink& link, std::uint8_t index, Millis timeout) {
  if (index == 0) return std::string();
  wire::Bytes buf(255);
  SetupPacket s{kDirDeviceToHost, GET_DESCRIPTOR,
                static_cast<std::uint16_t>(DT_STRING << 8 | index), 0x0409, 255};
  auto n = link.control(s, buf, timeout);
  if (!n) return std::move(n).error();
  return parseStringDescriptor(wire::ByteSpan(buf.data(), *n));
}

}  // namespace

Result<std::unique_ptr<CdcTransport>> CdcTransport::open(std::unique_ptr<UsbLink> link,
                                                         const CdcOptions& options) {
  const Millis t = options.controlTimeout;
  std::unique_ptr<CdcTransport> self(new CdcTransport(std::move(link)));
  UsbLink& l = *self->link_;
  const std::string where = l.location();

  wire::Bytes dev(18);
  auto n = l.control({kDirDeviceToHost, GET_DESCRIPTOR, DT_DEVICE << 8, 0, 18}, dev, t);
  if (!n) return std::move(n).error().context("reading the device descriptor of " + where);
  auto device = parseDeviceDescriptor(wire::ByteSpan(dev.data(), *n));
  if (!device) return std::move(device).error().context(where);

  // The configuration's 9-byte header gives its total length; then read the whole of it.
  wire::Bytes head(9);
  n = l.control({kDirDeviceToHost, GET_DESCRIPTOR, DT_CONFIG << 8, 0, 9}, head, t);
  if (!n) return std::move(n).error().context("reading the configuration of " + where);
  if (*n < 9) return usbError(usb_errors::kIo, where + ": short configuration descriptor");
  const std::uint16_t total = wire::loadLe16(&head[2]);
  wire::Bytes full(total);
  n = l.control({kDirDeviceToHost, GET_DESCRIPTOR, DT_CONFIG << 8, 0, total}, full, t);
  if (!n) return std::move(n).error().context("reading the configuration of " + where);
  auto config = parseConfigDescriptor(wire::ByteSpan(full.data(), *n));
  if (!config) return std::move(config).error().context(where);
  auto pipe = findBulkPipe(*config);
  if (!pipe) return std::move(pipe).error().context(where);
  self->pipe_ = *pipe;

  if (auto s = l.setConfiguration(config->bConfigurationValue); !s) {
    return std::move(s).error().context("configuring " + where);
  }
  if (pipe->hasCommInterface) {
    if (auto s = l.claimInterface(pipe->commInterface); !s)
      return std::move(s).error().context(where);
  }
  if (auto s = l.claimInterface(pipe->interfaceNumber); !s)
    return std::move(s).error().context(where);

  if (options.sendLineCoding) {
    // 921600 8N1 and RTS without DTR, as the widely used tools send; errors do not matter
    // (the BROM answers them, some preloaders STALL).
    auto lc = encodeLineCoding({921600, 0, 0, 8});
    const std::uint16_t iface = pipe->hasCommInterface ? pipe->commInterface : 0;
    (void)l.control({kTypeClass | kRecipientInterface, CDC_SET_LINE_CODING, 0, iface, 7}, lc, t);
    (void)l.control(
        {kTypeClass | kRecipientInterface, CDC_SET_CONTROL_LINE_STATE, 0x0002, iface, 0}, {}, t);
  }

  DeviceIdentity& id = self->identity_;
  id.vid = device->idVendor;
  id.pid = device->idProduct;
  id.location = where;
  id.speed = l.speed();
  id.maxPacketSize = pipe->maxPacketSize;
  if (auto s = readString(l, device->iManufacturer, t)) id.manufacturer = *s;
  if (auto s = readString(l, device->iProduct, t)) id.product = *s;
  return self;
}

Status CdcTransport::write(wire::ByteSpan data, Millis timeout) {
  auto n = link_->bulkOut(pipe_.epOut, data, timeout);
  if (!n) return std::move(n).error();
  if (*n != data.size()) {
    return usbError(usb_errors::kIo, "the device took " + std::to_string(*n) + " of " +
                                         std::to_string(data.size()) + " bytes");
  }
  return {};
}

Result<std::size_t> CdcTransport::readSome(wire::MutableByteSpan buffer, Millis timeout) {
  return link_->bulkIn(pipe_.epIn, buffer, timeout);
}

Result<std::size_t> CdcTransport::control(const SetupPacket& setup, wire::MutableByteSpan data,
                                          Millis timeout) {
  return link_->control(setup, data, timeout);
}

void CdcTransport::close() {
  link_->close();
}

}  // namespace mtk::flasher
