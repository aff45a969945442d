// A temporary workspace with the terminal venom registered over real
// processes, a launcher that records each start (and can be told to fail),
// helpers to call the ops through the registry's checked Call (input and
// output schemas enforced), and a scan of /proc for processes left behind.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/proc/session.h"
#include "core/venoms/terminal/terminal_venom.h"
#include "tests/core/proc/proc_test_util.h"
#include "tests/core/venoms/venom_fixture.h"

namespace weft::venoms {

// Starts real sessions and keeps every spec's argv and environment; fails
// with `fail_with` when that is set.
class RecordingLauncher : public proc::SessionLauncher {
 public:
  Result<std::unique_ptr<proc::Session>> Start(const proc::SessionSpec& spec) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      specs_.push_back(spec);
      if (fail_with_) return *fail_with_;
    }
    return proc::SystemSessionLauncher().Start(spec);
  }
  std::vector<proc::SessionSpec> specs() const {
    std::lock_guard<std::mutex> lock(mu_);
    return specs_;
  }
  void FailWith(Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_with_ = std::move(status);
  }

 private:
  mutable std::mutex mu_;
  std::vector<proc::SessionSpec> specs_;
  std::optional<Status> fail_with_;
};

class TerminalVenomTest : public VenomTest {
 protected:
  TerminalVenomTest() : VenomTest("terminal") {}

  using Clock = std::chrono::steady_clock;

  // The workspace is tmp_/ws, bound at "/"; tmp_/outside is a sibling that
  // nothing may reach.
  void SetUp() override {
    std::filesystem::create_directories(tmp_.Join("ws/sub"));
    tmp_.WriteFile("outside/secret.txt", "secret\n");
    Register({});
  }
  void TearDown() override { registry_.reset(); }

  // A fresh registry with the venom registered with `options` (the launcher
  // is always ours; the stop ladder is short unless the test says otherwise).
  void Register(TerminalOptions options) {
    MakeWorkspace({{"/", tmp_.Join("ws")}}, false);  // first drops the old registry, killing its sessions
    options.launcher = &launcher_;
    if (options.term_grace == TerminalOptions{}.term_grace) options.term_grace = std::chrono::milliseconds(300);
    RegisterTerminalVenom(*registry_, *workspaces_, options);
  }

  // Reads `session` (following the default offsets) until its stdout so far
  // holds `text` or it exits; returns all stdout seen.
  std::string ReadUntil(const std::string& session, const std::string& text, std::string* seen = nullptr) {
    std::string all = seen != nullptr ? *seen : "";
    auto until = Clock::now() + std::chrono::seconds(60);
    while (all.find(text) == std::string::npos && Clock::now() < until) {
      Json r = Data("read", {{"session", session}, {"wait_ms", 1000}});
      if (!r.contains("stdout")) break;
      all += r["stdout"]["text"].get<std::string>();
      if (r["state"] == "exited" && r["stdout"]["next_offset"] == r["stdout"]["total_bytes"]) break;
    }
    if (seen != nullptr) *seen = all;
    return all;
  }
  // Reads until the session exits; the last reply.
  Json ReadUntilExit(const std::string& session) {
    auto until = Clock::now() + std::chrono::seconds(300);
    Json r;
    do {
      r = Data("read", {{"session", session}, {"until", "exit"}, {"wait_ms", 10000}, {"offset", 0}});
    } while (r.value("state", "") == "running" && Clock::now() < until);
    return r;
  }

  static std::vector<pid_t> ProcessesWith(const std::string& marker) { return proc::testing::ProcessesWith(marker); }
  // Killed processes take a moment to finish dying.
  static bool NoProcessWith(const std::string& marker) {
    return proc::testing::NoProcessWith(marker, std::chrono::seconds(30));
  }
  // Waits (generously) until `count` processes carry `marker`.
  static bool ProcessesAppear(const std::string& marker, size_t count = 1) {
    return proc::testing::ProcessesAppear(marker, count, std::chrono::seconds(60));
  }

  RecordingLauncher launcher_;
};

}  // namespace weft::venoms
