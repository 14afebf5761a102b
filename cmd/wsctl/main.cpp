#include <malloc.h>

#include <iostream>

#include "cmd/wsctl/commands.h"

int main(int argc, char** argv) {
  wsop::cli::Args args(argv + 1, argv + argc);
#if defined(__GLIBC__)
  // A one-shot command builds a whole manifest set and state snapshot, then
  // exits: its large blocks come from the heap instead of an mmap and munmap
  // each (fresh pages to fault in every time). The controller does the
  // opposite (controller.cpp), so that what it frees goes back to the system.
  if (args.empty() || args[0] != "controller") mallopt(M_MMAP_THRESHOLD, 64 << 20);
#endif
  return wsop::cli::run_wsctl(args, {std::cin, std::cout, std::cerr});
}
