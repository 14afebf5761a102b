#include "providers/aether/aether_provider.h"

#include "common/digest.h"
#include "providers/aether/aether_mapping.h"
#include "providers/aether/aether_observation.h"
#include "providers/aether/aether_spec.h"
#include "providers/support/diff.h"
#include "providers/support/http_status.h"
#include "providers/support/pagination.h"

namespace wsop::providers::aether {
namespace {

std::string render_gpu(const std::optional<std::string>& gpu) {
  return gpu ? *gpu : "null";
}

void diff_hardware(const model::Hardware& want, const std::optional<model::Hardware>& have,
                   std::vector<FieldChange>& out) {
  model::Hardware seen = have.value_or(model::Hardware{});
  auto number = [](int n) { return std::to_string(n); };
  if (want.cpu_kind) {
    compare(out, "spec.hardware.cpuKind", seen.cpu_kind, *want.cpu_kind,
            [](const std::string& k) { return "\"" + k + "\""; });
  }
  if (want.cpus) compare(out, "spec.hardware.cpus", seen.cpus, *want.cpus, number);
  if (want.memory_mb)
    compare(out, "spec.hardware.memoryMb", seen.memory_mb, *want.memory_mb, number);
  if (want.volume_size_gb) {
    compare(out, "spec.hardware.volumeSizeGb", seen.volume_size_gb, *want.volume_size_gb, number);
  }
  if (want.gpu_kind)
    compare(out, "spec.hardware.gpuKind", seen.gpu_kind, *want.gpu_kind, render_gpu);
}

// Power state is compared only when the manifest asks for one and the
// workspace is settled: Aether stops idle workspaces by itself, and a
// transition in progress is not drift (aether.md, "Lifecycle").
void diff_power(const WorkspaceSpec& want, const RemoteWorkspace& have,
                std::vector<FieldChange>& out) {
  if (!want.power_state) return;
  bool running = have.phase == Phase::kReady;
  bool stopped = have.phase == Phase::kStopped;
  if (!running && !stopped) return;
  bool want_running = *want.power_state == PowerState::kRunning;
  if (want_running != running) {
    out.push_back({"spec.aether.powerState", running ? "Running" : "Stopped",
                   to_string(*want.power_state), false});
  }
}

class AetherProvider : public Provider {
 public:
  AetherProvider(std::unique_ptr<http::Client> client, const PaginationLimits& pagination)
      : client_(std::move(client)), pagination_(pagination) {}

  const Capabilities& capabilities() const override { return type_capabilities(); }
  model::ProviderType type() const override { return model::ProviderType(kTypeName); }
  void stop() override { client_->stop(); }

  Outcome<RemoteWorkspace> get(const std::string& id) override {
    auto response = client_->send({"get", "GET", Paths::one(id), ""});
    if (!response) return response.status();
    if (!response->ok()) return fail(*response, "get workspace " + id);
    return parse(*response, "Aether workspace");
  }

  Outcome<std::vector<RemoteWorkspace>> list(const std::vector<const model::Workspace*>&) override {
    auto response = client_->send({"list", "GET", Paths::kList, ""});
    if (!response) return response.status();
    if (!response->ok()) return fail(*response, "list workspaces");
    // One answer, not pages (aether.md), its body capped in bytes by the
    // client. Each item becomes a workspace as it is parsed, so that the
    // answer never stands whole as a tree beside them.
    std::vector<RemoteWorkspace> out;
    bool nameless = false;
    auto parsed = parse_body_items(response->body, "Aether list", "workspaces", [&](Json&& item) {
      // Past the cap the guard below refuses the list: build no more.
      if (nameless || out.size() >= pagination_.max_unpaged_items) return;
      out.push_back(from_json(item));
      nameless = out.back().id.empty();
    });
    if (!parsed) return parsed.status();
    if (!parsed->array_found) {
      return Status::error(Code::kTransient, "Aether list answer has no workspaces");
    }
    PageGuard guard("Aether", pagination_);
    if (Status s = guard.on_items(parsed->items, /*unpaged=*/true); !s.is_ok()) return s;
    // A list that cannot name a workspace cannot prove anything absent.
    if (nameless) {
      return Status::error(Code::kTransient, "Aether list answer has a workspace without an id");
    }
    return out;
  }

