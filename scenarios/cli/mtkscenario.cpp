// mtkscenario: runs scenario files (scenarios/README.md) against virtual phones, in process or
// over USB/IP, and says which expectation failed, with the phone's last protocol exchanges.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "mtk/scenario/runner.hpp"

int main(int argc, char** argv) {
  using namespace mtk::scenario;
  CLI::App app{
      "mtkscenario: runs scenario files against virtual MediaTek phones and checks their\n"
      "expectations (exit status, error name and number, message, partition contents, files,\n"
      "protected partitions, where writes landed). Format: scenarios/README.md.\n\n"
      "Exit codes: 0 every scenario passed, 1 one failed, 2 bad usage or an unreadable file.",
      "mtkscenario"};
  std::vector<std::string> files;
  std::string mode = "both", junit;
  std::uint64_t seed = 1;
  bool verbose = false;
  unsigned runs = 0, jobs = 4;
  app.add_option("files", files, "scenario files (YAML)")->required();
  app.add_option("--mode", mode, "inproc, usbip or both (default: what each scenario lists)");
  app.add_option("--junit", junit, "write JUnit XML here");
  app.add_option("--seed", seed, "base seed of the phone's random choices and of sweeps");
  app.add_flag("-v,--verbose", verbose, "print every step");
  app.add_option("--runs", runs, "sweeps: this many runs instead of the scenario's");
  app.add_option("-j,--jobs", jobs, "sweeps: runs at the same time (default 4)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (mode != "both" && mode != "inproc" && mode != "usbip") {
    std::cerr << "mtkscenario: --mode is inproc, usbip or both\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  std::vector<ScenarioResult> results;
  for (const auto& file : files) {
    auto s = loadScenario(file);
    if (!s) {
      std::cerr << "mtkscenario: " << s.error().describe() << "\n";
      return 2;
    }
    for (const auto& m : s->modes) {
      if (mode != "both" && mode != m) continue;
      RunnerOptions o;
      o.mode = m;
      o.seed = seed;
      o.runs = runs;
      o.jobs = jobs;
      if (verbose) o.log = [](const std::string& t) { std::cout << "    " << t << "\n"; };
      auto r = runScenario(*s, o);
      std::printf("%s %-55s [%s] %.2f s%s\n", r.passed ? "PASS" : "FAIL", r.name.c_str(), m.c_str(),
                  r.seconds,
                  r.runs > 1 ? (" (" + std::to_string(r.runs) + " runs, " +
                                std::to_string(r.failedSeeds.size()) + " failed)")
                                   .c_str()
                             : "");
      if (!r.passed) {
        for (const auto& f : r.failures)
          std::printf("  %s:%d: %s\n", r.file.c_str(), f.line, f.text.c_str());
        if (!r.failedSeeds.empty()) {
          std::printf("  failed seeds:");
          for (auto sd : r.failedSeeds) std::printf(" %llu", static_cast<unsigned long long>(sd));
          std::printf("\n");
        }
        std::printf("  steps:\n");
        for (const auto& t : r.steps) std::printf("    %s\n", t.c_str());
        std::printf("  faults fired:\n");
        for (const auto& t : r.faults) std::printf("    %s\n", t.c_str());
        std::printf("  last exchanges with the phone:\n");
        for (const auto& t : r.exchanges) std::printf("    %s\n", t.c_str());
      }
      results.push_back(std::move(r));
    }
  }
  if (!junit.empty()) {
    std::ofstream(junit) << junitXml(results);
  }
  std::size_t failed = 0;
  for (const auto& r : results) failed += r.passed ? 0 : 1;
  std::printf("%zu scenario run(s), %zu failed\n", results.size(), failed);
  return failed ? 1 : 0;
}
