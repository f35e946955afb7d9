#include <algorithm>
#include <deque>
#include <unordered_map>

#include "mtk/flasher/usbip_client.hpp"
#include "usbip_socket.hpp"

namespace mtk::flasher {

namespace usbip = wire::usbip;
using namespace usbip_detail;

namespace {

constexpr std::size_t kMaxInUrbBytes = 16u << 20;  // what the server (and usbfs) accept
constexpr Millis kUnlinkGrace{2000};               // how long an unlinked URB may take to settle

Error statusError(std::int32_t status, const std::string& what) {
  switch (-status) {
    case usbip::kEPIPE:
      return usbError(usb_errors::kPipe, what + ": the device STALLed");
    case usbip::kESHUTDOWN:
    case 19:  // -ENODEV
      return usbError(usb_errors::kNoDevice, what + ": the device is gone");
    case usbip::kEOVERFLOW:
      return usbError(usb_errors::kOverflow, what + ": the device sent more than asked");
    case usbip::kECONNRESET:
      return usbError(usb_errors::kTimeout, what + ": cancelled after the timeout");
    default:
      return usbError(usb_errors::kIo, what + ": URB failed with status " + std::to_string(status));
  }
}

}  // namespace

std::string UsbipAddress::url() const {
  std::string u = "usbip://" + host + ":" + std::to_string(port);
  if (!busid.empty()) u += "/" + busid;
  return u;
}

Result<UsbipAddress> parseUsbipUrl(const std::string& url) {
  const std::string scheme = "usbip://";
  auto bad = [&](const std::string& why) {
    return makeError(usb_errors::kInvalidParam, "BAD_DEVICE_SPEC", "'" + url + "': " + why,
                     "write it as usbip://HOST[:PORT][/BUSID], e.g. usbip://127.0.0.1:3240/1-1");
  };
  if (url.rfind(scheme, 0) != 0) return bad("does not start with usbip://");
  std::string rest = url.substr(scheme.size());
  UsbipAddress a;
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    a.busid = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (a.busid.size() >= usbip::kBusIdSize) return bad("busid too long");
  }
  std::string host = rest;
  if (!rest.empty() && rest[0] == '[') {  // [::1]:3240
    auto close = rest.find(']');
    if (close == std::string::npos) return bad("unclosed [");
    host = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (!rest.empty() && rest[0] != ':') return bad("junk after ]");
    rest = rest.empty() ? "" : rest.substr(1);
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    host = rest.substr(0, colon);
    rest = rest.substr(colon + 1);
  } else {
    rest.clear();
  }
  if (!rest.empty()) {
    if (rest.find_first_not_of("0123456789") != std::string::npos || rest.size() > 5)
      return bad("bad port");
    unsigned long port = std::stoul(rest);
    if (port == 0 || port > 65535) return bad("port out of range");
    a.port = static_cast<std::uint16_t>(port);
  }
  if (host.empty()) return bad("no host");
  a.host = host;
  return a;
}

Result<std::vector<usbip::DeviceRecord>> usbipListDevices(const UsbipAddress& server,
                                                          Millis timeout) {
  const Deadline deadline = Clock::now() + timeout;
  Socket sock;
  if (auto s = sock.connect(server.host, server.port, deadline); !s) return std::move(s).error();
  auto req = usbip::encodeDevlistRequest();
  iovec iov{req.data(), req.size()};
  if (auto s = sock.writeAll(&iov, 1, deadline, nullptr); !s) return std::move(s).error();
  std::uint8_t head[usbip::kOpHeaderSize + 4];
  if (auto s = sock.readAll(head, sizeof head, deadline); !s) return std::move(s).error();
  auto h = usbip::decodeOpHeader(head);
  if (!h) return std::move(h).error();
  if (h->code != usbip::OP_REP_DEVLIST || h->status != 0) {
    return makeError(-1, "USBIP_PROTOCOL_ERROR", "unexpected reply to OP_REQ_DEVLIST", "");
  }
  const std::uint32_t n = wire::loadBe32(head + usbip::kOpHeaderSize);
  if (n > 4096) return makeError(-1, "USBIP_PROTOCOL_ERROR", "implausible device count", "");
  std::vector<usbip::DeviceRecord> out;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::uint8_t rec[usbip::kDeviceRecordSize];
    if (auto s = sock.readAll(rec, sizeof rec, deadline); !s) return std::move(s).error();
    auto d = usbip::decodeDeviceRecord(rec);
    if (!d) return std::move(d).error();
    for (int k = 0; k < d->bNumInterfaces; ++k) {
      std::uint8_t ir[usbip::kInterfaceRecordSize];
      if (auto s = sock.readAll(ir, sizeof ir, deadline); !s) return std::move(s).error();
      d->interfaces.push_back({ir[0], ir[1], ir[2]});
    }
    out.push_back(std::move(*d));
  }
  return out;
}

