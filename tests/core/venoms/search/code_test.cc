// search_code over real ripgrep: matching modes, filters, context, caps,
// pagination, early stop, cancellation, errors and namespace paths.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include <gmock/gmock.h>

#include "tests/core/proc/proc_test_util.h"
#include "tests/core/venoms/search/search_fixture.h"

namespace weft::venoms {
namespace {

using SearchCode = SearchVenomTest;
using ::testing::Contains;
using ::testing::Not;

TEST_F(SearchCode, RegexOrLiteral) {
  Write("a.txt", "a.b\naxb\ncall(x)\n");
  EXPECT_EQ(Where(Data("code", {{"pattern", "a.b"}})), (std::vector<std::string>{"/a.txt:1", "/a.txt:2"}));
  EXPECT_EQ(Where(Data("code", {{"pattern", "a.b"}, {"literal", true}})), (std::vector<std::string>{"/a.txt:1"}));
  EXPECT_EQ(Where(Data("code", {{"pattern", "call("}, {"literal", true}})), (std::vector<std::string>{"/a.txt:3"}));
  EXPECT_EQ(Where(Data("code", {{"pattern", "^a[xy]b$"}})), (std::vector<std::string>{"/a.txt:2"}));
}

TEST_F(SearchCode, CaseModes) {
  Write("a.txt", "foo\nFoo\nFOO\n");
  auto lines = [this](const std::string& pattern, const char* mode) {
    Json args = {{"pattern", pattern}};
    if (mode != nullptr) args["case"] = mode;
    return Where(Data("code", args)).size();
  };
  EXPECT_EQ(lines("foo", nullptr), 3u);  // smart: all lower case → insensitive
  EXPECT_EQ(lines("Foo", nullptr), 1u);  // smart: an upper-case letter → sensitive
  EXPECT_EQ(lines("Foo", "smart"), 1u);
  EXPECT_EQ(lines("foo", "sensitive"), 1u);
  EXPECT_EQ(lines("Foo", "insensitive"), 3u);
}

TEST_F(SearchCode, IncludeAndExcludeGlobs) {
  Write("src/a.c", "needle\n");
  Write("src/a.h", "needle\n");
  Write("src/deep/b.c", "needle\n");
  Write("test/c.c", "needle\n");
  Write("notes.md", "needle\n");
  EXPECT_EQ(Where(Data("code", {{"pattern", "needle"}, {"include", {"*.c"}}})),
            (std::vector<std::string>{"/src/a.c:1", "/src/deep/b.c:1", "/test/c.c:1"}));
  EXPECT_EQ(Where(Data("code", {{"pattern", "needle"}, {"include", {"src/**"}}, {"exclude", {"*.h"}}})),
            (std::vector<std::string>{"/src/a.c:1", "/src/deep/b.c:1"}));
  EXPECT_EQ(Where(Data("code", {{"pattern", "needle"}, {"exclude", {"src", "test"}}})),
            (std::vector<std::string>{"/notes.md:1"}));
  EXPECT_EQ(Where(Data("code", {{"pattern", "needle"}, {"include", {"*.{c,h}"}}, {"path", "src"}})),
            (std::vector<std::string>{"/src/a.c:1", "/src/a.h:1", "/src/deep/b.c:1"}));
}

TEST_F(SearchCode, ContextLinesBeforeAndAfter) {
  Write("a.txt", "one\ntwo\nneedle A\nthree\nfour\nfive\nsix\nneedle B\nseven\n");
  Result<Reply> r = Call("code", {{"pattern", "needle"}, {"context", 2}});
  ASSERT_TRUE(r.ok()) << r.status();
  const Json& m = r->data["matches"];
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0]["before"], Json::parse(R"([{"line":1,"text":"one"},{"line":2,"text":"two"}])"));
  EXPECT_EQ(m[0]["after"], Json::parse(R"([{"line":4,"text":"three"},{"line":5,"text":"four"}])"));
  EXPECT_EQ(m[1]["before"], Json::parse(R"([{"line":6,"text":"five"},{"line":7,"text":"six"}])"));
  EXPECT_EQ(m[1]["after"], Json::parse(R"([{"line":9,"text":"seven"}])"));
  std::string text = Text(*r);
  EXPECT_EQ(text.substr(0, text.find("\n2 matches")),
            "/a.txt-1- one\n/a.txt-2- two\n/a.txt:3:1: needle A\n/a.txt-4- three\n/a.txt-5- four\n"
            "/a.txt-6- five\n/a.txt-7- six\n/a.txt:8:1: needle B\n/a.txt-9- seven\n");

