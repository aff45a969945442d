// MountTable: source parsing, path normalisation, longest-prefix resolution.
#include "core/ns/mount_table.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace weft::ns {
namespace {

Source Host(const std::string& dir, bool ro = false) {
  Source s;
  s.dir = dir;
  s.read_only = ro;
  return s;
}

TEST(Source, ParsesHostNodeAndBareForms) {
  auto a = Source::Parse("host:/srv/project");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->kind, Source::Kind::kHost);
  EXPECT_EQ(a->dir, "/srv/project");
  EXPECT_FALSE(a->read_only);
  auto b = Source::Parse("/home/me/docs/:ro");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->dir, "/home/me/docs");
  EXPECT_TRUE(b->read_only);
  EXPECT_EQ(b->ToString(), "host:/home/me/docs:ro");
  auto c = Source::Parse("node:builder:/work:rw");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->kind, Source::Kind::kNode);
  EXPECT_EQ(c->node, "builder");
  EXPECT_EQ(c->ToString(), "node:builder:/work");
  EXPECT_FALSE(Source::Parse("relative/dir").ok());
  EXPECT_FALSE(Source::Parse("host:").ok());
  EXPECT_FALSE(Source::Parse("node:/nodename").ok());
  EXPECT_FALSE(Source::Parse(std::string("/a\0b", 4)).ok());
}

TEST(NormalizeNsPath, CanonicalFormAndRefusals) {
  EXPECT_EQ(*NormalizeNsPath("/"), "/");
  EXPECT_EQ(*NormalizeNsPath("//a///b/./c/"), "/a/b/c");
  EXPECT_FALSE(NormalizeNsPath("a/b").ok());
  EXPECT_FALSE(NormalizeNsPath("").ok());
  EXPECT_FALSE(NormalizeNsPath("/a/../b").ok());
  EXPECT_FALSE(NormalizeNsPath("/..").ok());
  EXPECT_FALSE(NormalizeNsPath(std::string("/a\0", 3)).ok());
}

TEST(PathWithin, ComponentBoundariesAndTheRoot) {
  EXPECT_TRUE(PathWithin("/ws", "/ws"));
  EXPECT_TRUE(PathWithin("/ws/a", "/ws"));
  EXPECT_FALSE(PathWithin("/ws-evil", "/ws"));
  EXPECT_FALSE(PathWithin("/w", "/ws"));
  EXPECT_TRUE(PathWithin("/anything", "/"));
  EXPECT_TRUE(PathWithin("/", "/"));
}

TEST(MountTable, LongestPrefixWinsAtComponentBoundaries) {
  MountTable t;
  ASSERT_TRUE(t.Add("/", Host("/srv/project")).ok());
  ASSERT_TRUE(t.Add("/ws", Host("/srv/ws", true)).ok());
  ASSERT_TRUE(t.Add("/ws/deep/", Host("/srv/deep")).ok());
  auto r = t.Resolve("/ws-evil/x");  // the sibling-prefix trick lands in "/", not "/ws"
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->mount->path, "/");
  EXPECT_EQ(r->rest, "ws-evil/x");
  r = t.Resolve("/ws/a/b");
  EXPECT_EQ(r->mount->path, "/ws");
  EXPECT_EQ(r->rest, "a/b");
  EXPECT_TRUE(r->mount->source.read_only);
  r = t.Resolve("/ws/deep");
  EXPECT_EQ(r->mount->path, "/ws/deep");
  EXPECT_EQ(r->rest, "");
  r = t.Resolve("/");
  EXPECT_EQ(r->mount->path, "/");
  EXPECT_EQ(r->rest, "");
  EXPECT_FALSE(t.Resolve("/ws/../etc").ok());
}

TEST(MountTable, DuplicatesRemovalAndMissingRoot) {
  MountTable t;
  ASSERT_TRUE(t.Add("/docs", Host("/srv/docs")).ok());
  EXPECT_EQ(t.Add("/docs/", Host("/other")).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(t.Add("/x", Host("relative")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.Resolve("/src").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(t.Remove("/docs").ok());
  EXPECT_EQ(t.Remove("/docs").code(), StatusCode::kNotFound);
}

TEST(MountTable, ChildMountsAreTheDirectBindsBelow) {
  MountTable t;
  ASSERT_TRUE(t.Add("/", Host("/p")).ok());
  ASSERT_TRUE(t.Add("/a", Host("/a")).ok());
  ASSERT_TRUE(t.Add("/a/b", Host("/b")).ok());
  ASSERT_TRUE(t.Add("/c", Host("/c")).ok());
  auto top = t.ChildMounts("/");
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0]->path, "/a");
  EXPECT_EQ(top[1]->path, "/c");
  auto below = t.ChildMounts("/a");
  ASSERT_EQ(below.size(), 1u);
  EXPECT_EQ(below[0]->path, "/a/b");
}

TEST(ParseBindFlag, NsPathEqualsSource) {
  auto m = ParseBindFlag("/docs=/home/me/docs:ro");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->path, "/docs");
  EXPECT_TRUE(m->source.read_only);
  EXPECT_FALSE(ParseBindFlag("/docs").ok());
  EXPECT_FALSE(ParseBindFlag("docs=/x").ok());
  EXPECT_FALSE(ParseBindFlag("/docs=x").ok());
}

TEST(OpenSourceRoot, OpensDirectoriesAndRefusesTheRest) {
  weft::testing::ScopedTempDir tmp;
  tmp.WriteFile("dir/f", "x");
  EXPECT_TRUE(OpenSourceRoot(Host(tmp.Join("dir"))).ok());
  EXPECT_EQ(OpenSourceRoot(Host(tmp.Join("dir/f"))).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(OpenSourceRoot(Host(tmp.Join("missing"))).status().code(), StatusCode::kNotFound);
  Source node;
  node.kind = Source::Kind::kNode;
  node.node = "builder";
  node.dir = "/work";
  auto refused = OpenSourceRoot(node);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("no such node: builder"), std::string::npos);
}

}  // namespace
}  // namespace weft::ns
