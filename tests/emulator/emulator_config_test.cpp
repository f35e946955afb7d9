#include <gtest/gtest.h>

#include "mtk/emu/emulator_config.hpp"

namespace mtk::emu {
namespace {

TEST(EmulatorConfigTest, ParsesServerAndPhones) {
  auto c = parseEmulatorConfig(R"(
server:
  port: 4000
phones:
  - kind: echo
    pid: 0x0003
    speed: full
  - kind: echo
    count: 2
)",
                               "t.yaml");
  ASSERT_TRUE(c) << c.error().describe();
  EXPECT_EQ(c->address, "127.0.0.1");  // loopback unless told otherwise
  EXPECT_EQ(c->port, 4000);
  ASSERT_EQ(c->phones.size(), 2u);
  EXPECT_EQ(c->phones[0].pid, 0x0003);
  EXPECT_EQ(c->phones[0].speed, wire::usbip::Speed::Full);
  EXPECT_EQ(c->phones[1].count, 2u);

  DeviceBus bus;
  auto plugged = plugConfiguredDevices(bus, *c);
  ASSERT_TRUE(plugged);
  ASSERT_EQ(plugged->size(), 3u);
  EXPECT_EQ((*plugged)[2].busid, "1-3");
  EXPECT_EQ(bus.list()[0].speed, wire::usbip::Speed::Full);
}

TEST(EmulatorConfigTest, ErrorsNameFileAndLine) {
  auto c = parseEmulatorConfig("phones:\n  - kind: echo\n    colour: red\n", "bad.yaml");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().name, "EMU_CONFIG_INVALID");
  EXPECT_NE(c.error().message.find("bad.yaml:3"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("colour"), std::string::npos);

  EXPECT_FALSE(parseEmulatorConfig("phones:\n  - speed: warp\n", "x"));
  EXPECT_FALSE(parseEmulatorConfig("phones:\n  - vid: 0x10000\n", "x"));
  EXPECT_FALSE(parseEmulatorConfig("phones: [\n", "x"));
  EXPECT_FALSE(parseEmulatorConfig("phones:\n  - kind: toaster\n", "x"));
}

TEST(EmulatorConfigTest, PhoneStorageAndLayout) {
  auto c = parseEmulatorConfig(R"(
phones:
  - kind: phone
    chip: MT6757
    boot: brom
    security: {sla: true}
    storage: {type: ufs, user_size: 8G, directory: /tmp/x}
    partition_table: pmt
    layout: [{name: nvram, size: 5M}, {name: userdata}]
)",
                               "t.yaml");
  ASSERT_TRUE(c) << c.error().describe();
  const auto& p = c->phones[0];
  EXPECT_EQ(p.kind, "phone");
  EXPECT_STREQ(p.spec.chip->name, "MT6757");
  EXPECT_TRUE(p.bootBrom);
  EXPECT_EQ(p.spec.targetConfig, 0x2u);
  EXPECT_EQ(p.spec.storage.kind, StorageKind::Ufs);
  EXPECT_EQ(p.spec.storage.sectorSize, 4096u);
  EXPECT_EQ(p.spec.storage.user, 8ull << 30);
  EXPECT_EQ(p.spec.partitionTable, TableKind::Pmt);
  ASSERT_EQ(p.spec.layout.size(), 2u);
  EXPECT_EQ(p.spec.layout[0].size, 5u << 20);
  EXPECT_EQ(p.spec.layout[1].size, 0u);
  EXPECT_FALSE(
      parseEmulatorConfig("phones:\n  - kind: phone\n    storage: {user_size: 1T}\n", "x"));
  EXPECT_FALSE(parseEmulatorConfig("phones:\n  - kind: phone\n    layout: [{size: 1M}]\n", "x"));
  EXPECT_FALSE(parseEmulatorConfig("phones:\n  - kind: phone\n    partition_table: fat\n", "x"));
}

TEST(EmulatorConfigTest, DaStageKnobs) {
  auto c = parseEmulatorConfig(R"(
phones:
  - kind: phone
    emi_version: v30
    dram_init_fails: true
    da2_hash_check: false
    usb_speed_switch: true
    write_packet_length: 64K
    read_packet_length: 2M
    corrupt_write_chunks: 2
    power_cut_after: 64M
)",
                               "t.yaml");
  ASSERT_TRUE(c) << c.error().describe();
  const auto& s = c->phones[0].spec;
  EXPECT_EQ(s.emiVersion, "v30");
  EXPECT_TRUE(s.dramInitFails);
  EXPECT_FALSE(s.checkDa2Hash);
  EXPECT_TRUE(s.usbSpeedSwitch);
  EXPECT_EQ(s.writePacketLength, 64u << 10);
  EXPECT_EQ(s.readPacketLength, 2u << 20);
  EXPECT_EQ(s.corruptWriteChunks, 2u);
  ASSERT_TRUE(s.powerCutAfter);
  EXPECT_EQ(*s.powerCutAfter, 64u << 20);
  EXPECT_FALSE(parseEmulatorConfig("phones:\n  - kind: phone\n    emi_version: 27\n", "x"));
  EXPECT_FALSE(parseEmulatorConfig("phones:\n  - kind: phone\n    write_packet_length: 1\n", "x"));
}

}  // namespace
}  // namespace mtk::emu
