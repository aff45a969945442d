// What agents run inside a mount: git, rg, make with a C compiler, cp -a.
#include <unistd.h>


#include "tests/core/fuse/mount_fixture.h"

namespace weft::fuse::testing {
namespace {

bool OnPath(const std::string& tool) {
  return weft::testing::Run({"sh", "-c", "command -v " + tool}).exit_code() == 0;
}

using Tools = MountTest;

TEST_F(Tools, GitInitAddCommitStatusLog) {
  if (!OnPath("git")) GTEST_SKIP() << "git is not installed";
  tmp_.WriteFile("ws/README.md", "hello\n");
  tmp_.WriteFile("ws/src/main.c", "int main(void) { return 0; }\n");
  Mount();
  const std::string git = "git -c user.name=t -c user.email=t@example.com -c init.defaultBranch=main ";
  auto [code, out] = Sh(git + "init -q && " + git + "add -A && " + git + "commit -qm first && " + git +
                            "status --porcelain && " + git + "log --oneline | wc -l",
                        M(""));
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(out, "1\n");
  Spill(M("README.md"), "changed\n");
  auto [code2, out2] = Sh(git + "status --porcelain", M(""));
  ASSERT_EQ(code2, 0) << out2;
  EXPECT_EQ(out2, " M README.md\n");
  // The repository is real on the host too.
  auto [code3, out3] = Sh(git + "log --format=%s", W(""));
  EXPECT_EQ(out3, "first\n");
}

TEST_F(Tools, RipgrepFindsMatchesAndNeverSeesWeftDir) {
  if (!OnPath("rg")) GTEST_SKIP() << "rg is not installed";
  tmp_.WriteFile("ws/a/one.txt", "needle here\n");
  tmp_.WriteFile("ws/b/two.txt", "no match\n");
  tmp_.WriteFile("ws/b/c/three.txt", "another needle\n");
  Mount();
  auto [code, out] = Sh("rg -l --sort path needle .", M(""));
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(out, "./a/one.txt\n./b/c/three.txt\n");
}

TEST_F(Tools, MakeBuildsACProgram) {
  if (!OnPath("cc") || !OnPath("make")) GTEST_SKIP() << "no C compiler or make on this host";
  tmp_.WriteFile("ws/hello.c", "#include <stdio.h>\n#include \"msg.h\"\nint main(void) { puts(MSG); return 0; }\n");
  tmp_.WriteFile("ws/msg.h", "#define MSG \"built through the mount\"\n");
  tmp_.WriteFile("ws/Makefile", "hello: hello.o\n\tcc -o $@ $^\nhello.o: hello.c msg.h\n\tcc -c -o $@ $<\n");
  Mount();
  auto [code, out] = Sh("make -s && ./hello", M(""));
  ASSERT_EQ(code, 0) << out;
  EXPECT_EQ(out, "built through the mount\n");
  auto [code2, out2] = Sh("make -q hello && echo up-to-date", M(""));
  EXPECT_EQ(out2, "up-to-date\n");
}

TEST_F(Tools, CpArchiveCopiesTreesInAndOut) {
  tmp_.WriteFile("src/tree/a.txt", "a\n");
  tmp_.WriteFile("src/tree/deep/b.txt", "b\n");
  ASSERT_EQ(::symlink("a.txt", tmp_.Join("src/tree/link").c_str()), 0);
  ASSERT_EQ(::chmod(tmp_.Join("src/tree/deep/b.txt").c_str(), 0640), 0);
  Mount();
  auto r = weft::testing::Run({"sh", "-c",
                               "cp -a \"$1\"/src/tree \"$1\"/mnt/copy && cp -a \"$1\"/mnt/copy \"$1\"/back && "
                               "diff -r \"$1\"/src/tree \"$1\"/back && "
                               "stat -c '%a %Y' \"$1\"/src/tree/deep/b.txt \"$1\"/back/deep/b.txt | uniq | wc -l && "
                               "readlink \"$1\"/back/link",
                               "sh", tmp_.path()});
  ASSERT_EQ(r.exit_code(), 0) << r.out << r.err;
  EXPECT_EQ(r.out, "1\na.txt\n");
}

}  // namespace
}  // namespace weft::fuse::testing
