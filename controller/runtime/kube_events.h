// The kubernetes mode's event sink: every reconcile event goes to the log
// and the metrics (LogAndCount) and, while this replica leads, becomes an
// events.k8s.io/v1 Event on its Workspace (kube/event_recorder.h
// deduplicates repeats into a series, as client-go's recorder does), so
// `kubectl describe workspace` shows what happened. Failures and
// unresolved creates are Warnings; the rest Normal. The message is the
// reconciler's, which never carries a token (controller/reconcile/events.h).
#pragma once

#include <atomic>
#include <functional>

#include "controller/runtime/controller_parts.h"
#include "kube/cache.h"
#include "kube/event_recorder.h"

namespace wsop::runtime {

struct KubeEventReason {
  const char* reason;  // CamelCase: "Created", "CreatePendingUnresolved"
  const char* action;  // what was done or tried: "Create", "Delete"
  kube::EventType type;
};
KubeEventReason kube_event_reason(reconcile::EventType type);

class KubeEventSink : public reconcile::EventSink {
 public:
  // `workspace` finds the Workspace object of a key (null: gone);
  // `leading` gates the Events (a standby writes nothing); `on_failure`
  // (optional) is told of each Warning after it is recorded.
  KubeEventSink(observability::Metrics* metrics, kube::EventRecorder* recorder,
                std::function<kube::ObjectPtr(const model::WorkspaceKey&)> workspace,
                const std::atomic<bool>* leading,
                std::function<void(const reconcile::Event&)> on_failure = {})
      : log_(metrics),
        recorder_(recorder),
        workspace_(std::move(workspace)),
        leading_(leading),
        on_failure_(std::move(on_failure)) {}

  void on_event(const reconcile::Event& event) override;

 private:
  LogAndCount log_;
  kube::EventRecorder* recorder_;
  std::function<kube::ObjectPtr(const model::WorkspaceKey&)> workspace_;
  const std::atomic<bool>* leading_;
  std::function<void(const reconcile::Event&)> on_failure_;  // Warning events
};

}  // namespace wsop::runtime
