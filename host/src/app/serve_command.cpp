#include "app/serve_command.hpp"

#include "api/api_server.hpp"
#include "api/job_runner.hpp"
#include "hash/sha256.hpp"
#include "store/pg_redis_store.hpp"
#include "store/sqlite_run_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <nlohmann/json.hpp>

#include <csignal>
#include <fstream>
#include <memory>
#include <ostream>
#include <random>
#include <sstream>
#include <thread>

namespace mmh {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string t = ss.str();
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
  return t;
}

// The file holds a secret: only its owner may read it.
void check_private(const fs::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) throw api::ServeError(file.string() + ": cannot read it");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%03o", st.st_mode & 0777);
    throw api::ServeError(file.string() + " is open to others (mode " + mode + "): chmod 600 it");
  }
}

// The API token: --token-file, MMHOST_API_TOKEN, or one made for this store (STORE/api-token,
// 0600). `given` says whether the operator chose it.
std::string api_token(const ServeOptions& o, bool& given) {
  given = true;
  if (!o.token_file.empty()) {
    check_private(o.token_file);
    const std::string t = read_text(o.token_file);
    if (t.size() < 16) throw api::ServeError(o.token_file + ": a token of 16 characters or more");
    return t;
  }
  if (const char* env = std::getenv("MMHOST_API_TOKEN"); env != nullptr && *env != '\0') {
    if (std::string(env).size() < 16)
      throw api::ServeError("MMHOST_API_TOKEN: a token of 16 characters or more");
    return env;
  }
  given = false;
  const fs::path file = fs::path(o.store) / "api-token";
  if (fs::exists(file)) {
    check_private(file);
    return read_text(file);
  }
  std::random_device rd;
  std::string token;
  for (int i = 0; i < 4; ++i) {
    char part[17];
    std::snprintf(part, sizeof(part), "%08x%08x", rd(), rd());
    token += part;
  }
  const fs::path tmp = file.string() + ".tmp";
  { std::ofstream(tmp) << token << "\n"; }
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write);
  fs::rename(tmp, file);
  return token;
}

// mmhost and its plugins: a change of either is a different job.
std::string build_hash() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::string all = sha256_file_hex(exe.string());
  const fs::path plugins = exe.parent_path().parent_path() / "lib" / "mmhost" / "plugins";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(plugins, ec))
    if (e.path().extension() == ".so") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) all += f.filename().string() + sha256_file_hex(f.string());
  return sha256_hex(all);
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

// The store the environment names: PostgreSQL + Redis with both URLs, else SQLite in `store`.
std::unique_ptr<store::RunStore> open_store(const std::string& store_dir, bool& scale_out) {
  const std::string database = env("DATABASE_URL"), redis = env("REDIS_URL");
  scale_out = !database.empty() || !redis.empty();
  if (scale_out && (database.empty() || redis.empty()))
    throw api::ServeError(std::string(database.empty() ? "REDIS_URL" : "DATABASE_URL") +
                          " is set but " + (database.empty() ? "DATABASE_URL" : "REDIS_URL") +
                          " is not: the scale-out store needs both (postgres://... and "
                          "redis://...)");
  if (scale_out) return std::make_unique<store::PgRedisStore>(database, redis);
  return std::make_unique<store::SqliteRunStore>((fs::path(store_dir) / "runs.sqlite").string());
}

std::string worker_id() {
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  return std::string(host) + ":" + std::to_string(::getpid());
}

// The core's parameter catalog for the New run form: `mmhost params --json` of this binary, as
// its runs will see the plugins (a failure leaves the form without a catalog, not the server
// down).
std::string params_catalog(const std::string& mmhost) {
  std::string out;
  if (FILE* pipe = ::popen(("'" + mmhost + "' params --json 2>/dev/null").c_str(), "r")) {
    char buffer[4096];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
    if (::pclose(pipe) != 0) out.clear();
  }
  return nlohmann::json::accept(out) ? out : "";
}

api::RunnerOptions runner_options(const std::string& store, int slots) {
  std::error_code ec;
  api::RunnerOptions ro;
  ro.store_dir = fs::absolute(store);
  ro.source_dir = fs::current_path();
  ro.mmhost = fs::read_symlink("/proc/self/exe", ec).string();
  ro.slots =
      slots > 0 ? slots : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  ro.worker_id = worker_id();
  return ro;
}

void wait_for_signal() {
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  io.run();
}

}  // namespace

