// Paradigm's own spec blocks (../shared/providers/paradigm.md), decoded and
// rendered by its descriptor (paradigm_descriptor.h) and kept in the model
// as opaque parts (model::ProviderSpecBlock); the client reads them back
// through the accessors here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "api/v1alpha1/types.h"
#include "providers/provider.h"

namespace wsop::providers::paradigm {

inline constexpr const char* kTypeName = "paradigm";

// Paradigm's name limit, in characters (../shared/seeds/000_4631a2fecae5f0ba.txt).
inline constexpr size_t kMaxNameLength = 100;

enum class DocumentUploadMethod { kManual, kSynced };
const char* to_string(DocumentUploadMethod method);

// A Workspace's spec.paradigm.
struct WorkspaceSpec : model::ProviderSpecBlock {
  WorkspaceSpec() = default;
  WorkspaceSpec(int64_t company, std::optional<DocumentUploadMethod> method)
      : company_id(company), document_upload_method(method) {}

  int64_t company_id = 0;
  // Unset: "manual" at create, and on adoption whatever the remote has.
  std::optional<DocumentUploadMethod> document_upload_method;
};

// A ProviderConfig's spec.paradigm: the company of the token, whose company
// list (GET /api/v3/company/workspaces) covers that company only. Absence
// from that list proves nothing for any other company (paradigm.md, traps).
struct ConfigSpec : model::ProviderSpecBlock {
  std::optional<int64_t> company_id;
  // Paradigm does not refuse a second workspace of the same name in a
  // company; the operator does, unless this is set (a first create that
  // finds the name taken reports AlreadyExists instead of creating).
  bool allow_duplicate_names = false;
};

// desired's spec.paradigm, or null when it has none.
const WorkspaceSpec* spec_of(const model::Workspace& desired);
// config's spec.paradigm, or the defaults when it has none.
const ConfigSpec& config_spec_of(const model::ProviderConfig& config);

// Sets workspace's spec.paradigm (tests and callers building a model by hand).
void set_spec(model::Workspace& workspace, WorkspaceSpec spec);
void set_config_spec(model::ProviderConfig& config, ConfigSpec spec);

// What Paradigm stores: name and description; no labels, no external id
// (seeds 000, 001); a 403 or 404 only means "not visible".
const Capabilities& type_capabilities();

}  // namespace wsop::providers::paradigm
