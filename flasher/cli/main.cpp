// mtkflash: flashes MediaTek phones, on a cable (libusb) or virtual ones over USB/IP.
#include <CLI/CLI.hpp>

#include "cli_common.hpp"

namespace {

constexpr const char* kDescription =
    "mtkflash: flash MediaTek phones over USB, or virtual phones (mtkemu) over USB/IP.\n\n"
    "Firmware operations (SP Flash Tool's names in brackets):\n"
    "  download          write the chosen or all images of a scatter [Download Only]\n"
    "  format-download   erase everything but RPMB and protected data, write table and images\n"
    "                    [Format All + Download]\n"
    "  upgrade           back up protected data, erase, write, restore [Firmware Upgrade]\n"
    "  format            whole flash, all but bootloaders, a range or partitions [Format]\n"
    "  readback          partitions, ranges, areas, or everything as a flashable folder\n"
    "  write-table       write the scatter's layout as GPT/PMT\n"
    "  make-scatter      write the phone's layout as a scatter file\n"
    "  split             cut a whole-ROM dump into images plus a scatter\n"
    "Every firmware operation prints its plan first; --dry-run prints only the plan.\n"
    "Protected partitions (nvram, nvdata, protect1/2, proinfo, persist, nvcfg...) are never\n"
    "erased or written unless named with --include-protected (or -p for format/readback).\n\n"
    "Device selection (--device):\n"
    "  usb                      the first MediaTek phone on USB (default)\n"
    "  usb:BUS-PORT             one USB port, e.g. usb:1-4\n"
    "  usbip://HOST[:PORT][/BUSID]  a USB/IP server such as mtkemu, e.g. "
    "usbip://127.0.0.1:3240/1-1\n\n"
    "Start mtkflash first, then connect the phone powered off: its preloader listens only\n"
    "1-3 seconds (hold volume-down for BROM mode, which waits).\n\n"
    "Exit codes: 0 success, 1 the operation failed, 2 bad usage, 3 no device found.\n"
    "Errors print MediaTek's name and number (e.g. S_FT_DA_NO_RESPONSE (4001)) and a hint.";

std::vector<std::string> splitCommas(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& item : in) {
    std::size_t start = 0;
    while (start <= item.size()) {
      const std::size_t comma = item.find(',', start);
      const std::string part =
          item.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty()) out.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mtk::cli;
  CLI::App app{kDescription, "mtkflash"};
  app.require_subcommand(1);
  GlobalOptions g;
  std::string expectPlatform;
  auto addCommon = [&](CLI::App* sub) {
    sub->add_option("-d,--device", g.device, "which device to use (see mtkflash --help)");
    sub->add_flag("--json", g.json, "one JSON object per event and a final result");
    sub->add_option("-t,--timeout", g.timeoutMs,
                    "how long to wait for the phone, in ms (default 60000)");
    sub->add_option("--log", g.logFile, "append every stage, warning and error to this file");
  };
  addCommon(&app);
  auto* devices =
      app.add_subcommand("devices", "list MediaTek devices on USB or on a USB/IP server");
  auto* probe = app.add_subcommand(
      "probe", "wait for a device, open its download port and show its USB identity");
  auto* identify = app.add_subcommand(
      "identify",
      "catch the phone in BROM/preloader mode; show chip, versions, security, ME ID, SoC ID");
  identify->add_option(
      "--expect-platform", expectPlatform,
      "fail with S_CHIP_TYPE_NOT_MATCH unless the phone is this chip (a scatter's platform)");
  StorageOptions so;
  FirmwareOptions fo;
  std::vector<std::string> partitions, include;
  auto addDa = [&](CLI::App* sub) {
    sub->add_option("--da", so.daPath, "the Download Agent file (MTK_AllInOne_DA.bin)");
    sub->add_option("--preloader", so.preloaderPath,
                    "the phone's preloader image, for its DRAM settings (needed in BROM mode)");
  };
  auto addRange = [&](CLI::App* sub) {
    sub->add_option("--area", so.area,
                    "a storage area: boot1, boot2, rpmb, gp1-4, user (UFS: lu0-lu2)");
    sub->add_option("--offset", so.offset, "byte offset in the area (hex 0x... or decimal)");
    sub->add_option("--length", so.length, "bytes (hex 0x... or decimal)");
  };
  auto addTarget = [&](CLI::App* sub) {
    sub->add_option("-p,--partition", so.partition, "a partition of the phone's GPT/PMT, by name");
    addRange(sub);
  };
  auto* printgpt = app.add_subcommand("printgpt", "print the phone's partition table (GPT or PMT)");
  auto* read = app.add_subcommand("read", "read a partition or an address range into a file");
  read->add_option("-o,--output", so.file, "the file to write");
  auto* write =
      app.add_subcommand("write", "write a file to a partition or an address (never beyond it)");
  write->add_option("-i,--input", so.file, "the image to write");
  auto* erase = app.add_subcommand("erase", "erase a partition or an address range");
  auto* reboot =
      app.add_subcommand("reboot", "load the DA (or find it running) and reboot the phone");

  auto* download = app.add_subcommand(
      "download", "Download Only: write the scatter's images (all downloadable, or -p NAMES)");
  auto* formatDownload =
      app.add_subcommand("format-download",
                         "Format All + Download: erase all but RPMB and protected partitions, "
                         "write the table and every image");
  auto* upgrade = app.add_subcommand(
      "upgrade", "Firmware Upgrade: back up protected partitions, erase, write, restore them");
  auto* format = app.add_subcommand(
      "format",
      "erase the whole flash (default), --except-bootloader, --area/--offset/--length, "
      "or -p NAMES; protected partitions are kept unless named");
  auto* readback = app.add_subcommand(
      "readback", "read partitions (-p), a range or area (--area/--offset/--length), or --all");
  auto* writeTable =
      app.add_subcommand("write-table", "write the scatter's layout as the phone's GPT or PMT");
  auto* makeScatter =
      app.add_subcommand("make-scatter", "write the phone's partition layout as a scatter file");
  auto* split = app.add_subcommand(
      "split", "cut a whole-ROM dump (user area from 0) into partition images and a scatter");

  const std::vector<CLI::App*> firmwareOps = {download, formatDownload, upgrade,    format,
                                              readback, writeTable,     makeScatter};
  for (auto* sub : firmwareOps) {
    addDa(sub);
    sub->add_flag("--dry-run", fo.dryRun, "print the plan and stop (no phone needed)");
  }
  for (auto* sub : {download, formatDownload, upgrade, format, writeTable, split}) {
    sub->add_option("-s,--scatter", fo.scatter, "the firmware's scatter file")
        ->required(sub != format && sub != split);
    sub->add_option("--storage", fo.storage, "V2.x combo scatters: which storage (EMMC, UFS)");
  }
  for (auto* sub : {download, formatDownload, upgrade}) {
    sub->add_option("--images", fo.imageDir, "where the images are (default: beside the scatter)");
    sub->add_flag("--verify", fo.verify, "read every written image back and compare SHA-256");
    sub->add_flag("--skip-unchanged", fo.skipUnchanged,
                  "read first and leave partitions that already hold their image");
  }
  for (auto* sub : {download, format, readback}) {
    sub->add_option("-p,--partition", partitions, "partition names (comma-separated or repeated)");
  }
  for (auto* sub : {download, formatDownload, upgrade, format}) {
    sub->add_option("--include-protected", include,
                    "protected partitions that may be erased/written after all (names, or all)");
  }
  upgrade->add_option("--backup-dir", fo.backupDir,
                      "where protected partitions are backed up (default mtkflash-backup/)");
  format->add_flag("--except-bootloader", fo.exceptBootloader, "keep the boot areas (preloader)");
  addRange(format);
  addRange(readback);
  readback->add_option("-o,--output", fo.output, "a file, or a folder for several partitions")
      ->required();
  readback->add_flag("--all", fo.all,
                     "every partition, boot1, boot2 and a scatter: a flashable copy of the phone");
  readback->add_option("--preloader-out", fo.preloaderOut,
                       "with --area boot1: also save the flashable preloader from the dump");
  makeScatter->add_option("-o,--output", fo.output, "the scatter file to write");
  split->add_option("-i,--input", fo.input, "the whole-ROM dump (user area from offset 0)")
      ->required();
  split->add_option("-o,--output", fo.output, "the folder for the images and scatter")->required();
  split->add_option("--platform", fo.platform, "the chip for the scatter, e.g. MT6765");

  for (auto* sub : {printgpt, read, write, erase, reboot}) addDa(sub);
  reboot->add_flag("--power-off", so.powerOff, "power the phone off instead of rebooting it");
  for (auto* sub : {printgpt, read, write, erase, download, formatDownload, upgrade, format,
                    readback, writeTable, makeScatter}) {
    sub->add_flag("--reboot", so.reboot,
                  "reboot the phone when done (otherwise the DA stays, for the next command)");
    sub->add_flag("--power-off", so.powerOff, "power the phone off when done");
  }
  for (auto* sub : {read, write, erase}) addTarget(sub);
  for (auto* sub : app.get_subcommands({})) addCommon(sub);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (!g.logFile.empty() && !setLogFile(g.logFile)) {
    return report(mtk::makeError(-1, "CANNOT_WRITE", "cannot open the log file " + g.logFile,
                                 "check the path"),
                  g.json);
  }
  fo.partitions = splitCommas(partitions);
  fo.includeProtected = splitCommas(include);
  if (*devices) return cmdDevices(g);
  if (*probe) return cmdProbe(g);
  if (*printgpt) return cmdPrintGpt(g, so);
  if (*read) return cmdRead(g, so);
  if (*write) return cmdWrite(g, so);
  if (*erase) return cmdErase(g, so);
  if (*reboot) return cmdReboot(g, so);
  if (*download) return cmdOperation(Operation::Download, g, so, fo);
  if (*formatDownload) return cmdOperation(Operation::FormatDownload, g, so, fo);
  if (*upgrade) return cmdOperation(Operation::Upgrade, g, so, fo);
  if (*format) return cmdOperation(Operation::Format, g, so, fo);
  if (*readback) return cmdOperation(Operation::Readback, g, so, fo);
  if (*writeTable) return cmdOperation(Operation::WriteTable, g, so, fo);
  if (*makeScatter) return cmdOperation(Operation::MakeScatter, g, so, fo);
  if (*split) return cmdOperation(Operation::Split, g, so, fo);
  return cmdIdentify(g, expectPlatform);
}
