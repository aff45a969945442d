// A temporary workspace with the terminal venom registered over real
// processes, a launcher that records each start (and can be told to fail),
// helpers to call the ops through the registry's checked Call (input and
// output schemas enforced), and a scan of /proc for processes left behind.
#pragma once

#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/ns/mount_table.h"
#include "core/ns/workspace.h"
#include "core/proc/session.h"
#include "core/venoms/registry.h"
#include "core/venoms/terminal/terminal_venom.h"
#include "tests/core/proc/proc_test_util.h"
#include "tests/support/fake_venom_context.h"
#include "tests/support/temp_dir.h"

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

class TerminalVenomTest : public ::testing::Test {
 protected:
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
    registry_.reset();  // kills the sessions of the previous one
    ns::MountTable table;
    Result<ns::Source> source = ns::Source::Parse(tmp_.Join("ws"));
    ASSERT_TRUE(source.ok()) << source.status();
    ASSERT_TRUE(table.Add("/", *source).ok());
    Result<std::unique_ptr<ns::Workspace>> ws = ns::Workspace::Open("w1", "test", std::move(table), false);
    ASSERT_TRUE(ws.ok()) << ws.status();
    workspaces_ = std::make_unique<ns::Workspaces>();
    workspaces_->Add(std::move(ws).value());
    registry_ = std::make_unique<Registry>();
    options.launcher = &launcher_;
    if (options.term_grace == TerminalOptions{}.term_grace) options.term_grace = std::chrono::milliseconds(300);
    RegisterTerminalVenom(*registry_, *workspaces_, options);
  }

  Result<Reply> Call(const std::string& op, const Json& args) { return Call(ctx_, op, args); }
  Result<Reply> Call(Context& ctx, const std::string& op, const Json& args) {
    const Op* found = registry_->Find("terminal", op);
    if (found == nullptr) return Status::NotFound("no op terminal_" + op);
    return registry_->Call(ctx, *found, args);
  }
  // The reply's data, failing the test when the call failed.
  Json Data(const std::string& op, const Json& args) {
    Result<Reply> r = Call(op, args);
    EXPECT_TRUE(r.ok()) << "terminal_" << op << " " << args.dump() << ": " << r.status();
    return r.ok() ? r->data : Json::object();
  }
  static std::string Text(const Reply& reply) {
    std::string out;
    if (reply.content.is_array()) {
      for (const Json& block : reply.content) {
        if (block.value("type", "") == "text") out += block.value("text", "");
      }
    }
    return out;
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

  // Pids of running processes whose command line contains `marker`.
  static std::vector<pid_t> ProcessesWith(const std::string& marker) {
    std::vector<pid_t> out;
    DIR* dir = opendir("/proc");
    if (dir == nullptr) return out;
    while (dirent* e = readdir(dir)) {
      char* end = nullptr;
      long pid = strtol(e->d_name, &end, 10);
      if (end == e->d_name || *end != '\0' || pid == getpid()) continue;
      std::string cmd = proc::testing::ReadProcFile(std::string("/proc/") + e->d_name + "/cmdline");
      std::string stat = proc::testing::ReadProcFile(std::string("/proc/") + e->d_name + "/stat");
      size_t paren = stat.rfind(')');
      bool zombie = paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
      if (!zombie && cmd.find(marker) != std::string::npos) out.push_back(static_cast<pid_t>(pid));
    }
    closedir(dir);
    return out;
  }
  // Killed processes take a moment to finish dying.
  static bool NoProcessWith(const std::string& marker) {
    for (int i = 0; i < 3000; ++i) {
      if (ProcessesWith(marker).empty()) return true;
      usleep(10'000);
    }
    return false;
  }
  // Waits (generously) until `count` processes carry `marker`.
  static bool ProcessesAppear(const std::string& marker, size_t count = 1) {
    for (int i = 0; i < 6000; ++i) {
      if (ProcessesWith(marker).size() >= count) return true;
      usleep(10'000);
    }
    return false;
  }

  weft::testing::ScopedTempDir tmp_;
  FakeVenomContext ctx_;
  RecordingLauncher launcher_;
  std::unique_ptr<ns::Workspaces> workspaces_;
  std::unique_ptr<Registry> registry_;
};

}  // namespace weft::venoms
