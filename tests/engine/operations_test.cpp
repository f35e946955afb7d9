// The firmware operations end to end, over USB/IP and in process: a sample MT6765 firmware
// (scatter, test preloader, raw and sparse images) flashed onto virtual phones with the engine's
// plans. Content is checked in the phone's storage itself, byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "engine_fixture.hpp"
#include "mtk/flasher/flash_plan.hpp"
#include "mtk/flasher/image_reader.hpp"
#include "mtk/flasher/operation.hpp"
#include "mtk/flasher/phone_scatter.hpp"
#include "mtk/wire/preloader_image.hpp"
#include "mtk/wire/sha256.hpp"
#include "mtk/wire/xflash.hpp"
#include "sample_firmware.hpp"

namespace mtk::test {
namespace {

namespace fs = std::filesystem;
namespace xf = wire::xflash;
using flasher::PlanOptions;

constexpr std::uint64_t MiB = 1ull << 20;
constexpr std::uint64_t kUser = 512 * MiB;
// Where the sample layout puts vendor and system with 64 MiB partitions.
constexpr std::uint64_t kVendor = 0xad80000;
constexpr std::uint64_t kSystem = kVendor + 64 * MiB;

class OperationsTest : public PhoneRig {
 protected:
  void SetUp() override {
    PhoneRig::SetUp();
    da_ = testDa(dir_, {0x6765});
  }

  // A phone like the sample firmware's: MT6765, with a small eMMC (512 MiB user area).
  emu::VirtualPhone& phone(emu::TableKind table = emu::TableKind::None) {
    emu::PhoneSpec spec;
    spec.storage.user = kUser;
    spec.partitionTable = table;
    return addPhone(std::move(spec));
  }

  std::string firmware(const std::string& name, bool movedNvram = false, std::uint32_t seed = 1) {
    sample::FirmwareSpec f;
    f.directory = dir_.sub(name);
    f.systemData = 6 * MiB;
    f.systemSize = 24 * MiB;
    f.bootSize = 2 * MiB;
    f.movedNvram = movedNvram;
    f.seed = seed;
    f.vendorPartition = 64 * MiB;
    f.systemPartition = 64 * MiB;
    auto s = sample::writeFirmware(f);
    EXPECT_TRUE(s) << s.error().describe();
    return sample::scatterPath(f);
  }

  flasher::Firmware load(const std::string& scatter) {
    auto fw = flasher::loadFirmware(scatter);
    EXPECT_TRUE(fw) << fw.error().describe();
    return fw ? *fw : flasher::Firmware{};
  }

  using Builder = std::function<Result<flasher::Plan>(const flasher::PhoneFacts&)>;

  // Opens a DA session on phone `index`, builds the plan against the phone, runs it.
  Result<flasher::RunSummary> run(const Builder& build, std::size_t index = 0,
                                  flasher::RunOptions ro = {}) {
    auto s = open(da_, {}, index);
    if (!s) return s.error();
    flasher::PhoneFacts facts;
    facts.chip = "MT6765";
    facts.storage = s->storage;
    auto t = flasher::readPartitionTable(*s->da, s->storage);
    if (t) {
      facts.table = *t;
    } else {
      facts.tableError = t.error();
    }
    auto plan = build(facts);
    if (!plan) {
      s->close();
      return plan.error();
    }
    auto r = flasher::runPlan(*s->da, s->storage, *plan, ro);
    s->close();
    return r;
  }

  wire::Bytes onPhone(std::size_t index, std::uint32_t partType, std::uint64_t offset,
                      std::uint64_t length) {
    wire::Bytes b(length);
    auto r = phones_.at(index)->storage()->read(partType, offset, b);
    EXPECT_TRUE(r) << r.error().describe();
    return b;
  }

  static wire::Bytes fileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return wire::Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  // Every data stretch of an image (raw or sparse) equals the phone at `offset`.
  void expectImageOnPhone(std::size_t index, const std::string& image, std::uint64_t offset) {
    auto r = flasher::ImageReader::open(image);
    ASSERT_TRUE(r) << r.error().describe();
    ASSERT_FALSE((*r)->stretches().empty());
    for (const auto& st : (*r)->stretches()) {
      wire::Bytes want(st.length);
      ASSERT_TRUE((*r)->next(want));
      EXPECT_EQ(onPhone(index, xf::EMMC_USER, offset + st.offset, st.length), want)
          << image << " at +" << st.offset;
    }
  }

