#pragma once
// MediaTek chips as the BootROM identifies them (shared/docs/mtk-protocols.md §9): the BROM hw
// code, the chip code DA files use, the names scatter files put in `platform`, the watchdog to
// disable, the DA load addresses and the DA protocol generation. Both the flasher (chip
// database) and the emulator (a phone's identity) read this one table.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mtk::wire {

enum class DaMode { Legacy, XFlash, Xml };

struct ChipInfo {
  std::uint16_t hwCode;      // GET_HW_CODE answer
  std::uint16_t daCode;      // hw_code field of DA file entries
  const char* name;          // "MT6765"
  const char* platforms;     // comma-separated names scatter files use for this chip
  std::uint32_t wdtBase;     // watchdog mode register
  std::uint32_t wdtValue;    // value that disables it
  std::uint32_t da1Address;  // DA stage 1 load address (SRAM)
  std::uint32_t da2Address;  // DA stage 2 load address (DRAM)
  DaMode daMode;
  bool is64bit;  // BROM of 64-bit chips: no watchdog write by host tools

  std::vector<std::string> platformNames() const;
  bool matchesPlatform(std::string_view platform) const;  // case-insensitive
};

std::span<const ChipInfo> chipTable();
const ChipInfo* chipByHwCode(std::uint16_t hwCode);
// By chip name or any of its scatter platform names, case-insensitive ("mt6765", "MT6762").
const ChipInfo* chipByName(std::string_view name);
const char* daModeName(DaMode m);

}  // namespace mtk::wire
