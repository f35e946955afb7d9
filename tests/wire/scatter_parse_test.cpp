// Scatter parsing: golden scatters in every syntax (legacy, V1.1.2, V2.1.0 text, XML) with exact
// fields, parse errors with file and line, hostile input (spflash.md §3).
#include "scatter_test_data.hpp"

namespace {

using namespace scatter_test;

TEST(ScatterLegacy, GoldenFields) {
  auto r = sc::parse(kLegacy, "/fw/MT6589_Android_scatter_emmc.txt");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const sc::Scatter& s = *r;
  EXPECT_EQ(s.format, Format::Legacy);
  EXPECT_EQ(s.platform, "MT6589");  // from the file name: legacy files carry none
  EXPECT_EQ(s.configVersion, "");
  EXPECT_EQ(s.fileName, "/fw/MT6589_Android_scatter_emmc.txt");
  ASSERT_EQ(s.partitions.size(), 5u);
  ASSERT_EQ(s.sections.size(), 1u);
  EXPECT_EQ(s.sections[0].partitions.size(), 5u);

  const sc::Partition& pre = s.partitions[0];
  EXPECT_EQ(pre.name, "PRELOADER");
  EXPECT_EQ(pre.linearStartAddress, 0u);
  EXPECT_TRUE(pre.isDownload);
  EXPECT_FALSE(pre.isReserved);
  EXPECT_EQ(pre.line, 2);
  EXPECT_EQ(pre.partitionSize, 0u);
  EXPECT_EQ(pre.region, "");
  EXPECT_EQ(pre.fileName, "");

  EXPECT_EQ(s.partitions[1].name, "MBR");
  EXPECT_EQ(s.partitions[1].linearStartAddress, 0x600000u);
  EXPECT_EQ(s.partitions[1].line, 5);

  EXPECT_EQ(s.partitions[2].name, "PMT");  // __NODL_ stripped, not downloadable
  EXPECT_FALSE(s.partitions[2].isDownload);
  EXPECT_EQ(s.partitions[2].linearStartAddress, 0x700000u);
  EXPECT_EQ(s.partitions[2].line, 8);

  EXPECT_EQ(s.partitions[3].name, "RSV_OTP");
  EXPECT_TRUE(s.partitions[3].isReserved);
  EXPECT_FALSE(s.partitions[3].isDownload);

  EXPECT_EQ(s.partitions[4].name, "BMTPOOL");
  EXPECT_EQ(s.partitions[4].linearStartAddress, 0xFFFF00A8u);
  EXPECT_TRUE(s.partitions[4].isReserved);  // end-relative
  EXPECT_EQ(s.partitions[4].line, 12);

  EXPECT_TRUE(sc::validate(s).empty()) << describe(sc::validate(s));
}

TEST(ScatterLegacy, PlacementRunsToTheNextStart) {
  auto r = sc::parse(kLegacy, "MT6589_Android_scatter_emmc.txt");
  ASSERT_TRUE(r.ok());
  const auto placed = sc::place(r->sections[0], true, {{"", 0x10000000}});
  ASSERT_EQ(placed.size(), 5u);
  EXPECT_EQ(placed[0].size, 0x600000u);  // PRELOADER up to MBR
  EXPECT_EQ(placed[1].size, 0x100000u);
  // BMTPOOL: 168 blocks of 128 KiB before the end of a 256 MiB device.
  ASSERT_TRUE(placed[4].offset.has_value());
  EXPECT_EQ(*placed[4].offset, 0x10000000u - 168 * 0x20000u);
  EXPECT_EQ(placed[3].size, *placed[4].offset - 0x9000000u);
}

TEST(ScatterLegacy, OtaUpdateScatterIsRejected) {
  auto r = sc::parse("preloader 0x0\npgpt 0x0\nrecovery 0x8000\n", "update_scatter.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().name, "S_DL_SCAT_INCORRECT_FORMAT");
  EXPECT_EQ(r.error().code, 5011);
  EXPECT_NE(r.error().message.find("update_scatter.txt:1: "), std::string::npos);
  EXPECT_NE(r.error().message.find("OTA update scatter"), std::string::npos);
}

TEST(ScatterLegacy, Errors) {
  auto unclosed = sc::parse("A 0x0\n{\n}\nB 0x10\n{\n", "x.txt");
  ASSERT_FALSE(unclosed.ok());
  EXPECT_NE(unclosed.error().message.find("x.txt:5: "), std::string::npos)
      << unclosed.error().message;
  auto noAddress = sc::parse("A 0x0\n{\n}\nB zz\n{\n}\n", "x.txt");
  ASSERT_FALSE(noAddress.ok());
  EXPECT_NE(noAddress.error().message.find("x.txt:4: "), std::string::npos);
  auto missingBrace = sc::parse("A 0x0\n{\n}\nB 0x10\nC 0x20\n{\n}\n", "x.txt");
  ASSERT_FALSE(missingBrace.ok());
  EXPECT_NE(missingBrace.error().message.find("x.txt:4: expected \"{\""), std::string::npos)
      << missingBrace.error().message;
}

TEST(ScatterV1, GoldenFields) {
  auto r = sc::parse(kV1, "MT6765_Android_scatter.txt");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const sc::Scatter& s = *r;
  EXPECT_EQ(s.format, Format::V1);
  EXPECT_EQ(s.configVersion, "V1.1.2");
  EXPECT_EQ(s.configVersionLine, 6);
  EXPECT_EQ(s.platform, "MT6765");
  EXPECT_EQ(s.platformLine, 7);
  EXPECT_EQ(s.project, "k62v1_64_bsp");
  EXPECT_EQ(s.storage, "EMMC");
  EXPECT_EQ(s.bootChannel, "MSDC_0");
  EXPECT_EQ(s.blockSize, 0x20000u);
  ASSERT_EQ(s.generalExtras.size(), 1u);
  EXPECT_EQ(s.generalExtras[0].first, "skip_pmt_operate");
  EXPECT_EQ(s.generalExtras[0].second, "true");
  ASSERT_EQ(s.sections.size(), 1u);
  EXPECT_EQ(s.sections[0].storageLine, 9);
  ASSERT_EQ(s.partitions.size(), 4u);

  const sc::Partition& pre = s.partitions[0];
  EXPECT_EQ(pre.index, "SYS0");
  EXPECT_EQ(pre.name, "preloader");
  EXPECT_EQ(pre.fileName, "preloader_k62v1_64_bsp.bin");
  EXPECT_TRUE(pre.isDownload);
  EXPECT_EQ(pre.type, "SV5_BL_BIN");
  EXPECT_EQ(pre.linearStartAddress, 0u);
  EXPECT_EQ(pre.physicalStartAddress, 0u);
  EXPECT_EQ(pre.partitionSize, 0x40000u);
  EXPECT_EQ(pre.region, "EMMC_BOOT_1");
  EXPECT_EQ(pre.storage, "HW_STORAGE_EMMC");
  EXPECT_TRUE(pre.boundaryCheck);
  EXPECT_FALSE(pre.isReserved);
  EXPECT_EQ(pre.operationType, "BOOTLOADERS");
  EXPECT_EQ(pre.reserve, 0u);
  EXPECT_EQ(pre.line, 14);

  const sc::Partition& pgpt = s.partitions[1];
  EXPECT_EQ(pgpt.fileName, "");  // NONE
  EXPECT_FALSE(pgpt.isDownload);
  EXPECT_EQ(pgpt.partitionSize, 32768u);  // decimal
  EXPECT_EQ(pgpt.operationType, "INVISIBLE");
  EXPECT_EQ(pgpt.line, 29);

  const sc::Partition& sys = s.partitions[2];
  EXPECT_EQ(sys.name, "system");
  EXPECT_EQ(sys.fileName, "system.img");  // quotes and the trailing comment dropped
  EXPECT_TRUE(sys.isDownload);
  EXPECT_EQ(sys.type, "EXT4_IMG");
  EXPECT_EQ(sys.linearStartAddress, 0x8000u);  // tab-indented
  EXPECT_EQ(sys.partitionSize, 3 * kGiB);
  EXPECT_TRUE(sys.isUpgradable);
  ASSERT_EQ(sys.extras.size(), 1u);
  EXPECT_EQ(sys.extras[0].first, "d_type");
  EXPECT_EQ(sys.line, 44);

  const sc::Partition& sgpt = s.partitions[3];
  EXPECT_EQ(sgpt.linearStartAddress, 0xFFFF0004u);
  EXPECT_TRUE(sgpt.isReserved);
  EXPECT_FALSE(sgpt.boundaryCheck);
  EXPECT_EQ(sgpt.operationType, "RESERVED");
  EXPECT_EQ(sgpt.line, 61);

  EXPECT_TRUE(sc::validate(s).empty()) << describe(sc::validate(s));
}

TEST(ScatterV1, SameResultWithLfTabsAndOtherIndentation) {
  std::string lf;
  for (const char* p = kV1; *p; ++p) {
    if (*p != '\r') lf += *p;
  }
  // fahad15090's MT6761 file indents the general keys with two spaces less.
  const auto at = lf.find("    - config_version");
  lf.replace(at, 4, "");
  auto a = sc::parse(kV1, "a.txt");
  auto b = sc::parse(lf, "a.txt");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok()) << b.error().describe();
  ASSERT_EQ(a->partitions.size(), b->partitions.size());
  for (std::size_t i = 0; i < a->partitions.size(); ++i) {
    EXPECT_EQ(a->partitions[i].name, b->partitions[i].name);
    EXPECT_EQ(a->partitions[i].partitionSize, b->partitions[i].partitionSize);
    EXPECT_EQ(a->partitions[i].line, b->partitions[i].line);
  }
}

TEST(ScatterV2, GoldenFieldsAndSections) {
  auto r = sc::parse(kV2, "MT6785_Android_scatter.txt");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  expectV2Fields(*r, false);
  EXPECT_EQ(r->sections[0].line, 6);
  EXPECT_EQ(r->sections[1].line, 60);
  EXPECT_EQ(r->sections[0].partitions[1].line, 31);
  EXPECT_EQ(r->sections[1].partitions[1].line, 83);
  EXPECT_TRUE(sc::validate(*r).empty()) << describe(sc::validate(*r));
}

TEST(ScatterV2, SelectsTheStorageSection) {
  for (const char* name : {"UFS", "ufs", "HW_STORAGE_UFS"}) {
    auto r = sc::parse(kV2, "MT6785_Android_scatter.txt", name);
    ASSERT_TRUE(r.ok()) << name << ": " << r.error().describe();
    EXPECT_EQ(r->storage, "UFS");
    EXPECT_EQ(r->bootChannel, "UFSHCI_0");
    EXPECT_EQ(r->blockSize, 0x80000u);
    ASSERT_EQ(r->partitions.size(), 2u);
    EXPECT_EQ(r->partitions[1].region, "UFS_LU2");
    ASSERT_EQ(r->sections.size(), 1u);
  }
  auto nand = sc::parse(kV2, "MT6785_Android_scatter.txt", "NAND");
  ASSERT_FALSE(nand.ok());
  EXPECT_EQ(nand.error().name, "S_STORAGE_NOT_MATCH");
  EXPECT_EQ(nand.error().code, 3183);
  EXPECT_NE(nand.error().message.find("no NAND layout"), std::string::npos);
  EXPECT_NE(nand.error().message.find("EMMC, UFS"), std::string::npos);

  auto all = sc::parse(kV2, "MT6785_Android_scatter.txt");
  ASSERT_TRUE(all.ok());
  auto ufs = sc::selectStorage(*all, "UFS");
  ASSERT_TRUE(ufs.ok());
  EXPECT_EQ(ufs->partitions.size(), 2u);
}

TEST(ScatterV2, EndRelativeAndFillResolvedWithRegionSize) {
  auto r = sc::parse(kV2, "MT6785_Android_scatter.txt");
  ASSERT_TRUE(r.ok());
  const std::uint64_t user = 8 * kGiB;
  const auto placed = sc::place(r->sections[0], false, {{"EMMC_USER", user}});
  // preloader appears in both boot regions.
  ASSERT_EQ(placed.size(), 4u);
  EXPECT_EQ(placed[0].region, "EMMC_BOOT1");
  EXPECT_EQ(placed[1].region, "EMMC_BOOT2");
  // flashinfo: 0x80 blocks of 128 KiB before the end; userdata grows up to it.
  ASSERT_TRUE(placed[3].offset.has_value());
  EXPECT_EQ(*placed[3].offset, user - 0x80 * 0x20000u);
  EXPECT_TRUE(placed[2].fill);
  EXPECT_TRUE(placed[2].sizeKnown);
  EXPECT_EQ(placed[2].size, user - 0x80 * 0x20000u - 0x8000u);
  // Unknown region size: flashinfo unplaced, userdata keeps its nominal size.
  const auto open = sc::place(r->sections[0], false);
  EXPECT_FALSE(open[3].offset.has_value());
  EXPECT_FALSE(open[2].sizeKnown);
  EXPECT_EQ(open[2].size, 0x20000000u);
}

TEST(ScatterXml, GoldenFieldsEqualTheTextForm) {
  const std::string xml = v2Xml();
  auto r = sc::parse(xml, "MT6785_Android_scatter.xml");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  expectV2Fields(*r, true);
  EXPECT_EQ(r->configVersionLine, 6);
  EXPECT_EQ(r->platformLine, 7);
  EXPECT_EQ(r->sections[0].line, 11);
  EXPECT_EQ(r->sections[0].partitions[0].line, 18);
  EXPECT_EQ(r->sections[0].partitions[0].fileName, "preloader_k85v1_64.bin");
  EXPECT_EQ(r->sections[0].partitions[2].fileName, "");
  EXPECT_TRUE(sc::validate(*r).empty()) << describe(sc::validate(*r));

  auto ufs = sc::parse(xml, "MT6785_Android_scatter.xml", "UFS");
  ASSERT_TRUE(ufs.ok());
  EXPECT_EQ(ufs->partitions.size(), 2u);
  EXPECT_EQ(ufs->blockSize, 0x80000u);
}

TEST(ScatterXml, EntitiesCdataAndSelfClosing) {
  std::string xml = v2Xml();
  xml.replace(xml.find("<project>k85v1_64</project>"), 27,
              "<project>a&amp;b&#x41;<![CDATA[<c>]]></project><ignored/>");
  auto r = sc::parse(xml, "x.xml");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->project, "a&bA<c>");
}

