#include "output_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace mtk::flasher {

namespace {

constexpr std::size_t kBlock = 4096;

bool allZero(const std::uint8_t* p, std::size_t n) {
  return n == 0 || (p[0] == 0 && std::memcmp(p, p + 1, n - 1) == 0);
}

Error writeError(const std::string& path, int err) {
  return makeError(-1, "CANNOT_WRITE", "writing " + path + " failed: " + std::strerror(err),
                   "is the disk full, or the folder read-only?");
}

}  // namespace

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status OutputFile::open(const std::string& path) {
  path_ = path;
  length_ = 0;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    return makeError(-1, "CANNOT_WRITE", "cannot create " + path + ": " + std::strerror(errno),
                     "check that the folder exists and is writable");
  }
  return {};
}

Status OutputFile::write(wire::ByteSpan data) {
  std::size_t at = 0;
  while (at < data.size()) {
    // Runs of data blocks go out in one pwrite; zero blocks are skipped (a hole).
    const std::size_t n = std::min(kBlock, data.size() - at);
    if (allZero(data.data() + at, n)) {
      at += n;
      continue;
    }
    std::size_t end = at + n;
    while (end < data.size()) {
      const std::size_t m = std::min(kBlock, data.size() - end);
      if (allZero(data.data() + end, m)) break;
      end += m;
    }
    for (std::size_t done = at; done < end;) {
      const ssize_t w =
          ::pwrite(fd_, data.data() + done, end - done, static_cast<off_t>(length_ + done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return writeError(path_, errno);
      done += static_cast<std::size_t>(w);
    }
    at = end;
  }
  length_ += data.size();
  return {};
}

Status OutputFile::close() {
  if (fd_ < 0) return {};
  const int rc = ::ftruncate(fd_, static_cast<off_t>(length_));
  const int err = errno;
  const int rc2 = ::close(fd_);
  fd_ = -1;
  if (rc != 0) return writeError(path_, err);
  if (rc2 != 0) return writeError(path_, errno);
  return {};
}

}  // namespace mtk::flasher