// ---- the link ----

struct UsbipLink::Impl {
  struct Pending {
    bool in = false;
    std::uint8_t* dest = nullptr;  // IN data lands here directly
    std::size_t capacity = 0;
    bool done = false;
    std::int32_t status = 0;
    std::size_t actual = 0;
  };

  Socket sock;
  UsbipAddress server;
  usbip::DeviceRecord record;
  UsbipLinkOptions options;
  std::uint32_t nextSeq = 1;
  std::unordered_map<std::uint32_t, Pending> pending;        // submitted, not yet answered
  std::unordered_map<std::uint32_t, std::uint32_t> unlinks;  // unlink seqnum -> URB seqnum
  std::vector<std::uint8_t> discard;
  std::optional<Error> broken;
  // Write-behind OUT URBs, oldest first: seqnum and size.
  std::deque<std::pair<std::uint32_t, std::size_t>> behind;
  std::size_t behindBytes = 0;
  std::optional<Error> behindError;  // the first failure of a write-behind URB, not yet reported

  Error fail(Error e) {
    if (!broken) broken = e;
    sock.close();
    return e;
  }

  Result<std::uint32_t> submit(std::uint8_t ep, bool in, const wire::usb::SetupPacket* setup,
                               wire::ByteSpan out, wire::MutableByteSpan inBuf, Deadline deadline) {
    if (broken) return *broken;
    usbip::CmdSubmit cmd;
    const std::uint32_t seq = nextSeq++;
    if (nextSeq == 0) nextSeq = 1;
    cmd.basic.seqnum = seq;
    cmd.basic.devid = record.devid();
    cmd.basic.direction = in ? usbip::kDirIn : usbip::kDirOut;
    cmd.basic.ep = ep & 0x0f;
    cmd.transferFlags = in ? usbip::URB_DIR_IN : 0;
    cmd.transferBufferLength = static_cast<std::int32_t>(in ? inBuf.size() : out.size());
    if (setup) cmd.setup = setup->encode();
    Pending p;
    p.in = in;
    p.dest = inBuf.data();
    p.capacity = inBuf.size();
    pending[seq] = p;
    auto header = usbip::encode(cmd);
    iovec iov[2] = {{header.data(), header.size()},
                    {const_cast<std::uint8_t*>(out.data()), in ? 0 : out.size()}};
    auto s =
        sock.writeAll(iov, in || out.empty() ? 1 : 2, deadline, [&] { return pumpOne(deadline); });
    if (!s) return fail(std::move(s).error());
    return seq;
  }

  // Reads one message from the server and files it. Timeout before the message starts is a
  // plain timeout; anything else breaks the link.
  Status pumpOne(Deadline deadline) {
    if (broken) return *broken;
    usbip::UrbHeader h;
    if (auto s = sock.readAll(h.data(), h.size(), deadline); !s) {
      if (isTimeout(s.error())) return s;
      return fail(std::move(s).error());
    }
    auto m = usbip::decodeUrbHeader(h);
    if (!m) return fail(usbError(usb_errors::kIo, m.error().message));
    if (auto* r = std::get_if<usbip::RetSubmit>(&*m)) return onRetSubmit(*r, deadline);
    if (auto* r = std::get_if<usbip::RetUnlink>(&*m)) {
      auto it = unlinks.find(r->basic.seqnum);
      if (it != unlinks.end()) {
        auto p = pending.find(it->second);
        // -ECONNRESET: cancelled before it completed. 0: its RET_SUBMIT came first.
        if (p != pending.end() && !p->second.done) {
          p->second.done = true;
          p->second.status = r->status == 0 ? -usbip::kECONNRESET : r->status;
        }
        unlinks.erase(it);
      }
      return {};
    }
    return fail(usbError(usb_errors::kIo, "the server sent a CMD_* message"));
  }

