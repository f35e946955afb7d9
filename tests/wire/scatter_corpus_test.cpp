// The real scatter files of shared/corpus/scatter: every one parses (the OTA update scatter is
// rejected), counts and platforms match SOURCES.md, and validation flags exactly the known-bad
// files.
#include "scatter_test_data.hpp"

namespace {

using namespace scatter_test;

TEST(ScatterCorpus, EveryRealFileParsesAndTheOtaFileFails) {
  REQUIRE_CORPUS();
  const auto files = corpusFiles();
  ASSERT_GE(files.size(), 37u);
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    auto r = sc::parse(readFile(path), name);
    if (name == kOta) {
      ASSERT_FALSE(r.ok()) << name;
      EXPECT_EQ(r.error().name, "S_DL_SCAT_INCORRECT_FORMAT");
      EXPECT_NE(r.error().message.find(name + ":1: this is an OTA update scatter"),
                std::string::npos)
          << r.error().message;
      continue;
    }
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_GT(r->partitions.size(), 0u) << name;
  }
}

TEST(ScatterCorpus, CountsFormatsAndPlatformsMatchSources) {
  REQUIRE_CORPUS();
  const auto rows = sourceRows();
  if (rows.empty()) GTEST_SKIP() << "SOURCES.md not found or empty in " << kCorpus;
  ASSERT_EQ(rows.size(), 37u);
  for (const auto& [file, row] : rows) {
    SCOPED_TRACE(file);
    if (file == kOta) continue;
    auto r = sc::parse(readFile(kCorpus / file), file);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(totalPartitions(*r), row.entries);
    if (row.format == "legacy") {
      EXPECT_EQ(r->format, Format::Legacy);
    } else {
      EXPECT_EQ(r->configVersion, row.format);
      const bool v2 = row.format.rfind("V2", 0) == 0;
      const bool xml = file.size() > 4 && file.substr(file.size() - 4) == ".xml";
      EXPECT_EQ(r->format, xml ? Format::V2Xml : (v2 ? Format::V2Text : Format::V1));
      EXPECT_EQ(r->sections.size(), v2 ? 2u : 1u);
      EXPECT_EQ(r->platform, row.platform);
    }
  }
}

