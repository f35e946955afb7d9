#pragma once
// SP Flash Tool scatter files (shared/docs/spflash.md §3): the legacy plain-text format
// (`NAME 0xADDR { }`), the V1.x "YAML-like" text format (one layout), the V2.x combo text format
// (one `storage_type` section per storage) and the XML scatter of newer tools.
//
// The V1.x/V2.x text is not parsed as YAML: SP Flash Tool reads it with its own line parser, and
// real files are not always valid YAML (mixed indentation, `info: ` with trailing spaces, empty
// values). The parser here is line-based and driven by key names, not indentation, so it takes
// every file of the corpus (shared/corpus/scatter) while still naming file and line for anything
// it cannot read.
//
// Parsing is pure: text in, model out; no filesystem access. validate() takes what it needs from
// the filesystem or the phone (image sizes, region sizes, the phone's chip) as plain values.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mtk/error.hpp"

namespace mtk::wire::scatter {

enum class Format {
  Legacy,  // NAME 0xADDR { } blocks, no version (<= MT6589)
  V1,      // config_version V1.x, one layout
  V2Text,  // config_version V2.x, storage_type sections
  V2Xml,   // <root><general>...<storage_type>... (the XML scatter; V2.1.0 in the corpus)
};
const char* formatName(Format f);  // "legacy", "V1.x text", "V2.x text", "XML"

using Extras = std::vector<std::pair<std::string, std::string>>;  // keys this model does not name

struct Partition {
  std::string index;     // partition_index, "SYS5"; empty in legacy files
  std::string name;      // partition_name; legacy: without the __NODL_ prefix
  std::string fileName;  // file_name; "NONE" becomes empty
  bool isDownload = false;
  std::string type;  // NORMAL_ROM, SV5_BL_BIN, EXT4_IMG, YAFFS_IMG, ... (as written; "" in legacy)
  std::uint64_t linearStartAddress = 0;    // legacy: the only address there is
  std::uint64_t physicalStartAddress = 0;  // legacy: 0 (not given)
  std::uint64_t partitionSize = 0;         // legacy: 0 (not given)
  std::string region;   // EMMC_BOOT_1, EMMC_USER, UFS_LU2, NONE... (as written; "" in legacy)
  std::string storage;  // HW_STORAGE_EMMC, HW_STORAGE_UFS, HW_STORAGE_NAND... ("" in legacy)
  bool boundaryCheck = true;
  bool isReserved = false;
  std::string operationType;  // BOOTLOADERS, UPDATE, INVISIBLE, PROTECTED, BINREGION, ...
  std::uint64_t reserve = 0;
  bool isUpgradable = false;        // V1.1.6+/V2
  bool emptyBootNeeded = false;     // V1.1.6+/V2
  bool comboPartsizeCheck = false;  // V1.2.0/V2.2.0
  Extras extras;                    // d_type, slc_percentage, anything newer
  int line = 0;                     // 1-based line of partition_index (legacy: of the name)
};

// One storage layout. V2.x files have one per storage_type; V1.x and legacy files have one.
struct Section {
  std::string storage;      // "EMMC", "UFS", "NAND"; legacy: ""
  std::string bootChannel;  // "MSDC_0", "UFSHCI_0", "NONE"
  std::uint64_t blockSize = 0;
  std::vector<Partition> partitions;
  Extras extras;
  int line = 0;         // storage_type line (V2), else the general block's line
  int storageLine = 0;  // line of the storage key (0: none)
};

struct Scatter {
  std::string fileName;  // as given to parse(), for messages
  Format format = Format::V1;
  std::string configVersion;  // "V1.1.2"; legacy: ""
  std::string platform;       // "MT6765"; legacy: taken from the file name ("MT6589_Android...")
  std::string project;
  // The selected layout (see parse()): its storage, boot channel, block size and partitions.
  std::string storage;
  std::string bootChannel;
  std::uint64_t blockSize = 0;
  std::vector<Partition> partitions;
  // Every layout the file describes, in file order: V2.x one per storage_type (only the selected
  // one when parse() was given a storage), V1.x and legacy exactly one (equal to the above).
  std::vector<Section> sections;
  Extras generalExtras;  // skip_pmt_operate, modem_check, ...
  int platformLine = 0;  // line of `platform` (0: not in the file)
  int configVersionLine = 0;
};

// Parses any scatter syntax: XML when the text starts with '<', else legacy or V1.x/V2.x text.
// `fileName` is only used in messages and, for legacy files, to find the platform. For V2.x
// files `storage` ("EMMC", "UFS", also "HW_STORAGE_UFS", any case) selects one section and
// fails with S_STORAGE_NOT_MATCH when there is none; empty keeps all sections and selects the
// first. V1.x and legacy files ignore `storage` (validate() compares it).
// Failures are S_DL_SCAT_INCORRECT_FORMAT (5011) or S_DL_SCAT_VERSION_UNSUPPORTED (5079), with
// "file:line: " in front of the message.
Result<Scatter> parse(std::string_view text, std::string_view fileName,
                      std::string_view storage = {});
Result<Scatter> parseText(std::string_view text, std::string_view fileName,
                          std::string_view storage = {});
Result<Scatter> parseXml(std::string_view text, std::string_view fileName,
                         std::string_view storage = {});

// The same scatter with one V2.x section selected (S_STORAGE_NOT_MATCH when absent).
Result<Scatter> selectStorage(const Scatter& s, std::string_view storage);

// "MT6589" from "MT6589_Android_scatter_emmc.txt" (any directory, any case; the last such
// name when there are several; "" when none).
std::string platformFromFileName(std::string_view fileName);

// 0xFFFF0000 | n: n blocks (the section's block_size) before the end of the region (§3.5).
constexpr bool isEndRelative(std::uint64_t address) {
  return (address >> 16) == 0xFFFF;
}

// Region names folded to one spelling per hardware region: EMMC_BOOT_1 -> EMMC_BOOT1, and the
// pairs EMMC_BOOT1_BOOT2 / UFS_LU0_LU1 to both members. Legacy "" stays "" (the linear view).
std::vector<std::string> canonicalRegions(std::string_view region);

// Where a partition lands once its section's conventions are applied (§3.5).
struct Placement {
  std::size_t partition = 0;  // index into Section::partitions
  std::string region;         // canonical region; "" = legacy linear view
  // Byte offset inside the region. Physical addresses that V1.1.1 files leave at 0 are derived
  // from the linear ones; end-relative starts are resolved when the region size is known, else
  // nullopt. 0xFFFF0000 itself (n = 0: the backup GPT, after the end the reserved chain counts
  // from) always stays nullopt and out of the overlap checks.
  std::optional<std::uint64_t> offset;
  std::uint64_t size = 0;  // fill-to-end partitions (size <= 512, NEEDRESIZE) stretched when known
  bool endRelative = false;
  bool fill = false;      // size <= 512 or NEEDRESIZE (legacy: every entry): runs to the next
  bool sizeKnown = true;  // false: a fill-to-end partition whose end is not known
};

// Placements of every partition of a section, in file order (a partition in two regions gets
// two). `regionSizes` is keyed by region name (any spelling canonicalRegions() folds).
std::vector<Placement> place(const Section& section, bool legacy,
                             const std::map<std::string, std::uint64_t>& regionSizes = {});

// "12 MiB", "3 GiB", "1.5 KiB", "100 bytes": exact whole units where they fit, else one decimal.
std::string humanSize(std::uint64_t bytes);

enum class Severity { Warning, Error };

struct Issue {
  Severity severity = Severity::Error;
  int line = 0;           // 1-based line in the scatter (0: the file as a whole)
  std::int64_t code = 0;  // SP Flash Tool's number where there is one, else -1
  std::string name;       // SP Flash Tool's name where there is one
  std::string message;    // starts with "file:line: "
  std::string hint;

