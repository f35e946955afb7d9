#pragma once
// Everything that makes one virtual phone what it is: chip identity, security flags, what its
// preloader does on power-on, and how its Download Agent stage behaves.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mtk/wire/chips.hpp"

namespace mtk::emu {

struct PhoneSpec {
  const wire::ChipInfo* chip = wire::chipByName("MT6765");
  std::uint16_t hwSubCode = 0x8a00;
  std::uint16_t hwVersion = 0xca00;
  std::uint16_t swVersion = 0x0000;
  std::uint8_t bromVersion = 0x05;    // GET_VERSION in BROM mode
  std::uint8_t preloaderVersion = 3;  // GET_BL_VER in preloader mode (>2: has ME/SoC ID)
  std::array<std::uint8_t, 16> meId{};
  std::array<std::uint8_t, 32> socId{};
  std::uint32_t targetConfig = 0;  // SBC/SLA/DAA... bits (wire/brom.hpp CFG_*)

  // Power-on: the preloader enumerates as 0e8d:2000 and listens this long for a handshake,
  // then boots on (leaves USB). With no valid preloader in boot1, or volume-down held, the
  // phone stays in BROM mode (0e8d:0003) instead.
  std::chrono::milliseconds preloaderWindow{2000};
  bool hasPreloader = true;
  bool readyBanner = false;  // preloader prints "READY" while it listens

  // DAA: DA images (SHA-256 of everything SEND_DA uploads, hex) the phone's key accepts.
  std::vector<std::string> acceptedDaSha256;

  // Behaviour after JUMP_DA (until the DA protocol is emulated in full).
  bool daSilent = false;  // the DA never answers: hosts see S_FT_DA_NO_RESPONSE
  std::optional<std::size_t> corruptUploadAt;  // flip one byte of SEND_DA data at this offset

  // Defaults derived from a seed, so two phones in one emulator differ.
  void deriveIds(std::uint32_t seed);
};

}  // namespace mtk::emu
