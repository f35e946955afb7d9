#pragma once
// The host side of the XFlash (V5) Download Agent protocol (mtk-protocols.md §4): session
// setup after the DA's 0xC0, DEVICE_CTRL, BOOT_TO (DA2), INIT_EXT_RAM, and streaming
// READ_DATA / WRITE_DATA / FORMAT. It knows the protocol and nothing about files: data comes
// from a source callback and goes to a sink callback, so nothing is ever held whole in memory.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "mtk/flasher/transport.hpp"
#include "mtk/wire/xflash.hpp"

namespace mtk::flasher {

enum class StorageType { None, Emmc, Ufs, Nand };
const char* storageTypeName(StorageType t);  // "EMMC", "UFS", "NAND", "none"

struct StorageArea {
  std::string name;        // boot1, boot2, rpmb, gp1..gp4, user (eMMC); lu0, lu1, lu2 (UFS)
  std::uint32_t partType;  // the DA's id for it
  std::uint64_t size;
};

struct StorageInfo {
  StorageType type = StorageType::None;
  std::uint32_t blockSize = 512;
  std::vector<StorageArea> areas;
  const StorageArea* area(const std::string& name) const;
  const StorageArea* user() const;  // the area partition tables and most partitions live in
  std::uint32_t storageId() const;  // wire/xflash STORAGE_* for parameter blocks
};

struct XFlashOptions {
  std::chrono::milliseconds statusTimeout{5000};  // mtkclient waits 5 s for read headers
  std::chrono::milliseconds dataTimeout{30000};
  std::uint32_t checksumLevel = 1;  // 1: the DA checks every written chunk
};

class XFlashClient {
 public:
  explicit XFlashClient(Transport& transport, XFlashOptions options = {})
      : t_(transport), options_(options) {}

  // After the DA's 0xC0: SYNC, SETUP_ENVIRONMENT, SETUP_HW_INIT_PARAMS, then the DA's SYNC.
  Status setupSession();
  Result<std::string> connectionAgent();  // "brom" or "preloader"
  Status setChecksumLevel(std::uint32_t level);
  Result<std::pair<std::uint32_t, std::uint32_t>> packetLength();  // write, read
  Result<StorageInfo> storageInfo();
  // DRAM from EMI settings, needed when the connection agent is "brom".
  Status initExtRam(wire::ByteSpan emi);
  // DA2 (signature stripped) to its DRAM address; waits until DA2 answers.
  Status bootTo(std::uint64_t address, wire::ByteSpan image, const std::string& what);

  // Progress: bytes done of total.
  using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;
  // Reads [address, address+length) of an area; `sink` gets the bytes in order.
  using Sink = std::function<Status(wire::ByteSpan)>;
  Status read(std::uint32_t partType, std::uint64_t address, std::uint64_t length, const Sink& sink,
              const Progress& progress = {});
  // Writes `length` bytes (a multiple of the block size) that `source` fills chunk by chunk.
  using Source = std::function<Result<std::size_t>(wire::MutableByteSpan)>;
  Status write(std::uint32_t partType, std::uint64_t address, std::uint64_t length,
               const Source& source, const Progress& progress = {});
  Status format(std::uint32_t partType, std::uint64_t address, std::uint64_t length,
                const Progress& progress = {});
  // "full-speed", "high-speed" (GET_USB_SPEED).
  Result<std::string> usbSpeed();
  // SWITCH_USB_SPEED: the phone then re-enumerates as 0e8d:2001 at high speed; this client's
  // transport is gone afterwards.
  Status switchUsbSpeed();
  // SHUTDOWN; bootMode 0 = boot normally, 2 = fastboot; powerOff: stay off instead.
  Status shutdown(std::uint32_t bootMode = 0, bool powerOff = false);

  Result<wire::Bytes> ctrlGet(std::uint32_t code, const char* what);
  Status ctrlSet(std::uint32_t code, wire::ByteSpan param, const char* what);

  const StorageInfo& storage() const { return storage_; }

 private:
  Status sendPacket(wire::ByteSpan payload, const char* what);
  Status sendU32(std::uint32_t value, const char* what);
  Result<std::size_t> readHeader(const char* what, std::chrono::milliseconds timeout,
                                 std::size_t max);
  Result<wire::Bytes> readPacket(std::size_t max, const char* what,
                                 std::chrono::milliseconds timeout);
  Result<std::uint32_t> readStatus(const char* what);
  Status expectOk(const char* what);
  Status command(std::uint32_t cmd, const char* what);
  Error daError(std::uint32_t status, const std::string& what) const;
  Result<std::uint32_t> checkedPacketLength(bool write);

  Transport& t_;
  XFlashOptions options_;
  StorageInfo storage_;
  std::optional<std::pair<std::uint32_t, std::uint32_t>> packetLength_;
};

}  // namespace mtk::flasher