  Error toError() const { return Error{code, name, message, hint}; }
};

struct ValidateOptions {
  // Size of each hardware region on the phone ("EMMC_USER", "EMMC_BOOT1", "UFS_LU2"...), when
  // known. Enables the "beyond the region" check and resolves end-relative and fill-to-end
  // partitions. In boot regions only starts are checked: linear-era files give the preloader
  // the whole boot block (boot1 + boot2 + RPMB) as its size; images there must fit the region.
  std::map<std::string, std::uint64_t> regionSizes;
  // Size of the whole device in the linear view (legacy files, linear_start_addr). Checked for
  // partitions whose region size is not in regionSizes, in the sections of phoneStorage (every
  // section when phoneStorage is not set).
  std::optional<std::uint64_t> storageSize;
  // Image length by file_name (unpacked length for Android sparse images). nullopt: images are
  // not checked; a file absent from the map is missing.
  std::optional<std::map<std::string, std::uint64_t>> imageSizes;
  // The phone's chip name or scatter platform name ("MT6757"); checked with chipByName().
  std::optional<std::string> phonePlatform;
  // The storage the DA reported ("EMMC", "UFS", "NAND"; also "HW_STORAGE_EMMC").
  std::optional<std::string> phoneStorage;
};

// Every finding, sorted by line. Checks (§3.6): partition names present and unique; known type,
// operation_type, region and storage names, consistent with the section's storage; starts
// ascending and no overlaps inside a region; partitions inside their region and the storage;
// images present and not larger than their partition; platform and storage equal to the phone's.
std::vector<Issue> validate(const Scatter& s, const ValidateOptions& options = {});

bool hasErrors(const std::vector<Issue>& issues);

}  // namespace mtk::wire::scatter
