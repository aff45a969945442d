// A temporary workspace with the search venom registered over the real rg,
// a spawner that records each run, and helpers to call the ops through the
// registry's checked Call (input and output schemas enforced).
#pragma once

#include <dirent.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/ns/mount_table.h"
#include "core/ns/workspace.h"
#include "core/proc/spawn.h"
#include "core/venoms/registry.h"
#include "core/venoms/search/search_venom.h"
#include "tests/support/fake_venom_context.h"
#include "tests/support/temp_dir.h"

namespace weft::venoms {

// Runs through the system spawner and keeps every spec's argv and result.
class RecordingSpawner : public proc::Spawner {
 public:
  Result<proc::ProcessResult> Run(const proc::ProcessSpec& spec) override {
    Result<proc::ProcessResult> r = proc::SystemSpawner().Run(spec);
    std::lock_guard<std::mutex> lock(mu_);
    argvs_.push_back(spec.argv);
    if (r.ok()) results_.push_back(*r);
    return r;
  }
  std::vector<std::vector<std::string>> argvs() const {
    std::lock_guard<std::mutex> lock(mu_);
    return argvs_;
  }
  std::vector<proc::ProcessResult> results() const {
    std::lock_guard<std::mutex> lock(mu_);
    return results_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::vector<std::string>> argvs_;
  std::vector<proc::ProcessResult> results_;
};

class SearchVenomTest : public ::testing::Test {
 protected:
  // The workspace is tmp_/ws, bound at "/"; tmp_/outside is a sibling that
  // nothing may reach.
  void SetUp() override {
    if (!HaveRipgrep()) GTEST_SKIP() << "ripgrep (rg) is not installed";
    std::filesystem::create_directories(tmp_.Join("ws"));
    tmp_.WriteFile("outside/secret.txt", "needle outside\n");
    Rebind({{"/", tmp_.Join("ws")}});
  }

  static bool HaveRipgrep() { return proc::FindProgram("rg", getenv("PATH") ? getenv("PATH") : "").ok(); }

  // Replaces the workspace (binds: namespace path → "/abs/dir[:ro]") and
  // registers the venom with `options` (its spawner is always ours).
  void Rebind(const std::vector<std::pair<std::string, std::string>>& binds, SearchOptions options = {}) {
    ns::MountTable table;
    for (const auto& [path, spec] : binds) {
      Result<ns::Source> source = ns::Source::Parse(spec);
      ASSERT_TRUE(source.ok()) << source.status();
      ASSERT_TRUE(table.Add(path, *source).ok());
    }
    Result<std::unique_ptr<ns::Workspace>> ws = ns::Workspace::Open("w1", "test", std::move(table), false);
    ASSERT_TRUE(ws.ok()) << ws.status();
    workspaces_ = std::make_unique<ns::Workspaces>();
    workspaces_->Add(std::move(ws).value());
    registry_ = std::make_unique<Registry>();
    options.spawner = &spawner_;
    RegisterSearchVenom(*registry_, *workspaces_, options);
  }

  void Write(const std::string& rel, const std::string& content) { tmp_.WriteFile("ws/" + rel, content); }

  Result<Reply> Call(const std::string& op, const Json& args) { return Call(ctx_, op, args); }
  Result<Reply> Call(Context& ctx, const std::string& op, const Json& args) {
    const Op* found = registry_->Find("search", op);
    if (found == nullptr) return Status::NotFound("no op search_" + op);
    return registry_->Call(ctx, *found, args);
  }
  // The reply's data, failing the test when the call failed.
  Json Data(const std::string& op, const Json& args) {
    Result<Reply> r = Call(op, args);
    EXPECT_TRUE(r.ok()) << "search_" << op << " " << args.dump() << ": " << r.status();
    return r.ok() ? r->data : Json();
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
  // "path:line" of every match, in order.
  static std::vector<std::string> Where(const Json& data) {
    std::vector<std::string> out;
    for (const Json& m : data["matches"]) {
      out.push_back(m["path"].get<std::string>() + ":" + std::to_string(m["line"].get<int>()));
    }
    return out;
  }
  static std::vector<std::string> Files(const Json& data) {
    std::vector<std::string> out;
    for (const Json& f : data["files"]) out.push_back(f.get<std::string>());
    return out;
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
      std::ifstream in(std::string("/proc/") + e->d_name + "/cmdline");
      std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::ifstream st(std::string("/proc/") + e->d_name + "/stat");
      std::string stat((std::istreambuf_iterator<char>(st)), std::istreambuf_iterator<char>());
      size_t paren = stat.rfind(')');
      bool zombie = paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
      if (!zombie && cmd.find(marker) != std::string::npos) out.push_back(static_cast<pid_t>(pid));
    }
    closedir(dir);
    return out;
  }
  // Killed processes take a moment to finish dying.
  static bool NoProcessWith(const std::string& marker) {
    for (int i = 0; i < 1000; ++i) {
      if (ProcessesWith(marker).empty()) return true;
      usleep(10'000);
    }
    return false;
  }

  weft::testing::ScopedTempDir tmp_;
  FakeVenomContext ctx_;
  RecordingSpawner spawner_;
  std::unique_ptr<ns::Workspaces> workspaces_;
  std::unique_ptr<Registry> registry_;
};

}  // namespace weft::venoms
