#pragma once
// The USB function of a phone in BROM or preloader mode: the CDC requests, the OUT byte
// stream, and the protocol coroutine (BROM/preloader commands, then the DA stage).

#include <functional>
#include <memory>

#include "fault_runtime.hpp"
#include "mtk/emu/cdc_acm.hpp"
#include "mtk/emu/input_pipe.hpp"
#include "mtk/emu/phone/brom_protocol.hpp"
#include "mtk/emu/phone/da_protocol.hpp"
#include "mtk/emu/phone/device_io.hpp"
#include "mtk/emu/task.hpp"
#include "mtk/emu/usb_function.hpp"

namespace mtk::emu {

class PhoneFunction final : public UsbFunction {
 public:
  struct Events {
    std::function<void()> started;                      // the host completed the handshake
    std::function<void()> jumped;                       // JUMP_DA succeeded: the DA runs
    std::function<void(std::uint32_t, bool)> shutdown;  // the DA was told to reboot / power off
    std::function<void()> switchSpeed;                  // the DA re-enumerates at high speed
    FaultRuntime::PhoneHooks faults;                    // what faults ask of the phone as a whole
  };
  PhoneFunction(BootMode mode, const PhoneSpec& spec, RegisterSpace& registers,
                std::shared_ptr<VirtualStorage> storage, std::shared_ptr<PhoneFaults> faults,
                const Clock& clock, Events events);

  void bind(EndpointPort& port) override;
  std::optional<wire::Bytes> onControl(const wire::usb::SetupPacket& setup,
                                       wire::ByteSpan outData) override;
  std::size_t onOut(std::uint8_t ep, wire::ByteSpan data) override;
  void onInWanted(std::uint8_t ep, std::size_t wanted) override;

  // The preloader's "READY" banner while it listens and a tool set the line coding.
  void sendReadyBanner();
  bool toolPresent() const { return cdc_.lineCodingSet(); }

  // The phone's ticker (under the bus lock): time faults, the end of a freeze.
  void tick(Clock::time_point now);
  // Power-on faults, once the phone is on the bus.
  void firePowerOnFaults() { faults_.firePowerOn(); }

 private:
  Task<void> main();
  Task<void> daStage();

  const PhoneSpec& spec_;
  BootMode mode_;
  std::shared_ptr<VirtualStorage> storage_;
  std::shared_ptr<PhoneFaults> phoneFaults_;
  Events events_;
  InputPipe pipe_;
  DeviceIo io_;
  FaultRuntime faults_;
  CdcAcmState cdc_;
  BromProtocol brom_;
  Task<void> main_;
  bool started_ = false;
};

}  // namespace mtk::emu
