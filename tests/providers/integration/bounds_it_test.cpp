// Every wait of a provider call is bounded (issue 20, points 5 and 8): a list
// stops at its page and item caps and at the first repeated or foreign next
// link; a Retry-After never outlives the command's cutoff; a request in
// flight is abandoned at the cutoff's grace end; a 2xx create without an id
// is ambiguous and sent once. Each against a HostileServer whose handler
// answers as the attack did.
#include <atomic>
#include <mutex>
#include <regex>

#include "providers/support/pagination.h"
#include "tests/providers/integration/hostile_server.h"
#include "tests/providers/integration/integration_fixture.h"

namespace wsop::itest {
namespace {

using providers::PaginationLimits;

// A 200 JSON answer.
std::shared_ptr<const HostileReply> bounds_reply(const json& body, int status = 200,
                                                 const std::string& extra_headers = "") {
  std::string text = body.dump();
  auto reply = std::make_shared<HostileReply>();
  reply->bytes = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
                 extra_headers + "Content-Length: " + std::to_string(text.size()) + "\r\n\r\n" +
                 text;
  return reply;
}

// One page of a provider's list: `count` items from `first`, and what names
// the next page (a URL for Paradigm, a cursor for Cadenya; empty: the last).
json bounds_page(model::ProviderType type, int first, int count, const std::string& next) {
  json items = json::array();
  for (int i = first; i < first + count; ++i) {
    if (type == kParadigm) {
      items.push_back({{"id", i}, {"name", "w" + std::to_string(i)}, {"company_id", 1}});
    } else {
      items.push_back({{"metadata", {{"id", "ws_" + std::to_string(i)}}}});
    }
  }
  if (type == kParadigm) {
    return {{"count", count}, {"next", next.empty() ? json() : json(next)}, {"results", items}};
  }
  json pagination = json::object();
  if (!next.empty()) pagination["nextCursor"] = next;
  return {{"items", items}, {"pagination", pagination}};
}

// The page number a request asks for: Paradigm's ?page=N, Cadenya's
// cursor=cN; 1 for the first page.
int bounds_page_asked(const std::string& target) {
  std::smatch m;
  if (std::regex_search(target, m, std::regex("[?&](?:page=|cursor=c)([0-9]+)"))) {
    return std::stoi(m[1]);
  }
  return 1;
}

class BoundsIT : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv(kTokenVar, kToken, 1); }
  // The server goes first: its thread records into targets_, which must
  // outlive it.
  void TearDown() override { server_.reset(); }

  // Serves `handler`, counting requests by method.
  void serve(std::function<std::shared_ptr<const HostileReply>(const RawRequest&)> handler) {
    server_ = std::make_unique<HostileServer>([this, handler](const RawRequest& r) {
      {
        std::lock_guard lock(mu_);
        targets_.push_back(r.method + " " + r.target);
      }
      return handler(r);
    });
    ASSERT_TRUE(server_->start().is_ok());
  }

  std::unique_ptr<Provider> make(model::ProviderType type, PaginationLimits limits = {},
                                 std::shared_ptr<const http::Cutoff> cutoff = nullptr,
                                 const std::string& url = "") {
    model::ProviderConfig c;
    c.name = std::string("bounds-") + provider_name(type);
    c.type = type;
    c.base_url = url.empty() ? server_->url() : url;
    c.credentials.env = kTokenVar;
    c.rate_limit = {10000, 10000};
    c.timeouts = {milliseconds(2000), milliseconds(20000)};
    providers::paradigm::ConfigSpec company;
    company.company_id = 1;
    providers::paradigm::set_config_spec(c, company);
    providers::ProviderContext context(kInstance);
    context.pagination = limits;
    context.cutoff = std::move(cutoff);
    auto made = providers::Registry::builtin().make(c, context);
    EXPECT_TRUE(made) << made.status().to_string();
    return made ? std::move(*made) : nullptr;
  }

  size_t requests(const std::string& method) {
    std::lock_guard lock(mu_);
    return std::count_if(targets_.begin(), targets_.end(),
                         [&](const std::string& t) { return t.rfind(method + " ", 0) == 0; });
  }

  std::unique_ptr<HostileServer> server_;
  std::mutex mu_;
  std::vector<std::string> targets_;  // guarded by mu_
};

