#pragma once
// One firmware operation from start to end, as the CLI and the scenario runner run it: load
// and check the firmware (before any phone), plan without the phone (all a dry run does), open
// the DA session (the scatter's chip checked before the DA is sent; the scatter's preloader
// gives DRAM settings in BROM mode), read the phone's table, plan against it, run, and end
// (a readback of everything gets a scatter beside its files; --reboot ends with SHUTDOWN).

#include <functional>
#include <optional>
#include <string>

#include "mtk/flasher/da_session.hpp"
#include "mtk/flasher/flash_plan.hpp"

namespace mtk::flasher {

enum class OperationKind {
  Download,
  Upgrade,
  FormatDownload,
  Format,
  Readback,
  WriteTable,
  MakeScatter
};
const char* operationVerb(OperationKind k);  // "download", "format-download", ...
bool operationNeedsScatter(OperationKind k);

struct OperationRequest {
  OperationKind kind = OperationKind::Download;
  std::string scatter;  // the firmware (optional for format, unused by readback/make-scatter)
  FirmwareOptions firmware;
  // What to do. includeProtected may hold "all": every protected partition counts as named.
  PlanOptions plan;
  RunOptions run;
  bool dryRun = false;
  bool reboot = false;
  bool powerOff = false;     // at the end: SHUTDOWN leaving the phone off (instead of rebooting)
  std::string output;        // make-scatter: the file (default <chip>_Android_scatter.txt)
  DaSessionOptions session;  // DA file, preloader (default: the scatter's), timeouts
};

struct OperationEvents : RunEvents {
  std::function<void(const Plan&)> plan;  // the plan, before it runs (or as the dry run's result)
};

struct OperationResult {
  Plan plan;
  RunSummary summary;
  std::string phoneChip;  // empty in a dry run
};

// `locator` may be null only for a dry run.
Result<OperationResult> runOperation(DeviceLocator* locator, const OperationRequest& request,
                                     const OperationEvents& events = {});

}  // namespace mtk::flasher
