#pragma once
// Shared pieces of the mtkflash command line: exit codes, error reporting, output helpers.

#include <nlohmann/json.hpp>

#include <string>

#include "mtk/error.hpp"
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
};

// Options of the commands that go through the DA.
struct StorageOptions {
  std::string daPath;
  std::string preloaderPath;
  std::string partition;
  std::string area;
  std::string offset;
  std::string length;
  std::string file;     // -o for read, -i for write
  bool reboot = false;  // SHUTDOWN at the end: the phone boots normally
};

// Prints the error (text on stderr, or a JSON result line) and returns the exit code for it.
int report(const Error& e, bool json);
// Prints a stage line: "mtkflash: ..." on stderr, or {"event":"stage",...} with --json.
void stage(const std::string& text, bool json);
std::string hex(unsigned v, int digits);
std::string hexBytes(wire::ByteSpan b);

int cmdDevices(const GlobalOptions& g);
int cmdProbe(const GlobalOptions& g);
int cmdIdentify(const GlobalOptions& g, const std::string& expectPlatform);
int cmdPrintGpt(const GlobalOptions& g, const StorageOptions& s);
int cmdRead(const GlobalOptions& g, const StorageOptions& s);
int cmdWrite(const GlobalOptions& g, const StorageOptions& s);
int cmdErase(const GlobalOptions& g, const StorageOptions& s);
int cmdReboot(const GlobalOptions& g, const StorageOptions& s);

}  // namespace mtk::cli