// The attack: 21,096 requests in 420 s, each page naming a new next page.
// The list stops at the page cap with a message, having sent that many.
TEST_F(BoundsIT, EndlessDistinctNextLinksStopAtThePageCap) {
  for (auto type : {kParadigm, kCadenya}) {
    SCOPED_TRACE(provider_name(type));
    serve([this, type](const RawRequest& r) {
      int page = bounds_page_asked(r.target);
      std::string next =
          type == kParadigm
              ? server_->url() + "/api/v3/company/workspaces?page=" + std::to_string(page + 1)
              : "c" + std::to_string(page + 1);
      return bounds_reply(bounds_page(type, page * 10, 2, next));
    });
    PaginationLimits limits;
    limits.max_pages = 40;
    auto p = make(type, limits);
    auto listed = p->list({});
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.status().code(), Code::kInvalid) << listed.status().to_string();
    EXPECT_NE(listed.status().message().find("more than 40 pages"), std::string::npos)
        << listed.status().message();
    EXPECT_NE(listed.status().message().find(type == kParadigm ? "Paradigm" : "Cadenya"),
              std::string::npos);
    EXPECT_EQ(requests("GET"), 40u);
    server_.reset();
    targets_.clear();
  }
}

TEST_F(BoundsIT, TheDefaultCapsAreFarAboveRealLists) {
  PaginationLimits limits;
  EXPECT_EQ(limits.max_pages, 10000u);
  EXPECT_EQ(limits.max_items, 1000000u);
  EXPECT_EQ(limits.max_page_items, 10000u);
  // A real list: 30,000 workspaces (docs/PERFORMANCE.md) in pages of 100.
  providers::PageGuard guard("Paradigm", limits);
  for (int page = 1; page <= 300; ++page) {
    ASSERT_TRUE(guard.before_page("?page=" + std::to_string(page)).is_ok());
    ASSERT_TRUE(guard.on_items(100).is_ok());
  }
}

// A next link back to a page already read: the first repeat ends the list.
TEST_F(BoundsIT, ARepeatedNextLinkEndsTheListAtOnce) {
  for (auto type : {kParadigm, kCadenya}) {
    SCOPED_TRACE(provider_name(type));
    // Pages 1 -> 2 -> 3 -> 2 ...
    serve([this, type](const RawRequest& r) {
      int page = bounds_page_asked(r.target);
      int next_page = page == 3 ? 2 : page + 1;
      std::string next =
          type == kParadigm
              ? server_->url() + "/api/v3/company/workspaces?page=" + std::to_string(next_page)
              : "c" + std::to_string(next_page);
      return bounds_reply(bounds_page(type, page * 10, 2, next));
    });
    auto listed = make(type)->list({});
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.status().code(), Code::kTransient);
    EXPECT_NE(listed.status().message().find("pagination: next link repeats page 2"),
              std::string::npos)
        << listed.status().message();
    EXPECT_EQ(requests("GET"), 3u);
    server_.reset();
    targets_.clear();
  }
}

// A next link to another origin (here another port of the same host) is
// refused, and the other server sees nothing, the token least of all.
TEST_F(BoundsIT, ANextLinkToAnotherOriginIsNeverFollowed) {
  std::atomic<int> elsewhere{0};
  HostileServer other([&](const RawRequest&) {
    ++elsewhere;
    return bounds_reply(bounds_page(kParadigm, 100, 1, ""));
  });
  ASSERT_TRUE(other.start().is_ok());
  for (const std::string& next :
       {other.url() + "/api/v3/company/workspaces?page=2", std::string("http://evil.example/x"),
        std::string("https://127.0.0.1:1/api/v3/company/workspaces?page=2")}) {
    SCOPED_TRACE(next);
    serve([&](const RawRequest&) { return bounds_reply(bounds_page(kParadigm, 1, 2, next)); });
    auto listed = make(kParadigm)->list({});
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.status().code(), Code::kTransient);
    EXPECT_NE(listed.status().message().find("next link points to another origin"),
              std::string::npos)
        << listed.status().message();
    EXPECT_EQ(requests("GET"), 1u);
    server_.reset();
    targets_.clear();
  }
  EXPECT_EQ(elsewhere.load(), 0);
}

// Pages of 100 each within the page cap: the whole list is capped in items.
TEST_F(BoundsIT, TheWholeListIsCappedInItems) {
  serve([this](const RawRequest& r) {
    int page = bounds_page_asked(r.target);
    return bounds_reply(bounds_page(
        kParadigm, page * 1000, 100,
        server_->url() + "/api/v3/company/workspaces?page=" + std::to_string(page + 1)));
  });
  PaginationLimits limits;
  limits.max_items = 250;
  auto listed = make(kParadigm, limits)->list({});
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.status().code(), Code::kInvalid);
  EXPECT_NE(listed.status().message().find("list exceeds 250 items"), std::string::npos)
      << listed.status().message();
  EXPECT_EQ(requests("GET"), 3u);
}

