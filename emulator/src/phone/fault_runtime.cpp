#include "fault_runtime.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

#include "mtk/wire/xflash.hpp"

namespace mtk::emu {

namespace {
// How long an unplug waits for the host to read what the phone had already sent.
constexpr std::chrono::milliseconds kUnplugGrace{100};
}  // namespace

void PhoneFaults::note(const Clock& clock, const std::string& text) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - engine.poweredOnAt());
  log.add("+" + std::to_string(ms.count()) + " ms " + text);
}

FaultRuntime::FaultRuntime(PhoneFaults& faults, const Clock& clock, DeviceIo& io,
                           VirtualStorage* storage, PhoneHooks hooks)
    : faults_(faults), clock_(clock), io_(io), storage_(storage), hooks_(std::move(hooks)) {}

// ---- firing ----

void FaultRuntime::apply(const std::vector<std::size_t>& fired) {
  // The engine logged these firings last, in the same order.
  const auto& log = faults_.engine.fired();
  const std::size_t first = log.size() - fired.size();
  for (std::size_t i = 0; i < fired.size(); ++i) applyOne(fired[i], log[first + i]);
}

void FaultRuntime::applyOne(std::size_t rule, const FiredFault& record) {
  using K = FaultAction::Kind;
  const FaultAction& a = faults_.engine.rules()[rule].action;
  note("!! fault " + record.describe());
  spdlog::info("mtkemu: fault {}", record.describe());
  switch (a.kind) {
    case K::Unplug:
      // What the phone already sent reaches the host first (it was on the wire): so "after
      // a command" means its answers arrived and the next exchange finds no phone.
      gone_ = true;
      unplugPending_ = true;
      unplugBy_ = clock_.now() + kUnplugGrace;
      unplugWhenDrained();
      return;
    case K::Silent:
      muted_ = true;
      return;
    case K::Delay: {
      const auto until = clock_.now() + a.delay;
      pausedUntil_ = paused_ ? std::max(pausedUntil_, until) : until;
      paused_ = true;
      return;
    }
    case K::Status:
      pendingStatus_ = a.status;
      return;
    case K::CorruptByte: {
      // OUT: count from what arrives after the bytes being handed over right now, so "the
      // K-th byte after SEND_DA" means after the command, whatever the transfer held.
      const std::uint64_t base = faults_.engine.position(a.direction) +
                                 (a.direction == FaultDirection::Out ? inFlight_ : 0);
      marks_.push_back({a.direction, base + a.byteIndex, a.mask});
      return;
    }
    case K::CorruptChecksum:
      checksumFault_ = true;
      return;
    case K::StorageError: {
      const StorageArea* area = nullptr;
      if (storage_) {
        area = a.area.empty()
                   ? storage_->areaByName(storage_->kind() == StorageKind::Ufs ? "lu2" : "user")
                   : storage_->areaByName(a.area);
      }
      if (!area) {
        note("!! storage_error_at: no storage area '" + a.area + "'; nothing armed");
        return;
      }
      storage_->armWriteError(area->partType, a.address);
      return;
    }
    case K::PowerCut:
      if (hooks_.armPowerCut)
        hooks_.armPowerCut(a.landBytes ? *a.landBytes : (storage_ ? storage_->sectorSize() : 512));
      return;
    case K::Flap:
      gone_ = true;
      if (hooks_.flap) hooks_.flap(a.cycles, a.delay);
      return;
    case K::RefuseDram:
      refuseDram_ = true;
      return;
    case K::Da2HashMismatch:
      da2Mismatch_ = true;
      return;
    case K::MissWindow:
      if (hooks_.bootOn && hooks_.bootOn()) {
        gone_ = true;
      } else {
        note("!! miss_window: the preloader is not listening; no effect");
      }
      return;
  }
}

void FaultRuntime::fireBulk(FaultDirection d) {
  apply(faults_.engine.onBulk(d, clock_.now()));
}

void FaultRuntime::firePowerOn() {
  apply(faults_.engine.onPowerOn(clock_.now()));
}

void FaultRuntime::unplugWhenDrained() {
  if (!unplugPending_ || (!io_.inQueueEmpty() && clock_.now() < unplugBy_)) return;
  unplugPending_ = false;
  if (hooks_.unplug) hooks_.unplug();
}

bool FaultRuntime::tick(Clock::time_point now) {
  unplugWhenDrained();
  if (!gone_) apply(faults_.engine.onTime(now));  // a silent phone can still be unplugged
  if (!paused_ || now < pausedUntil_) return false;
  paused_ = false;
  if (stopped()) return false;  // what was held back never leaves a phone that stopped
  io_.releaseHeld();
  return true;
}

