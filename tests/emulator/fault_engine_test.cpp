// The fault engine alone: which rules fire for which events, with no phone around it. The
// properties a scenario relies on: occurrence and times count as documented, offsets are
// reached once per power-on and can count from the DA's start, time is the caller's clock,
// and the same seed gives the same firings.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "mtk/emu/phone/fault_engine.hpp"
#include "mtk/emu/splitmix64.hpp"

namespace mtk::emu {
namespace {

using K = FaultTrigger::Kind;
using std::chrono::milliseconds;
using Ids = std::vector<std::size_t>;

const Clock::time_point t0{std::chrono::seconds(1)};

FaultRule onCommand(FaultStage stage, const char* name, unsigned occurrence = 1, unsigned times = 1,
                    double p = 1.0) {
  FaultRule r;
  r.trigger.kind = stage == FaultStage::Brom ? K::BromCommand : K::DaCommand;
  r.trigger.command = name;
  r.trigger.occurrence = occurrence;
  r.trigger.probability = p;
  r.times = times;
  return r;
}

FaultRule atOffset(FaultDirection d, std::uint64_t offset, bool fromDa = false) {
  FaultRule r;
  r.trigger.kind = K::BulkOffset;
  r.trigger.direction = d;
  r.trigger.offset = offset;
  r.trigger.fromDaStart = fromDa;
  return r;
}

TEST(FaultEngine, OccurrenceAndTimes) {
  FaultEngine e({onCommand(FaultStage::Da, "WRITE_DATA", 3, 2)}, 0);
  e.powerOn(t0);
  std::string fired;
  for (int i = 0; i < 6; ++i) {
    fired += e.onCommand(FaultStage::Da, "WRITE_DATA", FaultPhase::Before, t0).empty() ? '.' : 'X';
  }
  EXPECT_EQ(fired, "..XX..");
  EXPECT_TRUE(e.onCommand(FaultStage::Da, "WRITE_DATA", FaultPhase::After, t0).empty());
  EXPECT_TRUE(e.onCommand(FaultStage::Brom, "WRITE_DATA", FaultPhase::Before, t0).empty());
  ASSERT_EQ(e.fired().size(), 2u);
  EXPECT_EQ(e.fired()[0].trigger, "before da_command WRITE_DATA, occurrence 3 #3");
  EXPECT_EQ(e.fired()[1].trigger, "before da_command WRITE_DATA, occurrence 3 #4");
}

TEST(FaultEngine, TimesZeroIsEveryTimeAndRulesFireInOrder) {
  FaultEngine e(
      {onCommand(FaultStage::Brom, "SEND_DA", 1, 0), onCommand(FaultStage::Brom, "SEND_DA")}, 0);
  e.powerOn(t0);
  EXPECT_EQ(e.onCommand(FaultStage::Brom, "SEND_DA", FaultPhase::Before, t0), (Ids{0, 1}));
  EXPECT_EQ(e.onCommand(FaultStage::Brom, "SEND_DA", FaultPhase::Before, t0), (Ids{0}));
  EXPECT_EQ(e.onCommand(FaultStage::Brom, "SEND_DA", FaultPhase::Before, t0), (Ids{0}));
}

TEST(FaultEngine, CommandCountsCarryOverPowerOns) {
  FaultEngine e({onCommand(FaultStage::Brom, "GET_HW_CODE", 2)}, 0);
  e.powerOn(t0);
  EXPECT_TRUE(e.onCommand(FaultStage::Brom, "GET_HW_CODE", FaultPhase::Before, t0).empty());
  e.powerOn(t0 + milliseconds(10));
  EXPECT_EQ(e.onCommand(FaultStage::Brom, "GET_HW_CODE", FaultPhase::Before, t0), (Ids{0}));
  EXPECT_EQ(e.fired()[0].powerOn, 2u);
}

TEST(FaultEngine, OffsetsAreMarksReachedOncePerPowerOn) {
  FaultRule r = atOffset(FaultDirection::Out, 100);
  r.times = 0;
  FaultEngine e({r, atOffset(FaultDirection::In, 7)}, 0);
  e.powerOn(t0);
  EXPECT_EQ(e.nextMark(FaultDirection::Out), 100u);
  EXPECT_EQ(e.nextMark(FaultDirection::In), 7u);
  e.advance(FaultDirection::Out, 99);
  EXPECT_TRUE(e.onBulk(FaultDirection::Out, t0).empty());
  e.advance(FaultDirection::Out, 1);
  EXPECT_EQ(e.onBulk(FaultDirection::Out, t0), (Ids{0}));
  EXPECT_TRUE(e.onBulk(FaultDirection::Out, t0).empty()) << "reached twice in one power-on";
  EXPECT_FALSE(e.nextMark(FaultDirection::Out));
  e.powerOn(t0);  // the stream counts from 0 again
  EXPECT_EQ(e.position(FaultDirection::Out), 0u);
  e.advance(FaultDirection::Out, 100);
  EXPECT_EQ(e.onBulk(FaultDirection::Out, t0), (Ids{0}));
}

TEST(FaultEngine, OffsetsFromTheDaStart) {
  FaultEngine e({atOffset(FaultDirection::Out, 16, true)}, 0);
  e.powerOn(t0);
  e.advance(FaultDirection::Out, 16);
  EXPECT_TRUE(e.onBulk(FaultDirection::Out, t0).empty()) << "no DA yet";
  EXPECT_FALSE(e.nextMark(FaultDirection::Out));
  e.advance(FaultDirection::Out, 1000);
  e.daStarted(4);  // JUMP_DA's address is still being delivered
  EXPECT_EQ(e.nextMark(FaultDirection::Out), 1016u + 4 + 16);
}

TEST(FaultEngine, RandomOffsetsAreDrawnOnceFromTheSeed) {
  FaultRule r = atOffset(FaultDirection::Out, 0);
  r.trigger.offsetRange = std::pair<std::uint64_t, std::uint64_t>{1000, 2000};
  FaultEngine a({r}, 5), b({r}, 5), c({r}, 6);
  a.powerOn(t0);
  b.powerOn(t0);
  c.powerOn(t0);
  ASSERT_TRUE(a.nextMark(FaultDirection::Out));
  EXPECT_GE(*a.nextMark(FaultDirection::Out), 1000u);
  EXPECT_LE(*a.nextMark(FaultDirection::Out), 2000u);
  EXPECT_EQ(a.nextMark(FaultDirection::Out), b.nextMark(FaultDirection::Out));
  EXPECT_NE(a.nextMark(FaultDirection::Out), c.nextMark(FaultDirection::Out));
}

TEST(FaultEngine, TimeIsTheCallersClock) {
  FaultRule r;
  r.trigger.kind = K::Time;
  r.trigger.afterMs = milliseconds(500);
  r.times = 0;
  FaultEngine e({r}, 0);
  e.powerOn(t0);
  EXPECT_TRUE(e.onTime(t0 + milliseconds(499)).empty());
  EXPECT_EQ(e.onTime(t0 + milliseconds(500)), (Ids{0}));
  EXPECT_TRUE(e.onTime(t0 + milliseconds(900)).empty()) << "once per power-on";
  e.powerOn(t0 + milliseconds(1000));
  EXPECT_TRUE(e.onTime(t0 + milliseconds(1499)).empty()) << "counted from the new power-on";
  EXPECT_EQ(e.onTime(t0 + milliseconds(1500)), (Ids{0}));
  EXPECT_EQ(e.fired()[1].at, milliseconds(500));
}

TEST(FaultEngine, AfterMsGatesOtherTriggers) {
  FaultRule r = onCommand(FaultStage::Da, "READ_DATA");
  r.trigger.afterMs = milliseconds(100);
  FaultEngine e({r}, 0);
  e.powerOn(t0);
  EXPECT_TRUE(e.onCommand(FaultStage::Da, "READ_DATA", FaultPhase::Before, t0).empty());
  EXPECT_EQ(e.onCommand(FaultStage::Da, "READ_DATA", FaultPhase::Before, t0 + milliseconds(100)),
            (Ids{0}));
}

TEST(FaultEngine, PowerOnTrigger) {
  FaultRule r;
  r.trigger.kind = K::PowerOn;
  r.trigger.occurrence = 2;
  FaultEngine e({r}, 0);
  e.powerOn(t0);
  EXPECT_TRUE(e.onPowerOn(t0).empty());
  e.powerOn(t0);
  EXPECT_EQ(e.onPowerOn(t0), (Ids{0}));
}

// Which of 64 matches a rule of probability p fires on.
std::string coins(std::uint64_t seed, double p, bool withCertainRule = false) {
  std::vector<FaultRule> rules = {onCommand(FaultStage::Da, "WRITE_DATA", 1, 0, p)};
  if (withCertainRule) rules.insert(rules.begin(), onCommand(FaultStage::Da, "WRITE_DATA", 1, 0));
  FaultEngine e(rules, seed);
  e.powerOn(t0);
  const std::size_t mine = withCertainRule ? 1 : 0;
  std::string s;
  for (int i = 0; i < 64; ++i) {
    const Ids f = e.onCommand(FaultStage::Da, "WRITE_DATA", FaultPhase::Before, t0);
    s += std::find(f.begin(), f.end(), mine) != f.end() ? '1' : '0';
  }
  return s;
}

TEST(FaultEngine, ProbabilityIsSeeded) {
  EXPECT_EQ(coins(42, 0.5), coins(42, 0.5));
  EXPECT_NE(coins(42, 0.5), coins(43, 0.5));
  EXPECT_EQ(coins(42, 0.0), std::string(64, '0'));
  const std::string quarter = coins(9, 0.25);
  const auto ones = std::count(quarter.begin(), quarter.end(), '1');
  EXPECT_GT(ones, 4) << quarter;
  EXPECT_LT(ones, 32) << quarter;
  // A rule without a probability draws nothing, so it does not shift the others' coins.
  EXPECT_EQ(coins(42, 0.5), coins(42, 0.5, true));
}

TEST(FaultEngine, SplitMix64MatchesItsReference) {
  // Outputs of SplitMix64 seeded with 0 (Vigna's splitmix64.c): the first three.
  SplitMix64 g(0);
  EXPECT_EQ(g.next(), 0xe220a8397b1dcdafull);
  EXPECT_EQ(g.next(), 0x6e789e6aa1b965f4ull);
  EXPECT_EQ(g.next(), 0x06c45d188009454full);
  EXPECT_EQ(SplitMix64::at(0, 2), 0x06c45d188009454full);
}

TEST(FaultEngine, Descriptions) {
  FaultRule r = atOffset(FaultDirection::In, 0x100000, true);
  r.action.kind = FaultAction::Kind::CorruptByte;
  r.action.byteIndex = 3;
  r.action.direction = FaultDirection::In;
  r.name = "bad cable";
  EXPECT_EQ(describeTrigger(r.trigger), "bulk_in_offset 0x100000 from da");
  EXPECT_EQ(describeAction(r.action), "corrupt_byte 3 in mask 0x01");
  FaultEngine e({r}, 0);
  e.powerOn(t0);
  e.daStarted();
  e.advance(FaultDirection::In, 0x100000);
  ASSERT_EQ(e.onBulk(FaultDirection::In, t0 + milliseconds(20)), (Ids{0}));
  EXPECT_EQ(e.fired()[0].describe(),
            "bad cable: corrupt_byte 3 in mask 0x01 on bulk_in_offset 0x100000 from da "
            "(power-on 1, +20 ms)");
}

}  // namespace
}  // namespace mtk::emu