TEST(ScatterXml, Errors) {
  const std::string good = v2Xml();
  std::string mismatched = good;
  mismatched.replace(mismatched.find("</region>"), 9, "</regio>");
  auto a = sc::parse(mismatched, "x.xml");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().name, "S_DL_SCAT_INCORRECT_FORMAT");
  EXPECT_NE(a.error().message.find("x.xml:26: "), std::string::npos) << a.error().message;

  std::string missing = good;
  const auto at = missing.find("      <is_download>true</is_download>\n", missing.find("SYS1"));
  missing.erase(at, std::string("      <is_download>true</is_download>\n").size());
  auto b = sc::parse(missing, "x.xml");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().message.find("partition SYS1 (userdata) has no \"is_download\" key"),
            std::string::npos)
      << b.error().message;

  auto notRoot = sc::parse("<scatter/>", "x.xml");
  ASSERT_FALSE(notRoot.ok());
  auto deep = sc::parse(std::string(200, '<') + "a", "x.xml");
  ASSERT_FALSE(deep.ok());
  std::string nested = "<root>";
  for (int i = 0; i < 100; ++i) nested += "<a>";
  auto tooDeep = sc::parse(nested, "x.xml");
  ASSERT_FALSE(tooDeep.ok());
  EXPECT_NE(tooDeep.error().message.find("nested deeper"), std::string::npos);
}

