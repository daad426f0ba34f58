// The `mmhost` command line. Exit codes: 0 success, 1 the command failed, 2 usage error.
#pragma once

namespace mmh {

int run_cli(int argc, char** argv);

}  // namespace mmh
