#pragma once
// A scenario: a virtual phone (with its faults), a firmware, steps (flasher operations and
// things done to the phone) and expectations. The file format is described in
// scenarios/README.md; parseScenario() names file and line for anything it cannot take.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mtk/error.hpp"
#include "sample_firmware.hpp"

namespace YAML {
class Node;
}

namespace mtk::scenario {

// What a step (or a whole sweep run) must end with.
struct Outcome {
  std::optional<bool> ok;
  std::string error;  // the error's name, e.g. S_PART_NO_VALID_TABLE
  std::optional<std::int64_t> code;
  std::vector<std::string> messageContains;
  std::vector<std::string> hintContains;
  int line = 0;
};

// A partition's content after the steps.
struct PartitionExpectation {
  std::string partition;
  enum Kind { Unchanged, Erased, Image, Sha256 } kind = Unchanged;
  std::string value;     // Image: the firmware file; Sha256: the digest in hex
  std::string firmware;  // Image: which of the scenario's firmwares (default: the first)
  int line = 0;
};

struct FileExpectation {
  std::string path;  // relative to the run folder
  bool exists = true;
  std::string equalsFirmware;   // a firmware file it must equal
  std::string equalsPartition;  // a partition (of the phone's table) it must equal
  int line = 0;
};

struct Step {
  enum Kind { Flash, Phone } kind = Flash;
  int line = 0;
  // Flash: a mtkflash operation and its options.
  std::string operation;  // download, format-download, upgrade, format, readback, write-table,
                          // make-scatter, identify, printgpt
  std::vector<std::string> partitions;
  std::vector<std::string> includeProtected;
  bool verify = false;
  bool skipUnchanged = false;
  bool all = false;
  bool exceptBootloader = false;
  std::string area;
  std::optional<std::uint64_t> offset, length;
  std::string output;           // relative to the run folder
  std::string preloaderOutput;  // relative to the run folder
  std::string backupDir = "backup";
  std::string scatter;         // another firmware for this step (a name from `firmwares`)
  std::string expectPlatform;  // identify
  std::uint64_t timeoutMs = 3000;
  std::optional<std::uint64_t> plugAfterMs;  // power the phone on this long after the step began
  bool plugBrom = false;                     // ... with volume-down held
  Outcome expect;
  // Phone: power_on, power_off, power_cycle, unplug, plug, wait, fill, snapshot.
  std::string action;
  bool volumeDown = false;
  std::uint64_t waitMs = 0;
  std::string fillPartition;  // fill: a partition of the phone's current table
  std::uint32_t fillSeed = 1;
};

// The firmware a scenario flashes: the sample firmware with options, then changes to its files.
struct FirmwareSpec {
  std::string name = "firmware";
  // Sizes, seed and layout of the sample firmware; smaller than mtk-make-test-firmware's
  // defaults so a scenario's phone needs only a 512 MiB eMMC.
  sample::FirmwareSpec sample = small();
  std::string platform;  // replaces the scatter's platform (a firmware for another chip)
  std::string storage;   // replaces the scatter's storage (EMMC/UFS)
  std::map<std::string, std::uint64_t> resize;  // file name -> new size (random bytes)
  std::vector<std::string> remove;              // files to delete
  std::map<int, std::string> scatterLines;      // 1-based line -> replacement text

  static sample::FirmwareSpec small() {
    sample::FirmwareSpec f;
    f.systemData = 4ull << 20;
    f.systemSize = 16ull << 20;
    f.bootSize = 1ull << 20;
    f.vendorPartition = 64ull << 20;
    f.systemPartition = 64ull << 20;
    return f;
  }
};

// Seeded sweeps: the same steps run `runs` times; each run gets one extra fault: the cable is
// pulled at a random byte offset of the bulk stream in [from, to) (from the run's seed).
struct Sweep {
  unsigned runs = 0;
  std::uint64_t from = 0;
  std::uint64_t to = 64ull << 20;
  std::string direction = "out";  // out: host to phone (writes); in: phone to host (reads)
  unsigned powerOn = 1;           // which power-on of the phone the offset counts in
  int line = 0;
};

struct Scenario {
  std::string file;
  std::string name;
  std::string fieldError;  // F1..F14 when it reproduces one
  std::string description;
  std::string phoneYaml;  // the phone's keys, as YAML text (mtkemu's phone format)
  int phoneLine = 0;
  std::vector<FirmwareSpec> firmwares;  // the first is the default
  // Steps run once, before anything is measured: their result (the phone's flash) is the
  // starting point of every run, so a 200-run sweep pays for them once.
  std::vector<Step> setup;
  std::vector<Step> steps;
  std::vector<PartitionExpectation> partitions;
  std::vector<FileExpectation> files;
  bool protectedUnchanged = false;
  std::vector<std::string> writtenOnlyInside;  // partitions (and "table") writes may touch
  std::optional<std::uint64_t> maxBytesWritten;
  Sweep sweep;
  std::vector<std::string> modes = {"inproc", "usbip"};
};

Result<Scenario> parseScenario(const std::string& text, const std::string& file);
Result<Scenario> loadScenario(const std::string& path);

}  // namespace mtk::scenario
