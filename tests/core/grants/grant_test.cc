// The grant model: JSON requests, denials, Derive's narrowing rules, and the
// property that a derived grant never allows what its parent does not,
// checked over thousands of random parent/request pairs.
#include "core/grants/grant.h"

#include <algorithm>
#include <random>
#include <tuple>
#include <string>
#include <vector>

#include <gtest/gtest.h>


namespace weft::grants {
namespace {

constexpr int64_t kNow = 1'700'000'000;

Grant Root(const GrantRequest& policy) {
  Result<Grant> g = Derive(Universal(), policy, kNow);
  EXPECT_TRUE(g.ok()) << g.status();
  return g.ok() ? *g : Grant();
}

Result<GrantRequest> Parse(const char* text) { return GrantRequestFromJson(Json::parse(text)); }

TEST(GrantRequest, ReadsEveryField) {
  Result<GrantRequest> r = Parse(R"({"tools":["fs_*"],"deny_tools":["fs_remove"],"read_paths":["src/","/docs/./a"],
      "write_paths":["/src"],"max_calls":10,"max_spawns":0,"expires_in":60})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r->tools, std::vector<std::string>{"fs_*"});
  EXPECT_EQ(r->deny_tools, std::vector<std::string>{"fs_remove"});
  EXPECT_EQ(*r->read_paths, (std::vector<std::string>{"/src", "/docs/a"}));
  EXPECT_EQ(*r->write_paths, std::vector<std::string>{"/src"});
  EXPECT_EQ(*r->max_calls, 10);
  EXPECT_EQ(*r->max_spawns, 0);
  EXPECT_EQ(*r->expires_in, 60);
  EXPECT_FALSE(r->expires_at.has_value());
  // ToJson gives back what reads the same.
  Result<GrantRequest> again = GrantRequestFromJson(r->ToJson());
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->ToJson(), r->ToJson());
}