  wire::Bytes pattern(std::size_t n, std::uint8_t seed) {
    wire::Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 31 + (i >> 9));
    return b;
  }

  std::string da_;
};

const flasher::PartitionInfo* entry(const flasher::PhoneFacts& f, const std::string& name) {
  return f.table ? f.table->find(name) : nullptr;
}

TEST_P(OperationsTest, FormatDownloadFlashesABlankPhoneAndVerifies) {
  phone();
  const auto fw = load(firmware("fw"));
  PlanOptions o;
  o.verify = true;
  auto r = run([&](const auto& f) { return flasher::planFormatDownload(fw, &f, o); });
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->imagesWritten,
            9u);  // preloader x2, lk, boot, recovery, logo, vendor, system, userdata
  EXPECT_EQ(r->imagesVerified, 9u);
  // The table the phone now has is the scatter's.
  auto s = open(da_);
  ASSERT_TRUE(s) << s.error().describe();
  auto t = flasher::readPartitionTable(*s->da, s->storage);
  ASSERT_TRUE(t) << t.error().describe();
  s->close();
  EXPECT_EQ(t->kind, "GPT");
  ASSERT_TRUE(t->find("system"));
  EXPECT_EQ(t->find("system")->offset, kSystem);
  EXPECT_EQ(t->find("nvram")->offset, 0x380000u);
  ASSERT_TRUE(t->find("userdata"));
  EXPECT_EQ(t->find("userdata")->offset + t->find("userdata")->size,
            kUser - 0x1000000 - 0x80000);  // up to flashinfo
  // Images byte for byte, sparse ones stretch by stretch.
  const std::string d = dir_.sub("fw") + "/";
  expectImageOnPhone(0, d + "boot.img", 0x2580000);
  expectImageOnPhone(0, d + "system.img", kSystem);
  expectImageOnPhone(0, d + "vendor.img", kVendor);
  // The preloader sits behind its boot header in both boot areas.
  const auto boot1 = onPhone(0, xf::EMMC_BOOT1, 0, 0x40000);
  auto pl = wire::preloader::unwrapBootRegion(boot1);
  ASSERT_TRUE(pl) << pl.error().describe();
  EXPECT_EQ(*pl, fileBytes(d + "preloader_k65v1_64_bsp.bin"));
  EXPECT_EQ(onPhone(0, xf::EMMC_BOOT2, 0, 0x40000), boot1);
}

TEST_P(OperationsTest, NvramSurvivesFormatDownloadAndFormat) {
  phone();
  const auto fw = load(firmware("fw"));
  ASSERT_TRUE(run([&](const auto& f) { return flasher::planFormatDownload(fw, &f, {}); }));
  const auto nv = pattern(5 * MiB, 7);
  ASSERT_TRUE(phones_[0]->storage()->write(xf::EMMC_USER, 0x380000, nv));
  const auto boot = onPhone(0, xf::EMMC_USER, 0x2580000, 2 * MiB);
  ASSERT_TRUE(run([&](const auto& f) { return flasher::planFormatDownload(fw, &f, {}); }));
  EXPECT_EQ(onPhone(0, xf::EMMC_USER, 0x380000, nv.size()), nv);
  EXPECT_EQ(onPhone(0, xf::EMMC_USER, 0x2580000, 2 * MiB), boot);

  PlanOptions all;
  all.formatScope = PlanOptions::FormatScope::All;
  ASSERT_TRUE(run([&](const auto& f) { return flasher::planFormat(nullptr, &f, all); }));
  EXPECT_EQ(onPhone(0, xf::EMMC_USER, 0x380000, nv.size()), nv);  // kept by the phone's table
  EXPECT_EQ(onPhone(0, xf::EMMC_USER, 0x2580000, 2 * MiB), wire::Bytes(2 * MiB, 0));  // erased

  // Named explicitly, it goes (the format above took the table too: flash it again first).
  ASSERT_TRUE(run([&](const auto& f) { return flasher::planFormatDownload(fw, &f, {}); }));
  EXPECT_EQ(onPhone(0, xf::EMMC_USER, 0x380000, nv.size()), nv);
  PlanOptions named;
  named.formatScope = PlanOptions::FormatScope::Partitions;
  named.partitions = {"nvram"};
  ASSERT_TRUE(run([&](const auto& f) { return flasher::planFormat(nullptr, &f, named); }));
  EXPECT_EQ(onPhone(0, xf::EMMC_USER, 0x380000, nv.size()), wire::Bytes(nv.size(), 0));
}

