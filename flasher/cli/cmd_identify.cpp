// `mtkflash identify`: catch the phone in BROM or preloader mode and show what it is.
#include <iostream>

#include "cli_common.hpp"
#include "mtk/flasher/phone_connection.hpp"
#include "mtk/wire/brom.hpp"

namespace mtk::cli {

int cmdIdentify(const GlobalOptions& g, const std::string& expectPlatform) {
  auto locator = flasher::makeLocator(g.device);
  if (!locator) return report(locator.error(), g.json);
  flasher::ConnectOptions options;
  options.waitTimeout = flasher::Millis(g.timeoutMs);
  auto session =
      flasher::connectPhone(**locator, options, [&](const std::string& s) { stage(s, g.json); });
  if (!session) return report(session.error(), g.json);
  const auto& t = session->target;
  const auto& usb = t.usb;

  nlohmann::json j{{"event", "result"},
                   {"ok", true},
                   {"chip", t.chipName()},
                   {"hw_code", hex(t.hwCode, 4)},
                   {"hw_sub_code", hex(t.hwSubCode, 4)},
                   {"hw_version", hex(t.hwVersion, 4)},
                   {"sw_version", hex(t.swVersion, 4)},
                   {"mode", flasher::bootStageName(t.stage)},
                   {"target_config", hex(t.targetConfig, 8)},
                   {"security", wire::brom::describeTargetConfig(t.targetConfig)},
                   {"watchdog_disabled", t.watchdogDisabled},
                   {"usb",
                    {{"vid", hex(usb.vid, 4)},
                     {"pid", hex(usb.pid, 4)},
                     {"location", usb.location},
                     {"speed", usb.speed == 3   ? "high"
                               : usb.speed == 2 ? "full"
                                                : "other"}}}};
  if (t.stage == flasher::BootStage::Preloader) j["bl_version"] = t.blVersion;
  if (t.bromVersion) j["brom_version"] = *t.bromVersion;
  if (t.meId) j["me_id"] = hexBytes(*t.meId);
  if (t.socId) j["soc_id"] = hexBytes(*t.socId);
  if (t.chip) j["da_mode"] = wire::daModeName(t.chip->daMode);

  // A firmware check, when asked: refuse before anything would be written.
  auto platformOk = flasher::checkPlatform(t, expectPlatform);
  if (!platformOk) {
    session->transport->close();
    return report(platformOk.error(), g.json);
  }
  if (g.json) {
    std::cout << j.dump() << std::endl;
  } else {
    std::cout << "chip:          " << t.chipName() << " (hw code 0x" << hex(t.hwCode, 4)
              << ", sub 0x" << hex(t.hwSubCode, 4) << ", hw 0x" << hex(t.hwVersion, 4) << ", sw 0x"
              << hex(t.swVersion, 4) << ")\n"
              << "mode:          " << flasher::bootStageName(t.stage);
    if (t.stage == flasher::BootStage::Preloader)
      std::cout << " (BL version " << int(t.blVersion) << ")";
    if (t.bromVersion) std::cout << " (BROM version " << int(*t.bromVersion) << ")";
    std::cout << "\n"
              << "security:      " << wire::brom::describeTargetConfig(t.targetConfig)
              << " (target config 0x" << hex(t.targetConfig, 8) << ")\n";
    if (t.meId) std::cout << "ME ID:         " << hexBytes(*t.meId) << "\n";
    if (t.socId) std::cout << "SoC ID:        " << hexBytes(*t.socId) << "\n";
    if (t.chip) std::cout << "DA protocol:   " << wire::daModeName(t.chip->daMode) << "\n";
    std::cout << "usb:           " << hex(usb.vid, 4) << ":" << hex(usb.pid, 4) << " at "
              << usb.location << " (" << (usb.speed == 3 ? "high" : "full") << " speed)\n"
              << "watchdog:      " << (t.watchdogDisabled ? "disabled" : "left as is") << std::endl;
  }
  session->transport->close();
  return kExitOk;
}

}  // namespace mtk::cli
