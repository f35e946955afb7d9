// A scenario run's folder: its firmwares (the sample firmware with the scenario's changes: another
// platform or storage, resized or missing files, damaged scatter lines) and a test DA.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "mtk/wire/chips.hpp"
#include "mtk/wire/da_container.hpp"
#include "run_detail.hpp"
#include "sample_firmware.hpp"

namespace mtk::scenario::detail {

namespace fs = std::filesystem;

namespace {

Status writeFile(const std::string& path, const wire::Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) return makeError(-1, "CANNOT_WRITE", "cannot write " + path, "");
  return {};
}

std::string replaceValue(const std::string& text, const std::string& key,
                         const std::string& value) {
  std::stringstream in(text), out;
  std::string line;
  while (std::getline(in, line)) {
    const auto at = line.find(key + ":");
    if (at != std::string::npos && line.find_first_not_of(' ') == at) {
      line = line.substr(0, at) + key + ": " + value;
    }
    out << line << "\n";
  }
  return out.str();
}

}  // namespace

Result<std::map<std::string, std::string>> prepareFirmwares(const Scenario& s,
                                                            const std::string& folder) {
  std::map<std::string, std::string> out;
  for (const FirmwareSpec& f : s.firmwares) {
    sample::FirmwareSpec spec = f.sample;
    spec.directory = (fs::path(folder) / f.name).string();
    if (auto w = sample::writeFirmware(spec); !w) return w.error();
    const std::string scatter = sample::scatterPath(spec);
    for (const auto& [file, size] : f.resize) {
      wire::Bytes b(size);
      std::mt19937 rng(f.sample.seed);
      for (auto& x : b) x = static_cast<std::uint8_t>(rng());
      if (auto w = writeFile((fs::path(spec.directory) / file).string(), b); !w) return w.error();
    }
    for (const auto& file : f.remove) fs::remove(fs::path(spec.directory) / file);
    if (!f.platform.empty() || !f.storage.empty() || !f.scatterLines.empty()) {
      std::ifstream in(scatter);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string text = ss.str();
      if (!f.platform.empty()) text = replaceValue(text, "platform", f.platform);
      if (!f.storage.empty()) {
        text = replaceValue(text, "storage", f.storage);
        // Partitions name their storage too.
        std::string hw = "HW_STORAGE_" + f.storage;
        std::string::size_type at = 0;
        while ((at = text.find("HW_STORAGE_EMMC", at)) != std::string::npos) {
          text.replace(at, 15, hw);
          at += hw.size();
        }
      }
      if (!f.scatterLines.empty()) {
        std::stringstream lines(text), rebuilt;
        std::string line;
        for (int n = 1; std::getline(lines, line); ++n) {
          const auto it = f.scatterLines.find(n);
          rebuilt << (it == f.scatterLines.end() ? line : it->second) << "\n";
        }
        text = rebuilt.str();
      }
      std::ofstream o(scatter, std::ios::trunc);
      o << text;
    }
    out[f.name] = scatter;
  }
  return out;
}

Result<std::string> prepareDa(const std::string& folder, std::uint16_t phoneDaCode,
                              wire::Bytes* bytes) {
  wire::da::DaBuildSpec spec;
  spec.id = wire::da::kTestDaId;
  std::vector<std::uint16_t> codes = {0x6765};
  if (phoneDaCode && phoneDaCode != 0x6765) codes.push_back(phoneDaCode);
  for (auto c : codes) {
    wire::da::DaBuildEntry e;
    e.chipCode = c;
    e.da1 = wire::da::makeTestPayload("DA1", 0x20000, c);
    e.da2 = wire::da::makeTestPayload("DA2", 0x30000, c + 1);
    spec.entries.push_back(e);
  }
  const auto da = wire::da::buildDaFile(spec);
  const std::string path = (fs::path(folder) / "da.bin").string();
  if (auto w = writeFile(path, da); !w) return w.error();
  if (bytes) *bytes = da;
  return path;
}

namespace {

// Copies the data extents of one file (SEEK_DATA/SEEK_HOLE); the holes stay holes.
Status copySparseFile(const std::string& from, const std::string& to) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return makeError(-1, "CANNOT_READ", "cannot open " + from, "");
  const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    ::close(in);
    return makeError(-1, "CANNOT_WRITE", "cannot create " + to, "");
  }
  const off_t size = ::lseek(in, 0, SEEK_END);
  std::vector<char> buf(1 << 20);
  Status result;
  for (off_t at = ::lseek(in, 0, SEEK_DATA); at >= 0 && at < size;) {
    off_t end = ::lseek(in, at, SEEK_HOLE);
    if (end < 0) end = size;
    while (at < end) {
      const auto n =
          ::pread(in, buf.data(), std::min<off_t>(static_cast<off_t>(buf.size()), end - at), at);
      if (n <= 0 || ::pwrite(out, buf.data(), static_cast<std::size_t>(n), at) != n) {
        result = makeError(-1, "CANNOT_WRITE", "copying " + from + " failed", "");
        at = size;
        break;
      }
      at += n;
    }
    if (at >= size) break;
    at = ::lseek(in, at, SEEK_DATA);
  }
  if (result && ::ftruncate(out, size) != 0)
    result = makeError(-1, "CANNOT_WRITE", "cannot size " + to, "");
  ::close(in);
  ::close(out);
  return result;
}

}  // namespace

Status copySparseTree(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  for (const auto& e : fs::directory_iterator(from, ec)) {
    if (!e.is_regular_file()) continue;
    if (auto s = copySparseFile(e.path().string(), (fs::path(to) / e.path().filename()).string());
        !s) {
      return s;
    }
  }
  return {};
}

}  // namespace mtk::scenario::detail
