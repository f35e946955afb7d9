#pragma once
// Scatter files from what a phone (or a dump of one) holds: `make-scatter` writes the phone's
// layout as a V1.1.x scatter; a full readback writes one beside its images so the folder can be
// flashed back (a clone); `split` cuts a whole-ROM dump of the user area into per-partition
// images with a matching scatter (what MTK Droid Tools and Wwr_MTK are used for).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mtk/flasher/partition_table.hpp"
#include "mtk/wire/scatter.hpp"

namespace mtk::flasher {

struct ScatterFromTableOptions {
  std::string platform;  // "MT6765"
  std::string project = "mtkflash";
  // Name image files <partition>.img (and preloader.bin, pgpt.bin, sgpt.bin) and mark them
  // downloadable: a folder of readback images becomes flashable.
  bool withFiles = false;
  bool withPreloader = true;        // a preloader entry in the boot areas
  std::uint64_t preloaderSize = 0;  // the boot area size (0: 4 MiB)
};

// A scatter with the phone's partitions where its table has them, pgpt before the first and
// sgpt after the last (GPT phones), calibration partitions marked PROTECTED/BINREGION.
wire::scatter::Scatter scatterFromTable(const PartitionTable& table, StorageType storage,
                                        std::uint64_t userSize,
                                        const ScatterFromTableOptions& options);

// Writes `s` as V1.1.x text to `path`.
Status saveScatter(const wire::scatter::Scatter& s, const std::string& path);

// "MT6765_Android_scatter.txt"
std::string scatterFileName(const std::string& platform);

struct SplitOptions {
  std::string dumpPath;  // the user area from offset 0 (a "ROM_0" readback)
  std::string outputDir;
  std::string platform;     // for the scatter
  std::string scatterPath;  // the layout when the dump holds no readable GPT/PMT
  std::string storage = "EMMC";
  std::function<void(const std::string&)> log;
};

struct SplitResult {
  std::string tableSource;  // "GPT in the dump", "PMT in the dump", "scatter file"
  std::vector<std::string> files;
  std::string scatterPath;
};

// The layout from the dump's own GPT (at 0) or PMT (1 MiB before its end), else from the given
// scatter; every partition inside the dump becomes <name>.img; partitions beyond the end of the
// dump are reported, not invented.
Result<SplitResult> splitDump(const SplitOptions& options);

}  // namespace mtk::flasher
