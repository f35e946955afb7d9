#include "mtk/flasher/firmware.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mtk/flasher/image_reader.hpp"

#include "names.hpp"

namespace mtk::flasher {

namespace fs = std::filesystem;
namespace sc = wire::scatter;

namespace {

bool equalsNoCase(const std::string& a, const char* b) {
  return lowerCase(a) == lowerCase(b);
}

}  // namespace

const char* roleName(Role r) {
  switch (r) {
    case Role::Bootloader:
      return "bootloader";
    case Role::Update:
      return "update";
    case Role::Invisible:
      return "invisible";
    case Role::Protected:
      return "protected";
    case Role::Reserved:
      return "reserved";
  }
  return "?";
}

bool isProtectedName(const std::string& name) {
  static const std::array<const char*, 11> names = {
      "nvram",     "nvdata",  "nvcfg",   "protect1", "protect2", "protect_f",
      "protect_s", "persist", "proinfo", "md1nvram", "efs"};
  const std::string n = lowerCase(name);
  return std::any_of(names.begin(), names.end(), [&](const char* p) { return n == p; });
}

Role roleOf(const sc::Partition& p) {
  // Calibration data first: a scatter that marks nvdata INVISIBLE (they all do) would
  // otherwise let a full flash erase the IMEI's second copy (field error F11).
  if (isProtectedName(p.name)) return Role::Protected;
  const std::string& op = p.operationType;
  if (equalsNoCase(op, "PROTECTED") || equalsNoCase(op, "BINREGION")) return Role::Protected;
  if (equalsNoCase(op, "BOOTLOADERS") || equalsNoCase(op, "BOOTLOADER")) return Role::Bootloader;
  if (equalsNoCase(op, "INVISIBLE")) return Role::Invisible;
  if (equalsNoCase(op, "RESERVED")) return Role::Reserved;
  if (op.empty() && equalsNoCase(p.name, "preloader")) return Role::Bootloader;
  return Role::Update;
}

const FirmwareImage* Firmware::image(const sc::Partition& p) const {
  if (p.fileName.empty()) return nullptr;
  const auto it = images.find(p.fileName);
  return it == images.end() ? nullptr : &it->second;
}

Result<FirmwareImage> inspectImage(const std::string& path) {
  auto reader = ImageReader::open(path);
  if (!reader) return reader.error();
  FirmwareImage img;
  img.path = path;
  img.fileName = fs::path(path).filename().string();
  img.fileSize = (*reader)->fileSize();
  img.length = (*reader)->length();
  img.sparse = (*reader)->sparse();
  return img;
}

Result<Firmware> loadFirmware(const std::string& scatterPath, const FirmwareOptions& options) {
  std::ifstream in(scatterPath, std::ios::binary);
  if (!in) {
    return makeError(-1, "SCATTER_NOT_FOUND", "cannot open the scatter file " + scatterPath,
                     "give the path of the firmware's *_Android_scatter.txt (or .xml)");
  }
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = sc::parse(text.str(), fs::path(scatterPath).filename().string(), options.storage);
  if (!parsed) return parsed.error();
  Firmware fw;
  fw.scatterPath = scatterPath;
  fw.directory = options.imageDirectory.empty() ? fs::path(scatterPath).parent_path().string()
                                                : options.imageDirectory;
  if (fw.directory.empty()) fw.directory = ".";
  fw.scatter = std::move(*parsed);
  for (const sc::Partition& p : fw.scatter.partitions) {
    if (p.fileName.empty() || fw.images.count(p.fileName)) continue;
    const fs::path path = fs::path(fw.directory) / p.fileName;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      if (p.isDownload &&
          std::find(fw.missing.begin(), fw.missing.end(), p.fileName) == fw.missing.end()) {
        fw.missing.push_back(p.fileName);
      }
      continue;
    }
    auto img = inspectImage(path.string());
    if (!img) return Error(img.error()).context(p.fileName);
    img->fileName = p.fileName;
    fw.images.emplace(p.fileName, std::move(*img));
  }
  return fw;
}

std::vector<sc::Issue> checkFirmware(const Firmware& fw, const sc::ValidateOptions& phoneFacts,
                                     const std::vector<std::string>& selected) {
  sc::Scatter s = fw.scatter;
  if (!selected.empty()) {
    // Only the chosen partitions' images matter: the others are not downloaded.
    auto chosen = [&](const std::string& name) {
      return std::any_of(selected.begin(), selected.end(),
                         [&](const std::string& n) { return lowerCase(n) == lowerCase(name); });
    };
    for (auto& p : s.partitions) p.isDownload = p.isDownload && chosen(p.name);
    for (auto& sec : s.sections) {
      for (auto& p : sec.partitions) p.isDownload = p.isDownload && chosen(p.name);
    }
  }
  sc::ValidateOptions o = phoneFacts;
  std::map<std::string, std::uint64_t> sizes;
  for (const auto& [name, img] : fw.images) sizes[name] = img.length;
  o.imageSizes = sizes;
  auto issues = sc::validate(s, o);
  std::stable_sort(issues.begin(), issues.end(), [](const sc::Issue& a, const sc::Issue& b) {
    return a.severity == sc::Severity::Error && b.severity != sc::Severity::Error;
  });
  return issues;
}

}  // namespace mtk::flasher
