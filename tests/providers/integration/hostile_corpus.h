// The corpus of hostile provider answers (tests/fixtures/hostile_responses/,
// one JSON file per case; README.md there describes the format) and how a
// case becomes the bytes HostileServer writes.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "tests/providers/integration/hostile_server.h"

namespace wsop::itest {

struct HostileCase {
  std::string file;     // "017-next-as-number.json"
  std::string label;    // the file's stem as a GoogleTest name: "017_next_as_number"
  nlohmann::json spec;  // discarded when the file is not JSON
};

// Every *.json file of dir, sorted by name; an unreadable directory gives none.
std::vector<HostileCase> load_hostile_corpus(const std::string& dir);

// Values for the {{name}} placeholders of bodies and raw answers:
// {{token}} (a server echoing the bearer token), {{origin}} (its own URL).
using Placeholders = std::map<std::string, std::string>;

// The reply a case describes: status line, headers (Content-Type and
// Content-Length added unless the case sets them or "defaults" is false) and
// body; or the case's "raw" bytes. kInvalid when the case is malformed.
Outcome<HostileReply> reply_for(const nlohmann::json& spec, const Placeholders& vars);

// What each operation ("get", "list", "create", "update") of a provider
// ("paradigm"...) must end with: a code name as common/status.h spells it
// ("Transient", "OK"...). Operations the case does not name are not run.
std::map<std::string, std::string> expectations(const nlohmann::json& spec,
                                                const std::string& provider);

}  // namespace wsop::itest
