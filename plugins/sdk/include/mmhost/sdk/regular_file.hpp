// Files a user or a script names. Reading: only regular files, never blocking on a FIFO, never
// touching a device, and never more than a stated size. Writing: an output appears whole, by
// rename from a new temporary file, and replaces only a regular file. Host and plugins share it.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace mmh::sdk {

class FileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline const char* file_type_name(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// An open descriptor of a regular file (symlinks followed), closed on destruction. The type is
// checked before opening (a device is never opened) and again on the descriptor (the path may
// have been swapped in between); O_NONBLOCK keeps a FIFO swapped in from blocking the open.
class RegularFile {
 public:
  explicit RegularFile(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw FileError(path + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
      throw FileError(path + ": " + file_type_name(st.st_mode) + ", not a regular file");
    fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd_ < 0) throw FileError(path + ": " + std::strerror(errno));
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      throw FileError(path + ": not a regular file");
    }
    size_bytes_ = static_cast<uint64_t>(st.st_size);
  }
  ~RegularFile() { ::close(fd_); }
  RegularFile(const RegularFile&) = delete;
  RegularFile& operator=(const RegularFile&) = delete;

  int fd() const { return fd_; }
  uint64_t size_bytes() const { return size_bytes_; }

  // Reads up to `length` bytes at `offset`; fewer only at the end of the file.
  size_t read_at(void* out, size_t length, uint64_t offset, const std::string& path) const {
    size_t got = 0;
    while (got < length) {
      const ssize_t n = ::pread(fd_, static_cast<char*>(out) + got, length - got,
                                static_cast<off_t>(offset + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw FileError(path + ": read error: " + std::strerror(errno));
      if (n == 0) break;
      got += static_cast<size_t>(n);
    }
    return got;
  }

 private:
  int fd_ = -1;
  uint64_t size_bytes_ = 0;
};

// The whole file, refused past `max_bytes` (the message states the limit).
inline std::string read_regular_file(const std::string& path, uint64_t max_bytes) {
  const RegularFile file(path);
  if (file.size_bytes() > max_bytes)
    throw FileError(path + ": " + std::to_string(file.size_bytes()) + " bytes, over the limit of " +
                    std::to_string(max_bytes));
  std::string bytes(static_cast<size_t>(file.size_bytes()), '\0');
  bytes.resize(file.read_at(bytes.data(), bytes.size(), 0, path));
  return bytes;
}

// Throws unless `path` may be replaced by an output file: it does not exist yet, or it is a
// regular file (not a device such as /dev/null, a FIFO, a directory or a symbolic link).
inline void check_replaceable(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    throw FileError(path + ": " + std::strerror(errno));
  }
  if (S_ISLNK(st.st_mode))
    throw FileError(path + ": a symbolic link; name the file itself or a new path");
  if (!S_ISREG(st.st_mode))
    throw FileError(path + ": " + file_type_name(st.st_mode) +
                    ", not a regular file; refusing to replace it (name a file or a new path)");
}

// The temporary file behind an output that appears whole: created new and exclusively beside
// `path` (so never an existing FIFO, device or link), renamed over `path` by commit(), removed
// if never committed.
class TempOutput {
 public:
  explicit TempOutput(const std::string& path) : path_(path) {
    check_replaceable(path);
    for (int attempt = 0;; ++attempt) {
      temp_ = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(attempt);
      fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
      if (fd_ >= 0) break;
      if (errno != EEXIST || attempt >= 100) throw FileError(temp_ + ": " + std::strerror(errno));
    }
  }
  ~TempOutput() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temp_.c_str());
  }
  TempOutput(const TempOutput&) = delete;
  TempOutput& operator=(const TempOutput&) = delete;

  int fd() const { return fd_; }
  // Where to write (for writers that open by name: the file exists and is this one's).
  const std::string& temp_path() const { return temp_; }

  void write(const void* data, size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
      const ssize_t n = ::write(fd_, p, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw FileError(temp_ + ": " + std::strerror(errno));
      p += n;
      size -= static_cast<size_t>(n);
    }
  }

  // Closes (after fsync when `sync`) and renames over the path, checked again just before.
  void commit(bool sync = false) {
    if (sync && ::fsync(fd_) != 0) throw FileError(temp_ + ": " + std::strerror(errno));
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw FileError(temp_ + ": " + std::strerror(errno));
    check_replaceable(path_);
    if (::rename(temp_.c_str(), path_.c_str()) != 0)
      throw FileError(path_ + ": " + std::strerror(errno));
    committed_ = true;
  }

 private:
  std::string path_;
  std::string temp_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace mmh::sdk
