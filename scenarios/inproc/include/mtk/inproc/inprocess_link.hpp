#pragma once
// The in-process link: the flasher's UsbLink talking straight to a virtual device on an
// emulator DeviceBus in the same process. No socket, no copy of OUT data; the fastest path,
// used by unit tests and by the scenario runner's in-process mode. It is the one place that
// knows both sides, which is why it lives with the scenarios and not in either of them.

#include <memory>
#include <string>

#include "mtk/emu/device_bus.hpp"
#include "mtk/flasher/transport.hpp"
#include "mtk/flasher/usb_link.hpp"

namespace mtk::inproc {

class InProcessLink final : public flasher::UsbLink {
 public:
  // Attaches the device plugged into `busid`, as OP_REQ_IMPORT would.
  static Result<std::unique_ptr<InProcessLink>> attach(emu::DeviceBus& bus,
                                                       const std::string& busid);
  ~InProcessLink() override;

  Result<std::size_t> control(const wire::usb::SetupPacket& setup, wire::MutableByteSpan data,
                              flasher::Millis timeout) override;
  Result<std::size_t> bulkOut(std::uint8_t endpoint, wire::ByteSpan data,
                              flasher::Millis timeout) override;
  Result<std::size_t> bulkIn(std::uint8_t endpoint, wire::MutableByteSpan buffer,
                             flasher::Millis timeout) override;
  Status setConfiguration(std::uint8_t value) override;
  Status claimInterface(std::uint8_t) override { return {}; }
  std::string location() const override { return "inproc:" + busid_; }
  std::uint8_t speed() const override;
  void close() override;

 private:
  struct State;
  InProcessLink(emu::DeviceBus& bus, std::string busid) : bus_(bus), busid_(std::move(busid)) {}
  Result<std::size_t> transfer(std::unique_ptr<emu::Urb> urb, wire::MutableByteSpan inBuf,
                               flasher::Millis timeout, const char* what);

  emu::DeviceBus& bus_;
  std::string busid_;
  std::shared_ptr<State> state_;
};

// Finds devices on a bus: the in-process counterpart of the USB/IP locator.
class InProcessLocator final : public flasher::DeviceLocator {
 public:
  explicit InProcessLocator(emu::DeviceBus& bus, std::string busid = {})
      : bus_(bus), busid_(std::move(busid)) {}
  Result<std::unique_ptr<flasher::Transport>> waitFor(const std::vector<flasher::UsbId>& ids,
                                                      flasher::Millis timeout) override;
  std::string describe() const override { return "in-process bus"; }

 private:
  emu::DeviceBus& bus_;
  std::string busid_;
};

}  // namespace mtk::inproc
