#include "cli/foreground.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include <fmt/chrono.h>
#include <fmt/format.h>

namespace sluice::cli {

std::atomic<bool> stop_requested{false};

namespace {

std::atomic<int> signals_received{0};
const char* stop_message = "";
struct sigaction old_interrupt {};
struct sigaction old_terminate {};

void OnSignal(int) {
  if (signals_received.fetch_add(1) > 0) std::_Exit(130);
  stop_requested = true;
  if (::write(STDERR_FILENO, stop_message, std::strlen(stop_message)) < 0) return;
}

}  // namespace

StopSignals::StopSignals(const char* message) {
  stop_message = message;
  stop_requested = false;
  signals_received = 0;
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &old_interrupt);
  sigaction(SIGTERM, &action, &old_terminate);
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &old_interrupt, nullptr);
  sigaction(SIGTERM, &old_terminate, nullptr);
}

void Console::Print(std::string_view line) {
  std::lock_guard lock(mutex_);
  // Not std::time(): its coarse clock can lag the system clock by a tick.
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::cout << fmt::format("{:%Y-%m-%d %H:%M:%S} {}", fmt::gmtime(now), line) << std::endl;
}

}  // namespace sluice::cli
