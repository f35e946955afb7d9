#pragma once
// mtkemu's configuration file (YAML): where to listen and which virtual phones to plug in.
//
//   server:
//     address: 127.0.0.1   # default; anything else must be written here or given as --address
//     port: 3240
//   phones:
//     - kind: echo         # the test device (bulk echo + sink/source)
//       vid: 0x0e8d
//       pid: 0x2000
//       speed: high        # high | full
//       count: 2           # plugs 2 such devices (busids 1-1, 1-2)
//     - kind: phone        # a virtual MediaTek phone (BROM, preloader, DA)
//       chip: MT6765       # any chip of wire/chips.hpp, by name or scatter platform name
//       boot: preloader    # preloader | brom (brom = volume-down held at power-on)
//       has_preloader: true       # false: boot1 holds no valid preloader (BROM only)
//       preloader_window_ms: 2000 # how long the preloader listens; 0 = forever
//       ready_banner: false       # the preloader prints READY while it listens
//       hw_sub_code: 0x8a00
//       hw_version: 0xca00
//       sw_version: 0x0000
//       bl_version: 3             # preloader's GET_BL_VER (>2: has ME ID / SoC ID)
//       brom_version: 5
//       me_id: 00112233445566778899aabbccddeeff   # 16 bytes hex (default: derived)
//       soc_id: ...                               # 32 bytes hex (default: derived)
//       security: {sbc: false, sla: false, daa: false}  # or target_config: 0x0
//       da_accept_sha256: [hex, ...]  # DA images DAA accepts (SHA-256 of the SEND_DA data)
//       da_silent: false              # the DA never answers after JUMP_DA
//       corrupt_upload_at: 1000       # damage one byte of SEND_DA data in transit
//       storage: {type: emmc, user_size: 64G, boot_size: 4M, rpmb_size: 4M, sector_size: 512,
//                 directory: ./phone1}   # type: emmc, ufs, nand or none; no directory = temporary
//       partition_table: gpt          # written to a blank user area: gpt, pmt, none or corrupt
//       layout: [{name: nvram, size: 5M}, {name: userdata}]  # default: a typical MediaTek one
//       emi_version: v27              # the EMI settings its RAM accepts (MTK_BLOADER_INFO_vNN)
//       dram_init_fails: false        # DRAM never comes up, whatever the settings
//       da2_hash_check: true          # DA1 refuses a DA2 whose SHA-256 it does not carry
//       usb_speed_switch: false       # a DA from BROM reports full speed and re-enumerates as 2001
//       write_packet_length: 1M       # GET_PACKET_LENGTH
//       read_packet_length: 1M
//       corrupt_write_chunks: 0       # damage this many WRITE_DATA chunks on the cable
//       power_cut_after: 64M          # the flash loses power after this much more is written
//                                     # (the DA answers errors; power is back at a power-on)
//       seed: 42                      # seeds the faults' random choices: same seed, same run
//       faults:                       # scripted faults (meaning of each: phone/fault.hpp)
//         - when: {da_command: WRITE_DATA, occurrence: 3}  # the 3rd WRITE_DATA ...
//           do: unplug                                     # ... pulls the cable before its status
//         - {when: {bulk_out_offset: 1M, from: da}, do: {corrupt_byte: 0, mask: 0x01}}
//         - {when: {after_ms: 500}, do: silent}
//         - {when: {brom_command: SEND_DA, probability: 0.5}, do: {status: 0x1D0D}, times: always}
//         - {when: {da_command: WRITE_DATA}, do: {storage_error_at: 0x400000}}
//         - {when: power_on, do: {flap: 3, every_ms: 200}, name: bad cable}
//       #  when: one trigger, with optional modifiers
//       #    brom_command: NAME   HANDSHAKE, GET_HW_CODE, SEND_DA, JUMP_DA, ... (BROM and
//       preloader) #    da_command: NAME     START (the DA's 0xC0), SYNC, SETUP_ENVIRONMENT,
//       DEVICE_CTRL, BOOT_TO, #                         INIT_EXT_RAM, READ_DATA, WRITE_DATA,
//       FORMAT, SHUTDOWN, ..., or a #                         DEVICE_CTRL code by name
//       (GET_PACKET_LENGTH, GET_EMMC_INFO, ...) #      at: before | after  before = the command is
//       in, nothing answered; after = answered #    bulk_out_offset: N   host-to-phone byte N (a
//       size: 4096, 0x100000, 1M), or #    bulk_in_offset: N    phone-to-host; either may be {min:
//       A, max: B}, drawn from seed #      from: power_on | da  where the count starts (default
//       power_on: each power-on #                           starts at 0; da: the first byte after
//       JUMP_DA's transfer) #    after_ms: T          T ms after power-on on the bus clock; beside
//       another trigger, #                         a gate (that trigger counts only after T ms) #
//       power_on: true       (or `when: power_on`) each power-on, re-plugs included # occurrence: N
//       fire at the Nth match (commands count over the phone's life; # offsets and times count
//       power-ons); default 1 #    probability: P       0..1, rolled from seed at each eligible
//       match #  do: unplug | silent | miss_window | refuse_dram | da2_hash_mismatch |
//       corrupt_checksum #      | power_cut | corrupt_byte, or one of: #    {delay_ms: T} freeze:
//       answers held back, OUT refused, T ms #    {status: N}                         the next
//       status sent is N (BROM: 16 bits) #    {corrupt_byte: K, direction: out|in, mask: 0x01}  the
//       Kth byte from here, in transit #    {storage_error_at: ADDR, area: user}  the next write
//       over ADDR fails (MMC/UFS error) #    {power_cut: BYTES}                  next write lands
//       BYTES (default a sector), then off #    {flap: N, every_ms: M}              N unplug/replug
//       cycles, one every M ms (100) #  times: 1 (default) | N | always;  name: a label for logs
//       initial_content:              # written when the flash starts blank, with the table
//         - {partition: nvram, pattern: 0xA5}     # every byte 0xA5
//         - {partition: proinfo, seed: 7}         # SplitMix64(7) outputs, little-endian
//         - {partition: boot, file: ./boot.img}   # relative to this file; from offset 0
//       #  partition: a partition of the layout, or a storage area (boot1, user, lu0, ...);
//       #  offset: N (into the partition), size: N (default: the rest; a file: its size)