  Json none = Data("code", {{"pattern", "needle"}});
  EXPECT_FALSE(none["matches"][0].contains("before"));
  EXPECT_FALSE(none["matches"][0].contains("after"));
}

TEST_F(SearchCode, ContextSeparatesDistantStretches) {
  Write("a.txt", "needle 1\nx\ny\nz\nneedle 2\n");
  Result<Reply> r = Call("code", {{"pattern", "needle"}, {"context", 1}});
  ASSERT_TRUE(r.ok()) << r.status();
  std::string text = Text(*r);
  EXPECT_EQ(text.substr(0, text.find("\n2 matches")),
            "/a.txt:1:1: needle 1\n/a.txt-2- x\n--\n/a.txt-4- z\n/a.txt:5:1: needle 2\n");
}

TEST_F(SearchCode, GitignoreOnAndOff) {
  std::filesystem::create_directories(tmp_.Join("ws/.git"));
  Write(".gitignore", "build/\n");
  Write("build/out.txt", "needle\n");
  Write("src.txt", "needle\n");
  EXPECT_EQ(Where(Data("code", {{"pattern", "needle"}})), (std::vector<std::string>{"/src.txt:1"}));
  EXPECT_EQ(Where(Data("code", {{"pattern", "needle"}, {"gitignore", false}})),
            (std::vector<std::string>{"/build/out.txt:1", "/src.txt:1"}));
}

TEST_F(SearchCode, HiddenFilesOnlyWhenAsked) {
  Write(".env", "needle\n");
  Write(".config/app.txt", "needle\n");
  Write(".git/config", "needle\n");
  Write("plain.txt", "needle\n");
  EXPECT_EQ(Where(Data("code", {{"pattern", "needle"}})), (std::vector<std::string>{"/plain.txt:1"}));
  EXPECT_EQ(Where(Data("code", {{"pattern", "needle"}, {"hidden", true}})),
            (std::vector<std::string>{"/.config/app.txt:1", "/.env:1", "/plain.txt:1"}));
}

TEST_F(SearchCode, PerFileCapReportsCappedFiles) {
  std::string many, five;
  for (int i = 0; i < 30; ++i) many += "needle\n";
  for (int i = 0; i < 5; ++i) five += "needle\n";
  Write("five.txt", five);
  Write("many.txt", many);
  Json data = Data("code", {{"pattern", "needle"}, {"max_per_file", 5}});
  EXPECT_EQ(data["match_count"], 10);
  EXPECT_EQ(data["capped_files"], Json::array({"/many.txt"}));
  EXPECT_FALSE(data["truncated"].get<bool>());
  std::vector<std::string> where = Where(data);
  EXPECT_EQ(where.back(), "/many.txt:5");
}

TEST_F(SearchCode, PagesCoverEveryMatchExactlyOnce) {
  std::vector<std::string> expected;
  for (int f = 0; f < 4; ++f) {
    std::string content;
    for (int l = 1; l <= 9; ++l) {
      content += (l % 3 == 0 ? "other\n" : "needle here\n");
      if (l % 3 != 0 && l <= 7) expected.push_back("/f" + std::to_string(f) + ".txt:" + std::to_string(l));
    }
    Write("f" + std::to_string(f) + ".txt", content);
  }
  // max_per_file 5 keeps lines 1,2,4,5,7 of each file: 20 matches.
  std::vector<std::string> seen;
  Json args = {{"pattern", "needle"}, {"limit", 3}, {"max_per_file", 5}, {"context", 1}};
  int pages = 0;
  while (true) {
    Json data = Data("code", args);
    ASSERT_TRUE(data.is_object());
    ++pages;
    for (const std::string& w : Where(data)) seen.push_back(w);
    if (!data.contains("next_cursor")) {
      EXPECT_FALSE(data["truncated"].get<bool>());
      break;
    }
    EXPECT_TRUE(data["truncated"].get<bool>());
    EXPECT_EQ(data["match_count"], 3);
    args["cursor"] = data["next_cursor"];
    ASSERT_LT(pages, 20);
  }
  EXPECT_EQ(pages, 7);
  EXPECT_EQ(seen, expected);  // each once, in path then line order
}

