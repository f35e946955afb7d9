#include "mtk/wire/usbip.hpp"

#include <algorithm>

namespace mtk::wire::usbip {
namespace {

Error protocolError(std::string message) {
  return makeError(
      -1, "USBIP_PROTOCOL_ERROR", std::move(message),
      "the peer does not speak USB/IP 1.1.1 as Linux does; check the address and port");
}

void writeBasic(std::uint8_t* p, const UrbBasic& b, std::uint32_t command) {
  storeBe32(p + 0, command);
  storeBe32(p + 4, b.seqnum);
  storeBe32(p + 8, b.devid);
  storeBe32(p + 12, b.direction);
  storeBe32(p + 16, b.ep);
}

void writeI32(std::uint8_t* p, std::int32_t v) {
  storeBe32(p, static_cast<std::uint32_t>(v));
}
std::int32_t readI32(const std::uint8_t* p) {
  return static_cast<std::int32_t>(loadBe32(p));
}

}  // namespace

void encodeOpHeader(Bytes& out, const OpHeader& h) {
  Writer(out).be16(h.version).be16(h.code).be32(h.status);
}

Result<OpHeader> decodeOpHeader(ByteSpan in) {
  if (in.size() < kOpHeaderSize) return protocolError("operation header shorter than 8 bytes");
  Reader r(in);
  OpHeader h;
  h.version = r.be16();
  h.code = r.be16();
  h.status = r.be32();
  if (h.version != kVersion) {
    return protocolError("unsupported USB/IP version 0x" + hexdump(in.subspan(0, 2)));
  }
  return h;
}

Bytes encodeDevlistRequest() {
  Bytes out;
  encodeOpHeader(out, {kVersion, OP_REQ_DEVLIST, 0});
  return out;
}

Bytes encodeImportRequest(const std::string& busid) {
  Bytes out;
  encodeOpHeader(out, {kVersion, OP_REQ_IMPORT, 0});
  Writer(out).fixedString(busid, kBusIdSize);
  return out;
}

void encodeDeviceRecord(Bytes& out, const DeviceRecord& d) {
  Writer w(out);
  w.fixedString(d.path, kPathSize).fixedString(d.busid, kBusIdSize);
  w.be32(d.busnum).be32(d.devnum).be32(static_cast<std::uint32_t>(d.speed));
  w.be16(d.idVendor).be16(d.idProduct).be16(d.bcdDevice);
  w.u8(d.bDeviceClass).u8(d.bDeviceSubClass).u8(d.bDeviceProtocol);
  w.u8(d.bConfigurationValue).u8(d.bNumConfigurations).u8(d.bNumInterfaces);
}

Result<DeviceRecord> decodeDeviceRecord(ByteSpan in) {
  Reader r(in);
  DeviceRecord d;
  d.path = r.fixedString(kPathSize);
  d.busid = r.fixedString(kBusIdSize);
  d.busnum = r.be32();
  d.devnum = r.be32();
  d.speed = static_cast<Speed>(r.be32());
  d.idVendor = r.be16();
  d.idProduct = r.be16();
  d.bcdDevice = r.be16();
  d.bDeviceClass = r.u8();
  d.bDeviceSubClass = r.u8();
  d.bDeviceProtocol = r.u8();
  d.bConfigurationValue = r.u8();
  d.bNumConfigurations = r.u8();
  d.bNumInterfaces = r.u8();
  if (r.failed()) return protocolError("device record shorter than 312 bytes");
  return d;
}

Bytes encodeDevlistReply(const std::vector<DeviceRecord>& devices) {
  Bytes out;
  encodeOpHeader(out, {kVersion, OP_REP_DEVLIST, 0});
  Writer(out).be32(static_cast<std::uint32_t>(devices.size()));
  for (const auto& d : devices) {
    // bNumInterfaces decides how many interface records follow; keep them consistent.
    DeviceRecord copy = d;
    copy.bNumInterfaces = static_cast<std::uint8_t>(d.interfaces.size());
    encodeDeviceRecord(out, copy);
    for (const auto& i : d.interfaces) {
      Writer(out).u8(i.bInterfaceClass).u8(i.bInterfaceSubClass).u8(i.bInterfaceProtocol).u8(0);
    }
  }
  return out;
}

Bytes encodeImportReply(std::uint32_t status, const DeviceRecord* device) {
  Bytes out;
  encodeOpHeader(out, {kVersion, OP_REP_IMPORT, status});
  if (status == 0 && device) encodeDeviceRecord(out, *device);
  return out;
}

Result<std::vector<DeviceRecord>> decodeDevlistReply(ByteSpan in) {
  auto h = decodeOpHeader(in);
  if (!h) return std::move(h).error();
  if (h->code != OP_REP_DEVLIST) return protocolError("expected OP_REP_DEVLIST");
  if (h->status != 0)
    return protocolError("OP_REP_DEVLIST with status " + std::to_string(h->status));
  Reader r(in.subspan(kOpHeaderSize));
  std::uint32_t n = r.be32();
  // Each device needs at least its record: refuse counts the bytes cannot hold before reserving.
  if (r.failed() || n > r.remaining() / kDeviceRecordSize) {
    return protocolError("OP_REP_DEVLIST device count does not fit the reply");
  }
  std::vector<DeviceRecord> devices;
  devices.reserve(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    auto d = decodeDeviceRecord(r.bytes(kDeviceRecordSize));
    if (!d) return std::move(d).error();
    for (int k = 0; k < d->bNumInterfaces; ++k) {
      InterfaceRecord ir;
      ir.bInterfaceClass = r.u8();
      ir.bInterfaceSubClass = r.u8();
      ir.bInterfaceProtocol = r.u8();
      r.u8();  // padding
      d->interfaces.push_back(ir);
    }
    if (r.failed()) return protocolError("OP_REP_DEVLIST truncated");
    devices.push_back(std::move(*d));
  }
  return devices;
}

UrbHeader encode(const CmdSubmit& m) {
  UrbHeader h{};
  writeBasic(h.data(), m.basic, CMD_SUBMIT);
  storeBe32(h.data() + 20, m.transferFlags);
  writeI32(h.data() + 24, m.transferBufferLength);
  writeI32(h.data() + 28, m.startFrame);
  writeI32(h.data() + 32, m.numberOfPackets);
  writeI32(h.data() + 36, m.interval);
  std::copy(m.setup.begin(), m.setup.end(), h.begin() + 40);
  return h;
}

UrbHeader encode(const RetSubmit& m) {
  UrbHeader h{};
  writeBasic(h.data(), m.basic, RET_SUBMIT);
  writeI32(h.data() + 20, m.status);
  writeI32(h.data() + 24, m.actualLength);
  writeI32(h.data() + 28, m.startFrame);
  writeI32(h.data() + 32, m.numberOfPackets);
  writeI32(h.data() + 36, m.errorCount);
  return h;
}

UrbHeader encode(const CmdUnlink& m) {
  UrbHeader h{};
  writeBasic(h.data(), m.basic, CMD_UNLINK);
  storeBe32(h.data() + 20, m.unlinkSeqnum);
  return h;
}

UrbHeader encode(const RetUnlink& m) {
  UrbHeader h{};
  writeBasic(h.data(), m.basic, RET_UNLINK);
  writeI32(h.data() + 20, m.status);
  return h;
}

Result<UrbMessage> decodeUrbHeader(ByteSpan in) {
  if (in.size() < kUrbHeaderSize) return protocolError("URB header shorter than 48 bytes");
  const std::uint8_t* p = in.data();
  UrbBasic b;
  b.command = loadBe32(p);
  b.seqnum = loadBe32(p + 4);
  b.devid = loadBe32(p + 8);
  b.direction = loadBe32(p + 12);
  b.ep = loadBe32(p + 16);
  switch (b.command) {
    case CMD_SUBMIT: {
      CmdSubmit m;
      m.basic = b;
      m.transferFlags = loadBe32(p + 20);
      m.transferBufferLength = readI32(p + 24);
      m.startFrame = readI32(p + 28);
      m.numberOfPackets = readI32(p + 32);
      m.interval = readI32(p + 36);
      std::copy(p + 40, p + 48, m.setup.begin());
      return UrbMessage(m);
    }
    case RET_SUBMIT: {
      RetSubmit m;
      m.basic = b;
      m.status = readI32(p + 20);
      m.actualLength = readI32(p + 24);
      m.startFrame = readI32(p + 28);
      m.numberOfPackets = readI32(p + 32);
      m.errorCount = readI32(p + 36);
      return UrbMessage(m);
    }
    case CMD_UNLINK: {
      CmdUnlink m;
      m.basic = b;
      m.unlinkSeqnum = loadBe32(p + 20);
      return UrbMessage(m);
    }
    case RET_UNLINK: {
      RetUnlink m;
      m.basic = b;
      m.status = readI32(p + 20);
      return UrbMessage(m);
    }
    default:
      return protocolError("unknown URB command 0x" + hexdump(in.subspan(0, 4)));
  }
}

namespace {
// number_of_packets is 0 (Linux 6.1) or 0xffffffff (the protocol text) for non-ISO transfers.
Result<std::size_t> isoBytes(std::int32_t numberOfPackets, std::size_t maxPayload) {
  if (numberOfPackets == -1 || numberOfPackets == 0) return std::size_t{0};
  if (numberOfPackets < 0) return protocolError("negative number_of_packets");
  std::size_t n = static_cast<std::size_t>(numberOfPackets) * kIsoDescriptorSize;
  if (n > maxPayload) return protocolError("too many ISO packets");
  return n;
}
}  // namespace

Result<std::size_t> submitPayloadSize(const CmdSubmit& m, std::size_t maxPayload) {
  if (m.transferBufferLength < 0) return protocolError("negative transfer_buffer_length");
  auto iso = isoBytes(m.numberOfPackets, maxPayload);
  if (!iso) return iso;
  std::size_t data =
      m.basic.direction == kDirOut ? static_cast<std::size_t>(m.transferBufferLength) : 0;
  if (data > maxPayload || *iso > maxPayload - data) {
    return protocolError("CMD_SUBMIT payload of " + std::to_string(data) +
                         " bytes is larger than the limit of " + std::to_string(maxPayload));
  }
  return data + *iso;
}

Result<std::size_t> retSubmitPayloadSize(const RetSubmit& m, std::uint32_t direction,
                                         std::size_t maxPayload) {
  if (m.actualLength < 0) return protocolError("negative actual_length");
  auto iso = isoBytes(m.numberOfPackets, maxPayload);
  if (!iso) return iso;
  std::size_t data = direction == kDirIn ? static_cast<std::size_t>(m.actualLength) : 0;
  if (data > maxPayload || *iso > maxPayload - data) {
    return protocolError("RET_SUBMIT payload larger than the limit");
  }
  return data + *iso;
}

}  // namespace mtk::wire::usbip
