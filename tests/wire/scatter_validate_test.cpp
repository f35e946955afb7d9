// Scatter validation (spflash.md §3.6): each check with its lines and the names SP Flash Tool uses.
#include "scatter_test_data.hpp"

namespace {

using namespace scatter_test;

TEST(ScatterValidate, ImageLargerThanPartition) {
  auto r = sc::parse(kV1, "MT6765_Android_scatter.txt");
  ASSERT_TRUE(r.ok());
  sc::ValidateOptions o;
  o.imageSizes = std::map<std::string, std::uint64_t>{
      {"preloader_k62v1_64_bsp.bin", 0x40000},  // exactly the partition: allowed
      {"system.img", 3 * kGiB + 12 * kMiB}};
  const auto issues = sc::validate(*r, o);
  ASSERT_EQ(issues.size(), 1u) << describe(issues);
  const Issue& i = issues[0];
  EXPECT_EQ(i.severity, Severity::Error);
  EXPECT_EQ(i.line, 44);
  EXPECT_EQ(i.name, "S_DL_PMT_ERR_NO_SPACE");
  EXPECT_EQ(i.code, 5069);
  EXPECT_EQ(i.message,
            "MT6765_Android_scatter.txt:44: system.img is 12 MiB larger than partition system "
            "(3 GiB)");
  EXPECT_NE(i.hint.find("3233808384 bytes"), std::string::npos) << i.hint;
  EXPECT_EQ(i.toError().describe().substr(0, 28), "S_DL_PMT_ERR_NO_SPACE (5069)");

  // boundary_check false turns the size check off.
  auto off = sc::parse(
      replaced(lf(kV1), "  boundary_check: true\n  is_reserved: false\n  operation_type: UPDATE",
               "  boundary_check: false\n  is_reserved: false\n  operation_type: UPDATE"),
      "MT6765_Android_scatter.txt");
  ASSERT_TRUE(off.ok());
  EXPECT_TRUE(sc::validate(*off, o).empty());
}

TEST(ScatterValidate, MissingImage) {
  auto r = sc::parse(kV1, "MT6765_Android_scatter.txt");
  ASSERT_TRUE(r.ok());
  sc::ValidateOptions o;
  o.imageSizes = std::map<std::string, std::uint64_t>{{"system.img", kMiB}};
  const auto issues = sc::validate(*r, o);
  ASSERT_EQ(issues.size(), 1u) << describe(issues);
  EXPECT_EQ(issues[0].name, "S_FTHND_FILE_IS_NOT_LOADED_YET");
  EXPECT_EQ(issues[0].code, 5007);
  EXPECT_EQ(issues[0].line, 14);
  EXPECT_EQ(issues[0].message,
            "MT6765_Android_scatter.txt:14: preloader_k62v1_64_bsp.bin for partition preloader is "
            "missing");
}

TEST(ScatterValidate, OverlapNamesBothPartitionsAndLines) {
  // A cache partition placed inside system (0x8000 + 3 GiB).
  std::string text = lf(kV1);
  const std::string cache =
      "\n- partition_index: SYS4\n"
      "  partition_name: cache\n"
      "  file_name: cache.img\n"
      "  is_download: true\n"
      "  type: EXT4_IMG\n"
      "  linear_start_addr: 0xC0000000\n"
      "  physical_start_addr: 0xC0000000\n"
      "  partition_size: 0x1000000\n"
      "  region: EMMC_USER\n"
      "  storage: HW_STORAGE_EMMC\n"
      "  boundary_check: true\n"
      "  is_reserved: false\n"
      "  operation_type: UPDATE\n"
      "  reserve: 0x00\n";
  text += cache;  // SYS4 at line 76; system ends at 0xC0008000
  auto r = sc::parse(text, "MT6765_Android_scatter.txt");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto issues = sc::validate(*r);
  const auto overlap = withName(issues, "S_DL_LOAD_REGION_IS_OVERLAP");
  ASSERT_EQ(overlap.size(), 1u) << describe(issues);
  EXPECT_EQ(overlap[0].code, 5016);
  EXPECT_EQ(overlap[0].line, 76);
  EXPECT_EQ(overlap[0].message,
            "MT6765_Android_scatter.txt:76: partitions system (line 44) and cache (line 76) "
            "overlap in EMMC_USER: system ends at 0xC0008000, cache starts at 0xC0000000");
  EXPECT_TRUE(withName(issues, "S_DL_SCAT_ADDR_IS_NOT_ASCENDING_ORDER").empty());
}

TEST(ScatterValidate, NotAscending) {
  std::string text = replaced(lf(kV1), "\tlinear_start_addr: 0x8000\n  physical_start_addr: 0x8000",
                              "\tlinear_start_addr: 0x100000\n  physical_start_addr: 0x100000");
  text +=
      "\n- partition_index: SYS4\n  partition_name: misc\n  file_name: NONE\n"
      "  is_download: false\n  type: NORMAL_ROM\n  linear_start_addr: 0x8000\n"
      "  physical_start_addr: 0x8000\n  partition_size: 0x80000\n  region: EMMC_USER\n"
      "  storage: HW_STORAGE_EMMC\n  boundary_check: true\n  is_reserved: false\n"
      "  operation_type: INVISIBLE\n";
  auto r = sc::parse(text, "s.txt");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto issues = sc::validate(*r);
  const auto order = withName(issues, "S_DL_SCAT_ADDR_IS_NOT_ASCENDING_ORDER");
  ASSERT_EQ(order.size(), 1u) << describe(issues);
  EXPECT_EQ(order[0].code, 5014);
  EXPECT_EQ(order[0].line, 76);
  EXPECT_NE(order[0].message.find("s.txt:76: partition misc starts at 0x8000 in EMMC_USER, before "
                                  "system (line 44) at 0x100000"),
            std::string::npos)
      << order[0].message;
}

TEST(ScatterValidate, BeyondRegionAndStorage) {
  auto r = sc::parse(kV1, "MT6765_Android_scatter.txt");
  ASSERT_TRUE(r.ok());
  sc::ValidateOptions o;
  o.regionSizes = {{"EMMC_USER", 2 * kGiB}, {"EMMC_BOOT_1", 4 * kMiB}};
  auto issues = sc::validate(*r, o);
  auto space = withName(issues, "S_NOT_ENOUGH_STORAGE_SPACE");
  ASSERT_EQ(space.size(), 1u) << describe(issues);
  EXPECT_EQ(space[0].code, 1011);
  EXPECT_EQ(space[0].line, 44);
  EXPECT_EQ(space[0].message,
            "MT6765_Android_scatter.txt:44: partition system (0x8000-0xC0008000) ends 1 GiB "
            "beyond the end of EMMC_USER (2 GiB)");

  // A region too small for the end-relative sgpt (4 blocks of 128 KiB).
  o.regionSizes = {{"EMMC_USER", 0x60000}};
  issues = sc::validate(*r, o);
  space = withName(issues, "S_NOT_ENOUGH_STORAGE_SPACE");
  ASSERT_EQ(space.size(), 2u) << describe(issues);
  EXPECT_EQ(space[0].line, 44);
  EXPECT_EQ(space[1].line, 61);
  EXPECT_NE(space[1].message.find("partition sgpt is placed 512 KiB before the end of EMMC_USER, "
                                  "which holds only 384 KiB"),
            std::string::npos)
      << space[1].message;

  // The whole device in the linear view.
  sc::ValidateOptions linear;
  linear.storageSize = 2 * kGiB;
  issues = sc::validate(*r, linear);
  space = withName(issues, "S_NOT_ENOUGH_STORAGE_SPACE");
  ASSERT_EQ(space.size(), 1u) << describe(issues);
  EXPECT_NE(space[0].message.find(":44: partition system (linear 0x8000-0xC0008000) ends 1 GiB "
                                  "beyond the end of the storage (2 GiB)"),
            std::string::npos)
      << space[0].message;
}

TEST(ScatterValidate, EndRelativeChainFits) {
  auto r = sc::parse(kV1, "MT6765_Android_scatter.txt");
  ASSERT_TRUE(r.ok());
  sc::ValidateOptions o;
  o.regionSizes = {{"EMMC_USER", 3 * kGiB + 0x8000 + 0x80000}, {"EMMC_BOOT1", 4 * kMiB}};
  EXPECT_TRUE(sc::validate(*r, o).empty()) << describe(sc::validate(*r, o));
  o.regionSizes["EMMC_USER"] -= 1;  // system now runs 1 byte into sgpt
  const auto issues = sc::validate(*r, o);
  const auto overlap = withName(issues, "S_DL_LOAD_REGION_IS_OVERLAP");
  ASSERT_EQ(overlap.size(), 1u) << describe(issues);
  EXPECT_EQ(overlap[0].line, 61);
}

TEST(ScatterValidate, UnknownNames) {
  std::string text = replaced(lf(kV1),
                              "  region: EMMC_USER\n  storage: HW_STORAGE_EMMC\n  boundary_check: "
                              "true\n  is_reserved: false\n  operation_type: INVISIBLE",
                              "  region: EMMC_USR\n  storage: HW_STORAGE_EMMC\n  boundary_check: "
                              "true\n  is_reserved: false\n  operation_type: INVISIBLE");
  text = replaced(text,
                  "  storage: HW_STORAGE_EMMC\n  boundary_check: true\n  is_reserved: false\n  "
                  "operation_type: UPDATE",
                  "  storage: HW_STORAGE_EMMMC\n  boundary_check: true\n  is_reserved: false\n  "
                  "operation_type: UPDATE");
  text = replaced(text, "operation_type: BOOTLOADERS", "operation_type: BOOTLOADER");
  text = replaced(text, "      storage: EMMC", "      storage: FLOPPY");
  auto r = sc::parse(text, "s.txt");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto issues = sc::validate(*r);
  ASSERT_EQ(issues.size(), 4u) << describe(issues);
  for (const Issue& i : issues) {
    EXPECT_EQ(i.name, "S_DL_SCAT_INCORRECT_FORMAT");
    EXPECT_EQ(i.severity, Severity::Error);
  }
  EXPECT_EQ(issues[0].line, 9);
  EXPECT_NE(issues[0].message.find("s.txt:9: unknown storage \"FLOPPY\""), std::string::npos);
  EXPECT_EQ(issues[1].line, 14);
  EXPECT_NE(issues[1].message.find(
                "partition preloader: unknown operation_type \"BOOTLOADER\" (did you mean "
                "BOOTLOADERS?)"),
            std::string::npos)
      << issues[1].message;
  EXPECT_EQ(issues[2].line, 29);
  EXPECT_NE(issues[2].message.find("partition pgpt: unknown region \"EMMC_USR\""),
            std::string::npos);
  EXPECT_EQ(issues[3].line, 44);
  EXPECT_NE(issues[3].message.find("partition system: unknown storage \"HW_STORAGE_EMMMC\""),
            std::string::npos);
}

TEST(ScatterValidate, StorageConsistency) {
  auto r = sc::parse(replaced(lf(kV1), "  region: EMMC_BOOT_1", "  region: UFS_LU0"), "s.txt");
  ASSERT_TRUE(r.ok());
  auto issues = sc::validate(*r);
  ASSERT_EQ(issues.size(), 1u) << describe(issues);
  EXPECT_NE(issues[0].message.find("s.txt:14: partition preloader: region UFS_LU0 is not on "
                                   "HW_STORAGE_EMMC"),
            std::string::npos);
  r = sc::parse(replaced(lf(kV1),
                         "  storage: HW_STORAGE_EMMC\n  boundary_check: true\n  is_reserved: "
                         "false\n  operation_type: INVISIBLE",
                         "  storage: HW_STORAGE_UFS\n  boundary_check: true\n  is_reserved: "
                         "false\n  operation_type: INVISIBLE"),
                "s.txt");
  ASSERT_TRUE(r.ok());
  issues = sc::validate(*r);
  ASSERT_GE(issues.size(), 1u);
  EXPECT_NE(issues[0].message.find("s.txt:29: partition pgpt is on HW_STORAGE_UFS in a EMMC "
                                   "layout"),
            std::string::npos)
      << describe(issues);
}

TEST(ScatterValidate, NamesPresentAndUnique) {
  std::string text = replaced(lf(kV1), "partition_name: pgpt", "partition_name: preloader");
  text = replaced(text, "partition_name: sgpt", "partition_name: ");
  auto r = sc::parse(text, "s.txt");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto issues = sc::validate(*r);
  ASSERT_EQ(issues.size(), 2u) << describe(issues);
  EXPECT_EQ(issues[0].message,
            "s.txt:29: partition name preloader is used twice (first at line 14)");
  EXPECT_EQ(issues[1].message, "s.txt:61: partition SYS3 has no name");
}

TEST(ScatterValidate, IsDownloadWithoutFileIsAWarning) {
  auto r = sc::parse(
      replaced(
          lf(kV1),
          "  file_name: NONE\n  is_download: false\n  type: NORMAL_ROM\n  linear_start_addr: 0x0",
          "  file_name: NONE\n  is_download: true\n  type: NORMAL_ROM\n  linear_start_addr: 0x0"),
      "s.txt");
  ASSERT_TRUE(r.ok());
  const auto issues = sc::validate(*r);
  ASSERT_EQ(issues.size(), 1u) << describe(issues);
  EXPECT_EQ(issues[0].severity, Severity::Warning);
  EXPECT_EQ(issues[0].name, "S_DL_SCAT_IS_DOWNLOAD_PROP_ERR");
  EXPECT_EQ(issues[0].line, 29);
  EXPECT_FALSE(sc::hasErrors(issues));
}

TEST(ScatterValidate, PlatformMismatch) {
  auto r = sc::parse(replaced(lf(kV1), "platform: MT6765", "platform: MT6757D"), "s.txt");
  ASSERT_TRUE(r.ok());
  sc::ValidateOptions o;
  o.phonePlatform = "MT6757";
  auto issues = sc::validate(*r, o);
  ASSERT_EQ(issues.size(), 1u) << describe(issues);
  EXPECT_EQ(issues[0].name, "S_CHIP_TYPE_NOT_MATCH");
  EXPECT_EQ(issues[0].code, 3184);
  EXPECT_EQ(issues[0].line, 7);
  EXPECT_EQ(issues[0].message,
            "s.txt:7: Chip type not match, Target chip type is MT6757, but the load scatter chip "
            "type is MT6757D");
  // Same chip, and a chip known by one of its other scatter names (chips.cpp: MT6735M).
  o.phonePlatform = "MT6757D";
  EXPECT_TRUE(sc::validate(*r, o).empty());
  auto m = sc::parse(replaced(lf(kV1), "platform: MT6765", "platform: MT6735M"), "s.txt");
  ASSERT_TRUE(m.ok());
  o.phonePlatform = "MT6735";
  EXPECT_TRUE(sc::validate(*m, o).empty()) << describe(sc::validate(*m, o));
  o.phonePlatform = "mt6765";
  auto same = sc::parse(kV1, "s.txt");
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(sc::validate(*same, o).empty());
}

TEST(ScatterValidate, PhoneStorage) {
  auto v1 = sc::parse(kV1, "s.txt");
  ASSERT_TRUE(v1.ok());
  sc::ValidateOptions o;
  o.phoneStorage = "UFS";
  auto issues = sc::validate(*v1, o);
  ASSERT_EQ(issues.size(), 1u) << describe(issues);
  EXPECT_EQ(issues[0].name, "S_STORAGE_NOT_MATCH");
  EXPECT_EQ(issues[0].line, 9);
  EXPECT_EQ(issues[0].message,
            "s.txt:9: Storage type mismatch! scatter storage type is HW_STORAGE_EMMC, target "
            "storage type is HW_STORAGE_UFS");
  auto v2 = sc::parse(kV2, "s.txt");
  ASSERT_TRUE(v2.ok());
  EXPECT_TRUE(sc::validate(*v2, o).empty());
}

TEST(ScatterValidate, V1_1_1PhysicalAddressesDerivedFromLinear) {
  // V1.1.1 (PMT era): user partitions with physical 0, linear after a 12 MiB boot block.
  std::string text = replaced(lf(kV1), "config_version: V1.1.2", "config_version: V1.1.1");
  text = replaced(
      text, "  linear_start_addr: 0x0\n  physical_start_addr: 0x0\n  partition_size: 32768",
      "  linear_start_addr: 0xC00000\n  physical_start_addr: 0x0\n  partition_size: 32768");
  text = replaced(text, "\tlinear_start_addr: 0x8000\n  physical_start_addr: 0x8000",
                  "\tlinear_start_addr: 0xC08000\n  physical_start_addr: 0x0");
  auto r = sc::parse(text, "s.txt");
  ASSERT_TRUE(r.ok()) << r.error().describe();
  const auto placed = sc::place(r->sections[0], false, {});
  ASSERT_EQ(placed.size(), 4u);
  EXPECT_EQ(*placed[1].offset, 0u);
  EXPECT_EQ(*placed[2].offset, 0x8000u);
  EXPECT_TRUE(sc::validate(*r).empty()) << describe(sc::validate(*r));
}

TEST(ScatterValidate, BootRegionsCheckStartsAndImagesAgainstTheRegion) {
  // Linear-era preloader reservation (12 MiB: boot1 + boot2 + RPMB) on a 4 MiB boot1.
  auto r =
      sc::parse(replaced(lf(kV1), "partition_size: 0x40000", "partition_size: 0xC00000"), "s.txt");
  ASSERT_TRUE(r.ok());
  sc::ValidateOptions o;
  o.regionSizes = {{"EMMC_BOOT_1", 4 * kMiB}};
  EXPECT_TRUE(sc::validate(*r, o).empty()) << describe(sc::validate(*r, o));
  o.imageSizes = std::map<std::string, std::uint64_t>{{"preloader_k62v1_64_bsp.bin", 5 * kMiB},
                                                      {"system.img", kMiB}};
  const auto issues = sc::validate(*r, o);
  ASSERT_EQ(issues.size(), 1u) << describe(issues);
  EXPECT_EQ(issues[0].message,
            "s.txt:14: preloader_k62v1_64_bsp.bin is 1 MiB larger than partition preloader "
            "(4 MiB)");
}

TEST(ScatterValidate, StorageSizeAppliesToThePhonesStorageOnly) {
  auto r = sc::parse(kV2, "s.txt");
  ASSERT_TRUE(r.ok());
  sc::ValidateOptions o;
  o.storageSize = 0x100000;  // 1 MiB: both userdata entries are beyond it
  auto issues = sc::validate(*r, o);
  ASSERT_EQ(issues.size(), 2u) << describe(issues);
  EXPECT_EQ(issues[0].line, 31);
  EXPECT_EQ(issues[1].line, 83);
  o.phoneStorage = "UFS";
  issues = sc::validate(*r, o);
  ASSERT_EQ(issues.size(), 1u) << describe(issues);
  EXPECT_EQ(issues[0].line, 83);
  // A region size given for the region replaces the linear check.
  o.regionSizes = {{"UFS_LU2", 64 * kGiB}};
  EXPECT_TRUE(sc::validate(*r, o).empty()) << describe(sc::validate(*r, o));
}

}  // namespace
