// A temporary workspace with the search venom registered over the real rg,
// a spawner that records each run, and helpers to call the ops through the
// registry's checked Call (input and output schemas enforced).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/proc/spawn.h"
#include "core/venoms/search/search_venom.h"
#include "tests/core/proc/proc_test_util.h"
#include "tests/core/venoms/venom_fixture.h"

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

class SearchVenomTest : public VenomTest {
 protected:
  SearchVenomTest() : VenomTest("search") {}

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
    MakeWorkspace(binds, false);
    options.spawner = &spawner_;
    RegisterSearchVenom(*registry_, *workspaces_, options);
  }

  void Write(const std::string& rel, const std::string& content) { tmp_.WriteFile("ws/" + rel, content); }

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


  // Killed processes take a moment to finish dying.
  static bool NoProcessWith(const std::string& marker) {
    return proc::testing::NoProcessWith(marker, std::chrono::seconds(10));
  }

  RecordingSpawner spawner_;
};

}  // namespace weft::venoms
