#pragma once
// Shared by the scatter tests (parse, validate, corpus): golden scatters in every syntax and
// small helpers. Test data, written by hand from spflash.md §3 and the corpus.

#include <gtest/gtest.h>
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>
#include "mtk/wire/scatter.hpp"

namespace scatter_test {

namespace sc = mtk::wire::scatter;
using sc::Format;
using sc::Issue;
using sc::Severity;

constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kGiB = 1ull << 30;

inline std::string describe(const std::vector<Issue>& issues) {
  std::string s;
  for (const Issue& i : issues) {
    s += (i.severity == Severity::Error ? "E " : "W ") + i.name + " " + i.message + "\n";
  }
  return s;
}

inline std::vector<Issue> withName(const std::vector<Issue>& issues, const std::string& name) {
  std::vector<Issue> out;
  std::copy_if(issues.begin(), issues.end(), std::back_inserter(out),
               [&](const Issue& i) { return i.name == name; });
  return out;
}

// ------------------------------------------------------------------------------------------
// Goldens
// ------------------------------------------------------------------------------------------

// Legacy plain text as the MT6589 file in the corpus writes it, plus a comment, CRLF on one
// entry, a tab and "{ }" on one line, which real tools also accept.
const char* const kLegacy =
    "# hand-written\n"
    "PRELOADER 0x0\n"
    "{\n"
    "}\n"
    "MBR 0x600000\r\n"
    "{\r\n"
    "}\r\n"
    "__NODL_PMT\t0x700000 { }\n"
    "__NODL_RSV_OTP 0x9000000\n"
    "{\n"
    "}\n"
    "__NODL_BMTPOOL 0xFFFF00a8\n"
    "{\n"
    "}\n";

// V1.1.2 as MediaTek's ptgen writes it, with CRLF, a tab-indented key, trailing blanks, a
// comment after a value, a quoted value and a decimal size.
const char* const kV1 =
    "############################################################\r\n"  // 1
    "#  General Setting\r\n"                                            // 2
    "############################################################\r\n"  // 3
    "- general: MTK_PLATFORM_CFG\r\n"                                   // 4
    "  info: \r\n"                                                      // 5
    "    - config_version: V1.1.2\r\n"                                  // 6
    "      platform: MT6765\r\n"                                        // 7
    "      project: k62v1_64_bsp   \r\n"                                // 8
    "      storage: EMMC\r\n"                                           // 9
    "      boot_channel: MSDC_0\r\n"                                    // 10
    "      block_size: 0x20000\r\n"                                     // 11
    "      skip_pmt_operate: true\r\n"                                  // 12
    "############################################################\r\n"  // 13
    "- partition_index: SYS0\r\n"                                       // 14
    "  partition_name: preloader\r\n"                                   // 15
    "  file_name: preloader_k62v1_64_bsp.bin\r\n"                       // 16
    "  is_download: true\r\n"                                           // 17
    "  type: SV5_BL_BIN\r\n"                                            // 18
    "  linear_start_addr: 0x0\r\n"                                      // 19
    "  physical_start_addr: 0x0\r\n"                                    // 20
    "  partition_size: 0x40000\r\n"                                     // 21
    "  region: EMMC_BOOT_1\r\n"                                         // 22
    "  storage: HW_STORAGE_EMMC\r\n"                                    // 23
    "  boundary_check: true\r\n"                                        // 24
    "  is_reserved: false\r\n"                                          // 25
    "  operation_type: BOOTLOADERS\r\n"                                 // 26
    "  reserve: 0x00\r\n"                                               // 27
    "\r\n"                                                              // 28
    "- partition_index: SYS1\r\n"                                       // 29
    "  partition_name: pgpt\r\n"                                        // 30
    "  file_name: NONE\r\n"                                             // 31
    "  is_download: false\r\n"                                          // 32
    "  type: NORMAL_ROM\r\n"                                            // 33
    "  linear_start_addr: 0x0\r\n"                                      // 34
    "  physical_start_addr: 0x0\r\n"                                    // 35
    "  partition_size: 32768\r\n"                                       // 36
    "  region: EMMC_USER\r\n"                                           // 37
    "  storage: HW_STORAGE_EMMC\r\n"                                    // 38
    "  boundary_check: true\r\n"                                        // 39
    "  is_reserved: false\r\n"                                          // 40
    "  operation_type: INVISIBLE\r\n"                                   // 41
    "  reserve: 0x00\r\n"                                               // 42
    "\r\n"                                                              // 43
    "- partition_index: SYS2\r\n"                                       // 44
    "  partition_name: system\r\n"                                      // 45
    "  file_name: \"system.img\"   # the big one\r\n"                   // 46
    "  is_download: TRUE\r\n"                                           // 47
    "  type: EXT4_IMG\r\n"                                              // 48
    "\tlinear_start_addr: 0x8000\r\n"                                   // 49
    "  physical_start_addr: 0x8000\r\n"                                 // 50
    "  partition_size: 0xC0000000\r\n"                                  // 51
    "  region: EMMC_USER\r\n"                                           // 52
    "  storage: HW_STORAGE_EMMC\r\n"                                    // 53
    "  boundary_check: true\r\n"                                        // 54
    "  is_reserved: false\r\n"                                          // 55
    "  operation_type: UPDATE\r\n"                                      // 56
    "  is_upgradable: true\r\n"                                         // 57
    "  d_type: FALSE\r\n"                                               // 58
    "  reserve: 0x00\r\n"                                               // 59
    "\r\n"                                                              // 60
    "- partition_index: SYS3\r\n"                                       // 61
    "  partition_name: sgpt\r\n"                                        // 62
    "  file_name: NONE\r\n"                                             // 63
    "  is_download: false\r\n"                                          // 64
    "  type: NORMAL_ROM\r\n"                                            // 65
    "  linear_start_addr: 0xFFFF0004\r\n"                               // 66
    "  physical_start_addr: 0xFFFF0004\r\n"                             // 67
    "  partition_size: 0x80000\r\n"                                     // 68
    "  region: EMMC_USER\r\n"                                           // 69
    "  storage: HW_STORAGE_EMMC\r\n"                                    // 70
    "  boundary_check: false\r\n"                                       // 71
    "  is_reserved: true\r\n"                                           // 72
    "  operation_type: RESERVED\r\n"                                    // 73
    "  reserve: 0x00\r\n";                                              // 74

// V2.1.0 combo text: two storage sections, partition records indented two more spaces.
const char* const kV2 =
    "- general: MTK_PLATFORM_CFG\n"            // 1
    "  info: \n"                               // 2
    "    - config_version: V2.1.0\n"           // 3
    "      platform: MT6785\n"                 // 4
    "      project: k85v1_64\n"                // 5
    "- storage_type: EMMC\n"                   // 6
    "  description: \n"                        // 7
    "  - general: MTK_STORAGE_CFG\n"           // 8
    "    info: \n"                             // 9
    "      - storage: EMMC\n"                  // 10
    "        boot_channel: MSDC_0\n"           // 11
    "        block_size: 0x20000\n"            // 12
    "\n"                                       // 13
    "  - partition_index: SYS0\n"              // 14
    "    partition_name: preloader\n"          // 15
    "    file_name: preloader_k85v1_64.bin\n"  // 16
    "    is_download: true\n"                  // 17
    "    type: SV5_BL_BIN\n"                   // 18
    "    linear_start_addr: 0x0\n"             // 19
    "    physical_start_addr: 0x0\n"           // 20
    "    partition_size: 0x40000\n"            // 21
    "    region: EMMC_BOOT1_BOOT2\n"           // 22
    "    storage: HW_STORAGE_EMMC\n"           // 23
    "    boundary_check: true\n"               // 24
    "    is_reserved: false\n"                 // 25
    "    operation_type: BOOTLOADERS\n"        // 26
    "    is_upgradable: true\n"                // 27
    "    empty_boot_needed: false\n"           // 28
    "    reserve: 0x00\n"                      // 29
    "\n"                                       // 30
    "  - partition_index: SYS1\n"              // 31
    "    partition_name: userdata\n"           // 32
    "    file_name: userdata.img\n"            // 33
    "    is_download: true\n"                  // 34
    "    type: EXT4_IMG\n"                     // 35
    "    linear_start_addr: 0x8000\n"          // 36
    "    physical_start_addr: 0x8000\n"        // 37
    "    partition_size: 0x20000000\n"         // 38
    "    region: EMMC_USER\n"                  // 39
    "    storage: HW_STORAGE_EMMC\n"           // 40
    "    boundary_check: true\n"               // 41
    "    is_reserved: false\n"                 // 42
    "    operation_type: NEEDRESIZE\n"         // 43
    "    reserve: 0x00\n"                      // 44
    "\n"                                       // 45
    "  - partition_index: SYS2\n"              // 46
    "    partition_name: flashinfo\n"          // 47
    "    file_name: NONE\n"                    // 48
    "    is_download: false\n"                 // 49
    "    type: NORMAL_ROM\n"                   // 50
    "    linear_start_addr: 0xFFFF0080\n"      // 51
    "    physical_start_addr: 0xFFFF0080\n"    // 52
    "    partition_size: 0x1000000\n"          // 53
    "    region: EMMC_USER\n"                  // 54
    "    storage: HW_STORAGE_EMMC\n"           // 55
    "    boundary_check: false\n"              // 56
    "    is_reserved: true\n"                  // 57
    "    operation_type: RESERVED\n"           // 58
    "    reserve: 0x00\n"                      // 59
    "- storage_type: UFS\n"                    // 60
    "  description: \n"                        // 61
    "  - general: MTK_STORAGE_CFG\n"           // 62
    "    info: \n"                             // 63
    "      - storage: UFS\n"                   // 64
    "        boot_channel: UFSHCI_0\n"         // 65
    "        block_size: 0x80000\n"            // 66
    "\n"                                       // 67
    "  - partition_index: SYS0\n"              // 68
    "    partition_name: preloader\n"          // 69
    "    file_name: preloader_k85v1_64.bin\n"  // 70
    "    is_download: true\n"                  // 71
    "    type: SV5_BL_BIN\n"                   // 72
    "    linear_start_addr: 0x0\n"             // 73
    "    physical_start_addr: 0x0\n"           // 74
    "    partition_size: 0x40000\n"            // 75
    "    region: UFS_LU0_LU1\n"                // 76
    "    storage: HW_STORAGE_UFS\n"            // 77
    "    boundary_check: true\n"               // 78
    "    is_reserved: false\n"                 // 79
    "    operation_type: BOOTLOADERS\n"        // 80
    "    reserve: 0x00\n"                      // 81
    "\n"                                       // 82
    "  - partition_index: SYS1\n"              // 83
    "    partition_name: userdata\n"           // 84
    "    file_name: userdata.img\n"            // 85
    "    is_download: true\n"                  // 86
    "    type: EXT4_IMG\n"                     // 87
    "    linear_start_addr: 0x8000\n"          // 88
    "    physical_start_addr: 0x8000\n"        // 89
    "    partition_size: 0x20000000\n"         // 90
    "    region: UFS_LU2\n"                    // 91
    "    storage: HW_STORAGE_UFS\n"            // 92
    "    boundary_check: true\n"               // 93
    "    is_reserved: false\n"                 // 94
    "    operation_type: NEEDRESIZE\n"         // 95
    "    reserve: 0x00\n";                     // 96

inline void expectV2Fields(const sc::Scatter& s, bool xml) {
  EXPECT_EQ(s.format, xml ? Format::V2Xml : Format::V2Text);
  EXPECT_EQ(s.configVersion, "V2.1.0");
  EXPECT_EQ(s.platform, "MT6785");
  EXPECT_EQ(s.project, "k85v1_64");
  ASSERT_EQ(s.sections.size(), 2u);
  const sc::Section& emmc = s.sections[0];
  const sc::Section& ufs = s.sections[1];
  EXPECT_EQ(emmc.storage, "EMMC");
  EXPECT_EQ(emmc.bootChannel, "MSDC_0");
  EXPECT_EQ(emmc.blockSize, 0x20000u);
  EXPECT_EQ(ufs.storage, "UFS");
  EXPECT_EQ(ufs.bootChannel, "UFSHCI_0");
  EXPECT_EQ(ufs.blockSize, 0x80000u);
  ASSERT_EQ(emmc.partitions.size(), 3u);
  ASSERT_EQ(ufs.partitions.size(), 2u);
  EXPECT_EQ(emmc.partitions[0].region, "EMMC_BOOT1_BOOT2");
  EXPECT_TRUE(emmc.partitions[0].isUpgradable);
  EXPECT_EQ(emmc.partitions[1].operationType, "NEEDRESIZE");
  EXPECT_EQ(emmc.partitions[2].linearStartAddress, 0xFFFF0080u);
  EXPECT_EQ(ufs.partitions[0].index, "SYS0");  // restarts per section
  EXPECT_EQ(ufs.partitions[0].region, "UFS_LU0_LU1");
  EXPECT_EQ(ufs.partitions[1].region, "UFS_LU2");
  EXPECT_EQ(ufs.partitions[1].storage, "HW_STORAGE_UFS");
  // Without a storage argument the first section is the selected layout.
  EXPECT_EQ(s.storage, "EMMC");
  EXPECT_EQ(s.blockSize, 0x20000u);
  EXPECT_EQ(s.partitions.size(), 3u);
}

// The same layout as kV2, in the XML scatter's shape (douchey-dumps' MT6893 .xml).
inline std::string v2Xml() {
  auto part = [](const char* index, const char* name, const char* file, const char* dl,
                 const char* type, const char* start, const char* size, const char* region,
                 const char* storage, const char* bc, const char* rsv, const char* op,
                 const char* extra) {
    return std::string("    <partition_index name=\"") + index + "\">\n" +
           "      <partition_name>" + name + "</partition_name>\n" + "      <file_name>" + file +
           "</file_name>\n" + "      <is_download>" + dl + "</is_download>\n" + "      <type>" +
           type + "</type>\n" + "      <linear_start_addr>" + start + "</linear_start_addr>\n" +
           "      <physical_start_addr>" + start + "</physical_start_addr>\n" +
           "      <partition_size>" + size + "</partition_size>\n" + "      <region>" + region +
           "</region>\n" + "      <storage>" + storage + "</storage>\n" + "      <boundary_check>" +
           bc + "</boundary_check>\n" + "      <is_reserved>" + rsv + "</is_reserved>\n" +
           "      <operation_type>" + op + "</operation_type>\n" + extra +
           "      <reserve>0x00</reserve>\n" + "    </partition_index>\n";
  };
  std::string x =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "\n"
      "<root>\n"
      "  <!-- written by hand for the test -->\n"
      "  <general name=\"MTK_PLATFORM_CFG\">\n"
      "    <config_version name=\"V2.1.0\">\n"
      "      <platform>MT6785</platform>\n"
      "      <project>k85v1_64</project>\n"
      "    </config_version>\n"
      "  </general>\n"
      "  <storage_type name=\"EMMC\">\n"
      "    <general name=\"MTK_STORAGE_CFG\">\n"
      "      <storage name=\"EMMC\">\n"
      "        <boot_channel>MSDC_0</boot_channel>\n"
      "        <block_size>0x20000</block_size>\n"
      "      </storage>\n"
      "    </general>\n";
  x += part("SYS0", "preloader", "preloader_k85v1_64.bin", "true", "SV5_BL_BIN", "0x0", "0x40000",
            "EMMC_BOOT1_BOOT2", "HW_STORAGE_EMMC", "true", "false", "BOOTLOADERS",
            "      <is_upgradable>true</is_upgradable>\n"
            "      <empty_boot_needed>false</empty_boot_needed>\n");
  x += part("SYS1", "userdata", "userdata.img", "true", "EXT4_IMG", "0x8000", "0x20000000",
            "EMMC_USER", "HW_STORAGE_EMMC", "true", "false", "NEEDRESIZE", "");
  x += part("SYS2", "flashinfo", "NONE", "false", "NORMAL_ROM", "0xFFFF0080", "0x1000000",
            "EMMC_USER", "HW_STORAGE_EMMC", "false", "true", "RESERVED", "");
  x += "  </storage_type>\n"
       "  <storage_type name=\"UFS\">\n"
       "    <general name=\"MTK_STORAGE_CFG\">\n"
       "      <storage name=\"UFS\">\n"
       "        <boot_channel>UFSHCI_0</boot_channel>\n"
       "        <block_size>0x80000</block_size>\n"
       "      </storage>\n"
       "    </general>\n";
  x += part("SYS0", "preloader", "preloader_k85v1_64.bin", "true", "SV5_BL_BIN", "0x0", "0x40000",
            "UFS_LU0_LU1", "HW_STORAGE_UFS", "true", "false", "BOOTLOADERS", "");
  x += part("SYS1", "userdata", "userdata.img", "true", "EXT4_IMG", "0x8000", "0x20000000",
            "UFS_LU2", "HW_STORAGE_UFS", "true", "false", "NEEDRESIZE", "");
  x += "  </storage_type>\n</root>\n";
  return x;
}

// ------------------------------------------------------------------------------------------
// Parse errors name file and line
// ------------------------------------------------------------------------------------------

inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

inline std::string lf(const char* crlf) {
  std::string s;
  for (const char* p = crlf; *p; ++p) {
    if (*p != '\r') s += *p;
  }
  return s;
}

// ------------------------------------------------------------------------------------------
// Validation
// ------------------------------------------------------------------------------------------

// ------------------------------------------------------------------------------------------
// The real corpus (shared/corpus/scatter)
// ------------------------------------------------------------------------------------------

#ifdef MTK_SHARED_DIR
const std::filesystem::path kCorpus = std::filesystem::path(MTK_SHARED_DIR) / "corpus" / "scatter";
#else
const std::filesystem::path kCorpus;
#endif

inline std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline bool corpusPresent() {
  std::error_code ec;
  return !kCorpus.empty() && std::filesystem::is_directory(kCorpus, ec);
}

#define REQUIRE_CORPUS()                                                        \
  do {                                                                          \
    if (!corpusPresent()) {                                                     \
      GTEST_SKIP() << "scatter corpus not found at " << kCorpus                 \
                   << " (shared/corpus/scatter is optional; nothing to check)"; \
    }                                                                           \
  } while (0)

constexpr const char* kOta = "ttefke__android_device_nb_vernee_M5__update_scatter.txt";

inline std::vector<std::filesystem::path> corpusFiles() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(kCorpus)) {
    const auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".txt" || ext == ".xml")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Rows of SOURCES.md's table: file -> {format, platform, entries}.
struct SourceRow {
  std::string format;
  std::string platform;
  std::size_t entries = 0;
};

inline std::map<std::string, SourceRow> sourceRows() {
  std::map<std::string, SourceRow> rows;
  std::istringstream in(readFile(kCorpus / "SOURCES.md"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::size_t start = 1;
    for (std::size_t bar = line.find('|', start); bar != std::string::npos;
         bar = line.find('|', start)) {
      std::string cell = line.substr(start, bar - start);
      const auto a = cell.find_first_not_of(' ');
      const auto b = cell.find_last_not_of(' ');
      cells.push_back(a == std::string::npos ? "" : cell.substr(a, b - a + 1));
      start = bar + 1;
    }
    if (cells.size() < 10) continue;
    std::string file = cells[0];
    file.erase(std::remove(file.begin(), file.end(), '`'), file.end());
    rows[file] = SourceRow{cells[5], cells[6], static_cast<std::size_t>(std::stoul(cells[8]))};
  }
  return rows;
}

inline std::size_t totalPartitions(const sc::Scatter& s) {
  std::size_t n = 0;
  for (const sc::Section& sec : s.sections) n += sec.partitions.size();
  return n;
}

}  // namespace scatter_test
