#include "ml/tracker_socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "base/error.h"

namespace sluice::ml {
namespace {

using Clock = std::chrono::steady_clock;

/// Returns "what: the error of errno".
std::string SystemError(std::string_view what) {
  return fmt::format("{}: {}", what, std::strerror(errno));
}

/// Returns the numeric host and "host:port" of `address`.
std::pair<std::string, std::string> NameAddress(const sockaddr* address, socklen_t length) {
  char host[NI_MAXHOST] = "?";
  char service[NI_MAXSERV] = "?";
  getnameinfo(address, length, host, sizeof(host), service, sizeof(service),
              NI_NUMERICHOST | NI_NUMERICSERV);
  return {host, fmt::format("{}:{}", host, service)};
}

/// Returns a socket bound to `address` and listening, or an invalid descriptor (errno set).
FileDescriptor BindAndListen(const addrinfo& address) {
  FileDescriptor fd(
      socket(address.ai_family, address.ai_socktype | SOCK_CLOEXEC, address.ai_protocol));
  if (fd.get() < 0) return fd;
  int on = 1;
  setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (bind(fd.get(), address.ai_addr, address.ai_addrlen) != 0 || listen(fd.get(), 256) != 0) {
    int error = errno;
    fd.Close();
    errno = error;
  }
  return fd;
}

}  // namespace

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void FileDescriptor::Close() {
  if (fd_ >= 0) close(std::exchange(fd_, -1));
}

StopSignal::StopSignal() {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC | O_NONBLOCK) != 0) {
    Throw<IoError>("{}", SystemError("cannot make the XGBoost tracker's stop pipe"));
  }
  read_end_ = FileDescriptor(ends[0]);
  write_end_ = FileDescriptor(ends[1]);
}

void StopSignal::Raise() {
  // One byte that nobody reads keeps the read end readable for every later poll.
  const char byte = 1;
  [[maybe_unused]] ssize_t written = write(write_end_.get(), &byte, 1);
}

TrackerConnection::TrackerConnection(FileDescriptor fd, std::string host, std::string peer,
                                     const StopSignal& stop, std::chrono::milliseconds timeout)
    : fd_(std::move(fd)),
      host_(std::move(host)),
      peer_(std::move(peer)),
      stop_(&stop),
      timeout_(timeout) {}

int32_t TrackerConnection::RecvInt() {
  int32_t value = 0;
  RecvBytes(reinterpret_cast<char*>(&value), sizeof(value));
  return value;
}

void TrackerConnection::SendInt(int32_t value) {
  SendBytes(reinterpret_cast<const char*>(&value), sizeof(value));
}

std::string TrackerConnection::RecvString(size_t max_size) {
  int32_t size = RecvInt();
  if (size < 0 || static_cast<size_t>(size) > max_size) {
    Throw<DataError>("worker at {} sent a string of {} bytes (at most {} allowed)", peer_, size,
                     max_size);
  }
  std::string text(static_cast<size_t>(size), '\0');
  RecvBytes(text.data(), text.size());
  return text;
}

void TrackerConnection::SendString(std::string_view text) {
  SendInt(static_cast<int32_t>(text.size()));
  SendBytes(text.data(), text.size());
}

void TrackerConnection::Wait(short events) {
  const auto deadline = Clock::now() + timeout_;
  for (;;) {
    pollfd fds[] = {{fd_.get(), events, 0}, {stop_->fd(), POLLIN, 0}};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    int ready = poll(fds, 2, static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) Throw<IoError>("{}", SystemError("cannot poll the XGBoost tracker's socket"));
    if (fds[1].revents != 0) throw TrackerStopped{};
    if (fds[0].revents != 0) return;
    if (ready == 0) {
      Throw<IoError>("worker at {} sent nothing for {} ms", peer_, timeout_.count());
    }
  }
}

void TrackerConnection::RecvBytes(char* data, size_t size) {
  while (size > 0) {
    Wait(POLLIN);
    ssize_t received = recv(fd_.get(), data, size, MSG_DONTWAIT);
    if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
    if (received < 0) Throw<IoError>("{}", SystemError(fmt::format("cannot read from {}", peer_)));
    if (received == 0) Throw<IoError>("worker at {} closed the connection too early", peer_);
    data += received;
    size -= static_cast<size_t>(received);
  }
}

void TrackerConnection::SendBytes(const char* data, size_t size) {
  while (size > 0) {
    Wait(POLLOUT);
    ssize_t sent = send(fd_.get(), data, size, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
    if (sent < 0) Throw<IoError>("{}", SystemError(fmt::format("cannot write to {}", peer_)));
    data += sent;
    size -= static_cast<size_t>(sent);
  }
}

TrackerListener::TrackerListener(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  if (int status = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); status != 0) {
    Throw<IoError>("cannot resolve the XGBoost tracker's host '{}': {}", host,
                   gai_strerror(status));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, &freeaddrinfo);
  for (const addrinfo* address = found; address != nullptr && fd_.get() < 0;
       address = address->ai_next) {
    fd_ = BindAndListen(*address);
  }
  if (fd_.get() < 0) {
    Throw<IoError>("{}", SystemError(fmt::format("cannot listen on {}:{}", host, port)));
  }
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&bound), &length);
  char service_name[NI_MAXSERV] = "0";
  getnameinfo(reinterpret_cast<sockaddr*>(&bound), length, nullptr, 0, service_name,
              sizeof(service_name), NI_NUMERICSERV);
  port_ = std::stoi(service_name);
}

std::optional<TrackerConnection> TrackerListener::Accept(const StopSignal& stop,
                                                         std::chrono::milliseconds timeout) {
  for (;;) {
    pollfd fds[] = {{fd_.get(), POLLIN, 0}, {stop.fd(), POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      Throw<IoError>("{}", SystemError("cannot poll the XGBoost tracker's socket"));
    }
    if (fds[1].revents != 0) return std::nullopt;
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    FileDescriptor fd(accept4(fd_.get(), reinterpret_cast<sockaddr*>(&address), &length,
                              SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (fd.get() < 0) continue;  // the peer gave up already, or a transient error
    auto [host, peer] = NameAddress(reinterpret_cast<sockaddr*>(&address), length);
    return TrackerConnection(std::move(fd), std::move(host), std::move(peer), stop, timeout);
  }
}

}  // namespace sluice::ml
