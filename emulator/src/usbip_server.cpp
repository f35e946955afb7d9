#include "mtk/emu/usbip_server.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <future>
#include <thread>
#include <unordered_map>
#include <utility>  // before Asio: Boost 1.74's awaitable.hpp misses it under g++ 12

#include <boost/asio.hpp>

#include "usbip_connection.hpp"

namespace mtk::emu {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct UsbipServer::Impl {
  Impl(DeviceBus& b, UsbipServerOptions o) : bus(b), options(std::move(o)) {}

  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (ec) {
        spdlog::warn("usbip: accept failed: {}", ec.message());
      } else if (connections.size() >= options.maxConnections) {
        spdlog::warn("usbip: refusing a connection: {} already open", connections.size());
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);  // small BROM exchanges need it
        auto c = std::make_shared<UsbipConnection>(std::move(socket), bus, options,
                                                   [this](UsbipConnection* gone) {
                                                     connections.erase(gone);
                                                     count = connections.size();
                                                   });
        connections.emplace(c.get(), c);
        count = connections.size();
        c->start();
      }
      accept();
    });
  }

  // Virtual phones act on their own after a while (the preloader booting on): give them time.
  void tick() {
    ticker.expires_after(std::chrono::milliseconds(5));
    ticker.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      bus.tick();
      tick();
    });
  }

  DeviceBus& bus;
  UsbipServerOptions options;
  asio::io_context io;
  asio::steady_timer ticker{io};
  tcp::acceptor acceptor{io};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread thread;
  std::unordered_map<UsbipConnection*, std::shared_ptr<UsbipConnection>> connections;
  std::atomic<std::size_t> count{0};
  std::uint16_t port = 0;
  bool running = false;
};

UsbipServer::UsbipServer(DeviceBus& bus, UsbipServerOptions options)
    : impl_(std::make_unique<Impl>(bus, std::move(options))) {}

UsbipServer::~UsbipServer() {
  stop();
}

Status UsbipServer::start() {
  if (impl_->running) return {};
  boost::system::error_code ec;
  auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) {
    return makeError(-1, "USBIP_BAD_ADDRESS",
                     "'" + impl_->options.address + "' is not an IP address",
                     "give an address such as 127.0.0.1");
  }
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return makeError(-1, "USBIP_BIND_FAILED",
                     "cannot listen on " + impl_->options.address + ":" +
                         std::to_string(impl_->options.port) + ": " + ec.message(),
                     "another usbipd or mtkemu may hold the port; choose another with --port");
  }
  impl_->port = acceptor.local_endpoint().port();
  impl_->work.emplace(impl_->io.get_executor());
  impl_->accept();
  impl_->tick();
  impl_->thread = std::thread([this] { impl_->io.run(); });
  impl_->running = true;
  return {};
}

void UsbipServer::stop() {
  if (!impl_->running) return;
  impl_->running = false;
  std::promise<void> closed;
  asio::post(impl_->io, [this, &closed] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->ticker.cancel();
    auto all = impl_->connections;  // close() erases from the map
    for (auto& [raw, c] : all) c->close("server stopping");
    closed.set_value();
  });
  closed.get_future().wait();
  impl_->work.reset();
  impl_->io.stop();
  impl_->thread.join();
}

std::uint16_t UsbipServer::port() const {
  return impl_->port;
}

std::size_t UsbipServer::connectionCount() const {
  return impl_->count;
}

}  // namespace mtk::emu