TEST_P(OperationsTest, FormatExceptBootloaderAndByRange) {
  phone();
  const auto fw = load(firmware("fw"));
  ASSERT_TRUE(run([&](const auto& f) { return flasher::planFormatDownload(fw, &f, {}); }));
  const auto boot1 = onPhone(0, xf::EMMC_BOOT1, 0, 0x40000);
  const auto nv = pattern(5 * MiB, 9);
  ASSERT_TRUE(phones_[0]->storage()->write(xf::EMMC_USER, 0x380000, nv));

  // A range over lk and the start of boot (block-aligned), nothing else.
  PlanOptions range;
  range.formatScope = PlanOptions::FormatScope::Range;
  range.area = "user";
  range.offset = 0x2480000;
  range.length = 0x100000 + 0x1000;
  ASSERT_TRUE(run([&](const auto& f) { return flasher::planFormat(nullptr, &f, range); }));
  EXPECT_EQ(onPhone(0, xf::EMMC_USER, 0x2480000, 0x101000), wire::Bytes(0x101000, 0));
  EXPECT_NE(onPhone(0, xf::EMMC_USER, 0x2581000, 0x1000), wire::Bytes(0x1000, 0));
  // A misaligned range is refused before anything is erased.
  range.offset = 0x2480001;
  auto bad = run([&](const auto& f) { return flasher::planFormat(nullptr, &f, range); });
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().name, "FT_INVALID_FORMAT_ADDR_ERROR");

  PlanOptions exceptBl;
  exceptBl.formatScope = PlanOptions::FormatScope::ExceptBootloader;
  ASSERT_TRUE(run([&](const auto& f) { return flasher::planFormat(nullptr, &f, exceptBl); }));
  EXPECT_EQ(onPhone(0, xf::EMMC_BOOT1, 0, 0x40000), boot1);                   // the preloader stays
  EXPECT_EQ(onPhone(0, xf::EMMC_USER, 0x380000, nv.size()), nv);              // protected
  EXPECT_EQ(onPhone(0, xf::EMMC_USER, 0x2580000, MiB), wire::Bytes(MiB, 0));  // boot erased
}

TEST_P(OperationsTest, UpgradeCarriesNvramToItsNewPlace) {
  phone();
  const auto fw = load(firmware("fw"));
  ASSERT_TRUE(run([&](const auto& f) { return flasher::planFormatDownload(fw, &f, {}); }));
  const auto nv = pattern(5 * MiB, 42);
  ASSERT_TRUE(phones_[0]->storage()->write(xf::EMMC_USER, 0x380000, nv));

  // The new layout moves nvram: Format All + Download refuses to lose it...
  const auto moved = load(firmware("fw2", /*movedNvram=*/true, /*seed=*/2));
  auto fd = run([&](const auto& f) { return flasher::planFormatDownload(moved, &f, {}); });
  ASSERT_FALSE(fd);
  EXPECT_EQ(fd.error().code, 8504);
  EXPECT_EQ(fd.error().name, "ERROR_DATA_LOST");
  EXPECT_EQ(onPhone(0, xf::EMMC_USER, 0x380000, nv.size()), nv);

  // ...and Firmware Upgrade carries it over.
  PlanOptions o;
  o.backupDirectory = dir_.sub("backup");
  auto r = run([&](const auto& f) { return flasher::planUpgrade(moved, &f, o); });
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_GE(r->restored, 5u);
  EXPECT_EQ(onPhone(0, xf::EMMC_USER, 0x1780000, nv.size()), nv);
  expectImageOnPhone(0, dir_.sub("fw2") + "/boot.img", 0x2580000);
  // The backups stay, renamed so that a later upgrade never restores them by mistake.
  bool retired = false;
  for (const auto& e : fs::directory_iterator(dir_.sub("backup"))) {
    retired = retired || e.path().filename().string().find(".done-") != std::string::npos;
    EXPECT_TRUE(fs::exists(e.path() / "nvram.raw"));
    EXPECT_TRUE(fs::exists(e.path() / "nvram.raw.sha256"));
  }
  EXPECT_TRUE(retired);
}

