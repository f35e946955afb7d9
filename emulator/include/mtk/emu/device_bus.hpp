#pragma once
// The emulator's virtual USB bus: numbered ports ("1-1", "1-2", ...) into which virtual devices
// are plugged and from which they are unplugged (a phone re-enumerating is an unplug followed
// by a plug of its next identity). Exports list and attach ports here.
//
// One mutex guards the bus and every device on it: the device model is single-threaded, and
// exports running on other threads (the USB/IP server, the in-process link) take the lock for
// every call into a device. Device completions run under that lock.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mtk/emu/clock.hpp"
#include "mtk/emu/usb_device.hpp"
#include "mtk/error.hpp"
#include "mtk/wire/usbip.hpp"

namespace mtk::emu {

class DeviceBus {
 public:
  explicit DeviceBus(std::uint32_t busnum = 1, const Clock* clock = nullptr)
      : busnum_(busnum), clock_(clock ? clock : &steady_) {}

  // The lock every caller into a device must hold.
  std::mutex& mutex() const { return mutex_; }

  // Adds an empty port and returns its busid ("1-N").
  std::string addPort();

  // Plugs a device into an (empty or occupied) port; an occupied port is unplugged first.
  void plug(const std::string& busid, std::shared_ptr<UsbDevice> device);
  // Unplugs: pending URBs are dropped and whoever attached the port is told (listeners).
  void unplug(const std::string& busid);
  // Unplugs only if the port still holds `device` (a phone acting on a decision it took
  // earlier must not unplug the identity that has replaced it since).
  void unplugIf(const std::string& busid, const std::shared_ptr<UsbDevice>& device);

  // The plugged devices, as OP_REP_DEVLIST describes them.
  std::vector<wire::usbip::DeviceRecord> list() const;

  struct Attachment {
    std::shared_ptr<UsbDevice> device;
    wire::usbip::DeviceRecord record;
    std::uint64_t generation = 0;  // changes with every plug; identifies this attachment
  };
  // Claims a plugged port for one client (OP_REQ_IMPORT). Fails when the port is unknown,
  // empty or already attached, as the Linux server does.
  Result<Attachment> attach(const std::string& busid);
  // Releases a claim (the client went away); does nothing if the port changed since.
  void detach(const std::string& busid, std::uint64_t generation);

  // Called (without the lock) after a port's device is unplugged or replaced.
  using UnplugListener = std::function<void(const std::string& busid, std::uint64_t generation)>;
  int subscribe(UnplugListener listener);
  void unsubscribe(int token);

  // The device currently in a port (nullptr when empty). Callers hold mutex() while using it.
  std::shared_ptr<UsbDevice> device(const std::string& busid) const;

  // --- time and deferred work, for virtual phones ---
  const Clock& clock() const { return *clock_; }
  // Things that act on their own after a while (the preloader booting on) register here;
  // tick() calls them, under the lock, with the clock's time. Exports call tick() every few
  // milliseconds while they run; tests with a ManualClock call it after advancing the clock.
  using Ticker = std::function<void(Clock::time_point)>;
  int addTicker(Ticker ticker);
  void removeTicker(int token);
  void tick();
  // Work a device asks for from inside a callback (under the lock), such as unplugging itself
  // or re-enumerating, runs later without the lock: exports call runDeferred() after each
  // call into a device. Callable with or without the lock held.
  void defer(std::function<void()> action);
  void runDeferred();

 private:
  struct Port {
    std::uint32_t portNumber = 0;
    std::shared_ptr<UsbDevice> device;
    std::uint32_t devnum = 0;
    std::uint64_t generation = 0;
    bool attached = false;
  };
  wire::usbip::DeviceRecord recordOf(const std::string& busid, const Port& p) const;
  void notifyUnplugged(const std::string& busid, std::uint64_t generation);

  const std::uint32_t busnum_;
  mutable std::mutex mutex_;
  std::map<std::string, Port> ports_;
  std::uint32_t nextPort_ = 1;
  std::uint32_t nextDevnum_ = 2;  // devnum 1 is the root hub on a real bus
  std::uint64_t nextGeneration_ = 1;
  SteadyClock steady_;
  const Clock* clock_;
  std::map<int, Ticker> tickers_;  // guarded by mutex_
  int nextTicker_ = 1;
  std::mutex deferredMutex_;
  std::vector<std::function<void()>> deferred_;
  std::mutex listenersMutex_;
  std::map<int, UnplugListener> listeners_;
  int nextToken_ = 1;
};

}  // namespace mtk::emu