int run_worker_command(const WorkerOptions& o, std::ostream& out, std::ostream& err) {
  try {
    if (env("DATABASE_URL").empty() || env("REDIS_URL").empty())
      throw api::ServeError(
          "mmhost worker takes runs from PostgreSQL + Redis: set DATABASE_URL (postgres://...) "
          "and REDIS_URL (redis://...) as for mmhost serve; the embedded serve runs its own "
          "workers");
    fs::create_directories(fs::path(o.store) / "runs");
    bool scale_out = false;
    std::unique_ptr<store::RunStore> runs = open_store(o.store, scale_out);
    api::JobRunner runner(*runs, runner_options(o.store, o.slots));
    runner.start();
    out << "mmhost worker " << worker_id() << ": " << runner.slots() << " slot"
        << (runner.slots() == 1 ? "" : "s") << " on " << runs->describe() << ", files in "
        << fs::absolute(o.store).string() << "\n"
        << std::flush;
    wait_for_signal();
    out << "mmhost worker: stopping (running runs go back to the queue)\n" << std::flush;
    runner.stop();
    return 0;
  } catch (const std::exception& e) {
    err << "mmhost worker: " << e.what() << "\n";
    return 1;
  }
}

int run_serve_command(const ServeOptions& o, std::ostream& out, std::ostream& err) {
  try {
    fs::create_directories(fs::path(o.store) / "runs");
    bool token_given = false;
    const std::string token = api_token(o, token_given);
    if (!api::loopback_address(o.listen) && !token_given)
      throw api::ServeError("--listen " + o.listen +
                            " is not a loopback address: give the API token yourself "
                            "(MMHOST_API_TOKEN or --token-file, 16+ characters)");
    bool scale_out = false;
    std::unique_ptr<store::RunStore> store_ptr = open_store(o.store, scale_out);
    store::RunStore& runs = *store_ptr;
    if (!scale_out) {
      // One embedded serve per store: its workers take back whatever the store says is running.
      const std::string lock_path = (fs::path(o.store) / "serve.lock").string();
      const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0)
        throw api::ServeError("another mmhost serve uses the store " + o.store);
    }
    const int slots = o.workers >= 0 ? o.workers : scale_out ? 0 : -1;
    api::RunnerOptions ro = runner_options(o.store, slots < 0 ? 0 : slots);
    if (slots == 0) ro.slots = 0;
    // Embedded: a serve that stopped hard left runs 'running' under its old name; queue them
    // again now (PostgreSQL + Redis: workers take over silent jobs themselves).
    if (!scale_out)
      if (const int64_t n = runs.reclaim(INT64_MAX / 2, 0); n > 0)
        spdlog::info("serve: {} run(s) left running by a previous serve queued again", n);

    api::ApiOptions ao;
    ao.listen = o.listen;
    ao.token = token;
    ao.store_dir = ro.store_dir;
    ao.spec.source_dir = ro.source_dir;
    ao.spec.inline_dir = ro.store_dir / "strategies";
    // Fetched candles land in the store's data directory, where backtests can read them.
    fs::create_directories(fs::path(o.store) / "data");
    ao.spec.fetch_dir = fs::canonical(fs::path(o.store) / "data");
    ao.spec.data_roots.push_back(ao.spec.fetch_dir);
    for (const std::string& d : o.data_dirs) ao.spec.data_roots.push_back(fs::absolute(d));
    for (const char* d : {"data", "../shared/data"})
      if (fs::is_directory(d)) ao.spec.data_roots.push_back(fs::canonical(d));
    ao.spec.build_hash = build_hash();
    ao.params_catalog_json = params_catalog(ro.mmhost);
    for (const std::string& d :
         o.session_dirs.empty() ? std::vector<std::string>{"runs"} : o.session_dirs)
      ao.session_dirs.push_back(fs::absolute(d));
    api::JobRunner runner(runs, ro);
    ao.workers_json = [&runner, id = ro.worker_id, scale_out] {
      return nlohmann::json{{"mode", scale_out ? "postgresql+redis" : "in-process"},
                            {"worker", id},
                            {"slots", runner.slots()},
                            {"busy", runner.busy()}}
          .dump();
    };
    api::ApiServer server(runs, ao);
    runner.start();
    out << "mmhost serve: " << server.url() << " (store " << fs::absolute(o.store).string() << ", "
        << ro.slots << " worker" << (ro.slots == 1 ? "" : "s") << ")\n"
        << "  token: "
        << (token_given ? "as given"
                        : "in " + (fs::absolute(o.store) / "api-token").string() + " (0600)")
        << "; POST calls need Authorization: Bearer <token>\n"
        << "  Ctrl-C stops; queued and running runs continue at the next start\n"
        << std::flush;
    if (!o.ready_file.empty()) {
      std::ofstream(o.ready_file + ".tmp") << server.url() << "\n";
      fs::rename(o.ready_file + ".tmp", o.ready_file);
    }
    wait_for_signal();
    out << "mmhost serve: stopping (running runs go back to the queue)\n" << std::flush;
    runner.stop();
    return 0;
  } catch (const std::exception& e) {
    err << "mmhost serve: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace mmh