// Pages of one item of 1 MB each: few items, but the list is capped in
// bytes too, so they cannot add up to gigabytes.
TEST_F(BoundsIT, TheWholeListIsCappedInBytes) {
  const std::string huge(1 << 20, 'x');
  serve([&huge](const RawRequest& r) {
    int page = bounds_page_asked(r.target);
    json body = bounds_page(kCadenya, page, 1, "c" + std::to_string(page + 1));
    body["items"][0]["spec"] = {{"description", huge}};
    return bounds_reply(body);
  });
  PaginationLimits limits;
  limits.max_bytes = size_t{5} << 20;
  auto listed = make(kCadenya, limits)->list({});
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.status().code(), Code::kInvalid);
  EXPECT_NE(listed.status().message().find("list exceeds 5 MiB"), std::string::npos)
      << listed.status().message();
  EXPECT_EQ(requests("GET"), 5u);
}

// The attack: 150,000-item pages drove wsctl apply to 2 GB and bad_alloc.
// One such page fails the list on its own; endless ones are never read.
TEST_F(BoundsIT, AHugePageIsRefusedByThePageItemCap) {
  // Built as text: 150,000 JSON objects would cost the test seconds.
  std::string items = "[";
  for (int i = 0; i < 150000; ++i) items += i ? ",{\"id\":7}" : "{\"id\":7}";
  items += "]";
  for (auto type : {kParadigm, kCadenya, kAether}) {
    SCOPED_TRACE(provider_name(type));
    serve([this, type, &items](const RawRequest& r) {
      std::string next = "c" + std::to_string(bounds_page_asked(r.target) + 1);
      if (type == kParadigm) next = server_->url() + "/api/v3/company/workspaces?page=2";
      std::string body =
          type == kParadigm ? R"({"count": 150000, "next": ")" + next + R"(", "results": )" + items
          : type == kCadenya
              ? R"({"pagination": {"nextCursor": ")" + next + R"("}, "items": )" + items
              : R"({"workspaces": )" + items;
      auto reply = std::make_shared<HostileReply>();
      reply->bytes = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size() + 1) +
                     "\r\n\r\n" + body + "}";
      return std::shared_ptr<const HostileReply>(reply);
    });
    auto listed = make(type)->list({});
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.status().code(), Code::kInvalid) << listed.status().to_string();
    EXPECT_NE(listed.status().message().find("150000 items"), std::string::npos)
        << listed.status().message();
    EXPECT_EQ(requests("GET"), 1u);
    server_.reset();
    targets_.clear();
  }
}

// The attack: Retry-After: 999999 made one list take 240-300 s. Capped at
// 60 s, a wait that would still pass the cutoff does not begin.
TEST_F(BoundsIT, RetryAfterNeverOutlivesTheCutoff) {
  serve([](const RawRequest&) {
    return bounds_reply({{"error", "slow down"}}, 429, "Retry-After: 999999\r\n");
  });
  auto cutoff = std::make_shared<http::Cutoff>();
  auto start = Clock::now();
  cutoff->bring_forward(start + std::chrono::seconds(3), start + std::chrono::seconds(8),
                        "deadline (--timeout 3s)");
  for (auto type : {kParadigm, kCadenya, kAether}) {
    SCOPED_TRACE(provider_name(type));
    auto p = make(type, {}, cutoff);
    auto began = Clock::now();
    auto listed = p->list({});
    ASSERT_FALSE(listed);
    EXPECT_EQ(listed.status().code(), Code::kRateLimited) << listed.status().to_string();
    EXPECT_NE(listed.status().message().find("deadline"), std::string::npos)
        << listed.status().message();
    EXPECT_LT(Clock::now() - began, std::chrono::seconds(2)) << "it waited";
    // The bucket is paused for 60 s now: the next request does not wait either.
    began = Clock::now();
    auto got = p->get("1");
    ASSERT_FALSE(got);
    EXPECT_EQ(got.status().code(), Code::kRateLimited) << got.status().to_string();
    EXPECT_LT(Clock::now() - began, std::chrono::seconds(2)) << "it waited";
  }
}