  Status onRetSubmit(const usbip::RetSubmit& r, Deadline deadline) {
    auto it = pending.find(r.basic.seqnum);
    if (it == pending.end()) {
      return fail(usbError(usb_errors::kIo,
                           "RET_SUBMIT for unknown seqnum " + std::to_string(r.basic.seqnum)));
    }
    Pending& p = it->second;
    auto size =
        usbip::retSubmitPayloadSize(r, p.in ? usbip::kDirIn : usbip::kDirOut, kMaxInUrbBytes);
    if (!size) return fail(usbError(usb_errors::kIo, size.error().message));
    const std::size_t data = p.in ? static_cast<std::size_t>(r.actualLength) : 0;
    if (data > p.capacity)
      return fail(usbError(usb_errors::kOverflow, "RET_SUBMIT carries more than asked"));
    const Deadline messageDeadline = std::max(deadline, Clock::now() + kUnlinkGrace);
    if (data) {
      if (auto s = sock.readAll(p.dest, data, messageDeadline); !s)
        return fail(std::move(s).error());
    }
    if (*size > data) {
      discard.resize(*size - data);
      if (auto s = sock.readAll(discard.data(), discard.size(), messageDeadline); !s) {
        return fail(std::move(s).error());
      }
    }
    p.done = true;
    p.status = r.status;
    p.actual = p.in ? data : static_cast<std::size_t>(std::max(0, r.actualLength));
    return {};
  }

  Status waitDone(std::uint32_t seq, Deadline deadline) {
    while (!pending[seq].done) {
      if (auto s = pumpOne(deadline); !s) return s;
    }
    return {};
  }

  // Cancels URBs still in flight and waits until the server has answered for each (so no
  // late RET_SUBMIT can land in memory the caller has reused). Failure breaks the link.
  void cancel(const std::vector<std::uint32_t>& seqs) {
    const Deadline grace = Clock::now() + kUnlinkGrace;
    for (auto seq : seqs) {
      if (broken || pending[seq].done) continue;
      usbip::CmdUnlink u;
      u.basic.seqnum = nextSeq++;
      u.basic.devid = record.devid();
      u.basic.direction = pending[seq].in ? usbip::kDirIn : usbip::kDirOut;
      u.unlinkSeqnum = seq;
      unlinks[u.basic.seqnum] = seq;
      auto h = usbip::encode(u);
      iovec iov{h.data(), h.size()};
      if (auto s = sock.writeAll(&iov, 1, grace, [&] { return pumpOne(grace); }); !s) {
        fail(std::move(s).error());
      }
    }
    for (auto seq : seqs) {
      while (!broken && !pending[seq].done) {
        if (auto s = pumpOne(grace); !s)
          fail(usbError(usb_errors::kIo, "an unlinked URB never settled"));
      }
    }
  }

  // Collects finished write-behind URBs (all of them when `wait`), keeping the first failure.
  Status reapBehind(bool wait, Deadline deadline) {
    while (!behind.empty()) {
      const auto [seq, size] = behind.front();
      if (!pending[seq].done) {
        if (!wait) break;
        if (auto s = waitDone(seq, deadline); !s) {
          std::vector<std::uint32_t> seqs;
          for (const auto& b : behind) seqs.push_back(b.first);
          cancel(seqs);
          for (auto q : seqs) take(q);
          behind.clear();
          behindBytes = 0;
          if (broken) return *broken;
          return usbError(usb_errors::kTimeout,
                          "bulk OUT: the device did not take the data in time");
        }
      }
      Pending p = take(seq);
      behind.pop_front();
      behindBytes -= size;
      if (p.status != 0 && !behindError) behindError = statusError(p.status, "bulk OUT");
    }
    return {};
  }

  // Reports a write-behind failure once, on the call after it happened.
  Status takeBehindError() {
    if (!behindError) return {};
    Error e = *behindError;
    behindError.reset();
    return e;
  }

