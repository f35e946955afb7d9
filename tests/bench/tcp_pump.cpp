#include "tcp_pump.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace mtk::bench {

namespace {
using Clock = std::chrono::steady_clock;
double mbps(std::size_t bytes, Clock::duration d) {
  return static_cast<double>(bytes) / 1e6 / std::chrono::duration<double>(d).count();
}
}  // namespace

double tcpPump(std::size_t total) {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(listener, 1) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    std::perror("tcp pump");
    std::exit(1);
  }
  std::thread reader([&] {
    int fd = ::accept(listener, nullptr, nullptr);
    std::vector<char> buf(1 << 20);
    std::size_t got = 0;
    while (got < total) {
      ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
      if (n <= 0) break;
      got += static_cast<std::size_t>(n);
    }
    ::close(fd);
  });
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    std::perror("tcp pump connect");
    std::exit(1);
  }
  std::vector<char> buf(1 << 20, 0x5a);
  const auto t0 = Clock::now();
  std::size_t sent = 0;
  while (sent < total) {
    ssize_t n = ::send(fd, buf.data(), std::min(buf.size(), total - sent), 0);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  reader.join();
  const auto t1 = Clock::now();
  ::close(fd);
  ::close(listener);
  return mbps(total, t1 - t0);
}

}  // namespace mtk::bench
