#include "mtk/flasher/da_session.hpp"

#include <cctype>
#include <cstdio>
#include <fstream>

#include "mtk/flasher/mtk_errors.hpp"
#include "mtk/wire/da_container.hpp"
#include "mtk/wire/preloader_image.hpp"

namespace mtk::flasher {

namespace da = wire::da;
using namespace codes;

namespace {

Result<wire::Bytes> readFileRange(const std::string& path, std::uint64_t offset,
                                  std::uint64_t length, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return makeError(da::kInvalidDaFileCode, da::kInvalidDaFileName,
                     std::string("cannot open ") + what + " " + path, "check the path");
  in.seekg(static_cast<std::streamoff>(offset));
  wire::Bytes b(length);
  in.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(length));
  if (static_cast<std::uint64_t>(in.gcount()) != length) {
    return makeError(da::kInvalidDaFileCode, da::kInvalidDaFileName,
                     std::string("short read of ") + what + " " + path,
                     "the file is truncated: get it again");
  }
  return b;
}

Result<std::uint64_t> fileSize(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    return makeError(
        da::kInvalidDaFileCode, da::kInvalidDaFileName, "cannot open the DA file " + path,
        "give the DA with --da (MTK_AllInOne_DA.bin, or mtk-make-test-da's output for mtkemu)");
  }
  return static_cast<std::uint64_t>(in.tellg());
}

std::string hex32(std::uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", v);
  return b;
}

// A DA that an earlier run left running answers XFlash packets; a BROM or preloader only
// echoes them byte by byte, which is harmless: none of these bytes is one of their commands
// with parameters (0xFE, GET_BL_VER, takes none). The echo of a packet header looks like a
// header, so the test is the payload: a DA answers DEVICE_CTRL with status 0, an echo repeats
// the command code.
bool daIsRunning(Transport& t) {
  namespace xf = wire::xflash;
  t.drain(std::chrono::milliseconds(20));
  auto packet = [](std::uint32_t v) {
    auto h = xf::encodeHeader(4);
    wire::Bytes b(h.begin(), h.end());
    b.resize(16);
    wire::storeLe32(&b[12], v);
    return b;
  };
  // Short: a preloader's window (1-3 s) keeps running while we ask. A DA answers in
  // milliseconds over USB and USB/IP alike.
  const std::chrono::milliseconds timeout{100};
  if (!t.write(packet(xf::SYNC_SIGNAL), timeout) || !t.write(packet(xf::CMD_DEVICE_CTRL), timeout))
    return false;
  std::uint8_t answer[16];
  if (!t.readExact(wire::MutableByteSpan(answer, 16), timeout)) return false;
  if (wire::loadLe32(answer) != xf::kMagic || wire::loadLe32(answer + 12) != xf::STATUS_OK) {
    t.drain(std::chrono::milliseconds(20));  // the echoes of a BROM or preloader
    return false;
  }
  // It is a DA: finish the DEVICE_CTRL it is waiting for.
  if (!t.write(packet(xf::CTRL_GET_CONNECTION_AGENT), timeout)) return false;
  t.drain(std::chrono::milliseconds(20));
  return true;
}

// Picks up a DA left running by an earlier run (as mtkclient does with its .state file), so a
// second command does not need the phone to be re-plugged.
Result<DaSession> resumeDaSession(std::unique_ptr<Transport> transport, const DaSessionOptions& o,
                                  const StageLog& log) {
  DaSession s;
  s.phone.transport = std::move(transport);
  s.phone.target.usb = s.phone.transport->identity();
  s.da = std::make_unique<XFlashClient>(*s.phone.transport, o.xflash);
  if (log) log("a DA is already running on the phone (left by an earlier run): continuing with it");
  auto agent = s.da->connectionAgent();
  if (!agent) return agent.error();
  s.connectionAgent = *agent;
  auto chip = s.da->ctrlGet(wire::xflash::CTRL_GET_CHIP_ID, "GET_CHIP_ID");
  if (chip && chip->size() >= 8) {
    s.phone.target.hwCode = wire::loadLe16(chip->data());
    s.phone.target.hwSubCode = wire::loadLe16(chip->data() + 2);
    s.phone.target.hwVersion = wire::loadLe16(chip->data() + 4);
    s.phone.target.swVersion = wire::loadLe16(chip->data() + 6);
    s.phone.target.chip = wire::chipByHwCode(s.phone.target.hwCode);
  }
  if (s.phone.target.chip) {
    if (auto c = checkPlatform(s.phone.target, o.expectPlatform); !c) return c.error();
  }
  (void)s.da->setChecksumLevel(o.xflash.checksumLevel);
  auto storage = s.da->storageInfo();
  if (!storage) return storage.error();
  s.storage = *storage;
  // Storage commands are DA2's: if only DA1 runs, the earlier run stopped half way.
  if (s.storage.user()) {
    auto probe = s.da->read(s.storage.user()->partType, 0, s.storage.blockSize,
                            [](wire::ByteSpan) -> Status { return {}; });
    if (!probe) {
      return mtkError(S_FT_DA_NO_RESPONSE,
                      "the DA left running by an earlier run is not ready for storage commands (" +
                          probe.error().message + ")",
                      "power the phone off (unplug it), then start again");
    }
  }
  return s;
}

}  // namespace

