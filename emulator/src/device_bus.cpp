#include "mtk/emu/device_bus.hpp"

namespace mtk::emu {

std::string DeviceBus::addPort() {
  std::lock_guard lock(mutex_);
  const std::uint32_t n = nextPort_++;
  std::string busid = std::to_string(busnum_) + "-" + std::to_string(n);
  ports_[busid].portNumber = n;
  return busid;
}

void DeviceBus::plug(const std::string& busid, std::shared_ptr<UsbDevice> device) {
  std::uint64_t oldGeneration = 0;
  {
    std::lock_guard lock(mutex_);
    Port& p = ports_[busid];
    if (p.device) {
      p.device->reset();
      oldGeneration = p.generation;
    }
    p.device = std::move(device);
    p.devnum = nextDevnum_++;
    if (nextDevnum_ > 127) nextDevnum_ = 2;  // USB addresses are 7 bits
    p.generation = nextGeneration_++;
    p.attached = false;
  }
  if (oldGeneration) notifyUnplugged(busid, oldGeneration);
}

void DeviceBus::unplug(const std::string& busid) {
  unplugIf(busid, nullptr);
}

void DeviceBus::unplugIf(const std::string& busid, const std::shared_ptr<UsbDevice>& device) {
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    auto it = ports_.find(busid);
    if (it == ports_.end() || !it->second.device) return;
    if (device && it->second.device != device) return;
    it->second.device->reset();
    it->second.device.reset();
    it->second.attached = false;
    generation = it->second.generation;
  }
  notifyUnplugged(busid, generation);
}

wire::usbip::DeviceRecord DeviceBus::recordOf(const std::string& busid, const Port& p) const {
  const auto& d = p.device->descriptors();
  wire::usbip::DeviceRecord r;
  r.path = "/sys/devices/platform/mtkemu/usb" + std::to_string(busnum_) + "/" + busid;
  r.busid = busid;
  r.busnum = busnum_;
  r.devnum = p.devnum;
  r.speed = d.speed;
  r.idVendor = d.device.idVendor;
  r.idProduct = d.device.idProduct;
  r.bcdDevice = d.device.bcdDevice;
  r.bDeviceClass = d.device.bDeviceClass;
  r.bDeviceSubClass = d.device.bDeviceSubClass;
  r.bDeviceProtocol = d.device.bDeviceProtocol;
  r.bConfigurationValue = p.device->configuration();
  r.bNumConfigurations = d.device.bNumConfigurations;
  for (const auto& i : d.config.interfaces) {
    r.interfaces.push_back({i.bInterfaceClass, i.bInterfaceSubClass, i.bInterfaceProtocol});
  }
  r.bNumInterfaces = static_cast<std::uint8_t>(r.interfaces.size());
  return r;
}

std::vector<wire::usbip::DeviceRecord> DeviceBus::list() const {
  std::lock_guard lock(mutex_);
  std::vector<wire::usbip::DeviceRecord> out;
  for (const auto& [busid, p] : ports_) {
    if (p.device) out.push_back(recordOf(busid, p));
  }
  return out;
}

Result<DeviceBus::Attachment> DeviceBus::attach(const std::string& busid) {
  std::lock_guard lock(mutex_);
  auto it = ports_.find(busid);
  if (it == ports_.end() || !it->second.device) {
    return makeError(1, "USBIP_ST_NODEV", "no device at busid " + busid,
                     "list the exported devices with `usbip list -r HOST`");
  }
  if (it->second.attached) {
    return makeError(1, "USBIP_ST_DEV_BUSY", "busid " + busid + " is already attached",
                     "another client holds this phone; detach it there first");
  }
  it->second.attached = true;
  // A new attachment starts from a fresh device state, as after a bus reset.
  it->second.device->reset(/*keepData=*/true);
  return Attachment{it->second.device, recordOf(busid, it->second), it->second.generation};
}

void DeviceBus::detach(const std::string& busid, std::uint64_t generation) {
  std::lock_guard lock(mutex_);
  auto it = ports_.find(busid);
  if (it == ports_.end() || it->second.generation != generation) return;
  it->second.attached = false;
  if (it->second.device) {
    it->second.device->setCompletion(nullptr);
    it->second.device->reset(/*keepData=*/true);
  }
}

std::shared_ptr<UsbDevice> DeviceBus::device(const std::string& busid) const {
  auto it = ports_.find(busid);
  return it == ports_.end() ? nullptr : it->second.device;
}

int DeviceBus::subscribe(UnplugListener listener) {
  std::lock_guard lock(listenersMutex_);
  const int token = nextToken_++;
  listeners_[token] = std::move(listener);
  return token;
}

void DeviceBus::unsubscribe(int token) {
  std::lock_guard lock(listenersMutex_);
  listeners_.erase(token);
}

void DeviceBus::notifyUnplugged(const std::string& busid, std::uint64_t generation) {
  std::lock_guard lock(listenersMutex_);
  for (auto& [token, l] : listeners_) l(busid, generation);
}

}  // namespace mtk::emu

namespace mtk::emu {

int DeviceBus::addTicker(Ticker ticker) {
  std::lock_guard lock(mutex_);
  const int token = nextTicker_++;
  tickers_[token] = std::move(ticker);
  return token;
}

void DeviceBus::removeTicker(int token) {
  std::lock_guard lock(mutex_);
  tickers_.erase(token);
}

void DeviceBus::tick() {
  {
    std::lock_guard lock(mutex_);
    const auto now = clock_->now();
    for (auto& [token, t] : tickers_) t(now);
  }
  runDeferred();
}

void DeviceBus::defer(std::function<void()> action) {
  std::lock_guard lock(deferredMutex_);
  deferred_.push_back(std::move(action));
}

void DeviceBus::runDeferred() {
  for (;;) {
    std::vector<std::function<void()>> batch;
    {
      std::lock_guard lock(deferredMutex_);
      batch.swap(deferred_);
    }
    if (batch.empty()) return;
    for (auto& action : batch) action();
  }
}

}  // namespace mtk::emu