TEST(ScatterParseErrors, NameFileLineAndField) {
  struct Case {
    std::string text;
    std::string expect;  // substring of the message
  };
  const std::string v1 = lf(kV1);
  const std::vector<Case> cases = {
      {replaced(v1, "  is_download: false\n  type: NORMAL_ROM\n  linear_start_addr: 0x0",
                "  type: NORMAL_ROM\n  linear_start_addr: 0x0"),
       "s.txt:29: partition SYS1 (pgpt) has no \"is_download\" key"},
      {replaced(v1, "partition_size: 0xC0000000", "partition_size: 0x1FFFFFFFFFFFFFFFF"),
       "s.txt:51: partition_size \"0x1FFFFFFFFFFFFFFFF\" is not a number"},
      {replaced(v1, "partition_size: 0xC0000000", "partition_size: -1"),
       "s.txt:51: partition_size \"-1\" is not a number"},
      {replaced(v1, "is_download: TRUE", "is_download: maybe"),
       "s.txt:47: is_download must be true or false"},
      {replaced(v1, "  region: EMMC_USER\n  storage: HW_STORAGE_EMMC\n  boundary_check: false",
                "  region: EMMC_USER\n  region: EMMC_USER\n  storage: HW_STORAGE_EMMC\n"
                "  boundary_check: false"),
       "s.txt:70: partition SYS3 (sgpt) gives \"region\" twice"},
      {replaced(v1, "  operation_type: UPDATE", "  this line is garbage"),
       "s.txt:56: expected \"key: value\", found \"this line is garbage\""},
      {replaced(v1, "- general: MTK_PLATFORM_CFG", "- general: SOMETHING"),
       "s.txt:4: unknown general block"},
      {replaced(v1, "- general: MTK_PLATFORM_CFG\n  info: \n", "x: y\n"),
       "s.txt:4: \"x\" outside any block"},
      {std::string("- general: MTK_PLATFORM_CFG\n  info:\n    - platform: MT6765\n"),
       "s.txt:1: the general block has no config_version"},
      {std::string("- general: MTK_PLATFORM_CFG\n  info:\n    - config_version: V1.1.2\n"),
       "s.txt:1: no partition records"},
      {std::string(""), "s.txt: the scatter file is empty"},
      {std::string("\n# only a comment\n\n"), "s.txt: the scatter file is empty"},
  };
  for (const Case& c : cases) {
    auto r = sc::parse(c.text, "s.txt");
    ASSERT_FALSE(r.ok()) << c.expect;
    EXPECT_EQ(r.error().name, "S_DL_SCAT_INCORRECT_FORMAT") << c.expect;
    EXPECT_EQ(r.error().code, 5011);
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos)
        << "expected: " << c.expect << "\n     got: " << r.error().message;
  }
}