TEST_P(OperationsTest, UpgradeWithoutATableSaysWhatPeopleKnow) {
  phone(emu::TableKind::None);
  const auto fw = load(firmware("fw"));
  const auto before = phones_[0]->storage()->bytesWritten();
  auto r = run([&](const auto& f) { return flasher::planUpgrade(fw, &f, {}); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, 1037);
  EXPECT_EQ(r.error().name, "S_PART_NO_VALID_TABLE");
  EXPECT_NE(r.error().message.find("Firmware Upgrade could not be executed without PMT"),
            std::string::npos);
  EXPECT_NE(r.error().hint.find("format-download"), std::string::npos);
  EXPECT_EQ(phones_[0]->storage()->bytesWritten(), before);
  // The way out works.
  EXPECT_TRUE(run([&](const auto& f) { return flasher::planFormatDownload(fw, &f, {}); }));
  PlanOptions o;
  o.backupDirectory = dir_.sub("backup");
  EXPECT_TRUE(run([&](const auto& f) { return flasher::planUpgrade(fw, &f, o); }));
}

TEST_P(OperationsTest, DownloadOnlyChecksTheLayoutAndSkipsWhatMatches) {
  phone(emu::TableKind::Gpt);  // the emulator's own layout, not the firmware's
  const auto fw = load(firmware("fw"));
  const auto before = phones_[0]->storage()->bytesWritten();
  auto r = run([&](const auto& f) { return flasher::planDownload(fw, &f, {}); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, 8502);
  EXPECT_EQ(r.error().name, "ERROR_ROM_MUST_ENABLE");
  EXPECT_NE(r.error().message.find("PMT changed for the ROM"), std::string::npos);
  EXPECT_EQ(phones_[0]->storage()->bytesWritten(), before);

  // Format All + Download would lose the phone's calibration partitions, which sit elsewhere
  // in its layout: it needs them named.
  auto lose = run([&](const auto& f) { return flasher::planFormatDownload(fw, &f, {}); });
  ASSERT_FALSE(lose);
  EXPECT_EQ(lose.error().name, "ERROR_DATA_LOST");
  EXPECT_EQ(phones_[0]->storage()->bytesWritten(), before);
  PlanOptions accept;
  accept.includeProtected = {"proinfo", "nvram", "protect1", "protect2", "persist", "nvdata"};
  ASSERT_TRUE(run([&](const auto& f) { return flasher::planFormatDownload(fw, &f, accept); }));
  PlanOptions some;
  some.partitions = {"boot", "system"};
  some.verify = true;
  auto d = run([&](const auto& f) { return flasher::planDownload(fw, &f, some); });
  ASSERT_TRUE(d) << d.error().describe();
  EXPECT_EQ(d->imagesWritten, 2u);
  EXPECT_EQ(d->imagesVerified, 2u);
  flasher::RunOptions skip;
  skip.skipUnchanged = true;
  const auto written = phones_[0]->storage()->bytesWritten();
  auto again = run([&](const auto& f) { return flasher::planDownload(fw, &f, some); }, 0, skip);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(again->imagesSkipped, 2u);
  EXPECT_EQ(phones_[0]->storage()->bytesWritten(), written);
}

TEST_P(OperationsTest, DownloadOnlyOnABlankPhoneWritesTheTableFirst) {
  phone(emu::TableKind::None);
  const auto fw = load(firmware("fw"));
  PlanOptions one;
  one.partitions = {"boot"};
  auto r = run([&](const auto& f) { return flasher::planDownload(fw, &f, one); });
  ASSERT_TRUE(r) << r.error().describe();
  auto t = run([&](const auto& f) -> Result<flasher::Plan> {
    EXPECT_TRUE(f.table);
    EXPECT_TRUE(entry(f, "boot"));
    return flasher::planWriteTable(fw, &f);
  });
  ASSERT_TRUE(t) << t.error().describe();
  expectImageOnPhone(0, dir_.sub("fw") + "/boot.img", 0x2580000);
}

TEST_P(OperationsTest, ReadbackByNameRangeAndBoot1Preloader) {
  phone();
  const auto fw = load(firmware("fw"));
  ASSERT_TRUE(run([&](const auto& f) { return flasher::planFormatDownload(fw, &f, {}); }));
  PlanOptions byName;
  byName.partitions = {"boot"};
  byName.output = dir_.sub("boot.bin");
  ASSERT_TRUE(run([&](const auto& f) { return flasher::planReadback(&f, byName); }));
  EXPECT_EQ(fileBytes(byName.output), onPhone(0, xf::EMMC_USER, 0x2580000, 0x2000000));

  PlanOptions range;
  range.area = "user";
  range.offset = 0x2580000;
  range.length = 0x1000;
  range.output = dir_.sub("range.bin");
  ASSERT_TRUE(run([&](const auto& f) { return flasher::planReadback(&f, range); }));
  EXPECT_EQ(fileBytes(range.output), onPhone(0, xf::EMMC_USER, 0x2580000, 0x1000));

  PlanOptions boot1;
  boot1.area = "boot1";
  boot1.output = dir_.sub("boot1.bin");
  boot1.preloaderOutput = dir_.sub("preloader.bin");
  ASSERT_TRUE(run([&](const auto& f) { return flasher::planReadback(&f, boot1); }));
  EXPECT_EQ(fs::file_size(boot1.output), 4u << 20);
  EXPECT_EQ(fileBytes(boot1.preloaderOutput),
            fileBytes(dir_.sub("fw") + "/preloader_k65v1_64_bsp.bin"));
}

TEST_P(OperationsTest, CloneOntoTheSameModelAndRefusedOnAnotherLayout) {
  phone();                     // A
  phone();                     // B: the same model, blank
  phone(emu::TableKind::Gpt);  // C: another layout
  const auto fw = load(firmware("fw"));
  ASSERT_TRUE(run([&](const auto& f) { return flasher::planFormatDownload(fw, &f, {}); }, 0));
  ASSERT_TRUE(phones_[0]->storage()->write(xf::EMMC_USER, 0x380000, pattern(5 * MiB, 3)));
  // flashinfo is RESERVED in scatters: a clone must carry it all the same.
  ASSERT_TRUE(
      phones_[0]->storage()->write(xf::EMMC_USER, kUser - 0x80000 - 0x1000000, pattern(MiB, 4)));

  PlanOptions all;
  all.readbackAll = true;
  all.output = dir_.sub("clone");
  auto rb = run([&](const auto& f) -> Result<flasher::Plan> {
    auto plan = flasher::planReadback(&f, all);
    // The folder's scatter, as `mtkflash readback --all` writes it.
    flasher::ScatterFromTableOptions so;
    so.platform = "MT6765";
    so.withFiles = true;
    so.preloaderSize = 4u << 20;
    auto s = flasher::scatterFromTable(*f.table, f.storage.type, f.storage.user()->size, so);
    fs::create_directories(all.output);
    EXPECT_TRUE(flasher::saveScatter(s, all.output + "/MT6765_Android_scatter.txt"));
    return plan;
  });
  ASSERT_TRUE(rb) << rb.error().describe();
  const auto clone = load(all.output + "/MT6765_Android_scatter.txt");
  PlanOptions everything;
  everything.includeProtected = {"proinfo", "nvram", "protect1", "protect2", "nvdata"};

  auto b = run([&](const auto& f) { return flasher::planDownload(clone, &f, everything); }, 1);
  ASSERT_TRUE(b) << b.error().describe();
  for (std::uint32_t area : {xf::EMMC_BOOT1, xf::EMMC_BOOT2, xf::EMMC_USER}) {
    const std::uint64_t size = area == xf::EMMC_USER ? kUser : 4u << 20;
    for (std::uint64_t at = 0; at < size; at += 64 * MiB) {
      const std::uint64_t n = std::min<std::uint64_t>(64 * MiB, size - at);
      ASSERT_EQ(onPhone(0, area, at, n), onPhone(1, area, at, n))
          << "area " << area << " at " << at;
    }
  }

  const auto before = phones_[2]->storage()->bytesWritten();
  auto c = run([&](const auto& f) { return flasher::planDownload(clone, &f, everything); }, 2);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, 8502);
  EXPECT_EQ(phones_[2]->storage()->bytesWritten(), before);
}

TEST_P(OperationsTest, MakeScatterAndSplitAgreeWithThePhone) {
  phone();
  const auto fw = load(firmware("fw"));
  ASSERT_TRUE(run([&](const auto& f) { return flasher::planFormatDownload(fw, &f, {}); }));
  PlanOptions user;
  user.area = "user";
  user.length =
      kSystem + 32 * MiB;  // a dump that ends inside system: later partitions are not invented
  user.output = dir_.sub("ROM_0");
  flasher::PartitionTable table;
  ASSERT_TRUE(run([&](const auto& f) {
    table = *f.table;
    flasher::ScatterFromTableOptions so;
    so.platform = "MT6765";
    auto s = flasher::scatterFromTable(*f.table, f.storage.type, f.storage.user()->size, so);
    EXPECT_TRUE(flasher::saveScatter(s, dir_.sub("made.txt")));
    return flasher::planReadback(&f, user);
  }));
  const auto made = load(dir_.sub("made.txt"));
  for (const auto& p : table.partitions) {
    const auto it = std::find_if(made.scatter.partitions.begin(), made.scatter.partitions.end(),
                                 [&](const auto& q) { return q.name == p.name; });
    ASSERT_NE(it, made.scatter.partitions.end()) << p.name;
    EXPECT_EQ(it->physicalStartAddress, p.offset) << p.name;
    EXPECT_EQ(it->partitionSize, p.size) << p.name;
  }
  flasher::SplitOptions so;
  so.dumpPath = user.output;
  so.outputDir = dir_.sub("split");
  so.platform = "MT6765";
  auto sp = flasher::splitDump(so);
  ASSERT_TRUE(sp) << sp.error().describe();
  EXPECT_EQ(sp->tableSource, "GPT in the dump");
  EXPECT_EQ(fileBytes(so.outputDir + "/boot.img"), onPhone(0, xf::EMMC_USER, 0x2580000, 0x2000000));
  EXPECT_EQ(fileBytes(so.outputDir + "/nvram.img"), onPhone(0, xf::EMMC_USER, 0x380000, 0x500000));
  EXPECT_FALSE(fs::exists(so.outputDir + "/userdata.img"));
  const auto splitScatter = load(sp->scatterPath);
  EXPECT_TRUE(splitScatter.missing.empty());
}

TEST_P(OperationsTest, EndsWithARebootOrPowerOff) {
  for (bool off : {false, true}) {
    auto& p = phone();
    flasher::OperationRequest r;
    r.kind = flasher::OperationKind::FormatDownload;
    r.scatter = firmware(off ? "fw-off" : "fw-reboot");
    r.session.daPath = da_;
    r.session.connect.waitTimeout = std::chrono::milliseconds(2000);
    r.reboot = !off;
    r.powerOff = off;
    auto l = locator(phones_.size() - 1);
    auto result = flasher::runOperation(l.get(), r);
    ASSERT_TRUE(result) << result.error().describe();
    EXPECT_EQ(result->summary.imagesWritten, 9u);
    // The phone leaves USB a moment after SHUTDOWN's status.
    for (int i = 0; i < 200 && p.state() == emu::PhoneState::Da; ++i) {
      bus_.tick();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(p.state(), off ? emu::PhoneState::Off : emu::PhoneState::BootedOn);
  }
}

TEST_P(OperationsTest, ChipMismatchStopsBeforeTheDa) {
  phone();
  auto s = open(da_, {}, 0, "MT6785");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().name, "S_CHIP_TYPE_NOT_MATCH");
  EXPECT_EQ(s.error().code, 3184);
  EXPECT_NE(s.error().message.find("MT6785"), std::string::npos);
  EXPECT_NE(s.error().message.find("MT6765"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Transports, OperationsTest, ::testing::Values("inproc", "usbip"),
                         [](const auto& info) { return info.param; });

// Without a phone: plans print and inputs are checked; nothing can be run.
class DryRunTest : public ::testing::Test {
 protected:
  TempDir dir_;
};

TEST_F(DryRunTest, EveryOperationPlansWithoutAPhone) {
  sample::FirmwareSpec f;
  f.directory = dir_.sub("fw");
  f.systemData = 2 * MiB;
  f.systemSize = 8 * MiB;
  f.bootSize = 1 * MiB;
  ASSERT_TRUE(sample::writeFirmware(f));
  auto fw = flasher::loadFirmware(sample::scatterPath(f));
  ASSERT_TRUE(fw) << fw.error().describe();
  PlanOptions o;
  o.output = dir_.sub("out");
  auto fd = flasher::planFormatDownload(*fw, nullptr, o);
  ASSERT_TRUE(fd) << fd.error().describe();
  EXPECT_TRUE(fd->dryRun);
  EXPECT_FALSE(fd->kept.empty());  // protected partitions from the scatter
  int writes = 0;
  for (const auto& s : fd->steps) writes += s.kind == flasher::StepKind::Write;
  EXPECT_EQ(writes, 9);
  EXPECT_TRUE(flasher::planDownload(*fw, nullptr, o));
  EXPECT_TRUE(flasher::planUpgrade(*fw, nullptr, o));
  EXPECT_TRUE(flasher::planFormat(&*fw, nullptr, o));
  EXPECT_TRUE(flasher::planReadback(nullptr, o));
  EXPECT_TRUE(flasher::planWriteTable(*fw, nullptr));
}

TEST_F(DryRunTest, MissingAndOversizedImagesAreNamedBeforeAnyPhone) {
  sample::FirmwareSpec f;
  f.directory = dir_.sub("fw");
  f.systemData = 2 * MiB;
  f.systemSize = 8 * MiB;
  f.bootSize = 1 * MiB;
  ASSERT_TRUE(sample::writeFirmware(f));
  fs::remove(f.directory + "/vendor.img");
  auto fw = flasher::loadFirmware(sample::scatterPath(f));
  ASSERT_TRUE(fw);
  auto r = flasher::planFormatDownload(*fw, nullptr, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().name, "IMAGE_MISSING");
  EXPECT_NE(r.error().message.find("vendor.img"), std::string::npos);

  // lk is 1 MiB; a 3 MiB lk.img is too large by 2 MiB.
  std::ofstream(f.directory + "/lk.img", std::ios::binary | std::ios::trunc)
      << std::string(3 * MiB, 'x');
  PlanOptions lk;
  lk.partitions = {"lk"};
  auto fw2 = flasher::loadFirmware(sample::scatterPath(f));
  ASSERT_TRUE(fw2);
  auto big = flasher::planDownload(*fw2, nullptr, lk);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("lk.img is 2 MiB larger than partition lk (1 MiB)"),
            std::string::npos)
      << big.error().message;
}

TEST_F(DryRunTest, SparseImagesStreamAndTheirCrcIsChecked) {
  sample::FirmwareSpec f;
  f.directory = dir_.sub("fw");
  f.systemData = 3 * MiB;
  f.systemSize = 16 * MiB;
  ASSERT_TRUE(sample::writeFirmware(f));
  const std::string system = f.directory + "/system.img";
  auto r = flasher::ImageReader::open(system);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE((*r)->sparse());
  EXPECT_EQ((*r)->length(), 16 * MiB);
  EXPECT_GT((*r)->stretches().size(), 0u);
  std::uint64_t data = 0;
  for (const auto& s : (*r)->stretches()) data += s.length;
  EXPECT_LT(data, (*r)->length());  // DONT_CARE runs are not stretches
  wire::Bytes all(data);
  ASSERT_TRUE((*r)->next(all));
  // One damaged RAW byte: the CRC32 chunk at the end catches it while streaming.
  {
    std::fstream io(system, std::ios::binary | std::ios::in | std::ios::out);
    io.seekp(28 + 12 + 1000);
    io.put('\x5a' ^ static_cast<char>(all[1000]));
  }
  auto bad = flasher::ImageReader::open(system);
  ASSERT_TRUE(bad);
  wire::Bytes again(data);
  auto n = (*bad)->next(again);
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().name, "SPARSE_CRC_MISMATCH");
}

}  // namespace
}  // namespace mtk::test
