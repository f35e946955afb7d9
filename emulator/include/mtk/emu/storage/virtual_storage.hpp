#pragma once
// The phone's flash: an eMMC (boot1, boot2, RPMB, GP1-4, user) or a UFS device (LUs), each
// area a sparse file read and written with pread/pwrite, so a 256 GiB virtual eMMC costs only
// what was written, memory stays flat whatever the size, and content survives an emulator
// restart when a directory is given. NAND is refused with a clear error.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mtk/error.hpp"
#include "mtk/wire/bytes.hpp"

namespace mtk::emu {

enum class StorageKind { Emmc, Ufs, Nand, None };
const char* storageKindName(StorageKind k);

struct StorageSpec {
  StorageKind kind = StorageKind::Emmc;
  std::uint32_t sectorSize = 512;  // 512 or 4096
  std::uint64_t boot1 = 4u << 20;
  std::uint64_t boot2 = 4u << 20;
  std::uint64_t rpmb = 4u << 20;
  std::uint64_t gp[4] = {0, 0, 0, 0};
  std::uint64_t user = 64ull << 30;
  // Where the area images live; empty = a private directory removed when the storage closes.
  std::string directory;
};

struct StorageArea {
  std::string name;        // "boot1", "user", "lu2", ...
  std::uint32_t partType;  // the DA's id for it (wire/xflash.hpp EMMC_* / UFS_*)
  std::uint64_t size;
};

class VirtualStorage {
 public:
  static Result<std::unique_ptr<VirtualStorage>> open(const StorageSpec& spec);
  ~VirtualStorage();
  VirtualStorage(const VirtualStorage&) = delete;
  VirtualStorage& operator=(const VirtualStorage&) = delete;

  StorageKind kind() const { return spec_.kind; }
  std::uint32_t sectorSize() const { return spec_.sectorSize; }
  const std::vector<StorageArea>& areas() const { return areas_; }
  const StorageArea* area(std::uint32_t partType) const;
  const StorageArea* areaByName(const std::string& name) const;
  const std::string& directory() const { return directory_; }

  Status read(std::uint32_t partType, std::uint64_t offset, wire::MutableByteSpan out) const;
  Status write(std::uint32_t partType, std::uint64_t offset, wire::ByteSpan data);
  // Erased bytes read as zero (a hole is punched: no space is used).
  Status erase(std::uint32_t partType, std::uint64_t offset, std::uint64_t length);

  // Fault: the power fails after `afterBytes` more bytes are written. The write in flight is
  // torn (its first part lands, the rest does not) and every later write fails.
  void armPowerCut(std::uint64_t afterBytes);
  bool powerCut() const { return powerCut_; }
  // The power is back (the phone powered on again): writes work; an armed cut stays armed.
  void restorePower() { powerCut_ = false; }
  // Fault: the next write covering byte `address` of area `partType` fails and lands nothing
  // (a bad block; one failure per call).
  void armWriteError(std::uint32_t partType, std::uint64_t address);
  std::uint64_t bytesWritten() const { return written_; }
  // Called for every write (the part that lands) and erase: scenarios check that nothing
  // outside the targeted partitions is ever touched. Called on the writing thread.
  using WriteObserver =
      std::function<void(std::uint32_t partType, std::uint64_t offset, std::uint64_t length)>;
  void setWriteObserver(WriteObserver observer) { observer_ = std::move(observer); }

 private:
  VirtualStorage() = default;
  struct File;
  Result<const File*> fileFor(std::uint32_t partType, std::uint64_t offset,
                              std::uint64_t length) const;

  StorageSpec spec_;
  std::string directory_;
  bool ownsDirectory_ = false;
  std::vector<StorageArea> areas_;
  std::vector<std::unique_ptr<File>> files_;
  std::uint64_t written_ = 0;
  WriteObserver observer_;
  std::int64_t powerCutIn_ = -1;  // bytes until the power cut; -1 = none armed
  bool powerCut_ = false;
  struct WriteError {
    std::uint32_t partType;
    std::uint64_t address;
  };
  std::vector<WriteError> writeErrors_;
};

}  // namespace mtk::emu