TEST(GrantRequest, RefusesBadInputWithClearErrors) {
  struct Case {
    const char* json;
    const char* says;
  };
  const Case cases[] = {
      {R"({"tools":"fs_*"})", "/tools"},
      {R"({"tols":["*"]})", "\"tols\" is not allowed"},
      {R"({"tools":["fs_[rw]"]})", "'['"},
      {R"({"read_paths":["/a/../etc"]})", "'..'"},
      {R"({"max_calls":-1})", "/max_calls"},
      {R"({"expires_in":10,"expires_at":1800000000})", "not both"},
      {R"({"read_only":true,"write_paths":["/"]})", "contradict"},
      {R"([1,2])", "expected type object"},
  };
  for (const Case& c : cases) {
    Result<GrantRequest> r = Parse(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.json;
    EXPECT_NE(r.status().message().find(c.says), std::string::npos) << c.json << ": " << r.status();
  }
}

TEST(GrantRequest, RefusesHugeLists) {
  Json many = Json::array();
  for (int i = 0; i < 1000; ++i) many.push_back("fs_read");
  Result<GrantRequest> r = GrantRequestFromJson({{"tools", many}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/tools"), std::string::npos) << r.status();
}

TEST(Denial, RoundTripsThroughStatus) {
  for (Denial d : {Denial::kPermissionDenied, Denial::kRevoked, Denial::kExpired, Denial::kBudgetExceeded}) {
    Status s = DenialStatus(d, "because");
    EXPECT_EQ(DenialOf(s), d);
    EXPECT_EQ(DenialReason(s), "because");
    EXPECT_EQ(s.message(), std::string(DenialName(d)) + ": because");
  }
  EXPECT_EQ(DenialStatus(Denial::kBudgetExceeded, "x").code(), StatusCode::kResourceExhausted);
  EXPECT_FALSE(DenialOf(Status::PermissionDenied("cannot change /a: read-only bind")).has_value());
  EXPECT_FALSE(DenialOf(Status::NotFound("revoked: no")).has_value());
}

TEST(Grant, RootFromAnEmptyPolicyAllowsEverything) {
  Grant g = Root({});
  EXPECT_EQ(g.tools, std::vector<std::string>{"*"});
  EXPECT_EQ(g.read_paths, std::vector<std::string>{"/"});
  EXPECT_EQ(g.write_paths, std::vector<std::string>{"/"});
  EXPECT_FALSE(g.read_only());
  EXPECT_TRUE(AllowsTool(g, "anything_at_all"));
  EXPECT_TRUE(CanWrite(g, "/deep/file"));
}

TEST(Grant, ReadOnlyHasNoWritePaths) {
  GrantRequest r;
  r.read_only = true;
  Grant g = Root(r);
  EXPECT_TRUE(g.read_only());
  EXPECT_TRUE(CanRead(g, "/src/a.c"));
  EXPECT_FALSE(CanWrite(g, "/src/a.c"));
}

TEST(Grant, DenyWinsOverAllow) {
  GrantRequest r;
  r.tools = {"fs_*"};
  r.deny_tools = {"fs_remove", "fs_mo?e"};
  Grant g = Root(r);
  EXPECT_TRUE(AllowsTool(g, "fs_read"));
  EXPECT_FALSE(AllowsTool(g, "fs_remove"));
  EXPECT_FALSE(AllowsTool(g, "fs_move"));
  EXPECT_FALSE(AllowsTool(g, "git_status"));
}

TEST(Grant, PathPrefixesStopAtComponentBoundaries) {
  GrantRequest r;
  r.read_paths = {"/src"};
  r.write_paths = {"/src/gen"};
  Grant g = Root(r);
  EXPECT_TRUE(CanRead(g, "/src"));
  EXPECT_TRUE(CanRead(g, "/src/a.c"));
  EXPECT_FALSE(CanRead(g, "/src-evil/a.c"));
  EXPECT_FALSE(CanRead(g, "/"));
  EXPECT_TRUE(CanWrite(g, "/src/gen/x.c"));
  EXPECT_FALSE(CanWrite(g, "/src/a.c"));
}

TEST(Derive, KeepsWhatIsAskedWithinTheParent) {
  GrantRequest pr;
  pr.tools = {"fs_*", "search_*"};
  pr.read_paths = {"/src", "/docs"};
  pr.write_paths = {"/src"};
  Grant parent = Root(pr);
  parent.id = "gr_parent";
  GrantRequest r;
  r.tools = {"fs_read", "*"};  // "*" keeps the parent's own globs
  r.read_paths = {"/src/lib", "/"};
  Result<Grant> child = Derive(parent, r, kNow);
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(child->parent_id, "gr_parent");
  EXPECT_EQ(child->tools, (std::vector<std::string>{"fs_*", "search_*"}));  // fs_read lies within fs_*
  EXPECT_EQ(child->read_paths, (std::vector<std::string>{"/src", "/docs"}));
  EXPECT_EQ(child->write_paths, std::vector<std::string>{"/src"});
}

TEST(Derive, RefusesWhatTheParentLacks) {
  GrantRequest pr;
  pr.tools = {"fs_*"};
  pr.read_paths = {"/src"};
  pr.write_paths = {"/src/gen"};
  Grant parent = Root(pr);
  struct Case {
    GrantRequest request;
    const char* says;
  };
  std::vector<Case> cases(4);
  cases[0].request.tools = {"git_*"};
  cases[0].says = "tool glob 'git_*' is not within";
  cases[1].request.read_paths = {"/etc"};
  cases[1].says = "read path '/etc' is not within";
  cases[2].request.write_paths = {"/docs"};
  cases[2].says = "write path '/docs' is not within";
  cases[3].request.read_paths = {"/src/a"};
  cases[3].request.write_paths = {"/src/gen"};
  cases[3].says = "write path /src/gen is not within the read paths";
  for (const Case& c : cases) {
    Result<Grant> child = Derive(parent, c.request, kNow);
    ASSERT_FALSE(child.ok()) << c.says;
    EXPECT_EQ(child.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(child.status().message().find(c.says), std::string::npos) << child.status();
  }
}

TEST(Derive, ClampsBudgetsAndExpiryToTheParents) {
  GrantRequest pr;
  pr.max_calls = 10;
  pr.expires_at = kNow + 100;
  Grant parent = Root(pr);
  parent.calls = 7;
  GrantRequest r;
  r.max_calls = 50;
  r.max_spawns = 2;
  r.expires_in = 1000;
  Result<Grant> child = Derive(parent, r, kNow);
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(child->max_calls, 3);   // the parent's remaining
  EXPECT_EQ(child->max_spawns, 2);  // the parent has no spawn budget
  EXPECT_EQ(child->expires_at, kNow + 100);
  // A budget left out inherits what remains; a budget in the chain stays in every descendant.
  Result<Grant> grandchild = Derive(*child, {}, kNow);
  ASSERT_TRUE(grandchild.ok());
  EXPECT_EQ(grandchild->max_calls, 3);
}

TEST(Derive, WithoutWritePathsKeepsTheParentsWithinTheNewReads) {
  Grant parent = Root({});
  GrantRequest r;
  r.read_paths = {"/src"};
  Result<Grant> child = Derive(parent, r, kNow);
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(child->write_paths, std::vector<std::string>{"/src"});
}

TEST(Derive, FailsFromARevokedOrExpiredParent) {
  Grant parent = Root({});
  parent.id = "gr_p";
  parent.revoked_at = kNow - 5;
  Result<Grant> child = Derive(parent, {}, kNow);
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(DenialOf(child.status()), Denial::kRevoked);
  parent.revoked_at.reset();
  parent.expires_at = kNow;
  child = Derive(parent, {}, kNow);
  ASSERT_FALSE(child.ok());
  EXPECT_EQ(DenialOf(child.status()), Denial::kExpired);
}

// --- The property: thousands of random parents and requests. ---

class RandomGrants {
 public:
  explicit RandomGrants(uint32_t seed) : rng_(seed) {}

  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Coin() { return Int(0, 1) == 1; }

  std::string Glob() {
    static const char* kParts[] = {"fs_", "git_", "read", "write", "*", "?", "s", "_list"};
    std::string g;
    for (int n = Int(1, 3); n > 0; --n) g += kParts[Int(0, 7)];
    return g;
  }
  std::string ToolName() {
    static const char* kNames[] = {"fs_read",   "fs_write",  "git_read",   "git_write",  "fs_s",
                                   "git_s_list", "fs__list", "fs_readwrite", "readwrite", "s"};
    return kNames[Int(0, 9)];
  }
  std::string Path() {
    static const char* kParts[] = {"src", "docs", "a", "b"};
    std::string p;
    for (int n = Int(0, 3); n > 0; --n) p += std::string("/") + kParts[Int(0, 3)];
    return p.empty() ? "/" : p;
  }
  std::vector<std::string> Globs(int max) {
    std::vector<std::string> out;
    for (int n = Int(1, max); n > 0; --n) out.push_back(Glob());
    return out;
  }
  std::vector<std::string> Paths(int max) {
    std::vector<std::string> out;
    for (int n = Int(1, max); n > 0; --n) out.push_back(Path());
    return out;
  }
  std::optional<int64_t> Budget() { return Coin() ? std::optional<int64_t>(Int(0, 20)) : std::nullopt; }

  GrantRequest Request() {
    GrantRequest r;
    if (Coin()) r.tools = Globs(3);
    if (Coin()) r.deny_tools = Globs(2);
    if (Coin()) r.read_paths = Paths(3);
    if (Int(0, 3) == 0) {
      r.read_only = true;
    } else if (Coin()) {
      r.write_paths = Paths(2);
    }
    r.max_calls = Budget();
    r.max_spawns = Budget();
    if (Coin()) r.expires_in = Int(1, 1000);
    return r;
  }

 private:
  std::mt19937 rng_;
};

std::optional<int64_t> RemainingOf(const std::optional<int64_t>& max, int64_t used) {
  if (!max) return std::nullopt;
  return std::max<int64_t>(0, *max - used);
}

TEST(DeriveProperty, NeverAllowsWhatTheParentDoesNot) {
  RandomGrants gen(20260728);
  int derived = 0;
  for (int round = 0; round < 5000; ++round) {
    Result<Grant> parent = Derive(Universal(), gen.Request(), kNow);
    if (!parent.ok()) continue;
    parent->calls = gen.Int(0, 25);
    parent->spawns = gen.Int(0, 25);
    GrantRequest request = gen.Request();
    Result<Grant> child = Derive(*parent, request, kNow + gen.Int(0, 10));
    if (!child.ok()) {
      EXPECT_TRUE(child.status().code() == StatusCode::kInvalidArgument || DenialOf(child.status()).has_value())
          << child.status();
      continue;
    }
    ++derived;
    for (int probe = 0; probe < 20; ++probe) {
      std::string tool = gen.ToolName();
      if (AllowsTool(*child, tool)) {
        ASSERT_TRUE(AllowsTool(*parent, tool)) << tool;
      }
      std::string path = gen.Path() + (gen.Coin() ? "/x" : "");
      if (CanRead(*child, path)) {
        ASSERT_TRUE(CanRead(*parent, path)) << path;
      }
      if (CanWrite(*child, path)) {
        ASSERT_TRUE(CanWrite(*parent, path)) << path;
        ASSERT_TRUE(CanRead(*child, path)) << "write without read: " << path;
      }
    }
    for (const auto& [child_max, parent_max, used] :
         {std::tuple(child->max_calls, parent->max_calls, parent->calls),
          std::tuple(child->max_spawns, parent->max_spawns, parent->spawns)}) {
      std::optional<int64_t> remaining = RemainingOf(parent_max, used);
      if (remaining) {
        ASSERT_TRUE(child_max.has_value());
        EXPECT_LE(*child_max, *remaining);
      }
    }
    if (parent->expires_at) {
      ASSERT_TRUE(child->expires_at.has_value());
      EXPECT_LE(*child->expires_at, *parent->expires_at);
    }
    if (parent->read_only()) {
      EXPECT_TRUE(child->read_only());
    }
  }
  EXPECT_GT(derived, 1000);  // most pairs derive: the property is not checked vacuously
}

}  // namespace
}  // namespace weft::grants
