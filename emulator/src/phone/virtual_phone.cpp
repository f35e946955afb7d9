#include "mtk/emu/phone/virtual_phone.hpp"

#include "mtk/emu/mtk_descriptors.hpp"
#include "phone_function.hpp"

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
  explicit Shared(const PhoneSpec& spec) : registers(spec) {}
  std::atomic<PhoneState> state{PhoneState::Off};
  Clock::time_point windowDeadline{};
  Clock::time_point lastBanner{};
  std::optional<Clock::time_point> resetAt;        // a SHUTDOWN takes effect then
  std::optional<Clock::time_point> reenumerateAt;  // SWITCH_USB_SPEED takes effect then
  RegisterSpace registers;
  std::shared_ptr<VirtualStorage> storage;
  std::shared_ptr<PhoneFunction> function;
  std::shared_ptr<UsbDevice> device;
};

VirtualPhone::VirtualPhone(DeviceBus& bus, std::string busid, PhoneSpec spec)
    : bus_(bus),
      busid_(std::move(busid)),
      spec_(std::move(spec)),
      shared_(std::make_shared<Shared>(spec_)) {
  auto storage = VirtualStorage::open(spec_.storage);
  if (storage) {
    shared_->storage = std::move(*storage);
    const auto* user =
        shared_->storage->areaByName(spec_.storage.kind == StorageKind::Ufs ? "lu2" : "user");
    if (user) {
      auto layout = spec_.layout.empty() ? defaultLayout(user->size) : spec_.layout;
      if (auto s = writeInitialTable(*shared_->storage, spec_.partitionTable, layout); !s)
        storageError_ = s.error();
    }
    if (spec_.powerCutAfter) {
      // armed after the initial content, so it counts what hosts write
    }
    if (spec_.hasPreloader) {
      if (auto s = writeInitialPreloader(*shared_->storage, spec_.chip->name, spec_.emiVersion);
          !s) {
        storageError_ = s.error();
      }
    }
    // Armed after the initial content, so it counts only what hosts write.
    if (spec_.powerCutAfter) shared_->storage->armPowerCut(*spec_.powerCutAfter);
  } else {
    storageError_ = storage.error();
  }
  // Runs under the bus lock: it may only look at state and defer bus changes.
  ticker_ = bus_.addTicker([this, shared = shared_](Clock::time_point now) {
    if (shared->resetAt && now >= *shared->resetAt) {  // after SHUTDOWN: reboot into Android
      shared->resetAt.reset();
      shared->reenumerateAt.reset();
      shared->state = PhoneState::BootedOn;
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
  });
}

VirtualPhone::~VirtualPhone() {
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
  events.shutdown = [shared, &bus = bus_](std::uint32_t) {
    shared->resetAt = bus.clock().now() + kShutdownDelay;
  };
  events.switchSpeed = [shared, &bus = bus_] {
    shared->reenumerateAt = bus.clock().now() + kShutdownDelay;
  };
  auto function =
      std::make_shared<PhoneFunction>(brom ? BootMode::Brom : BootMode::Preloader, spec_,
                                      shared->registers, shared->storage, std::move(events));
  auto device = std::make_shared<UsbDevice>(mtkCdcDescriptors(id), function);
  {
    std::lock_guard lock(bus_.mutex());
    shared->function = function;
    shared->device = device;
    shared->state = brom ? PhoneState::Brom : PhoneState::PreloaderListening;
    shared->resetAt.reset();
    shared->reenumerateAt.reset();
    shared->windowDeadline = bus_.clock().now() + spec_.preloaderWindow;
    shared->lastBanner = bus_.clock().now();
  }
  bus_.plug(busid_, std::move(device));
}

void VirtualPhone::powerOn(bool holdVolumeDown) {
  if (state() != PhoneState::Off && state() != PhoneState::BootedOn) return;
  plugMode(holdVolumeDown || !spec_.hasPreloader ? kModeBrom : kModePreloader);
}

void VirtualPhone::powerOff() {
  std::shared_ptr<UsbDevice> device;
  {
    std::lock_guard lock(bus_.mutex());
    shared_->state = PhoneState::Off;
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

}  // namespace mtk::emu
