#pragma once
// A firmware as people hand it to a flasher: a scatter file and the images beside it. Loading
// it parses the scatter, finds every image, learns its length (the unpacked length of an
// Android sparse image) and reports what is wrong before a phone is even connected: missing
// files, images larger than their partitions, scatter errors by file and line (field errors
// F3, F10, F13).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mtk/error.hpp"
#include "mtk/wire/scatter.hpp"

namespace mtk::flasher {

// What an operation may do to a partition, from its operation_type and, for calibration data
// whose scatter entry is not marked, from its name (spflash.md §1.2, §3.7).
enum class Role {
  Bootloader,  // BOOTLOADERS: preloader and friends, in the boot regions or at the start
  Update,      // UPDATE (and NEEDRESIZE, anything unknown): erased and written
  Invisible,   // INVISIBLE: erased by full flashes, never written (pgpt, seccfg, frp, misc...)
  Protected,   // PROTECTED, BINREGION, or a calibration name: kept unless named explicitly
  Reserved,    // RESERVED: never touched (sgpt, flashinfo, otp, BMTPOOL)
};
const char* roleName(Role r);
Role roleOf(const wire::scatter::Partition& p);
// Calibration and identity data by name: nvram, nvdata, nvcfg, protect1/2, persist, proinfo...
bool isProtectedName(const std::string& name);

struct FirmwareImage {
  std::string fileName;  // as in the scatter
  std::string path;      // where it is on disk
  std::uint64_t fileSize = 0;
  std::uint64_t length = 0;  // bytes it puts on the phone (unpacked length when sparse)
  bool sparse = false;
};

struct Firmware {
  std::string scatterPath;
  std::string directory;  // where images are looked up
  wire::scatter::Scatter scatter;
  std::map<std::string, FirmwareImage> images;  // by file name; only files that exist
  std::vector<std::string> missing;             // file names the scatter wants but are absent

  const FirmwareImage* image(const wire::scatter::Partition& p) const;
};

struct FirmwareOptions {
  std::string imageDirectory;  // default: the scatter's directory
  std::string storage;         // for V2.x combo scatters: which section (EMMC, UFS)
};

// Reads and parses the scatter, looks up the images of downloadable partitions. Fails only
// when the scatter itself cannot be read or parsed; missing images are listed in `missing`.
Result<Firmware> loadFirmware(const std::string& scatterPath, const FirmwareOptions& options = {});

// The length an image puts on the phone: the file size, or for an Android sparse image the
// size its header announces. Reads only the header.
Result<FirmwareImage> inspectImage(const std::string& path);

// Everything that can be checked without a phone, plus the phone's facts when given: scatter
// validation (platform, storage, region sizes), images present and not larger than their
// partition. Errors come first in the returned list, each naming file and line.
std::vector<wire::scatter::Issue> checkFirmware(
    const Firmware& fw, const wire::scatter::ValidateOptions& phoneFacts = {},
    const std::vector<std::string>& selected = {});

}  // namespace mtk::flasher
