// fs_write: create and replace atomically, create_only, parents, modes,
// symlinks replaced not followed, nothing written outside or on read-only
// binds, no temporary files left behind; and the write side's registration.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "tests/core/venoms/fs/fs_fixture.h"

namespace weft::venoms {
namespace {

class FsWrite : public FsVenomTest {
 protected:
  std::string Host(const std::string& rel) { return tmp_.Join("ws/" + rel); }
  std::string ReadHost(const std::string& rel) { return weft::testing::ReadFileOrDie(Host(rel)); }
  bool Exists(const std::string& host) {
    struct stat st;
    return ::lstat(host.c_str(), &st) == 0;
  }
  // The names in host directory `dir`, sorted: shows leftover temporary files.
  std::vector<std::string> Names(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  mode_t Mode(const std::string& host) {
    struct stat st;
    EXPECT_EQ(::lstat(host.c_str(), &st), 0) << host;
    return st.st_mode & 07777;
  }
  void ExpectOutsideUntouched() {
    EXPECT_EQ(Names(tmp_.Join("outside")), std::vector<std::string>{"secret"});
    EXPECT_EQ(weft::testing::ReadFileOrDie(tmp_.Join("outside/secret")), "secret");
  }
};

TEST_F(FsWrite, CreatesAFileAndSaysSo) {
  Result<Reply> r = Call("write", {{"path", "a.txt"}, {"content", "hello"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data, (Json{{"path", "/a.txt"}, {"created", true}, {"bytes", 5}, {"previous_type", "none"},
                           {"created_dirs", Json::array()}}));
  EXPECT_EQ(Text(*r), "Wrote 5 bytes to /a.txt (created)");
  EXPECT_EQ(ReadHost("a.txt"), "hello");
  EXPECT_EQ(Mode(Host("a.txt")), 0644u);
}

TEST_F(FsWrite, ReplacesAnExistingFileKeepingItsMode) {
  tmp_.WriteFile("ws/run.sh", "old");
  ASSERT_EQ(::chmod(Host("run.sh").c_str(), 0750), 0);
  std::string big(1234, 'x');
  Json data = Data("write", {{"path", "/run.sh"}, {"content", big}});
  EXPECT_EQ(data["created"], false);
  EXPECT_EQ(data["previous_type"], "file");
  EXPECT_EQ(data["bytes"], 1234);
  EXPECT_EQ(ReadHost("run.sh"), big);
  EXPECT_EQ(Mode(Host("run.sh")), 0750u);
  Result<Reply> again = Call("write", {{"path", "run.sh"}, {"content", "x"}});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Text(*again), "Wrote 1 byte to /run.sh (replaced)");
}

TEST_F(FsWrite, ReportsBigCountsWithSeparators) {
  Result<Reply> r = Call("write", {{"path", "big.txt"}, {"content", std::string(1234567, 'y')}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Text(*r), "Wrote 1,234,567 bytes to /big.txt (created)");
}

TEST_F(FsWrite, EmptyContentMakesAnEmptyFile) {
  Json data = Data("write", {{"path", "empty"}, {"content", ""}});
  EXPECT_EQ(data["bytes"], 0);
  EXPECT_EQ(ReadHost("empty"), "");
}

TEST_F(FsWrite, CreateOnlyRefusesAnExistingFile) {
  tmp_.WriteFile("ws/keep.txt", "keep");
  Result<Reply> r = Call("write", {{"path", "keep.txt"}, {"content", "new"}, {"create_only", true}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(r.status().message().find("/keep.txt already exists"), std::string::npos) << r.status();
  EXPECT_NE(r.status().message().find("create_only"), std::string::npos) << r.status();
  EXPECT_EQ(ReadHost("keep.txt"), "keep");
  EXPECT_EQ(Names(tmp_.Join("ws")), std::vector<std::string>{"keep.txt"});
}

TEST_F(FsWrite, CreateOnlyCreatesANewFile) {
  Json data = Data("write", {{"path", "fresh.txt"}, {"content", "x"}, {"create_only", true}});
  EXPECT_EQ(data["created"], true);
  EXPECT_EQ(ReadHost("fresh.txt"), "x");
}

TEST_F(FsWrite, AMissingDirectoryIsAnErrorThatSuggestsParents) {
  Result<Reply> r = Call("write", {{"path", "no/such/a.txt"}, {"content", "x"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("parents: true"), std::string::npos) << r.status();
  EXPECT_FALSE(Exists(Host("no")));
}

TEST_F(FsWrite, ParentsCreatesTheMissingDirectories) {
  std::filesystem::create_directories(Host("src"));
  Result<Reply> r = Call("write", {{"path", "src/a/b/c.txt"}, {"content", "deep"}, {"parents", true}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["created_dirs"], (Json{"/src/a", "/src/a/b"}));
  EXPECT_EQ(ReadHost("src/a/b/c.txt"), "deep");
  EXPECT_EQ(Text(*r), "Wrote 4 bytes to /src/a/b/c.txt (created; made the directories /src/a, /src/a/b)");
}

TEST_F(FsWrite, ParentsFailsClearlyOnAFileInThePath) {
  tmp_.WriteFile("ws/a", "file");
  Result<Reply> r = Call("write", {{"path", "a/b/c.txt"}, {"content", "x"}, {"parents", true}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("/a is a file, not a directory"), std::string::npos) << r.status();
  EXPECT_EQ(ReadHost("a"), "file");
}

TEST_F(FsWrite, ASymlinkAtThePathIsReplacedNotFollowed) {
  ASSERT_EQ(::symlink("../outside/secret", Host("link").c_str()), 0);
  tmp_.WriteFile("ws/real.txt", "real");
  ASSERT_EQ(::symlink("real.txt", Host("inside").c_str()), 0);
  Result<Reply> r = Call("write", {{"path", "link"}, {"content", "mine"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["previous_type"], "symlink");
  EXPECT_NE(Text(*r).find("the link's target was left alone"), std::string::npos) << Text(*r);
  Data("write", {{"path", "inside"}, {"content", "also mine"}});
  EXPECT_TRUE(std::filesystem::is_regular_file(std::filesystem::symlink_status(Host("link"))));
  EXPECT_EQ(ReadHost("link"), "mine");
  EXPECT_EQ(ReadHost("inside"), "also mine");
  EXPECT_EQ(ReadHost("real.txt"), "real");
  ExpectOutsideUntouched();
}

TEST_F(FsWrite, AHardLinkToAFileOutsideIsReplacedNotWrittenThrough) {
  if (::link(tmp_.Join("outside/secret").c_str(), Host("hard").c_str()) != 0) {
    GTEST_SKIP() << "cannot hard-link across the temporary directories here";
  }
  Data("write", {{"path", "hard"}, {"content", "mine"}});
  EXPECT_EQ(ReadHost("hard"), "mine");
  ExpectOutsideUntouched();
}

TEST_F(FsWrite, RefusesADirectoryAndTheRoot) {
  std::filesystem::create_directories(Host("dir"));
  Result<Reply> r = Call("write", {{"path", "dir"}, {"content", "x"}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/dir is a directory"), std::string::npos) << r.status();
  Result<Reply> root = Call("write", {{"path", "/"}, {"content", "x"}});
  ASSERT_FALSE(root.ok());
  EXPECT_NE(root.status().message().find("is a directory"), std::string::npos) << root.status();
  EXPECT_EQ(Names(tmp_.Join("ws")), std::vector<std::string>{"dir"});
}

TEST_F(FsWrite, RefusesADirectoryLinkLeadingOutside) {
  ASSERT_EQ(::symlink("../outside", Host("out").c_str()), 0);
  for (bool parents : {false, true}) {
    Result<Reply> r = Call("write", {{"path", "out/new.txt"}, {"content", "x"}, {"parents", parents}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(r.status().message().find("escapes the workspace"), std::string::npos) << r.status();
    Result<Reply> deeper = Call("write", {{"path", "out/d/new.txt"}, {"content", "x"}, {"parents", parents}});
    ASSERT_FALSE(deeper.ok());
  }
  Result<Reply> over = Call("write", {{"path", "out/secret"}, {"content", "x"}});
  ASSERT_FALSE(over.ok());
  ExpectOutsideUntouched();
}

TEST_F(FsWrite, RefusesDotDot) {
  Result<Reply> r = Call("write", {{"path", "../outside/x"}, {"content", "x"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(".."), std::string::npos) << r.status();
  ExpectOutsideUntouched();
}

TEST_F(FsWrite, RefusesAReadOnlyBindAndChangesNothing) {
  tmp_.WriteFile("ro/f.txt", "ro");
  Rebind({{"/", tmp_.Join("ws")}, {"/ro", tmp_.Join("ro") + ":ro"}}, false);
  Result<Reply> r = Call("write", {{"path", "/ro/f.txt"}, {"content", "x"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("read-only bind /ro"), std::string::npos) << r.status();
  Result<Reply> fresh = Call("write", {{"path", "/ro/new.txt"}, {"content", "x"}, {"parents", true}});
  ASSERT_FALSE(fresh.ok());
  EXPECT_EQ(weft::testing::ReadFileOrDie(tmp_.Join("ro/f.txt")), "ro");
  EXPECT_EQ(Names(tmp_.Join("ro")), std::vector<std::string>{"f.txt"});
}

TEST_F(FsWrite, RefusesAReadOnlyWorkspace) {
  Rebind({{"/", tmp_.Join("ws")}}, true);
  Result<Reply> r = Call("write", {{"path", "a.txt"}, {"content", "x"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(r.status().message().find("read-only"), std::string::npos) << r.status();
  EXPECT_TRUE(Names(tmp_.Join("ws")).empty());
}

TEST_F(FsWrite, WritesIntoAFurtherBindAndAcceptsHostPaths) {
  std::filesystem::create_directories(tmp_.Join("data"));
  Rebind({{"/", tmp_.Join("ws")}, {"/data", tmp_.Join("data")}}, false);
  Json data = Data("write", {{"path", "/data/x.txt"}, {"content", "x"}});
  EXPECT_EQ(data["path"], "/data/x.txt");
  EXPECT_EQ(weft::testing::ReadFileOrDie(tmp_.Join("data/x.txt")), "x");
  Json host = Data("write", {{"path", Host("h.txt")}, {"content", "h"}});
  EXPECT_EQ(host["path"], "/h.txt");
}

TEST_F(FsWrite, PicksTheWorkspaceByNameAndRefusesAnUnknownOne) {
  EXPECT_EQ(Data("write", {{"workspace", "test"}, {"path", "a"}, {"content", "x"}})["path"], "/a");
  Result<Reply> r = Call("write", {{"workspace", "nope"}, {"path", "a"}, {"content", "x"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST_F(FsWrite, RefusesContentOver16MiB) {
  // 8,388,609 two-byte characters: within the schema's length in code
  // points, past the limit in bytes.
  std::string content;
  for (int i = 0; i < 8 * 1024 * 1024 + 1; ++i) content += "\xC3\xA9";
  Result<Reply> r = Call("write", {{"path", "huge.txt"}, {"content", content}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("16 MiB"), std::string::npos) << r.status();
  EXPECT_TRUE(Names(tmp_.Join("ws")).empty());
}

TEST_F(FsWrite, LeavesNoTemporaryFilesBehind) {
  tmp_.WriteFile("ws/d/a", "a");
  Data("write", {{"path", "d/a"}, {"content", "A"}});
  Data("write", {{"path", "d/b"}, {"content", "B"}});
  ASSERT_FALSE(Call("write", {{"path", "d/a"}, {"content", "x"}, {"create_only", true}}).ok());
  EXPECT_EQ(Names(Host("d")), (std::vector<std::string>{"a", "b"}));
}

TEST_F(FsWrite, RegistersTheWriteSideInOrderWithTruthfulAnnotations) {
  std::vector<std::string> names;
  for (const auto& op : registry_->ops()) {
    if (op->spec.right == Right::kFsWrite) names.push_back(op->name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"fs_write", "fs_edit", "fs_move", "fs_copy", "fs_remove", "fs_mkdir"}));
  const Op* write = registry_->Find("fs", "write");
  ASSERT_NE(write, nullptr);
  EXPECT_FALSE(write->spec.annotations.read_only);
  EXPECT_TRUE(write->spec.annotations.destructive);
  EXPECT_TRUE(write->spec.annotations.idempotent);
  EXPECT_FALSE(write->spec.annotations.open_world);
}

}  // namespace
}  // namespace weft::venoms
