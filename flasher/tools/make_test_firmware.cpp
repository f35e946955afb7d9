// mtk-make-test-firmware: writes a SAMPLE firmware folder for mtkemu's virtual phones (see
// sample_firmware.hpp): a scatter, a TEST preloader, raw and Android sparse images.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "sample_firmware.hpp"

namespace {

std::uint64_t parseSize(const std::string& s) {
  std::size_t used = 0;
  std::uint64_t v = std::stoull(s, &used, 0);
  const std::string unit = s.substr(used);
  if (unit == "K" || unit == "k") v <<= 10;
  if (unit == "M" || unit == "m") v <<= 20;
  if (unit == "G" || unit == "g") v <<= 30;
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "mtk-make-test-firmware: writes a SAMPLE firmware folder (scatter, TEST preloader, raw "
      "and\nAndroid sparse images) for mtkemu's virtual MT6765 phones. Its bytes are "
      "deterministic\npseudo-random data from --seed; nothing in it boots a real phone.\n\n"
      "Exit codes: 0 success, 1 failure, 2 bad usage.",
      "mtk-make-test-firmware"};
  mtk::sample::FirmwareSpec spec;
  std::string systemData = "48M", systemSize = "256M", bootSize = "8M";
  app.add_option("-o,--output", spec.directory, "the folder to write (created)")->required();
  app.add_option("--system-data", systemData,
                 "bytes of data in the sparse system.img (default 48M; e.g. 1G)");
  app.add_option("--system-size", systemSize, "unpacked size of system.img (default 256M)");
  app.add_option("--boot-size", bootSize, "size of boot.img and recovery.img (default 8M)");
  app.add_option("--seed", spec.seed, "seed of the content (default 1)");
  app.add_flag("--moved-nvram", spec.movedNvram,
               "a later layout of the same phone: nvram behind protect1/protect2");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    spec.systemData = parseSize(systemData);
    spec.systemSize = parseSize(systemSize);
    spec.bootSize = parseSize(bootSize);
  } catch (const std::exception&) {
    std::cerr << "mtk-make-test-firmware: sizes are numbers with an optional K, M or G\n";
    return 2;
  }
  if (auto s = mtk::sample::writeFirmware(spec); !s) {
    std::cerr << "mtk-make-test-firmware: " << s.error().describe() << "\n";
    return 1;
  }
  std::cout << "mtk-make-test-firmware: wrote " << mtk::sample::scatterPath(spec)
            << " and its images (system.img: " << (spec.systemData >> 20)
            << " MiB of data, sparse)\n";
  return 0;
}
