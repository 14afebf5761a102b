// Load generator for provider-sim (issue 3 item 7): preloads workspaces
// through the APIs' create endpoints, then measures simple GETs by id per
// second over several keep-alive connections. Loopback only; bounded by a
// request count and a time limit. Not a ctest: run scripts/bench_sim.sh.
//
//   sim_bench [--workspaces N] [--connections C] [--seconds S] [--requests R]
//             [--provider all|paradigm|cadenya|aether] [--threads T]
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "sim/core/simulator.h"
#include "sim/registry.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
  long workspaces = 100'000;
  int connections = 8;
  double seconds = 5;
  long requests = 1'000'000;
  std::string provider = "all";
  int threads = 2;
};

struct Call {
  bhttp::verb method;
  std::string target;
  std::string body;
};

// Runs up to `total` calls, until `limit` passes, over `connections`
// keep-alive connections driven by one thread.
class Load {
 public:
  using MakeCall = std::function<Call(long index)>;
  using OnReply = std::function<void(long index, const bhttp::response<bhttp::string_body>&)>;

  Load(tcp::endpoint endpoint, int connections, long total, std::chrono::duration<double> limit,
       MakeCall make, OnReply on_reply)
      : endpoint_(endpoint),
        total_(total),
        make_(std::move(make)),
        on_reply_(std::move(on_reply)),
        deadline_(Clock::now() + std::chrono::duration_cast<Clock::duration>(limit)) {
    for (int i = 0; i < connections; ++i) conns_.push_back(std::make_unique<Conn>(ioc_));
  }

  // Returns the number of completed calls.
  long run() {
    for (auto& c : conns_) {
      c->stream.connect(endpoint_);
      c->stream.socket().set_option(tcp::no_delay(true));
      next(*c);
    }
    ioc_.run();
    return done_;
  }
  long failures() const { return failures_; }

 private:
  struct Conn {
    explicit Conn(asio::io_context& ioc) : stream(ioc) {}
    beast::tcp_stream stream;
    beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> req;
    bhttp::response<bhttp::string_body> res;
    long index = 0;
  };

  void next(Conn& c) {
    if (issued_ >= total_ || Clock::now() >= deadline_) return;
    c.index = issued_++;
    Call call = make_(c.index);
    c.req = {call.method, call.target, 11};
    c.req.set(bhttp::field::host, "127.0.0.1");
    c.req.set(bhttp::field::authorization, "Bearer bench");
    c.req.set(bhttp::field::content_type, "application/json");
    c.req.body() = std::move(call.body);
    c.req.prepare_payload();
    bhttp::async_write(c.stream, c.req, [this, &c](beast::error_code ec, std::size_t) {
      if (ec) return fail(c, ec);
      c.res = {};
      bhttp::async_read(c.stream, c.buffer, c.res, [this, &c](beast::error_code ec, std::size_t) {
        if (ec) return fail(c, ec);
        ++done_;
        if (c.res.result_int() >= 400) ++failures_;
        on_reply_(c.index, c.res);
        next(c);
      });
    });
  }

  void fail(Conn&, beast::error_code ec) {
    ++failures_;
    std::cerr << "connection failed: " << ec.message() << "\n";
  }

  asio::io_context ioc_;
  tcp::endpoint endpoint_;
  long total_;
  MakeCall make_;
  OnReply on_reply_;
  Clock::time_point deadline_;
  std::vector<std::unique_ptr<Conn>> conns_;
  long issued_ = 0, done_ = 0, failures_ = 0;
};

struct Target {
  std::string provider;
  std::function<Call(long)> create;
  std::function<std::string(const std::string& body)> id_of;
  std::string get_prefix;
};

