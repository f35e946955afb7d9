// From a phone in BROM/preloader mode to a ready DA, through the engine: the DA file's entry
// for the chip, DRAM from the preloader's EMI settings in BROM mode, DA2, storage; and picking
// up a DA an earlier run left running.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <cstring>
#include "engine_fixture.hpp"
#include "mtk/emu/phone/virtual_phone.hpp"
#include "mtk/emu/usbip_server.hpp"
#include "mtk/flasher/da_session.hpp"
#include "mtk/flasher/partition_table.hpp"
#include "mtk/flasher/usbip_client.hpp"
#include "mtk/inproc/inprocess_link.hpp"

#include "mtk/wire/da_container.hpp"
#include "mtk/wire/gpt.hpp"
#include "mtk/wire/preloader_image.hpp"

namespace mtk::test {
namespace {

using namespace std::chrono_literals;
namespace da = wire::da;

class DaSessionTest : public PhoneRig {
 protected:
  // One phone at a time, with a small user area.
  emu::VirtualPhone& phone(emu::PhoneSpec spec, bool brom) {
    spec.storage.user = 64ull << 20;
    phones_.clear();
    busids_.clear();
    return addPhone(std::move(spec), brom);
  }
};

TEST_P(DaSessionTest, PreloaderModeNeedsNoEmi) {
  phone({}, false);
  auto s = open(testDa(dir_, {0x6580, 0x6765}));
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(s->connectionAgent, "preloader");
  EXPECT_EQ(s->storage.type, flasher::StorageType::Emmc);
  auto table = flasher::readPartitionTable(*s->da, s->storage);
  ASSERT_TRUE(table) << table.error().describe();
  EXPECT_EQ(table->kind, "GPT");
  EXPECT_TRUE(table->find("nvram"));
  s->close();
}

TEST_P(DaSessionTest, BromModeBringsUpDramFromThePreloader) {
  phone({}, true);
  const auto preloader = dir_.file("preloader.bin", wire::preloader::buildTestPreloader({}));
  auto s = open(testDa(dir_, {0x6765}), preloader);
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(s->connectionAgent, "brom");
}

TEST_P(DaSessionTest, BromModeWithoutPreloaderIs5054) {
  phone({}, true);
  auto s = open(testDa(dir_, {0x6765}));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().name, "S_DL_GET_DRAM_SETTING_FAIL");
  EXPECT_EQ(s.error().code, 5054);
}

TEST_P(DaSessionTest, PreloaderWithoutEmiIs5054) {
  phone({}, true);
  wire::preloader::TestPreloaderSpec p;
  p.withEmi = false;
  auto s =
      open(testDa(dir_, {0x6765}), dir_.file("pl.bin", wire::preloader::buildTestPreloader(p)));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().name, "S_DL_GET_DRAM_SETTING_FAIL");
}

TEST_P(DaSessionTest, WrongRamSettingsAre4032BeforeAnyStorageAccess) {
  emu::PhoneSpec spec;
  spec.emiVersion = "v30";  // this phone's RAM needs other settings than the preloader has
  auto& p = phone(spec, true);
  const auto before = p.storage()->bytesWritten();  // the initial partition table
  auto s =
      open(testDa(dir_, {0x6765}), dir_.file("pl.bin", wire::preloader::buildTestPreloader({})));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().name, "S_FT_ENABLE_DRAM_FAIL");
  EXPECT_EQ(s.error().code, 4032);
  EXPECT_EQ(p.storage()->bytesWritten(), before);
}

TEST_P(DaSessionTest, DaFileWithoutTheChipListsWhatItHas) {
  phone({}, false);
  auto s = open(testDa(dir_, {0x6580, 0x6735}));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().name, "STATUS_DA_SELECTION_ERR");
  EXPECT_NE(s.error().message.find("no loader for MT6765"), std::string::npos) << s.error().message;
  EXPECT_NE(s.error().message.find("MT6580"), std::string::npos) << s.error().message;
}

TEST_P(DaSessionTest, AnXmlDaIsRefusedBeforeTheDeviceIsTouched) {
  phone({}, false);
  auto s = open(testDa(dir_, {0x6765}, da::kTestDaIdV6));
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("XML (V6)"), std::string::npos) << s.error().message;
  EXPECT_EQ(phones_.at(0)->state(), emu::PhoneState::PreloaderListening)
      << "nothing was sent to the phone";
}

TEST_P(DaSessionTest, ASecondRunPicksUpTheRunningDa) {
  phone({}, false);
  const auto daPath = testDa(dir_, {0x6765});
  {
    auto first = open(daPath);
    ASSERT_TRUE(first) << first.error().describe();
    first->close();
  }
  auto second = open(daPath);
  ASSERT_TRUE(second) << second.error().describe();
  EXPECT_EQ(second->phone.target.hwCode, 0x0766) << "identified through GET_CHIP_ID";
  EXPECT_TRUE(flasher::readPartitionTable(*second->da, second->storage));
}

TEST_P(DaSessionTest, NoOrDamagedTableIsS_PART_NO_VALID_TABLE) {
  for (auto kind : {emu::TableKind::None, emu::TableKind::CorruptGpt}) {
    emu::PhoneSpec spec;
    spec.partitionTable = kind;
    phone(spec, false);
    auto s = open(testDa(dir_, {0x6765}));
    ASSERT_TRUE(s) << s.error().describe();
    auto table = flasher::readPartitionTable(*s->da, s->storage);
    ASSERT_FALSE(table) << emu::tableKindName(kind);
    EXPECT_EQ(table.error().name, "S_PART_NO_VALID_TABLE");
    EXPECT_EQ(table.error().code, 1037);
    EXPECT_NE(table.error().hint.find("Format All + Download"), std::string::npos);
    s->close();
    phones_.clear();
  }
}

