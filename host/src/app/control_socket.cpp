#include "app/control_socket.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <istream>
#include <thread>

namespace mmh {
namespace {

namespace asio = boost::asio;
using Local = asio::local::stream_protocol;
namespace fs = std::filesystem;

constexpr size_t kMaxLine = 256;  // the longest command line a client may send

// sockaddr_un holds 107 characters: a long absolute path is tried relative to the working
// directory before it is refused.
Local::endpoint endpoint_for(const std::string& path) {
  constexpr size_t kMax = sizeof(sockaddr_un::sun_path) - 1;
  if (path.size() <= kMax) return Local::endpoint(path);
  std::error_code ec;
  const std::string rel = fs::relative(path, ec).string();
  if (!ec && !rel.empty() && rel.size() <= kMax) return Local::endpoint(rel);
  throw ControlError(path + ": longer than a Unix socket path may be (" + std::to_string(kMax) +
                     " characters); use a shorter run directory");
}

// One client: a command line in, the answer out, then closed. A client that sends nothing
// is dropped after 5 s.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Local::socket socket, const ControlServer::Handler& handler)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        input_(kMaxLine),
        handler_(handler) {}

  void start() {
    auto self = shared_from_this();
    timer_.expires_after(std::chrono::seconds(5));
    timer_.async_wait([self](const boost::system::error_code& ec) {
      if (!ec) self->socket_.close();
    });
    asio::async_read_until(
        socket_, input_, '\n',
        [self](const boost::system::error_code& ec, size_t) { self->on_line(ec); });
  }

 private:
  void on_line(const boost::system::error_code& ec) {
    timer_.cancel();
    if (ec) return;  // closed, timed out or longer than kMaxLine
    std::istream in(&input_);
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    reply_ = handler_(line);
    reply_ += '\n';
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(reply_),
                      [self](const boost::system::error_code&, size_t) {
                        boost::system::error_code ignored;
                        self->socket_.shutdown(Local::socket::shutdown_both, ignored);
                      });
  }

  Local::socket socket_;
  asio::steady_timer timer_;
  asio::streambuf input_;
  const ControlServer::Handler& handler_;
  std::string reply_;
};

}  // namespace

std::string control_socket_path(const std::string& run_dir) {
  return (fs::path(run_dir) / "control.sock").string();
}

struct ControlServer::State {
  std::string path;
  Handler handler;
  asio::io_context io;
  Local::acceptor acceptor{io};
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](const boost::system::error_code& ec, Local::socket socket) {
      if (ec) return;  // closed: the server stops
      std::make_shared<Session>(std::move(socket), handler)->start();
      accept();
    });
  }
};

ControlServer::ControlServer(const std::string& run_dir, Handler handler)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.path = control_socket_path(run_dir);
  s.handler = std::move(handler);
  const Local::endpoint ep = endpoint_for(s.path);
  struct stat st {};
  if (::lstat(s.path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      throw ControlError(s.path + ": exists and is not a socket; refusing to replace it");
    // A socket that answers belongs to a run that is still going; one that refuses was left by
    // a run that died, and is replaced.
    Local::socket probe(s.io);
    boost::system::error_code ec;
    probe.connect(ep, ec);
    if (!ec)
      throw ControlError(run_dir + " is in use: a running mmhost answers on " + s.path +
                         " (stop it, or give this run another directory)");
    ::unlink(s.path.c_str());
  }
  try {
    // Created 0600 whatever the umask: the socket steers real orders.
    const mode_t old_mask = ::umask(0177);
    boost::system::error_code ec;
    s.acceptor.open(ep.protocol());
    s.acceptor.bind(ep, ec);
    ::umask(old_mask);
    if (ec) throw boost::system::system_error(ec);
    s.acceptor.listen();
  } catch (const boost::system::system_error& e) {
    throw ControlError(s.path + ": cannot listen: " + e.code().message());
  }
  s.accept();
  s.thread = std::thread([&s] { s.io.run(); });
}

ControlServer::~ControlServer() {
  State& s = *state_;
  asio::post(s.io, [&s] {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
  });
  s.io.stop();
  if (s.thread.joinable()) s.thread.join();
  ::unlink(s.path.c_str());
}

const std::string& ControlServer::path() const {
  return state_->path;
}

std::string control_request(const std::string& run_dir, const std::string& command,
                            int timeout_ms) {
  const std::string path = control_socket_path(run_dir);
  const Local::endpoint ep = endpoint_for(path);
  // Plain POSIX calls: every wait is bounded by poll's timeout (Asio's blocking reads wait
  // without one).
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw ControlError(std::string("socket: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::connect(fd, static_cast<const sockaddr*>(ep.data()), static_cast<socklen_t>(ep.size())) !=
      0)
    throw ControlError("no run answers in " + run_dir + " (" + path + ": " + std::strerror(errno) +
                       "); is it running? Only paced replays (--speed), paper and live runs "
                       "listen");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto wait_for = [&](short events) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, events, 0};
    return left.count() > 0 && ::poll(&p, 1, static_cast<int>(left.count())) > 0;
  };
  auto fail = [&](const std::string& why) -> ControlError {
    return ControlError("the run in " + run_dir + " did not answer '" + command + "': " + why);
  };
  const std::string request = command + "\n";
  size_t sent = 0;
  while (sent < request.size()) {
    if (!wait_for(POLLOUT)) throw fail("timed out");
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw fail(std::strerror(errno));
    sent += static_cast<size_t>(n);
  }
  std::string answer;
  char buffer[4096];
  while (answer.find('\n') == std::string::npos) {
    if (answer.size() > 64 * 1024) throw fail("an answer longer than 64 KiB");
    if (!wait_for(POLLIN)) throw fail("timed out after " + std::to_string(timeout_ms) + " ms");
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw fail(std::strerror(errno));
    if (n == 0) throw fail("the connection closed before a whole answer");
    answer.append(buffer, static_cast<size_t>(n));
  }
  answer.resize(answer.find('\n'));
  return answer;
}

}  // namespace mmh
