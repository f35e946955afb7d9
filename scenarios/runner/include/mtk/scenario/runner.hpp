#pragma once
// Running scenarios: a fresh folder, the scenario's firmwares and a test DA in it, a virtual
// phone on a bus (exported over USB/IP on 127.0.0.1 in "usbip" mode, reached directly in
// "inproc" mode), the steps through the same engine mtkflash uses, then the expectations.
// A failure says which expectation failed (file:line) and shows the phone's last protocol
// exchanges and the faults that fired.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mtk/scenario/scenario.hpp"

namespace mtk::scenario {

struct RunnerOptions {
  std::string mode = "inproc";  // inproc | usbip
  std::uint64_t seed = 1;       // the phone's seed for random fault choices, and sweeps' base
  std::function<void(const std::string&)> log;  // step lines (verbose)
  unsigned runs = 0;  // sweeps: override the scenario's number of runs (0: as written)
  unsigned jobs = 4;  // sweeps: runs at the same time (they mostly wait on protocol timers)
};

struct Failure {
  int line = 0;  // in the scenario file
  std::string text;
};

struct ScenarioResult {
  std::string name;
  std::string file;
  std::string mode;
  bool passed = false;
  std::vector<Failure> failures;
  std::vector<std::string> steps;      // what each step did and ended with
  std::vector<std::string> exchanges;  // the phone's last protocol exchanges (on failure)
  std::vector<std::string> faults;     // faults that fired
  double seconds = 0;
  unsigned runs = 1;                       // sweeps: how many
  std::vector<std::uint64_t> failedSeeds;  // sweeps: the seeds whose run broke a property
};

ScenarioResult runScenario(const Scenario& s, const RunnerOptions& options);

// JUnit XML for CI dashboards: one testsuite, one testcase per result.
std::string junitXml(const std::vector<ScenarioResult>& results);

}  // namespace mtk::scenario
