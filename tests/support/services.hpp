// Real PostgreSQL 15 and Redis 7 for the scale-out tests, from their Debian packages, each in a
// temporary directory on a free loopback port, started and stopped by the test. PostgreSQL
// refuses to run as root: as root the cluster belongs to the `postgres` user (runuser).
#pragma once

#include "test_support.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace mmh::test {

// A port nobody listens on now (the kernel's choice for an ephemeral bind).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class PostgresServer {
 public:
  PostgresServer() : port_(free_port()) {
    const std::string bin = "/usr/lib/postgresql/15/bin/";
    const std::string as = ::geteuid() == 0 ? "runuser -u postgres -- " : "";
    if (::geteuid() == 0) run_command("chown -R postgres:postgres " + dir_.path().string());
    const std::string data = dir_.file("data");
    expect(run_command(as + bin + "initdb -D " + data +
                       " -A trust -U mmhost -E UTF8 --no-sync --no-instructions"),
           "initdb");
    expect(run_command(as + bin + "pg_ctl -D " + data + " -l " + dir_.file("log") + " -w -o \"-p " +
                       std::to_string(port_) + " -k " + dir_.path().string() +
                       " -c listen_addresses=127.0.0.1 -c fsync=off\" start"),
           "pg_ctl start");
    started_ = true;
    expect(run_command(as + bin + "createdb -h 127.0.0.1 -p " + std::to_string(port_) +
                       " -U mmhost mmhost"),
           "createdb");
  }
  ~PostgresServer() {
    if (started_)
      run_command(std::string(::geteuid() == 0 ? "runuser -u postgres -- " : "") +
                  "/usr/lib/postgresql/15/bin/pg_ctl -D " + dir_.file("data") +
                  " -m immediate stop");
  }
  std::string url() const {
    return "postgres://mmhost@127.0.0.1:" + std::to_string(port_) + "/mmhost";
  }

 private:
  static void expect(const CommandResult& r, const char* what) {
    if (r.exit_code != 0) throw std::runtime_error(std::string(what) + " failed: " + r.output);
  }
  TempDir dir_;
  int port_;
  bool started_ = false;
};

class RedisServer {
 public:
  RedisServer() : port_(free_port()) {
    const CommandResult r =
        run_command("redis-server --port " + std::to_string(port_) + " --bind 127.0.0.1 --dir " +
                    dir_.path().string() + " --save '' --appendonly no --daemonize yes --pidfile " +
                    dir_.file("redis.pid") + " --logfile " + dir_.file("redis.log"));
    if (r.exit_code != 0) throw std::runtime_error("redis-server failed: " + r.output);
    wait_for([&] { return std::filesystem::exists(dir_.file("redis.pid")); }, 5000);
  }
  ~RedisServer() { run_command("redis-cli -p " + std::to_string(port_) + " shutdown nosave"); }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  TempDir dir_;
  int port_;
};

}  // namespace mmh::test
