#include "mtk/emu/storage/virtual_storage.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "mtk/wire/xflash.hpp"

namespace mtk::emu {

namespace xf = wire::xflash;

struct VirtualStorage::File {
  int fd = -1;
  StorageArea area;
  ~File() {
    if (fd >= 0) ::close(fd);
  }
};

namespace {

Error storageError(const std::string& message) {
  return makeError(-1, "EMU_STORAGE_ERROR", message,
                   "check the emulator's storage directory and free disk space");
}

}  // namespace

const char* storageKindName(StorageKind k) {
  switch (k) {
    case StorageKind::Emmc:
      return "EMMC";
    case StorageKind::Ufs:
      return "UFS";
    case StorageKind::Nand:
      return "NAND";
    case StorageKind::None:
      return "none";
  }
  return "?";
}

Result<std::unique_ptr<VirtualStorage>> VirtualStorage::open(const StorageSpec& spec) {
  if (spec.sectorSize != 512 && spec.sectorSize != 4096)
    return storageError("sector size must be 512 or 4096");
  std::unique_ptr<VirtualStorage> s(new VirtualStorage());
  s->spec_ = spec;
  if (spec.kind == StorageKind::Emmc) {
    s->areas_ = {{"boot1", xf::EMMC_BOOT1, spec.boot1},
                 {"boot2", xf::EMMC_BOOT2, spec.boot2},
                 {"rpmb", xf::EMMC_RPMB, spec.rpmb}};
    for (std::uint32_t i = 0; i < 4; ++i) {
      if (spec.gp[i])
        s->areas_.push_back({"gp" + std::to_string(i + 1), xf::EMMC_GP1 + i, spec.gp[i]});
    }
    s->areas_.push_back({"user", xf::EMMC_USER, spec.user});
  } else if (spec.kind == StorageKind::Ufs) {
    s->areas_ = {{"lu0", xf::UFS_BOOT1, spec.boot1},
                 {"lu1", xf::UFS_BOOT2, spec.boot2},
                 {"lu2", xf::UFS_USER, spec.user},
                 {"rpmb", xf::UFS_RPMB, spec.rpmb}};
  } else {
    return s;  // NAND or none: no areas; the DA reports it
  }
  for (const auto& a : s->areas_) {
    if (a.size % spec.sectorSize)
      return storageError(a.name + " size is not a whole number of sectors");
  }
  if (spec.directory.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/var/tmp") + "/mtkemu-storage-XXXXXX";
    if (!::mkdtemp(templ.data()))
      return storageError("cannot create a storage directory: " +
                          std::string(std::strerror(errno)));
    s->directory_ = templ;
    s->ownsDirectory_ = true;
  } else {
    std::error_code ec;
    std::filesystem::create_directories(spec.directory, ec);
    if (ec) return storageError("cannot create " + spec.directory + ": " + ec.message());
    s->directory_ = spec.directory;
  }
  for (const auto& a : s->areas_) {
    auto f = std::make_unique<File>();
    f->area = a;
    const std::string path = s->directory_ + "/" + a.name + ".img";
    f->fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (f->fd < 0) return storageError("cannot open " + path + ": " + std::strerror(errno));
    struct stat st {};
    ::fstat(f->fd, &st);
    // A new image, or one of another size, starts erased; one of the right size is kept.
    if (static_cast<std::uint64_t>(st.st_size) != a.size &&
        ::ftruncate(f->fd, static_cast<off_t>(a.size)) != 0) {
      return storageError("cannot size " + path + ": " + std::strerror(errno));
    }
    s->files_.push_back(std::move(f));
  }
  return s;
}

VirtualStorage::~VirtualStorage() {
  files_.clear();
  if (ownsDirectory_) {
    std::error_code ec;
    std::filesystem::remove_all(directory_, ec);
  }
}

const StorageArea* VirtualStorage::area(std::uint32_t partType) const {
  for (const auto& a : areas_) {
    if (a.partType == partType) return &a;
  }
  return nullptr;
}

const StorageArea* VirtualStorage::areaByName(const std::string& name) const {
  for (const auto& a : areas_) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

Result<const VirtualStorage::File*> VirtualStorage::fileFor(std::uint32_t partType,
                                                            std::uint64_t offset,
                                                            std::uint64_t length) const {
  for (const auto& f : files_) {
    if (f->area.partType != partType) continue;
    if (offset > f->area.size || length > f->area.size - offset) {
      return storageError("access of " + std::to_string(length) + " bytes at " +
                          std::to_string(offset) + " runs past the end of " + f->area.name + " (" +
                          std::to_string(f->area.size) + " bytes)");
    }
    return f.get();
  }
  return storageError("no storage area with id " + std::to_string(partType));
}

Status VirtualStorage::read(std::uint32_t partType, std::uint64_t offset,
                            wire::MutableByteSpan out) const {
  auto f = fileFor(partType, offset, out.size());
  if (!f) return f.error();
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n =
        ::pread((*f)->fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return storageError("read of " + (*f)->area.name + " failed: " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Status VirtualStorage::write(std::uint32_t partType, std::uint64_t offset, wire::ByteSpan data) {
  if (powerCut_) return storageError("the power failed: nothing more is written");
  auto f = fileFor(partType, offset, data.size());
  if (!f) return f.error();
  for (auto it = writeErrors_.begin(); it != writeErrors_.end(); ++it) {
    if (it->partType != partType || it->address < offset || it->address - offset >= data.size())
      continue;
    const std::uint64_t bad = it->address;
    writeErrors_.erase(it);
    return makeError(-1, "EMU_INJECTED_WRITE_ERROR",
                     "write of " + std::to_string(data.size()) + " bytes at " +
                         std::to_string(offset) + " of " + (*f)->area.name +
                         " failed: injected error at byte " + std::to_string(bad),
                     "a fault rule (storage_error_at) asked for this error");
  }
  std::size_t length = data.size();
  if (powerCutIn_ >= 0 && static_cast<std::uint64_t>(powerCutIn_) < length) {
    length = static_cast<std::size_t>(powerCutIn_);  // the torn write: only its start lands
  }
  std::size_t done = 0;
  while (done < length) {
    ssize_t n =
        ::pwrite((*f)->fd, data.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return storageError("write of " + (*f)->area.name + " failed: " + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  written_ += length;
  if (observer_ && length > 0) observer_(partType, offset, length);
  if (powerCutIn_ >= 0) {
    powerCutIn_ -= static_cast<std::int64_t>(length);
    if (length < data.size() || powerCutIn_ == 0) {
      powerCut_ = length < data.size() || powerCutIn_ == 0;
      powerCutIn_ = -1;
      if (length < data.size()) return storageError("the power failed during a write");
    }
  }
  return {};
}

Status VirtualStorage::erase(std::uint32_t partType, std::uint64_t offset, std::uint64_t length) {
  if (powerCut_) return storageError("the power failed: nothing more is erased");
  auto f = fileFor(partType, offset, length);
  if (!f) return f.error();
  if (length == 0) return {};
  if (observer_) observer_(partType, offset, length);
  if (::fallocate((*f)->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                  static_cast<off_t>(length)) == 0) {
    return {};
  }
  // A filesystem without hole punching: write zeros, a megabyte at a time.
  wire::Bytes zeros(std::min<std::uint64_t>(length, 1u << 20), 0);
  for (std::uint64_t done = 0; done < length;) {
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(zeros.size(), length - done));
    if (::pwrite((*f)->fd, zeros.data(), n, static_cast<off_t>(offset + done)) !=
        static_cast<ssize_t>(n)) {
      return storageError("erase of " + (*f)->area.name + " failed: " + std::strerror(errno));
    }
    done += n;
  }
  return {};
}

void VirtualStorage::armPowerCut(std::uint64_t afterBytes) {
  powerCutIn_ = static_cast<std::int64_t>(afterBytes);
}

void VirtualStorage::armWriteError(std::uint32_t partType, std::uint64_t address) {
  writeErrors_.push_back({partType, address});
}

}  // namespace mtk::emu
