#pragma once
// Scripted faults for a virtual phone: a rule says WHEN (a trigger) and WHAT (an action), so a
// field error (a cable dropped mid-flash, a DA that stops answering, a storage write error...)
// happens on demand and the same way every run. Rules live in PhoneSpec::faults; the engine
// (fault_engine.hpp) decides when they fire, the phone model carries the actions out.
//
// Triggers (one kind per rule):
//   BromCommand  before/after a BROM or preloader command ("SEND_DA", "GET_HW_CODE", ...;
//                "HANDSHAKE" is the start command). Before = the command byte has arrived and
//                nothing is answered yet; after = its last answer has been sent.
//   DaCommand    before/after a DA operation ("WRITE_DATA", "BOOT_TO", "DEVICE_CTRL", ...; a
//                DEVICE_CTRL code by its name, "GET_PACKET_LENGTH"; "START" = the DA starting,
//                around its 0xC0 sync byte).
//   BulkOffset   the bulk stream in one direction reaches byte `offset` (the rule fires with that
//                byte in hand, before it is delivered). Counted from power-on, or from the DA's
//                start when `fromDaStart` (OUT: the first byte after the transfer that ended
//                JUMP_DA; IN: the DA's 0xC0). Out = host to phone. An OUT offset is exact to the
//                byte; an IN offset acts on the transfer that carries the byte.
//   Time         `afterMs` have passed since power-on, on the bus clock (ManualClock in tests).
//   PowerOn      the phone powers on (plugged in, or re-plugged after a flap).
// Modifiers: `afterMs` on a command or offset trigger is a gate (only once that much time has
// passed); `occurrence` fires at the Nth match (1 = the first); `probability` rolls the engine's
// seeded generator at each eligible match (no roll at 1.0, so rules without one never shift
// the sequence of the others).
// Counting: command matches count over the phone's life (across power-ons); an offset or a time
// is reached at most once per power-on, and its matches count power-ons.
//
// Actions:
//   Unplug           the cable is pulled: the phone stops at once and leaves the bus as soon as
//                    the host has read what it had already sent (that was on the wire), or
//                    100 ms later on the bus clock if the host does not read it.
//   Silent           the phone stops answering but stays enumerated (OUT is swallowed).
//   Delay            the phone freezes for `delay`: OUT is refused (NAK), IN is held back.
//   Status           the next status the phone sends is `status` instead (BROM: the low 16 bits);
//                    the command then ends as it would after that status. Before a command it
//                    replaces the command's first status.
//   CorruptByte      the byte `byteIndex` bytes after the trigger point in `direction` is XORed
//                    with `mask` in transit.
//   CorruptChecksum  the next checksum is damaged: SEND_DA/SEND_CERT's XOR16 on its way to the
//                    host, or a WRITE_DATA chunk's checksum on its way to the DA (which notices
//                    only when the host set a checksum level, as a real DA).
//   StorageError     the next write covering `address` of `area` (empty: the user area) fails;
//                    the DA answers the storage's error status (STATUS_MMC_ERR / STATUS_UFS_ERR).
//   PowerCut         the power fails during the next write: `landBytes` more bytes land (default
//                    one sector), the write in flight is torn and the phone drops off USB. Power
//                    is back at the next power-on.
//   Flap             the cable flaps: it drops now, and `cycles` times it comes back and (but
//                    the last time) drops again, a change every `delay` on the bus clock; a
//                    re-plug is a power-on in the mode the phone last powered on in.
//   RefuseDram       the next INIT_EXT_RAM fails (STATUS_EXT_RAM_EXCEPTION) whatever the EMI.
//   Da2HashMismatch  the next BOOT_TO answers STATUS_DA_HASH_MISMATCH whatever the DA2.
//   MissWindow       a listening preloader boots on now, ignoring the handshake (at power-on:
//                    a window of 0); no effect in BROM mode.
// A rule fires `times` times (0 = every time it matches).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mtk::emu {

enum class FaultDirection { Out, In };  // Out: host to phone; In: phone to host
enum class FaultStage { Brom, Da };
enum class FaultPhase { Before, After };

struct FaultTrigger {
  enum class Kind { PowerOn, BromCommand, DaCommand, BulkOffset, Time };
  Kind kind = Kind::PowerOn;
  std::string command{};  // BromCommand, DaCommand
  FaultPhase phase = FaultPhase::Before;
  FaultDirection direction = FaultDirection::Out;  // BulkOffset
  std::uint64_t offset = 0;                        // BulkOffset
  // BulkOffset: draw the offset from the seed in [first, second] instead of `offset`.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> offsetRange{};
  bool fromDaStart = false;                            // BulkOffset: count from the DA's start
  std::optional<std::chrono::milliseconds> afterMs{};  // Time: when; others: a gate
  unsigned occurrence = 1;
  double probability = 1.0;
};

struct FaultAction {
  enum class Kind {
    Unplug,
    Silent,
    Delay,
    Status,
    CorruptByte,
    CorruptChecksum,
    StorageError,
    PowerCut,
    Flap,
    RefuseDram,
    Da2HashMismatch,
    MissWindow,
  };
  Kind kind = Kind::Unplug;
  std::chrono::milliseconds delay{0};  // Delay: how long; Flap: the period
  std::uint32_t status = 0;            // Status
  std::uint64_t byteIndex = 0;         // CorruptByte
  FaultDirection direction = FaultDirection::Out;
  std::uint8_t mask = 0x01;
  std::string area{};                        // StorageError: a storage area name; empty = user
  std::uint64_t address = 0;                 // StorageError: byte address in the area
  std::optional<std::uint64_t> landBytes{};  // PowerCut; empty = one sector
  unsigned cycles = 1;                       // Flap
};

struct FaultRule {
  FaultTrigger trigger{};
  FaultAction action{};
  unsigned times = 1;  // 0 = every time
  std::string name{};  // for logs; empty = "#<index>"
};

// Names as configuration files and logs write them.
const char* faultActionName(FaultAction::Kind kind);
std::string describeTrigger(const FaultTrigger& t);
std::string describeAction(const FaultAction& a);

// The command names triggers accept ("HANDSHAKE" is BROM's start command, "START" the DA's).
bool isBromCommandName(std::string_view name);
bool isDaCommandName(std::string_view name);
std::vector<std::string> bromCommandNames();
std::vector<std::string> daCommandNames();
// The name of a command byte/word/DEVICE_CTRL code; "0x.." when it has none.
std::string bromCommandName(std::uint8_t cmd);
std::string daCommandName(std::uint32_t cmd);
std::string daCtrlName(std::uint32_t code);

}  // namespace mtk::emu
