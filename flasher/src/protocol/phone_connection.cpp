#include "mtk/flasher/phone_connection.hpp"

#include <cstdio>

#include "mtk/flasher/mtk_errors.hpp"

namespace mtk::flasher {

const std::vector<UsbId>& bootIds() {
  static const std::vector<UsbId> ids = {{0x0e8d, 0x0003}, {0x0e8d, 0x2000}, {0x0e8d, 0x20ff},
                                         {0x0e8d, 0x3000}, {0x0e8d, 0x6000}, {0x1004, 0x6000},
                                         {0x22d9, 0x0006}};
  return ids;
}

Result<std::unique_ptr<Transport>> waitForPhone(DeviceLocator& locator,
                                                const std::vector<UsbId>& ids,
                                                const ConnectOptions& options,
                                                const StageLog& log) {
  if (log) log("waiting for a phone in BROM or preloader mode on " + locator.describe());
  auto t = locator.waitFor(ids, options.waitTimeout);
  if (!t) {
    Error e = t.error();
    if (e.name == "LIBUSB_ERROR_NOT_FOUND") {
      e.hint =
          "if the phone was connected before the flasher started, it booted past the preloader "
          "(which listens only 1-3 s): power it off, start the flasher first, then connect it "
          "(hold volume-down for BROM mode, which waits)";
    }
    return e;
  }
  return std::move(*t);
}

Result<PhoneSession> startSession(std::unique_ptr<Transport> transport,
                                  const ConnectOptions& options, const StageLog& log) {
  auto say = [&](const std::string& s) {
    if (log) log(s);
  };
  PhoneSession session;
  session.transport = std::move(transport);
  const auto& id = session.transport->identity();
  const BootStage stage = id.pid == 0x0003 ? BootStage::Brom : BootStage::Preloader;
  char usb[64];
  std::snprintf(usb, sizeof usb, "%04x:%04x", id.vid, id.pid);
  say(std::string("found ") + usb + " (" + bootStageName(stage) + ") at " + id.location +
      "; handshake");

  BromClient client(*session.transport, options.brom);
  if (auto s = client.handshake(stage); !s) return s.error();
  auto info = client.identify();
  if (!info) return info.error();
  session.target = std::move(*info);
  say("connected: " + session.target.chipName() + " in " + bootStageName(session.target.stage) +
      " mode");
  if (options.disableWatchdog && session.target.chip) {
    if (auto s = client.disableWatchdog(*session.target.chip); !s) return s.error();
    session.target.watchdogDisabled = !session.target.chip->is64bit;
  }
  return session;
}

Result<PhoneSession> connectPhone(DeviceLocator& locator, const ConnectOptions& options,
                                  const StageLog& log) {
  auto t = waitForPhone(locator, bootIds(), options, log);
  if (!t) return t.error();
  return startSession(std::move(*t), options, log);
}

Status startDa1(PhoneSession& session, const Da1Image& da, std::chrono::milliseconds syncTimeout,
                const StageLog& log, const BromClient::Progress& progress) {
  BromClient client(*session.transport);
  char addr[16];
  std::snprintf(addr, sizeof addr, "0x%08x", da.address);
  if (log) log("sending DA stage 1 (" + std::to_string(da.data.size()) + " bytes) to " + addr);
  if (auto s = client.sendDa(da.address, da.data, da.sigLen, session.target.targetConfig, progress);
      !s)
    return s;
  if (auto s = client.jumpDa(da.address); !s) return s;
  if (log) log("jumped to the DA; waiting for it to answer");
  return client.awaitDaSync(syncTimeout, std::string("DA1 after JUMP_DA to ") + addr);
}

}  // namespace mtk::flasher
