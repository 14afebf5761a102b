// wsctl completion bash|zsh|fish: a completion script for the shell. Built
// from the dispatcher's own table (dispatch.cpp) and from each command's
// --help, so a command or flag added there is completed without a second
// list to keep in step: the flags are read from the option table Boost
// prints, the -o values from the usage line ("[-o a|b|c]").
#include <regex>
#include <sstream>

#include "cmd/wsctl/commands.h"

namespace wsop::cli {
namespace {

struct CompletionFlag {
  std::string short_name;  // "-o", or empty
  std::string long_name;   // "--output"
  bool takes_value = false;
};

struct CompletedCommand {
  std::string name;
  std::string summary;
  std::vector<CompletionFlag> flags;
  std::vector<std::string> outputs;  // the -o values
  std::vector<std::string> words;    // positional words (completion's shells)
};

const std::vector<std::string>& completion_shells() {
  static const std::vector<std::string> shells = {"bash", "zsh", "fish"};
  return shells;
}

// Reads `wsctl NAME --help`: Boost's option lines ("  -n [ --namespace ] arg
// ...", "  --state arg ...") and the usage line's "-o a|b|c".
CompletedCommand describe(const CommandSummary& command) {
  CompletedCommand out{command.name, command.summary, {}, {}, {}};
  if (command.name == "completion") out.words = completion_shells();
  std::istringstream in;
  std::ostringstream help, ignored;
  if (run_wsctl({command.name, "--help"}, {in, help, ignored}) != kExitOk) return out;
  static const std::regex option_line(R"(^  (?:(-[A-Za-z]) \[ )?(--[A-Za-z0-9-]+)(?: \])?( arg)?)");
  static const std::regex output_values(R"(-o ([a-z]+(?:\|[a-z]+)*))");
  std::istringstream lines(help.str());
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (line.rfind("Usage:", 0) == 0 && std::regex_search(line, m, output_values)) {
      std::istringstream values(m[1].str());
      for (std::string value; std::getline(values, value, '|');) out.outputs.push_back(value);
    } else if (std::regex_search(line, m, option_line) && m[2].str() != "--names") {
      // (--names is the positional NAME... of get, delete, import, forget)
      out.flags.push_back({m[1].str(), m[2].str(), m[3].matched});
    }
  }
  return out;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

std::string flag_words(const CompletedCommand& command) {
  std::vector<std::string> words;
  for (const auto& flag : command.flags) {
    if (!flag.short_name.empty()) words.push_back(flag.short_name);
    words.push_back(flag.long_name);
    // kubectl's spelling, which parse_options accepts for a --dry-run switch.
    if (flag.long_name == "--dry-run")
      words.insert(words.end(), {"--dry-run=client", "--dry-run=none"});
  }
  return joined(words);
}

// Single-quoted for sh, zsh and fish.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void print_bash(const std::vector<CompletedCommand>& commands, std::ostream& out) {
  std::vector<std::string> names;
  for (const auto& c : commands) names.push_back(c.name);
  out << "# bash completion for wsctl: source <(wsctl completion bash)\n"
      << "_wsctl() {\n  local cur=\"${COMP_WORDS[COMP_CWORD]}\" "
         "prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      << "  COMPREPLY=()\n  if [[ $COMP_CWORD -le 1 ]]; then\n"
      << "    COMPREPLY=($(compgen -W " << quoted(joined(names)) << " -- \"$cur\"))\n"
      << "    return 0\n  fi\n  case \"${COMP_WORDS[1]}\" in\n";
  for (const auto& c : commands) {
    out << "    " << c.name << ")\n";
    if (!c.outputs.empty()) {
      out << "      if [[ $prev == -o || $prev == --output ]]; then\n"
          << "        COMPREPLY=($(compgen -W " << quoted(joined(c.outputs)) << " -- \"$cur\"))\n"
          << "        return 0\n      fi\n";
    }
    out << "      if [[ $cur == -* ]]; then\n"
        << "        COMPREPLY=($(compgen -W " << quoted(flag_words(c)) << " -- \"$cur\"))\n";
    if (!c.words.empty()) {
      out << "      else\n        COMPREPLY=($(compgen -W " << quoted(joined(c.words))
          << " -- \"$cur\"))\n";
    }
    out << "      fi\n      ;;\n";
  }
  out << "  esac\n  return 0\n}\ncomplete -o default -F _wsctl wsctl\n";
}

void print_zsh(const std::vector<CompletedCommand>& commands, std::ostream& out) {
  out << "#compdef wsctl\n# zsh completion for wsctl: source <(wsctl completion zsh)\n"
      << "_wsctl() {\n  local -a commands\n  commands=(\n";
  for (const auto& c : commands) out << "    " << quoted(c.name + ":" + c.summary) << "\n";
  out << "  )\n  if (( CURRENT == 2 )); then\n    _describe 'command' commands\n    return\n"
      << "  fi\n  case $words[2] in\n";
  for (const auto& c : commands) {
    out << "    " << c.name << ")\n";
    if (!c.outputs.empty()) {
      out << "      if [[ $words[CURRENT-1] == (-o|--output) ]]; then\n"
          << "        compadd -- " << joined(c.outputs) << "\n        return\n      fi\n";
    }
    out << "      if [[ $PREFIX == -* ]]; then\n        compadd -- " << flag_words(c) << "\n"
        << "      else\n        " << (c.words.empty() ? "_files" : "compadd -- " + joined(c.words))
        << "\n      fi\n      ;;\n";
  }
  out << "  esac\n}\nif [[ \"$funcstack[1]\" == _wsctl ]]; then\n  _wsctl \"$@\"\nelse\n"
      << "  compdef _wsctl wsctl\nfi\n";
}

void print_fish(const std::vector<CompletedCommand>& commands, std::ostream& out) {
  out << "# fish completion for wsctl: wsctl completion fish | source\n";
  for (const auto& c : commands) {
    out << "complete -c wsctl -n __fish_use_subcommand -f -a " << c.name << " -d "
        << quoted(c.summary) << "\n";
    std::string when = " -n " + quoted("__fish_seen_subcommand_from " + c.name);
    for (const auto& flag : c.flags) {
      out << "complete -c wsctl" << when;
      if (!flag.short_name.empty()) out << " -s " << flag.short_name.substr(1);
      out << " -l " << flag.long_name.substr(2);
      if (flag.long_name == "--output" && !c.outputs.empty()) {
        out << " -x -a " << quoted(joined(c.outputs));
      } else if (flag.takes_value) {
        out << " -r";
      }
      out << "\n";
    }
    if (!c.words.empty())
      out << "complete -c wsctl" << when << " -f -a " << quoted(joined(c.words)) << "\n";
  }
}

}  // namespace

int run_completion(const Args& args, Io io) {
  const auto& shells = completion_shells();
  if (args.size() == 1 && (args[0] == "-h" || args[0] == "--help")) {
    io.out << "Usage: wsctl completion bash|zsh|fish\n\n"
           << "  bash: source <(wsctl completion bash)\n"
           << "  zsh:  source <(wsctl completion zsh)   (after compinit)\n"
           << "  fish: wsctl completion fish | source\n";
    return kExitOk;
  }
  if (args.size() != 1 || std::find(shells.begin(), shells.end(), args[0]) == shells.end()) {
    io.err << "wsctl completion: name one shell: bash, zsh or fish\n"
           << "Usage: wsctl completion bash|zsh|fish\n";
    return kExitInvalid;
  }
  std::vector<CompletedCommand> commands;
  for (const auto& summary : command_summaries()) commands.push_back(describe(summary));
  if (args[0] == "bash") print_bash(commands, io.out);
  if (args[0] == "zsh") print_zsh(commands, io.out);
  if (args[0] == "fish") print_fish(commands, io.out);
  return kExitOk;
}

}  // namespace wsop::cli
