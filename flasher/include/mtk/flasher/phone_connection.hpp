#pragma once
// Catching a phone in download mode: wait for its BROM or preloader port, start the handshake
// at once (a preloader listens only for a second or two), identify it and disable its
// watchdog. The result is an open session the DA stage continues from.

#include <functional>
#include <memory>
#include <string>

#include "mtk/flasher/brom_client.hpp"
#include "mtk/flasher/transport.hpp"

namespace mtk::flasher {

struct ConnectOptions {
  std::chrono::milliseconds waitTimeout{60000};  // for the phone to appear
  BromOptions brom;
  bool disableWatchdog = true;
};

struct PhoneSession {
  std::unique_ptr<Transport> transport;
  TargetInfo target;
};

// Stage lines for people ("waiting for the phone", "handshake with the preloader").
using StageLog = std::function<void(const std::string&)>;

// USB identities of BROM and preloader ports (not the DA's 0e8d:2001).
const std::vector<UsbId>& bootIds();

Result<PhoneSession> connectPhone(DeviceLocator& locator, const ConnectOptions& options,
                                  const StageLog& log = {});
// The two halves of connectPhone: wait for a port (with the not-found hint about the
// preloader window), then handshake, identify and disable the watchdog on it.
Result<std::unique_ptr<Transport>> waitForPhone(DeviceLocator& locator,
                                                const std::vector<UsbId>& ids,
                                                const ConnectOptions& options,
                                                const StageLog& log = {});
Result<PhoneSession> startSession(std::unique_ptr<Transport> transport,
                                  const ConnectOptions& options, const StageLog& log = {});

// DA stage 1 through the BROM/preloader: SEND_DA, JUMP_DA, then the DA's sync byte.
struct Da1Image {
  std::uint32_t address = 0;
  wire::ByteSpan data;  // signature included
  std::uint32_t sigLen = 0;
};
Status startDa1(PhoneSession& session, const Da1Image& da, std::chrono::milliseconds syncTimeout,
                const StageLog& log = {}, const BromClient::Progress& progress = {});

}  // namespace mtk::flasher