Result<DaSession> openDaSession(DeviceLocator& locator, const DaSessionOptions& o,
                                const StageLog& log) {
  auto say = [&](const std::string& s) {
    if (log) log(s);
  };
  // The DA file first: a wrong file is found before anyone plugs a phone in.
  auto size = fileSize(o.daPath);
  if (!size) return size.error();
  auto header =
      readFileRange(o.daPath, 0, std::min<std::uint64_t>(*size, da::kMaxHeaderSize), "the DA file");
  if (!header) return header.error();
  auto file = da::parseDaFile(*header, *size);
  if (!file) return file.error();
  if (file->xmlDa) {
    return makeError(da::kInvalidDaFileCode, da::kInvalidDaFileName,
                     o.daPath + " is an XML (V6) DA; this flasher speaks the XFlash (V5) protocol",
                     "use an XFlash (V5) DA file (MTK_AllInOne_DA.bin of the V5 era)");
  }

  std::vector<UsbId> ids = bootIds();
  ids.push_back({0x0e8d, 0x2001});  // a DA that switched to its own identity
  auto port = waitForPhone(locator, ids, o.connect, log);
  if (!port) return port.error();
  if (daIsRunning(**port)) return resumeDaSession(std::move(*port), o, log);
  auto phone = startSession(std::move(*port), o.connect, log);
  if (!phone) return phone.error();
  DaSession s;
  s.phone = std::move(*phone);
  const TargetInfo& t = s.phone.target;
  if (!t.chip) {
    return mtkError(
        S_UNKNOWN_TARGET_BBCHIP,
        "the phone reports hw code " + hex32(t.hwCode) + ", which this flasher does not know",
        "nothing was written; report the hw code so the chip can be added");
  }
  if (t.chip->daMode != wire::DaMode::XFlash) {
    return mtkError(S_UNKNOWN_TARGET_BBCHIP,
                    std::string(t.chip->name) + " uses the " + wire::daModeName(t.chip->daMode) +
                        " DA protocol; this flasher speaks XFlash (V5)",
                    "nothing was written; use a tool for that DA generation");
  }
  // The firmware's chip before the DA goes out: a wrong scatter must not get as far as a
  // write (field error F1).
  if (auto c = checkPlatform(t, o.expectPlatform); !c) return c.error();
  auto entry = da::selectEntry(*file, t.chip->daCode, t.hwVersion, t.swVersion, t.chip->name);
  if (!entry) return entry.error();
  const da::DaRegion* r1 = (*entry)->da1();
  const da::DaRegion* r2 = (*entry)->da2();
  if (!r1 || !r2) {
    return makeError(da::kInvalidDaFileCode, da::kInvalidDaFileName,
                     "the DA entry has no DA1/DA2 regions", "");
  }
  auto da1 = readFileRange(o.daPath, r1->fileOffset, r1->length, "DA1");
  if (!da1) return da1.error();
  auto da2 = readFileRange(o.daPath, r2->fileOffset, r2->bodyLength(), "DA2");
  if (!da2) return da2.error();

  if (auto st = startDa1(s.phone, {r1->loadAddress, *da1, r1->sigLen}, o.daSyncTimeout, log); !st)
    return st.error();
  s.da = std::make_unique<XFlashClient>(*s.phone.transport, o.xflash);
  say("DA1 is running; setting up the XFlash session");
  if (auto st = s.da->setupSession(); !st) return st.error();
  auto agent = s.da->connectionAgent();
  if (!agent) return agent.error();
  s.connectionAgent = *agent;
  if (s.connectionAgent == "brom") {
    // Through BROM nobody has brought DRAM up: the DA needs the preloader's EMI settings.
    if (o.preloaderPath.empty()) {
      return mtkError(
          S_DL_GET_DRAM_SETTING_FAIL,
          "the phone is in BROM mode, so the DA needs DRAM settings, and no preloader was given",
          "give the phone's preloader image with --preloader (the scatter's preloader_*.bin), "
          "or connect in preloader mode (no volume key held)");
    }
    auto pl = fileSize(o.preloaderPath);
    if (!pl) return pl.error();
    auto image =
        readFileRange(o.preloaderPath, 0, std::min<std::uint64_t>(*pl, 16u << 20), "the preloader");
    if (!image) return image.error();
    auto emi = wire::preloader::extractEmi(*image);
    if (!emi) return Error(emi.error()).context(o.preloaderPath);
    say("bringing up DRAM with the preloader's EMI settings (" + std::to_string(emi->size()) +
        " bytes)");
    if (auto st = s.da->initExtRam(*emi); !st) return st.error();
  }
  say("sending DA stage 2 (" + std::to_string(da2->size()) + " bytes) to " +
      hex32(r2->loadAddress));
  if (auto st = s.da->bootTo(r2->loadAddress, *da2, "DA2"); !st) return st.error();
  if (auto st = s.da->setChecksumLevel(o.xflash.checksumLevel);
      !st && st.error().name != "STATUS_UNSUPPORTED") {
    return st.error();
  }
  // A DA started from a full-speed BROM may offer to switch: the phone re-enumerates as
  // 0e8d:2001 (high speed) and the session carries on through the new port.
  if (auto speed = s.da->usbSpeed(); speed && *speed == "full-speed") {
    say("switching the DA to high speed; the phone re-enumerates as 0e8d:2001");
    if (auto st = s.da->switchUsbSpeed(); !st) return st.error();
    s.da.reset();
    s.phone.transport->close();
    auto port = locator.waitFor({{0x0e8d, 0x2001}}, std::chrono::milliseconds(10000));
    if (!port) {
      return mtkError(
          S_FT_DA_NO_RESPONSE,
          "the phone did not come back as 0e8d:2001 after the switch to high speed (" +
              port.error().message + ")",
          "check the cable and the USB port (a USB 2.0 port or hub must pass high speed)");
    }
    s.phone.transport = std::move(*port);
    s.phone.target.usb = s.phone.transport->identity();
    s.da = std::make_unique<XFlashClient>(*s.phone.transport, o.xflash);
    say("reconnected at high speed at " + s.phone.target.usb.location);
  }
  auto storage = s.da->storageInfo();
  if (!storage) return storage.error();
  s.storage = *storage;
  if (s.storage.type == StorageType::Nand) {
    return makeError(-1, "S_DA_NAND_UNSUPPORTED",
                     "the phone stores its data on NAND, which this flasher does not handle",
                     "nothing was written; NAND phones need SP Flash Tool's legacy DA flow");
  }
  if (s.storage.type == StorageType::None) {
    return makeError(-1, "S_DA_NO_STORAGE", "the DA found no eMMC, UFS or NAND on the phone",
                     "the flash chip did not answer: the phone may be damaged");
  }
  say(std::string("DA2 is running; storage: ") + storageTypeName(s.storage.type) + ", user area " +
      std::to_string(s.storage.user() ? s.storage.user()->size : 0) + " bytes");
  return s;
}

}  // namespace mtk::flasher

namespace mtk::flasher {

Status checkStorage(const StorageInfo& storage, const std::string& firmwareStorage) {
  std::string want = firmwareStorage;
  for (auto& c : want) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (want.rfind("HW_STORAGE_", 0) == 0) want = want.substr(11);
  if (want.empty() || want == storageTypeName(storage.type)) return {};
  return mtkError(
      codes::S_STORAGE_NOT_MATCH,
      "storage mismatch: the firmware is for " + want + ", the phone reports " +
          storageTypeName(storage.type),
      "use the firmware (scatter file) made for this phone's storage; nothing was written");
}

}  // namespace mtk::flasher