  Pending take(std::uint32_t seq) {
    Pending p = pending[seq];
    pending.erase(seq);
    return p;
  }

  // One URB, waited for; a timeout unlinks it (keeping data that raced in).
  Result<std::size_t> transfer(std::uint8_t ep, bool in, const wire::usb::SetupPacket* setup,
                               wire::ByteSpan out, wire::MutableByteSpan inBuf, Millis timeout,
                               const char* what) {
    const Deadline deadline = Clock::now() + timeout;
    auto seq = submit(ep, in, setup, out, inBuf, deadline);
    if (!seq) return std::move(seq).error();
    if (auto s = waitDone(*seq, deadline); !s) {
      if (!isTimeout(s.error())) return std::move(s).error();
      cancel({*seq});
      if (broken) return *broken;
    }
    Pending p = take(*seq);
    if (p.status == -usbip::kECONNRESET) {
      return usbError(usb_errors::kTimeout, std::string(what) + " timed out after " +
                                                std::to_string(timeout.count()) + " ms");
    }
    if (p.status != 0) return statusError(p.status, what);
    return p.actual;
  }
};

UsbipLink::UsbipLink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
UsbipLink::~UsbipLink() = default;

Result<std::unique_ptr<UsbipLink>> UsbipLink::import(const UsbipAddress& server, Millis timeout,
                                                     UsbipLinkOptions options) {
  const Deadline deadline = Clock::now() + timeout;
  auto impl = std::make_unique<Impl>();
  impl->server = server;
  impl->options = options;
  if (impl->options.maxInFlight == 0) impl->options.maxInFlight = 1;
  if (impl->options.maxUrbBytes == 0 || impl->options.maxUrbBytes > kMaxInUrbBytes) {
    impl->options.maxUrbBytes = kMaxInUrbBytes;
  }
  if (auto s = impl->sock.connect(server.host, server.port, deadline); !s)
    return std::move(s).error();
  auto req = usbip::encodeImportRequest(server.busid);
  iovec iov{req.data(), req.size()};
  if (auto s = impl->sock.writeAll(&iov, 1, deadline, nullptr); !s) return std::move(s).error();
  std::uint8_t head[usbip::kOpHeaderSize];
  if (auto s = impl->sock.readAll(head, sizeof head, deadline); !s) return std::move(s).error();
  auto h = usbip::decodeOpHeader(head);
  if (!h) return std::move(h).error();
  if (h->code != usbip::OP_REP_IMPORT) {
    return makeError(-1, "USBIP_PROTOCOL_ERROR", "unexpected reply to OP_REQ_IMPORT", "");
  }
  if (h->status != 0) {
    return makeError(
        usb_errors::kBusy, "USBIP_IMPORT_REFUSED",
        server.url() + ": the server refused the import (status " + std::to_string(h->status) + ")",
        "the busid is not exported or another client has it attached");
  }
  std::uint8_t rec[usbip::kDeviceRecordSize];
  if (auto s = impl->sock.readAll(rec, sizeof rec, deadline); !s) return std::move(s).error();
  auto d = usbip::decodeDeviceRecord(rec);
  if (!d) return std::move(d).error();
  impl->record = std::move(*d);
  return std::unique_ptr<UsbipLink>(new UsbipLink(std::move(impl)));
}

Result<std::size_t> UsbipLink::control(const wire::usb::SetupPacket& setup,
                                       wire::MutableByteSpan data, Millis timeout) {
  const std::size_t n = std::min<std::size_t>(data.size(), setup.wLength);
  if (setup.isIn())
    return impl_->transfer(0, true, &setup, {}, data.first(n), timeout, "control IN");
  return impl_->transfer(0, false, &setup, data.first(n), {}, timeout, "control OUT");
}

Result<std::size_t> UsbipLink::bulkIn(std::uint8_t endpoint, wire::MutableByteSpan buffer,
                                      Millis timeout) {
  if (auto s = impl_->reapBehind(false, Clock::now() + timeout); !s) return s.error();
  if (auto s = impl_->takeBehindError(); !s) return s.error();
  buffer = buffer.first(std::min(buffer.size(), kMaxInUrbBytes));
  return impl_->transfer(endpoint, true, nullptr, {}, buffer, timeout, "bulk IN");
}

