// Initial partition content (PhoneSpec::initialContent): a fill byte, seeded bytes or a file
// land in the partition they name, where the phone's own GPT (read back here by hand, UEFI
// spec §5.3) says that partition is, and nothing else on the flash differs from a phone without
// them. Written only to a blank flash, so a restarted emulator never undoes a flash.

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mtk/emu/device_bus.hpp"
#include "mtk/emu/phone/virtual_phone.hpp"

namespace mtk::emu {
namespace {

using wire::Bytes;
constexpr std::uint32_t kUser = 8;  // eMMC user area
constexpr std::uint64_t kMiB = 1u << 20;

// SplitMix64, written out again from Vigna's splitmix64.c (not the project's class).
Bytes referenceSeeded(std::uint64_t seed, std::size_t n) {
  Bytes out;
  std::uint64_t x = seed;
  while (out.size() < n) {
    x += 0x9e3779b97f4a7c15ull;
    std::uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    for (int b = 0; b < 8 && out.size() < n; ++b)
      out.push_back(static_cast<std::uint8_t>(z >> (8 * b)));
  }
  return out;
}

std::uint64_t le64(const Bytes& b, std::size_t at) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | b[at + i];
  return v;
}

struct Range {
  std::uint64_t offset;
  std::uint64_t size;
};

class InitialContentTest : public ::testing::Test {
 protected:
  InitialContentTest()
      : dir_(std::filesystem::temp_directory_path() /
             ("mtkemu-content-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
    spec_.storage.user = 32 * kMiB;
    spec_.storage.boot1 = spec_.storage.boot2 = 1 * kMiB;
    spec_.storage.rpmb = 512 * 1024;
    spec_.layout = {
        {"proinfo", 1 * kMiB}, {"nvram", 2 * kMiB}, {"boot", 1 * kMiB}, {"userdata", 0}};
  }
  ~InitialContentTest() override {
    phones_.clear();
    std::filesystem::remove_all(dir_);
  }

  VirtualPhone& make(const PhoneSpec& spec) {
    phones_.push_back(std::make_unique<VirtualPhone>(bus_, bus_.addPort(), spec));
    return *phones_.back();
  }
  static Bytes read(VirtualPhone& p, std::uint32_t area, std::uint64_t off, std::size_t n) {
    Bytes b(n);
    auto s = p.storage()->read(area, off, b);
    EXPECT_TRUE(s) << s.error().describe();
    return b;
  }
  // The partitions of the phone's GPT, by name (ASCII names only).
  static std::map<std::string, Range> gpt(VirtualPhone& p) {
    const Bytes header = read(p, kUser, 512, 512);
    EXPECT_EQ(std::string(header.begin(), header.begin() + 8), "EFI PART");
    const std::uint64_t entriesLba = le64(header, 72);
    const std::uint32_t count = header[80] | header[81] << 8;
    const std::uint32_t size = header[84] | header[85] << 8;
    const Bytes entries = read(p, kUser, entriesLba * 512, count * size);
    std::map<std::string, Range> out;
    for (std::uint32_t i = 0; i < count; ++i) {
      const std::size_t e = i * size;
      const std::uint64_t first = le64(entries, e + 32), last = le64(entries, e + 40);
      std::string name;
      for (std::size_t c = e + 56; c < e + 128 && entries[c]; c += 2)
        name += static_cast<char>(entries[c]);
      if (first) out[name] = {first * 512, (last - first + 1) * 512};
    }
    return out;
  }

  std::filesystem::path dir_;
  DeviceBus bus_;
  PhoneSpec spec_;
  std::vector<std::unique_ptr<VirtualPhone>> phones_;
};

TEST_F(InitialContentTest, PatternSeedAndFileLandInTheirPartitionsAndNowhereElse) {
  const Bytes image = referenceSeeded(99, 0x1234);
  const auto imagePath = dir_ / "boot.img";
  std::ofstream(imagePath, std::ios::binary)
      .write(reinterpret_cast<const char*>(image.data()),
             static_cast<std::streamsize>(image.size()));
  PhoneSpec with = spec_;
  with.initialContent = {
      {.partition = "nvram", .kind = InitialContent::Kind::Pattern, .pattern = 0xa5},
      {.partition = "proinfo", .kind = InitialContent::Kind::Seeded, .seed = 7},
      {.partition = "boot", .kind = InitialContent::Kind::File, .file = imagePath.string()},
      // A later entry overwrites part of an earlier one.
      {.partition = "nvram",
       .kind = InitialContent::Kind::Pattern,
       .pattern = 0x5a,
       .offset = 0x1000,
       .size = 0x100},
  };
  VirtualPhone& plain = make(spec_);
  VirtualPhone& phone = make(with);
  ASSERT_FALSE(phone.storageError()) << phone.storageError()->describe();

  const auto parts = gpt(phone);
  ASSERT_EQ(parts.size(), 4u);
  const Range proinfo = parts.at("proinfo"), nvram = parts.at("nvram"), boot = parts.at("boot");
  EXPECT_EQ(proinfo.offset, 1 * kMiB);  // the layout starts 1 MiB in
  EXPECT_EQ(nvram.offset, 2 * kMiB);
  EXPECT_EQ(nvram.size, 2 * kMiB);
  EXPECT_EQ(boot.offset, 4 * kMiB);
  for (const auto& p : phone.partitions()) {
    EXPECT_EQ(p.offset, parts.at(p.name).offset) << p.name;
    EXPECT_EQ(p.size, parts.at(p.name).size) << p.name;
  }

  Bytes want(nvram.size, 0xa5);
  std::fill(want.begin() + 0x1000, want.begin() + 0x1100, 0x5a);
  EXPECT_EQ(read(phone, kUser, nvram.offset, nvram.size), want);
  EXPECT_EQ(read(phone, kUser, proinfo.offset, proinfo.size), referenceSeeded(7, proinfo.size));
  want = image;
  want.resize(boot.size, 0x00);
  EXPECT_EQ(read(phone, kUser, boot.offset, boot.size), want);

  // Everything else, the tables and the boot areas included, is what a phone without initial
  // content holds.
  auto inside = [&](std::uint64_t off) {
    for (const Range& r : {proinfo, nvram, boot})
      if (off >= r.offset && off < r.offset + r.size) return true;
    return false;
  };
  for (std::uint64_t off = 0; off < spec_.storage.user; off += kMiB) {
    if (inside(off)) continue;  // partitions are MiB-aligned here
    ASSERT_EQ(read(phone, kUser, off, kMiB), read(plain, kUser, off, kMiB)) << "user +" << off;
  }
  for (std::uint32_t area : {1u, 2u, 3u}) {
    const auto* a = phone.storage()->area(area);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(read(phone, area, 0, a->size), read(plain, area, 0, a->size)) << a->name;
  }
}

TEST_F(InitialContentTest, AStorageAreaByName) {
  PhoneSpec with = spec_;
  with.initialContent = {{.partition = "boot2",
                          .kind = InitialContent::Kind::Pattern,
                          .pattern = 0x11,
                          .offset = 0x80000,
                          .size = 0x200}};
  VirtualPhone& phone = make(with);
  ASSERT_FALSE(phone.storageError()) << phone.storageError()->describe();
  EXPECT_EQ(read(phone, 2, 0x80000, 0x200), Bytes(0x200, 0x11));
  EXPECT_EQ(read(phone, 2, 0x80200, 0x200), Bytes(0x200, 0x00));
}

TEST_F(InitialContentTest, ARestartKeepsWhatWasFlashed) {
  for (TableKind table : {TableKind::Gpt, TableKind::None}) {
    std::filesystem::remove_all(dir_ / "flash");
    PhoneSpec with = spec_;
    with.partitionTable = table;
    with.storage.directory = (dir_ / "flash").string();
    with.initialContent = {
        {.partition = "nvram", .kind = InitialContent::Kind::Pattern, .pattern = 0xa5}};
    {
      VirtualPhone& first = make(with);
      ASSERT_FALSE(first.storageError()) << first.storageError()->describe();
      EXPECT_EQ(read(first, kUser, 2 * kMiB, 4), Bytes(4, 0xa5));
      ASSERT_TRUE(first.storage()->write(kUser, 2 * kMiB, Bytes(512, 0x42)));  // "flashed"
      phones_.clear();
    }
    VirtualPhone& again = make(with);
    ASSERT_FALSE(again.storageError()) << again.storageError()->describe();
    EXPECT_EQ(read(again, kUser, 2 * kMiB, 4), Bytes(4, 0x42)) << tableKindName(table);
    EXPECT_EQ(read(again, kUser, 2 * kMiB + 512, 4), Bytes(4, 0xa5)) << tableKindName(table);
    phones_.clear();
  }
}

TEST_F(InitialContentTest, ContentThatDoesNotFitIsAnError) {
  PhoneSpec with = spec_;
  with.initialContent = {{.partition = "boot",
                          .kind = InitialContent::Kind::Pattern,
                          .pattern = 1,
                          .offset = 0x1000,
                          .size = 1 * kMiB}};
  VirtualPhone& phone = make(with);
  ASSERT_TRUE(phone.storageError());
  EXPECT_EQ(phone.storageError()->name, "EMU_INITIAL_CONTENT_INVALID");
  EXPECT_NE(phone.storageError()->message.find("do not fit"), std::string::npos)
      << phone.storageError()->message;
  EXPECT_FALSE(phone.storageError()->hint.empty());

  with.initialContent = {{.partition = "efs", .kind = InitialContent::Kind::Pattern}};
  const auto& unknown = make(with).storageError();
  ASSERT_TRUE(unknown);
  EXPECT_NE(unknown->message.find("'efs'"), std::string::npos) << unknown->message;
}

TEST(SeededBytes, MatchTheReferenceFromAnyStart) {
  const Bytes whole = referenceSeeded(7, 100);
  Bytes piece(37);
  seededBytes(7, 13, piece);
  EXPECT_EQ(piece, Bytes(whole.begin() + 13, whole.begin() + 50));
}

}  // namespace
}  // namespace mtk::emu
