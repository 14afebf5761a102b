// The plan as a pull request comment (render.h). Every text that comes from
// a manifest or a provider (names, field values, notes) is escaped: a
// display name must not close a table cell, open a link or mention
// @someone in the comment.
#include <cctype>
#include <map>
#include <sstream>

#include "controller/plan/render.h"

namespace wsop::plan {
namespace {

constexpr size_t kFoldSectionRows = 10;  // a ProviderConfig with more rows is folded
constexpr size_t kFoldFields = 5;        // a workspace with more fields has them folded

// ASCII punctuation that means nothing inside a table cell, kept readable
// in the raw comment (notification e-mails show it): the rest becomes an
// HTML entity, so no Markdown, HTML, table, link, autolink (":", "."),
// emoji, math ("$") or mention ("@") syntax survives.
bool is_inert(unsigned char c) {
  return c == '/' || c == '-' || c == ',' || c == '"' || c == '\'' || c == '=' || c == '(' ||
         c == ')' || c == '+' || c == '?' || c == ';' || c == '%' || c == '{' || c == '}';
}

std::string escaped(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
    } else if (c < 0x80 && std::ispunct(c) && !is_inert(c)) {
      out += "&#" + std::to_string(static_cast<int>(c)) + ";";
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string code(const std::string& text) {
  return "<code>" + escaped(text) + "</code>";
}

const char* symbol_of(const WorkspacePlan& item) {
  if (item.unobserved) return "?";
  if (item.paused) return "⏸";
  if (item.moved_from && item.action == Action::kNoop) return "→";
  switch (item.action) {
    case Action::kCreate:
    case Action::kAdopt: return "+";
    case Action::kUpdate: return "~";
    case Action::kReplace: return item.blocked ? "!" : "-/+";
    case Action::kDelete:
    case Action::kOrphan: return "-";
    case Action::kResolvePending: return "?";
    case Action::kSkip:
    case Action::kNoop: break;
  }
  return "";
}

// Changes, paused and unknown workspaces are listed; unchanged ones are
// counted, unless something is said about them (drift left alone).
bool is_listed(const WorkspacePlan& item) {
  if (item.paused || item.unobserved || item.moved_from) return true;
  if (item.action == Action::kSkip) return false;
  return item.action != Action::kNoop || !item.note.empty() || !item.changes.empty();
}

std::string fields_cell(const WorkspacePlan& item) {
  std::vector<std::string> lines;
  for (const auto& a : item.attributes)
    lines.push_back("+ " + code(a.path) + " = " + code(a.value));
  for (const auto& c : item.changes) {
    lines.push_back(code(c.path) + ": " + code(c.observed) + " → " + code(c.desired) +
                    (c.requires_replacement ? " (requires replacement)" : ""));
  }
  std::string joined;
  for (const auto& line : lines) joined += (joined.empty() ? "" : "<br>") + line;
  if (lines.size() <= kFoldFields) return joined;
  return "<details><summary>" + std::to_string(lines.size()) + " fields</summary>" + joined +
         "</details>";
}

std::string row_of(const WorkspacePlan& item) {
  std::string action = shown_action(item);
  if (item.blocked) action += " (blocked)";
  return std::string("| ") + symbol_of(item) + " | " + action + " | " + code(item.key.to_string()) +
         " | " + fields_cell(item) + " | " + escaped(item.note) + " |\n";
}

struct Section {
  std::vector<const WorkspacePlan*> items;
  std::map<std::string, size_t> counts;  // by shown action, of the listed items
};

std::string counts_text(const std::map<std::string, size_t>& counts) {
  std::string out;
  for (const auto& [action, n] : counts) {
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + action;
  }
  return out;
}

}  // namespace

void render_markdown(const Plan& plan, std::ostream& out, size_t max_bytes) {
  std::map<std::string, Section> sections;  // by ProviderConfig, in name order
  for (const auto& item : plan.items) {
    if (!is_listed(item)) continue;
    Section& section = sections[item.provider_config];
    section.items.push_back(&item);
    ++section.counts[shown_action(item)];
  }
  std::ostringstream text;
  text << "### wsctl diff\n\n**Plan:** " << escaped(summary_line(plan)) << ".\n";
  if (!plan.has_changes()) text << "\nNo changes.\n";
  size_t omitted = 0;
  for (const auto& [config, section] : sections) {
    if (omitted) {  // out of room already: count the rest, list nothing
      omitted += section.items.size();
      continue;
    }
    bool fold = section.items.size() > kFoldSectionRows;
    std::string title = "ProviderConfig " + code(config) + ": " + counts_text(section.counts);
    std::ostringstream body;
    body << "\n"
         << (fold ? "<details><summary>" + title + "</summary>\n\n" : "#### " + title + "\n\n");
    body << "| | Action | Workspace | Fields | Note |\n|:-:|---|---|---|---|\n";
    for (const WorkspacePlan* item : section.items) {
      std::string row = row_of(*item);
      if (text.tellp() + body.tellp() + static_cast<std::streamoff>(row.size()) >
          static_cast<std::streamoff>(max_bytes)) {
        ++omitted;
        continue;
      }
      body << row;
    }
    if (fold) body << "\n</details>\n";
    text << body.str();
  }
  if (omitted) {
    text << "\n"
         << omitted
         << " more workspace(s) not listed: the comment would be too long; run `wsctl diff` for "
            "the whole plan.\n";
  }
  out << text.str();
}

}  // namespace wsop::plan
