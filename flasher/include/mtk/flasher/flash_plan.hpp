#pragma once
// The operations people know from SP Flash Tool as plans: a list of steps (back up, erase,
// write the partition table, write an image, restore, read back) derived from the scatter,
// each partition's role and the phone's own partition table (spflash.md §1.2-1.4, §1.13).
// A plan is built and checked completely before the first byte is sent, so every layout error
// comes before any write, and `--dry-run` prints it without a phone.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mtk/flasher/firmware.hpp"
#include "mtk/flasher/partition_table.hpp"
#include "mtk/flasher/xflash_client.hpp"

namespace mtk::flasher {

// What the engine knows of the connected phone. A dry run has none.
struct PhoneFacts {
  std::string chip;  // "MT6765"
  std::string id;    // the phone's SoC ID or ME ID in hex (names its backup folder)
  StorageInfo storage;
  std::optional<PartitionTable> table;  // none: no valid table could be read
  std::optional<Error> tableError;      // why not
};

// A scatter partition where it lands on this phone (or, without a phone, where the scatter
// says it lands).
struct PlacedPartition {
  std::size_t index = 0;  // into Firmware::scatter.partitions
  std::string name;
  Role role = Role::Update;
  std::string region;  // canonical scatter region (EMMC_USER, UFS_LU2...; "" for legacy)
  std::string area;    // the phone's storage area: boot1, boot2, user, lu0...
  std::uint32_t partType = 0;
  std::optional<std::uint64_t> offset;  // in the area; none when it cannot be resolved
  std::uint64_t size = 0;
  bool sizeKnown = true;
};

// Places every scatter partition (both copies of an EMMC_BOOT1_BOOT2 one) on the phone's areas.
// Without a phone (storage == nullptr) areas are named from the regions and end-relative or
// fill-to-end partitions stay unresolved.
Result<std::vector<PlacedPartition>> placeFirmware(const Firmware& fw, const StorageInfo* storage);

// The phone's area name for a scatter region (EMMC_BOOT1 -> boot1, UFS_LU2 -> lu2; "" if none).
std::string areaForRegion(const std::string& canonicalRegion);

enum class StepKind { Backup, Erase, WriteTable, Write, Restore, Read };
const char* stepKindName(StepKind k);  // "backup", "erase", ...

struct Step {
  StepKind kind = StepKind::Erase;
  std::string what;  // partition name, "user area", "GPT"...
  std::string area;
  std::uint32_t partType = 0;
  std::uint64_t offset = 0;
  std::uint64_t length = 0;       // Write: the partition's size (the image may be shorter)
  std::string file;               // image, backup (.raw) or readback file
  bool bootHeader = false;        // Write: a preloader wrapped in EMMC_BOOT/BRLYT for a boot region
  bool extractPreloader = false;  // Read: also save the flashable preloader from a boot1 dump
  bool verify = false;            // Write/Restore: read back and compare SHA-256
  bool resolved = true;           // false in a dry run where the phone decides the range
  std::string note;
};

struct Plan {
  std::string operation;  // "Download Only", "Format All + Download", ...
  std::vector<Step> steps;
  std::vector<std::string> warnings;  // shown before the steps; none stops the plan
  std::vector<std::string> kept;      // "nvram (protected)" ranges nothing touches
  // For a WriteTable step: the table to write.
  std::string tableKind;  // "GPT" or "PMT"
  std::vector<PartitionInfo> table;
  std::string readbackPreloader;  // Readback: where the boot1 dump's preloader goes
  // Firmware Upgrade: the backup folder. Renamed to "<folder>.done-<time>" once the plan
  // succeeded, so a later upgrade never restores stale data, and nothing is deleted.
  std::string backupFolder;
  bool dryRun = false;
};

struct PlanOptions {
  std::vector<std::string> partitions;  // Download Only / Format / Readback: by name
  // Protected partitions the person named: they may be erased or written like any other.
  std::vector<std::string> includeProtected;
  bool verify = false;
  std::string backupDirectory = "mtkflash-backup";  // Firmware Upgrade
  // Format
  enum class FormatScope {
    All,
    ExceptBootloader,
    Range,
    Partitions
  } formatScope = FormatScope::All;
  std::string area;  // Range / Readback: boot1, boot2, user...
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> length;
  // Readback
  std::string output;           // a file, or a folder for several partitions
  std::string preloaderOutput;  // flashable preloader from the boot1 dump
  bool readbackAll = false;     // every partition of the phone's table, boot1 and boot2
};

// What a Format does from what was asked, as mtkflash and scenarios read it: named partitions,
// else a range (an area, offset or length given), else the whole flash (except bootloaders).
PlanOptions::FormatScope formatScopeFor(const PlanOptions& o, bool rangeGiven,
                                        bool exceptBootloader);

// Download Only: the chosen (or all downloadable) images; a phone table that disagrees with
// the scatter stops it with ERROR_ROM_MUST_ENABLE naming the partition; a phone without a table
// gets one written from the scatter first.
Result<Plan> planDownload(const Firmware& fw, const PhoneFacts* phone, const PlanOptions& o);
// Format All + Download: every area but RPMB erased except the protected partitions, the
// table written from the scatter, every image written.
Result<Plan> planFormatDownload(const Firmware& fw, const PhoneFacts* phone, const PlanOptions& o);
// Firmware Upgrade: needs the phone's table (else S_PART_NO_VALID_TABLE); protected partitions
// backed up to a folder, the rest erased, the table and images written, the backups restored.
Result<Plan> planUpgrade(const Firmware& fw, const PhoneFacts* phone, const PlanOptions& o);
// Format: whole flash, all but bootloaders, an address range or named partitions; protected
// partitions (from the phone's table, else the scatter when given) kept unless named.
Result<Plan> planFormat(const Firmware* fw, const PhoneFacts* phone, const PlanOptions& o);
// Write the partition table: the scatter's layout as the phone's kind of table (GPT or PMT;
// a blank phone gets what the scatter's era uses).
Result<Plan> planWriteTable(const Firmware& fw, const PhoneFacts* phone);
// Readback: partitions by name, a range, a whole area, or everything (clone).
Result<Plan> planReadback(const PhoneFacts* phone, const PlanOptions& o);

// One line per step, for stage output and --dry-run.
std::string describe(const Step& s);

// Running a plan against a DA.
struct RunEvents {
  std::function<void(const std::string&)> stage;
  std::function<void(const std::string&)> warning;
  std::function<void(const std::string& what, std::uint64_t done, std::uint64_t total)> progress;
};

struct RunOptions {
  bool skipUnchanged = false;  // read first; leave partitions that already hold the image
};

struct RunSummary {
  std::uint64_t bytesWritten = 0;
  std::uint64_t bytesErased = 0;
  std::uint64_t bytesRead = 0;
  unsigned imagesWritten = 0;
  unsigned imagesVerified = 0;
  unsigned imagesSkipped = 0;
  unsigned restored = 0;
  std::vector<std::string> files;  // files produced (backups, readbacks)
};

Result<RunSummary> runPlan(XFlashClient& da, const StorageInfo& storage, const Plan& plan,
                           const RunOptions& options = {}, const RunEvents& events = {});

}  // namespace mtk::flasher