TEST_F(SearchCode, CursorOfAnotherSearchIsRefused) {
  Write("a.txt", "needle\nneedle\n");
  Json first = Data("code", {{"pattern", "needle"}, {"limit", 1}});
  ASSERT_TRUE(first.contains("next_cursor"));
  Result<Reply> r = Call("code", {{"pattern", "other"}, {"cursor", first["next_cursor"]}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("different search"), std::string::npos) << r.status();
  r = Call("code", {{"pattern", "needle"}, {"cursor", "garbage"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SearchCode, StopsRipgrepOnceThePageIsFull) {
  // Unique to this process, so that only our own rg can show up with it.
  const std::string marker = "weftmarker" + std::to_string(getpid());
  std::string lines;
  for (int i = 0; i < 2000; ++i) lines += marker + " line\n";
  for (int f = 0; f < 50; ++f) Write("f" + std::to_string(f) + ".txt", lines);
  Json data = Data("code", {{"pattern", marker}, {"limit", 5}, {"max_per_file", 1000}});
  EXPECT_EQ(data["match_count"], 5);
  EXPECT_TRUE(data["truncated"].get<bool>());
  // 100,000 matches: the parallel run stops at what it may keep, the sorted
  // one as soon as the page is full.
  ASSERT_EQ(spawner_.results().size(), 2u);
  EXPECT_EQ(spawner_.results()[0].stop, proc::ProcessResult::Stop::kCallback);
  EXPECT_EQ(spawner_.results()[1].stop, proc::ProcessResult::Stop::kCallback);
  EXPECT_THAT(spawner_.argvs()[0], Not(Contains("--sort")));
  EXPECT_THAT(spawner_.argvs()[1], Contains("--sort"));
  EXPECT_TRUE(NoProcessWith(marker)) << "an rg process was left behind";
  EXPECT_TRUE(proc::testing::GroupGone(spawner_.results()[0].pid));
  EXPECT_TRUE(proc::testing::GroupGone(spawner_.results()[1].pid));
}

TEST_F(SearchCode, ParallelSearchReturnsTheSortedWalksOrder) {
  // Byte order would put "a.c/x.txt" before "a/b.txt" ('.' < '/'); a walk
  // sorting each directory by name does the opposite ("a" < "a.c").
  for (const char* path : {"a.c/x.txt", "a/b.txt", "a/a/z.txt", "b.txt", "A.txt", "a-b/c.txt", "a/b.txt.bak"}) {
    Write(path, "needle 1\nplain\nneedle 2\n");
  }
  Json data = Data("code", {{"pattern", "needle"}});
  ASSERT_EQ(spawner_.argvs().size(), 1u);
  EXPECT_THAT(spawner_.argvs()[0], Not(Contains("--sort")));
  const std::vector<std::string> parallel = Where(data);
  Json page = Data("code", {{"pattern", "needle"}, {"limit", 3}});
  Json rest = Data("code", {{"pattern", "needle"}, {"cursor", page["next_cursor"]}});
  std::vector<std::string> paged = Where(page);
  for (const std::string& w : Where(rest)) paged.push_back(w);
  EXPECT_EQ(parallel, paged);
  EXPECT_EQ(parallel, (std::vector<std::string>{"/A.txt:1", "/A.txt:3", "/a/a/z.txt:1", "/a/a/z.txt:3", "/a/b.txt:1",
                                                "/a/b.txt:3", "/a/b.txt.bak:1", "/a/b.txt.bak:3", "/a-b/c.txt:1",
                                                "/a-b/c.txt:3", "/a.c/x.txt:1", "/a.c/x.txt:3", "/b.txt:1",
                                                "/b.txt:3"}));
}

// A context that cancels the call at its first progress report.
class CancelOnProgress : public FakeVenomContext {
 public:
  void Progress(double progress, std::optional<double> total, const std::string& message) override {
    FakeVenomContext::Progress(progress, total, message);
    Cancel();
  }
};

TEST_F(SearchCode, ReportsProgressAndCancellationStopsRipgrep) {
  // A stand-in for a slow rg: prints one match, then waits.
  tmp_.WriteFile("slow-rg", "#!/bin/sh\n"
                 "echo $$ > \"$(dirname \"$0\")/slow-rg.pid\"\n"
                 "echo '{\"type\":\"begin\",\"data\":{\"path\":{\"text\":\"./a.txt\"}}}'\n"
                 "echo '{\"type\":\"match\",\"data\":{\"path\":{\"text\":\"./a.txt\"},\"lines\":{\"text\":\"x\"},"
                 "\"line_number\":1,\"submatches\":[]}}'\n"
                 "exec sleep 100\n");
  std::filesystem::permissions(tmp_.Join("slow-rg"), std::filesystem::perms::owner_all);
  SearchOptions options;
  options.rg = tmp_.Join("slow-rg");
  options.progress_interval = std::chrono::milliseconds(20);
  Rebind({{"/", tmp_.Join("ws")}}, options);
  CancelOnProgress ctx;
  Result<Reply> r = Call(ctx, "code", {{"pattern", "x"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled) << r.status();
  ASSERT_FALSE(ctx.progress().empty());
  EXPECT_EQ(ctx.progress()[0].message.substr(0, 12), "searching /:") << ctx.progress()[0].message;
  EXPECT_NE(ctx.progress()[0].message.find("so far"), std::string::npos) << ctx.progress()[0].message;
  ASSERT_EQ(spawner_.results().size(), 1u);
  EXPECT_EQ(spawner_.results()[0].stop, proc::ProcessResult::Stop::kCancelled);
  pid_t pgid = std::stoi(weft::testing::ReadFileOrDie(tmp_.Join("slow-rg.pid")));
  EXPECT_EQ(pgid, spawner_.results()[0].pid);
  EXPECT_TRUE(proc::testing::GroupGone(pgid)) << "the stand-in rg was left running";
}

TEST_F(SearchCode, TimeoutReturnsWhatWasFoundSoFar) {
  tmp_.WriteFile("slow-rg", "#!/bin/sh\n"
                 "echo '{\"type\":\"begin\",\"data\":{\"path\":{\"text\":\"./a.txt\"}}}'\n"
                 "echo '{\"type\":\"match\",\"data\":{\"path\":{\"text\":\"./a.txt\"},\"lines\":{\"text\":\"x\"},"
                 "\"line_number\":4,\"submatches\":[]}}'\n"
                 "exec sleep 100\n");
  std::filesystem::permissions(tmp_.Join("slow-rg"), std::filesystem::perms::owner_all);
  SearchOptions options;
  options.rg = tmp_.Join("slow-rg");
  options.timeout = std::chrono::milliseconds(300);
  Rebind({{"/", tmp_.Join("ws")}}, options);
  Result<Reply> r = Call("code", {{"pattern", "x"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Where(r->data), (std::vector<std::string>{"/a.txt:4"}));
  EXPECT_EQ(r->data["timed_out"], true);
  EXPECT_TRUE(r->data["truncated"].get<bool>());
  EXPECT_TRUE(r->data.contains("next_cursor"));
  EXPECT_NE(Text(*r).find("ran out of time"), std::string::npos);
  ASSERT_EQ(spawner_.results().size(), 1u);
  EXPECT_TRUE(proc::testing::GroupGone(spawner_.results()[0].pid));
}

TEST_F(SearchCode, CancelledBeforeItStarts) {
  Write("a.txt", "needle\n");
  ctx_.Cancel();
  Result<Reply> r = Call("code", {{"pattern", "needle"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  EXPECT_TRUE(spawner_.argvs().empty());
}

TEST_F(SearchCode, BadRegexSaysSoAndSuggestsLiteral) {
  Write("a.txt", "foo(\n");
  Result<Reply> r = Call("code", {{"pattern", "foo("}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("regular expression"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("literal: true"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("unclosed group"), std::string::npos) << r.status();
}

TEST_F(SearchCode, BadGlobIsReported) {
  Write("a.txt", "needle\n");
  Result<Reply> r = Call("code", {{"pattern", "needle"}, {"include", {"[abc"}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("glob"), std::string::npos) << r.status();
}

TEST_F(SearchCode, MissingRipgrepExplainsHowToInstallIt) {
  setenv("WEFT_RG", tmp_.Join("no-such-rg").c_str(), 1);
  Rebind({{"/", tmp_.Join("ws")}});
  Result<Reply> r = Call("code", {{"pattern", "needle"}});
  unsetenv("WEFT_RG");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("ripgrep"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("apt-get install ripgrep"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("brew install ripgrep"), std::string::npos) << r.status();
}

TEST_F(SearchCode, NonUtf8LinesAreEscaped) {
  Write("latin1.txt", "caf\xe9 needle\n");
  Json data = Data("code", {{"pattern", "needle"}});
  ASSERT_EQ(data["matches"].size(), 1u);
  const Json& m = data["matches"][0];
  EXPECT_EQ(m["text"], "caf\\xE9 needle");
  EXPECT_EQ(m["non_utf8"], true);
  EXPECT_EQ(m["column"], 6);
  EXPECT_EQ(m["submatches"][0]["text"], "needle");
}

TEST_F(SearchCode, LongLinesAreShortenedAroundTheMatch) {
  Write("long.txt", std::string(5000, 'x') + "needle" + std::string(5000, 'y') + "\n");
  Json data = Data("code", {{"pattern", "needle"}});
  ASSERT_EQ(data["matches"].size(), 1u);
  const Json& m = data["matches"][0];
  EXPECT_EQ(m["column"], 5001);
  EXPECT_EQ(m["text_truncated"], true);
  std::string text = m["text"];
  EXPECT_LT(text.size(), 520u);
  EXPECT_NE(text.find("needle"), std::string::npos);
  EXPECT_EQ(text.substr(0, 3), "…");
}

TEST_F(SearchCode, PatternMayStartWithADash) {
  Write("a.txt", "x --verbose y\n");
  EXPECT_EQ(Where(Data("code", {{"pattern", "--verbose"}})), (std::vector<std::string>{"/a.txt:1"}));
}

TEST_F(SearchCode, SearchesOneFile) {
  Write("dir/a.txt", "needle\n");
  Write("dir/b.txt", "needle\n");
  EXPECT_EQ(Where(Data("code", {{"pattern", "needle"}, {"path", "dir/b.txt"}})),
            (std::vector<std::string>{"/dir/b.txt:1"}));
}

TEST_F(SearchCode, ReportsNamespacePathsAcrossBinds) {
  tmp_.WriteFile("docs/guide.md", "needle in docs\n");
  Write("docs/shadowed.md", "needle hidden by the bind\n");
  Write("src/main.c", "needle\n");
  Rebind({{"/", tmp_.Join("ws")}, {"/docs", tmp_.Join("docs") + ":ro"}});

  Result<Reply> r = Call("code", {{"pattern", "needle"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Where(r->data), (std::vector<std::string>{"/src/main.c:1"}));
  EXPECT_EQ(r->data["binds_below"], Json::array({"/docs"}));
  EXPECT_NE(Text(*r).find("/docs"), std::string::npos);

  r = Call("code", {{"pattern", "needle"}, {"path", "/docs"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Where(r->data), (std::vector<std::string>{"/docs/guide.md:1"}));
  EXPECT_EQ(r->data["path"], "/docs");
  EXPECT_EQ(Text(*r).find(tmp_.path()), std::string::npos) << Text(*r);
  EXPECT_EQ(r->data.dump().find(tmp_.path()), std::string::npos);
}

TEST_F(SearchCode, PathsThatLeaveTheWorkspaceFail) {
  std::filesystem::create_directory_symlink("../outside", tmp_.Join("ws/out"));
  Result<Reply> r = Call("code", {{"pattern", "needle"}, {"path", "out"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("escapes the workspace"), std::string::npos) << r.status();

  r = Call("code", {{"pattern", "needle"}, {"path", "../outside"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);

  // rg itself never follows the symlink out of the bind.
  Json data = Data("code", {{"pattern", "needle"}, {"hidden", true}, {"gitignore", false}});
  EXPECT_EQ(data["match_count"], 0);
}

TEST_F(SearchCode, NoMatchesIsNotAnError) {
  Write("a.txt", "hay\n");
  Result<Reply> r = Call("code", {{"pattern", "needle"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["match_count"], 0);
  EXPECT_NE(Text(*r).find("No matches"), std::string::npos);
}

TEST_F(SearchCode, PassesArgumentsAsArgvNeverAShell) {
  Write("a.txt", "$(touch pwned) ; `x`\n");
  Json data = Data("code", {{"pattern", "$(touch pwned) ; `x`"}, {"literal", true}});
  EXPECT_EQ(data["match_count"], 1);
  EXPECT_FALSE(std::filesystem::exists(tmp_.Join("ws/pwned")));
  ASSERT_FALSE(spawner_.argvs().empty());
  const std::vector<std::string> argv = spawner_.argvs().back();
  ASSERT_GE(argv.size(), 3u);
  EXPECT_EQ(argv[argv.size() - 3], "--");
  EXPECT_EQ(argv[argv.size() - 2], "$(touch pwned) ; `x`");
  EXPECT_EQ(argv.back(), ".");
}

}  // namespace
}  // namespace weft::venoms
