// mmhost: see `mmhost --help` and docs/quickstart.md.
#include "app/cli.hpp"

#include <cstdio>

int main(int argc, char** argv) {
  try {
    return mmh::run_cli(argc, argv);
  } catch (...) {
    // run_cli reports every std::exception; anything else still ends with a message and a
    // failure code instead of std::terminate.
    std::fputs("mmhost: unexpected error (not a std::exception)\n", stderr);
    return 1;
  }
}
