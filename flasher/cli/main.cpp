// mtkflash: flashes MediaTek phones, on a cable (libusb) or virtual ones over USB/IP.
#include <CLI/CLI.hpp>

#include "cli_common.hpp"

int main(int argc, char** argv) {
  using namespace mtk::cli;
  CLI::App app{
      "mtkflash: flash MediaTek phones over USB, or virtual phones (mtkemu) over USB/IP.\n\n"
      "Device selection (--device):\n"
      "  usb                      the first MediaTek phone on USB (default)\n"
      "  usb:BUS-PORT             one USB port, e.g. usb:1-4\n"
      "  usbip://HOST[:PORT][/BUSID]  a USB/IP server such as mtkemu, e.g. "
      "usbip://127.0.0.1:3240/1-1\n\n"
      "Start mtkflash first, then connect the phone powered off: its preloader listens only\n"
      "1-3 seconds (hold volume-down for BROM mode, which waits).\n\n"
      "Exit codes: 0 success, 1 the operation failed, 2 bad usage, 3 no device found.\n"
      "Errors print MediaTek's name and number (e.g. S_FT_DA_NO_RESPONSE (4001)) and a hint.",
      "mtkflash"};
  app.require_subcommand(1);
  GlobalOptions g;
  std::string expectPlatform;
  auto addCommon = [&](CLI::App* sub) {
    sub->add_option("-d,--device", g.device, "which device to use (see mtkflash --help)");
    sub->add_flag("--json", g.json, "one JSON object per event and a final result");
    sub->add_option("-t,--timeout", g.timeoutMs,
                    "how long to wait for the phone, in ms (default 60000)");
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
  auto addDa = [&](CLI::App* sub) {
    sub->add_option("--da", so.daPath, "the Download Agent file (MTK_AllInOne_DA.bin)");
    sub->add_option("--preloader", so.preloaderPath,
                    "the phone's preloader image, for its DRAM settings (needed in BROM mode)");
  };
  auto addTarget = [&](CLI::App* sub) {
    sub->add_option("-p,--partition", so.partition, "a partition of the phone's GPT/PMT, by name");
    sub->add_option("--area", so.area,
                    "a storage area: boot1, boot2, rpmb, gp1-4, user (UFS: lu0-lu2)");
    sub->add_option("--offset", so.offset, "byte offset in the area (hex 0x... or decimal)");
    sub->add_option("--length", so.length, "bytes (hex 0x... or decimal)");
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
  for (auto* sub : {printgpt, read, write, erase, reboot}) addDa(sub);
  for (auto* sub : {printgpt, read, write, erase}) {
    sub->add_flag("--reboot", so.reboot,
                  "reboot the phone when done (otherwise the DA stays, for the next command)");
  }
  for (auto* sub : {read, write, erase}) addTarget(sub);
  for (auto* sub : {devices, probe, identify, printgpt, read, write, erase, reboot}) addCommon(sub);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  if (*devices) return cmdDevices(g);
  if (*probe) return cmdProbe(g);
  if (*printgpt) return cmdPrintGpt(g, so);
  if (*read) return cmdRead(g, so);
  if (*write) return cmdWrite(g, so);
  if (*erase) return cmdErase(g, so);
  if (*reboot) return cmdReboot(g, so);
  return cmdIdentify(g, expectPlatform);
}
