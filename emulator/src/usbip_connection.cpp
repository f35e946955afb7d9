#include "usbip_connection.hpp"

#include <spdlog/spdlog.h>

namespace mtk::emu {

namespace asio = boost::asio;
namespace usbip = wire::usbip;

UsbipConnection::UsbipConnection(tcp::socket socket, DeviceBus& bus,
                                 const UsbipServerOptions& options, Closed onClosed)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      bus_(bus),
      options_(options),
      onClosed_(std::move(onClosed)) {
  boost::system::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  peer_ = ec ? std::string("?") : ep.address().to_string() + ":" + std::to_string(ep.port());
}

// Deliberately does nothing with the bus: it may run under the bus lock (see completions).
UsbipConnection::~UsbipConnection() = default;

void UsbipConnection::start() {
  armTimeout();
  readOpHeader();
}

void UsbipConnection::close(const std::string& reason) {
  if (closed_) return;
  closed_ = true;
  if (!reason.empty()) spdlog::info("usbip {}: closing: {}", peer_, reason);
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  timer_.cancel();
  if (device_) {
    bus_.unsubscribe(unplugToken_);
    bus_.detach(busid_, generation_);  // drops the URBs still pending on the device
  }
  pending_.clear();
  current_.reset();
  auto done = std::move(onClosed_);
  if (done) done(this);
}

void UsbipConnection::armTimeout() {
  timer_.expires_after(options_.requestTimeout);
  timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec && !self->closed_ && !self->device_) self->close("no complete request in time");
  });
}

// ---- list / import phase ----

void UsbipConnection::readOpHeader() {
  asio::async_read(socket_, asio::buffer(header_.data(), usbip::kOpHeaderSize),
                   [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                     if (self->closed_) return;
                     if (ec)
                       return self->close("connection ended before a request: " + ec.message());
                     self->handleOpHeader();
                   });
}

void UsbipConnection::handleOpHeader() {
  auto h = usbip::decodeOpHeader(wire::ByteSpan(header_.data(), usbip::kOpHeaderSize));
  if (!h) return close(h.error().message + " (got " + wire::hexdump({header_.data(), 8}) + ")");
  if (h->code == usbip::OP_REQ_DEVLIST) return sendAndClose(usbip::encodeDevlistReply(bus_.list()));
  if (h->code != usbip::OP_REQ_IMPORT) {
    return close("unknown operation code 0x" + wire::hexdump({header_.data() + 2, 2}));
  }
  scratch_.assign(usbip::kBusIdSize, 0);
  asio::async_read(socket_, asio::buffer(scratch_),
                   [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                     if (self->closed_) return;
                     if (ec) return self->close("OP_REQ_IMPORT truncated: " + ec.message());
                     self->handleImport();
                   });
}

void UsbipConnection::sendAndClose(wire::Bytes message) {
  auto buffer = std::make_shared<wire::Bytes>(std::move(message));
  asio::async_write(socket_, asio::buffer(*buffer),
                    [self = shared_from_this(), buffer](boost::system::error_code, std::size_t) {
                      self->close("");
                    });
}

void UsbipConnection::handleImport() {
  const std::string busid = wire::Reader(scratch_).fixedString(usbip::kBusIdSize);
  auto attachment = bus_.attach(busid);
  if (!attachment) {
    spdlog::info("usbip {}: import of '{}' refused: {}", peer_, busid, attachment.error().message);
    return sendAndClose(usbip::encodeImportReply(1, nullptr));
  }
  busid_ = busid;
  generation_ = attachment->generation;
  devid_ = attachment->record.devid();
  device_ = attachment->device;

  std::weak_ptr<UsbipConnection> weak = shared_from_this();
  auto executor = socket_.get_executor();
  {
    std::lock_guard lock(bus_.mutex());
    // Completions normally arrive on this thread, inside our own submit; from elsewhere (a
    // scenario powering the phone off) they are posted here.
    device_->setCompletion([weak, executor, thread = std::this_thread::get_id()](UrbPtr urb) {
      if (std::this_thread::get_id() == thread) {
        if (auto self = weak.lock()) self->completed(std::move(urb));
        return;
      }
      asio::post(executor, [weak, u = std::move(urb)]() mutable {
        if (auto self = weak.lock()) self->completed(std::move(u));
      });
    });
  }
  unplugToken_ = bus_.subscribe([weak, executor](const std::string& busid, std::uint64_t gen) {
    asio::post(executor, [weak, busid, gen] {
      if (auto self = weak.lock()) self->onUnplugged(busid, gen);
    });
  });
  spdlog::info("usbip {}: imported {} ({:04x}:{:04x})", peer_, busid_, attachment->record.idVendor,
               attachment->record.idProduct);

  auto reply = std::make_shared<wire::Bytes>(usbip::encodeImportReply(0, &attachment->record));
  asio::async_write(socket_, asio::buffer(*reply),
                    [self = shared_from_this(), reply](boost::system::error_code ec, std::size_t) {
                      if (self->closed_) return;
                      if (ec) return self->close("writing OP_REP_IMPORT: " + ec.message());
                      self->timer_.cancel();
                      self->readUrbHeader();
                    });
}

