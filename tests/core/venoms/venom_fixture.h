// What every venom's test fixture shares: a temporary directory, a workspace
// made of binds, and calls through the registry's checked Call (input and
// output schemas enforced). Each venom's fixture derives from VenomTest,
// registers its venom into registry_ after MakeWorkspace, and adds its own
// helpers.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/base/json.h"
#include "core/ns/mount_table.h"
#include "core/ns/workspace.h"
#include "core/venoms/registry.h"
#include "tests/support/fake_venom_context.h"
#include "tests/support/temp_dir.h"

namespace weft::venoms {

class VenomTest : public ::testing::Test {
 protected:
  explicit VenomTest(std::string venom) : venom_(std::move(venom)) {}

  // Replaces workspaces_ with one workspace (`id`) whose `binds` map
  // namespace paths to host specs ("/abs/dir" or "/abs/dir:ro"), and
  // registry_ with an empty registry for the venom to be registered into.
  void MakeWorkspace(const std::vector<std::pair<std::string, std::string>>& binds, bool read_only,
                     const std::string& id = "w1") {
    registry_.reset();  // before the workspaces its handlers refer to
    ns::MountTable table;
    for (const auto& [path, spec] : binds) {
      Result<ns::Source> source = ns::Source::Parse(spec);
      ASSERT_TRUE(source.ok()) << source.status();
      ASSERT_TRUE(table.Add(path, *source).ok());
    }
    Result<std::unique_ptr<ns::Workspace>> ws = ns::Workspace::Open(id, "test", std::move(table), read_only);
    ASSERT_TRUE(ws.ok()) << ws.status();
    workspaces_ = std::make_unique<ns::Workspaces>();
    workspaces_->Add(std::move(ws).value());
    registry_ = std::make_unique<Registry>();
  }

  // Calls <venom>_<op> with `args`; the Result carries the reply or the error.
  // A reply whose data the op wrote as JSON text (Reply::data_json) comes
  // back with it parsed into `data` as well; the text must be exactly what
  // the value would give (AppendJson's form), or the test fails.
  Result<Reply> Call(const std::string& op, const Json& args) { return Call(ctx_, op, args); }
  Result<Reply> Call(Context& ctx, const std::string& op, const Json& args) {
    const Op* found = registry_->Find(venom_, op);
    if (found == nullptr) return Status::NotFound("no op " + venom_ + "_" + op);
    Result<Reply> reply = registry_->Call(ctx, *found, args);
    if (reply.ok() && !reply->data_json.empty()) {
      EXPECT_EQ(reply->data_json, DumpJson(reply->data)) << venom_ << "_" << op << " " << args.dump();
    }
    return reply;
  }
  // The reply's data, failing the test when the call failed.
  Json Data(const std::string& op, const Json& args) {
    Result<Reply> r = Call(op, args);
    EXPECT_TRUE(r.ok()) << venom_ << "_" << op << " " << args.dump() << ": " << r.status();
    return r.ok() ? r->data : Json::object();
  }
  // The call's error, failing the test when it succeeded.
  Status Error(const std::string& op, const Json& args) {
    Result<Reply> r = Call(op, args);
    EXPECT_FALSE(r.ok()) << venom_ << "_" << op << " " << args.dump()
                         << " succeeded: " << (r.ok() ? r->data.dump() : "");
    return r.ok() ? Status::Ok() : r.status();
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

 private:
  std::string venom_;
};

}  // namespace weft::venoms
