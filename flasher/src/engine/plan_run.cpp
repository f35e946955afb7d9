// Running a plan through the DA: every step streams (images, backups, readbacks never sit
// whole in memory), every write stays inside its step's range, and a write that is to be
// verified is read back and compared by SHA-256 before the plan goes on.
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "mtk/flasher/flash_plan.hpp"
#include "mtk/flasher/image_reader.hpp"
#include "mtk/flasher/mtk_errors.hpp"
#include "mtk/wire/preloader_image.hpp"
#include "mtk/wire/sha256.hpp"
#include "output_file.hpp"
#include "table_write.hpp"

namespace mtk::flasher {

namespace fs = std::filesystem;
namespace sc = wire::scatter;

namespace {

std::uint64_t roundUp(std::uint64_t v, std::uint64_t block) {
  return (v + block - 1) / block * block;
}

class Runner {
 public:
  Runner(XFlashClient& da, const StorageInfo& storage, const Plan& plan, const RunOptions& options,
         const RunEvents& events)
      : da_(da), storage_(storage), plan_(plan), options_(options), events_(events) {}

  Result<RunSummary> run() {
    std::size_t n = 0;
    for (const Step& s : plan_.steps) {
      ++n;
      stage("[" + std::to_string(n) + "/" + std::to_string(plan_.steps.size()) + "] " +
            describe(s));
      Status st = one(s);
      if (!st) return st.error();
    }
    if (!plan_.backupFolder.empty()) retireBackups();
    return summary_;
  }

 private:
  Status one(const Step& s) {
    switch (s.kind) {
      case StepKind::Erase:
        return erase(s);
      case StepKind::WriteTable:
        return writeTable(s);
      case StepKind::Write:
        return s.bootHeader ? writeBootloader(s) : writeImage(s);
      case StepKind::Backup:
        return backup(s);
      case StepKind::Restore:
        return restore(s);
      case StepKind::Read:
        return read(s);
    }
    return {};
  }

  void stage(const std::string& t) {
    if (events_.stage) events_.stage(t);
  }
  XFlashClient::Progress progress(const std::string& what) {
    if (!events_.progress) return {};
    return [this, what](std::uint64_t done, std::uint64_t total) {
      events_.progress(what, done, total);
    };
  }

  Status erase(const Step& s) {
    if (s.length == 0) return {};
    auto st = da_.format(s.partType, s.offset, s.length, progress("erase " + s.what));
    if (!st) return Error(st.error()).context("erasing " + s.what);
    summary_.bytesErased += s.length;
    return {};
  }

  Status writeTable(const Step& s) {
    const StorageArea* user = storage_.user();
    if (!user) return makeError(-1, "NO_USER_AREA", "the phone reports no user area", "");
    auto writes = buildTableWrites(plan_.tableKind, plan_.table, *user, storage_.blockSize);
    if (!writes) return writes.error();
    for (const TableWrite& w : *writes) {
      if (auto st = writeBytes(user->partType, w.offset, w.bytes, "table"); !st)
        return Error(st.error()).context("writing the " + s.what);
    }
    return {};
  }

  // Small data from memory (tables, preloaders), padded to whole blocks.
  Status writeBytes(std::uint32_t partType, std::uint64_t offset, wire::ByteSpan bytes,
                    const std::string& what) {
    const std::uint64_t padded = roundUp(bytes.size(), storage_.blockSize);
    std::size_t given = 0;
    auto st = da_.write(
        partType, offset, padded,
        [&](wire::MutableByteSpan chunk) -> Result<std::size_t> {
          const std::size_t from =
              std::min(chunk.size(), bytes.size() - std::min(bytes.size(), given));
          std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(given), from, chunk.begin());
          std::fill(chunk.begin() + static_cast<std::ptrdiff_t>(from), chunk.end(), 0);
          given += chunk.size();
          return chunk.size();
        },
        progress(what));
    if (st) summary_.bytesWritten += padded;
    return st;
  }

  // SHA-256 of [offset, offset+length) as the phone has it.
  Result<wire::Sha256::Digest> hashOnPhone(std::uint32_t partType, std::uint64_t offset,
                                           std::uint64_t length, const std::string& what) {
    wire::Sha256 h;
    auto st = da_.read(
        partType, offset, length,
        [&](wire::ByteSpan piece) -> Status {
          h.update(piece);
          return {};
        },
        progress(what));
    if (!st) return st.error();
    summary_.bytesRead += length;
    return h.finish();
  }

