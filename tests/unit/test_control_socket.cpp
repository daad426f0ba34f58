#include "app/control_socket.hpp"

#include "test_support.hpp"

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>

using namespace mmh;
using mmh::test::TempDir;

namespace {

// A raw client: connects, sends `bytes` as they are, returns what came back before the close.
std::string raw_exchange(const std::string& path, const std::string& bytes) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  if (!bytes.empty()) REQUIRE(::write(fd, bytes.data(), bytes.size()) > 0);
  ::shutdown(fd, SHUT_WR);
  std::string answer;
  char buffer[512];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof(buffer))) > 0)
    answer.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return answer;
}

}  // namespace

TEST_CASE("control socket: one command line in, the handler's answer out") {
  TempDir dir;
  std::atomic<int> calls{0};
  ControlServer server(dir.path().string(), [&](const std::string& command) {
    ++calls;
    return "{\"got\":\"" + command + "\"}";
  });
  CHECK(control_request(dir.path().string(), "status") == R"({"got":"status"})");
  CHECK(control_request(dir.path().string(), "halt") == R"({"got":"halt"})");
  // A CRLF line is the same command; only the owner may connect.
  CHECK(raw_exchange(server.path(), "resume\r\n") == "{\"got\":\"resume\"}\n");
  struct stat st {};
  REQUIRE(::stat(server.path().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(calls == 3);
}

TEST_CASE("control socket: a client that never ends its line, or sends too much, gets nothing") {
  TempDir dir;
  std::atomic<int> calls{0};
  ControlServer server(dir.path().string(), [&](const std::string&) {
    ++calls;
    return std::string("{}");
  });
  CHECK(raw_exchange(server.path(), "halt").empty());                  // no newline, then EOF
  CHECK(raw_exchange(server.path(), std::string(5000, 'x')).empty());  // past the line limit
  CHECK(calls == 0);
  // The server still answers the next client.
  CHECK(control_request(dir.path().string(), "status") == "{}");
}

TEST_CASE("control socket: a directory in use is refused, a dead run's socket replaced") {
  TempDir dir;
  const std::string run_dir = dir.path().string();
  {
    ControlServer first(run_dir, [](const std::string&) { return std::string("{}"); });
    CHECK_THROWS_WITH(ControlServer(run_dir, [](const std::string&) { return std::string(); }),
                      doctest::Contains("is in use: a running mmhost answers"));
  }
  CHECK_FALSE(std::filesystem::exists(control_socket_path(run_dir)));  // removed at the end
  // A socket file nobody answers on (a run killed with -9) is replaced.
  {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, control_socket_path(run_dir).c_str(), sizeof(addr.sun_path) - 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    ::close(fd);  // bound, never listening: the file stays, nobody answers
  }
  REQUIRE(std::filesystem::exists(control_socket_path(run_dir)));
  ControlServer again(run_dir, [](const std::string&) { return std::string("{\"ok\":true}"); });
  CHECK(control_request(run_dir, "status") == R"({"ok":true})");
}

TEST_CASE("control socket: a file that is not a socket is never replaced") {
  TempDir dir;
  mmh::test::write_file(control_socket_path(dir.path().string()), "keep me");
  CHECK_THROWS_WITH(
      ControlServer(dir.path().string(), [](const std::string&) { return std::string(); }),
      doctest::Contains("exists and is not a socket"));
  CHECK(mmh::test::read_file(control_socket_path(dir.path().string())) == "keep me");
}

TEST_CASE("control socket: with no run listening the client says so") {
  TempDir dir;
  CHECK_THROWS_WITH(control_request(dir.path().string(), "status"),
                    doctest::Contains("no run answers in"));
  // A handler that takes longer than the client waits.
  ControlServer slow(dir.path().string(), [](const std::string&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    return std::string("{}");
  });
  CHECK_THROWS_WITH(control_request(dir.path().string(), "status", 200),
                    doctest::Contains("did not answer 'status'"));
}