TEST(ScatterCorpus, SpotChecks) {
  REQUIRE_CORPUS();
  // Entries column of SOURCES.md, written out for a few files of each format.
  const std::vector<std::pair<const char*, std::size_t>> counts = {
      {"GoldRenard__device_lenovo_s960_twrp_tree__MT6589_Android_scatter_emmc.txt", 22},
      {"acontini__SP_Flash_Tool_src_v3.1113.0.189__MT6573_Android_scatter.txt", 13},
      {"NeverMine17__fly-iq-4407-scatter__MT6572_Android_scatter.txt", 20},
      {"AnimMouse__Doogee-S90-Magisk__MT6771_Android_scatter.txt", 42},
      {"Dewil-King__Sectter-File__MT6781_Android_scatter.txt", 104},
      {"mosya234__TB350FU__MT6789_Android_scatter.txt", 132},
      {"douchey-dumps__PD2135F_EX_A_1.16.26_vivo_mtk_alps-release-r0.mp2-pre4_mt6891__MT6893_"
       "Android_scatter.xml",
       120},
  };
  for (const auto& [file, n] : counts) {
    auto r = sc::parse(readFile(kCorpus / file), file);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    EXPECT_EQ(totalPartitions(*r), n) << file;
  }

  // Legacy MT6589: platform from the file name, the BMTPOOL end-relative entry.
  auto legacy = sc::parse(readFile(kCorpus / counts[0].first), counts[0].first);
  ASSERT_TRUE(legacy.ok());
  EXPECT_EQ(legacy->platform, "MT6589");
  EXPECT_EQ(legacy->partitions[1].name, "MBR");
  EXPECT_EQ(legacy->partitions[1].linearStartAddress, 0x600000u);
  EXPECT_EQ(legacy->partitions.back().name, "BMTPOOL");
  EXPECT_EQ(legacy->partitions.back().linearStartAddress, 0xFFFF00A8u);

  // The XML scatter and its text twin describe the same layout.
  const std::string twin =
      "douchey-dumps__PD2135F_EX_A_1.16.26_vivo_mtk_alps-release-r0.mp2-pre4_mt6891__MT6893_"
      "Android_scatter";
  auto txt = sc::parse(readFile(kCorpus / (twin + ".txt")), twin + ".txt");
  auto xml = sc::parse(readFile(kCorpus / (twin + ".xml")), twin + ".xml");
  ASSERT_TRUE(txt.ok());
  ASSERT_TRUE(xml.ok());
  ASSERT_EQ(txt->sections.size(), xml->sections.size());
  for (std::size_t s = 0; s < txt->sections.size(); ++s) {
    const auto& a = txt->sections[s];
    const auto& b = xml->sections[s];
    EXPECT_EQ(a.storage, b.storage);
    EXPECT_EQ(a.blockSize, b.blockSize);
    ASSERT_EQ(a.partitions.size(), b.partitions.size());
    for (std::size_t i = 0; i < a.partitions.size(); ++i) {
      const auto& p = a.partitions[i];
      const auto& q = b.partitions[i];
      EXPECT_EQ(p.name, q.name);
      EXPECT_EQ(p.fileName, q.fileName);
      EXPECT_EQ(p.linearStartAddress, q.linearStartAddress);
      EXPECT_EQ(p.partitionSize, q.partitionSize);
      EXPECT_EQ(p.region, q.region);
      EXPECT_EQ(p.operationType, q.operationType);
      EXPECT_EQ(p.isDownload, q.isDownload);
    }
  }

  // The MT6771 reserved tail closes exactly at the end of the user area (§3.5).
  const char* doogee = counts[3].first;
  auto d = sc::parse(readFile(kCorpus / doogee), doogee);
  ASSERT_TRUE(d.ok());
  sc::ValidateOptions o;
  o.regionSizes = {{"EMMC_USER", 64 * kGiB}};
  EXPECT_FALSE(sc::hasErrors(sc::validate(*d, o))) << describe(sc::validate(*d, o));
  const auto placed = sc::place(d->sections[0], false, o.regionSizes);
  std::map<std::string, const sc::Placement*> byName;
  for (const auto& pl : placed) byName[d->sections[0].partitions[pl.partition].name] = &pl;
  ASSERT_TRUE(byName.count("sdrpmb") && byName.count("otp") && byName.count("flashinfo"));
  EXPECT_EQ(*byName["sdrpmb"]->offset + byName["sdrpmb"]->size, *byName["otp"]->offset);
  EXPECT_EQ(*byName["otp"]->offset + byName["otp"]->size, *byName["flashinfo"]->offset);
  EXPECT_EQ(*byName["flashinfo"]->offset + byName["flashinfo"]->size, 64 * kGiB);
}

