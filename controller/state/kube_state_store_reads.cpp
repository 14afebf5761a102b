// KubeStateStore's reads (kube_state_store.h): from the informer's cache and
// the store's own writes (kube_record_view.h), never from the API.
#include <algorithm>
#include <functional>
#include <string_view>
#include <tuple>

#include "controller/state/kube_record.h"
#include "controller/state/kube_state_store.h"

namespace wsop::state {

namespace {

bool names_remote(const kube::ObjectPtr& object, const std::string& remote_id) {
  const nlohmann::json* name = object ? external_name(*object) : nullptr;
  return name && name->is_string() && name->get_ref<const std::string&>() == remote_id;
}

}  // namespace

Outcome<std::optional<WorkspaceRecord>> KubeStateStore::get(const model::WorkspaceKey& key) {
  kube::ObjectPtr found = view_.newest(key);
  if (!found) return std::optional<WorkspaceRecord>();
  return record_of(*found);
}

Outcome<std::vector<WorkspaceRecord>> KubeStateStore::list(const ListOptions& options) {
  std::vector<WorkspaceRecord> records;
  std::vector<std::string> problems;
  for (const KubeRecordView::Listed& listed : view_.snapshot()) {
    // One object decoded at a time (kube/cache.h keeps them encoded).
    kube::ObjectPtr object = view_.load(listed);
    if (!object) continue;  // deleted since the snapshot
    Outcome<std::optional<WorkspaceRecord>> record = record_of(*object);
    if (!record) {
      problems.push_back(record.status().message());
      continue;
    }
    if (!record->has_value()) continue;
    if (options.provider_config && (*record)->provider_config != *options.provider_config) {
      continue;
    }
    records.push_back(std::move(**record));
  }
  view_.note_invalid(std::move(problems));
  return records;
}

Outcome<std::vector<RecordKey>> KubeStateStore::keys() {
  std::vector<KubeRecordView::Listed> objects = view_.snapshot();
  std::vector<RecordSummary> summaries = view_.summaries(objects);
  std::vector<RecordKey> out;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    if (!summaries[i].has_record) continue;
    out.push_back({objects[i].key, summaries[i].owner_instance_id});
  }
  return out;
}

Outcome<std::vector<PendingCreate>> KubeStateStore::pending_creates() {
  std::vector<KubeRecordView::Listed> objects = view_.snapshot();
  std::vector<RecordSummary> summaries = view_.summaries(objects);
  std::vector<PendingCreate> out;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    const RecordSummary& s = summaries[i];
    if (!s.has_record || s.create_state != CreateState::kPending) continue;
    out.push_back({objects[i].key, s.provider_config, s.request_digest});
  }
  return out;
}

Outcome<std::vector<ConditionCount>> KubeStateStore::count_by_condition() {
  // A handful of groups (ProviderConfigs times condition pairs): found by a
  // scan, so counting 10,000 records builds no key per record.
  std::vector<ConditionCount> out;
  view_.for_each_summary(view_.snapshot(), [&](std::size_t, const RecordSummary& s) {
    if (!s.has_record) return;
    auto group = std::find_if(out.begin(), out.end(), [&](const ConditionCount& c) {
      return c.ready == s.ready && c.synced == s.synced && c.provider_config == s.provider_config;
    });
    if (group == out.end()) {
      group = out.insert(out.end(), ConditionCount{});
      group->provider_config = s.provider_config;
      group->ready = s.ready;
      group->synced = s.synced;
    }
    ++group->records;
    if (s.unresolved) ++group->unresolved;
  });
  // Ordered as SQLite's GROUP BY answers: by the grouped columns' text.
  auto text = [](const ConditionCount& c) {
    return std::make_tuple(std::cref(c.provider_config), std::string_view(to_string(c.ready)),
                           std::string_view(to_string(c.synced)));
  };
  std::sort(out.begin(), out.end(),
            [&](const ConditionCount& a, const ConditionCount& b) { return text(a) < text(b); });
  return out;
}

Outcome<std::optional<WorkspaceRecord>> KubeStateStore::find_by_remote_id(
    const std::string& provider_config, const std::string& remote_id) {
  // Called before every put with a remote id: an index of the annotation
  // finds the few candidates; each one's newest version decides.
  std::vector<model::WorkspaceKey> candidates = view_.naming(remote_id);
  for (const model::WorkspaceKey& key : candidates) {
    kube::ObjectPtr newest = view_.newest(key);
    if (!names_remote(newest, remote_id)) continue;
    Outcome<std::optional<WorkspaceRecord>> record = record_of(*newest);
    if (!record || !record->has_value()) continue;  // damaged: skipped, as by list()
    if ((*record)->provider_config == provider_config) return record;
  }
  return std::optional<WorkspaceRecord>();
}

}  // namespace wsop::state
