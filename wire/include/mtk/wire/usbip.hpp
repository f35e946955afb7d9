#pragma once
// USB/IP messages (Linux Documentation/usb/usbip_protocol.rst; summary in shared/docs/usbip.md).
// Pure encode/decode: no sockets. All integers are big-endian except the 8-byte USB setup packet,
// which is carried as on the USB wire.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mtk/error.hpp"
#include "mtk/wire/bytes.hpp"

namespace mtk::wire::usbip {

constexpr std::uint16_t kVersion = 0x0111;
constexpr std::uint16_t kDefaultPort = 3240;

// Operation codes of the connection phase.
constexpr std::uint16_t OP_REQ_DEVLIST = 0x8005;
constexpr std::uint16_t OP_REP_DEVLIST = 0x0005;
constexpr std::uint16_t OP_REQ_IMPORT = 0x8003;
constexpr std::uint16_t OP_REP_IMPORT = 0x0003;

constexpr std::size_t kOpHeaderSize = 8;
constexpr std::size_t kDeviceRecordSize = 312;
constexpr std::size_t kInterfaceRecordSize = 4;
constexpr std::size_t kBusIdSize = 32;
constexpr std::size_t kPathSize = 256;

// URB phase commands.
constexpr std::uint32_t CMD_SUBMIT = 1;
constexpr std::uint32_t CMD_UNLINK = 2;
constexpr std::uint32_t RET_SUBMIT = 3;
constexpr std::uint32_t RET_UNLINK = 4;
constexpr std::size_t kUrbHeaderSize = 48;
constexpr std::size_t kIsoDescriptorSize = 16;

constexpr std::uint32_t kDirOut = 0;
constexpr std::uint32_t kDirIn = 1;
constexpr std::uint32_t URB_DIR_IN = 0x200;  // transfer_flags bit Linux clients set on IN

// Linux errno values carried in status fields (negated).
constexpr std::int32_t kEPIPE = 32;        // STALL
constexpr std::int32_t kEOVERFLOW = 75;    // device sent more than asked
constexpr std::int32_t kECONNRESET = 104;  // unlinked
constexpr std::int32_t kESHUTDOWN = 108;   // device gone
constexpr std::int32_t kETIMEDOUT = 110;
constexpr std::int32_t kEINVAL = 22;

// Device speeds as usbip carries them.
enum class Speed : std::uint32_t {
  Unknown = 0,
  Low = 1,
  Full = 2,
  High = 3,
  Wireless = 4,
  Super = 5,
  SuperPlus = 6
};

struct OpHeader {
  std::uint16_t version = kVersion;
  std::uint16_t code = 0;
  std::uint32_t status = 0;
};

struct InterfaceRecord {
  std::uint8_t bInterfaceClass = 0;
  std::uint8_t bInterfaceSubClass = 0;
  std::uint8_t bInterfaceProtocol = 0;
};

struct DeviceRecord {
  std::string path;   // sysfs-like, at most 255 bytes on the wire
  std::string busid;  // e.g. "1-1", at most 31 bytes on the wire
  std::uint32_t busnum = 0;
  std::uint32_t devnum = 0;
  Speed speed = Speed::Unknown;
  std::uint16_t idVendor = 0;
  std::uint16_t idProduct = 0;
  std::uint16_t bcdDevice = 0;
  std::uint8_t bDeviceClass = 0;
  std::uint8_t bDeviceSubClass = 0;
  std::uint8_t bDeviceProtocol = 0;
  std::uint8_t bConfigurationValue = 0;
  std::uint8_t bNumConfigurations = 0;
  std::uint8_t bNumInterfaces = 0;
  std::vector<InterfaceRecord> interfaces;  // sent in OP_REP_DEVLIST only

  std::uint32_t devid() const { return busnum << 16 | devnum; }
};

// --- connection phase ---
void encodeOpHeader(Bytes& out, const OpHeader& h);
Result<OpHeader> decodeOpHeader(ByteSpan in);  // checks version; exactly kOpHeaderSize bytes read

Bytes encodeDevlistRequest();
Bytes encodeImportRequest(const std::string& busid);
// Encodes the 312-byte device record (no interface records).
void encodeDeviceRecord(Bytes& out, const DeviceRecord& d);
Result<DeviceRecord> decodeDeviceRecord(ByteSpan in);
Bytes encodeDevlistReply(const std::vector<DeviceRecord>& devices);
// status 0: header + device record; otherwise header only.
Bytes encodeImportReply(std::uint32_t status, const DeviceRecord* device);
// Parses a whole OP_REP_DEVLIST; rejects counts that do not fit the bytes given.
Result<std::vector<DeviceRecord>> decodeDevlistReply(ByteSpan in);

// --- URB phase ---
struct UrbBasic {
  std::uint32_t command = 0;
  std::uint32_t seqnum = 0;
  std::uint32_t devid = 0;
  std::uint32_t direction = 0;
  std::uint32_t ep = 0;
};

struct CmdSubmit {
  UrbBasic basic;
  std::uint32_t transferFlags = 0;
  std::int32_t transferBufferLength = 0;
  std::int32_t startFrame = 0;
  std::int32_t numberOfPackets = 0;
  std::int32_t interval = 0;
  std::array<std::uint8_t, 8> setup{};
};

struct RetSubmit {
  UrbBasic basic;
  std::int32_t status = 0;
  std::int32_t actualLength = 0;
  std::int32_t startFrame = 0;
  std::int32_t numberOfPackets = 0;
  std::int32_t errorCount = 0;
};

struct CmdUnlink {
  UrbBasic basic;
  std::uint32_t unlinkSeqnum = 0;
};

struct RetUnlink {
  UrbBasic basic;
  std::int32_t status = 0;
};

using UrbHeader = std::array<std::uint8_t, kUrbHeaderSize>;
using UrbMessage = std::variant<CmdSubmit, RetSubmit, CmdUnlink, RetUnlink>;

UrbHeader encode(const CmdSubmit& m);
UrbHeader encode(const RetSubmit& m);
UrbHeader encode(const CmdUnlink& m);
UrbHeader encode(const RetUnlink& m);
// Decodes any of the four; an unknown command is an error (the connection must then close).
Result<UrbMessage> decodeUrbHeader(ByteSpan header48);

// How many payload bytes follow a CMD_SUBMIT on the wire (OUT data and ISO descriptors).
// Fails for negative lengths, counts, or totals above `maxPayload`.
Result<std::size_t> submitPayloadSize(const CmdSubmit& m, std::size_t maxPayload);
// How many payload bytes follow a RET_SUBMIT for a URB of the given direction.
Result<std::size_t> retSubmitPayloadSize(const RetSubmit& m, std::uint32_t direction,
                                         std::size_t maxPayload);

}  // namespace mtk::wire::usbip
