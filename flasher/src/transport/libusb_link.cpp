// Phones on a cable through libusb-1.0: the UsbLink for one opened device handle, the device
// list, and the locator that waits for a phone to appear and opens it at once (the preloader
// listens for only a moment before it boots on).

#include "mtk/flasher/libusb_link.hpp"

#include <libusb-1.0/libusb.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <climits>
#include <cstdio>
#include <limits>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <utility>

#include "mtk/flasher/cdc_transport.hpp"

namespace mtk::flasher {
namespace {

using Clock = std::chrono::steady_clock;

// Bulk OUT is split into transfers of this size, several in flight, so the host controller
// always has the next one queued when the last ends (USB 2.0 only reaches ~40 MB/s that way).
// 1 MiB is a multiple of every bulk wMaxPacketSize, so the split never ends the device's
// transfer early with a short packet; 4 of them stay well under usbfs's default 16 MiB limit.
constexpr std::size_t kOutChunkBytes = std::size_t{1} << 20;
constexpr std::size_t kMaxOutInFlight = 4;

// How often the locator looks for the phone; the preloader's window is ~100 ms or less.
constexpr Millis kPollInterval{10};
// A node udev has not yet given its permissions answers ACCESS for a few ms after it appears.
constexpr Millis kAccessGrace{1000};
// While cancelling, wake up at least this often to check whether every callback has run.
constexpr Millis kEventSlice{100};

constexpr const char* kTimeoutHint =
    "connect the phone powered off (hold volume-down for BROM mode); on Linux check `lsusb` and "
    "that ModemManager is not grabbing the port";
constexpr const char* kAccessHint =
    "no permission to open the USB device: install a udev rule giving your user access to "
    "0e8d:* devices (then replug), or run as root";
constexpr const char* kBusyHint =
    "another program holds the device (ModemManager, another flasher, a serial terminal on "
    "/dev/ttyACM*): stop it and try again";

// ---------------------------------------------------------------------------------------------
// Small helpers

std::string hex(unsigned value, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*x", digits, value);
  return buf;
}

std::string idText(const UsbId& id) {
  return hex(id.vid, 4) + ":" + hex(id.pid, 4);
}

std::string idsText(const std::vector<UsbId>& ids) {
  std::string s;
  for (const UsbId& id : ids) s += (s.empty() ? "" : ", ") + idText(id);
  return s;
}

bool matches(const std::vector<UsbId>& ids, const UsbId& id) {
  return ids.empty() || std::find(ids.begin(), ids.end(), id) != ids.end();
}

// usb_errors uses libusb's own numbers for -1..-9; the rest (INTERRUPTED, NO_MEM,
// NOT_SUPPORTED, OTHER) become kOther, with libusb's name kept in the message.
Error libusbError(int rc, const std::string& what) {
  if (rc <= usb_errors::kIo && rc >= usb_errors::kPipe) return usbError(rc, what);
  return usbError(usb_errors::kOther, what + " (" + libusb_error_name(rc) + ")");
}

Error withHint(Error e, const char* hint) {
  e.hint = hint;
  return e;
}

// A claim or open error, with the hint that fits a desktop Linux machine best.
Error accessOrBusyError(int rc, const std::string& what) {
  if (rc == LIBUSB_ERROR_ACCESS) return withHint(libusbError(rc, what), kAccessHint);
  if (rc == LIBUSB_ERROR_BUSY) return withHint(libusbError(rc, what), kBusyHint);
  return libusbError(rc, what);
}

int transferStatusCode(libusb_transfer_status status) {
  switch (status) {
    case LIBUSB_TRANSFER_TIMED_OUT:
      return usb_errors::kTimeout;
    case LIBUSB_TRANSFER_STALL:
      return usb_errors::kPipe;
    case LIBUSB_TRANSFER_NO_DEVICE:
      return usb_errors::kNoDevice;
    case LIBUSB_TRANSFER_OVERFLOW:
      return usb_errors::kOverflow;
    default:
      return usb_errors::kIo;  // ERROR, CANCELLED (not by us), a short COMPLETED
  }
}

std::string transferStatusText(libusb_transfer_status status) {
  switch (status) {
    case LIBUSB_TRANSFER_COMPLETED:
      return "ended short";
    case LIBUSB_TRANSFER_TIMED_OUT:
      return "timed out";
    case LIBUSB_TRANSFER_STALL:
      return "stalled";
    case LIBUSB_TRANSFER_NO_DEVICE:
      return "failed: the device is gone";
    case LIBUSB_TRANSFER_OVERFLOW:
      return "overflowed";
    case LIBUSB_TRANSFER_CANCELLED:
      return "was cancelled";
    default:
      return "failed";
  }
}

// libusb reads 0 as "wait forever"; a caller asking for no wait gets the shortest real one.
unsigned int libusbTimeout(Millis t) {
  if (t.count() <= 0) return 1;
  constexpr auto kMax = static_cast<Millis::rep>(std::numeric_limits<unsigned int>::max());
  return static_cast<unsigned int>(std::min(t.count(), kMax));
}

timeval toTimeval(Clock::duration d) {
  const auto us =
      std::max<long long>(std::chrono::duration_cast<std::chrono::microseconds>(d).count(), 1000);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(us / 1000000);
  tv.tv_usec = static_cast<suseconds_t>(us % 1000000);
  return tv;
}

std::string locationOf(libusb_device* device) {
  std::string s = "usb:" + std::to_string(libusb_get_bus_number(device));
  std::array<std::uint8_t, 8> ports{};  // USB allows 7 tiers below the root
  const int n = libusb_get_port_numbers(device, ports.data(), static_cast<int>(ports.size()));
  for (int i = 0; i < n; ++i) s += (i == 0 ? "-" : ".") + std::to_string(ports[i]);
  return s;
}

// usbip numbering, which DeviceIdentity uses: 1 low, 2 full, 3 high, 5 super, 6 super-plus.
std::uint8_t usbipSpeed(int libusbSpeed) {
  switch (libusbSpeed) {
    case LIBUSB_SPEED_LOW:
      return 1;
    case LIBUSB_SPEED_FULL:
      return 2;
    case LIBUSB_SPEED_HIGH:
      return 3;
    case LIBUSB_SPEED_SUPER:
      return 5;
    case LIBUSB_SPEED_SUPER_PLUS:
      return 6;
    default:
      return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// The process-wide context

struct SharedContext {
  libusb_context* context = nullptr;
  int rc = 0;
};

// One context for the whole process, made on first use (function-local statics are
// thread-safe) and never exited: devices and handles may outlive any owner we could pick.
Result<libusb_context*> sharedContext() {
  static const SharedContext shared = [] {
    SharedContext s;
    s.rc = libusb_init(&s.context);
    return s;
  }();
  if (shared.rc < 0) {
    Error e = libusbError(shared.rc, "libusb could not start");
    e.hint = "this machine may have no USB support (no /dev/bus/usb); use usbip:// instead";
    return e;
  }
  return shared.context;
}

// libusb's device list, unreferenced on the way out.
class DeviceList {
 public:
  explicit DeviceList(libusb_context* context) : count_(libusb_get_device_list(context, &list_)) {}
  ~DeviceList() {
    if (list_ != nullptr) libusb_free_device_list(list_, 1);
  }
  DeviceList(const DeviceList&) = delete;
  DeviceList& operator=(const DeviceList&) = delete;

  bool ok() const { return count_ >= 0; }
  int error() const { return static_cast<int>(count_); }
  std::span<libusb_device*> devices() const {
    return ok() ? std::span<libusb_device*>(list_, static_cast<std::size_t>(count_))
                : std::span<libusb_device*>();
  }

 private:
  libusb_device** list_ = nullptr;
  ssize_t count_;
};

// ---------------------------------------------------------------------------------------------
// Bulk OUT with several transfers in flight

// One bulkOut call: splits the data into chunks, keeps up to kMaxOutInFlight submitted, and
// returns only when libusb has called back for every one of them, so no transfer can outlive
// the caller's buffer. The timeout covers the whole call, as it does for the other links.
class BulkOutBatch {
 public:
  BulkOutBatch(libusb_context* context, libusb_device_handle* handle, std::uint8_t endpoint,
               wire::ByteSpan data, Millis timeout)
      : context_(context),
        handle_(handle),
        endpoint_(endpoint),
        data_(data),
        timeout_(timeout),
        chunkCount_(data.empty() ? 1 : (data.size() + kOutChunkBytes - 1) / kOutChunkBytes),
        deadline_(Clock::now() + std::max(timeout, Millis(1))) {}

  ~BulkOutBatch() {
    for (Slot& s : slots_) {
      if (s.transfer != nullptr) libusb_free_transfer(s.transfer);
    }
  }
  BulkOutBatch(const BulkOutBatch&) = delete;
  BulkOutBatch& operator=(const BulkOutBatch&) = delete;

  Result<std::size_t> run() {
    if (auto s = allocate(); !s) return std::move(s).error();
    for (;;) {
      collect();
      if (!failure_) submitMore();
      if (!failure_ && inFlight_ > 0 && Clock::now() >= deadline_) failure_ = timeoutError();
      if (failure_) cancelAll();
      if (inFlight_ == 0) break;
      waitForEvents();
    }
    if (!failure_) return sent_;
    failure_->message +=
        " (" + std::to_string(sent_) + " of " + std::to_string(data_.size()) + " bytes sent)";
    return *failure_;
  }

 private:
  struct Slot {
    BulkOutBatch* owner = nullptr;
    libusb_transfer* transfer = nullptr;
    std::size_t chunk = 0;         // which part of the data it carries
    bool inFlight = false;         // submitted; only this thread touches it
    bool cancelRequested = false;  // only this thread touches it
    bool finished = false;         // set by the callback under mutex_, cleared by collect()
  };

  Status allocate() {
    for (Slot& s : slots_) {
      s.owner = this;
      s.transfer = libusb_alloc_transfer(0);
      if (s.transfer == nullptr) return libusbError(LIBUSB_ERROR_NO_MEM, "bulk OUT");
    }
    return {};
  }

  // May run on another thread when that thread happens to be handling libusb's events.
  static void LIBUSB_CALL onTransferDone(libusb_transfer* transfer) {
    auto* slot = static_cast<Slot*>(transfer->user_data);
    std::lock_guard<std::mutex> lock(slot->owner->mutex_);
    slot->finished = true;
    slot->owner->wake_ = 1;
  }

  // Takes the results of the transfers whose callbacks have run, oldest chunk first, so the
  // error reported is the first one on the wire.
  void collect() {
    std::lock_guard<std::mutex> lock(mutex_);
    while (Slot* s = oldestFinished()) {
      s->finished = false;
      s->inFlight = false;
      --inFlight_;
      const libusb_transfer& t = *s->transfer;
      sent_ += static_cast<std::size_t>(std::max(t.actual_length, 0));
      const bool whole = t.status == LIBUSB_TRANSFER_COMPLETED && t.actual_length == t.length;
      if (!whole && !failure_) {
        failure_ =
            usbError(transferStatusCode(t.status), "bulk OUT on endpoint 0x" + hex(endpoint_, 2) +
                                                       " " + transferStatusText(t.status));
      }
    }
    wake_ = 0;  // under the lock: a callback after this point sets it again
  }

  Slot* oldestFinished() {
    Slot* oldest = nullptr;
    for (Slot& s : slots_) {
      if (s.finished && (oldest == nullptr || s.chunk < oldest->chunk)) oldest = &s;
    }
    return oldest;
  }

  Slot* freeSlot() {
    for (Slot& s : slots_) {
      if (!s.inFlight) return &s;
    }
    return nullptr;
  }

  void submitMore() {
    while (nextChunk_ < chunkCount_) {
      Slot* slot = freeSlot();
      if (slot == nullptr) return;
      Slot& s = *slot;
      const std::size_t offset = nextChunk_ * kOutChunkBytes;
      const std::size_t length = std::min(kOutChunkBytes, data_.size() - offset);
      // libusb wants a mutable pointer but only reads an OUT buffer. A zero-length packet
      // still gets a valid pointer.
      static unsigned char zlp = 0;
      auto* buffer = data_.empty() ? &zlp : const_cast<unsigned char*>(data_.data() + offset);
      // No libusb timeout: a chunk queued behind others would time out while waiting its
      // turn. run() watches the deadline and cancels instead.
      libusb_fill_bulk_transfer(s.transfer, handle_, endpoint_, buffer, static_cast<int>(length),
                                &BulkOutBatch::onTransferDone, &s, 0);
      s.chunk = nextChunk_;
      s.cancelRequested = false;
      const int rc = libusb_submit_transfer(s.transfer);
      if (rc < 0) {
        failure_ = libusbError(rc, "submitting bulk OUT on endpoint 0x" + hex(endpoint_, 2));
        return;
      }
      s.inFlight = true;
      ++inFlight_;
      ++nextChunk_;
    }
  }

  void cancelAll() {
    for (Slot& s : slots_) {
      if (!s.inFlight || s.cancelRequested) continue;
      s.cancelRequested = true;
      // NOT_FOUND means it has just completed; its callback is on its way either way.
      (void)libusb_cancel_transfer(s.transfer);
    }
  }

  Error timeoutError() const {
    return usbError(usb_errors::kTimeout, "bulk OUT on endpoint 0x" + hex(endpoint_, 2) +
                                              " timed out after " +
                                              std::to_string(timeout_.count()) + " ms");
  }

  // Lets libusb run callbacks (or waits while another thread does) until one of ours has
  // run, the deadline passes, or a slice ends. wake_ is libusb's "completed" flag: libusb
  // reads it under its own event locks, as its synchronous API does with its flag.
  void waitForEvents() {
    const Clock::duration left =
        failure_ ? Clock::duration(kEventSlice)
                 : std::clamp<Clock::duration>(deadline_ - Clock::now(), Millis(1), kEventSlice);
    timeval tv = toTimeval(left);
    const int rc = libusb_handle_events_timeout_completed(context_, &tv, &wake_);
    if (rc < 0 && rc != LIBUSB_ERROR_INTERRUPTED) {
      if (!failure_) failure_ = libusbError(rc, "handling USB events");
      // Keep waiting for the callbacks, but do not spin if the error repeats.
      std::this_thread::sleep_for(Millis(1));
    }
  }

  libusb_context* context_;
  libusb_device_handle* handle_;
  std::uint8_t endpoint_;
  wire::ByteSpan data_;
  Millis timeout_;
  std::size_t chunkCount_;
  Clock::time_point deadline_;

  std::array<Slot, kMaxOutInFlight> slots_{};
  std::mutex mutex_;
  int wake_ = 0;
  std::size_t nextChunk_ = 0;
  std::size_t inFlight_ = 0;
  std::size_t sent_ = 0;
  std::optional<Error> failure_;
};

// ---------------------------------------------------------------------------------------------
// The link

class LibusbLink final : public UsbLink {
 public:
  LibusbLink(libusb_context* context, libusb_device_handle* handle)
      : context_(context), handle_(handle) {
    libusb_device* device = libusb_get_device(handle);
    location_ = locationOf(device);
    speed_ = usbipSpeed(libusb_get_device_speed(device));
    // Where supported (Linux), libusb detaches cdc_acm and claims in one step, so nothing
    // can rebind the port in between.
    autoDetach_ = libusb_set_auto_detach_kernel_driver(handle, 1) == LIBUSB_SUCCESS;
  }
  ~LibusbLink() override { close(); }
  LibusbLink(const LibusbLink&) = delete;
  LibusbLink& operator=(const LibusbLink&) = delete;

  Result<std::size_t> control(const wire::usb::SetupPacket& setup, wire::MutableByteSpan data,
                              Millis timeout) override {
    if (handle_ == nullptr) return closedError();
    // libusb writes `length` into wLength, so the smaller of the two is what the device sees.
    const auto length =
        static_cast<std::uint16_t>(std::min<std::size_t>(data.size(), setup.wLength));
    const int rc =
        libusb_control_transfer(handle_, setup.bmRequestType, setup.bRequest, setup.wValue,
                                setup.wIndex, data.data(), length, libusbTimeout(timeout));
    if (rc >= 0) return static_cast<std::size_t>(rc);
    return libusbError(rc, "control request (bmRequestType 0x" + hex(setup.bmRequestType, 2) +
                               ", bRequest 0x" + hex(setup.bRequest, 2) + ") on " + location_);
  }

  Result<std::size_t> bulkOut(std::uint8_t endpoint, wire::ByteSpan data, Millis timeout) override {
    if (handle_ == nullptr) return closedError();
    BulkOutBatch batch(context_, handle_, endpoint & 0x7f, data, timeout);
    auto r = batch.run();
    if (!r) return std::move(std::move(r).error().context(location_));
    return r;
  }

  Result<std::size_t> bulkIn(std::uint8_t endpoint, wire::MutableByteSpan buffer,
                             Millis timeout) override {
    if (handle_ == nullptr) return closedError();
    // A short result is normal, so a huge buffer is simply read in part.
    const int length = static_cast<int>(std::min<std::size_t>(buffer.size(), INT_MAX));
    const std::uint8_t ep = endpoint | LIBUSB_ENDPOINT_IN;
    int transferred = 0;
    const int rc = libusb_bulk_transfer(handle_, ep, buffer.data(), length, &transferred,
                                        libusbTimeout(timeout));
    if (rc == 0) return static_cast<std::size_t>(transferred);
    // The device ended its transfer late: what arrived is still the answer.
    if (rc == LIBUSB_ERROR_TIMEOUT && transferred > 0) {
      return static_cast<std::size_t>(transferred);
    }
    return libusbError(rc, bulkInText(rc, ep, length, timeout));
  }

  Status setConfiguration(std::uint8_t value) override {
    if (handle_ == nullptr) return closedError();
    // Setting the current configuration again resets the device's endpoints and fails while
    // a kernel driver is bound, so only change it when it differs.
    int current = -1;
    if (libusb_get_configuration(handle_, &current) == 0 && current == value) return {};
    const int rc = libusb_set_configuration(handle_, value);
    if (rc < 0) {
      return accessOrBusyError(
          rc, "setting configuration " + std::to_string(value) + " of " + location_);
    }
    return {};
  }

  Status claimInterface(std::uint8_t number) override {
    if (handle_ == nullptr) return closedError();
    if (std::find(claimed_.begin(), claimed_.end(), number) != claimed_.end()) return {};
    const bool driverBound = libusb_kernel_driver_active(handle_, number) == 1;
    if (driverBound && !autoDetach_) {
      const int rc = libusb_detach_kernel_driver(handle_, number);
      if (rc < 0 && rc != LIBUSB_ERROR_NOT_FOUND) {
        return accessOrBusyError(rc, "detaching the kernel driver from interface " +
                                         std::to_string(number) + " of " + location_);
      }
    }
    const int rc = libusb_claim_interface(handle_, number);
    // Asked afterwards because a detach may have happened even when the claim then failed;
    // either way the port must be given back on close().
    if (driverBound && libusb_kernel_driver_active(handle_, number) != 1)
      detached_.push_back(number);
    if (rc < 0) {
      return accessOrBusyError(rc,
                               "claiming interface " + std::to_string(number) + " of " + location_);
    }
    claimed_.push_back(number);
    return {};
  }

  std::string location() const override { return location_; }
  std::uint8_t speed() const override { return speed_; }

  void close() override {
    if (handle_ == nullptr) return;
    // libusb would re-attach a driver to every interface it released. On a CDC pair cdc_acm
    // binds through the communication interface and takes the data one with it, so the
    // interfaces are given back in the order they were claimed (CdcTransport claims the
    // communication interface first: 1 in the preloader layout, 0 in others); the attach that
    // follows the one that bound both answers BUSY, which is fine.
    if (autoDetach_) (void)libusb_set_auto_detach_kernel_driver(handle_, 0);
    for (std::uint8_t n : claimed_) (void)libusb_release_interface(handle_, n);
    claimed_.clear();
    for (std::uint8_t n : detached_) (void)libusb_attach_kernel_driver(handle_, n);  // best effort
    detached_.clear();
    libusb_close(handle_);
    handle_ = nullptr;
  }

 private:
  Error closedError() const {
    return usbError(usb_errors::kNoDevice, location_ + ": the USB device is closed");
  }

  std::string bulkInText(int rc, std::uint8_t ep, int length, Millis timeout) const {
    std::string s = "bulk IN on endpoint 0x" + hex(ep, 2) + " of " + location_;
    if (rc == LIBUSB_ERROR_TIMEOUT) {
      return s + " timed out after " + std::to_string(timeout.count()) + " ms";
    }
    if (rc == LIBUSB_ERROR_OVERFLOW) {
      return s + ": the device sent more than the " + std::to_string(length) + " bytes asked for";
    }
    return s + " failed";
  }

  libusb_context* context_;
  libusb_device_handle* handle_;
  std::string location_;
  std::uint8_t speed_ = 0;
  bool autoDetach_ = false;
  std::vector<std::uint8_t> detached_;  // interfaces whose kernel driver (cdc_acm) we detached
  std::vector<std::uint8_t> claimed_;
};

// ---------------------------------------------------------------------------------------------
// Finding and opening

struct OpenAttempt {
  enum class Outcome { kAbsent, kOpened, kFailed };
  Outcome outcome = Outcome::kAbsent;
  libusb_device_handle* handle = nullptr;
  int rc = 0;  // when kFailed
  UsbId id;
  std::string location;
};

// Opens the first present device with one of `ids` on `port` (any port when empty). A device
// that cannot be opened does not hide another one that can.
OpenAttempt openFirstMatch(libusb_context* context, const std::vector<UsbId>& ids,
                           const std::string& port) {
  OpenAttempt result;
  DeviceList list(context);
  for (libusb_device* device : list.devices()) {
    libusb_device_descriptor d{};
    if (libusb_get_device_descriptor(device, &d) < 0) continue;
    const UsbId id{d.idVendor, d.idProduct};
    if (!matches(ids, id)) continue;
    std::string location = locationOf(device);
    if (!port.empty() && location != "usb:" + port) continue;
    OpenAttempt attempt;
    attempt.id = id;
    attempt.location = std::move(location);
    attempt.rc = libusb_open(device, &attempt.handle);
    attempt.outcome =
        attempt.rc == 0 ? OpenAttempt::Outcome::kOpened : OpenAttempt::Outcome::kFailed;
    if (attempt.outcome == OpenAttempt::Outcome::kOpened) return attempt;
    if (result.outcome == OpenAttempt::Outcome::kAbsent) result = std::move(attempt);
  }
  return result;
}

std::string describeAttempt(const OpenAttempt& a) {
  return "opening " + idText(a.id) + " at " + a.location;
}

// A device that is seen but vanishes or is not ready (it is re-enumerating) is worth waiting
// for; anything else is reported at once.
bool isTransientOpenError(int rc) {
  return rc == LIBUSB_ERROR_NO_DEVICE || rc == LIBUSB_ERROR_NOT_FOUND || rc == LIBUSB_ERROR_IO;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public API

Result<std::vector<LibusbDeviceInfo>> libusbListDevices(const std::vector<UsbId>& ids) {
  auto context = sharedContext();
  if (!context) return std::move(context).error();
  DeviceList list(*context);
  if (!list.ok()) return libusbError(list.error(), "listing USB devices");
  std::vector<LibusbDeviceInfo> found;
  for (libusb_device* device : list.devices()) {
    libusb_device_descriptor d{};
    if (libusb_get_device_descriptor(device, &d) < 0) continue;
    const UsbId id{d.idVendor, d.idProduct};
    if (!matches(ids, id)) continue;
    LibusbDeviceInfo info;
    info.id = id;
    info.location = locationOf(device);
    info.busNumber = libusb_get_bus_number(device);
    info.deviceAddress = libusb_get_device_address(device);
    found.push_back(std::move(info));
  }
  return found;
}

LibusbLocator::LibusbLocator(std::string port) : port_(std::move(port)) {
  // Accept "usb:1-4" as well as "1-4".
  if (port_.rfind("usb:", 0) == 0) port_.erase(0, 4);
}

LibusbLocator::~LibusbLocator() = default;

std::string LibusbLocator::describe() const {
  return port_.empty() ? std::string("USB") : "USB port " + port_;
}

// Polls libusb's device list, which libusb's own hotplug thread keeps current on Linux, so a
// poll is cheap and no event-handling thread is needed. The phone is opened on the first poll
// that sees it: the preloader gives up on the host within a moment.
Result<std::unique_ptr<Transport>> LibusbLocator::waitFor(const std::vector<UsbId>& ids,
                                                          Millis timeout) {
  auto context = sharedContext();
  if (!context) return std::move(context).error();
  const std::vector<UsbId>& wanted = ids.empty() ? mediatekDownloadIds() : ids;
  const Clock::time_point deadline = Clock::now() + std::max(timeout, Millis(0));
  std::optional<Clock::time_point> deniedSince;
  std::optional<Error> lastProblem;  // why a device that was seen is not open yet

  for (;;) {
    OpenAttempt a = openFirstMatch(*context, wanted, port_);
    if (a.outcome == OpenAttempt::Outcome::kOpened) {
      auto t = CdcTransport::open(std::make_unique<LibusbLink>(*context, a.handle));
      if (t) return std::unique_ptr<Transport>(std::move(t).value());
      Error e = std::move(t).error();
      // It left while we set it up (re-enumerating with its next PID): wait for it.
      if (!isDisconnect(e)) return e;
      lastProblem = std::move(e);
    } else if (a.outcome == OpenAttempt::Outcome::kFailed) {
      Error e = accessOrBusyError(a.rc, describeAttempt(a));
      if (a.rc == LIBUSB_ERROR_ACCESS) {
        // udev may not have applied its permissions yet; give it a moment.
        if (!deniedSince) deniedSince = Clock::now();
        if (Clock::now() - *deniedSince >= kAccessGrace) return e;
      } else if (!isTransientOpenError(a.rc)) {
        return e;
      }
      lastProblem = std::move(e);
    }
    const Clock::time_point now = Clock::now();
    if (now >= deadline) break;
    std::this_thread::sleep_for(std::min<Clock::duration>(kPollInterval, deadline - now));
  }

  if (lastProblem && lastProblem->code == usb_errors::kAccess) return *lastProblem;
  std::string message = "no MediaTek device (ids " + idsText(wanted) + ") appeared on " +
                        describe() + " within " + std::to_string(timeout.count()) + " ms";
  if (lastProblem) message += " (one was seen: " + lastProblem->message + ")";
  return withHint(usbError(usb_errors::kNotFound, message), kTimeoutHint);
}

}  // namespace mtk::flasher
