// search_files over real ripgrep: globs, names, order, pagination, ignore
// rules, namespace paths.
#include <filesystem>

#include "tests/core/venoms/search/search_fixture.h"

namespace weft::venoms {
namespace {

using SearchFiles = SearchVenomTest;

TEST_F(SearchFiles, GlobMatchesAtAnyDepthOrFromThePath) {
  Write("a.test.ts", "");
  Write("src/b.test.ts", "");
  Write("src/b.ts", "");
  Write("src/deep/c.test.ts", "");
  Write("lib/d.test.ts", "");
  EXPECT_EQ(Files(Data("files", {{"glob", "*.test.ts"}})),
            (std::vector<std::string>{"/a.test.ts", "/lib/d.test.ts", "/src/b.test.ts", "/src/deep/c.test.ts"}));
  EXPECT_EQ(Files(Data("files", {{"glob", "src/**/*.test.ts"}})),
            (std::vector<std::string>{"/src/b.test.ts", "/src/deep/c.test.ts"}));
  EXPECT_EQ(Files(Data("files", {{"glob", "*.test.ts"}, {"path", "src"}, {"exclude", {"deep"}}})),
            (std::vector<std::string>{"/src/b.test.ts"}));
}

TEST_F(SearchFiles, NameIsACaseInsensitiveFragmentOfTheFileName) {
  Write("README.md", "");
  Write("docs/Readme.txt", "");
  Write("readme/other.txt", "");  // the directory's name does not count
  Write("src/main.c", "");
  EXPECT_EQ(Files(Data("files", {{"name", "readme"}})), (std::vector<std::string>{"/README.md", "/docs/Readme.txt"}));
  EXPECT_EQ(Files(Data("files", {{"name", "readme"}, {"glob", "*.md"}})), (std::vector<std::string>{"/README.md"}));
}

TEST_F(SearchFiles, SortedByPathDirectoryByDirectory) {
  for (const char* f : {"b.txt", "a.txt", "a/z.txt", "a/b/c.txt", "c/a.txt", "B.txt"}) Write(f, "");
  EXPECT_EQ(Files(Data("files", Json::object())),
            (std::vector<std::string>{"/B.txt", "/a/b/c.txt", "/a/z.txt", "/a.txt", "/b.txt", "/c/a.txt"}));
}

TEST_F(SearchFiles, PagesCoverEveryFileExactlyOnce) {
  std::vector<std::string> all;
  for (int d = 0; d < 5; ++d) {
    for (int f = 0; f < 7; ++f) {
      std::string rel = "d" + std::to_string(d) + "/f" + std::to_string(f) + ".txt";
      Write(rel, "");
      all.push_back("/" + rel);
    }
  }
  std::vector<std::string> seen;
  Json args = {{"limit", 4}};
  int pages = 0;
  while (true) {
    Json data = Data("files", args);
    ASSERT_TRUE(data.is_object());
    ++pages;
    for (const std::string& f : Files(data)) seen.push_back(f);
    if (!data.contains("next_cursor")) break;
    EXPECT_TRUE(data["truncated"].get<bool>());
    args["cursor"] = data["next_cursor"];
    ASSERT_LT(pages, 20);
  }
  EXPECT_EQ(pages, 9);
  EXPECT_EQ(seen, all);
}

TEST_F(SearchFiles, StopsRipgrepOnceThePageIsFull) {
  for (int i = 0; i < 3000; ++i) Write("many/f" + std::to_string(i), "");
  Json data = Data("files", {{"limit", 10}});
  EXPECT_EQ(data["count"], 10);
  EXPECT_TRUE(data["truncated"].get<bool>());
  ASSERT_EQ(spawner_.results().size(), 1u);
  EXPECT_EQ(spawner_.results()[0].stop, proc::ProcessResult::Stop::kCallback);
}

TEST_F(SearchFiles, IgnoredAndHiddenFilesOnlyWhenAsked) {
  std::filesystem::create_directories(tmp_.Join("ws/.git"));
  Write(".gitignore", "*.log\n");
  Write("app.log", "");
  Write(".env", "");
  Write("main.c", "");
  Write(".git/HEAD", "");
  EXPECT_EQ(Files(Data("files", Json::object())), (std::vector<std::string>{"/main.c"}));
  EXPECT_EQ(Files(Data("files", {{"gitignore", false}})), (std::vector<std::string>{"/app.log", "/main.c"}));
  EXPECT_EQ(Files(Data("files", {{"hidden", true}})), (std::vector<std::string>{"/.env", "/.gitignore", "/main.c"}));
}

TEST_F(SearchFiles, ListsABindByItsNamespacePath) {
  tmp_.WriteFile("docs/guide.md", "");
  Write("docs/shadowed.md", "");
  Write("main.c", "");
  Rebind({{"/", tmp_.Join("ws")}, {"/docs", tmp_.Join("docs") + ":ro"}});
  Json root = Data("files", Json::object());
  EXPECT_EQ(Files(root), (std::vector<std::string>{"/main.c"}));
  EXPECT_EQ(root["binds_below"], Json::array({"/docs"}));
  Json docs = Data("files", {{"path", "/docs"}});
  EXPECT_EQ(Files(docs), (std::vector<std::string>{"/docs/guide.md"}));
  EXPECT_EQ(docs.dump().find(tmp_.path()), std::string::npos);
}

TEST_F(SearchFiles, RefusesAFileOrAnEscape) {
  Write("a.txt", "");
  std::filesystem::create_directory_symlink("../outside", tmp_.Join("ws/out"));
  Result<Reply> r = Call("files", {{"path", "a.txt"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = Call("files", {{"path", "out"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  r = Call("files", {{"path", "missing"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST_F(SearchFiles, EmptyResultIsNotAnError) {
  Write("a.txt", "");
  Result<Reply> r = Call("files", {{"glob", "*.nothing"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["count"], 0);
  EXPECT_FALSE(r->data["truncated"].get<bool>());
  EXPECT_NE(Text(*r).find("No files"), std::string::npos);
}

TEST_F(SearchFiles, NamesThatAreNotUtf8AreEscaped) {
  Write("caf\xe9.txt", "");
  Write("line\nbreak.txt", "");
  Json data = Data("files", Json::object());
  EXPECT_EQ(Files(data), (std::vector<std::string>{"/caf\\xE9.txt", "/line\nbreak.txt"}));
  ASSERT_TRUE(data.contains("warnings"));
  EXPECT_NE(data["warnings"][0].get<std::string>().find("UTF-8"), std::string::npos);
}

TEST_F(SearchFiles, MissingRipgrepExplainsHowToInstallIt) {
  SearchOptions options;
  options.rg = tmp_.Join("no-such-rg");
  Rebind({{"/", tmp_.Join("ws")}}, options);
  Result<Reply> r = Call("files", Json::object());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("apt-get install ripgrep"), std::string::npos) << r.status();
}

}  // namespace
}  // namespace weft::venoms
