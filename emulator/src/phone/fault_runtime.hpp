#pragma once
// Where the fault engine meets one powered-on phone: the protocol coroutines report their
// command points and send their statuses through it, the USB function passes the bulk streams
// through it, and it carries out what fires (fault.hpp says what each action means). Actions
// only the phone as a whole can take (leaving the bus, flapping, booting on, power) go to the
// phone through hooks. Everything here runs under the bus lock, like the rest of the model.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mtk/emu/clock.hpp"
#include "mtk/emu/phone/device_io.hpp"
#include "mtk/emu/phone/fault_engine.hpp"
#include "mtk/emu/storage/virtual_storage.hpp"

namespace mtk::emu {

// A phone's engine and exchange log; they outlive power cycles, so counts carry on across them.
struct PhoneFaults {
  PhoneFaults(std::vector<FaultRule> rules, std::uint64_t seed) : engine(std::move(rules), seed) {}
  FaultEngine engine;
  ExchangeLog log;
  // Appends "+<ms since power-on> ms <text>" to the log.
  void note(const Clock& clock, const std::string& text);
};

// What only the phone as a whole can do for a fault; each is called under the bus lock and
// defers bus changes.
struct PhoneFaultHooks {
  std::function<void()> unplug;
  std::function<void(unsigned cycles, std::chrono::milliseconds period)> flap;
  std::function<bool()> bootOn;  // a listening preloader boots on; false when not listening
  std::function<void(std::uint64_t landBytes)> armPowerCut;
  std::function<bool()> powerLost;  // the storage lost power: true when the phone drops off
};

class FaultRuntime final : public DeviceIo::InTap {
 public:
  using PhoneHooks = PhoneFaultHooks;
  FaultRuntime(PhoneFaults& faults, const Clock& clock, DeviceIo& io, VirtualStorage* storage,
               PhoneHooks hooks);

  // ---- the protocols ----
  // A command point. False: the phone stopped here (left the bus, went silent); the caller
  // parks its coroutine (DeviceIo::hang).
  bool at(FaultStage stage, std::string_view name, FaultPhase phase);
  // The status to send where the protocol means `intended` (a fault may replace it); logged.
  std::uint32_t status(FaultStage stage, std::uint32_t intended);
  // One-shot damage the protocols consume where it applies.
  bool takeChecksumFault() { return std::exchange(checksumFault_, false); }
  bool takeDramRefusal() { return std::exchange(refuseDram_, false); }
  bool takeDa2Mismatch() { return std::exchange(da2Mismatch_, false); }
  // After a storage write or erase: false when the power just failed and the phone is gone.
  bool powerHolds();
  void daStarted() { faults_.engine.daStarted(inFlight_); }
  void note(const std::string& text) { faults_.note(clock_, text); }

  // ---- the USB function ----
  // Passes OUT bytes to `push` (the input pipe), split at trigger offsets and damaged where
  // asked; returns how many were taken (fewer = NAK, as the pipe's own flow control).
  using Push = std::function<std::size_t(wire::ByteSpan)>;
  std::size_t out(wire::ByteSpan data, const Push& push);
  Verdict onIn(wire::Bytes& data) override;
  // Time rules and the end of a freeze. True when refused OUT data may be offered again.
  bool tick(Clock::time_point now);
  // The host waits for IN data and none is queued: a pending unplug can happen now.
  void onInWanted() { unplugWhenDrained(); }
  void firePowerOn();

 private:
  struct Mark {  // a byte to damage in transit
    FaultDirection direction;
    std::uint64_t at;
    std::uint8_t mask;
  };
  void apply(const std::vector<std::size_t>& fired);
  void applyOne(std::size_t rule, const FiredFault& record);
  void fireBulk(FaultDirection d);
  void damage(FaultDirection d, std::uint64_t start, wire::MutableByteSpan bytes);
  bool stopped() const { return gone_ || muted_; }
  void unplugWhenDrained();

  PhoneFaults& faults_;
  const Clock& clock_;
  DeviceIo& io_;
  VirtualStorage* storage_;
  PhoneHooks hooks_;
  bool gone_ = false;             // left the bus (or about to): OUT is refused, IN dropped
  bool unplugPending_ = false;    // the cable goes once the host has read what was sent ...
  Clock::time_point unplugBy_{};  // ... or by then, if it never reads it
  bool muted_ = false;            // silent: OUT is swallowed, IN dropped
  bool paused_ = false;
  Clock::time_point pausedUntil_{};
  std::optional<std::uint32_t> pendingStatus_;
  bool checksumFault_ = false;
  bool refuseDram_ = false;
  bool da2Mismatch_ = false;
  std::vector<Mark> marks_;
  std::uint64_t inFlight_ = 0;  // OUT bytes being pushed right now, not yet counted
};

}  // namespace mtk::emu
