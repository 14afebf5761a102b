// One unresolved create per request (issue: identical Aether shapes). A lost
// create is resolved by a lookup for what it would have made (section 4 of
// docs/ARCHITECTURE.md; providers/provider.h, find_lost_create). Aether has
// no identity to look up, only the project, the hardware sent and a time
// window: two creates of the same request unresolved at once would each
// find the other's workspace too, and neither could adopt. So a create is
// sent only while no other workspace's create of the same request (the
// same ProviderConfig and create digest) is in flight or pending; the
// others wait their turn, and every lookup sees at most one unowned match.
//
// The state store is the truth: a holder counts only while its record is
// still pending with that digest, so a holder that completed, failed,
// was forgotten or deleted frees the request without being told, and
// records left pending by an earlier process are found on first use.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "common/status.h"
#include "controller/state/state_store.h"

namespace wsop::reconcile {

class CreateGate {
 public:
  explicit CreateGate(state::StateStore& store) : store_(store) {}

  using Request = std::pair<std::string, std::string>;  // provider config, digest

  // One workspace's turn at a request. Between acquire() and began() the
  // holder's record is not pending yet, so the gate trusts the turn itself.
  // A turn dropped before began() (the journal write failed) or after
  // settled() (the outcome is recorded) frees the request at once; one
  // dropped in between (the answer was lost) leaves it to the store.
  class Turn {
   public:
    Turn() = default;
    Turn(Turn&& other) noexcept { *this = std::move(other); }
    Turn& operator=(Turn&& other) noexcept;
    ~Turn();
    // The workspace whose create of the same request is unresolved: this
    // workspace must not send its create yet. nullopt: the turn is ours.
    const std::optional<model::WorkspaceKey>& waiting_for() const { return waiting_for_; }
    // The pending record is in the store: from now on the store says how
    // long the turn lasts.
    void began();
    // The create's outcome is recorded: the record is no longer pending.
    void settled() { settled_ = true; }

   private:
    friend class CreateGate;
    CreateGate* gate_ = nullptr;
    Request request_;
    model::WorkspaceKey key_;
    std::optional<model::WorkspaceKey> waiting_for_;
    bool began_ = false;
    bool settled_ = false;
  };

  // Asks for `key`'s turn to send a create of `digest` under
  // `provider_config`.
  Outcome<Turn> acquire(const std::string& provider_config, const std::string& digest,
                        const model::WorkspaceKey& key);

 private:
  struct Holder {
    model::WorkspaceKey key;
    bool began = true;  // false: between acquire() and the journal write
  };
  Status seed_locked();
  Outcome<bool> still_holds(const Holder& holder, const Request& request);
  void release(const Request& request, const model::WorkspaceKey& key);
  void mark_began(const Request& request, const model::WorkspaceKey& key);

  state::StateStore& store_;
  std::mutex mu_;
  bool seeded_ = false;
  std::map<Request, Holder> holders_;
};

}  // namespace wsop::reconcile
