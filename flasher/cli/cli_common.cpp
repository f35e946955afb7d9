#include "cli_common.hpp"

#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>

namespace mtk::cli {

namespace {

std::ofstream& logFile() {
  static std::ofstream f;
  return f;
}

std::string timestamp() {
  char b[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  std::strftime(b, sizeof b, "%Y-%m-%d %H:%M:%S", &tm);
  return b;
}

}  // namespace

bool setLogFile(const std::string& path) {
  logFile().open(path, std::ios::app);
  if (logFile()) logLine("---- mtkflash started");
  return static_cast<bool>(logFile());
}

void logLine(const std::string& text) {
  if (logFile().is_open()) logFile() << timestamp() << " " << text << std::endl;
}

int report(const Error& e, bool json) {
  logLine("error: " + e.describe());
  if (json) {
    nlohmann::json j{{"event", "result"}, {"ok", false},          {"code", e.code},
                     {"name", e.name},    {"message", e.message}, {"hint", e.hint}};
    std::cout << j.dump() << std::endl;
  } else {
    std::cerr << "mtkflash: " << e.describe() << std::endl;
  }
  const bool noDevice = e.name == "LIBUSB_ERROR_NOT_FOUND" || e.name == "USBIP_CONNECT_FAILED";
  return noDevice ? kExitNoDevice : kExitFailed;
}

void stage(const std::string& text, bool json) {
  logLine(text);
  if (json) {
    std::cout << nlohmann::json{{"event", "stage"}, {"text", text}}.dump() << std::endl;
  } else {
    std::cerr << "mtkflash: " << text << std::endl;
  }
}

void warn(const std::string& text, bool json) {
  logLine("warning: " + text);
  if (json) {
    std::cout << nlohmann::json{{"event", "warning"}, {"text", text}}.dump() << std::endl;
  } else {
    std::cerr << "mtkflash: warning: " << text << std::endl;
  }
}

std::string hex(unsigned v, int digits) {
  char b[16];
  std::snprintf(b, sizeof b, "%0*x", digits, v);
  return b;
}

std::string hexBytes(wire::ByteSpan b) {
  std::string s;
  for (auto x : b) s += hex(x, 2);
  return s;
}

Result<std::uint64_t> parseNumber(const std::string& s, const char* what) {
  try {
    std::size_t used = 0;
    const auto v = std::stoull(s, &used, 0);
    if (used != s.size()) throw std::invalid_argument(s);
    return static_cast<std::uint64_t>(v);
  } catch (const std::exception&) {
    return makeError(-1, "BAD_NUMBER", std::string(what) + " '" + s + "' is not a number",
                     "write it in hex (0x100000) or decimal");
  }
}

ProgressBar::ProgressBar(bool json) : json_(json), tty_(isatty(2)) {}

void ProgressBar::operator()(const std::string& what, std::uint64_t done, std::uint64_t total) {
  const auto now = Clock::now();
  if (what != what_) {
    if (tty_ && !what_.empty() && !finished_) std::fprintf(stderr, "\n");
    what_ = what;
    start_ = now;
    last_ = {};
    finished_ = false;
  }
  if (finished_ || (done < total && now - last_ < std::chrono::milliseconds(200))) return;
  last_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double mbps = secs > 0 ? static_cast<double>(done) / 1e6 / secs : 0;
  if (json_) {
    std::cout << nlohmann::json{{"event", "progress"},
                                {"what", what},
                                {"done", done},
                                {"total", total},
                                {"mb_per_s", static_cast<double>(static_cast<int>(mbps * 10)) / 10}}
                     .dump()
              << std::endl;
  } else if (tty_) {
    const double left = mbps > 0 ? static_cast<double>(total - done) / 1e6 / mbps : 0;
    const double frac = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    const int width = 24;
    const int filled = static_cast<int>(frac * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "\r  %-18.18s [%s] %5.1f%%  %llu/%llu MiB  %6.1f MB/s  %3.0f s left ",
                 what.c_str(), bar.c_str(), 100.0 * frac,
                 static_cast<unsigned long long>(done >> 20),
                 static_cast<unsigned long long>(total >> 20), mbps, left);
  }
  if (done >= total) {
    finished_ = true;
    if (tty_ && !json_) std::fprintf(stderr, "\n");
    logLine(what + ": " + std::to_string(total) + " bytes in " + std::to_string(secs) + " s");
  }
}

Result<flasher::DaSession> openSession(const GlobalOptions& g, const StorageOptions& s,
                                       const std::string& expectPlatform) {
  if (s.daPath.empty()) {
    return makeError(
        -1, "NO_DA", "no Download Agent given",
        "give --da MTK_AllInOne_DA.bin (for mtkemu's phones: mtk-make-test-da -o da.bin)");
  }
  auto locator = flasher::makeLocator(g.device);
  if (!locator) return locator.error();
  flasher::DaSessionOptions o;
  o.daPath = s.daPath;
  o.preloaderPath = s.preloaderPath;
  o.expectPlatform = expectPlatform;
  o.connect.waitTimeout = flasher::Millis(g.timeoutMs);
  return flasher::openDaSession(**locator, o, [&](const std::string& t) { stage(t, g.json); });
}

}  // namespace mtk::cli
