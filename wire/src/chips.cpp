#include "mtk/wire/chips.hpp"

#include <algorithm>
#include <cctype>

namespace mtk::wire {

namespace {

constexpr std::uint32_t kWdt = 0x10007000;
constexpr std::uint32_t kWdtOn = 0x22000064;
constexpr std::uint32_t kWdt6735 = 0x10212000;
constexpr std::uint32_t kWdt6735On = 0x22000000;

// From §9 (mtkclient brom_config.py and da_info.txt). Keep in hw-code order within a family.
constexpr ChipInfo kChips[] = {
    {0x6572, 0x6572, "MT6572", "MT6572", kWdt, kWdtOn, 0x02007000, 0x80000000, DaMode::Legacy,
     false},
    {0x6580, 0x6580, "MT6580", "MT6580", kWdt, kWdtOn, 0x00200000, 0x80000000, DaMode::Legacy,
     false},
    {0x6582, 0x6582, "MT6582", "MT6582", kWdt, kWdtOn, 0x00200000, 0x80000000, DaMode::Legacy,
     false},
    {0x6583, 0x6583, "MT6589", "MT6589,MT6583", 0x10000000, kWdtOn, 0x12000000, 0x82038000,
     DaMode::Legacy, false},
    {0x6592, 0x6592, "MT6592", "MT6592", kWdt, kWdtOn, 0x00110000, 0x80000000, DaMode::Legacy,
     false},
    {0x6752, 0x6752, "MT6752", "MT6752", kWdt, kWdtOn, 0x00110000, 0x40000000, DaMode::Legacy,
     false},
    {0x6795, 0x6795, "MT6795", "MT6795", kWdt, kWdtOn, 0x00110000, 0x40000000, DaMode::Legacy,
     false},
    {0x0321, 0x6735, "MT6735", "MT6735,MT6735M,MT6735P,MT6735T", kWdt6735, kWdt6735On, 0x00200000,
     0x40000000, DaMode::Legacy, false},
    {0x0335, 0x6735, "MT6737M", "MT6737M,MT6737,MT6737T,MT6735G", kWdt6735, kWdt6735On, 0x00200000,
     0x40000000, DaMode::Legacy, false},
    {0x0337, 0x6735, "MT6753", "MT6753", kWdt6735, kWdt6735On, 0x00200000, 0x40000000,
     DaMode::Legacy, false},
    {0x0699, 0x6739, "MT6739", "MT6739,MT6731", kWdt, kWdtOn, 0x00200000, 0x40000000,
     DaMode::XFlash, false},
    {0x0326, 0x6755, "MT6755", "MT6755", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::XFlash,
     false},
    {0x0601, 0x6755, "MT6750", "MT6750", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::XFlash,
     false},
    {0x0551, 0x6757, "MT6757", "MT6757", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::XFlash,
     false},
    {0x0279, 0x6797, "MT6797", "MT6797", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::XFlash,
     false},
    {0x0717, 0x6761, "MT6761", "MT6761,MT6762", kWdt, kWdtOn, 0x00200000, 0x40000000,
     DaMode::XFlash, false},
    {0x0690, 0x6763, "MT6763", "MT6763", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::XFlash,
     false},
    {0x0766, 0x6765, "MT6765", "MT6765", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::XFlash,
     false},
    {0x0707, 0x6768, "MT6768", "MT6768", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::XFlash,
     false},
    {0x0788, 0x6771, "MT6771", "MT6771", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::XFlash,
     false},
    {0x0725, 0x6779, "MT6779", "MT6779", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::XFlash,
     false},
    {0x0813, 0x6785, "MT6785", "MT6785", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::XFlash,
     false},
    {0x1066, 0x6781, "MT6781", "MT6781", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::XFlash,
     false},
    {0x0989, 0x6833, "MT6833", "MT6833", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::XFlash,
     false},
    {0x0996, 0x6853, "MT6853", "MT6853", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::XFlash,
     false},
    {0x0886, 0x6873, "MT6873", "MT6873", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::XFlash,
     false},
    {0x0959, 0x6877, "MT6877", "MT6877", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::XFlash,
     false},
    {0x0816, 0x6885, "MT6885", "MT6885", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::XFlash,
     false},
    {0x0950, 0x6893, "MT6893", "MT6893,MT6891", kWdt, kWdtOn, 0x00200000, 0x40000000,
     DaMode::XFlash, false},
    {0x1208, 0x1208, "MT6789", "MT6789", kWdt, kWdtOn, 0, 0, DaMode::Xml, false},
    {0x0907, 0x0907, "MT6983", "MT6983", 0x1c007000, kWdtOn, 0, 0, DaMode::Xml, true},
    {0x8163, 0x8163, "MT8163", "MT8163", kWdt, kWdtOn, 0x00200000, 0x40000000, DaMode::Legacy,
     false},
    {0x8172, 0x8173, "MT8173", "MT8173", kWdt, kWdtOn, 0x000c0000, 0x40000000, DaMode::Legacy,
     false},
};

bool equalsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::vector<std::string> ChipInfo::platformNames() const {
  std::vector<std::string> out;
  std::string_view rest = platforms;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    out.emplace_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return out;
}

bool ChipInfo::matchesPlatform(std::string_view platform) const {
  for (const auto& p : platformNames()) {
    if (equalsNoCase(p, platform)) return true;
  }
  return equalsNoCase(name, platform);
}

std::span<const ChipInfo> chipTable() {
  return kChips;
}

const ChipInfo* chipByHwCode(std::uint16_t hwCode) {
  for (const auto& c : kChips) {
    if (c.hwCode == hwCode) return &c;
  }
  return nullptr;
}

const ChipInfo* chipByName(std::string_view name) {
  for (const auto& c : kChips) {
    if (c.matchesPlatform(name)) return &c;
  }
  return nullptr;
}

const char* daModeName(DaMode m) {
  switch (m) {
    case DaMode::Legacy:
      return "legacy";
    case DaMode::XFlash:
      return "XFlash (V5)";
    case DaMode::Xml:
      return "XML (V6)";
  }
  return "?";
}

}  // namespace mtk::wire
