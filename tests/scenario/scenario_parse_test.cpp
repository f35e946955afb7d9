// Scenario files: what the parser takes, and that every mistake names file and line (a typo in
// an expectation must never pass silently). JUnit output is well-formed and escaped.
#include <gtest/gtest.h>

#include <filesystem>

#include "mtk/scenario/runner.hpp"
#include "mtk/scenario/scenario.hpp"

namespace mtk::test {
namespace {

using scenario::parseScenario;

constexpr const char* kGood = R"(name: a scenario
field_error: F2
phone:
  chip: MT6765
  storage: {type: emmc, user_size: 512M}
firmware: {resize: {lk.img: 3M}, remove: [system.img], platform: MT6785}
firmwares:
  next: {seed: 2, moved_nvram: true}
setup:
  - flash: format-download
steps:
  - phone: fill
    partition: nvram
    seed: 5
  - flash: upgrade
    firmware: next
    include_protected: [all]
    timeout_ms: 500
    expect:
      error: S_PART_NO_VALID_TABLE
      code: 1037
      message_contains: "without PMT"
  - flash: readback
    partitions: boot
    output: boot.bin
expect:
  partitions:
    nvram: unchanged
    boot: {image: boot.img, firmware: next}
    cache: erased
  files:
    boot.bin: {equals_partition: boot}
    x.bin: absent
  protected_unchanged: true
  written_only_inside: [boot, table]
  max_bytes_written: 1M
sweep: {runs: 7, from: 1M, to: 2M, direction: in}
modes: [inproc]
)";

TEST(ScenarioParse, TakesEveryKey) {
  auto s = parseScenario(kGood, "good.yaml");
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(s->name, "a scenario");
  EXPECT_EQ(s->fieldError, "F2");
  ASSERT_EQ(s->firmwares.size(), 2u);
  EXPECT_EQ(s->firmwares[0].resize.at("lk.img"), 3u << 20);
  EXPECT_EQ(s->firmwares[0].remove, std::vector<std::string>{"system.img"});
  EXPECT_EQ(s->firmwares[0].platform, "MT6785");
  EXPECT_TRUE(s->firmwares[1].sample.movedNvram);
  EXPECT_EQ(s->firmwares[1].sample.seed, 2u);
  ASSERT_EQ(s->setup.size(), 1u);
  ASSERT_EQ(s->steps.size(), 3u);
  EXPECT_EQ(s->steps[0].kind, scenario::Step::Phone);
  EXPECT_EQ(s->steps[0].fillPartition, "nvram");
  const auto& up = s->steps[1];
  EXPECT_EQ(up.operation, "upgrade");
  EXPECT_EQ(up.scatter, "next");
  EXPECT_EQ(up.timeoutMs, 500u);
  EXPECT_EQ(up.expect.error, "S_PART_NO_VALID_TABLE");
  EXPECT_EQ(up.expect.code, 1037);
  EXPECT_EQ(up.expect.ok, false);
  EXPECT_EQ(up.line, 15);
  EXPECT_EQ(s->steps[2].partitions, std::vector<std::string>{"boot"});
  EXPECT_EQ(s->steps[2].expect.ok, true);  // no expect: it must succeed
  ASSERT_EQ(s->partitions.size(), 3u);
  EXPECT_EQ(s->partitions[1].firmware, "next");
  EXPECT_EQ(s->partitions[2].kind, scenario::PartitionExpectation::Erased);
  ASSERT_EQ(s->files.size(), 2u);
  EXPECT_EQ(s->files[0].equalsPartition, "boot");
  EXPECT_FALSE(s->files[1].exists);
  EXPECT_TRUE(s->protectedUnchanged);
  EXPECT_EQ(s->maxBytesWritten, 1u << 20);
  EXPECT_EQ(s->sweep.runs, 7u);
  EXPECT_EQ(s->sweep.direction, "in");
  EXPECT_EQ(s->modes, std::vector<std::string>{"inproc"});
  EXPECT_NE(s->phoneYaml.find("MT6765"), std::string::npos);
}

struct Bad {
  const char* text;
  const char* where;  // "file:line"
  const char* says;
};

TEST(ScenarioParse, MistakesNameFileAndLine) {
  const Bad cases[] = {
      {"name: x\nphone: {chip: MT6765}\nsteps:\n  - flash: dowload\n", "bad.yaml:4",
       "unknown operation"},
      {"name: x\nphone: {chip: MT6765}\nsteps:\n  - flash: download\n    expect: {okk: true}\n",
       "bad.yaml:5", "unknown key 'okk'"},
      {"name: x\nphone: {chip: MT6765}\nsteps:\n  - phone: explode\n", "bad.yaml:4",
       "unknown phone action"},
      {"name: x\nsteps:\n  - flash: download\n", "bad.yaml:1", "needs a phone"},
      {"name: x\nphone: {chip: MT6765}\n", "bad.yaml:1", "needs steps"},
      {"name: x\nphone: {chip: MT6765}\nsteps:\n  - flash: download\n    firmware: nope\n",
       "bad.yaml:4", "no firmware named"},
      {"name: x\nphone: {chip: MT6765}\nsteps:\n  - flash: download\nexpect:\n  partitions:\n"
       "    boot: maybe\n",
       "bad.yaml:7", "unchanged, erased"},
      {"name: x\nphone: {chip: MT6765}\nsteps:\n  - flash: download\n    offset: lots\n",
       "bad.yaml:5", "must be a number"},
      {"name: x\nphone: {chip: MT6765}\nsteps:\n  - flash: download\nsweep: {runs: 3, from: 5, "
       "to: 1}\n",
       "bad.yaml:5", "to must be above from"},
      {"name: [unclosed\n", "bad.yaml:", ""},
  };
  for (const auto& c : cases) {
    auto s = parseScenario(c.text, "bad.yaml");
    ASSERT_FALSE(s) << c.text;
    EXPECT_EQ(s.error().name, "SCENARIO_INVALID");
    EXPECT_NE(s.error().message.find(c.where), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find(c.says), std::string::npos) << s.error().message;
  }
}

TEST(ScenarioParse, TheLibraryParses) {
  const std::filesystem::path root =
      std::filesystem::path(__FILE__).parent_path() / "../../scenarios";
  int n = 0;
  for (const char* dir : {"field", "sweeps"}) {
    for (const auto& e : std::filesystem::directory_iterator(root / dir)) {
      auto s = scenario::loadScenario(e.path().string());
      EXPECT_TRUE(s) << s.error().describe();
      ++n;
    }
  }
  EXPECT_GE(n, 16);
}

TEST(Junit, EscapesAndCountsFailures) {
  scenario::ScenarioResult ok;
  ok.name = "fine";
  ok.file = "a.yaml";
  ok.mode = "inproc";
  ok.passed = true;
  scenario::ScenarioResult bad = ok;
  bad.name = "broken <&>";
  bad.passed = false;
  bad.failures.push_back({7, "expected \"x\" & got <y>"});
  bad.exchanges.push_back("-> DA WRITE_DATA");
  const std::string x = scenario::junitXml({ok, bad});
  EXPECT_NE(x.find("tests=\"2\" failures=\"1\""), std::string::npos) << x;
  EXPECT_NE(x.find("broken &lt;&amp;&gt; [inproc]"), std::string::npos) << x;
  EXPECT_NE(x.find("expected &quot;x&quot; &amp; got &lt;y&gt;"), std::string::npos) << x;
  EXPECT_NE(x.find("a.yaml:7"), std::string::npos);
  EXPECT_NE(x.find("-&gt; DA WRITE_DATA"), std::string::npos);
  EXPECT_EQ(x.find("<y>"), std::string::npos);
}

}  // namespace
}  // namespace mtk::test
