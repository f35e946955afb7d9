#pragma once
// Everything that makes one virtual phone what it is: chip identity, security flags, what its
// preloader does on power-on, and how its Download Agent stage behaves.

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mtk/emu/phone/fault.hpp"
#include "mtk/emu/storage/initial_content.hpp"
#include "mtk/emu/storage/partition_content.hpp"
#include "mtk/emu/storage/virtual_storage.hpp"
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

  // Behaviour after JUMP_DA.
  bool daSilent = false;  // the DA never answers: hosts see S_FT_DA_NO_RESPONSE (a fault rule)
  std::optional<std::size_t> corruptUploadAt;  // flip one byte of SEND_DA data at this offset

  // The DA stage (XFlash V5).
  StorageSpec storage;
  TableKind partitionTable = TableKind::Gpt;   // written to a blank user area at start
  std::vector<InitialPartition> layout;        // empty: defaultLayout()
  std::uint32_t writePacketLength = 1u << 20;  // GET_PACKET_LENGTH
  std::uint32_t readPacketLength = 1u << 20;
  bool checkDa2Hash = true;         // DA1 rejects a DA2 whose SHA-256 it does not carry
  unsigned corruptWriteChunks = 0;  // damage this many WRITE_DATA chunks on the cable
  // Through BROM the DA reports full speed and, on SWITCH_USB_SPEED, re-enumerates as
  // 0e8d:2001. Off by default: mtkclient reconnects on \"full-speed\" in a way that needs a real
  // re-plug (mtkclient-expectations §5.7).
  bool usbSpeedSwitch = false;
  // DRAM. Through the preloader it is up already; through BROM the DA needs INIT_EXT_RAM with
  // EMI settings ("MTK_BLOADER_INFO_v<NN>..."). The phone accepts its own EMI version only.
  std::string emiVersion = "v27";  // what its RAM needs
  bool dramInitFails = false;      // the RAM never comes up, whatever the settings (a fault rule)
  std::uint64_t dramSize = 4ull << 30;
  // The flash loses power after this many more bytes have been written (the write in flight
  // is torn; nothing after it lands until the next power-on). The phone stays on USB and its
  // DA answers errors; the fault action power_cut is the one that takes the phone down too.
  std::optional<std::uint64_t> powerCutAfter;

  // Scripted faults (fault.hpp) and the seed of their random choices: same seed, same run.
  std::vector<FaultRule> faults;
  std::uint64_t faultSeed = 0;
  // What partitions hold when the phone's flash starts blank (partition_content.hpp).
  std::vector<InitialContent> initialContent;

  // The rules the phone runs: `faults`, then the one-off knobs above that are faults at heart
  // (daSilent, dramInitFails), each named after its configuration key.
  std::vector<FaultRule> faultRules() const;

  // Defaults derived from a seed, so two phones in one emulator differ.
  void deriveIds(std::uint32_t seed);
};

}  // namespace mtk::emu
