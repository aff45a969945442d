// fs_move, fs_copy, fs_remove, fs_mkdir: what each does, what each refuses
// (bind roots, binds crossed, ends outside the workspace, read-only binds),
// symlinks never followed, and nothing half-done.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "tests/core/venoms/fs/fs_fixture.h"

namespace weft::venoms {
namespace {

namespace stdfs = std::filesystem;

class FsManage : public FsVenomTest {
 protected:
  std::string Host(const std::string& rel) { return tmp_.Join("ws/" + rel); }
  std::string ReadHost(const std::string& rel) { return weft::testing::ReadFileOrDie(Host(rel)); }
  bool Exists(const std::string& rel) {
    struct stat st;
    return ::lstat(Host(rel).c_str(), &st) == 0;
  }
  std::vector<std::string> Names(const std::string& host_dir) {
    std::vector<std::string> out;
    for (const auto& e : stdfs::directory_iterator(host_dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  void Link(const std::string& target, const std::string& rel) {
    ASSERT_EQ(::symlink(target.c_str(), Host(rel).c_str()), 0) << rel;
  }
  void ExpectOutsideUntouched() {
    EXPECT_EQ(Names(tmp_.Join("outside")), std::vector<std::string>{"secret"});
    EXPECT_EQ(weft::testing::ReadFileOrDie(tmp_.Join("outside/secret")), "secret");
  }
  void ExpectError(const std::string& op, const Json& args, StatusCode code, const std::string& says) {
    Result<Reply> r = Call(op, args);
    ASSERT_FALSE(r.ok()) << op << " " << args.dump();
    EXPECT_EQ(r.status().code(), code) << r.status();
    EXPECT_NE(r.status().message().find(says), std::string::npos) << r.status();
  }
};

// --- move ------------------------------------------------------------------

TEST_F(FsManage, MoveRenamesAFile) {
  tmp_.WriteFile("ws/a.txt", "a");
  std::filesystem::create_directories(Host("sub"));
  Result<Reply> r = Call("move", {{"source", "a.txt"}, {"destination", "/sub/b.txt"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data,
            (Json{{"source", "/a.txt"}, {"destination", "/sub/b.txt"}, {"type", "file"}, {"replaced", false}}));
  EXPECT_EQ(Text(*r), "Moved /a.txt to /sub/b.txt (a file)");
  EXPECT_FALSE(Exists("a.txt"));
  EXPECT_EQ(ReadHost("sub/b.txt"), "a");
}

TEST_F(FsManage, MoveRenamesADirectoryWithItsContents) {
  tmp_.WriteFile("ws/d/x", "x");
  EXPECT_EQ(Data("move", {{"source", "d"}, {"destination", "e"}})["type"], "dir");
  EXPECT_EQ(ReadHost("e/x"), "x");
  EXPECT_FALSE(Exists("d"));
}

TEST_F(FsManage, MoveRefusesToReplaceByDefault) {
  tmp_.WriteFile("ws/a", "a");
  tmp_.WriteFile("ws/b", "b");
  ExpectError("move", {{"source", "a"}, {"destination", "b"}}, StatusCode::kAlreadyExists, "overwrite: true");
  EXPECT_EQ(ReadHost("a"), "a");
  EXPECT_EQ(ReadHost("b"), "b");
}

TEST_F(FsManage, MoveOverwriteReplacesAFile) {
  tmp_.WriteFile("ws/a", "a");
  tmp_.WriteFile("ws/b", "b");
  Result<Reply> r = Call("move", {{"source", "a"}, {"destination", "b"}, {"overwrite", true}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["replaced"], true);
  EXPECT_NE(Text(*r).find("it replaced a file there"), std::string::npos) << Text(*r);
  EXPECT_EQ(ReadHost("b"), "a");
  EXPECT_FALSE(Exists("a"));
}

TEST_F(FsManage, MoveOverwriteNeverMixesFilesAndDirectories) {
  tmp_.WriteFile("ws/f", "f");
  tmp_.WriteFile("ws/d/x", "x");
  ExpectError("move", {{"source", "f"}, {"destination", "d"}, {"overwrite", true}}, StatusCode::kFailedPrecondition,
              "cannot replace /d (a directory) with /f (a file)");
  ExpectError("move", {{"source", "d"}, {"destination", "f"}, {"overwrite", true}}, StatusCode::kFailedPrecondition,
              "cannot replace /f (a file) with /d (a directory)");
  EXPECT_EQ(ReadHost("f"), "f");
  EXPECT_EQ(ReadHost("d/x"), "x");
}

TEST_F(FsManage, MoveOverwriteReplacesOnlyAnEmptyDirectory) {
  tmp_.WriteFile("ws/src/x", "x");
  tmp_.WriteFile("ws/full/y", "y");
  std::filesystem::create_directories(Host("empty"));
  ExpectError("move", {{"source", "src"}, {"destination", "full"}, {"overwrite", true}},
              StatusCode::kFailedPrecondition, "/full is a directory that is not empty");
  EXPECT_EQ(Data("move", {{"source", "src"}, {"destination", "empty"}, {"overwrite", true}})["replaced"], true);
  EXPECT_EQ(ReadHost("empty/x"), "x");
  EXPECT_EQ(ReadHost("full/y"), "y");
}

TEST_F(FsManage, MoveOntoADirectorySuggestsTheFullPath) {
  tmp_.WriteFile("ws/a.txt", "a");
  std::filesystem::create_directories(Host("dir"));
  ExpectError("move", {{"source", "a.txt"}, {"destination", "dir"}}, StatusCode::kAlreadyExists, "/dir/NAME");
}

TEST_F(FsManage, MoveAcrossBindsIsRefusedWithAWayOut) {
  tmp_.WriteFile("ws/a.txt", "a");
  std::filesystem::create_directories(tmp_.Join("data"));
  Rebind({{"/", tmp_.Join("ws")}, {"/data", tmp_.Join("data")}}, false);
  ExpectError("move", {{"source", "a.txt"}, {"destination", "/data/a.txt"}}, StatusCode::kFailedPrecondition,
              "different binds");
  ExpectError("move", {{"source", "a.txt"}, {"destination", "/data/a.txt"}}, StatusCode::kFailedPrecondition,
              "fs_copy");
  EXPECT_EQ(ReadHost("a.txt"), "a");
  EXPECT_TRUE(Names(tmp_.Join("data")).empty());
}

TEST_F(FsManage, MoveRefusesBindRootsAndTheWorkspaceRoot) {
  std::filesystem::create_directories(tmp_.Join("data"));
  tmp_.WriteFile("ws/a", "a");
  Rebind({{"/", tmp_.Join("ws")}, {"/data", tmp_.Join("data")}}, false);
  ExpectError("move", {{"source", "/data"}, {"destination", "/data2"}}, StatusCode::kPermissionDenied,
              "root of the bind /data");
  ExpectError("move", {{"source", "/"}, {"destination", "/x"}}, StatusCode::kPermissionDenied, "root of the workspace");
  ExpectError("move", {{"source", "/a"}, {"destination", "/data"}, {"overwrite", true}},
              StatusCode::kPermissionDenied, "root of the bind /data");
  EXPECT_EQ(ReadHost("a"), "a");
}

TEST_F(FsManage, MoveRefusesADirectoryHoldingABind) {
  std::filesystem::create_directories(tmp_.Join("data"));
  std::filesystem::create_directories(Host("sub/data"));
  Rebind({{"/", tmp_.Join("ws")}, {"/sub/data", tmp_.Join("data")}}, false);
  ExpectError("move", {{"source", "/sub"}, {"destination", "/sub2"}}, StatusCode::kPermissionDenied,
              "the bind /sub/data lies inside it");
  EXPECT_TRUE(Exists("sub/data"));
}

TEST_F(FsManage, MoveRefusesADirectoryIntoItself) {
  std::filesystem::create_directories(Host("d"));
  ExpectError("move", {{"source", "d"}, {"destination", "d/e"}}, StatusCode::kInvalidArgument, "lies inside it");
  ExpectError("move", {{"source", "d"}, {"destination", "d"}}, StatusCode::kInvalidArgument, "same path");
}

TEST_F(FsManage, MoveMovesASymlinkItself) {
  Link("../outside/secret", "link");
  Data("move", {{"source", "link"}, {"destination", "link2"}});
  EXPECT_FALSE(Exists("link"));
  EXPECT_TRUE(stdfs::is_symlink(Host("link2")));
  EXPECT_EQ(stdfs::read_symlink(Host("link2")), "../outside/secret");
  ExpectOutsideUntouched();
}

TEST_F(FsManage, MoveRefusesAnEndOutsideTheWorkspace) {
  tmp_.WriteFile("ws/a", "a");
  Link("../outside", "out");
  ExpectError("move", {{"source", "out/secret"}, {"destination", "stolen"}}, StatusCode::kPermissionDenied,
              "escapes the workspace");
  ExpectError("move", {{"source", "a"}, {"destination", "out/a"}}, StatusCode::kPermissionDenied,
              "escapes the workspace");
  ExpectError("move", {{"source", "a"}, {"destination", "../outside/a"}}, StatusCode::kInvalidArgument, "..");
  EXPECT_EQ(ReadHost("a"), "a");
  EXPECT_FALSE(Exists("stolen"));
  ExpectOutsideUntouched();
}

TEST_F(FsManage, MoveRefusesAReadOnlyBind) {
  tmp_.WriteFile("ro/f", "f");
  tmp_.WriteFile("ws/a", "a");
  Rebind({{"/", tmp_.Join("ws")}, {"/ro", tmp_.Join("ro") + ":ro"}}, false);
  ExpectError("move", {{"source", "/ro/f"}, {"destination", "/ro/g"}}, StatusCode::kPermissionDenied, "read-only");
  EXPECT_EQ(Names(tmp_.Join("ro")), std::vector<std::string>{"f"});
}

// --- copy ------------------------------------------------------------------

TEST_F(FsManage, CopyCopiesAFileWithItsMode) {
  tmp_.WriteFile("ws/run.sh", "echo\n");
  ASSERT_EQ(::chmod(Host("run.sh").c_str(), 0750), 0);
  Result<Reply> r = Call("copy", {{"source", "run.sh"}, {"destination", "run2.sh"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data, (Json{{"source", "/run.sh"}, {"destination", "/run2.sh"}, {"type", "file"}, {"replaced", false},
                           {"files", 1}, {"dirs", 0}, {"symlinks", 0}, {"bytes", 5}, {"skipped", Json::array()},
                           {"skipped_count", 0}}));
  EXPECT_EQ(Text(*r), "Copied /run.sh to /run2.sh (a file, 5 B)");
  EXPECT_EQ(ReadHost("run2.sh"), "echo\n");
  EXPECT_EQ(stdfs::status(Host("run2.sh")).permissions(), stdfs::perms(0750));
  EXPECT_EQ(Names(tmp_.Join("ws")), (std::vector<std::string>{"run.sh", "run2.sh"}));
}

TEST_F(FsManage, CopyNeedsRecursiveForADirectory) {
  tmp_.WriteFile("ws/d/x", "x");
  ExpectError("copy", {{"source", "d"}, {"destination", "e"}}, StatusCode::kFailedPrecondition, "recursive: true");
  EXPECT_FALSE(Exists("e"));
}

TEST_F(FsManage, CopyCopiesATreeWithLinksAsLinks) {
  tmp_.WriteFile("ws/t/a.txt", "aaa");
  tmp_.WriteFile("ws/t/sub/b.txt", "bb");
  Link("../outside/secret", "t/out");
  Link("a.txt", "t/rel");
  ASSERT_EQ(::chmod(Host("t/sub").c_str(), 0750), 0);
  Result<Reply> r = Call("copy", {{"source", "t"}, {"destination", "t2"}, {"recursive", true}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["files"], 2);
  EXPECT_EQ(r->data["dirs"], 2);
  EXPECT_EQ(r->data["symlinks"], 2);
  EXPECT_EQ(r->data["bytes"], 5);
  EXPECT_EQ(ReadHost("t2/a.txt"), "aaa");
  EXPECT_EQ(ReadHost("t2/sub/b.txt"), "bb");
  EXPECT_EQ(stdfs::read_symlink(Host("t2/out")), "../outside/secret");
  EXPECT_EQ(stdfs::read_symlink(Host("t2/rel")), "a.txt");
  EXPECT_EQ(stdfs::status(Host("t2/sub")).permissions(), stdfs::perms(0750));
  EXPECT_EQ(Names(tmp_.Join("ws")), (std::vector<std::string>{"t", "t2"}));
  ExpectOutsideUntouched();
}

TEST_F(FsManage, CopyNeverFollowsALinkOut) {
  Link("../outside/secret", "link");
  Json data = Data("copy", {{"source", "link"}, {"destination", "copy"}});
  EXPECT_EQ(data["type"], "symlink");
  EXPECT_TRUE(stdfs::is_symlink(Host("copy")));
  Link("../outside", "out");
  ExpectError("copy", {{"source", "out/secret"}, {"destination", "stolen"}}, StatusCode::kPermissionDenied,
              "escapes the workspace");
  Result<Reply> as_link = Call("copy", {{"source", "out"}, {"destination", "out2"}});
  ASSERT_TRUE(as_link.ok()) << as_link.status();
  EXPECT_TRUE(stdfs::is_symlink(Host("out2")));
  EXPECT_FALSE(Exists("stolen"));
  ExpectOutsideUntouched();
}

TEST_F(FsManage, CopyRefusesADestinationOutside) {
  tmp_.WriteFile("ws/a", "a");
  Link("../outside", "out");
  ExpectError("copy", {{"source", "a"}, {"destination", "out/a"}}, StatusCode::kPermissionDenied,
              "escapes the workspace");
  ExpectError("copy", {{"source", "a"}, {"destination", "../outside/a"}}, StatusCode::kInvalidArgument, "..");
  ExpectOutsideUntouched();
}

TEST_F(FsManage, CopyWorksAcrossBindsFromAReadOnlyOne) {
  tmp_.WriteFile("ro/lib/f.h", "header");
  Rebind({{"/", tmp_.Join("ws")}, {"/ro", tmp_.Join("ro") + ":ro"}}, false);
  Json data = Data("copy", {{"source", "/ro/lib"}, {"destination", "/lib"}, {"recursive", true}});
  EXPECT_EQ(data["files"], 1);
  EXPECT_EQ(ReadHost("lib/f.h"), "header");
  ExpectError("copy", {{"source", "/lib/f.h"}, {"destination", "/ro/g.h"}}, StatusCode::kPermissionDenied,
              "read-only bind /ro");
  EXPECT_EQ(Names(tmp_.Join("ro")), std::vector<std::string>{"lib"});
  Json root = Data("copy", {{"source", "/ro"}, {"destination", "/ro_copy"}, {"recursive", true}});
  EXPECT_EQ(root["dirs"], 2);
  EXPECT_EQ(ReadHost("ro_copy/lib/f.h"), "header");
}

TEST_F(FsManage, CopyReplacesOnlyWithOverwrite) {
  tmp_.WriteFile("ws/a", "new");
  tmp_.WriteFile("ws/b", "old");
  ExpectError("copy", {{"source", "a"}, {"destination", "b"}}, StatusCode::kAlreadyExists, "overwrite: true");
  EXPECT_EQ(ReadHost("b"), "old");
  Json data = Data("copy", {{"source", "a"}, {"destination", "b"}, {"overwrite", true}});
  EXPECT_EQ(data["replaced"], true);
  EXPECT_EQ(ReadHost("b"), "new");
  tmp_.WriteFile("ws/d/x", "x");
  ExpectError("copy", {{"source", "a"}, {"destination", "d"}, {"overwrite", true}}, StatusCode::kFailedPrecondition,
              "cannot replace /d (a directory)");
}

TEST_F(FsManage, CopyRefusesIntoItselfAndTheSamePath) {
  tmp_.WriteFile("ws/d/x", "x");
  ExpectError("copy", {{"source", "d"}, {"destination", "d/copy"}, {"recursive", true}},
              StatusCode::kInvalidArgument, "lies inside it");
  ExpectError("copy", {{"source", "/"}, {"destination", "all"}, {"recursive", true}}, StatusCode::kInvalidArgument,
              "lies inside it");
  ExpectError("copy", {{"source", "d/x"}, {"destination", "d/x"}}, StatusCode::kInvalidArgument, "same path");
  EXPECT_EQ(Names(Host("d")), std::vector<std::string>{"x"});
}

TEST_F(FsManage, ATreeTooDeepToCopyOrRemoveLeavesNoHalfDoneWork) {
  std::string deep = "deep";
  for (int i = 0; i < 260; ++i) deep += "/d";
  std::filesystem::create_directories(Host(deep));
  std::filesystem::create_directories(Host("dst"));
  ExpectError("copy", {{"source", "deep"}, {"destination", "dst/deep"}, {"recursive", true}},
              StatusCode::kFailedPrecondition, "nothing was copied");
  EXPECT_TRUE(Names(Host("dst")).empty());
  ExpectError("remove", {{"path", "deep"}, {"recursive", true}}, StatusCode::kFailedPrecondition,
              "nested more than 256 levels deep; nothing was removed");
  EXPECT_TRUE(stdfs::is_directory(Host(deep)));
  EXPECT_EQ(Names(tmp_.Join("ws")), (std::vector<std::string>{"deep", "dst"}));
}

TEST_F(FsManage, ACancelledCopyOrRemoveChangesNothing) {
  tmp_.WriteFile("ws/t/a", "a");
  tmp_.WriteFile("ws/t/sub/b", "b");
  ctx_.Cancel();
  ExpectError("copy", {{"source", "t"}, {"destination", "t2"}, {"recursive", true}}, StatusCode::kCancelled,
              "nothing was copied");
  ExpectError("remove", {{"path", "t"}, {"recursive", true}}, StatusCode::kCancelled, "nothing was removed");
  EXPECT_EQ(Names(tmp_.Join("ws")), std::vector<std::string>{"t"});
  EXPECT_EQ(Names(Host("t")), (std::vector<std::string>{"a", "sub"}));
}

TEST_F(FsManage, CopySkipsSpecialFilesAndListsThem) {
  tmp_.WriteFile("ws/t/a", "a");
  ASSERT_EQ(::mkfifo(Host("t/fifo").c_str(), 0644), 0);
  Result<Reply> r = Call("copy", {{"source", "t"}, {"destination", "t2"}, {"recursive", true}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["skipped"], (Json{"/t/fifo"}));
  EXPECT_EQ(r->data["skipped_count"], 1);
  EXPECT_NE(Text(*r).find("left out 1 special file: /t/fifo"), std::string::npos) << Text(*r);
  EXPECT_EQ(Names(Host("t2")), std::vector<std::string>{"a"});
  ExpectError("copy", {{"source", "t/fifo"}, {"destination", "f2"}}, StatusCode::kFailedPrecondition,
              "special file");
}

// --- remove ----------------------------------------------------------------

TEST_F(FsManage, RemoveDeletesAFile) {
  tmp_.WriteFile("ws/a", "a");
  Result<Reply> r = Call("remove", {{"path", "a"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data, (Json{{"path", "/a"}, {"type", "file"}, {"files", 1}, {"dirs", 0}, {"symlinks", 0},
                           {"others", 0}}));
  EXPECT_EQ(Text(*r), "Removed /a (a file)");
  EXPECT_FALSE(Exists("a"));
}

TEST_F(FsManage, RemoveDeletesTheLinkNotItsTarget) {
  Link("../outside/secret", "out_link");
  Link("../outside", "out_dir");
  tmp_.WriteFile("ws/real", "real");
  Link("real", "in_link");
  EXPECT_EQ(Data("remove", {{"path", "out_link"}})["type"], "symlink");
  EXPECT_EQ(Data("remove", {{"path", "out_dir"}, {"recursive", true}})["symlinks"], 1);
  Data("remove", {{"path", "in_link"}});
  EXPECT_EQ(Names(tmp_.Join("ws")), std::vector<std::string>{"real"});
  EXPECT_EQ(ReadHost("real"), "real");
  ExpectOutsideUntouched();
}

TEST_F(FsManage, RemoveDeletesAnEmptyDirectory) {
  std::filesystem::create_directories(Host("empty"));
  EXPECT_EQ(Data("remove", {{"path", "empty"}})["dirs"], 1);
  EXPECT_FALSE(Exists("empty"));
}

TEST_F(FsManage, RemoveNeedsRecursiveForAFullDirectory) {
  tmp_.WriteFile("ws/d/a", "a");
  tmp_.WriteFile("ws/d/b", "b");
  ExpectError("remove", {{"path", "d"}}, StatusCode::kFailedPrecondition, "holding 2 entries");
  ExpectError("remove", {{"path", "d"}}, StatusCode::kFailedPrecondition, "recursive: true");
  EXPECT_EQ(Names(Host("d")), (std::vector<std::string>{"a", "b"}));
}

TEST_F(FsManage, RemoveRecursiveDeletesATreeWithoutFollowingLinks) {
  tmp_.WriteFile("ws/t/a", "a");
  tmp_.WriteFile("ws/t/sub/b", "b");
  tmp_.WriteFile("ws/keep/k", "k");
  Link("../../outside", "t/sub/out");
  Link("../../keep", "t/sub/keep");
  Result<Reply> r = Call("remove", {{"path", "t"}, {"recursive", true}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data, (Json{{"path", "/t"}, {"type", "dir"}, {"files", 2}, {"dirs", 2}, {"symlinks", 2},
                           {"others", 0}}));
  EXPECT_EQ(Text(*r), "Removed /t (2 files, 2 directories, 2 symbolic links)");
  EXPECT_EQ(Names(tmp_.Join("ws")), std::vector<std::string>{"keep"});
  EXPECT_EQ(ReadHost("keep/k"), "k");
  ExpectOutsideUntouched();
}

TEST_F(FsManage, RemoveRefusesTheRootsAndDirectoriesHoldingBinds) {
  std::filesystem::create_directories(tmp_.Join("data"));
  std::filesystem::create_directories(Host("sub/data"));
  tmp_.WriteFile("data/d", "d");
  Rebind({{"/", tmp_.Join("ws")}, {"/data", tmp_.Join("data")}, {"/sub/data", tmp_.Join("data")}}, false);
  ExpectError("remove", {{"path", "/"}, {"recursive", true}}, StatusCode::kPermissionDenied, "root of the workspace");
  ExpectError("remove", {{"path", "."}, {"recursive", true}}, StatusCode::kPermissionDenied, "root of the workspace");
  ExpectError("remove", {{"path", "/data"}, {"recursive", true}}, StatusCode::kPermissionDenied,
              "root of the bind /data");
  ExpectError("remove", {{"path", "/sub"}, {"recursive", true}}, StatusCode::kPermissionDenied,
              "the bind /sub/data lies inside it");
  EXPECT_TRUE(Exists("sub/data"));
  EXPECT_EQ(weft::testing::ReadFileOrDie(tmp_.Join("data/d")), "d");
}

TEST_F(FsManage, RemoveRefusesAPathLeadingOutside) {
  Link("../outside", "out");
  ExpectError("remove", {{"path", "out/secret"}}, StatusCode::kPermissionDenied, "escapes the workspace");
  ExpectError("remove", {{"path", "../outside/secret"}}, StatusCode::kInvalidArgument, "..");
  ExpectOutsideUntouched();
}

TEST_F(FsManage, RemoveRefusesAReadOnlyBindOrWorkspace) {
  tmp_.WriteFile("ro/f", "f");
  tmp_.WriteFile("ws/a", "a");
  Rebind({{"/", tmp_.Join("ws")}, {"/ro", tmp_.Join("ro") + ":ro"}}, false);
  ExpectError("remove", {{"path", "/ro/f"}}, StatusCode::kPermissionDenied, "read-only bind /ro");
  Rebind({{"/", tmp_.Join("ws")}}, true);
  ExpectError("remove", {{"path", "/a"}}, StatusCode::kPermissionDenied, "read-only");
  EXPECT_EQ(weft::testing::ReadFileOrDie(tmp_.Join("ro/f")), "f");
  EXPECT_EQ(ReadHost("a"), "a");
}

TEST_F(FsManage, RemoveOfAMissingPathIsNotFound) {
  ExpectError("remove", {{"path", "ghost"}}, StatusCode::kNotFound, "/ghost does not exist");
}

// --- mkdir -----------------------------------------------------------------

TEST_F(FsManage, MkdirCreatesADirectory) {
  Result<Reply> r = Call("mkdir", {{"path", "d"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data, (Json{{"path", "/d"}, {"created", true}, {"created_dirs", {"/d"}}}));
  EXPECT_EQ(Text(*r), "Created the directory /d");
  EXPECT_TRUE(stdfs::is_directory(Host("d")));
}

TEST_F(FsManage, MkdirWithoutParentsNeedsTheParent) {
  ExpectError("mkdir", {{"path", "a/b"}}, StatusCode::kNotFound, "parents: true");
  EXPECT_FALSE(Exists("a"));
}

TEST_F(FsManage, MkdirWithoutParentsRefusesAnExistingPath) {
  std::filesystem::create_directories(Host("d"));
  tmp_.WriteFile("ws/f", "f");
  ExpectError("mkdir", {{"path", "d"}}, StatusCode::kAlreadyExists, "parents: true");
  ExpectError("mkdir", {{"path", "f"}}, StatusCode::kAlreadyExists, "is a file, not a directory");
}

TEST_F(FsManage, MkdirParentsCreatesEveryLevelAndIsIdempotent) {
  Result<Reply> r = Call("mkdir", {{"path", "a/b/c"}, {"parents", true}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["created_dirs"], (Json{"/a", "/a/b", "/a/b/c"}));
  EXPECT_EQ(Text(*r), "Created the directory /a/b/c and its missing parents /a, /a/b");
  Result<Reply> again = Call("mkdir", {{"path", "a/b/c"}, {"parents", true}});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->data, (Json{{"path", "/a/b/c"}, {"created", false}, {"created_dirs", Json::array()}}));
  EXPECT_EQ(Text(*again), "/a/b/c already exists as a directory; nothing changed");
  EXPECT_TRUE(Data("mkdir", {{"path", "/"}, {"parents", true}})["created"] == false);
}

TEST_F(FsManage, MkdirFailsClearlyWhenAComponentIsAFile) {
  tmp_.WriteFile("ws/a", "file");
  ExpectError("mkdir", {{"path", "a/b/c"}, {"parents", true}}, StatusCode::kFailedPrecondition,
              "/a is a file, not a directory");
  ExpectError("mkdir", {{"path", "a"}, {"parents", true}}, StatusCode::kFailedPrecondition, "/a is a file");
  ExpectError("mkdir", {{"path", "a/b"}}, StatusCode::kFailedPrecondition, "not a directory");
  EXPECT_EQ(ReadHost("a"), "file");
}

TEST_F(FsManage, MkdirFollowsLinksInsideButNeverOut) {
  std::filesystem::create_directories(Host("real"));
  Link("real", "in");
  Link("../outside", "out");
  Data("mkdir", {{"path", "in/sub/deeper"}, {"parents", true}});
  EXPECT_TRUE(stdfs::is_directory(Host("real/sub/deeper")));
  ExpectError("mkdir", {{"path", "out/new"}}, StatusCode::kPermissionDenied, "escapes the workspace");
  ExpectError("mkdir", {{"path", "out/new/deeper"}, {"parents", true}}, StatusCode::kPermissionDenied,
              "escapes the workspace");
  ExpectOutsideUntouched();
}

TEST_F(FsManage, MkdirRefusesAReadOnlyBind) {
  std::filesystem::create_directories(tmp_.Join("ro"));
  Rebind({{"/", tmp_.Join("ws")}, {"/ro", tmp_.Join("ro") + ":ro"}}, false);
  ExpectError("mkdir", {{"path", "/ro/d"}, {"parents", true}}, StatusCode::kPermissionDenied, "read-only bind /ro");
  EXPECT_TRUE(Names(tmp_.Join("ro")).empty());
}

// --- annotations -----------------------------------------------------------

TEST_F(FsManage, AnnotationsAreTruthful) {
  struct Want {
    const char* op;
    bool destructive;
    bool idempotent;
  };
  for (Want w : {Want{"edit", true, false}, Want{"move", true, false}, Want{"copy", false, false},
                 Want{"remove", true, true}, Want{"mkdir", false, true}}) {
    const Op* op = registry_->Find("fs", w.op);
    ASSERT_NE(op, nullptr) << w.op;
    EXPECT_FALSE(op->spec.annotations.read_only) << w.op;
    EXPECT_FALSE(op->spec.annotations.open_world) << w.op;
    EXPECT_EQ(op->spec.annotations.destructive, w.destructive) << w.op;
    EXPECT_EQ(op->spec.annotations.idempotent, w.idempotent) << w.op;
    EXPECT_EQ(op->spec.right, Right::kFsWrite) << w.op;
  }
}

}  // namespace
}  // namespace weft::venoms