// Splits the data into URBs of at most maxUrbBytes and keeps up to maxInFlight of them
// outstanding, so the server always has the next one when it finishes the last.
Result<std::size_t> UsbipLink::bulkOut(std::uint8_t endpoint, wire::ByteSpan data, Millis timeout) {
  Impl& m = *impl_;
  const Deadline deadline = Clock::now() + timeout;
  if (auto s = m.reapBehind(false, deadline); !s) return s.error();
  if (auto s = m.takeBehindError(); !s) return s.error();
  const bool behind = m.options.writeBehindBytes > 0 && data.size() <= m.options.maxUrbBytes &&
                      data.size() <= m.options.writeBehindBytes;
  if (behind) {
    while (!m.behind.empty() && (m.behind.size() >= m.options.writeBehindUrbs ||
                                 m.behindBytes + data.size() > m.options.writeBehindBytes)) {
      auto [seq, size] = m.behind.front();
      if (auto s = m.waitDone(seq, deadline); !s) {
        if (auto r = m.reapBehind(true, deadline); !r) return r.error();
        return s.error();
      }
      if (auto s = m.reapBehind(false, deadline); !s) return s.error();
      if (auto s = m.takeBehindError(); !s) return s.error();
    }
    auto seq = m.submit(endpoint, false, nullptr, data, {}, deadline);
    if (!seq) return std::move(seq).error();
    m.behind.emplace_back(*seq, data.size());
    m.behindBytes += data.size();
    return data.size();  // on the socket; the device's answer comes with a later call
  }
  // Large or unbuffered writes wait for what is still behind, then go in order.
  if (auto s = m.reapBehind(true, deadline); !s) return s.error();
  if (auto s = m.takeBehindError(); !s) return s.error();
  if (data.size() <= m.options.maxUrbBytes) {
    return m.transfer(endpoint, false, nullptr, data, {}, timeout, "bulk OUT");
  }
  std::deque<std::uint32_t> inflight;
  std::size_t offset = 0;
  std::size_t total = 0;
  std::optional<Error> error;
  while (!error && (offset < data.size() || !inflight.empty())) {
    while (offset < data.size() && inflight.size() < m.options.maxInFlight) {
      const std::size_t n = std::min(m.options.maxUrbBytes, data.size() - offset);
      auto seq = m.submit(endpoint, false, nullptr, data.subspan(offset, n), {}, deadline);
      if (!seq) return std::move(seq).error();
      inflight.push_back(*seq);
      offset += n;
    }
    if (auto s = m.waitDone(inflight.front(), deadline); !s) {
      error = std::move(s).error();
      break;
    }
    Impl::Pending p = m.take(inflight.front());
    inflight.pop_front();
    if (p.status != 0) error = statusError(p.status, "bulk OUT");
    total += p.actual;
  }
  if (!error) return total;
  m.cancel({inflight.begin(), inflight.end()});
  for (auto seq : inflight) m.take(seq);
  if (m.broken) return *m.broken;
  error->message +=
      " (" + std::to_string(total) + " of " + std::to_string(data.size()) + " bytes sent)";
  return *error;
}

Status UsbipLink::setConfiguration(std::uint8_t value) {
  wire::usb::SetupPacket s{0, wire::usb::SET_CONFIGURATION, value, 0, 0};
  auto r = control(s, {}, Millis(1000));
  if (!r) return std::move(r).error();
  return {};
}

// USB/IP has no notion of claiming: the importing client owns the whole device.
Status UsbipLink::claimInterface(std::uint8_t) {
  return {};
}

std::string UsbipLink::location() const {
  UsbipAddress a = impl_->server;
  a.busid = impl_->record.busid;
  return a.url();
}

std::uint8_t UsbipLink::speed() const {
  return static_cast<std::uint8_t>(impl_->record.speed);
}

void UsbipLink::close() {
  impl_->sock.close();
}

const usbip::DeviceRecord& UsbipLink::record() const {
  return impl_->record;
}

}  // namespace mtk::flasher