TEST(ScatterCorpus, ValidationFlagsExactlyTheKnownBrokenFiles) {
  REQUIRE_CORPUS();
  // SOURCES.md / spflash.md §3.7: files a strict validator must reject or warn about. Everything
  // else must validate without any finding, both when nothing about the phone is known and on a
  // phone with room to spare (256 GiB user area / LU2, 4 MiB boot partitions).
  struct Expect {
    std::string name;
    Severity severity;
  };
  const std::map<std::string, Expect> broken = {
      // system (0xB000000 + 0xFA000000) runs into cache at 0xFB000000
      {"0xecution3r__Temu-T7-Tablet__MT6735_Android_scatter.txt",
       {"S_DL_LOAD_REGION_IS_OVERLAP", Severity::Error}},
      // sgpt at a concrete address before flashinfo, overlapping it
      {"ReimuNotMoe__Philips-E289-Hack__MT6739_Android_scatter.txt",
       {"S_DL_SCAT_ADDR_IS_NOT_ASCENDING_ORDER", Severity::Error}},
      // BOOTLOADER typo, nameless trailing entry
      {"smichalowski__accu-check_solo_scatter__MT6572_Android_scatter.txt",
       {"S_DL_SCAT_INCORRECT_FORMAT", Severity::Error}},
      // trimmed readback scatter: pgpt stretched over the whole range to read it back, ticked
      // for download without a file. Consistent layout, so a warning.
      {"tronium__Picasso-4G-Rooting__MT6735M_Android_scatter-system-dump.txt",
       {"S_DL_SCAT_IS_DOWNLOAD_PROP_ERR", Severity::Warning}},
  };
  for (const auto& path : corpusFiles()) {
    const std::string name = path.filename().string();
    if (name == kOta) continue;
    auto r = sc::parse(readFile(path), name);
    ASSERT_TRUE(r.ok()) << r.error().describe();
    const auto issues = sc::validate(*r);
    const auto it = broken.find(name);
    if (it == broken.end()) {
      EXPECT_TRUE(issues.empty()) << describe(issues);
      sc::ValidateOptions big;
      big.regionSizes = {{"EMMC_USER", 256 * kGiB}, {"EMMC_BOOT1", 4 * kMiB},
                         {"EMMC_BOOT2", 4 * kMiB},  {"UFS_LU2", 256 * kGiB},
                         {"UFS_LU0", 4 * kMiB},     {"UFS_LU1", 4 * kMiB}};
      big.storageSize = 256 * kGiB + 8 * kMiB;
      if (r->format == Format::Legacy) big.storageSize = 4 * kGiB;
      const auto onBig = sc::validate(*r, big);
      EXPECT_TRUE(onBig.empty()) << describe(onBig);
      continue;
    }
    EXPECT_EQ(sc::hasErrors(issues), it->second.severity == Severity::Error) << describe(issues);
    const auto found = withName(issues, it->second.name);
    ASSERT_FALSE(found.empty()) << name << "\n" << describe(issues);
    EXPECT_EQ(found[0].severity, it->second.severity);
  }

  // The Temu tablet: both overlaps named with their lines.
  const char* temu = "0xecution3r__Temu-T7-Tablet__MT6735_Android_scatter.txt";
  auto t = sc::parse(readFile(kCorpus / temu), temu);
  ASSERT_TRUE(t.ok());
  const auto overlaps = withName(sc::validate(*t), "S_DL_LOAD_REGION_IS_OVERLAP");
  ASSERT_EQ(overlaps.size(), 2u) << describe(overlaps);
  EXPECT_EQ(overlaps[0].message,
            std::string(temu) +
                ":357: partitions system (line 340) and cache (line 357) overlap in EMMC_USER: "
                "system ends at 0x105000000, cache starts at 0xFB000000");
  EXPECT_NE(overlaps[1].message.find(":391: partitions userdata (line 374) and flashinfo (line "
                                     "391)"),
            std::string::npos)
      << overlaps[1].message;

  // Philips: sgpt out of order and overlapping flashinfo.
  const char* philips = "ReimuNotMoe__Philips-E289-Hack__MT6739_Android_scatter.txt";
  auto p = sc::parse(readFile(kCorpus / philips), philips);
  ASSERT_TRUE(p.ok());
  const auto pi = sc::validate(*p);
  const auto order = withName(pi, "S_DL_SCAT_ADDR_IS_NOT_ASCENDING_ORDER");
  ASSERT_EQ(order.size(), 1u) << describe(pi);
  EXPECT_EQ(order[0].line, 632);
  // sgpt (0xE87FBD80 + 0x4200) starts inside userdata and runs into flashinfo.
  const auto pover = withName(pi, "S_DL_LOAD_REGION_IS_OVERLAP");
  ASSERT_EQ(pover.size(), 2u) << describe(pi);
  EXPECT_NE(pover[0].message.find(":615: partitions sgpt (line 632) and flashinfo (line 615) "
                                  "overlap in EMMC_USER: sgpt ends at 0xE87FFF80, flashinfo "
                                  "starts at 0xE87FBE00"),
            std::string::npos)
      << pover[0].message;
  EXPECT_NE(pover[1].message.find(":632: partitions userdata (line 598) and sgpt (line 632)"),
            std::string::npos)
      << pover[1].message;
}

TEST(ScatterCorpus, Mt6757dScatterOnAnMt6757Phone) {
  REQUIRE_CORPUS();
  const char* file = "GEEKOFIA__Marino-Fasboot-Firmware-Flash-Scripts__MT6757_Android_scatter.txt";
  auto r = sc::parse(readFile(kCorpus / file), file);
  ASSERT_TRUE(r.ok());
  sc::ValidateOptions o;
  o.phonePlatform = "MT6757";
  const auto issues = sc::validate(*r, o);
  const auto chip = withName(issues, "S_CHIP_TYPE_NOT_MATCH");
  ASSERT_EQ(chip.size(), 1u) << describe(issues);
  EXPECT_EQ(chip[0].message,
            std::string(file) +
                ":9: Chip type not match, Target chip type is MT6757, but the load scatter chip "
                "type is MT6757D");
}

}  // namespace
