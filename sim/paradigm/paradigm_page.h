// Page-number pagination of the simulated Paradigm API, after Django REST
// Framework's PageNumberPagination: ?page=N&page_size=M, and `next` /
// `previous` as absolute URLs. Internal to sim/paradigm/*.cpp.
#pragma once

#include <optional>
#include <string>

#include "common/http/message.h"

namespace wsop::sim::paradigm::internal {

// The requested page (default 1); nullopt when it is not a positive integer.
std::optional<long> page_number(const http::Request& request);
// The requested page size: the default when absent or invalid, capped at max.
long page_size(const http::Request& request, long default_size, long max_size);
// The request's absolute URL with its page parameter set to `page` (removed
// for page 1, as DRF does for `previous`).
std::string page_url(const http::Request& request, long page);

}  // namespace wsop::sim::paradigm::internal
