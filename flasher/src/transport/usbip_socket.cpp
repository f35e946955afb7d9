#include "usbip_socket.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mtk::flasher::usbip_detail {

namespace {

int msLeft(Deadline deadline) {
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

}  // namespace

Error connectionLost(const std::string& what) {
  return usbError(usb_errors::kNoDevice, "USB/IP connection lost: " + what);
}

Status Socket::connect(const std::string& host, std::uint16_t port, Deadline deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0) {
    return makeError(usb_errors::kNotFound, "USBIP_HOST_UNKNOWN",
                     "cannot resolve '" + host + "': " + gai_strerror(rc), "check the host name");
  }
  std::string lastError = "no address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd =
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = ::poll(&p, 1, msLeft(deadline)) == 1 ? 0 : -1;
      int err = rc == 0 ? 0 : ETIMEDOUT;
      socklen_t len = sizeof err;
      if (rc == 0) getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err) {
        errno = err;
        rc = -1;
      }
    }
    if (rc == 0) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd_ = fd;
      freeaddrinfo(res);
      return {};
    }
    lastError = std::strerror(errno);
    ::close(fd);
  }
  freeaddrinfo(res);
  return makeError(usb_errors::kNotFound, "USBIP_CONNECT_FAILED",
                   "cannot connect to " + host + ":" + service + ": " + lastError,
                   "start the emulator (mtkemu) or usbipd there, and check the port");
}

Result<bool> Socket::waitReadable(Deadline deadline) {
  if (fd_ < 0) return connectionLost("closed");
  pollfd p{fd_, POLLIN, 0};
  for (;;) {
    int rc = ::poll(&p, 1, msLeft(deadline));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return connectionLost(std::strerror(errno));
    return rc == 1;
  }
}

Status Socket::readAll(void* data, std::size_t n, Deadline deadline) {
  auto* p = static_cast<std::uint8_t*>(data);
  std::size_t got = 0;
  while (got < n) {
    if (fd_ < 0) return connectionLost("closed");
    ssize_t r = ::recv(fd_, p + got, n - got, 0);
    if (r > 0) {
      got += static_cast<std::size_t>(r);
      continue;
    }
    if (r == 0) return connectionLost("the server closed the connection (device unplugged?)");
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return connectionLost(std::strerror(errno));
    auto ready = waitReadable(deadline);
    if (!ready) return std::move(ready).error();
    if (!*ready) {
      if (got == 0)
        return usbError(usb_errors::kTimeout, "no reply from the USB/IP server in time");
      return connectionLost("a message stopped half way");
    }
  }
  return {};
}

Status Socket::writeAll(iovec* iov, int count, Deadline deadline,
                        const std::function<Status()>& onReadable) {
  while (count > 0) {
    if (fd_ < 0) return connectionLost("closed");
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = static_cast<std::size_t>(std::min(count, 1024));
    ssize_t w = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return connectionLost(std::strerror(errno));
      pollfd p{fd_, POLLOUT | POLLIN, 0};
      int rc = ::poll(&p, 1, msLeft(deadline));
      if (rc < 0 && errno == EINTR) continue;
      if (rc <= 0) return connectionLost("the server stopped reading");
      if ((p.revents & POLLIN) && !(p.revents & POLLOUT) && onReadable) {
        if (auto s = onReadable(); !s) return s;
      }
      if (p.revents & (POLLERR | POLLHUP)) return connectionLost("socket error");
      continue;
    }
    auto done = static_cast<std::size_t>(w);
    while (count > 0 && done >= iov->iov_len) {
      done -= iov->iov_len;
      ++iov;
      --count;
    }
    if (count > 0) {
      iov->iov_base = static_cast<std::uint8_t*>(iov->iov_base) + done;
      iov->iov_len -= done;
    }
  }
  return {};
}

void Socket::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace mtk::flasher::usbip_detail
