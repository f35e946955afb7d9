#pragma once
// The device side of the BootROM / preloader command protocol (mtk-protocols.md §2), written
// as a coroutine that reads like the spec. It runs until a JUMP_DA succeeds; the phone then
// hands the USB pipe to the DA stage.
//
// BROM and preloader differ where hosts key on it: GET_BL_VER (BROM echoes 0xFE, the preloader
// answers its version), GET_VERSION, the commands each one knows, the stray 0xA0 the preloader
// swallows before its handshake, and what a DAA failure looks like (BROM answers 0x7024; the
// preloader wipes the DA and stops answering).

#include <cstdint>
#include <functional>
#include <optional>

#include "mtk/emu/phone/device_io.hpp"
#include "mtk/emu/phone/phone_spec.hpp"
#include "mtk/emu/phone/register_space.hpp"
#include "mtk/emu/task.hpp"

namespace mtk::emu {

enum class BootMode { Brom, Preloader };
class FaultRuntime;  // the phone's fault hooks (src/phone/fault_runtime.hpp)

class BromProtocol {
 public:
  // Called (under the bus lock) when a start command begins (for a preloader: the 0xA0 that
  // switches it from listening to handshaking).
  using Started = std::function<void()>;
  BromProtocol(BootMode mode, const PhoneSpec& spec, DeviceIo& io, RegisterSpace& registers,
               FaultRuntime& faults, Started onStarted);

  // Handshake, then commands until a successful JUMP_DA.
  Task<void> run();

  const wire::Bytes& da1() const { return da_; }
  std::uint32_t da1Address() const { return daAddress_; }
  std::uint32_t da1SignatureLength() const { return daSigLen_; }

  static constexpr std::size_t kMaxDaBytes = 4u << 20;  // DA1 runs from SRAM: it is small

 private:
  Task<void> handshake();
  Task<bool> command(std::uint8_t cmd);  // true after a successful JUMP_DA
  // Sends a status (a fault may replace it); false when it was replaced: the command ends.
  bool answer(std::uint16_t status);
  std::uint16_t checksum(std::uint16_t sum);  // a fault may damage it on its way
  Task<std::uint32_t> echoU32();
  struct Range {
    std::uint32_t address;
    std::uint32_t count;
  };
  Task<std::optional<Range>> acceptRange(bool wide);
  Task<void> readRegisters(bool wide);
  Task<void> writeRegisters(bool wide, bool echoValues);
  Task<void> sendDa();
  Task<bool> jumpDa();
  Task<void> upload(std::uint32_t length);  // SEND_CERT / SEND_AUTH data + checksum
  std::uint16_t sendDaStatus(std::uint32_t address, std::uint32_t length,
                             std::uint32_t sigLen) const;
  bool daAccepted() const;

  BootMode mode_;
  const PhoneSpec& spec_;
  DeviceIo& io_;
  RegisterSpace& regs_;
  FaultRuntime& faults_;
  Started onStarted_;
  wire::Bytes da_;
  std::uint32_t daAddress_ = 0;
  std::uint32_t daSigLen_ = 0;
  bool daLoaded_ = false;
  bool slaPassed_ = false;
};

}  // namespace mtk::emu
