// JUnit XML: what CI dashboards read. One testsuite; a testcase per scenario and mode, with the
// failed expectations, the steps and the phone's last exchanges in the failure text.
#include <cstdio>
#include <sstream>

#include "mtk/scenario/runner.hpp"

namespace mtk::scenario {

namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace

std::string junitXml(const std::vector<ScenarioResult>& results) {
  std::size_t failures = 0;
  double total = 0;
  for (const auto& r : results) {
    failures += r.passed ? 0 : 1;
    total += r.seconds;
  }
  std::ostringstream x;
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3f", total);
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<testsuite name=\"mtkscenario\" tests=\"" << results.size() << "\" failures=\"" << failures
    << "\" time=\"" << secs << "\">\n";
  for (const auto& r : results) {
    std::snprintf(secs, sizeof secs, "%.3f", r.seconds);
    x << "  <testcase classname=\"" << escape(r.file) << "\" name=\"" << escape(r.name) << " ["
      << r.mode << "]\" time=\"" << secs << "\"";
    if (r.passed) {
      x << "/>\n";
      continue;
    }
    std::ostringstream text;
    for (const auto& f : r.failures) text << r.file << ":" << f.line << ": " << f.text << "\n";
    text << "steps:\n";
    for (const auto& s : r.steps) text << "  " << s << "\n";
    text << "faults fired:\n";
    for (const auto& s : r.faults) text << "  " << s << "\n";
    text << "last exchanges:\n";
    for (const auto& s : r.exchanges) text << "  " << s << "\n";
    x << ">\n    <failure message=\""
      << escape(r.failures.empty() ? "failed" : r.failures.front().text) << "\">"
      << escape(text.str()) << "</failure>\n  </testcase>\n";
  }
  x << "</testsuite>\n";
  return x.str();
}

}  // namespace mtk::scenario