  Status writeBootloader(const Step& s) {
    std::ifstream in(s.file, std::ios::binary);
    wire::Bytes image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.eof() && in.fail())
      return makeError(-1, "CANNOT_READ", "cannot read " + s.file, "check the file");
    wire::Bytes data;
    static const std::string emmcBoot = "EMMC_BOOT", ufsBoot = "UFS_BOOT";
    const auto startsWith = [&](const std::string& magic) {
      return image.size() >= magic.size() && std::equal(magic.begin(), magic.end(), image.begin());
    };
    if (startsWith(emmcBoot) || startsWith(ufsBoot)) {
      data = image;  // already a boot-region image
    } else {
      auto parsed = wire::preloader::parsePreloaderImage(image);
      if (!parsed) {
        return mtkError(codes::S_DL_PC_BL_INVALID_GFH_FILE_INFO,
                        s.file + " is not a preloader image: " + parsed.error().message,
                        "use the firmware's preloader_<project>.bin (it starts with a GFH "
                        "FILE_INFO block); a boot1 readback must be processed first "
                        "(mtkflash readback --area boot1 --preloader-out FILE)");
      }
      data = wire::preloader::wrapForBootRegion(image, s.area == "lu0" || s.area == "lu1"
                                                           ? wire::preloader::BootMedium::Ufs
                                                           : wire::preloader::BootMedium::Emmc);
    }
    if (roundUp(data.size(), storage_.blockSize) > s.length) {
      return makeError(-1, "IMAGE_TOO_LARGE",
                       s.file + " with its boot header (" + sc::humanSize(data.size()) +
                           ") does not fit " + s.what + " (" + sc::humanSize(s.length) + ")",
                       "nothing of it was written; use the preloader made for this phone");
    }
    if (options_.skipUnchanged) {
      wire::Bytes padded = data;
      padded.resize(roundUp(data.size(), storage_.blockSize), 0);
      auto got = hashOnPhone(s.partType, s.offset, padded.size(), "compare " + s.what);
      if (!got) return got.error();
      if (*got == wire::Sha256::of(padded)) {
        stage("  " + s.what + " already holds " + s.file + ": skipped");
        ++summary_.imagesSkipped;
        return {};
      }
    }
    if (auto st = writeBytes(s.partType, s.offset, data, "write " + s.what); !st)
      return Error(st.error()).context("writing " + s.what);
    ++summary_.imagesWritten;
    if (s.verify) {
      wire::Bytes padded = data;
      padded.resize(roundUp(data.size(), storage_.blockSize), 0);
      auto got = hashOnPhone(s.partType, s.offset, padded.size(), "verify " + s.what);
      if (!got) return got.error();
      if (*got != wire::Sha256::of(padded)) return verifyFailed(s, s.offset);
      ++summary_.imagesVerified;
    }
    return {};
  }

  Error verifyFailed(const Step& s, std::uint64_t at) {
    return makeError(-1, "VERIFY_FAILED",
                     "what the phone holds in " + s.what + " near " + sc::humanSize(at) +
                         " differs from " + s.file + " after writing",
                     "the flash or the cable is failing: run the command again; if it fails "
                     "at the same place, the storage is damaged");
  }

  Status writeImage(const Step& s) {
    auto reader = ImageReader::open(s.file);
    if (!reader) return reader.error();
    ImageReader& r = **reader;
    const std::uint64_t block = storage_.blockSize;
    if (r.length() > s.length) {
      return makeError(-1, "IMAGE_TOO_LARGE",
                       s.file + " is " + sc::humanSize(r.length() - s.length) +
                           " larger than partition " + s.what + " (" + sc::humanSize(s.length) +
                           ")",
                       "nothing of it was written; use the image built for this scatter");
    }
    for (const Stretch& st : r.stretches()) {
      if (st.offset % block || roundUp(st.offset + st.length, block) > s.length) {
        return makeError(
            -1, "IMAGE_NOT_ALIGNED",
            s.file + ": data at " + std::to_string(st.offset) + " is not aligned to the " +
                std::to_string(block) + "-byte blocks of this storage or runs past the partition",
            "rebuild the sparse image with a block size of " + std::to_string(block) + " or more");
      }
    }
    if (options_.skipUnchanged) {
      auto same = matches(s, r, "compare " + s.what);
      if (!same) return same.error();
      if (*same) {
        stage("  " + s.what + " already holds " + s.file + ": skipped");
        ++summary_.imagesSkipped;
        return {};
      }
      if (auto w = r.rewind(); !w) return w;
    }
    std::uint64_t total = 0, done = 0;
    for (const Stretch& st : r.stretches()) total += roundUp(st.length, block);
    auto bar = progress("write " + s.what);
    for (const Stretch& st : r.stretches()) {
      const std::uint64_t padded = roundUp(st.length, block);
      std::uint64_t given = 0;
      auto w = da_.write(
          s.partType, s.offset + st.offset, padded,
          [&](wire::MutableByteSpan chunk) -> Result<std::size_t> {
            const std::uint64_t fromImage =
                std::min<std::uint64_t>(chunk.size(), st.length - std::min(st.length, given));
            if (auto n = r.next(chunk.first(fromImage)); !n) return n.error();
            std::fill(chunk.begin() + static_cast<std::ptrdiff_t>(fromImage), chunk.end(), 0);
            given += chunk.size();
            return chunk.size();
          },
          [&](std::uint64_t d, std::uint64_t) {
            if (bar) bar(done + d, total);
          });
      if (!w) return Error(w.error()).context("writing " + s.file + " to " + s.what);
      done += padded;
      summary_.bytesWritten += padded;
    }
    ++summary_.imagesWritten;
    if (!s.verify) return {};
    if (auto w = r.rewind(); !w) return w;
    auto same = matches(s, r, "verify " + s.what);
    if (!same) return Error(same.error()).context("verifying " + s.what);
    if (!*same) return verifyFailed(s, mismatchAt_);
    ++summary_.imagesVerified;
    return {};
  }

