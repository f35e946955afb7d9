#pragma once
// Shared pieces of the mtkflash command line: exit codes, error reporting, stage lines, the
// progress bar, the log file, opening a DA session.

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "mtk/error.hpp"
#include "mtk/flasher/da_session.hpp"
#include "mtk/wire/bytes.hpp"

namespace mtk::cli {

// Exit codes, documented in --help and the README.
constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitNoDevice = 3;

struct GlobalOptions {
  std::string device = "usb";
  bool json = false;
  int timeoutMs = 60000;
  std::string logFile;
};

// Options of the commands that go through the DA.
struct StorageOptions {
  std::string daPath;
  std::string preloaderPath;
  std::string partition;
  std::string area;
  std::string offset;
  std::string length;
  std::string file;       // -o for read, -i for write
  bool reboot = false;    // SHUTDOWN at the end: the phone boots normally
  bool powerOff = false;  // SHUTDOWN at the end: the phone stays off
};

// Options of the firmware operations (download, upgrade, format, readback...).
struct FirmwareOptions {
  std::string scatter;
  std::string imageDir;
  std::string storage;  // V2.x combo scatters: EMMC or UFS
  std::vector<std::string> partitions;
  std::vector<std::string> includeProtected;
  bool dryRun = false;
  bool verify = false;
  bool skipUnchanged = false;
  bool all = false;
  bool exceptBootloader = false;
  std::string backupDir = "mtkflash-backup";
  std::string output;
  std::string preloaderOut;
  std::string input;     // split: the whole-ROM dump
  std::string platform;  // split: the chip for the scatter (default: the --scatter's)
};

enum class Operation {
  Download,
  Upgrade,
  FormatDownload,
  Format,
  Readback,
  WriteTable,
  MakeScatter,
  Split
};

// Prints the error (text on stderr, or a JSON result line) and returns the exit code for it.
int report(const Error& e, bool json);
// A stage line: "mtkflash: ..." on stderr, or {"event":"stage",...} with --json.
void stage(const std::string& text, bool json);
void warn(const std::string& text, bool json);
// Appends every stage, warning, error and finished transfer to a file, with a timestamp.
bool setLogFile(const std::string& path);
void logLine(const std::string& text);

std::string hex(unsigned v, int digits);
std::string hexBytes(wire::ByteSpan b);
Result<std::uint64_t> parseNumber(const std::string& s, const char* what);

// On a terminal a bar with bytes, MB/s and time left; with --json progress events (at most
// five a second); on a pipe nothing but the log line when a transfer ends.
class ProgressBar {
 public:
  explicit ProgressBar(bool json);
  void operator()(const std::string& what, std::uint64_t done, std::uint64_t total);

 private:
  using Clock = std::chrono::steady_clock;
  bool json_;
  bool tty_;
  std::string what_;
  bool finished_ = false;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_{};
};

Result<flasher::DaSession> openSession(const GlobalOptions& g, const StorageOptions& s,
                                       const std::string& expectPlatform = "");

int cmdDevices(const GlobalOptions& g);
int cmdProbe(const GlobalOptions& g);
int cmdIdentify(const GlobalOptions& g, const std::string& expectPlatform);
int cmdPrintGpt(const GlobalOptions& g, const StorageOptions& s);
int cmdRead(const GlobalOptions& g, const StorageOptions& s);
int cmdWrite(const GlobalOptions& g, const StorageOptions& s);
int cmdErase(const GlobalOptions& g, const StorageOptions& s);
int cmdReboot(const GlobalOptions& g, const StorageOptions& s);
int cmdOperation(Operation op, const GlobalOptions& g, const StorageOptions& s,
                 const FirmwareOptions& f);

}  // namespace mtk::cli
