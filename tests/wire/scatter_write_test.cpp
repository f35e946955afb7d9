// scatter::writeV1: a hand-written golden for a two-partition scatter, write -> parse round trips
// of the goldens and of every V1.x file of shared/corpus/scatter (and of each V2.x section written
// as V1), and the values the text cannot carry.
#include "mtk/wire/scatter_write.hpp"

#include "scatter_test_data.hpp"

namespace {

using namespace scatter_test;

// Every field parse() fills from the text, compared; line numbers and the file name differ.
void expectSameLayout(const sc::Scatter& a, const sc::Scatter& b) {
  EXPECT_EQ(a.platform, b.platform);
  EXPECT_EQ(a.project, b.project);
  EXPECT_EQ(a.storage, b.storage);
  EXPECT_EQ(a.bootChannel, b.bootChannel);
  EXPECT_EQ(a.blockSize, b.blockSize);
  EXPECT_EQ(a.generalExtras, b.generalExtras);
  ASSERT_EQ(a.partitions.size(), b.partitions.size());
  for (std::size_t i = 0; i < a.partitions.size(); ++i) {
    const sc::Partition& p = a.partitions[i];
    const sc::Partition& q = b.partitions[i];
    SCOPED_TRACE("partition " + std::to_string(i) + " " + p.name);
    EXPECT_EQ(p.index, q.index);
    EXPECT_EQ(p.name, q.name);
    EXPECT_EQ(p.fileName, q.fileName);
    EXPECT_EQ(p.isDownload, q.isDownload);
    EXPECT_EQ(p.type, q.type);
    EXPECT_EQ(p.linearStartAddress, q.linearStartAddress);
    EXPECT_EQ(p.physicalStartAddress, q.physicalStartAddress);
    EXPECT_EQ(p.partitionSize, q.partitionSize);
    EXPECT_EQ(p.region, q.region);
    EXPECT_EQ(p.storage, q.storage);
    EXPECT_EQ(p.boundaryCheck, q.boundaryCheck);
    EXPECT_EQ(p.isReserved, q.isReserved);
    EXPECT_EQ(p.operationType, q.operationType);
    EXPECT_EQ(p.reserve, q.reserve);
    EXPECT_EQ(p.isUpgradable, q.isUpgradable);
    EXPECT_EQ(p.emptyBootNeeded, q.emptyBootNeeded);
    EXPECT_EQ(p.comboPartsizeCheck, q.comboPartsizeCheck);
    EXPECT_EQ(p.extras, q.extras);
  }
}

sc::Scatter reparse(const sc::Scatter& s, const sc::WriteOptions& o = {}) {
  auto text = sc::writeV1(s, o);
  EXPECT_TRUE(text.ok()) << text.error().describe();
  if (!text.ok()) return {};
  auto back = sc::parse(*text, "written.txt");
  EXPECT_TRUE(back.ok()) << back.error().describe() << "\n" << *text;
  if (!back.ok()) return {};
  EXPECT_EQ(back->format, Format::V1);
  EXPECT_EQ(back->sections.size(), 1u);
  return *back;
}

sc::Partition part(const char* index, const char* name, const char* file, bool download,
                   const char* type, std::uint64_t start, std::uint64_t size, const char* region,
                   bool boundaryCheck, bool reserved, const char* operation) {
  sc::Partition p;
  p.index = index;
  p.name = name;
  p.fileName = file;
  p.isDownload = download;
  p.type = type;
  p.linearStartAddress = start;
  p.physicalStartAddress = start;
  p.partitionSize = size;
  p.region = region;
  p.storage = "HW_STORAGE_EMMC";
  p.boundaryCheck = boundaryCheck;
  p.isReserved = reserved;
  p.operationType = operation;
  return p;
}

sc::Scatter twoPartitions() {
  sc::Scatter s;
  s.format = Format::V1;
  s.configVersion = "V1.1.2";
  s.platform = "MT6765";
  s.project = "k62v1_64_bsp";
  s.storage = "EMMC";
  s.bootChannel = "MSDC_0";
  s.blockSize = 0x20000;
  s.generalExtras = {{"skip_pmt_operate", "true"}};
  s.partitions = {
      part("SYS0", "userdata", "userdata.img", true, "EXT4_IMG", 0x3da8000, 0x1a7e00000,
           "EMMC_USER", true, false, "UPDATE"),
      part("SYS1", "sgpt", "", false, "NORMAL_ROM", 0xFFFF0004, 0x80000, "EMMC_USER", false, true,
           "RESERVED"),
  };
  s.partitions[0].isUpgradable = true;
  return s;
}

TEST(ScatterWrite, GoldenTwoPartitions) {
  // Written by hand after the corpus' MT6580 file (MediaTek's generator layout).
  const std::string banner(108, '#');
  const std::string want = banner +
                           "\n"
                           "#\n"
                           "#  General Setting\n"
                           "#\n" +
                           banner +
                           "\n"
                           "- general: MTK_PLATFORM_CFG\n"
                           "  info: \n"
                           "    - config_version: V1.1.2\n"
                           "      platform: MT6765\n"
                           "      project: k62v1_64_bsp\n"
                           "      storage: EMMC\n"
                           "      boot_channel: MSDC_0\n"
                           "      block_size: 0x20000\n"
                           "      skip_pmt_operate: true\n" +
                           banner +
                           "\n"
                           "#\n"
                           "#  Layout Setting\n"
                           "#\n" +
                           banner +
                           "\n"
                           "- partition_index: SYS0\n"
                           "  partition_name: userdata\n"
                           "  file_name: userdata.img\n"
                           "  is_download: true\n"
                           "  type: EXT4_IMG\n"
                           "  linear_start_addr: 0x3da8000\n"
                           "  physical_start_addr: 0x3da8000\n"
                           "  partition_size: 0x1a7e00000\n"
                           "  region: EMMC_USER\n"
                           "  storage: HW_STORAGE_EMMC\n"
                           "  boundary_check: true\n"
                           "  is_reserved: false\n"
                           "  operation_type: UPDATE\n"
                           "  is_upgradable: true\n"
                           "  empty_boot_needed: false\n"
                           "  reserve: 0x00\n"
                           "\n"
                           "- partition_index: SYS1\n"
                           "  partition_name: sgpt\n"
                           "  file_name: NONE\n"
                           "  is_download: false\n"
                           "  type: NORMAL_ROM\n"
                           "  linear_start_addr: 0xFFFF0004\n"
                           "  physical_start_addr: 0xFFFF0004\n"
                           "  partition_size: 0x80000\n"
                           "  region: EMMC_USER\n"
                           "  storage: HW_STORAGE_EMMC\n"
                           "  boundary_check: false\n"
                           "  is_reserved: true\n"
                           "  operation_type: RESERVED\n"
                           "  is_upgradable: false\n"
                           "  empty_boot_needed: false\n"
                           "  reserve: 0x00\n"
                           "\n";
  auto text = sc::writeV1(twoPartitions());
  ASSERT_TRUE(text.ok()) << text.error().describe();
  EXPECT_EQ(*text, want);

  // CRLF: the same text with "\r\n".
  auto crlf = sc::writeV1(twoPartitions(), {.crlf = true});
  ASSERT_TRUE(crlf.ok());
  std::string wantCrlf;
  for (char c : want) {
    if (c == '\n') wantCrlf += '\r';
    wantCrlf += c;
  }
  EXPECT_EQ(*crlf, wantCrlf);

  const sc::Scatter s = twoPartitions();
  expectSameLayout(reparse(s), s);
  expectSameLayout(reparse(s, {.crlf = true}), s);
}

TEST(ScatterWrite, VersionDependentKeys) {
  sc::Scatter s = twoPartitions();
  s.configVersion = "V1.1.1";
  auto old = sc::writeV1(s);
  ASSERT_TRUE(old.ok());
  // userdata is upgradable, so it keeps the keys; sgpt, all defaults, has none.
  EXPECT_NE(old->find("operation_type: UPDATE\n  is_upgradable: true\n"), std::string::npos);
  EXPECT_NE(old->find("operation_type: RESERVED\n  reserve: 0x00\n"), std::string::npos) << *old;
  EXPECT_EQ(old->find("combo_partsize_check"), std::string::npos);
  expectSameLayout(reparse(s), s);

  s.configVersion = "V1.1.8";
  auto v118 = sc::writeV1(s);
  ASSERT_TRUE(v118.ok());
  EXPECT_NE(v118->find("empty_boot_needed: false\n  combo_partsize_check: false\n  reserve: 0x00"),
            std::string::npos)
      << *v118;

  // A V2.x model written as V1: V1.1.2, or V1.2.0 when combo_partsize_check is used.
  s.configVersion = "V2.1.0";
  auto v2 = sc::writeV1(s);
  ASSERT_TRUE(v2.ok());
  EXPECT_NE(v2->find("config_version: V1.1.2\n"), std::string::npos);
  s.partitions[0].comboPartsizeCheck = true;
  auto v120 = sc::writeV1(s);
  ASSERT_TRUE(v120.ok());
  EXPECT_NE(v120->find("config_version: V1.2.0\n"), std::string::npos);
  // ... and the option wins.
  auto forced = sc::writeV1(s, {.configVersion = "V1.1.6"});
  ASSERT_TRUE(forced.ok());
  EXPECT_NE(forced->find("config_version: V1.1.6\n"), std::string::npos);
  EXPECT_EQ(reparse(s).configVersion, "V1.2.0");

  // Partitions without an index are numbered by position; empty boot_channel / block_size and
  // an empty reserve of 0 are handled like the real files that leave them out.
  s = twoPartitions();
  s.partitions[1].index.clear();
  s.bootChannel.clear();
  s.blockSize = 0;
  s.partitions[1].reserve = 0x12;
  auto plain = sc::writeV1(s);
  ASSERT_TRUE(plain.ok());
  EXPECT_NE(plain->find("- partition_index: SYS1\n  partition_name: sgpt\n"), std::string::npos);
  EXPECT_EQ(plain->find("boot_channel"), std::string::npos);
  EXPECT_EQ(plain->find("block_size"), std::string::npos);
  EXPECT_NE(plain->find("reserve: 0x12\n"), std::string::npos);
  s.partitions[1].index = "SYS1";
  expectSameLayout(reparse(s), s);
}

TEST(ScatterWrite, RoundTripsTheGoldens) {
  auto v1 = sc::parse(kV1, "MT6765_Android_scatter.txt");
  ASSERT_TRUE(v1.ok()) << v1.error().describe();
  const sc::Scatter back = reparse(*v1);
  EXPECT_EQ(back.configVersion, "V1.1.2");
  expectSameLayout(back, *v1);
  // The extra key d_type survives, in its place before reserve.
  ASSERT_EQ(back.partitions[2].extras.size(), 1u);
  EXPECT_EQ(back.partitions[2].extras[0], (std::pair<std::string, std::string>{"d_type", "FALSE"}));

  // Each section of the V2.x golden, written as a V1 file of that storage.
  for (const char* storage : {"EMMC", "UFS"}) {
    SCOPED_TRACE(storage);
    auto v2 = sc::parse(kV2, "MT6785_Android_scatter.txt", storage);
    ASSERT_TRUE(v2.ok()) << v2.error().describe();
    const sc::Scatter w = reparse(*v2);
    EXPECT_EQ(w.configVersion, "V1.1.2");
    expectSameLayout(w, *v2);
  }
}

TEST(ScatterWrite, CorpusFilesRoundTrip) {
  REQUIRE_CORPUS();
  std::size_t v1Files = 0;
  std::size_t v2Sections = 0;
  for (const auto& path : corpusFiles()) {
    const std::string name = path.filename().string();
    SCOPED_TRACE(name);
    auto r = sc::parse(readFile(path), name);
    if (!r.ok() || r->format == Format::Legacy) continue;  // the OTA file; legacy has no V1 form
    if (r->format == Format::V1) {
      ++v1Files;
      const sc::Scatter back = reparse(*r);
      EXPECT_EQ(back.configVersion, r->configVersion);
      expectSameLayout(back, *r);
      continue;
    }
    for (const sc::Section& section : r->sections) {
      auto one = sc::selectStorage(*r, section.storage);
      ASSERT_TRUE(one.ok()) << one.error().describe();
      ++v2Sections;
      expectSameLayout(reparse(*one), *one);
    }
  }
  EXPECT_EQ(v1Files, 27u);     // SOURCES.md: 6 x V1.1.1, 18 x V1.1.2, 1 x V1.1.6, 2 x V1.1.8
  EXPECT_EQ(v2Sections, 14u);  // 7 combo files (6 text, 1 XML), EMMC + UFS each
}

TEST(ScatterWrite, ReproducesGeneratorFilesByteForByte) {
  REQUIRE_CORPUS();
  // Unedited outputs of MediaTek's generator (V1.1.2 and V1.1.8): parse -> write gives the file
  // back exactly, banners, "info: " and lowercase/0xFFFF hex included. The other V1 files of the
  // corpus differ only where people or older tools wrote them differently (uppercase hex, no
  // is_upgradable, trailing blanks in the banner).
  for (const char* file : {
           "AnimMouse__Doogee-S90-Magisk__MT6771_Android_scatter.txt",
           "Carlitoshsh__scatter__MT6768_Android_scatter.txt",
           "DevMelek__Tecno-POP-4-Air__MT6580_Android_scatter.txt",
           "Dewil-King__Sectter-File__MT6765-Android_scatter_Fastboot.txt",
           "DroidDumps__xiaomi_nikel_dump__MT6797_Android_scatter.txt",
           "GEEKOFIA__Marino-Fasboot-Firmware-Flash-Scripts__MT6757_Android_scatter.txt",
           "Janddda__umidigi_z2_se__MT6763_Android_scatter.txt",
           "berkantkz__misc__MT6737M_Android_scatter.txt",
       }) {
    SCOPED_TRACE(file);
    const std::string original = readFile(kCorpus / file);
    auto s = sc::parse(original, file);
    ASSERT_TRUE(s.ok()) << s.error().describe();
    auto text = sc::writeV1(*s);
    ASSERT_TRUE(text.ok()) << text.error().describe();
    EXPECT_TRUE(*text == original)
        << "first difference at byte "
        << std::mismatch(text->begin(), text->end(), original.begin(), original.end()).first -
               text->begin();
  }
}

TEST(ScatterWrite, RefusesWhatTheTextCannotCarry) {
  const auto fails = [](const sc::Scatter& s, const std::string& part,
                        const sc::WriteOptions& o = {}) {
    auto r = sc::writeV1(s, o);
    ASSERT_FALSE(r.ok()) << part;
    EXPECT_EQ(r.error().name, "SCATTER_UNWRITABLE");
    EXPECT_EQ(r.error().code, -1);
    EXPECT_NE(r.error().message.find(part), std::string::npos) << r.error().message;
  };

  auto legacy = sc::parse(kLegacy, "MT6589_Android_scatter_emmc.txt");
  ASSERT_TRUE(legacy.ok());
  fails(*legacy, "a legacy scatter has no type, region or storage");

  sc::Scatter s = twoPartitions();
  s.partitions.clear();
  fails(s, "no partitions");

  fails(twoPartitions(), "config_version \"V2.1.0\" is not a V1.x version",
        {.configVersion = "V2.1.0"});

  s = twoPartitions();
  s.partitions[1].name = "sgpt\nsystem";
  fails(s, "partition 1 (sgpt?system): partition_name \"sgpt?system\" contains a line break");
  s = twoPartitions();
  s.partitions[0].fileName = "userdata.img #2";
  fails(s, "contains \" #\"");
  s = twoPartitions();
  s.partitions[0].fileName = "#userdata.img";
  fails(s, "starts with '#'");
  s = twoPartitions();
  s.partitions[0].type = " EXT4_IMG";
  fails(s, "type \" EXT4_IMG\" starts or ends with a blank");
  s = twoPartitions();
  s.project = "\"quoted\"";
  fails(s, "general block: project \"\"quoted\"\" is quoted");
  s = twoPartitions();
  s.partitions[1].fileName = "none";
  fails(s, "file_name \"none\" would read back as no file");
  s = twoPartitions();
  s.partitions[0].extras = {{"reserve", "0x1"}};
  fails(s, "extra key \"reserve\" is a key the model names");
  s = twoPartitions();
  s.partitions[0].extras = {{"D_Type", "FALSE"}};
  fails(s, "extra key \"D_Type\" is not a lowercase identifier");
  s = twoPartitions();
  s.generalExtras = {{"platform", "MT6768"}};
  fails(s, "general block: extra key \"platform\"");
  s = twoPartitions();
  s.generalExtras = {{"partition_index", "SYS9"}};
  fails(s, "extra key \"partition_index\"");

  // Values the parser does carry: inner blanks, colons, an empty name (smichalowski's file).
  s = twoPartitions();
  s.project = "k62 v1: test";
  s.partitions[1].name.clear();
  expectSameLayout(reparse(s), s);
}

}  // namespace
