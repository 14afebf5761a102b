#include <iostream>

#include "cmd/wsctl/commands.h"

int main(int argc, char** argv) {
  wsop::cli::Args args(argv + 1, argv + argc);
  return wsop::cli::run_wsctl(args, {std::cin, std::cout, std::cerr});
}