  // Whether the phone holds every stretch of the image: the phone's bytes are read back and
  // compared with a second pass over the image (cheaper than hashing both sides).
  Result<bool> matches(const Step& s, ImageReader& r, const std::string& what) {
    const std::uint64_t block = storage_.blockSize;
    wire::Bytes expect;
    std::uint64_t total = 0, done = 0;
    for (const Stretch& st : r.stretches()) total += roundUp(st.length, block);
    auto bar = progress(what);
    bool same = true;
    for (const Stretch& st : r.stretches()) {
      std::uint64_t at = 0;
      auto rd = da_.read(
          s.partType, s.offset + st.offset, roundUp(st.length, block),
          [&](wire::ByteSpan piece) -> Status {
            if (!same) return {};  // keep reading to the end: the DA stays in step
            expect.resize(piece.size());
            const std::uint64_t fromImage =
                std::min<std::uint64_t>(piece.size(), st.length - std::min(st.length, at));
            const wire::MutableByteSpan e(expect.data(), expect.size());
            if (auto n = r.next(e.first(fromImage)); !n) return n.error();
            std::fill(expect.begin() + static_cast<std::ptrdiff_t>(fromImage), expect.end(), 0);
            if (std::memcmp(piece.data(), expect.data(), piece.size()) != 0) {
              same = false;
              mismatchAt_ = st.offset + at;
            }
            at += piece.size();
            return {};
          },
          [&](std::uint64_t d, std::uint64_t) {
            if (bar) bar(done + d, total);
          });
      if (!rd) return rd.error();
      done += roundUp(st.length, block);
      summary_.bytesRead += roundUp(st.length, block);
      if (!same) return false;
    }
    return true;
  }

  // Reads [offset, offset+length) into `file` (written as file.part, renamed when complete, so
  // a cable drop never leaves a file that looks finished); returns its SHA-256.
  Result<wire::Sha256::Digest> readToFile(const Step& s, const std::string& file) {
    std::error_code ec;
    const fs::path dir = fs::path(file).parent_path();
    if (!dir.empty()) fs::create_directories(dir, ec);
    const std::string part = file + ".part";
    OutputFile out;
    if (auto o = out.open(part); !o) return o.error();
    wire::Sha256 h;
    auto st = da_.read(
        s.partType, s.offset, s.length,
        [&](wire::ByteSpan piece) -> Status {
          h.update(piece);
          return out.write(piece);
        },
        progress("read " + s.what));
    if (!st) return Error(st.error()).context("reading " + s.what);
    if (auto c = out.close(); !c) return c.error();
    fs::rename(part, file, ec);
    if (ec) return makeError(-1, "CANNOT_WRITE", "cannot rename " + part + ": " + ec.message(), "");
    summary_.bytesRead += s.length;
    summary_.files.push_back(file);
    return h.finish();
  }

  Status read(const Step& s) {
    auto digest = readToFile(s, s.file);
    if (!digest) return digest.error();
    if (!s.extractPreloader) return {};
    return extractPreloader(s);
  }

  Status extractPreloader(const Step& s) {
    std::ifstream in(s.file, std::ios::binary);
    // The header and image sit at the start; 4 MiB covers every preloader.
    wire::Bytes head(std::min<std::uint64_t>(s.length, 4u << 20));
    in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    auto image = wire::preloader::unwrapBootRegion(head);
    const std::string out = plan_.readbackPreloader.empty()
                                ? (fs::path(s.file).parent_path() / "preloader.bin").string()
                                : plan_.readbackPreloader;
    if (!image) {
      if (events_.warning)
        events_.warning("no preloader in " + s.what + ": " + image.error().message);
      if (plan_.readbackPreloader.empty()) return {};
      return Error(image.error());
    }
    std::ofstream o(out, std::ios::binary | std::ios::trunc);
    o.write(reinterpret_cast<const char*>(image->data()),
            static_cast<std::streamsize>(image->size()));
    if (!o) return makeError(-1, "CANNOT_WRITE", "cannot write " + out, "check the path");
    summary_.files.push_back(out);
    stage("  flashable preloader (" + sc::humanSize(image->size()) + ") -> " + out);
    return {};
  }

