#include "mtk/emu/phone/virtual_phone.hpp"

#include "mtk/emu/mtk_descriptors.hpp"
#include "phone_function.hpp"
#include "phone_storage.hpp"

namespace mtk::emu {

namespace {
constexpr int kModeBrom = 0;
constexpr int kModePreloader = 1;
constexpr std::chrono::milliseconds kBannerPeriod{100};
constexpr std::chrono::milliseconds kShutdownDelay{50};
}  // namespace

const char* phoneStateName(PhoneState s) {
  switch (s) {
    case PhoneState::Off:
      return "off";
    case PhoneState::Brom:
      return "brom";
    case PhoneState::PreloaderListening:
      return "preloader (listening)";
    case PhoneState::BootedOn:
      return "booted on (left USB)";
    case PhoneState::Connected:
      return "connected";
    case PhoneState::Da:
      return "da";
  }
  return "?";
}

// Guarded by the bus lock, except `state`, which is also read without it.
struct VirtualPhone::Shared {
  explicit Shared(const PhoneSpec& spec)
      : registers(spec), faults(std::make_shared<PhoneFaults>(spec.faultRules(), spec.faultSeed)) {}
  std::atomic<PhoneState> state{PhoneState::Off};
  int mode = kModePreloader;  // how it last powered on (a flapping cable re-plugs the same way)
  Clock::time_point windowDeadline{};
  Clock::time_point lastBanner{};
  std::optional<Clock::time_point> resetAt;        // a SHUTDOWN takes effect then
  PhoneState resetTo = PhoneState::BootedOn;       // ... rebooting, or powered off
  std::optional<Clock::time_point> reenumerateAt;  // SWITCH_USB_SPEED takes effect then
  RegisterSpace registers;
  std::shared_ptr<VirtualStorage> storage;
  std::shared_ptr<PhoneFunction> function;
  std::shared_ptr<UsbDevice> device;
  std::shared_ptr<PhoneFaults> faults;
  // A flapping cable: unplug/replug cycles still to come and when the next change is due.
  // `flapEpoch` changes when a person powers the phone on or off, which ends a flap.
  unsigned flapCyclesLeft = 0;
  bool flapUnplugged = false;
  std::chrono::milliseconds flapPeriod{0};
  Clock::time_point flapNext{};
  unsigned flapEpoch = 0;
  bool powerCutDropsPhone = false;  // a fault armed the cut: the phone dies with its power
  bool closing = false;             // being destroyed: deferred re-plugs do nothing
};

VirtualPhone::VirtualPhone(DeviceBus& bus, std::string busid, PhoneSpec spec)
    : bus_(bus),
      busid_(std::move(busid)),
      spec_(std::move(spec)),
      shared_(std::make_shared<Shared>(spec_)) {
  PhoneStorage prepared = preparePhoneStorage(spec_);
  shared_->storage = std::move(prepared.storage);
  partitions_ = std::move(prepared.partitions);
  storageError_ = std::move(prepared.error);
  // Runs under the bus lock: it may only look at state and defer bus changes.
  ticker_ = bus_.addTicker([this](Clock::time_point now) { tick(now); });
}

void VirtualPhone::leaveUsb(const std::shared_ptr<Shared>& shared, DeviceBus& bus,
                            const std::string& busid, PhoneState to) {
  auto device = shared->device;
  if (!device) return;
  bus.defer([&bus, busid, shared, device, to] {
    {
      std::lock_guard lock(bus.mutex());
      if (shared->device != device) return;  // it re-plugged or changed identity meanwhile
      shared->state = to;
      shared->device.reset();
      shared->function.reset();
      shared->resetAt.reset();
      shared->reenumerateAt.reset();
    }
    bus.unplugIf(busid, device);
  });
}

void VirtualPhone::tick(Clock::time_point now) {
  const std::shared_ptr<Shared>& shared = shared_;
  if (shared->flapCyclesLeft > 0 && now >= shared->flapNext) {
    shared->flapNext = now + shared->flapPeriod;
    if (shared->flapUnplugged) {
      shared->flapUnplugged = false;
      --shared->flapCyclesLeft;
      shared->faults->note(bus_.clock(), "-- cable plugged back in (flap)");
      bus_.defer([this, shared, epoch = shared->flapEpoch] {
        {
          std::lock_guard lock(bus_.mutex());
          if (shared->closing || shared->flapEpoch != epoch) return;
        }
        plugMode(shared->mode);
      });
    } else {
      shared->flapUnplugged = true;
      shared->faults->note(bus_.clock(), "-- cable pulled (flap)");
      leaveUsb(shared, bus_, busid_, PhoneState::Off);
    }
    return;
  }
  if (shared->function) shared->function->tick(now);
  if (shared->resetAt && now >= *shared->resetAt) {  // after SHUTDOWN: reboot into Android
    shared->resetAt.reset();
    shared->reenumerateAt.reset();
    shared->state = shared->resetTo;
    bus_.defer(
        [&bus = bus_, busid = busid_, device = shared->device] { bus.unplugIf(busid, device); });
    return;
  }
  if (shared->reenumerateAt && now >= *shared->reenumerateAt) {
    // The same DA, the same function and its state, under the DA's high-speed identity.
    shared->reenumerateAt.reset();
    MtkPortIdentity id;
    id.pid = kPidDa;
    id.speed = wire::usbip::Speed::High;
    id.product = "MT65xx DA";
    auto device = std::make_shared<UsbDevice>(mtkCdcDescriptors(id), shared->function);
    shared->device = device;
    bus_.defer([&bus = bus_, busid = busid_, device] { bus.plug(busid, device); });
    return;
  }
  if (shared->state != PhoneState::PreloaderListening) return;
  if (now >= shared->windowDeadline) {
    shared->state = PhoneState::BootedOn;
    bus_.defer(
        [&bus = bus_, busid = busid_, device = shared->device] { bus.unplugIf(busid, device); });
    return;
  }
  if (spec_.readyBanner && shared->function && shared->function->toolPresent() &&
      now - shared->lastBanner >= kBannerPeriod) {
    shared->lastBanner = now;
    shared->function->sendReadyBanner();
  }
}

VirtualPhone::~VirtualPhone() {
  {
    std::lock_guard lock(bus_.mutex());
    shared_->closing = true;
  }
  bus_.removeTicker(ticker_);
  powerOff();
  bus_.runDeferred();  // nothing queued may refer to this phone afterwards
}

void VirtualPhone::plugMode(int mode) {
  const bool brom = mode == kModeBrom;
  MtkPortIdentity id;
  id.pid = brom ? kPidBrom : kPidPreloader;
  id.speed = brom ? wire::usbip::Speed::Full : wire::usbip::Speed::High;
  id.product = brom ? "MT65xx BootROM" : "MT65xx Preloader";
  std::shared_ptr<Shared> shared = shared_;
  PhoneFunction::Events events;
  events.started = [shared] {
    if (shared->state == PhoneState::PreloaderListening || shared->state == PhoneState::Brom) {
      shared->state = PhoneState::Connected;
    }
  };
  events.jumped = [shared] { shared->state = PhoneState::Da; };
  // After SHUTDOWN the phone reboots into Android: it leaves USB (deferred: we are inside a
  // device callback here).
  // The reset comes a little after SHUTDOWN's status, which the host must still read.
  events.shutdown = [shared, &bus = bus_](std::uint32_t, bool powerOff) {
    shared->resetAt = bus.clock().now() + kShutdownDelay;
    shared->resetTo = powerOff ? PhoneState::Off : PhoneState::BootedOn;
  };
  events.switchSpeed = [shared, &bus = bus_] {
    shared->reenumerateAt = bus.clock().now() + kShutdownDelay;
  };
  events.faults = faultHooks();
  auto function = std::make_shared<PhoneFunction>(brom ? BootMode::Brom : BootMode::Preloader,
                                                  spec_, shared->registers, shared->storage,
                                                  shared->faults, bus_.clock(), std::move(events));
  auto device = std::make_shared<UsbDevice>(mtkCdcDescriptors(id), function);
  {
    std::lock_guard lock(bus_.mutex());
    const auto now = bus_.clock().now();
    shared->function = function;
    shared->device = device;
    shared->mode = mode;
    shared->state = brom ? PhoneState::Brom : PhoneState::PreloaderListening;
    shared->resetAt.reset();
    shared->reenumerateAt.reset();
    shared->windowDeadline = now + spec_.preloaderWindow;
    shared->lastBanner = now;
    if (shared->storage) shared->storage->restorePower();  // a power cut ends with a power-on
    shared->faults->engine.powerOn(now);
    shared->faults->note(bus_.clock(), brom ? "-- power on (BROM)" : "-- power on (preloader)");
  }
  bus_.plug(busid_, device);
  // Power-on faults act on a phone that is on the bus, so what they defer finds it there.
  std::lock_guard lock(bus_.mutex());
  if (shared->function == function) function->firePowerOnFaults();
}

// What faults ask of the phone as a whole. The hooks run under the bus lock, inside the device,
// and may outlive this object (they live in the USB function): they hold the shared state.
PhoneFaultHooks VirtualPhone::faultHooks() {
  PhoneFaultHooks h;
  std::shared_ptr<Shared> shared = shared_;
  DeviceBus& bus = bus_;
  const std::string busid = busid_;
  h.unplug = [shared, &bus, busid] {
    shared->faults->note(bus.clock(), "-- cable pulled");
    leaveUsb(shared, bus, busid, PhoneState::Off);
  };
  h.flap = [shared, &bus, busid](unsigned cycles, std::chrono::milliseconds period) {
    shared->flapCyclesLeft = cycles;
    shared->flapPeriod = period;
    shared->flapNext = bus.clock().now() + period;
    shared->flapUnplugged = true;
    shared->faults->note(bus.clock(), "-- cable pulled (flap)");
    leaveUsb(shared, bus, busid, PhoneState::Off);
  };
  h.bootOn = [shared, &bus, busid] {
    if (shared->state != PhoneState::PreloaderListening) return false;
    shared->state = PhoneState::BootedOn;
    shared->faults->note(bus.clock(), "-- the preloader boots on");
    bus.defer([&bus, busid, device = shared->device] { bus.unplugIf(busid, device); });
    return true;
  };
  h.armPowerCut = [shared](std::uint64_t landBytes) {
    if (!shared->storage) return;
    shared->storage->armPowerCut(landBytes);
    shared->powerCutDropsPhone = true;
  };
  h.powerLost = [shared, &bus, busid] {
    if (!shared->powerCutDropsPhone) return false;
    shared->powerCutDropsPhone = false;
    shared->faults->note(bus.clock(), "-- power lost");
    leaveUsb(shared, bus, busid, PhoneState::Off);
    return true;
  };
  return h;
}

void VirtualPhone::powerOn(bool holdVolumeDown) {
  if (state() != PhoneState::Off && state() != PhoneState::BootedOn) return;
  {
    std::lock_guard lock(bus_.mutex());
    ++shared_->flapEpoch;  // a person powering it on ends a flap
    shared_->flapCyclesLeft = 0;
  }
  plugMode(holdVolumeDown || !spec_.hasPreloader ? kModeBrom : kModePreloader);
}

void VirtualPhone::powerOff() {
  std::shared_ptr<UsbDevice> device;
  {
    std::lock_guard lock(bus_.mutex());
    if (shared_->state != PhoneState::Off) shared_->faults->note(bus_.clock(), "-- power off");
    shared_->state = PhoneState::Off;
    ++shared_->flapEpoch;
    shared_->flapCyclesLeft = 0;
    device = std::move(shared_->device);
    shared_->function.reset();
  }
  if (device) bus_.unplugIf(busid_, device);
}

void VirtualPhone::unplugCable() {
  powerOff();
}

void VirtualPhone::plugCable(bool holdVolumeDown) {
  powerOn(holdVolumeDown);
}

PhoneState VirtualPhone::state() const {
  return shared_->state;
}

VirtualStorage* VirtualPhone::storage() {
  return shared_->storage.get();
}

bool VirtualPhone::watchdogDisabled() const {
  std::lock_guard lock(bus_.mutex());
  return shared_->registers.watchdogDisabled();
}

std::vector<FiredFault> VirtualPhone::faultLog() const {
  std::lock_guard lock(bus_.mutex());
  return shared_->faults->engine.fired();
}

std::vector<std::string> VirtualPhone::recentExchanges() const {
  std::lock_guard lock(bus_.mutex());
  return shared_->faults->log.lines();
}

}  // namespace mtk::emu
