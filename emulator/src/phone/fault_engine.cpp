#include "mtk/emu/phone/fault_engine.hpp"

#include <algorithm>

namespace mtk::emu {

std::string FiredFault::describe() const {
  return name + ": " + action + " on " + trigger + " (power-on " + std::to_string(powerOn) + ", +" +
         std::to_string(at.count()) + " ms)";
}

FaultEngine::FaultEngine(std::vector<FaultRule> rules, std::uint64_t seed)
    : rules_(std::move(rules)), state_(rules_.size()), rng_(seed) {
  // Random offsets are drawn once, here, in rule order: the same seed places them the same
  // way whatever happens later in the run.
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const auto& t = rules_[i].trigger;
    state_[i].offset = t.offset;
    if (t.kind == FaultTrigger::Kind::BulkOffset && t.offsetRange) {
      const auto [lo, hi] = *t.offsetRange;
      const std::uint64_t span = hi - lo;
      state_[i].offset = lo + (span == ~0ull ? rng_.next() : rng_.next() % (span + 1));
    }
  }
}

void FaultEngine::powerOn(Clock::time_point now) {
  origin_ = now;
  ++powerOns_;
  pos_[0] = pos_[1] = 0;
  daBase_[0].reset();
  daBase_[1].reset();
}

void FaultEngine::daStarted(std::uint64_t outInFlight) {
  daBase_[0] = pos_[0] + outInFlight;
  daBase_[1] = pos_[1];
}

bool FaultEngine::match(std::size_t i, Clock::time_point now, const std::string& where) {
  const FaultRule& r = rules_[i];
  RuleState& s = state_[i];
  ++s.matches;
  if (s.matches < r.trigger.occurrence) return false;
  if (r.times != 0 && s.fires >= r.times) return false;
  // Roll only for rules that ask for it, so adding a certain rule never shifts the others.
  if (r.trigger.probability < 1.0 && !(rng_.uniform() < r.trigger.probability)) return false;
  ++s.fires;
  FiredFault f;
  f.rule = i;
  f.name = r.name.empty() ? "#" + std::to_string(i) : r.name;
  f.trigger = where;
  f.action = describeAction(r.action);
  f.powerOn = powerOns_;
  f.at = std::chrono::duration_cast<std::chrono::milliseconds>(now - origin_);
  fired_.push_back(std::move(f));
  return true;
}

namespace {
bool gateOpen(const FaultTrigger& t, Clock::time_point origin, Clock::time_point now) {
  return !t.afterMs || now - origin >= *t.afterMs;
}
}  // namespace

std::vector<std::size_t> FaultEngine::onPowerOn(Clock::time_point now) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].trigger.kind != FaultTrigger::Kind::PowerOn) continue;
    if (match(i, now, describeTrigger(rules_[i].trigger))) out.push_back(i);
  }
  return out;
}

std::vector<std::size_t> FaultEngine::onCommand(FaultStage stage, std::string_view name,
                                                FaultPhase phase, Clock::time_point now) {
  const auto kind =
      stage == FaultStage::Brom ? FaultTrigger::Kind::BromCommand : FaultTrigger::Kind::DaCommand;
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const auto& t = rules_[i].trigger;
    if (t.kind != kind || t.phase != phase || t.command != name) continue;
    if (!gateOpen(t, origin_, now)) continue;
    // Which match this is: "before da_command WRITE_DATA #3".
    const std::string where = describeTrigger(t) + " #" + std::to_string(state_[i].matches + 1);
    if (match(i, now, where)) out.push_back(i);
  }
  return out;
}

std::vector<std::size_t> FaultEngine::onTime(Clock::time_point now) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const auto& t = rules_[i].trigger;
    if (t.kind != FaultTrigger::Kind::Time || state_[i].reachedOnPowerOn == powerOns_) continue;
    if (!gateOpen(t, origin_, now)) continue;
    state_[i].reachedOnPowerOn = powerOns_;
    if (match(i, now, describeTrigger(t))) out.push_back(i);
  }
  return out;
}

std::optional<std::uint64_t> FaultEngine::targetOf(std::size_t i) const {
  const auto& t = rules_[i].trigger;
  const std::size_t d = index(t.direction);
  if (!t.fromDaStart) return state_[i].offset;
  if (!daBase_[d]) return std::nullopt;  // the DA has not started yet
  return *daBase_[d] + state_[i].offset;
}

std::optional<std::uint64_t> FaultEngine::nextMark(FaultDirection d) const {
  std::optional<std::uint64_t> best;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const auto& t = rules_[i].trigger;
    if (t.kind != FaultTrigger::Kind::BulkOffset || t.direction != d) continue;
    if (state_[i].reachedOnPowerOn == powerOns_) continue;
    const auto target = targetOf(i);
    if (!target || *target < pos_[index(d)]) continue;
    if (!best || *target < *best) best = target;
  }
  return best;
}

std::vector<std::size_t> FaultEngine::onBulk(FaultDirection d, Clock::time_point now) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const auto& t = rules_[i].trigger;
    if (t.kind != FaultTrigger::Kind::BulkOffset || t.direction != d) continue;
    if (state_[i].reachedOnPowerOn == powerOns_) continue;
    const auto target = targetOf(i);
    if (!target || *target != pos_[index(d)]) continue;
    state_[i].reachedOnPowerOn = powerOns_;
    if (!gateOpen(t, origin_, now)) continue;
    std::string where = describeTrigger(t);
    if (t.offsetRange) where += " (drawn " + std::to_string(state_[i].offset) + ")";
    if (match(i, now, where)) out.push_back(i);
  }
  return out;
}

}  // namespace mtk::emu