  Outcome<RemoteWorkspace> create(const model::Workspace& desired) override {
    std::string project = spec_of(desired) ? spec_of(desired)->project_id : "";
    auto response =
        client_->send_once({"create", "POST", Paths::create(project), create_body(desired).dump()});
    if (!response) return response.status();
    if (!response->ok()) {
      return create_status_from_response(*response, vendor_message(response->body));
    }
    auto ws = parse(*response, "Aether create answer");
    if (!ws || ws->id.empty()) {
      return Status::error(Code::kAmbiguous, "Aether accepted the create but its answer has no id");
    }
    if (!project_of(*ws)) set_project(*ws, project);
    return ws;
  }

  Outcome<RemoteWorkspace> update(const RemoteWorkspace& current, const model::Workspace& desired,
                                  const std::vector<FieldChange>& changes) override {
    RemoteWorkspace result = current;
    Json body = flat_update(desired, changes);
    if (!body.empty()) {
      auto response = client_->send({"update", "PATCH", Paths::one(current.id), body.dump()});
      if (!response) return response.status();
      if (!response->ok()) return fail(*response, "update workspace " + current.id);
      auto updated = parse(*response, "Aether update answer");
      if (!updated) return updated.status();
      result = std::move(*updated);
    }
    // The power transition is Aether's own: no other provider has one, so
    // it is part of this update rather than of the Provider interface.
    if (has_change(changes, "spec.aether.powerState") && spec_of(desired) &&
        spec_of(desired)->power_state) {
      bool start = *spec_of(desired)->power_state == PowerState::kRunning;
      auto status = power(current.id, start);
      if (!status) return status.status();
      result.status = *status;
      result.phase = phase_of(result.status);
    }
    return result;
  }

  Status remove(const std::string& id) override {
    auto response = client_->send({"delete", "DELETE", Paths::one(id), ""});
    if (!response) return response.status();
    if (response->ok() || response->status == 404) return Status::ok();
    return fail(*response, "delete workspace " + id);
  }

  std::vector<FieldChange> diff(const model::Workspace& desired,
                                const RemoteWorkspace& observed) const override {
    std::vector<FieldChange> out;
    if (desired.hardware) diff_hardware(*desired.hardware, observed.hardware, out);
    if (spec_of(desired)) {
      auto text = [](const std::string& s) { return "\"" + s + "\""; };
      if (auto project = project_of(observed)) {
        compare(out, "spec.aether.projectId", project, spec_of(desired)->project_id, text,
                /*requires_replacement=*/true);
      }
      if (spec_of(desired)->keep_active) {
        auto flag = [](bool b) { return std::string(b ? "true" : "false"); };
        compare(out, "spec.aether.keepActive", keep_active_of(observed),
                *spec_of(desired)->keep_active, flag);
      }
      diff_power(*spec_of(desired), observed, out);
    }
    return out;
  }

  Outcome<LostCreateLookup> find_lost_create(const model::Workspace& desired,
                                             const CreateAttempt& attempt) override;

  void keep_unreported(const RemoteWorkspace& last, RemoteWorkspace& fresh) const override {
    keep_unreported_fields(last, fresh);
  }

  std::string create_digest(const model::Workspace& desired) const override {
    return sha256_hex((spec_of(desired) ? spec_of(desired)->project_id : "") +
                      create_body(desired).dump());
  }