void UsbipConnection::onUnplugged(const std::string& busid, std::uint64_t generation) {
  if (busid == busid_ && generation == generation_) close("device " + busid + " unplugged");
}

// ---- URB phase ----

void UsbipConnection::readUrbHeader() {
  asio::async_read(
      socket_, asio::buffer(header_),
      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
        if (self->closed_) return;
        if (ec) {
          return self->close(ec == asio::error::eof ? "client detached" : "read: " + ec.message());
        }
        self->handleUrbHeader();
      });
}

void UsbipConnection::handleUrbHeader() {
  auto m = usbip::decodeUrbHeader(header_);
  if (!m) return close(m.error().message);
  if (auto* submit = std::get_if<usbip::CmdSubmit>(&*m)) return handleSubmit(*submit);
  if (auto* unlink = std::get_if<usbip::CmdUnlink>(&*m)) return handleUnlink(*unlink);
  close("a client sent a RET_* message");
}

void UsbipConnection::handleSubmit(const usbip::CmdSubmit& cmd) {
  const auto& b = cmd.basic;
  if (b.ep > 15 || b.direction > 1) return close("CMD_SUBMIT with endpoint/direction out of range");
  if (cmd.transferBufferLength < 0 ||
      static_cast<std::size_t>(cmd.transferBufferLength) > options_.maxUrbBytes) {
    return close("CMD_SUBMIT transfer_buffer_length " +
                 std::to_string(static_cast<std::uint32_t>(cmd.transferBufferLength)) +
                 " is outside 0.." + std::to_string(options_.maxUrbBytes));
  }
  auto payload = usbip::submitPayloadSize(cmd, options_.maxUrbBytes);
  if (!payload) return close(payload.error().message);
  if (pending_.size() >= options_.maxPendingUrbs) return close("too many pending URBs");
  if (pending_.count(b.seqnum)) return close("CMD_SUBMIT reuses a pending seqnum");
  const bool in = b.direction == usbip::kDirIn;
  const std::size_t length = static_cast<std::size_t>(cmd.transferBufferLength);
  if (in && pendingInRequested_ + length > options_.maxInFlightBytes) {
    return close("pending IN requests exceed " + std::to_string(options_.maxInFlightBytes) +
                 " bytes");
  }

  auto urb = std::make_unique<Urb>();
  urb->id = b.seqnum;
  urb->endpoint = static_cast<std::uint8_t>(b.ep);
  urb->in = in;
  urb->isochronous = cmd.numberOfPackets > 0;
  urb->setup = wire::usb::SetupPacket::decode(cmd.setup);
  urb->length = static_cast<std::uint32_t>(length);
  const std::size_t isoBytes = *payload - (in ? 0 : length);
  if (*payload == 0) return submitToDevice(std::move(urb));

  if (!in) {
    if (!outPool_.empty()) {  // reuse a finished URB's buffer: no allocation, no page faults
      urb->outStorage = std::move(outPool_.back());
      outPool_.pop_back();
    }
    urb->out = wire::ByteSpan(urb->outStorage.reserve(length), length);
  }
  scratch_.resize(isoBytes);
  current_ = std::move(urb);
  std::array<asio::mutable_buffer, 2> buffers{
      asio::buffer(const_cast<std::uint8_t*>(current_->out.data()), current_->out.size()),
      asio::buffer(scratch_)};
  asio::async_read(socket_, buffers,
                   [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                     if (self->closed_) return;
                     if (ec) return self->close("CMD_SUBMIT payload truncated: " + ec.message());
                     self->submitToDevice(std::move(self->current_));
                   });
}

void UsbipConnection::submitToDevice(UrbPtr urb) {
  Pending p{urb->in, urb->in ? urb->length : urb->out.size()};
  if (p.in) {
    pendingInRequested_ += p.requested;
  } else {
    heldBytes_ += p.requested;
  }
  pending_[static_cast<std::uint32_t>(urb->id)] = p;
  {
    std::lock_guard lock(bus_.mutex());
    device_->submit(std::move(urb));  // may complete at once: completed() runs inside
  }
  bus_.runDeferred();  // e.g. the phone re-enumerating because of what this URB said
  continueReading();
}

