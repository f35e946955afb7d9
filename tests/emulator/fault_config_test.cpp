// The `faults:`, `seed:` and `initial_content:` keys of a phone in mtkemu's configuration (the
// reference at the top of emulator_config.hpp): every form parses to what it says, and every
// mistake is an EMU_CONFIG_INVALID error naming the file and the line.

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <string>

#include "mtk/emu/emulator_config.hpp"

namespace mtk::emu {
namespace {

using K = FaultAction::Kind;
using T = FaultTrigger::Kind;
using std::chrono::milliseconds;

PhoneSpec phone(const std::string& keys, const std::string& file = "t.yaml") {
  auto c = parseEmulatorConfig("phones:\n  - kind: phone\n" + keys, file);
  EXPECT_TRUE(c) << c.error().describe();
  return c ? c->phones.at(0).spec : PhoneSpec{};
}

TEST(FaultConfig, TheReferenceExample) {
  const PhoneSpec s = phone(R"(    seed: 42
    faults:
      - when: {da_command: WRITE_DATA, occurrence: 3}
        do: unplug
      - {when: {bulk_out_offset: 1M, from: da}, do: {corrupt_byte: 0, mask: 0x01}}
      - {when: {after_ms: 500}, do: silent}
      - {when: {brom_command: SEND_DA, probability: 0.5}, do: {status: 0x1D0D}, times: always}
      - {when: {da_command: WRITE_DATA}, do: {storage_error_at: 0x400000}}
      - {when: power_on, do: {flap: 3, every_ms: 200}, name: bad cable}
)");
  EXPECT_EQ(s.faultSeed, 42u);
  ASSERT_EQ(s.faults.size(), 6u);
  const auto& f = s.faults;
  EXPECT_EQ(f[0].trigger.kind, T::DaCommand);
  EXPECT_EQ(f[0].trigger.command, "WRITE_DATA");
  EXPECT_EQ(f[0].trigger.phase, FaultPhase::Before);
  EXPECT_EQ(f[0].trigger.occurrence, 3u);
  EXPECT_EQ(f[0].action.kind, K::Unplug);
  EXPECT_EQ(f[0].times, 1u);
  EXPECT_EQ(f[1].trigger.kind, T::BulkOffset);
  EXPECT_EQ(f[1].trigger.direction, FaultDirection::Out);
  EXPECT_EQ(f[1].trigger.offset, 1u << 20);
  EXPECT_TRUE(f[1].trigger.fromDaStart);
  EXPECT_EQ(f[1].action.kind, K::CorruptByte);
  EXPECT_EQ(f[1].action.byteIndex, 0u);
  EXPECT_EQ(f[1].action.mask, 0x01);
  EXPECT_EQ(f[2].trigger.kind, T::Time);
  EXPECT_EQ(f[2].trigger.afterMs, milliseconds(500));
  EXPECT_EQ(f[2].action.kind, K::Silent);
  EXPECT_EQ(f[3].trigger.kind, T::BromCommand);
  EXPECT_DOUBLE_EQ(f[3].trigger.probability, 0.5);
  EXPECT_EQ(f[3].action.kind, K::Status);
  EXPECT_EQ(f[3].action.status, 0x1d0du);
  EXPECT_EQ(f[3].times, 0u);
  EXPECT_EQ(f[4].action.kind, K::StorageError);
  EXPECT_EQ(f[4].action.address, 0x400000u);
  EXPECT_EQ(f[4].action.area, "");
  EXPECT_EQ(f[5].trigger.kind, T::PowerOn);
  EXPECT_EQ(f[5].action.kind, K::Flap);
  EXPECT_EQ(f[5].action.cycles, 3u);
  EXPECT_EQ(f[5].action.delay, milliseconds(200));
  EXPECT_EQ(f[5].name, "bad cable");
}

TEST(FaultConfig, EveryOtherForm) {
  const PhoneSpec s = phone(R"(    faults:
      - {when: {brom_command: JUMP_DA, at: after}, do: refuse_dram}
      - {when: {da_command: GET_EMMC_INFO, after_ms: 20}, do: da2_hash_mismatch, times: 3}
      - {when: {bulk_in_offset: {min: 0x100, max: 4K}}, do: miss_window}
      - {when: {power_on: true}, do: corrupt_checksum}
      - {when: {da_command: START}, do: power_cut}
      - {when: {da_command: WRITE_DATA}, do: {power_cut: 4096}}
      - {when: {da_command: READ_DATA}, do: {delay_ms: 250}}
      - {when: {da_command: FORMAT}, do: {corrupt_byte: 7, direction: in, mask: 0xff}}
      - {when: {da_command: FORMAT}, do: {storage_error_at: 0, area: boot1}}
      - {when: {da_command: FORMAT}, do: corrupt_byte}
      - {when: {da_command: FORMAT}, do: {flap: 2}}
)");
  ASSERT_EQ(s.faults.size(), 11u);
  const auto& f = s.faults;
  EXPECT_EQ(f[0].trigger.phase, FaultPhase::After);
  EXPECT_EQ(f[0].action.kind, K::RefuseDram);
  EXPECT_EQ(f[1].trigger.afterMs, milliseconds(20));
  EXPECT_EQ(f[1].action.kind, K::Da2HashMismatch);
  EXPECT_EQ(f[1].times, 3u);
  EXPECT_EQ(f[2].trigger.direction, FaultDirection::In);
  ASSERT_TRUE(f[2].trigger.offsetRange);
  EXPECT_EQ(f[2].trigger.offsetRange->first, 0x100u);
  EXPECT_EQ(f[2].trigger.offsetRange->second, 4096u);
  EXPECT_EQ(f[2].action.kind, K::MissWindow);
  EXPECT_EQ(f[3].trigger.kind, T::PowerOn);
  EXPECT_EQ(f[3].action.kind, K::CorruptChecksum);
  EXPECT_EQ(f[4].action.kind, K::PowerCut);
  EXPECT_FALSE(f[4].action.landBytes);
  EXPECT_EQ(f[5].action.landBytes, 4096u);
  EXPECT_EQ(f[6].action.delay, milliseconds(250));
  EXPECT_EQ(f[7].action.byteIndex, 7u);
  EXPECT_EQ(f[7].action.direction, FaultDirection::In);
  EXPECT_EQ(f[7].action.mask, 0xff);
  EXPECT_EQ(f[8].action.area, "boot1");
  EXPECT_EQ(f[9].action.kind, K::CorruptByte);
  EXPECT_EQ(f[10].action.cycles, 2u);
  EXPECT_EQ(f[10].action.delay, milliseconds(100)) << "every_ms defaults to 100";
}

TEST(FaultConfig, MistakesNameFileAndLine) {
  struct Case {
    const char* yaml;  // the faults list, from line 4 of the file
    int line;
    const char* says;
  };
  const Case cases[] = {
      {"      - {when: {da_command: WRTIE_DATA}, do: unplug}\n", 4,
       "unknown da_command 'WRTIE_DATA'"},
      {"      - {when: {brom_command: BOOT_TO}, do: unplug}\n", 4, "unknown brom_command"},
      {"      - {when: {da_command: FORMAT, colour: red}, do: unplug}\n", 4,
       "unknown trigger key 'colour'"},
      {"      - {when: {da_command: FORMAT, brom_command: SEND_DA}, do: unplug}\n", 4,
       "when takes one of"},
      {"      - {when: {bulk_out_offset: 10, at: after}, do: unplug}\n", 4, "at belongs to"},
      {"      - {when: {da_command: FORMAT, from: da}, do: unplug}\n", 4, "from belongs to"},
      {"      - {when: {da_command: FORMAT, at: during}, do: unplug}\n", 4, "at must be"},
      {"      - {when: {da_command: FORMAT, probability: 1.5}, do: unplug}\n", 4, "probability"},
      {"      - {when: {da_command: FORMAT, occurrence: 0}, do: unplug}\n", 4, "occurrence"},
      {"      - {when: {bulk_in_offset: {min: 9, max: 3}}, do: unplug}\n", 4, "min is larger"},
      {"      - {when: {power_on: true, after_ms: 5}, do: unplug}\n", 4, "after_ms cannot"},
      {"      - {when: {occurrence: 2}, do: unplug}\n", 4, "when needs a trigger"},
      {"      - {when: {da_command: FORMAT}, do: explode}\n", 4, "unknown action 'explode'"},
      {"      - {when: {da_command: FORMAT}, do: {status: 0x1D0D, mask: 1}}\n", 4,
       "'mask' does not go with status"},
      {"      - {when: {da_command: FORMAT}, do: {delay_ms: 5, status: 1}}\n", 4, "one action"},
      {"      - {when: {da_command: FORMAT}, do: {silent: true}}\n", 4, "do as a mapping"},
      {"      - {when: {brom_command: SEND_DA}, do: {status: 0xC0040030}}\n", 4, "16 bits"},
      {"      - {when: {da_command: FORMAT}, do: {corrupt_byte: 1, direction: up}}\n", 4,
       "direction must be"},
      {"      - {when: {da_command: FORMAT}, do: {flap: 2, every_ms: 0}}\n", 4, "every_ms"},
      {"      - {when: {da_command: FORMAT}, do: unplug, times: 0}\n", 4, "times must be"},
      {"      - {when: {da_command: FORMAT}, do: unplug, then: stop}\n", 4,
       "unknown fault key 'then'"},
      {"      - {when: {da_command: FORMAT}}\n", 4, "needs both when and do"},
      {"      - unplug\n", 4, "each fault must be a mapping"},
  };
  for (const auto& c : cases) {
    auto r = parseEmulatorConfig(std::string("phones:\n  - kind: phone\n    faults:\n") + c.yaml,
                                 "bad.yaml");
    ASSERT_FALSE(r) << c.yaml;
    EXPECT_EQ(r.error().name, "EMU_CONFIG_INVALID") << c.yaml;
    EXPECT_NE(r.error().message.find("bad.yaml:" + std::to_string(c.line) + ":"), std::string::npos)
        << c.yaml << " -> " << r.error().message;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos)
        << c.yaml << " -> " << r.error().message;
    EXPECT_FALSE(r.error().hint.empty());
  }
  auto seed = parseEmulatorConfig("phones:\n  - kind: phone\n    seed: -1\n", "s.yaml");
  ASSERT_FALSE(seed);
  EXPECT_NE(seed.error().message.find("s.yaml:3"), std::string::npos) << seed.error().message;
  EXPECT_FALSE(parseEmulatorConfig("phones:\n  - kind: phone\n    faults: {a: 1}\n", "x"));
}

// A directory with a configuration file and an image beside it.
class ContentConfig : public ::testing::Test {
 protected:
  ContentConfig()
      : dir_(std::filesystem::temp_directory_path() /
             ("mtkemu-content-config-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "boot.img", std::ios::binary) << "ANDROID!";
  }
  ~ContentConfig() override { std::filesystem::remove_all(dir_); }
  std::string configPath() const { return (dir_ / "phones.yaml").string(); }
  std::filesystem::path dir_;
};

TEST_F(ContentConfig, EntriesAndFilesBesideTheConfiguration) {
  const PhoneSpec s = phone(R"(    initial_content:
      - {partition: nvram, pattern: 0xA5}
      - {partition: proinfo, seed: 7, offset: 4K, size: 1M}
      - {partition: boot, file: ./boot.img}
      - {partition: boot1, pattern: 1}
)",
                            configPath());
  ASSERT_EQ(s.initialContent.size(), 4u);
  const auto& c = s.initialContent;
  EXPECT_EQ(c[0].partition, "nvram");
  EXPECT_EQ(c[0].kind, InitialContent::Kind::Pattern);
  EXPECT_EQ(c[0].pattern, 0xa5);
  EXPECT_EQ(c[1].kind, InitialContent::Kind::Seeded);
  EXPECT_EQ(c[1].seed, 7u);
  EXPECT_EQ(c[1].offset, 4096u);
  EXPECT_EQ(c[1].size, 1u << 20);
  EXPECT_EQ(c[2].kind, InitialContent::Kind::File);
  EXPECT_EQ(std::filesystem::path(c[2].file), dir_ / "./boot.img");
  EXPECT_FALSE(c[2].size);
  EXPECT_EQ(c[3].partition, "boot1") << "a storage area is a target too";
}

TEST_F(ContentConfig, MistakesNameFileAndLine) {
  struct Case {
    const char* yaml;
    const char* says;
  };
  const Case cases[] = {
      {"      - {partition: nvarm, pattern: 1}\n", "layout does not have"},
      {"      - {partition: nvram}\n", "exactly one of pattern, seed, file"},
      {"      - {partition: nvram, pattern: 1, seed: 2}\n", "exactly one of"},
      {"      - {partition: nvram, pattern: 0x100}\n", "pattern must be between"},
      {"      - {partition: nvram, file: ./missing.img}\n", "is not there"},
      {"      - {partition: nvram, pattern: 1, colour: red}\n", "unknown initial_content key"},
      {"      - {pattern: 1}\n", "needs a partition"},
      {"      - {partition: lu0, pattern: 1}\n", "layout does not have"},  // eMMC: no lu0
  };
  for (const auto& c : cases) {
    auto r = parseEmulatorConfig(
        std::string("phones:\n  - kind: phone\n    initial_content:\n") + c.yaml, configPath());
    ASSERT_FALSE(r) << c.yaml;
    EXPECT_NE(r.error().message.find(configPath() + ":4:"), std::string::npos)
        << c.yaml << " -> " << r.error().message;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos)
        << c.yaml << " -> " << r.error().message;
  }
  // The layout is checked whichever key comes first.
  EXPECT_TRUE(parseEmulatorConfig(R"(phones:
  - kind: phone
    initial_content: [{partition: mine, pattern: 1}]
    layout: [{name: mine, size: 1M}, {name: userdata}]
)",
                                  "x"));
  EXPECT_TRUE(parseEmulatorConfig(
      "phones:\n  - kind: phone\n    storage: {type: ufs}\n    initial_content: [{partition: lu0, "
      "pattern: 1}]\n",
      "x"));
}

}  // namespace
}  // namespace mtk::emu
