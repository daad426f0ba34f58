// mmhost: see `mmhost --help` and docs/quickstart.md.
#include "app/cli.hpp"

int main(int argc, char** argv) {
  return mmh::run_cli(argc, argv);
}