TEST(ScatterParseErrors, UnsupportedVersion) {
  auto r = sc::parse(replaced(lf(kV1), "V1.1.2", "V3.0.0"), "s.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().name, "S_DL_SCAT_VERSION_UNSUPPORTED");
  EXPECT_EQ(r.error().code, 5079);
  EXPECT_NE(r.error().message.find("s.txt:6: config_version V3.0.0"), std::string::npos)
      << r.error().message;
}

TEST(ScatterParseErrors, HostileInputNeverCrashes) {
  // Every prefix, and a deterministic stream of byte mutations, of each golden: parse may fail,
  // but must not crash, and what it accepts must validate without crashing.
  const std::vector<std::string> goldens = {kLegacy, kV1, kV2, v2Xml()};
  sc::ValidateOptions opts;
  opts.regionSizes = {{"EMMC_USER", 4 * kGiB}, {"EMMC_BOOT1", 4 * kMiB}, {"UFS_LU2", 1}};
  opts.storageSize = 1;
  opts.imageSizes = std::map<std::string, std::uint64_t>{{"system.img", ~0ull}};
  opts.phonePlatform = "MT6765";
  opts.phoneStorage = "UFS";
  std::uint32_t seed = 12345;
  auto rnd = [&] {
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
  };
  std::size_t accepted = 0;
  for (const std::string& g : goldens) {
    for (std::size_t n = 0; n <= g.size(); n += 7) {
      auto r = sc::parse(g.substr(0, n), "h.txt");
      if (r.ok()) {
        ++accepted;
        (void)sc::validate(*r, opts);
      }
    }
    for (int round = 0; round < 400; ++round) {
      std::string m = g;
      const int edits = 1 + static_cast<int>(rnd() % 4);
      for (int e = 0; e < edits; ++e) {
        const std::size_t at = rnd() % m.size();
        switch (rnd() % 4) {
          case 0:
            m[at] = static_cast<char>(rnd());
            break;
          case 1:
            m.erase(at, 1 + rnd() % 16);
            break;
          case 2:
            m.insert(at, std::string(1 + rnd() % 3, "0xF:{}<>-#\n\r\t&"[rnd() % 15]));
            break;
          default:
            m.insert(at, "0xFFFFFFFFFFFFFFFF");
            break;
        }
      }
      auto r = sc::parse(m, "h.txt");
      if (r.ok()) {
        ++accepted;
        (void)sc::validate(*r, opts);
      } else {
        EXPECT_FALSE(r.error().message.empty());
      }
    }
  }
  EXPECT_GT(accepted, 0u);
  // Binary garbage and extreme sizes.
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>(rnd());
  EXPECT_FALSE(sc::parse(garbage, "g.bin").ok());
  EXPECT_FALSE(sc::parse(std::string(1 << 20, '{'), "g.txt").ok());
  EXPECT_FALSE(sc::parse(std::string(1 << 20, '<'), "g.xml").ok());
  EXPECT_FALSE(sc::parse(std::string("A 0x0\n") + std::string(1 << 16, '{'), "g.txt").ok());
}

TEST(ScatterHelpers, HumanSize) {
  EXPECT_EQ(sc::humanSize(0), "0 bytes");
  EXPECT_EQ(sc::humanSize(1), "1 byte");
  EXPECT_EQ(sc::humanSize(1023), "1023 bytes");
  EXPECT_EQ(sc::humanSize(1024), "1 KiB");
  EXPECT_EQ(sc::humanSize(1536), "1.5 KiB");
  EXPECT_EQ(sc::humanSize(12 * kMiB), "12 MiB");
  EXPECT_EQ(sc::humanSize(3 * kGiB), "3 GiB");
  EXPECT_EQ(sc::humanSize(kGiB - 1), "1 GiB");  // 1023.99... MiB rounds up a unit
  EXPECT_EQ(sc::humanSize(0x289000000), "10.1 GiB");
  EXPECT_EQ(sc::humanSize(~0ull), "16384 PiB");
}

TEST(ScatterHelpers, PlatformFromFileNameAndRegions) {
  EXPECT_EQ(sc::platformFromFileName("MT6589_Android_scatter_emmc.txt"), "MT6589");
  EXPECT_EQ(sc::platformFromFileName("/a/b/mt6735m_Android_scatter.txt"), "MT6735M");
  EXPECT_EQ(sc::platformFromFileName("C:\\fw\\MT6765-Android_scatter.txt"), "MT6765");
  EXPECT_EQ(sc::platformFromFileName("Android_scatter.txt"), "");
  EXPECT_EQ(sc::platformFromFileName("MT65_x.txt"), "");
  EXPECT_EQ(sc::platformFromFileName("GoldRenard__device_s960__MT6589_Android_scatter_emmc.txt"),
            "MT6589");
  EXPECT_EQ(sc::platformFromFileName("d__x_mt6891__MT6893_Android_scatter.xml"), "MT6893");
  EXPECT_EQ(sc::platformFromFileName("SMT6589_Android_scatter.txt"), "");
  EXPECT_EQ(sc::canonicalRegions("EMMC_BOOT_1"), std::vector<std::string>{"EMMC_BOOT1"});
  EXPECT_EQ(sc::canonicalRegions("EMMC_BOOT1_BOOT2"),
            (std::vector<std::string>{"EMMC_BOOT1", "EMMC_BOOT2"}));
  EXPECT_EQ(sc::canonicalRegions("UFS_LU0_LU1"), (std::vector<std::string>{"UFS_LU0", "UFS_LU1"}));
  EXPECT_EQ(sc::canonicalRegions("emmc_user"), std::vector<std::string>{"EMMC_USER"});
  EXPECT_TRUE(sc::isEndRelative(0xFFFF0000));
  EXPECT_TRUE(sc::isEndRelative(0xFFFF01d8));
  EXPECT_FALSE(sc::isEndRelative(0xE87FBE00));
  EXPECT_FALSE(sc::isEndRelative(0x1FFFF0000));
}

}  // namespace