 private:
  static Json flat_update(const model::Workspace& desired,
                          const std::vector<FieldChange>& changes) {
    Json body = Json::object();
    if (desired.hardware) {
      Json hw = hardware_json(*desired.hardware);
      static const std::pair<const char*, const char*> kFields[] = {
          {"spec.hardware.cpuKind", "cpu_kind"},
          {"spec.hardware.cpus", "cpus"},
          {"spec.hardware.memoryMb", "memory_mb"},
          {"spec.hardware.volumeSizeGb", "volume_size_gb"},
          {"spec.hardware.gpuKind", "gpu_kind"}};
      for (const auto& [path, key] : kFields) {
        if (has_change(changes, path)) body[key] = hw[key];
      }
    }
    if (has_change(changes, "spec.aether.keepActive") && spec_of(desired) &&
        spec_of(desired)->keep_active) {
      body["keep_active"] = *spec_of(desired)->keep_active;
    }
    return body;
  }

  Outcome<RemoteWorkspace> parse(const http::ClientResponse& response, const char* what) const {
    auto json = parse_body(response.body, what);
    if (!json) return json.status();
    RemoteWorkspace ws = from_json(*json);
    if (ws.id.empty())
      return Status::error(Code::kTransient, std::string(what) + " has no workspace id");
    return ws;
  }

  // POST /workspaces/{id}/start|stop. The answer carries the transition's
  // status word; an empty or unparsable (but successful) answer still means
  // the transition began.
  Outcome<std::string> power(const std::string& id, bool start) {
    const char* verb = start ? "start" : "stop";
    auto response = client_->send({verb, "POST", start ? Paths::start(id) : Paths::stop(id), ""});
    if (!response) return response.status();
    if (!response->ok()) return fail(*response, std::string(verb) + " workspace " + id);
    const std::string fallback = start ? "starting" : "stopping";
    auto json = parse_body(response->body, "Aether power answer");
    if (!json) return fallback;
    return get_string(*json, "status").value_or(fallback);
  }

  Status fail(const http::ClientResponse& response, const std::string& action) const {
    return status_from_response(response, vendor_message(response.body), "Aether " + action);
  }

  std::unique_ptr<http::Client> client_;
  PaginationLimits pagination_;
};

// Only the list can tell: same project, the hardware fields the create sent
// (an omitted one took the account's default, which need not be the
// documented one), created inside the lost request's window (aether.md,
// traps). An empty answer is proof only once the request can no longer be
// in flight.
Outcome<LostCreateLookup> AetherProvider::find_lost_create(const model::Workspace& desired,
                                                           const CreateAttempt& attempt) {
  auto all = list({});
  if (!all) return all.status();
  auto window_start = attempt.window_start();
  auto window_end = attempt.window_end();
  LostCreateLookup lookup;
  lookup.method =
      std::string(desired.hardware ? "project, the hardware sent" : "project") +
      " and creation time within " +
      std::to_string(
          std::chrono::duration_cast<std::chrono::seconds>(window_end - window_start).count()) +
      "s of the lost request";
  bool any_without_time = false;
  for (auto& ws : *all) {
    if (!spec_of(desired) || project_of(ws) != spec_of(desired)->project_id) continue;
    if (desired.hardware && (!ws.hardware || !has_sent_hardware(*ws.hardware, *desired.hardware))) {
      continue;
    }
    if (!ws.created_at) {
      any_without_time = true;
      lookup.candidates.push_back(std::move(ws));
      continue;
    }
    if (*ws.created_at >= window_start && *ws.created_at <= window_end) {
      lookup.candidates.push_back(std::move(ws));
    }
  }
  bool may_still_commit = attempt.may_still_commit(std::chrono::system_clock::now());
  lookup.conclusive = !may_still_commit && !any_without_time;
  return lookup;
}

}  // namespace

Outcome<std::unique_ptr<Provider>> make_provider(const model::ProviderConfig&,
                                                 std::unique_ptr<http::Client> client,
                                                 const ProviderContext& context) {
  return std::unique_ptr<Provider>(
      std::make_unique<AetherProvider>(std::move(client), context.pagination));
}

}  // namespace wsop::providers::aether
