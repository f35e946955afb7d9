#pragma once
// The host side of the BootROM / preloader protocol (mtk-protocols.md §2): the start-command
// handshake, identification, register access, DA upload and jump. It knows the protocol and
// nothing about files or user interfaces; errors carry MediaTek's names and numbers.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "mtk/flasher/transport.hpp"
#include "mtk/wire/chips.hpp"

namespace mtk::flasher {

enum class BootStage { Brom, Preloader };
const char* bootStageName(BootStage s);

struct TargetInfo {
  BootStage stage = BootStage::Brom;
  std::uint16_t hwCode = 0;
  std::uint16_t hwSubCode = 0;
  std::uint16_t hwVersion = 0;
  std::uint16_t swVersion = 0;
  std::uint32_t targetConfig = 0;
  std::uint8_t blVersion = 0;               // preloader's GET_BL_VER (0 in BROM mode)
  std::optional<std::uint8_t> bromVersion;  // GET_VERSION in BROM mode
  std::optional<std::array<std::uint8_t, 16>> meId;
  std::optional<std::array<std::uint8_t, 32>> socId;
  const wire::ChipInfo* chip = nullptr;  // null for a hw code the table does not know
  bool watchdogDisabled = false;
  DeviceIdentity usb;

  std::string chipName() const;  // "MT6765", or "unknown (hw code 0x1234)"
};

struct BromOptions {
  std::chrono::milliseconds byteTimeout{500};  // per handshake byte
  int handshakeAttempts = 5;
  std::chrono::milliseconds commandTimeout{2000};  // per command field
};

class BromClient {
 public:
  explicit BromClient(Transport& transport, BromOptions options = {})
      : t_(transport), options_(options) {}

  // The start command. A preloader first swallows one 0xA0 (and may print "READY" while it
  // listens): it gets one extra 0xA0 and its pending output is drained, as real tools do.
  Status handshake(BootStage stage);

  Result<std::uint16_t> getHwCode();
  // Everything `mtkflash identify` shows; call after handshake().
  Result<TargetInfo> identify();
  Status disableWatchdog(const wire::ChipInfo& chip);

  Result<std::vector<std::uint32_t>> read32(std::uint32_t address, std::uint32_t count);
  Status write32(std::uint32_t address, const std::vector<std::uint32_t>& values);

  // SEND_DA: uploads `data` (signature included, its last `sigLen` bytes) to `address` and
  // checks the checksum the phone computed. `progress(sent, total)` is called as it goes.
  using Progress = std::function<void(std::size_t sent, std::size_t total)>;
  Status sendDa(std::uint32_t address, wire::ByteSpan data, std::uint32_t sigLen,
                std::uint32_t targetConfig, const Progress& progress = {});
  Status jumpDa(std::uint32_t address);
  // Waits for the DA's first byte (0xC0 for XFlash and legacy DAs).
  Status awaitDaSync(std::chrono::milliseconds timeout, const std::string& stage);

 private:
  Status echo(std::uint8_t cmd, const char* name);
  Result<std::uint32_t> echo32(std::uint32_t value, const char* name);
  Result<std::uint16_t> u16(const char* what);
  Result<std::uint32_t> u32(const char* what);
  Result<std::uint8_t> u8(const char* what, std::chrono::milliseconds timeout);
  Error noAnswer(const char* what, const Error& cause) const;

  Transport& t_;
  BromOptions options_;
};

// A chip check before anything is written: the firmware's platform (a scatter file's
// `platform`, e.g. "MT6757D") against the chip the phone reported.
Status checkPlatform(const TargetInfo& target, const std::string& platform);

}  // namespace mtk::flasher
