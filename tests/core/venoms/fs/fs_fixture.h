// A temporary workspace with the fs venom registered, and a call helper that
// goes through the registry's checked Call (input and output schemas enforced).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "core/ns/mount_table.h"
#include "core/ns/workspace.h"
#include "core/venoms/fs/fs_venom.h"
#include "core/venoms/registry.h"
#include "tests/support/fake_venom_context.h"
#include "tests/support/temp_dir.h"

namespace weft::venoms {

class FsVenomTest : public ::testing::Test {
 protected:
  // The workspace is tmp_/ws, bound at "/"; tmp_/outside is a sibling that
  // nothing may reach. Subclasses may call Rebind before the first Call.
  void SetUp() override {
    std::filesystem::create_directories(tmp_.Join("ws"));
    tmp_.WriteFile("outside/secret", "secret");
    Rebind({{"/", tmp_.Join("ws")}}, false);
  }

  // Replaces the workspace: `binds` maps namespace paths to host specs
  // ("/abs/dir" or "/abs/dir:ro").
  void Rebind(const std::vector<std::pair<std::string, std::string>>& binds, bool read_only) {
    ns::MountTable table;
    for (const auto& [path, spec] : binds) {
      Result<ns::Source> source = ns::Source::Parse(spec);
      ASSERT_TRUE(source.ok()) << source.status();
      ASSERT_TRUE(table.Add(path, *source).ok());
    }
    Result<std::unique_ptr<ns::Workspace>> ws = ns::Workspace::Open("w1", "test", std::move(table), read_only);
    ASSERT_TRUE(ws.ok()) << ws.status();
    workspaces_ = std::make_unique<ns::Workspaces>();
    workspaces_->Add(std::move(ws).value());
    registry_ = std::make_unique<Registry>();
    RegisterFsVenom(*registry_, *workspaces_);
  }

  // Calls fs_<op> with `args`; the Result carries the reply or the error.
  Result<Reply> Call(const std::string& op, const Json& args) {
    const Op* found = registry_->Find("fs", op);
    if (found == nullptr) return Status::NotFound("no op fs_" + op);
    return registry_->Call(ctx_, *found, args);
  }
  // The reply's data, failing the test when the call failed.
  Json Data(const std::string& op, const Json& args) {
    Result<Reply> r = Call(op, args);
    EXPECT_TRUE(r.ok()) << "fs_" << op << " " << args.dump() << ": " << r.status();
    return r.ok() ? r->data : Json();
  }
  // The concatenated text blocks of the reply's content.
  static std::string Text(const Reply& reply) {
    std::string out;
    if (reply.content.is_array()) {
      for (const Json& block : reply.content) {
        if (block.value("type", "") == "text") out += block.value("text", "");
      }
    }
    return out;
  }

  weft::testing::ScopedTempDir tmp_;
  FakeVenomContext ctx_;
  std::unique_ptr<ns::Workspaces> workspaces_;
  std::unique_ptr<Registry> registry_;
};

}  // namespace weft::venoms
