// fs_list, fs_tree, fs_glob and fs_stat: listings, pagination, binds,
// gitignore and exclude, symlinks; and the shared glob/gitignore matchers.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/base/json.h"
#include "core/venoms/fs/fs_common.h"
#include "tests/core/venoms/fs/fs_fixture.h"

namespace weft::venoms {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class FsBrowse : public FsVenomTest {
 protected:
  void Write(const std::string& rel, const std::string& content = "") { tmp_.WriteFile("ws/" + rel, content); }
  void Mkdir(const std::string& rel) { std::filesystem::create_directories(tmp_.Join("ws/" + rel)); }
  void SetMtime(const std::string& rel, time_t secs) {
    struct timespec times[2] = {{secs, 0}, {secs, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, tmp_.Join("ws/" + rel).c_str(), times, AT_SYMLINK_NOFOLLOW), 0);
  }
  static std::vector<std::string> Names(const Json& list) {
    std::vector<std::string> out;
    for (const Json& e : list["entries"]) out.push_back(e["name"]);
    return out;
  }
  static std::vector<std::string> Paths(const Json& data, const char* key) {
    std::vector<std::string> out;
    for (const Json& e : data[key]) out.push_back(e["path"]);
    return out;
  }
  std::string TextOf(const std::string& op, const Json& args) {
    Result<Reply> r = Call(op, args);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? Text(*r) : "";
  }
};

// ---------------------------------------------------------------------------
// fs_list

TEST_F(FsBrowse, ListShowsTypesSizesTimesAndLinkTargets) {
  Write("b.txt", "12345");
  Mkdir("a_dir");
  std::filesystem::create_symlink("b.txt", tmp_.Join("ws/c_link"));
  SetMtime("b.txt", 1700000000);
  Json d = Data("list", Json::object());
  EXPECT_EQ(d["path"], "/");
  EXPECT_EQ(d["total"], 3);
  EXPECT_THAT(Names(d), ElementsAre("a_dir", "b.txt", "c_link"));
  EXPECT_EQ(d["entries"][0]["type"], "dir");
  EXPECT_FALSE(d["entries"][0].contains("size"));
  EXPECT_EQ(d["entries"][1]["type"], "file");
  EXPECT_EQ(d["entries"][1]["size"], 5);
  EXPECT_EQ(d["entries"][1]["mtime"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(d["entries"][2]["type"], "symlink");
  EXPECT_EQ(d["entries"][2]["target"], "b.txt");
  EXPECT_FALSE(d.contains("next_cursor"));
  std::string text = TextOf("list", {{"path", "."}});
  EXPECT_THAT(text, HasSubstr("/: 3 entries\na_dir/  "));
  EXPECT_THAT(text, HasSubstr("b.txt  5 B  2023-11-14T22:13:20Z\n"));
  EXPECT_THAT(text, HasSubstr("c_link  "));
  EXPECT_THAT(text, HasSubstr("-> b.txt\n"));
}

TEST_F(FsBrowse, ListSortsBySizeAndTimeEitherWay) {
  Write("small", "1");
  Write("large", "12345");
  Write("medium", "123");
  SetMtime("small", 3000);
  SetMtime("large", 1000);
  SetMtime("medium", 2000);
  EXPECT_THAT(Names(Data("list", {{"sort", "size"}})), ElementsAre("small", "medium", "large"));
  EXPECT_THAT(Names(Data("list", {{"sort", "size"}, {"order", "desc"}})), ElementsAre("large", "medium", "small"));
  EXPECT_THAT(Names(Data("list", {{"sort", "mtime"}})), ElementsAre("large", "medium", "small"));
  EXPECT_THAT(Names(Data("list", {{"sort", "mtime"}, {"order", "desc"}})), ElementsAre("small", "medium", "large"));
  EXPECT_THAT(Names(Data("list", {{"order", "desc"}})), ElementsAre("small", "medium", "large"));
}

TEST_F(FsBrowse, ListShowsHiddenEntriesUnlessAskedNotTo) {
  Write(".env", "x");
  Write(".github/ci.yml");
  Write("main.c");
  EXPECT_THAT(Names(Data("list", Json::object())), ElementsAre(".env", ".github", "main.c"));
  Json d = Data("list", {{"hidden", false}});
  EXPECT_THAT(Names(d), ElementsAre("main.c"));
  EXPECT_EQ(d["total"], 1);
}

TEST_F(FsBrowse, ListPagesWithACursor) {
  for (int i = 0; i < 25; ++i) Write("d/f" + std::string(i < 10 ? "0" : "") + std::to_string(i), std::string(i, 'x'));
  for (const char* sort : {"name", "size"}) {
    std::vector<std::string> seen;
    Json args = {{"path", "d"}, {"limit", 10}, {"sort", sort}, {"order", "desc"}};
    for (int page = 0; page < 5; ++page) {
      Result<Reply> r = Call("list", args);
      ASSERT_TRUE(r.ok()) << r.status();
      for (const std::string& n : Names(r->data)) seen.push_back(n);
      EXPECT_EQ(r->data["total"], 25);
      if (!r->data.contains("next_cursor")) break;
      EXPECT_THAT(Text(*r), HasSubstr("[more entries: continue with cursor="));
      args["cursor"] = r->data["next_cursor"];
    }
    ASSERT_EQ(seen.size(), 25u) << sort;
    EXPECT_EQ(seen.front(), "f24") << sort;
    EXPECT_EQ(seen.back(), "f00") << sort;
  }
  Result<Reply> page2 = Call("list", {{"path", "d"}, {"limit", 10}});
  ASSERT_TRUE(page2.ok());
  std::string text = TextOf("list", {{"path", "d"}, {"limit", 10}, {"cursor", page2->data["next_cursor"]}});
  EXPECT_THAT(text, HasSubstr("/d: 25 entries, showing 11-20\nf10"));
}

TEST_F(FsBrowse, ListCursorResumesAfterTheLastNameEvenWhenEntriesGo) {
  for (const char* n : {"a", "b", "c", "d", "e"}) Write(std::string("d/") + n);
  Json first = Data("list", {{"path", "d"}, {"limit", 2}});
  EXPECT_THAT(Names(first), ElementsAre("a", "b"));
  std::filesystem::remove(tmp_.Join("ws/d/a"));
  std::filesystem::remove(tmp_.Join("ws/d/b"));
  Write("d/bb");
  EXPECT_THAT(Names(Data("list", {{"path", "d"}, {"limit", 2}, {"cursor", first["next_cursor"]}})),
              ElementsAre("bb", "c"));
}

TEST_F(FsBrowse, ListRefusesACursorFromAnotherListing) {
  for (int i = 0; i < 5; ++i) Write("d/f" + std::to_string(i));
  Json first = Data("list", {{"path", "d"}, {"limit", 2}});
  Result<Reply> r = Call("list", {{"path", "d"}, {"limit", 2}, {"sort", "size"}, {"cursor", first["next_cursor"]}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("next_cursor"));
  EXPECT_EQ(Call("list", {{"cursor", "!!garbage"}}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FsBrowse, ListPagesThroughAHundredThousandEntries) {
  // Hard links to two files (ext4 allows 65,000 links per inode): entries
  // without 100,000 inodes to allocate and free.
  std::string dir = tmp_.Join("ws/many");
  Write("many/e0");
  Write("many/e1");
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dfd, 0);
  constexpr int kCount = 100000;
  for (int i = 2; i < kCount; ++i) {
    ASSERT_EQ(::linkat(dfd, i % 2 == 0 ? "e0" : "e1", dfd, ("e" + std::to_string(i)).c_str(), 0), 0) << i;
  }
  ::close(dfd);
  std::set<std::string> seen;
  Json args = {{"path", "many"}, {"limit", 1000}};
  int pages = 0;
  for (;;) {
    Result<Reply> r = Call("list", args);
    ASSERT_TRUE(r.ok()) << r.status();
    ++pages;
    for (const Json& e : r->data["entries"]) {
      EXPECT_TRUE(seen.insert(e["name"].get<std::string>()).second) << "seen twice: " << e["name"];
    }
    if (!r->data.contains("next_cursor")) break;
    ASSERT_LT(pages, 200);
    args["cursor"] = r->data["next_cursor"];
  }
  EXPECT_EQ(pages, 100);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kCount));
}

// A directory large enough to be kept between pages and read in halves,
// changed between listings: each listing is the directory as it is then
// (the snapshot a change outdated gives its memory to the next one).
TEST_F(FsBrowse, ListOfALargeDirectoryIsCurrentAfterEachChange) {
  std::string dir = tmp_.Join("ws/big");
  Write("big/e0");
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dfd, 0);
  std::set<std::string> want = {"e0"};
  auto link = [&](const std::string& name) {
    ASSERT_EQ(::linkat(dfd, "e0", dfd, name.c_str(), 0), 0) << name;
    want.insert(name);
  };
  for (int i = 1; i < 6000; ++i) link("e" + std::to_string(i) + std::string(60, 'x'));
  for (int round = 0; round < 4; ++round) {
    std::vector<std::string> seen;
    Json args = {{"path", "big"}, {"limit", 1000}, {"details", false}};
    for (int pages = 0;; ++pages) {
      ASSERT_LT(pages, 20);
      Result<Reply> r = Call("list", args);
      ASSERT_TRUE(r.ok()) << r.status();
      for (const std::string& n : Names(r->data)) seen.push_back(n);
      if (!r->data.contains("next_cursor")) break;
      args["cursor"] = r->data["next_cursor"];
    }
    ASSERT_EQ(seen, std::vector<std::string>(want.begin(), want.end())) << "round " << round;
    // Some go, others come.
    for (int k = 0; k < 100; ++k) {
      std::string gone = "e" + std::to_string(round * 100 + k + 1) + std::string(60, 'x');
      ASSERT_EQ(::unlinkat(dfd, gone.c_str(), 0), 0) << gone;
      want.erase(gone);
    }
    for (int k = 0; k < 50; ++k) link("new" + std::to_string(round) + "-" + std::to_string(k));
  }
  ::close(dfd);
}

TEST_F(FsBrowse, ListShowsBindsAsDirectories) {
  Write("src/main.c");
  Write("data", "a host file the bind hides");
  tmp_.WriteFile("data/table.csv", "a,b\n");
  tmp_.WriteFile("cache/x", "x");
  Rebind({{"/", tmp_.Join("ws")}, {"/data", tmp_.Join("data") + ":ro"}, {"/deep/cache", tmp_.Join("cache")}},
         false);
  Json d = Data("list", Json::object());
  EXPECT_THAT(Names(d), ElementsAre("data", "deep", "src"));
  EXPECT_EQ(d["entries"][0]["type"], "dir");
  EXPECT_EQ(d["entries"][0]["bind"], "/data");
  EXPECT_EQ(d["entries"][1]["type"], "dir");  // only there because a bind lies below
  EXPECT_THAT(Names(Data("list", {{"path", "/data"}})), ElementsAre("table.csv"));
  Json deep = Data("list", {{"path", "/deep"}});
  EXPECT_THAT(Names(deep), ElementsAre("cache"));
  EXPECT_EQ(deep["entries"][0]["bind"], "/deep/cache");
  EXPECT_THAT(TextOf("list", Json::object()), HasSubstr("[bind of " + tmp_.Join("data") + ", read-only]"));
}

TEST_F(FsBrowse, ListOfAFileOrMissingDirectoryFails) {
  Write("a.txt");
  Result<Reply> r = Call("list", {{"path", "a.txt"}});
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("not a directory"));
  EXPECT_EQ(Call("list", {{"path", "nope"}}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Call("list", {{"path", "a.txt/.."}}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FsBrowse, ListFollowsSymlinkedDirectoriesInsideButNotOutside) {
  Write("real/x");
  std::filesystem::create_directory_symlink("real", tmp_.Join("ws/alias"));
  std::filesystem::create_directory_symlink(tmp_.Join("outside"), tmp_.Join("ws/out"));
  EXPECT_THAT(Names(Data("list", {{"path", "alias"}})), ElementsAre("x"));
  Result<Reply> r = Call("list", {{"path", "out"}});
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr("escapes the workspace"));
}

// fs_list writes its data as JSON text (Reply::data_json), which the MCP
// bridge sends as it is, unchecked: its conformance to
// schemas/fs/list.output.json is proven here, by valijson itself (not the
// quick check) on the raw text of every shape a listing takes, and the text
// must be exactly what the value would give.
TEST_F(FsBrowse, ListWritesConformingJsonTextForEveryShape) {
  Mkdir("empty");
  const std::vector<std::string> names = {"quote\"name", "back\\slash", "tab\there", "new\nline", "ctl\x01x",
                                         "del\x7f", "\xc3\xa9 \xc3\xbc \xe4\xb8\xad", "bad\xff\xfe", "cut\xe2\x82",
                                         "\xc0\xaf overlong", ".hidden", std::string(255, 'n')};
  for (const std::string& name : names) {
    Write("weird/" + name, "12345");
  }
  Mkdir("weird/sub dir");
  std::filesystem::create_symlink("quote\"name", tmp_.Join("ws/weird/link"));
  std::filesystem::create_symlink("tar\"get\n\xff", tmp_.Join("ws/weird/dangling"));
  std::filesystem::create_symlink(tmp_.Join("outside/secret"), tmp_.Join("ws/weird/out"));
  ASSERT_EQ(::mkfifo(tmp_.Join("ws/weird/fifo").c_str(), 0600), 0);
  ASSERT_EQ(::mknod(tmp_.Join("ws/weird/socket").c_str(), S_IFSOCK | 0600, 0), 0);
  for (int i = 0; i < 25; ++i) Write("many/f" + std::to_string(i), std::string(static_cast<size_t>(i), 'x'));
  tmp_.WriteFile("data/table.csv", "a,b\n");
  tmp_.WriteFile("cache/x", "x");
  Rebind({{"/", tmp_.Join("ws")}, {"/data", tmp_.Join("data") + ":ro"}, {"/deep/cache", tmp_.Join("cache")},
          {"/weird/sub dir", tmp_.Join("cache")}},
         false);
  const Op* op = registry_->Find("fs", "list");
  ASSERT_NE(op, nullptr);

  // Calls fs_list's handler itself (not the checked Call) and checks its text.
  auto check = [&](Json args) -> Json {
    Result<Reply> reply = op->spec.handler(ctx_, args);
    EXPECT_TRUE(reply.ok()) << args.dump() << ": " << reply.status();
    if (!reply.ok()) return Json();
    const std::string& text = reply->data_json;
    Json data = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(data.is_discarded()) << args.dump() << ": not JSON: " << text;
    if (data.is_discarded()) return Json();
    EXPECT_EQ(DescribeViolations(op->output->ValidateFully(data)), "") << args.dump() << ": " << text;
    EXPECT_EQ(text, DumpJson(data)) << args.dump();
    return data;
  };

  std::set<std::string> seen;
  int pages = 0;
  for (const char* path : {"/", "empty", "weird", "many", "/deep", "/data"}) {
    for (bool details : {true, false}) {
      for (bool hidden : {true, false}) {
        for (const char* sort : {"name", "size", "mtime"}) {
          for (const char* order : {"asc", "desc"}) {
            if (!details && std::string_view(sort) != "name") continue;
            Json args = {{"path", path}, {"details", details}, {"hidden", hidden}, {"sort", sort},
                         {"order", order}, {"limit", 7}};
            for (int page = 0; page < 10; ++page) {
              ++pages;
              Json data = check(args);
              if (!data.is_object()) break;
              for (const Json& e : data["entries"]) seen.insert(e["name"].get<std::string>());
              if (!data.contains("next_cursor")) break;
              args["cursor"] = data["next_cursor"];
            }
          }
        }
      }
    }
  }
  EXPECT_GT(pages, 100);
  // Names that are not UTF-8 are shown with U+FFFD, one per bad byte.
  EXPECT_TRUE(seen.count("bad\xef\xbf\xbd\xef\xbf\xbd")) << "bad name not shown";
  EXPECT_TRUE(seen.count("new\nline"));
  EXPECT_TRUE(seen.count("\xc3\xa9 \xc3\xbc \xe4\xb8\xad"));
  Json weird = check({{"path", "weird"}, {"limit", 1000}});
  std::set<std::string> types;
  for (const Json& e : weird["entries"]) types.insert(e["type"].get<std::string>());
  EXPECT_EQ(types, (std::set<std::string>{"dir", "file", "other", "symlink"}));
  Json root = check({{"path", "/"}, {"details", false}});
  EXPECT_EQ(root["entries"][0], Json({{"bind", "/data"}, {"name", "data"}, {"type", "dir"}}));
}

TEST_F(FsBrowse, ListEndsAPageAtItsTextBudget) {
  // 150 symlinks with targets of 4,000 bytes: about 600 KB of text, more
  // than two pages hold whatever their limit.
  Mkdir("links");
  for (int i = 0; i < 150; ++i) {
    std::filesystem::create_symlink(std::string(3990, 't') + std::to_string(i),
                                    tmp_.Join("ws/links/l" + std::to_string(1000 + i)));
  }
  const Op* op = registry_->Find("fs", "list");
  ASSERT_NE(op, nullptr);
  ASSERT_GT(op->spec.max_result_chars, 0u);
  Json args = {{"path", "links"}, {"details", false}, {"limit", 1000}};
  std::vector<std::string> seen;
  int pages = 0;
  for (;;) {
    Result<Reply> r = Call("list", args);
    ASSERT_TRUE(r.ok()) << r.status();
    ++pages;
    EXPECT_LT(Text(*r).size(), 256u * 1024 + 8192);  // the budget, and the line that crossed it
    EXPECT_LE(Text(*r).size(), op->spec.max_result_chars);
    for (const std::string& n : Names(r->data)) seen.push_back(n);
    if (!r->data.contains("next_cursor")) break;
    EXPECT_LT(r->data["entries"].size(), 150u);
    EXPECT_THAT(Text(*r), HasSubstr("/links: 150 entries, showing "));
    ASSERT_LT(pages, 10);
    args["cursor"] = r->data["next_cursor"];
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 150u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 150u);
}

// ---------------------------------------------------------------------------
// fs_tree

TEST_F(FsBrowse, TreeRendersAnIndentedTreeToTheDepth) {
  Write("src/a.c");
  Write("src/lib/b.c");
  Write("src/lib/deeper/c.c");
  Write("README.md");
  std::filesystem::create_symlink("README.md", tmp_.Join("ws/readme"));
  Result<Reply> r = Call("tree", {{"depth", 2}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Text(*r),
            "/\n"
            "  README.md\n"
            "  readme -> README.md\n"
            "  src/\n"
            "    a.c\n"
            "    lib/\n"
            "2 directories, 3 other entries (depth 2, .gitignore honoured)\n");
  EXPECT_EQ(r->data["depth"], 2);
  EXPECT_EQ(r->data["truncated"], false);
  EXPECT_THAT(Paths(r->data, "entries"), ElementsAre("/README.md", "/readme", "/src", "/src/a.c", "/src/lib"));
  EXPECT_EQ(r->data["entries"][1]["target"], "README.md");
  EXPECT_EQ(r->data["entries"][3]["depth"], 2);
  // The default depth is 3.
  EXPECT_THAT(Paths(Data("tree", {{"path", "src"}}), "entries"),
              ElementsAre("/src/a.c", "/src/lib", "/src/lib/b.c", "/src/lib/deeper", "/src/lib/deeper/c.c"));
}

TEST_F(FsBrowse, TreeHonoursGitignoreAndSkipsGit) {
  Write(".git/HEAD", "ref: refs/heads/main\n");
  Write(".gitignore",
        "# build output\n"
        "\n"
        "*.o\n"
        "!keep.o\n"
        "build/\n"
        "/top.log\n"
        "docs/**/draft.md\n"
        "\\#hash\n"
        "trailing   \n");
  Write("a.o");
  Write("keep.o");
  Write("src/b.o");
  Write("src/b.c");
  Write("build/out");
  Write("src/build", "a file named build is not a directory");
  Write("top.log");
  Write("src/top.log");
  Write("docs/x/y/draft.md");
  Write("docs/final.md");
  Write("#hash");
  Write("trailing");
  Write("sub/.gitignore", "*.tmp\n");
  Write("sub/a.tmp");
  Write("sub/a.txt");
  Write("a.tmp");
  std::vector<std::string> got = Paths(Data("tree", {{"depth", 5}}), "entries");
  EXPECT_THAT(got, ElementsAre("/.gitignore", "/a.tmp", "/docs", "/docs/final.md", "/docs/x", "/docs/x/y", "/keep.o",
                               "/src", "/src/b.c", "/src/build", "/src/top.log", "/sub", "/sub/.gitignore",
                               "/sub/a.txt"));
  std::vector<std::string> all = Paths(Data("tree", {{"depth", 5}, {"gitignore", false}}), "entries");
  EXPECT_EQ(all.size(), 25u);
  EXPECT_THAT(all, ::testing::Contains("/.git/HEAD"));
}

TEST_F(FsBrowse, TreeAppliesGitignoreFilesAboveItsStart) {
  Write(".gitignore", "*.o\n/src/gen/\n");
  Write("src/a.c");
  Write("src/a.o");
  Write("src/gen/x.c");
  EXPECT_THAT(Paths(Data("tree", {{"path", "src"}}), "entries"), ElementsAre("/src/a.c"));
  // The directory asked for is walked even when ignored.
  EXPECT_THAT(Paths(Data("tree", {{"path", "src/gen"}}), "entries"), ElementsAre("/src/gen/x.c"));
}

TEST_F(FsBrowse, TreeLeavesOutExcludedPatterns) {
  Write("node_modules/pkg/index.js");
  Write("src/node_modules/x.js");
  Write("src/a.c");
  Write("docs/a.md");
  Write("docs/api/b.md");
  Json d = Data("tree", {{"exclude", {"node_modules", "/docs/**"}}});
  EXPECT_THAT(Paths(d, "entries"), ElementsAre("/docs", "/src", "/src/a.c"));
}

TEST_F(FsBrowse, TreeStopsAtTheLimitWithAMarker) {
  for (int i = 0; i < 30; ++i) Write("d/f" + std::to_string(100 + i));
  Result<Reply> r = Call("tree", {{"limit", 10}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["entries"].size(), 10u);
  EXPECT_EQ(r->data["truncated"], true);
  EXPECT_THAT(Text(*r), HasSubstr("[truncated at 10 entries: narrow it"));
}

TEST_F(FsBrowse, TreeDoesNotFollowSymlinkedDirectories) {
  Write("real/x");
  std::filesystem::create_directory_symlink("real", tmp_.Join("ws/alias"));
  std::filesystem::create_directory_symlink(tmp_.Join("outside"), tmp_.Join("ws/out"));
  Json d = Data("tree", Json::object());
  EXPECT_THAT(Paths(d, "entries"), ElementsAre("/alias", "/out", "/real", "/real/x"));
  EXPECT_EQ(d["entries"][0]["type"], "symlink");
  EXPECT_EQ(d["entries"][1]["type"], "symlink");
}

TEST_F(FsBrowse, TreeEntersBinds) {
  Write("src/a.c");
  tmp_.WriteFile("data/t/table.csv", "a\n");
  Rebind({{"/", tmp_.Join("ws")}, {"/data", tmp_.Join("data") + ":ro"}}, false);
  Result<Reply> r = Call("tree", Json::object());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Paths(r->data, "entries"), ElementsAre("/data", "/data/t", "/data/t/table.csv", "/src", "/src/a.c"));
  EXPECT_EQ(r->data["entries"][0]["bind"], "/data");
  EXPECT_THAT(Text(*r), HasSubstr("  data/  [bind, read-only]\n    t/\n      table.csv\n"));
}

TEST_F(FsBrowse, TreeHiddenFalseLeavesOutDotfiles) {
  Write(".hidden/x");
  Write(".env");
  Write("shown");
  EXPECT_THAT(Paths(Data("tree", {{"hidden", false}}), "entries"), ElementsAre("/shown"));
}

// ---------------------------------------------------------------------------
// fs_glob

TEST_F(FsBrowse, GlobMatchesAnyDepthWithDoubleStar) {
  Write("a.cc");
  Write("src/b.cc");
  Write("src/b.h");
  Write("src/x/y/c.cc");
  Write(".hidden/d.cc");
  Result<Reply> r = Call("glob", {{"pattern", "**/*.cc"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_THAT(Paths(r->data, "matches"), ElementsAre("/.hidden/d.cc", "/a.cc", "/src/b.cc", "/src/x/y/c.cc"));
  EXPECT_EQ(r->data["remaining"], 0);
  EXPECT_EQ(Text(*r), "/.hidden/d.cc\n/a.cc\n/src/b.cc\n/src/x/y/c.cc\n");
  EXPECT_THAT(Paths(Data("glob", {{"pattern", "**/*.cc"}, {"hidden", false}}), "matches"),
              ElementsAre("/a.cc", "/src/b.cc", "/src/x/y/c.cc"));
  EXPECT_THAT(Paths(Data("glob", {{"pattern", "src/**/*.cc"}}), "matches"), ElementsAre("/src/b.cc", "/src/x/y/c.cc"));
  EXPECT_THAT(Paths(Data("glob", {{"pattern", "*.cc"}, {"path", "/src"}}), "matches"), ElementsAre("/src/b.cc"));
}

TEST_F(FsBrowse, GlobMatchesOneLevelPatternsAndSets) {
  Write("src/a.h");
  Write("src/b.h");
  Write("src/c.hpp");
  Write("src/sub/d.h");
  Write("lib/e.h");
  EXPECT_THAT(Paths(Data("glob", {{"pattern", "src/*.h"}}), "matches"), ElementsAre("/src/a.h", "/src/b.h"));
  EXPECT_THAT(Paths(Data("glob", {{"pattern", "/src/[ac].h*"}}), "matches"), ElementsAre("/src/a.h", "/src/c.hpp"));
  EXPECT_THAT(Paths(Data("glob", {{"pattern", "*/?.h"}}), "matches"), ElementsAre("/lib/e.h", "/src/a.h", "/src/b.h"));
  EXPECT_THAT(Paths(Data("glob", {{"pattern", "src/**"}}), "matches"),
              ElementsAre("/src/a.h", "/src/b.h", "/src/c.hpp", "/src/sub", "/src/sub/d.h"));
}

TEST_F(FsBrowse, GlobFiltersByType) {
  Write("src/a/x.c");
  Write("src/b");
  EXPECT_THAT(Paths(Data("glob", {{"pattern", "src/*"}, {"type", "dir"}}), "matches"), ElementsAre("/src/a"));
  EXPECT_THAT(Paths(Data("glob", {{"pattern", "src/*/"}}), "matches"), ElementsAre("/src/a"));
  EXPECT_THAT(Paths(Data("glob", {{"pattern", "src/*"}, {"type", "file"}}), "matches"), ElementsAre("/src/b"));
  Json d = Data("glob", {{"pattern", "src/*"}});
  EXPECT_EQ(d["matches"][0]["type"], "dir");
  EXPECT_THAT(TextOf("glob", {{"pattern", "src/*"}}), HasSubstr("/src/a/\n/src/b\n"));
}

TEST_F(FsBrowse, GlobPagesWithACursor) {
  for (int i = 0; i < 23; ++i) Write("d" + std::to_string(i % 3) + "/f" + std::to_string(100 + i) + ".txt");
  std::vector<std::string> seen;
  Json args = {{"pattern", "**/*.txt"}, {"limit", 5}};
  for (int page = 0; page < 10; ++page) {
    Result<Reply> r = Call("glob", args);
    ASSERT_TRUE(r.ok()) << r.status();
    for (const std::string& p : Paths(r->data, "matches")) seen.push_back(p);
    if (!r->data.contains("next_cursor")) break;
    EXPECT_THAT(Text(*r), HasSubstr("more matches: continue with cursor="));
    args["cursor"] = r->data["next_cursor"];
  }
  EXPECT_EQ(seen.size(), 23u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 23u);
  Json first = Data("glob", {{"pattern", "**/*.txt"}, {"limit", 5}});
  EXPECT_EQ(first["remaining"], 18);
  EXPECT_EQ(Call("glob", {{"pattern", "**/*.c"}, {"cursor", first["next_cursor"]}}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(FsBrowse, GlobHonoursGitignoreAndExclude) {
  Write(".gitignore", "build/\n*.gen.cc\n");
  Write(".git/x.cc");
  Write("build/a.cc");
  Write("src/b.cc");
  Write("src/c.gen.cc");
  Write("third_party/d.cc");
  EXPECT_THAT(Paths(Data("glob", {{"pattern", "**/*.cc"}, {"exclude", Json::array({"third_party/"})}}), "matches"),
              ElementsAre("/src/b.cc"));
  EXPECT_THAT(Paths(Data("glob", {{"pattern", "**/*.cc"}, {"gitignore", false}}), "matches"),
              ElementsAre("/.git/x.cc", "/build/a.cc", "/src/b.cc", "/src/c.gen.cc", "/third_party/d.cc"));
}

TEST_F(FsBrowse, GlobCrossesBindsAndSkipsSymlinkedDirectories) {
  Write("src/a.md");
  std::filesystem::create_directory_symlink("src", tmp_.Join("ws/alias"));
  tmp_.WriteFile("docs/guide.md", "");
  Rebind({{"/", tmp_.Join("ws")}, {"/docs", tmp_.Join("docs") + ":ro"}}, false);
  EXPECT_THAT(Paths(Data("glob", {{"pattern", "**/*.md"}}), "matches"), ElementsAre("/docs/guide.md", "/src/a.md"));
}

TEST_F(FsBrowse, GlobStopsWhenCancelled) {
  for (int i = 0; i < 1100; ++i) Write("d/f" + std::to_string(i));
  ctx_.Cancel();
  EXPECT_EQ(Call("glob", {{"pattern", "**/*"}}).status().code(), StatusCode::kCancelled);
}

TEST_F(FsBrowse, GlobRefusesDotDotAndSaysWhenNothingMatches) {
  Write("a.c");
  Result<Reply> r = Call("glob", {{"pattern", "../*"}});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr(".."));
  EXPECT_THAT(TextOf("glob", {{"pattern", "**/*.rs"}}), HasSubstr("no matches for **/*.rs under /"));
  EXPECT_EQ(Call("glob", {{"pattern", "*"}, {"path", "a.c"}}).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(FsBrowse, GlobEndsAPageAtItsTextBudget) {
  // 1,500 paths of about 200 bytes: about 300 KB of text, more than one
  // page holds (hard links to one file: no inode each to allocate).
  const std::string pad(190, 'n');
  Write("g/one.h");
  for (int i = 0; i < 1500; ++i) {
    std::string name = tmp_.Join("ws/g/" + std::to_string(1000 + i) + pad + ".c");
    ASSERT_EQ(::link(tmp_.Join("ws/g/one.h").c_str(), name.c_str()), 0) << name;
  }
  const Op* op = registry_->Find("fs", "glob");
  ASSERT_NE(op, nullptr);
  Json args = {{"pattern", "**/*.c"}, {"limit", 5000}};
  std::vector<std::string> seen;
  int pages = 0;
  for (;;) {
    Result<Reply> r = Call("glob", args);
    ASSERT_TRUE(r.ok()) << r.status();
    ++pages;
    EXPECT_LT(Text(*r).size(), 256u * 1024 + 1024);
    EXPECT_LE(Text(*r).size(), op->spec.max_result_chars);
    for (const std::string& p : Paths(r->data, "matches")) seen.push_back(p);
    EXPECT_EQ(r->data["remaining"], 1500 - seen.size());
    if (!r->data.contains("next_cursor")) break;
    EXPECT_THAT(Text(*r), HasSubstr(" more matches: continue with cursor="));
    ASSERT_LT(pages, 10);
    args["cursor"] = r->data["next_cursor"];
  }
  EXPECT_EQ(pages, 2);
  ASSERT_EQ(seen.size(), 1500u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 1500u);
}

TEST_F(FsBrowse, GlobWritesConformingJsonTextForEveryShape) {
  const std::vector<std::string> names = {"quote\"name", "back\\slash", "tab\there", "new\nline", "ctl\x01x",
                                         "del\x7f", "\xc3\xa9 \xc3\xbc \xe4\xb8\xad", "bad\xff\xfe", "cut\xe2\x82",
                                         "\xc0\xaf overlong", ".hidden", std::string(253, 'n')};
  for (const std::string& name : names) {
    Write("weird/" + name, "x");
    Write("weird/sub/" + name + ".c", "x");
  }
  std::filesystem::create_symlink("quote\"name", tmp_.Join("ws/weird/link"));
  ASSERT_EQ(::mkfifo(tmp_.Join("ws/weird/fifo").c_str(), 0600), 0);
  Write(".gitignore", "ignored/\n");
  Write("ignored/x.c");
  tmp_.WriteFile("data/table.c", "a,b\n");
  Rebind({{"/", tmp_.Join("ws")}, {"/data", tmp_.Join("data") + ":ro"}}, false);
  // Over kGlobMaxMatches (100,000) matches, as hard links to two files
  // (ext4 allows 65,000 links per inode): entries without as many inodes to
  // allocate and free.
  Write("many/e0");
  Write("many/e1");
  int dfd = ::open(tmp_.Join("ws/many").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dfd, 0);
  for (int i = 2; i <= 100'000; ++i) {
    ASSERT_EQ(::linkat(dfd, i % 2 == 0 ? "e0" : "e1", dfd, ("e" + std::to_string(i)).c_str(), 0), 0) << i;
  }
  ::close(dfd);
  const Op* op = registry_->Find("fs", "glob");
  ASSERT_NE(op, nullptr);

  // Calls fs_glob's handler itself (not the checked Call) and checks its text.
  auto check = [&](const Json& args) -> Json {
    Result<Reply> reply = op->spec.handler(ctx_, args);
    EXPECT_TRUE(reply.ok()) << args.dump() << ": " << reply.status();
    if (!reply.ok()) return Json();
    const std::string& text = reply->data_json;
    Json data = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(data.is_discarded()) << args.dump() << ": not JSON: " << text.substr(0, 2000);
    if (data.is_discarded()) return Json();
    EXPECT_EQ(DescribeViolations(op->output->ValidateFully(data)), "") << args.dump();
    EXPECT_EQ(text, DumpJson(data)) << args.dump();
    return data;
  };

  std::set<std::string> seen;
  int pages = 0;
  for (const char* pattern : {"**/*", "weird/*", "**/*.c", "weird/sub/", "nothing*"}) {
    for (const char* type : {"any", "file", "dir"}) {
      for (bool gitignore : {true, false}) {
        Json args = {{"pattern", pattern}, {"type", type}, {"gitignore", gitignore}, {"limit", 9},
                     {"exclude", Json::array({"many/"})}};
        for (int page = 0; page < 10; ++page) {
          ++pages;
          Json data = check(args);
          if (!data.is_object()) break;
          for (const Json& m : data["matches"]) seen.insert(m["path"].get<std::string>());
          if (!data.contains("next_cursor")) break;
          args["cursor"] = data["next_cursor"];
        }
      }
    }
  }
  EXPECT_GT(pages, 40);  // several pages for most of the 30 argument sets
  EXPECT_TRUE(seen.count("/weird/bad\xef\xbf\xbd\xef\xbf\xbd")) << "bad name not shown";
  EXPECT_TRUE(seen.count("/weird/new\nline"));
  EXPECT_TRUE(seen.count("/data/table.c"));
  EXPECT_TRUE(seen.count("/ignored/x.c"));
  Json capped = check({{"pattern", "many/*"}, {"limit", 3}});
  EXPECT_EQ(capped["truncated"], true);
  EXPECT_FALSE(capped.contains("remaining"));
  EXPECT_TRUE(capped.contains("next_cursor"));
  // A walk cut short is walked again on one thread: the same page each time.
  EXPECT_EQ(check({{"pattern", "many/*"}, {"limit", 3}}), capped);
}

// ---------------------------------------------------------------------------
// fs_stat

TEST_F(FsBrowse, StatDescribesFilesDirectoriesAndLinks) {
  Write("a.txt", "hello");
  ASSERT_EQ(::chmod(tmp_.Join("ws/a.txt").c_str(), 0640), 0);
  SetMtime("a.txt", 1700000000);
  Mkdir("dir");
  std::filesystem::create_symlink("a.txt", tmp_.Join("ws/link"));
  std::filesystem::create_symlink("gone", tmp_.Join("ws/dangling"));
  Json d = Data("stat", {{"paths", {"a.txt", "dir", "link", "dangling"}}});
  const Json& e = d["entries"];
  ASSERT_EQ(e.size(), 4u);
  EXPECT_EQ(e[0]["path"], "/a.txt");
  EXPECT_EQ(e[0]["exists"], true);
  EXPECT_EQ(e[0]["type"], "file");
  EXPECT_EQ(e[0]["size"], 5);
  EXPECT_EQ(e[0]["mode"], "0640");
  EXPECT_EQ(e[0]["mtime"], "2023-11-14T22:13:20Z");
  EXPECT_TRUE(std::regex_match(e[0]["ctime"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  EXPECT_EQ(e[0]["bind"], "/");
  EXPECT_EQ(e[0]["read_only"], false);
  EXPECT_EQ(e[1]["type"], "dir");
  EXPECT_EQ(e[2]["type"], "symlink");
  EXPECT_EQ(e[2]["target"], "a.txt");
  EXPECT_EQ(e[2]["target_type"], "file");
  EXPECT_EQ(e[3]["target_type"], "missing");
  // follow: describe what the link leads to.
  Json followed = Data("stat", {{"path", "link"}, {"follow", true}});
  EXPECT_EQ(followed["entries"][0]["type"], "file");
  EXPECT_EQ(followed["entries"][0]["size"], 5);
  EXPECT_THAT(TextOf("stat", {{"path", "a.txt"}}),
              HasSubstr("/a.txt: file, 5 B, mode 0640, modified 2023-11-14T22:13:20Z, on bind /"));
}

TEST_F(FsBrowse, StatReportsMissingPathsAsNotExisting) {
  Json d = Data("stat", {{"path", "nope"}});
  EXPECT_EQ(d["entries"][0]["exists"], false);
  EXPECT_EQ(d["entries"][0]["path"], "/nope");
  EXPECT_EQ(Call("stat", Json::object()).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Call("stat", {{"path", "a"}, {"paths", Json::array({"b"})}}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FsBrowse, StatOfALinkLeadingOutside) {
  std::filesystem::create_symlink(tmp_.Join("outside/secret"), tmp_.Join("ws/out"));
  Json d = Data("stat", {{"path", "out"}});
  EXPECT_EQ(d["entries"][0]["type"], "symlink");
  EXPECT_EQ(d["entries"][0]["target_type"], "outside");
  Result<Reply> r = Call("stat", {{"path", "out"}, {"follow", true}});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("escapes the workspace"));
  // With paths, the error stays in its entry.
  Json many = Data("stat", {{"paths", {"out", "."}}, {"follow", true}});
  EXPECT_THAT(many["entries"][0]["error"].get<std::string>(), HasSubstr("escapes the workspace"));
  EXPECT_EQ(many["entries"][1]["type"], "dir");
}

TEST_F(FsBrowse, StatNamesTheBindAndWhetherItIsReadOnly) {
  tmp_.WriteFile("docs/guide.md", "g");
  Rebind({{"/", tmp_.Join("ws")}, {"/docs", tmp_.Join("docs") + ":ro"}, {"/a/b", tmp_.Join("docs")}}, false);
  Json d = Data("stat", {{"paths", {"/docs/guide.md", "/docs", "/", "/a"}}});
  EXPECT_EQ(d["entries"][0]["bind"], "/docs");
  EXPECT_EQ(d["entries"][0]["read_only"], true);
  EXPECT_EQ(d["entries"][1]["type"], "dir");
  EXPECT_EQ(d["entries"][1]["read_only"], true);
  EXPECT_EQ(d["entries"][2]["read_only"], false);
  EXPECT_EQ(d["entries"][3]["type"], "dir");  // holds a bind only
  Rebind({{"/", tmp_.Join("ws")}}, true);
  EXPECT_EQ(Data("stat", {{"path", "/"}})["entries"][0]["read_only"], true);
}

// ---------------------------------------------------------------------------
// The matchers fs_tree and fs_glob share

TEST(FsBrowseMatchers, NameGlobs) {
  EXPECT_TRUE(fs::NameGlob("*.cc").Match("a.cc"));
  EXPECT_TRUE(fs::NameGlob("*.cc").Match(".cc"));
  EXPECT_FALSE(fs::NameGlob("*.cc").Match("a.c"));
  EXPECT_TRUE(fs::NameGlob("test_*").Match("test_a"));
  EXPECT_TRUE(fs::NameGlob("*").Match(".hidden"));
  EXPECT_TRUE(fs::NameGlob("[a-c]?.h").Match("bx.h"));
  EXPECT_FALSE(fs::NameGlob("[a-c]?.h").Match("dx.h"));
  EXPECT_TRUE(fs::NameGlob("\\*lit").Match("*lit"));
  EXPECT_FALSE(fs::NameGlob("\\*lit").Match("xlit"));
  EXPECT_TRUE(fs::NameGlob("name").Match("name"));
}

TEST(FsBrowseMatchers, ComponentsWithDoubleStar) {
  auto m = [](std::vector<std::string> globs, std::vector<std::string_view> parts) {
    std::vector<fs::NameGlob> g;
    for (auto& s : globs) g.emplace_back(s);
    return fs::ComponentsMatcher(std::move(g)).Match(parts);
  };
  EXPECT_TRUE(m({"**", "*.c"}, {"a.c"}));
  EXPECT_TRUE(m({"**", "*.c"}, {"x", "y", "a.c"}));
  EXPECT_TRUE(m({"a", "**", "b"}, {"a", "b"}));
  EXPECT_TRUE(m({"a", "**", "b"}, {"a", "x", "y", "b"}));
  EXPECT_FALSE(m({"a", "**", "b"}, {"a", "x", "c"}));
  EXPECT_FALSE(m({"a", "**"}, {"a"}));  // a trailing ** needs something below
  EXPECT_TRUE(m({"a", "**"}, {"a", "b", "c"}));
  EXPECT_TRUE(m({"**", "**", "x"}, {"x"}));
}

TEST(FsBrowseMatchers, GitignoreRules) {
  fs::IgnoreRules rules;
  rules.AddLines("# comment\n\n*.log\n!important.log\nout/\n/root.txt\na/**/z\n\\!bang\n\\#hash\nsp\\ \n");
  using V = fs::IgnoreRules::Verdict;
  EXPECT_EQ(rules.Check("x.log", false), V::kIgnore);
  EXPECT_EQ(rules.Check("deep/x.log", false), V::kIgnore);
  EXPECT_EQ(rules.Check("important.log", false), V::kKeep);
  EXPECT_EQ(rules.Check("out", true), V::kIgnore);
  EXPECT_EQ(rules.Check("out", false), V::kNone);  // directories only
  EXPECT_EQ(rules.Check("src/out", true), V::kIgnore);
  EXPECT_EQ(rules.Check("root.txt", false), V::kIgnore);
  EXPECT_EQ(rules.Check("sub/root.txt", false), V::kNone);  // anchored
  EXPECT_EQ(rules.Check("a/z", false), V::kIgnore);
  EXPECT_EQ(rules.Check("a/b/c/z", false), V::kIgnore);
  EXPECT_EQ(rules.Check("b/a/z", false), V::kNone);
  EXPECT_EQ(rules.Check("!bang", false), V::kIgnore);
  EXPECT_EQ(rules.Check("#hash", false), V::kIgnore);
  EXPECT_EQ(rules.Check("comment", false), V::kNone);
  EXPECT_EQ(rules.Check("sp ", false), V::kIgnore);
}

}  // namespace
}  // namespace weft::venoms
