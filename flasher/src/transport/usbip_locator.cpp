#include <thread>

#include "mtk/flasher/cdc_transport.hpp"
#include "mtk/flasher/usbip_client.hpp"

namespace mtk::flasher {

namespace {

bool matches(const wire::usbip::DeviceRecord& r, const std::vector<UsbId>& ids) {
  for (const auto& id : ids) {
    if (r.idVendor == id.vid && r.idProduct == id.pid) return true;
  }
  return ids.empty();
}

std::string idList(const std::vector<UsbId>& ids) {
  std::string s;
  char buf[16];
  for (const auto& id : ids) {
    std::snprintf(buf, sizeof buf, "%04x:%04x", id.vid, id.pid);
    s += (s.empty() ? "" : ", ") + std::string(buf);
  }
  return s;
}

}  // namespace

// Polls the server's device list: the phone re-enumerating shows up as its busid vanishing
// and coming back with another PID. Each poll is one short TCP connection, as `usbip list` does.
Result<std::unique_ptr<Transport>> UsbipLocator::waitFor(const std::vector<UsbId>& ids,
                                                         Millis timeout) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  const Millis poll{20};
  std::optional<Error> last;
  for (;;) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - Clock::now());
    auto list = usbipListDevices(server_, std::max(left, Millis(200)));
    if (!list) {
      last = std::move(list).error();
    } else {
      for (const auto& r : *list) {
        if (!server_.busid.empty() && r.busid != server_.busid) continue;
        if (!matches(r, ids)) continue;
        UsbipAddress a = server_;
        a.busid = r.busid;
        auto link = UsbipLink::import(a, std::max(left, Millis(1000)), options_);
        if (!link) {
          last = std::move(link).error();  // e.g. still held by the connection just dropped
          break;
        }
        auto t = CdcTransport::open(std::move(*link));
        if (!t) return std::move(t).error();
        return std::unique_ptr<Transport>(std::move(*t));
      }
    }
    if (Clock::now() + poll >= deadline) break;
    std::this_thread::sleep_for(poll);
  }
  Error e = usbError(usb_errors::kNotFound, "no device (" + idList(ids) + ") appeared at " +
                                                server_.url() + " within " +
                                                std::to_string(timeout.count()) + " ms");
  if (last) e.message += "; last error: " + last->describe();
  e.hint = "start the virtual phone (mtkemu) first and check the address with `usbip list -r HOST`";
  return e;
}

}  // namespace mtk::flasher
