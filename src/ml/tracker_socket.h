#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::ml {

/// Is a POSIX file descriptor, closed on destruction (-1: none).
class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  ~FileDescriptor() { Close(); }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;

  int get() const { return fd_; }
  /// Closes the descriptor now (a no-op when there is none).
  void Close();

 private:
  int fd_ = -1;
};

/// Is a flag that wakes every wait of the tracker's sockets: raised once, it stays raised.
/// Raise is thread-safe.
class StopSignal {
 public:
  /// Throws IoError when it cannot make its pipe.
  StopSignal();
  /// Wakes the waits, now and later.
  void Raise();
  /// Returns the descriptor that turns readable once raised.
  int fd() const { return read_end_.get(); }

 private:
  FileDescriptor read_end_;
  FileDescriptor write_end_;
};

/// Is thrown by a wait that ended because the StopSignal was raised.
struct TrackerStopped {};

/// Is one accepted connection speaking rabit's tracker format: native-endian 32-bit integers and
/// strings as a length then the bytes. Every wait ends after the I/O timeout (IoError naming the
/// peer) or when the stop signal is raised (TrackerStopped). Not thread-safe.
class TrackerConnection {
 public:
  TrackerConnection(FileDescriptor fd, std::string host, std::string peer, const StopSignal& stop,
                    std::chrono::milliseconds timeout);

  /// Returns the peer's numeric IP address, the one its peers should connect to.
  const std::string& host() const { return host_; }
  /// Returns "ip:port" of the peer, for messages.
  const std::string& peer() const { return peer_; }
  int32_t RecvInt();
  void SendInt(int32_t value);
  /// Receives a string, throwing DataError when its length is negative or above `max_size`.
  std::string RecvString(size_t max_size);
  void SendString(std::string_view text);

 private:
  void Wait(short events);
  void RecvBytes(char* data, size_t size);
  void SendBytes(const char* data, size_t size);

  FileDescriptor fd_;
  std::string host_;
  std::string peer_;
  const StopSignal* stop_;
  std::chrono::milliseconds timeout_;
};

/// Is a listening TCP socket whose accepts end when a stop signal is raised. Not thread-safe.
class TrackerListener {
 public:
  /// Listens on `host`:`port` (0: a free port). Throws IoError naming the address on failure.
  TrackerListener(const std::string& host, int port);
  /// Returns the port it listens on.
  int port() const { return port_; }
  /// Waits for the next connection; returns nullopt once `stop` is raised. Connections get
  /// `timeout` for each wait.
  std::optional<TrackerConnection> Accept(const StopSignal& stop,
                                          std::chrono::milliseconds timeout);
  /// Stops listening: later connection attempts are refused.
  void Close() { fd_.Close(); }

 private:
  FileDescriptor fd_;
  int port_ = 0;
};

}  // namespace sluice::ml
