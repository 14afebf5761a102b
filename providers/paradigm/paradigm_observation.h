// What Paradigm reports beyond the neutral RemoteWorkspace: the company and
// the document upload method, kept in RemoteWorkspace::vendor_fields
// (providers/provider.h), which only this provider reads. The keys are the
// ones the state store's observed_json has always had (companyId,
// documentUploadMethod), so records written before read unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "providers/provider.h"
#include "providers/support/json_fields.h"

namespace wsop::providers::paradigm {

inline std::optional<int64_t> company_of(const RemoteWorkspace& ws) {
  return get_int(ws.vendor_fields, "companyId");
}
inline void set_company(RemoteWorkspace& ws, const std::optional<int64_t>& company) {
  set_or_erase(ws.vendor_fields, "companyId", company);
}

inline std::optional<std::string> upload_method_of(const RemoteWorkspace& ws) {
  return get_string(ws.vendor_fields, "documentUploadMethod");
}
inline void set_upload_method(RemoteWorkspace& ws, const std::optional<std::string>& method) {
  set_or_erase(ws.vendor_fields, "documentUploadMethod", method);
}

// Both are immutable, and not every read reports them (GET and the list
// have no company): a read that left one out keeps the value `last` had.
inline void keep_unreported_fields(const RemoteWorkspace& last, RemoteWorkspace& fresh) {
  if (!company_of(fresh)) set_company(fresh, company_of(last));
  if (!upload_method_of(fresh)) set_upload_method(fresh, upload_method_of(last));
}

}  // namespace wsop::providers::paradigm