// ---- the protocols ----

bool FaultRuntime::at(FaultStage stage, std::string_view name, FaultPhase phase) {
  if (stopped()) return false;
  if (phase == FaultPhase::Before)
    note(std::string(stage == FaultStage::Brom ? "-> BROM " : "-> DA ") + std::string(name));
  apply(faults_.engine.onCommand(stage, name, phase, clock_.now()));
  return !stopped();
}

std::uint32_t FaultRuntime::status(FaultStage stage, std::uint32_t intended) {
  const bool brom = stage == FaultStage::Brom;
  std::uint32_t sent = intended;
  if (pendingStatus_) {
    sent = brom ? (*pendingStatus_ & 0xffff) : *pendingStatus_;
    pendingStatus_.reset();
  }
  auto text = [brom](std::uint32_t s) {
    if (!brom) return wire::xflash::describeStatus(s);
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%04x", s);
    return std::string(buf);
  };
  std::string line = std::string(brom ? "<- BROM status " : "<- DA status ") + text(sent);
  if (sent != intended) line += " (fault; meant " + text(intended) + ")";
  note(line);
  return sent;
}

bool FaultRuntime::powerHolds() {
  if (!storage_ || !storage_->powerCut()) return true;
  if (!hooks_.powerLost || !hooks_.powerLost()) return true;  // power_cut_after: DA reports it
  note("!! the power failed during a write: the phone is off");
  gone_ = true;
  return false;
}

// ---- the bulk streams ----

void FaultRuntime::damage(FaultDirection d, std::uint64_t start, wire::MutableByteSpan bytes) {
  const std::uint64_t end = start + bytes.size();
  for (const Mark& m : marks_) {
    if (m.direction == d && m.at >= start && m.at < end) bytes[m.at - start] ^= m.mask;
  }
}

std::size_t FaultRuntime::out(wire::ByteSpan data, const Push& push) {
  std::size_t taken = 0;
  while (taken < data.size()) {
    fireBulk(FaultDirection::Out);
    if (muted_) return data.size();
    if (gone_ || paused_) return taken;
    const std::uint64_t pos = faults_.engine.position(FaultDirection::Out);
    std::size_t k = data.size() - taken;
    // Split at the next trigger offset, so it fires with exactly the bytes before it delivered.
    if (auto m = faults_.engine.nextMark(FaultDirection::Out); m && *m > pos)
      k = static_cast<std::size_t>(std::min<std::uint64_t>(k, *m - pos));
    wire::ByteSpan piece = data.subspan(taken, k);
    wire::Bytes copy;  // only a piece holding a damaged byte is copied
    if (std::any_of(marks_.begin(), marks_.end(), [&](const Mark& m) {
          return m.direction == FaultDirection::Out && m.at >= pos && m.at < pos + k;
        })) {
      copy.assign(piece.begin(), piece.end());
      damage(FaultDirection::Out, pos, copy);
      piece = copy;
    }
    inFlight_ = k;
    const std::size_t n = push(piece);
    inFlight_ = 0;
    faults_.engine.advance(FaultDirection::Out, n);
    std::erase_if(marks_, [&](const Mark& m) {
      return m.direction == FaultDirection::Out && m.at < pos + n;
    });
    taken += n;
    if (n < k) return muted_ ? data.size() : taken;  // the pipe is full: NAK the rest
  }
  return taken;
}

DeviceIo::InTap::Verdict FaultRuntime::onIn(wire::Bytes& data) {
  if (stopped()) return Verdict::Drop;
  auto& engine = faults_.engine;
  const std::uint64_t start = engine.position(FaultDirection::In);
  const std::uint64_t end = start + data.size();
  // IN offsets act on the whole transfer that carries them: it is already one USB transfer.
  fireBulk(FaultDirection::In);
  for (auto m = engine.nextMark(FaultDirection::In); m && *m < end;
       m = engine.nextMark(FaultDirection::In)) {
    engine.advance(FaultDirection::In, *m - engine.position(FaultDirection::In));
    fireBulk(FaultDirection::In);
  }
  engine.advance(FaultDirection::In, end - engine.position(FaultDirection::In));
  damage(FaultDirection::In, start, data);
  std::erase_if(marks_,
                [&](const Mark& m) { return m.direction == FaultDirection::In && m.at < end; });
  if (stopped()) return Verdict::Drop;
  return paused_ ? Verdict::Hold : Verdict::Send;
}

}  // namespace mtk::emu
