#include "pair_browser.hpp"

#include "rtcwire/base/overloaded.hpp"

namespace rtcwire::testing {

PairBrowser::PairBrowser(std::string owner, std::mt19937_64& random, Schedule schedule)
    : owner_(std::move(owner)), random_(random), schedule_(std::move(schedule)) {}

base::Millis PairBrowser::op_delay() {
  return base::Millis(std::uniform_int_distribution<int64_t>(1, 20)(random_));
}

JsepModel* PairBrowser::model(uint32_t pc) {
  const auto found = connections_.find(pc);
  return found == connections_.end() ? nullptr : found->second.model.get();
}

JsepModel* PairBrowser::model_for(const std::string& peer) {
  for (auto& [pc, connection] : connections_) {
    if (connection.peer == peer) return connection.model.get();
  }
  return nullptr;
}

uint64_t PairBrowser::flushed(uint32_t channel) const {
  const auto found = flushed_.find(channel);
  return found == flushed_.end() ? 0 : found->second;
}

void PairBrowser::fail(const std::string& peer) {
  if (JsepModel* found = model_for(peer)) {
    found->fail();
    fire(found->pc());
  }
}

void PairBrowser::fire(uint32_t pc) {
  JsepModel* found = model(pc);
  if (!found) return;
  auto events = found->take_events();
  if (events.empty()) return;
  schedule_(pc, op_delay(), [this, pc, events = std::move(events)] {
    // A closed connection fires nothing more.
    return model(pc) ? events : std::vector<peer::PeerEvent>{};
  });
}

void PairBrowser::operation(uint32_t pc, uint32_t op,
                            std::function<JsepModel::Outcome(JsepModel&)> apply, bool stats) {
  Connection& connection = connections_.at(pc);
  if (connection.operation_running) ++overlapping_;
  connection.operation_running = true;
  connection.model->begin_operation();
  const bool candidates_first = std::bernoulli_distribution(0.5)(random_);
  schedule_(pc, op_delay(), [this, pc, op, apply = std::move(apply), stats, candidates_first] {
    const auto found = connections_.find(pc);
    if (found == connections_.end()) return std::vector<peer::PeerEvent>{};
    JsepModel& model = *found->second.model;
    found->second.operation_running = false;
    const JsepModel::Outcome outcome = apply(model);
    model.end_operation();
    std::vector<peer::PeerEvent> fired = model.take_events();
    peer::PeerEvent answer = peer::event::OpFailed{pc, op, outcome.error.value_or(""), "model"};
    if (!outcome.error) {
      answer =
          peer::event::OpDone{pc, op, model.signaling(), outcome.local,
                              stats ? std::optional(nlohmann::json{{"rttMs", 1}}) : std::nullopt};
    }
    // The promise settles after the state change; candidates gathered may come before it.
    std::vector<peer::PeerEvent> events;
    std::vector<peer::PeerEvent> later;
    for (auto& event : fired) {
      const bool candidate = std::holds_alternative<peer::event::IceCandidate>(event);
      (candidate && !candidates_first ? later : events).push_back(std::move(event));
    }
    events.push_back(std::move(answer));
    for (auto& event : later) events.push_back(std::move(event));
    return events;
  });
}

void PairBrowser::run(const peer::PeerAction& action) {
  namespace a = peer::action;
  std::visit(
      base::Overloaded{
          [&](const a::PcCreate& x) {
            connections_[x.pc] = Connection{
                x.peer, std::make_unique<JsepModel>(owner_ + "pc" + std::to_string(x.pc), x.pc)};
          },
          [&](const a::PcClose& x) {
            std::erase_if(channel_pc_, [&](const auto& entry) { return entry.second == x.pc; });
            connections_.erase(x.pc);
          },
          [&](const a::SetLocal& x) {
            operation(x.pc, x.op, [](JsepModel& m) { return m.set_local(); });
          },
          [&](const a::SetRemote& x) {
            operation(x.pc, x.op, [d = x.description](JsepModel& m) { return m.set_remote(d); });
          },
          [&](const a::AddCandidate& x) {
            operation(x.pc, x.op, [c = x.candidate](JsepModel& m) { return m.add_candidate(c); });
          },
          [&](const a::GetStats& x) {
            operation(
                x.pc, x.op, [](JsepModel&) { return JsepModel::Outcome{}; }, true);
          },
          // The model has no ICE servers: a new configuration changes nothing the pair can see
          // but the restart-ice that follows it.
          [&](const a::SetConfiguration&) {},
          [&](const a::RestartIce& x) {
            if (JsepModel* m = model(x.pc)) {
              m->restart_ice();
              fire(x.pc);
            }
          },
          [&](const a::ChannelCreate& x) {
            if (JsepModel* m = model(x.pc)) {
              channel_pc_[x.channel] = x.pc;
              m->create_channel(x.channel);
              fire(x.pc);
            }
          },
          [&](const a::ChannelClose& x) {
            const auto found = channel_pc_.find(x.channel);
            if (found == channel_pc_.end()) return;
            const uint32_t pc = found->second;
            channel_pc_.erase(found);
            schedule_(pc, op_delay(), [x] {
              return std::vector<peer::PeerEvent>{peer::event::ChannelClosed{x.channel}};
            });
          },
          [&](const a::ChannelFlush& x) { flushed_[x.channel] += x.count; },
          [&](const a::ChannelThreshold&) {},
          [&](const a::TrackAdd& x) {
            if (JsepModel* m = model(x.pc)) {
              m->add_track(x.track);
              fire(x.pc);
            }
          },
          [&](const a::TrackRemove& x) {
            if (JsepModel* m = model(x.pc)) {
              m->remove_track(x.track);
              fire(x.pc);
            }
          },
          [&](const a::TrackReplace& x) {
            if (JsepModel* m = model(x.pc)) m->replace_track(x.old, x.replacement);
          },
          // No file moves between the pair's browsers: file transfers have their own tests.
          [&](const a::FileWork&) {},
      },
      action);
}

}  // namespace rtcwire::testing
