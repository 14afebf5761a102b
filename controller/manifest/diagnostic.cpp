#include "controller/manifest/diagnostic.h"

#include <algorithm>
#include <tuple>

namespace wsop::manifest {

std::string Diagnostic::to_string() const {
  return file + ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column) + ": " +
         (path.empty() ? "<document>" : path) + ": " + message;
}

void sort_diagnostics(std::vector<Diagnostic>& diagnostics) {
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.file, a.mark.line, a.mark.column) <
                            std::tie(b.file, b.mark.line, b.mark.column);
                   });
}

}  // namespace wsop::manifest