std::vector<Target> targets() {
  using nlohmann::json;
  return {
      {"paradigm",
       [](long i) {
         return Call{bhttp::verb::post, "/api/v3/instance/workspaces",
                     json{{"name", "bench-" + std::to_string(i)}, {"company_id", 1}}.dump()};
       },
       [](const std::string& body) { return std::to_string(json::parse(body)["id"].get<long>()); },
       "/api/v3/workspaces/"},
      {"cadenya",
       [](long i) {
         return Call{bhttp::verb::post, "/v1/account/workspaces",
                     json{{"metadata",
                           {{"name", "bench-" + std::to_string(i)},
                            {"externalId", "bench/" + std::to_string(i)},
                            {"labels", {{"owner", "bench"}}}}}}
                         .dump()};
       },
       [](const std::string& body) {
         return json::parse(body)["metadata"]["id"].get<std::string>();
       },
       "/v1/account/workspaces/"},
      {"aether",
       [](long) {
         return Call{bhttp::verb::post, "/projects/00000000-0000-4000-8000-000000000001/workspaces",
                     R"({"hardware":{"cpus":2},"keep_active":true})"};
       },
       [](const std::string& body) { return json::parse(body)["id"].get<std::string>(); },
       "/workspaces/"},
  };
}

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Preloads, then measures GETs; returns the GET rate.
double bench(const Target& target, const std::string& url, const Options& o) {
  std::size_t colon = url.rfind(':');
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"),
                         static_cast<unsigned short>(std::stoi(url.substr(colon + 1))));
  std::vector<std::string> ids(o.workspaces);
  auto start = Clock::now();
  Load preload(endpoint, o.connections, o.workspaces, std::chrono::minutes(5), target.create,
               [&](long i, const auto& res) {
                 if (res.result_int() / 100 == 2) ids[i] = target.id_of(res.body());
               });
  long created = preload.run();
  double preload_s = since(start);
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<long> pick(0, std::max(0L, created - 1));
  start = Clock::now();
  Load gets(
      endpoint, o.connections, o.requests, std::chrono::duration<double>(o.seconds),
      [&](long) {
        return Call{bhttp::verb::get, target.get_prefix + ids[pick(rng)], ""};
      },
      [](long, const auto&) {});
  long done = gets.run();
  double get_s = since(start);
  double rate = done / get_s;
  std::printf(
      "%-9s preload %ld workspaces in %.1fs (%.0f creates/s, %ld failed); "
      "%ld GETs in %.1fs over %d connections: %.0f req/s (%ld failed)\n",
      target.provider.c_str(), created, preload_s, created / preload_s, preload.failures(), done,
      get_s, o.connections, rate, gets.failures());
  if (created < o.workspaces || preload.failures() > 0 || gets.failures() > 0) {
    std::printf("%-9s FAILED: every preload create and every GET must succeed\n",
                target.provider.c_str());
    return 0;  // a failed run is no ceiling
  }
  return rate;
}

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--workspaces")
      o.workspaces = std::stol(value);
    else if (flag == "--connections")
      o.connections = std::stoi(value);
    else if (flag == "--seconds")
      o.seconds = std::stod(value);
    else if (flag == "--requests")
      o.requests = std::stol(value);
    else if (flag == "--provider")
      o.provider = value;
    else if (flag == "--threads")
      o.threads = std::stoi(value);
    else
      return false;
  }
  return argc % 2 == 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    if (!parse(argc, argv, o)) {
      std::cerr << "usage: sim_bench [--workspaces N] [--connections C] [--seconds S] "
                   "[--requests R] [--provider all|paradigm|cadenya|aether] [--threads T]\n";
      return 2;
    }
    wsop::sim::SimConfig config = wsop::sim::builtin_config();
    config.threads = o.threads;
    wsop::sim::Simulator simulator(config);
    if (wsop::Status s = simulator.start(); !s) {
      std::cerr << s.to_string() << "\n";
      return 1;
    }
    double lowest = -1;
    for (const Target& t : targets()) {
      if (o.provider != "all" && o.provider != t.provider) continue;
      double rate = bench(t, simulator.url(t.provider), o);
      lowest = lowest < 0 ? rate : std::min(lowest, rate);
    }
    lowest = std::max(lowest, 0.0);
    std::printf("lowest GET rate: %.0f req/s (target >= 5000)\n", lowest);
    return lowest >= 5000 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "sim_bench: " << e.what() << "\n";
    return 1;
  }
}
