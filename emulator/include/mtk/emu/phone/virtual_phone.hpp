#pragma once
// A virtual MediaTek phone on one port of a DeviceBus. It powers on into its preloader
// (0e8d:2000, high speed), which listens for a handshake for a short window and then boots on
// (leaves USB) unless a host started talking; with volume-down held, or without a valid
// preloader, it stays in BROM mode (0e8d:0003, full speed). After JUMP_DA the DA stage owns the
// USB pipe.
//
// Methods are called from outside the device model (tests, the CLI, scenarios) without the bus
// lock; the phone takes it as needed and changes USB identity through the bus.
//
// Its fault rules (spec.faults, fault.hpp) run from construction on; faultLog() says which fired
// and recentExchanges() shows the last commands and statuses, for a person reading a failure.

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mtk/emu/device_bus.hpp"
#include "mtk/emu/phone/fault_engine.hpp"
#include "mtk/emu/phone/phone_spec.hpp"
#include "mtk/emu/phone/register_space.hpp"
#include "mtk/emu/storage/virtual_storage.hpp"

namespace mtk::emu {

struct PhoneFaultHooks;  // src/phone/fault_runtime.hpp

enum class PhoneState {
  Off,
  Brom,                // BROM mode, waiting for a host
  PreloaderListening,  // the short window after power-on
  BootedOn,            // the window passed: the phone boots Android and leaves USB
  Connected,           // a host completed the handshake (BROM or preloader)
  Da,                  // the DA runs
};
const char* phoneStateName(PhoneState s);

class VirtualPhone {
 public:
  VirtualPhone(DeviceBus& bus, std::string busid, PhoneSpec spec);
  ~VirtualPhone();
  VirtualPhone(const VirtualPhone&) = delete;
  VirtualPhone& operator=(const VirtualPhone&) = delete;

  void powerOn(bool holdVolumeDown = false);
  void powerOff();
  // The cable: pulling it drops the phone off USB (a phone on battery keeps running, but the
  // download session is gone); plugging it back in powers it on again through its normal path.
  void unplugCable();
  void plugCable(bool holdVolumeDown = false);

  PhoneState state() const;
  const std::string& busid() const { return busid_; }
  const PhoneSpec& spec() const { return spec_; }
  bool watchdogDisabled() const;  // taken under the bus lock
  // The phone's flash (null if it could not be opened: see storageError()). Tests read and
  // write it directly; do it while no host is flashing.
  VirtualStorage* storage();
  const std::optional<Error>& storageError() const { return storageError_; }
  // The partitions of the layout where the user area holds them (empty without storage).
  const std::vector<PlacedPartition>& partitions() const { return partitions_; }

  // The faults that fired so far, oldest first.
  std::vector<FiredFault> faultLog() const;
  // The last 32 protocol exchanges, oldest first: commands ("+12 ms -> DA WRITE_DATA"),
  // statuses ("<- DA status STATUS_MMC_ERR (0xc0040030)"), faults ("!! ...") and power events.
  std::vector<std::string> recentExchanges() const;

 private:
  struct Shared;  // state shared with the USB function, which may outlive a powered-off phone
  void plugMode(int mode);
  void tick(Clock::time_point now);  // under the bus lock
  PhoneFaultHooks faultHooks();
  // Takes the phone off USB (deferred: callers hold the bus lock, often inside the device).
  static void leaveUsb(const std::shared_ptr<Shared>& shared, DeviceBus& bus,
                       const std::string& busid, PhoneState to);

  DeviceBus& bus_;
  std::string busid_;
  PhoneSpec spec_;
  std::shared_ptr<Shared> shared_;
  std::optional<Error> storageError_;
  std::vector<PlacedPartition> partitions_;
  int ticker_ = 0;
};

}  // namespace mtk::emu
