#pragma once
// The Download Agent as the virtual phone runs it: not by executing the uploaded DA but by
// speaking its protocol, XFlash (V5) (mtk-protocols.md §4, mtkclient-expectations.md §5.6-§5.12):
// the 0xC0 sync byte, framed packets, session setup, DEVICE_CTRL, BOOT_TO for DA2 with its
// digest check, INIT_EXT_RAM, READ_DATA / WRITE_DATA / FORMAT on the virtual storage, SHUTDOWN.

#include <cstdint>
#include <functional>
#include <optional>

#include "mtk/emu/phone/brom_protocol.hpp"
#include "mtk/emu/phone/device_io.hpp"
#include "mtk/emu/phone/phone_spec.hpp"
#include "mtk/emu/storage/virtual_storage.hpp"
#include "mtk/emu/task.hpp"
#include "mtk/wire/xflash.hpp"

namespace mtk::emu {

class DaProtocol {
 public:
  struct Events {
    // SHUTDOWN: the phone leaves USB; powerOff: has_flags set and enable_wdt clear (it stays off
    // instead of rebooting).
    std::function<void(std::uint32_t bootMode, bool powerOff)> shutdown;
    std::function<void()> switchSpeed;  // SWITCH_USB_SPEED: re-enumerate at high speed (2001)
  };
  DaProtocol(const PhoneSpec& spec, DeviceIo& io, VirtualStorage* storage, FaultRuntime& faults,
             const wire::Bytes& da1, BootMode agent, Events events);

  Task<void> run();

  static constexpr std::size_t kMaxImage = 16u << 20;  // BOOT_TO payloads (DA2 is a few MiB)
  static constexpr std::size_t kMaxParam = 64 * 1024;  // parameter packets, EMI blobs

 private:
  Task<std::uint32_t> readLength();  // a packet header; returns its payload length
  Task<wire::Bytes> readPacket(std::size_t max);
  Task<std::uint32_t> readU32Packet();
  void sendPacket(wire::Bytes payload);
  void sendU32(std::uint32_t value);  // a u32 packet that is data, not a status
  // Sends a status (a fault may replace it); false when it was replaced: the command ends there,
  // as after any error status.
  bool sendStatus(std::uint32_t status);

  Task<bool> command(std::uint32_t cmd);  // false: the DA stops answering
  Task<void> deviceCtrl();
  Task<void> answerCtrl(std::uint32_t code);
  Task<bool> bootTo();
  Task<void> initExtRam();
  struct Access {
    bool protocolError = false;
    std::optional<wire::xflash::StorageParam> param;  // empty: refused (or protocol error)
  };
  Task<Access> acceptStorageParam();
  Task<bool> readData();
  Task<bool> writeData();
  Task<bool> format();
  Task<void> shutdown();
  Task<void> switchUsbSpeed();
  std::uint32_t checkAccess(const wire::xflash::StorageParam& p) const;
  wire::Bytes ramInfo() const;

  const PhoneSpec& spec_;
  DeviceIo& io_;
  VirtualStorage* storage_;
  FaultRuntime& faults_;
  const wire::Bytes& da1_;
  BootMode agent_;
  Events events_;
  bool dramReady_;
  bool da2Running_ = false;
  std::uint32_t checksumLevel_ = 0;
  unsigned chunksToCorrupt_ = 0;
  bool highSpeed_;
};

}  // namespace mtk::emu
