#pragma once
// Writing SP Flash Tool V1.1.x scatter text (shared/docs/spflash.md §3.2) from the scatter model,
// laid out the way MediaTek's generator writes it (the corpus' MT6580/MT6768/MT6771 files): a
// "General Setting" banner, the `- general: MTK_PLATFORM_CFG` block with `info: ` and its keys,
// a "Layout Setting" banner, then one `- partition_index: SYSn` record per partition, two-space
// indented, each followed by a blank line. Numbers are lowercase hex ("0x8000", "0x00" for a zero
// reserve), except end-relative addresses, which keep the generator's "0xFFFF0084" spelling.
//
// What parse() reads back from the text equals the model that was written: names, indices, file
// names (empty -> NONE), types, addresses, sizes, regions, storages, operation types, every flag,
// reserve and the extra keys (general and per partition), in order.

#include <string>

#include "mtk/error.hpp"
#include "mtk/wire/scatter.hpp"

namespace mtk::wire::scatter {

struct WriteOptions {
  // config_version to write. Empty: the scatter's own when it is V1.x, else V1.1.2 (V1.2.0 when a
  // partition sets combo_partsize_check), so a V2.x layout can be written as a V1 file.
  std::string configVersion = {};
  bool crlf = false;  // "\r\n" line ends, as many files from Windows tools have
};

// The V1.x text of the selected layout (s.storage, s.bootChannel, s.blockSize, s.partitions; for
// a V2.x scatter, the section parse() or selectStorage() selected).
//
// is_upgradable and empty_boot_needed are written from V1.1.2 on (V1.1.1 files have neither) and
// in any version when true; combo_partsize_check from V1.1.8 on and whenever true. boot_channel
// and block_size are left out when empty / 0 (as some real files do). Partitions without an index
// get "SYS<n>" by position.
//
// Fails (SCATTER_UNWRITABLE, code -1) when the text could not be read back into the same model:
// a legacy scatter (no type, region or storage per partition), no partitions, a config_version
// that is not V1.x, a value with a line break, surrounding blanks, a " #" (read as a comment) or
// surrounding quotes (read as quoting), an extra key that is not a lowercase identifier or that
// the model already names (partition_name, platform, ...).
Result<std::string> writeV1(const Scatter& s, const WriteOptions& options = {});

}  // namespace mtk::wire::scatter