TEST_P(DaSessionTest, PmtPhonesAreReadToo) {
  emu::PhoneSpec spec;
  spec.partitionTable = emu::TableKind::Pmt;
  phone(spec, false);
  auto s = open(testDa(dir_, {0x6765}));
  ASSERT_TRUE(s) << s.error().describe();
  auto table = flasher::readPartitionTable(*s->da, s->storage);
  ASSERT_TRUE(table) << table.error().describe();
  EXPECT_EQ(table->kind, "PMT");
  ASSERT_TRUE(table->find("NVRAM")) << "names are matched without regard to case";
}

TEST_P(DaSessionTest, StorageMismatchNamesBoth) {
  emu::PhoneSpec spec;
  spec.storage.kind = emu::StorageKind::Ufs;
  spec.storage.sectorSize = 4096;
  phone(spec, false);
  auto s = open(testDa(dir_, {0x6765}));
  ASSERT_TRUE(s) << s.error().describe();
  auto check = flasher::checkStorage(s->storage, "HW_STORAGE_EMMC");
  ASSERT_FALSE(check);
  EXPECT_EQ(check.error().name, "S_STORAGE_NOT_MATCH");
  EXPECT_EQ(check.error().code, 3183);
  EXPECT_NE(check.error().message.find("the firmware is for EMMC, the phone reports UFS"),
            std::string::npos)
      << check.error().message;
  EXPECT_TRUE(flasher::checkStorage(s->storage, "UFS"));
}

// A table the flasher writes is the table the parser reads back.
TEST_P(DaSessionTest, AGptWrittenThroughTheDaReadsBack) {
  emu::PhoneSpec spec;
  spec.partitionTable = emu::TableKind::None;
  phone(spec, false);
  auto s = open(testDa(dir_, {0x6765}));
  ASSERT_TRUE(s) << s.error().describe();
  wire::gpt::Layout l;
  l.diskSectors = s->storage.user()->size / 512;
  l.partitions = {{"preloader_a", 2048, 4095, wire::gpt::basicDataType(), {1}, 0},
                  {"nvram", 4096, 14335, wire::gpt::basicDataType(), {2}, 0},
                  {"userdata", 14336, l.diskSectors - 40, wire::gpt::basicDataType(), {3}, 0}};
  const auto primary = wire::gpt::buildPrimary(l);
  std::size_t given = 0;
  ASSERT_TRUE(s->da->write(s->storage.user()->partType, 0, primary.size(),
                           [&](wire::MutableByteSpan out) -> Result<std::size_t> {
                             std::memcpy(out.data(), primary.data() + given, out.size());
                             given += out.size();
                             return out.size();
                           }));
  auto table = flasher::readPartitionTable(*s->da, s->storage);
  ASSERT_TRUE(table) << table.error().describe();
  ASSERT_EQ(table->partitions.size(), 3u);
  EXPECT_EQ(table->partitions[1].name, "nvram");
  EXPECT_EQ(table->partitions[1].offset, 4096u * 512);
  EXPECT_EQ(table->partitions[1].size, 10240u * 512);
}

// boot1 holds the preloader behind its headers; a readback "processed" into a flashable
// preloader carries the phone's own EMI settings and brings DRAM up in BROM mode.
TEST_P(DaSessionTest, Boot1ReadbackBecomesThePreloaderThatBringsUpDram) {
  auto& p = phone({}, false);
  const auto daPath = testDa(dir_, {0x6765});
  wire::Bytes boot1;
  {
    auto s = open(daPath);
    ASSERT_TRUE(s) << s.error().describe();
    const auto* area = s->storage.area("boot1");
    ASSERT_TRUE(area);
    ASSERT_TRUE(s->da->read(area->partType, 0, 256 * 1024, [&](wire::ByteSpan piece) -> Status {
      boot1.insert(boot1.end(), piece.begin(), piece.end());
      return {};
    }));
    s->close();
  }
  EXPECT_EQ(std::string(boot1.begin(), boot1.begin() + 9), "EMMC_BOOT");
  auto image = wire::preloader::unwrapBootRegion(boot1);
  ASSERT_TRUE(image) << image.error().describe();
  auto emi = wire::preloader::extractEmi(*image);
  ASSERT_TRUE(emi) << emi.error().describe();
  EXPECT_EQ(wire::preloader::emiVersion(*emi), "v27");

  p.powerOff();
  p.powerOn(/*holdVolumeDown=*/true);
  auto brom = open(daPath, dir_.file("preloader_from_boot1.bin", *image));
  ASSERT_TRUE(brom) << brom.error().describe();
  EXPECT_EQ(brom->connectionAgent, "brom");
}

// Through a full-speed BROM the DA offers to switch to high speed: the phone re-enumerates as
// 0e8d:2001 and the session follows it, as it must on real hardware.
TEST_P(DaSessionTest, FollowsTheDaToItsHighSpeedIdentity) {
  emu::PhoneSpec spec;
  spec.usbSpeedSwitch = true;
  phone(spec, true);
  auto s =
      open(testDa(dir_, {0x6765}), dir_.file("pl.bin", wire::preloader::buildTestPreloader({})));
  ASSERT_TRUE(s) << s.error().describe();
  EXPECT_EQ(s->phone.target.usb.pid, 0x2001);
  EXPECT_EQ(s->phone.target.usb.speed, 3);
  auto table = flasher::readPartitionTable(*s->da, s->storage);
  ASSERT_TRUE(table) << table.error().describe();
  auto list = bus_.list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].idProduct, 0x2001);
}

INSTANTIATE_TEST_SUITE_P(Transports, DaSessionTest, ::testing::Values("inproc", "usbip"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace mtk::test