#include <cstdint>
#include <string>
#include <vector>

#include <memory>

#include "mtk/emu/device_bus.hpp"
#include "mtk/emu/phone/phone_spec.hpp"
#include "mtk/emu/phone/virtual_phone.hpp"
#include "mtk/error.hpp"

namespace mtk::emu {

struct PhoneConfig {
  std::string kind = "echo";
  std::uint16_t vid = 0x0e8d;
  std::uint16_t pid = 0x2000;
  wire::usbip::Speed speed = wire::usbip::Speed::High;
  unsigned count = 1;
  // kind: phone
  PhoneSpec spec;
  bool bootBrom = false;  // power on with volume-down held
};

struct EmulatorConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 3240;
  std::vector<PhoneConfig> phones;
};

// Parses YAML text; errors name the file and line.
Result<EmulatorConfig> parseEmulatorConfig(const std::string& yaml, const std::string& fileName);
Result<EmulatorConfig> loadEmulatorConfig(const std::string& path);

struct PluggedDevice {
  std::string busid;
  std::string description;  // "0e8d:2000 echo test device (high speed)"
};
// Plugs every configured device into the bus, in order, and powers the phones on. Phones are
// kept in `phones` (they must outlive their use of the bus).
Result<std::vector<PluggedDevice>> plugConfiguredDevices(
    DeviceBus& bus, const EmulatorConfig& config,
    std::vector<std::unique_ptr<VirtualPhone>>* phones = nullptr);

}  // namespace mtk::emu