// Past start_by nothing is sent at all.
TEST_F(BoundsIT, NothingStartsPastTheCutoff) {
  serve([](const RawRequest&) { return bounds_reply(bounds_page(kCadenya, 1, 1, "")); });
  auto cutoff = std::make_shared<http::Cutoff>();
  cutoff->bring_forward(Clock::now(), Clock::now() + std::chrono::seconds(5), "interruption");
  auto p = make(kCadenya, {}, cutoff);
  auto created = p->create(cadenya_ws("w"));
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kTransient) << created.status().to_string();
  EXPECT_FALSE(p->list({}));
  EXPECT_EQ(targets_.size(), 0u);
}

// A create in flight when the grace ends (a signal, or the deadline) is
// abandoned at once, not after its 20 s timeout, and is ambiguous: it may
// have been made, so the create journal looks it up.
TEST_F(BoundsIT, ARequestInFlightIsAbandonedWhenTheGraceEnds) {
  serve([](const RawRequest&) {
    auto hang = std::make_shared<HostileReply>();
    hang->delivery = Delivery::kHang;
    return hang;
  });
  auto cutoff = std::make_shared<http::Cutoff>();
  auto p = make(kAether, {}, cutoff);
  std::thread signal([&] {
    // Moved while the request runs, as a signal moves it.
    std::this_thread::sleep_for(milliseconds(500));
    cutoff->bring_forward(Clock::now(), Clock::now() + milliseconds(500), "interruption (SIGINT)");
  });
  auto began = Clock::now();
  auto created = p->create(aether_ws("w"));
  signal.join();
  ASSERT_FALSE(created);
  EXPECT_EQ(created.status().code(), Code::kAmbiguous) << created.status().to_string();
  EXPECT_NE(created.status().message().find("abandoned"), std::string::npos)
      << created.status().message();
  EXPECT_LT(Clock::now() - began, std::chrono::seconds(5));
  EXPECT_EQ(requests("POST"), 1u);
}

// The attack: a create answered 2xx without an id was sent again every
// ~37 s. It is ambiguous (the create journal's lookup decides) and sent once.
TEST_F(BoundsIT, ACreateAnsweredWithoutAnIdIsAmbiguousAndSentOnce) {
  for (const std::string& body :
       {std::string("{}"), std::string(R"({"id": {"nested": 1}})"), std::string("not json")}) {
    for (auto type : {kParadigm, kCadenya, kAether}) {
      SCOPED_TRACE(std::string(provider_name(type)) + " " + body);
      serve([&](const RawRequest&) {
        auto reply = std::make_shared<HostileReply>();
        reply->bytes = "HTTP/1.1 201 Created\r\nContent-Length: " + std::to_string(body.size()) +
                       "\r\n\r\n" + body;
        return reply;
      });
      auto created = make(type)->create(type == kParadigm  ? paradigm_ws("w")
                                        : type == kCadenya ? cadenya_ws("w")
                                                           : aether_ws("w"));
      ASSERT_FALSE(created);
      EXPECT_EQ(created.status().code(), Code::kAmbiguous) << created.status().to_string();
      EXPECT_EQ(requests("POST"), 1u);
      server_.reset();
      targets_.clear();
    }
  }
}

// HTTP allows any number of interim answers before the final one; the
// ninth was once taken as final. Nine are skipped, forty are too many.
TEST_F(BoundsIT, InterimAnswersAreSkippedUpToTheCap) {
  for (int interim : {9, 32, 33, 40}) {
    SCOPED_TRACE(interim);
    serve([interim](const RawRequest&) {
      auto reply = std::make_shared<HostileReply>(*bounds_reply(bounds_page(kCadenya, 1, 1, "")));
      std::string continues;
      for (int i = 0; i < interim; ++i) continues += "HTTP/1.1 100 Continue\r\n\r\n";
      reply->bytes = continues + reply->bytes;
      return reply;
    });
    auto listed = make(kCadenya)->list({});
    if (interim <= http::Connection::kMaxInterimResponses) {
      ASSERT_TRUE(listed) << listed.status().to_string();
      ASSERT_EQ(listed->size(), 1u);
      EXPECT_EQ(listed->front().id, "ws_1");
    } else {
      ASSERT_FALSE(listed);
      EXPECT_NE(listed.status().message().find("interim"), std::string::npos)
          << listed.status().message();
    }
    server_.reset();
    targets_.clear();
  }
}

}  // namespace
}  // namespace wsop::itest
