#include "controller/reconcile/create_gate.h"

namespace wsop::reconcile {

CreateGate::Turn& CreateGate::Turn::operator=(Turn&& other) noexcept {
  if (this == &other) return *this;
  if (gate_ && (!began_ || settled_)) gate_->release(request_, key_);
  gate_ = std::exchange(other.gate_, nullptr);
  request_ = std::move(other.request_);
  key_ = std::move(other.key_);
  waiting_for_ = std::move(other.waiting_for_);
  began_ = other.began_;
  settled_ = other.settled_;
  return *this;
}

CreateGate::Turn::~Turn() {
  if (gate_ && (!began_ || settled_)) gate_->release(request_, key_);
}

void CreateGate::Turn::began() {
  if (!gate_ || began_) return;
  gate_->mark_began(request_, key_);
  began_ = true;
}

Status CreateGate::seed_locked() {
  if (seeded_) return Status::ok();
  auto pending = store_.pending_creates();
  if (!pending) return pending.status();
  for (const auto& p : *pending) {
    // Two pending records of one request (left by a version without the
    // gate) both stay pending; the first in key order holds it.
    holders_.emplace(Request{p.provider_config, p.request_digest}, Holder{p.key, true});
  }
  seeded_ = true;
  return Status::ok();
}

Outcome<bool> CreateGate::still_holds(const Holder& holder, const Request& request) {
  if (!holder.began) return true;
  auto record = store_.get(holder.key);
  if (!record) return record.status();
  return *record && (*record)->create.state == state::CreateState::kPending &&
         (*record)->provider_config == request.first &&
         (*record)->create.request_digest == request.second;
}

Outcome<CreateGate::Turn> CreateGate::acquire(const std::string& provider_config,
                                              const std::string& digest,
                                              const model::WorkspaceKey& key) {
  std::lock_guard lock(mu_);
  if (Status s = seed_locked(); !s.is_ok()) return s;
  Turn turn;
  turn.request_ = Request{provider_config, digest};
  turn.key_ = key;
  auto it = holders_.find(turn.request_);
  if (it != holders_.end() && it->second.key != key) {
    auto holds = still_holds(it->second, turn.request_);
    if (!holds) return holds.status();
    if (*holds) {
      turn.waiting_for_ = it->second.key;
      return turn;
    }
  }
  holders_.insert_or_assign(turn.request_, Holder{key, false});
  turn.gate_ = this;
  return turn;
}

void CreateGate::release(const Request& request, const model::WorkspaceKey& key) {
  std::lock_guard lock(mu_);
  auto it = holders_.find(request);
  if (it != holders_.end() && it->second.key == key) holders_.erase(it);
}

void CreateGate::mark_began(const Request& request, const model::WorkspaceKey& key) {
  std::lock_guard lock(mu_);
  auto it = holders_.find(request);
  if (it != holders_.end() && it->second.key == key) it->second.began = true;
}

}  // namespace wsop::reconcile
