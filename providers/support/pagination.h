// Bounds on one provider list, page after page: a hostile or broken server
// must not keep a list going for ever (endless distinct `next` links),
// around in a loop (a `next` naming a page already read), to another
// origin (where the token would go), or into gigabytes of memory (pages of
// 150,000 small items). Each check fails the whole list with a message
// naming the provider and the reason: a list cut short proves nothing
// absent, and a workspace missing from it may be created again.
//
// The caps are far above real use: the providers' pages hold 100 items
// (paradigm.md, cadenya.md), and docs/PERFORMANCE.md's largest runs list
// 30,000 workspaces of one account (300 pages).
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "common/status.h"
#include "providers/http/url.h"

namespace wsop::providers {

struct PaginationLimits {
  size_t max_pages = 10000;
  size_t max_items = 1000000;         // in the whole list
  size_t max_page_items = 10000;      // in one page of a paged list
  size_t max_unpaged_items = 100000;  // in a list that is one answer (Aether)
  // Bodies of the whole list: each page is capped at the client's 8 MiB,
  // and pages of one huge item each would otherwise add up unbounded.
  size_t max_bytes = size_t{256} << 20;
};

class PageGuard {
 public:
  // provider: "Paradigm", "Cadenya", "Aether", for messages.
  PageGuard(std::string provider, PaginationLimits limits)
      : provider_(std::move(provider)), limits_(limits) {}

  // Before requesting the page named by `link` (a next URL or a cursor;
  // empty for the first page). kTransient when the link names a page
  // already read ("next link repeats page 3"), kInvalid past the page cap.
  Status before_page(const std::string& link);

  // Once a page is parsed, before its items are built: kInvalid when the
  // page holds more than the page cap (the unpaged cap when `unpaged`) or
  // the list grows past the item cap.
  Status on_items(size_t count, bool unpaged = false);

  // Once a page's body is read: kInvalid when the list's bodies add up to
  // more than the byte cap.
  Status on_body(size_t bytes);

 private:
  Status error(Code code, const std::string& why) const;

  std::string provider_;
  PaginationLimits limits_;
  std::map<std::string, size_t> seen_;  // link -> the page it named (from 1)
  size_t pages_ = 0;
  size_t items_ = 0;
  size_t bytes_ = 0;
};

// The path and query (below base's path) of an absolute `next` URL, which
// must name base's origin: kTransient ("next link points to another
// origin") otherwise, and the token never goes there. One difference is
// accepted for an https base: an http:// link on its host without a port
// or with its port, which is what Django writes behind a TLS-terminating
// proxy. Only the path is used, on the configured origin, so nothing is
// downgraded.
Outcome<std::string> next_link_path(const std::string& next, const http::Url& base,
                                    const std::string& provider);

}  // namespace wsop::providers
