#include "phone_function.hpp"

namespace mtk::emu {

namespace {
constexpr std::uint8_t kDataEp = 1;  // bulk 0x01 / 0x81 of the CDC data interface
}

PhoneFunction::PhoneFunction(BootMode mode, const PhoneSpec& spec, RegisterSpace& registers,
                             std::shared_ptr<VirtualStorage> storage,
                             std::shared_ptr<PhoneFaults> faults, const Clock& clock, Events events)
    : spec_(spec),
      mode_(mode),
      storage_(std::move(storage)),
      phoneFaults_(std::move(faults)),
      events_(std::move(events)),
      io_(pipe_, kDataEp),
      faults_(*phoneFaults_, clock, io_, storage_.get(), events_.faults),
      brom_(mode, spec, io_, registers, faults_, [this] {
        if (events_.started) events_.started();
      }) {
  io_.setTap(&faults_);
}

void PhoneFunction::bind(EndpointPort& port) {
  UsbFunction::bind(port);
  io_.bind(&port);
  if (!started_) {
    started_ = true;
    main_ = main();
    main_.start();  // runs until it first needs host bytes
  }
}

std::optional<wire::Bytes> PhoneFunction::onControl(const wire::usb::SetupPacket& setup,
                                                    wire::ByteSpan outData) {
  return cdc_.handle(setup, outData);
}

std::size_t PhoneFunction::onOut(std::uint8_t ep, wire::ByteSpan data) {
  if (ep != kDataEp) return data.size();
  if (data.empty()) return 0;  // ZLPs mark transfer ends; the byte stream ignores them
  return faults_.out(data, [this](wire::ByteSpan piece) { return pipe_.push(piece); });
}

void PhoneFunction::tick(Clock::time_point now) {
  if (faults_.tick(now) && port_) port_->resumeOut(kDataEp);  // a freeze ended
}

void PhoneFunction::onInWanted(std::uint8_t ep, std::size_t) {
  if (ep == kDataEp) {
    io_.onInWanted();
    faults_.onInWanted();
  }
}

void PhoneFunction::sendReadyBanner() {
  if (port_ && port_->queuedIn(kDataEp) < 64) io_.send(wire::Bytes{'R', 'E', 'A', 'D', 'Y'});
}

Task<void> PhoneFunction::main() {
  co_await brom_.run();
  if (events_.jumped) events_.jumped();
  faults_.daStarted();
  co_await daStage();
}

// The DA speaks XFlash (V5) on the same pipe. (A silent DA, spec.daSilent, is a fault rule.)
Task<void> PhoneFunction::daStage() {
  DaProtocol da(spec_, io_, storage_.get(), faults_, brom_.da1(), mode_,
                {events_.shutdown, events_.switchSpeed});
  co_await da.run();
}

}  // namespace mtk::emu
