// The `mmhost` command line. Exit codes: 0 success, 1 the command failed, 2 usage error.
#pragma once

#include <ostream>

namespace mmh {

int run_cli(int argc, char** argv);

// Inside a catch block: writes what went wrong as `mmhost` does and returns its exit code (2 for
// usage and configuration errors, 1 for the rest).
int report_command_error(std::ostream& err);

}  // namespace mmh