void UsbipConnection::continueReading() {
  if (closed_) return;
  if (overBudget()) {
    readPaused_ = true;  // resumes when replies drain
    return;
  }
  readUrbHeader();
}

void UsbipConnection::handleUnlink(const usbip::CmdUnlink& cmd) {
  const std::uint32_t target = cmd.unlinkSeqnum;
  bool cancelled;
  {
    std::lock_guard lock(bus_.mutex());
    cancelled = device_->cancel(target);
  }
  bus_.runDeferred();
  auto it = pending_.find(target);
  if (cancelled && it != pending_.end()) {
    if (it->second.in) {
      pendingInRequested_ -= it->second.requested;
    } else {
      heldBytes_ -= it->second.requested;
    }
    pending_.erase(it);
    queueRetUnlink(cmd.basic.seqnum, -usbip::kECONNRESET);
  } else if (it != pending_.end()) {
    // Completed, and its RET_SUBMIT is on its way here: answer after it, or vhci drops us.
    deferredUnlinks_[target] = cmd.basic.seqnum;
  } else {
    queueRetUnlink(cmd.basic.seqnum, 0);
  }
  continueReading();
}

void UsbipConnection::completed(UrbPtr urb) {
  if (closed_) return;
  const auto seqnum = static_cast<std::uint32_t>(urb->id);
  auto it = pending_.find(seqnum);
  if (it == pending_.end()) return;  // unlinked meanwhile
  if (it->second.in) {
    pendingInRequested_ -= it->second.requested;
  } else {
    heldBytes_ -= it->second.requested;
  }
  pending_.erase(it);
  queueRetSubmit(std::move(urb));
  if (auto d = deferredUnlinks_.find(seqnum); d != deferredUnlinks_.end()) {
    queueRetUnlink(d->second, 0);
    deferredUnlinks_.erase(d);
  }
}

void UsbipConnection::queueRetSubmit(UrbPtr urb) {
  // A finished OUT URB's buffer is not needed for the reply: keep it for the next OUT.
  if (!urb->in && urb->outStorage.capacity && urb->outStorage.capacity <= kOutPoolBufferMax &&
      outPool_.size() < kOutPoolSize) {
    outPool_.push_back(std::move(urb->outStorage));
    urb->out = {};
  }
  usbip::RetSubmit r;
  r.basic.seqnum = static_cast<std::uint32_t>(urb->id);
  r.status = urb->status;
  r.actualLength = static_cast<std::int32_t>(urb->actual);
  Reply reply{usbip::encode(r), nullptr, urb->in ? urb->actual : 0};
  reply.urb = std::move(urb);
  heldBytes_ += reply.heldBytes;
  writeQueue_.push_back(std::move(reply));
  startWrite();
}

void UsbipConnection::queueRetUnlink(std::uint32_t seqnum, std::int32_t status) {
  usbip::RetUnlink r;
  r.basic.seqnum = seqnum;
  r.status = status;
  writeQueue_.push_back(Reply{usbip::encode(r), nullptr, 0});
  startWrite();
}

// Writes queued replies in one gathered write: headers and IN data straight from the device's
// buffers, without copying them together.
void UsbipConnection::startWrite() {
  if (writing_ || writeQueue_.empty() || closed_) return;
  gather_.clear();
  const std::size_t n = std::min<std::size_t>(writeQueue_.size(), 64);
  for (std::size_t i = 0; i < n; ++i) {
    const Reply& r = writeQueue_[i];
    gather_.push_back(asio::buffer(r.header));
    if (r.urb && r.urb->in && r.urb->actual) {
      auto data = r.urb->inData();
      gather_.push_back(asio::buffer(data.data(), data.size()));
    }
  }
  writing_ = n;
  asio::async_write(socket_, gather_,
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                      if (self->closed_) return;
                      if (ec) return self->close("write: " + ec.message());
                      for (std::size_t i = 0; i < self->writing_; ++i) {
                        self->heldBytes_ -= self->writeQueue_.front().heldBytes;
                        self->writeQueue_.pop_front();
                      }
                      self->writing_ = 0;
                      if (self->readPaused_ && !self->overBudget()) {
                        self->readPaused_ = false;
                        self->readUrbHeader();
                      }
                      self->startWrite();
                    });
}

}  // namespace mtk::emu