  void retireBackups() {
    std::error_code ec;
    if (!fs::exists(plan_.backupFolder, ec)) return;
    char stamp[32];
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    const std::string done = plan_.backupFolder + ".done-" + stamp;
    fs::rename(plan_.backupFolder, done, ec);
    if (ec) {
      if (events_.warning)
        events_.warning("could not rename " + plan_.backupFolder + ": " + ec.message() +
                        "; remove it before the next upgrade of this phone");
      return;
    }
    stage("backups kept in " + done);
  }

  static std::string digestFile(const std::string& raw) { return raw + ".sha256"; }

  Status backup(const Step& s) {
    // A backup left by an attempt that died after it is the only copy once the phone has
    // been erased: keep it and use it (spflash.md §1.2 step 5).
    std::error_code ec;
    if (fs::exists(s.file, ec)) {
      if (!fs::exists(digestFile(s.file), ec)) {
        return mtkError(codes::ERROR_CHK_FILE_NOT_EXIST,
                        "the backup " + s.file + " has no checksum file " + digestFile(s.file),
                        "a previous upgrade stopped while backing up; check the file and remove "
                        "it (or its folder) to back up again from the phone");
      }
      stage("  " + s.file + " exists from an earlier attempt: kept and used");
      summary_.files.push_back(s.file);
      return {};
    }
    auto d = readToFile(s, s.file);
    if (!d) return d.error();
    std::ofstream o(digestFile(s.file), std::ios::trunc);
    o << wire::Sha256::hex(*d) << "  " << fs::path(s.file).filename().string() << "\n";
    if (!o) return makeError(-1, "CANNOT_WRITE", "cannot write " + digestFile(s.file), "");
    return {};
  }

  Status restore(const Step& s) {
    std::ifstream sum(digestFile(s.file));
    std::string want;
    sum >> want;
    if (want.size() != 64) {
      return mtkError(codes::ERROR_CHK_FILE_NOT_EXIST,
                      "the checksum file of the backup " + s.file + " is missing or empty",
                      "the backup cannot be trusted; restore it by hand with mtkflash write");
    }
    // Raw bytes whatever they hold: a backup that happens to start like a sparse image is
    // still a backup.
    auto reader = ImageReader::open(s.file, /*allowSparse=*/false);
    if (!reader) return reader.error();
    ImageReader& r = **reader;
    if (r.length() != s.length) {
      return mtkError(codes::ERROR_DATA_LOST,
                      "the backup " + s.file + " holds " + sc::humanSize(r.length()) +
                          ", partition " + s.what + " is " + sc::humanSize(s.length),
                      "restore it by hand with mtkflash write once the sizes agree");
    }
    wire::Sha256 h;
    auto w = da_.write(
        s.partType, s.offset, s.length,
        [&](wire::MutableByteSpan chunk) -> Result<std::size_t> {
          if (auto n = r.next(chunk); !n) return n.error();
          h.update(chunk);
          return chunk.size();
        },
        progress("restore " + s.what));
    if (!w) return Error(w.error()).context("restoring " + s.what);
    summary_.bytesWritten += s.length;
    if (wire::Sha256::hex(h.finish()) != want) {
      return mtkError(codes::ERROR_DATA_LOST,
                      "the backup " + s.file + " does not match its checksum file",
                      "the backup file was changed or damaged on disk; keep it and check it");
    }
    auto got = hashOnPhone(s.partType, s.offset, s.length, "verify " + s.what);
    if (!got) return got.error();
    if (wire::Sha256::hex(*got) != want) return verifyFailed(s, 0);
    ++summary_.restored;
    return {};
  }

  XFlashClient& da_;
  const StorageInfo& storage_;
  const Plan& plan_;
  const RunOptions& options_;
  const RunEvents& events_;
  RunSummary summary_;
  std::uint64_t mismatchAt_ = 0;  // where matches() found the first difference
};

}  // namespace

Result<RunSummary> runPlan(XFlashClient& da, const StorageInfo& storage, const Plan& plan,
                           const RunOptions& options, const RunEvents& events) {
  if (plan.dryRun) {
    return makeError(-1, "DRY_RUN_PLAN", "a dry-run plan cannot be run",
                     "build the plan with the phone connected");
  }
  return Runner(da, storage, plan, options, events).run();
}

}  // namespace mtk::flasher
