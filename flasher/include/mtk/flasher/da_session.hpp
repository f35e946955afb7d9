#pragma once
// From a phone in BROM/preloader mode to a DA ready for storage commands: pick the DA file's
// entry for the chip, upload DA1 through the BROM, set up the XFlash session, bring up DRAM
// from the preloader's EMI settings when the DA runs from BROM, boot DA2, read the storage.
// This is engine code: it reads files (the DA, the preloader); the protocol clients do not.

#include <memory>
#include <optional>
#include <string>

#include "mtk/flasher/phone_connection.hpp"
#include "mtk/flasher/xflash_client.hpp"

namespace mtk::flasher {

struct DaSessionOptions {
  std::string daPath;         // MTK_AllInOne_DA.bin (or a test container)
  std::string preloaderPath;  // for EMI (DRAM) settings; needed when the phone is in BROM mode
  ConnectOptions connect;
  std::chrono::milliseconds daSyncTimeout{5000};
  XFlashOptions xflash;
  // A scatter's platform ("MT6765"): S_CHIP_TYPE_NOT_MATCH before the DA is sent otherwise.
  std::string expectPlatform;
};

struct DaSession {
  PhoneSession phone;
  std::unique_ptr<XFlashClient> da;
  std::string connectionAgent;  // "brom" or "preloader"
  StorageInfo storage;
  void close() {
    if (phone.transport) phone.transport->close();
  }
};

Result<DaSession> openDaSession(DeviceLocator& locator, const DaSessionOptions& options,
                                const StageLog& log = {});

// The firmware's storage type (a scatter's `storage`, e.g. "EMMC", "UFS") against what the DA
// found: S_STORAGE_NOT_MATCH (3183) naming both, before anything is written.
Status checkStorage(const StorageInfo& storage, const std::string& firmwareStorage);

}  // namespace mtk::flasher
