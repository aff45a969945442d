// fs_read and fs_read_many: line and byte ranges, caps and markers, binary
// detection and media blocks, symlinks and binds, bounded memory on huge files.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/base/base64.h"
#include "tests/core/venoms/fs/fs_fixture.h"

namespace weft::venoms {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class FsRead : public FsVenomTest {
 protected:
  void Write(const std::string& rel, const std::string& content) { tmp_.WriteFile("ws/" + rel, content); }
  // "line1\n" … "lineN\n".
  static std::string Lines(int n, int first = 1) {
    std::string out;
    for (int i = first; i < first + n; ++i) out += "line" + std::to_string(i) + "\n";
    return out;
  }
  std::string ReadText(const Json& args) {
    Result<Reply> r = Call("read", args);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? Text(*r) : "";
  }
};

TEST_F(FsRead, ReadsASmallTextFileWhole) {
  Write("src/a.c", "int a;\nint b;\n");
  Json d = Data("read", {{"path", "src/a.c"}});
  EXPECT_EQ(d["path"], "/src/a.c");
  EXPECT_EQ(d["kind"], "text");
  EXPECT_EQ(d["encoding"], "utf-8");
  EXPECT_EQ(d["text"], "int a;\nint b;\n");
  EXPECT_EQ(d["total_lines"], 2);
  EXPECT_EQ(d["start_line"], 1);
  EXPECT_EQ(d["end_line"], 2);
  EXPECT_EQ(d["size"], 14);
  EXPECT_EQ(d["truncated"], false);
  EXPECT_FALSE(d.contains("next_offset"));
  EXPECT_EQ(ReadText({{"path", "/src/a.c"}}), "int a;\nint b;\n");
}

TEST_F(FsRead, EmptyFileSaysSo) {
  Write("empty.txt", "");
  Json d = Data("read", {{"path", "empty.txt"}});
  EXPECT_EQ(d["text"], "");
  EXPECT_EQ(d["total_lines"], 0);
  EXPECT_EQ(d["lines"], 0);
  EXPECT_THAT(ReadText({{"path", "empty.txt"}}), HasSubstr("[empty file]"));
}

TEST_F(FsRead, OffsetAndLimitSelectLinesAndSayWhereToContinue) {
  Write("ten.txt", Lines(10));
  Result<Reply> r = Call("read", {{"path", "ten.txt"}, {"offset", 3}, {"limit", 2}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["text"], "line3\nline4\n");
  EXPECT_EQ(r->data["start_line"], 3);
  EXPECT_EQ(r->data["end_line"], 4);
  EXPECT_EQ(r->data["total_lines"], 10);
  EXPECT_EQ(r->data["truncated"], true);
  EXPECT_EQ(r->data["next_offset"], 5);
  EXPECT_EQ(Text(*r), "line3\nline4\n[truncated: showing lines 3-4 of 10; continue with offset=5]");
  // The last lines: nothing more follows.
  Json d = Data("read", {{"path", "ten.txt"}, {"offset", 9}, {"limit", 5}});
  EXPECT_EQ(d["text"], "line9\nline10\n");
  EXPECT_EQ(d["truncated"], false);
}

TEST_F(FsRead, OffsetPastTheEndIsOutOfRange) {
  Write("ten.txt", Lines(10));
  Result<Reply> r = Call("read", {{"path", "ten.txt"}, {"offset", 11}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kOutOfRange);
  EXPECT_THAT(r.status().message(), HasSubstr("has 10 lines"));
}

TEST_F(FsRead, HeadAndTail) {
  Write("ten.txt", Lines(10));
  Write("no_newline.txt", "a\nb\nc");
  EXPECT_EQ(Data("read", {{"path", "ten.txt"}, {"head", 2}})["text"], "line1\nline2\n");
  Json tail = Data("read", {{"path", "ten.txt"}, {"tail", 3}});
  EXPECT_EQ(tail["text"], "line8\nline9\nline10\n");
  EXPECT_EQ(tail["start_line"], 8);
  EXPECT_EQ(tail["end_line"], 10);
  EXPECT_EQ(tail["truncated"], false);
  EXPECT_THAT(ReadText({{"path", "ten.txt"}, {"tail", 3}}), HasSubstr("[last 3 lines 8-10 of 10]"));
  EXPECT_EQ(Data("read", {{"path", "no_newline.txt"}, {"tail", 2}})["text"], "b\nc");
  EXPECT_EQ(Data("read", {{"path", "no_newline.txt"}, {"tail", 50}})["text"], "a\nb\nc");
  EXPECT_EQ(Data("read", {{"path", "ten.txt"}, {"tail", 50}})["text"], Lines(10));
}

TEST_F(FsRead, DefaultLimitIs2000LinesWithAMarker) {
  Write("big.txt", Lines(2500));
  Result<Reply> r = Call("read", {{"path", "big.txt"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["lines"], 2000);
  EXPECT_EQ(r->data["next_offset"], 2001);
  EXPECT_THAT(Text(*r), HasSubstr("[truncated: showing lines 1-2000 of 2500; continue with offset=2001]"));
  Json rest = Data("read", {{"path", "big.txt"}, {"offset", 2001}});
  EXPECT_EQ(rest["text"], Lines(500, 2001));
  EXPECT_EQ(rest["truncated"], false);
}

TEST_F(FsRead, TextIsCappedAt256KiB) {
  std::string line(999, 'x');
  std::string content;
  for (int i = 0; i < 400; ++i) content += line + "\n";  // 400,000 bytes
  Write("wide.txt", content);
  Json d = Data("read", {{"path", "wide.txt"}});
  EXPECT_EQ(d["truncated"], true);
  EXPECT_LE(d["text"].get<std::string>().size(), 256u * 1024);
  EXPECT_EQ(d["lines"], 262);  // 262 whole lines of 1000 bytes fit in 262144
  EXPECT_EQ(d["next_offset"], 263);
  EXPECT_EQ(d["total_lines"], 400);
  EXPECT_THAT(ReadText({{"path", "wide.txt"}}), HasSubstr("[truncated at 256.0 KiB: showing lines 1-262 of 400"));
}

TEST_F(FsRead, TailOverTheCapKeepsTheLastLines) {
  std::string content;
  for (int i = 1; i <= 400; ++i) {
    std::string n = std::to_string(i);
    content += n + std::string(999 - n.size(), '.') + "\n";
  }
  Write("wide.txt", content);
  Result<Reply> r = Call("read", {{"path", "wide.txt"}, {"tail", 400}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["truncated"], true);
  EXPECT_LE(r->data["text"].get<std::string>().size(), 256u * 1024);
  EXPECT_EQ(r->data["end_line"], 400);
  EXPECT_EQ(r->data["start_line"].get<int>(), 400 - r->data["lines"].get<int>() + 1);
  EXPECT_THAT(r->data["text"].get<std::string>(), ::testing::EndsWith("400" + std::string(996, '.') + "\n"));
  EXPECT_THAT(Text(*r), HasSubstr("lines asked for; lines "));
}

TEST_F(FsRead, LongLinesAreCutWithAMarker) {
  Write("min.js", std::string(10000, 'x') + "\nshort\n");
  Json d = Data("read", {{"path", "min.js"}});
  EXPECT_EQ(d["lines_cut"], 1);
  std::string text = d["text"];
  EXPECT_EQ(text.find(std::string(2001, 'x')), std::string::npos);
  EXPECT_THAT(text, HasSubstr(std::string(2000, 'x') + " [… line cut: 2000 of 10000 bytes shown; read the rest "
                                                      "with byte_offset=2000]\nshort\n"));
}

TEST_F(FsRead, ByteRangesKeepWholeCharacters) {
  Write("utf8.txt", "aé b\nxyz\n");  // é is 2 bytes: offsets 1-2
  Json d = Data("read", {{"path", "utf8.txt"}, {"byte_offset", 0}, {"byte_length", 2}});
  EXPECT_EQ(d["text"], "a");  // not half of é
  EXPECT_EQ(d["byte_length"], 1);
  EXPECT_EQ(d["next_byte_offset"], 1);
  d = Data("read", {{"path", "utf8.txt"}, {"byte_offset", 2}, {"byte_length", 4}});
  EXPECT_EQ(d["byte_offset"], 3);  // skipped the second half of é; the end stays at byte 6
  EXPECT_EQ(d["text"], " b\n");
  EXPECT_EQ(d["next_byte_offset"], 6);
  d = Data("read", {{"path", "utf8.txt"}, {"byte_offset", 6}});
  EXPECT_EQ(d["text"], "xyz\n");
  EXPECT_EQ(d["truncated"], false);
  Result<Reply> past = Call("read", {{"path", "utf8.txt"}, {"byte_offset", 100}});
  EXPECT_EQ(past.status().code(), StatusCode::kOutOfRange);
}

TEST_F(FsRead, ConflictingOptionsAreRefused) {
  Write("a.txt", "a\n");
  EXPECT_EQ(Call("read", {{"path", "a.txt"}, {"head", 1}, {"tail", 1}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Call("read", {{"path", "a.txt"}, {"offset", 1}, {"byte_offset", 0}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Call("read", {{"path", "a.txt"}, {"tail", 1}, {"limit", 3}}).status().code(),
            StatusCode::kInvalidArgument);
  // The schema: unknown properties and bad values never reach the handler.
  EXPECT_EQ(Call("read", {{"path", "a.txt"}, {"lines", 3}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Call("read", {{"path", "a.txt"}, {"offset", 0}}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FsRead, LineNumbersOnRequest) {
  Write("ten.txt", Lines(10));
  EXPECT_EQ(Data("read", {{"path", "ten.txt"}, {"offset", 9}, {"line_numbers", true}})["text"],
            "     9\tline9\n    10\tline10\n");
  EXPECT_EQ(Data("read", {{"path", "ten.txt"}, {"tail", 1}, {"line_numbers", true}})["text"], "    10\tline10\n");
}

TEST_F(FsRead, InvalidUtf8AfterTheSniffedPrefixIsReplaced) {
  Write("mostly.txt", std::string(9000, 'a') + "\n\xff\xfe ok\n");
  Json d = Data("read", {{"path", "mostly.txt"}, {"offset", 2}});
  EXPECT_EQ(d["kind"], "text");
  EXPECT_EQ(d["text"], "\xEF\xBF\xBD\xEF\xBF\xBD ok\n");
}

TEST_F(FsRead, BinaryFilesAreRefusedWithWhatToDo) {
  Write("blob.bin", std::string("\x01\x02\x00\x03zzz", 7));
  Result<Reply> r = Call("read", {{"path", "blob.bin"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("/blob.bin is binary (application/octet-stream, 7 B)"));
  EXPECT_THAT(r.status().message(), HasSubstr("binary:\"base64\""));
}

TEST_F(FsRead, BinaryAsBase64ResourceOnRequest) {
  std::string bytes("PK\x03\x04\x00\x00zip", 9);
  Write("dir/a b.zip", bytes);
  Result<Reply> r = Call("read", {{"path", "dir/a b.zip"}, {"binary", "base64"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["kind"], "binary");
  EXPECT_EQ(r->data["encoding"], "base64");
  EXPECT_EQ(r->data["mime_type"], "application/zip");
  const Json& block = r->content.at(0);
  EXPECT_EQ(block["type"], "resource");
  EXPECT_EQ(block["resource"]["uri"], "weft://test/dir/a%20b.zip");
  EXPECT_EQ(block["resource"]["mimeType"], "application/zip");
  EXPECT_EQ(Base64Decode(block["resource"]["blob"].get<std::string>()), bytes);
  // A byte range of a binary file.
  r = Call("read", {{"path", "dir/a b.zip"}, {"binary", "base64"}, {"byte_offset", 6}, {"byte_length", 2}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Base64Decode(r->content.at(0)["resource"]["blob"].get<std::string>()), "zi");
  EXPECT_EQ(r->data["next_byte_offset"], 8);
}

TEST_F(FsRead, LargeBinaryAsBase64IsCapped) {
  std::string bytes(2 << 20, '\0');
  Write("big.bin", bytes);
  Result<Reply> r = Call("read", {{"path", "big.bin"}, {"binary", "base64"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("byte_offset and byte_length"));
}

TEST_F(FsRead, ImagesComeBackAsImageContent) {
  std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  Write("logo.png", png);
  Result<Reply> r = Call("read", {{"path", "logo.png"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["kind"], "image");
  EXPECT_EQ(r->data["mime_type"], "image/png");
  const Json& block = r->content.at(0);
  EXPECT_EQ(block["type"], "image");
  EXPECT_EQ(block["mimeType"], "image/png");
  EXPECT_EQ(Base64Decode(block["data"].get<std::string>()), png);
  // By magic bytes, not by name.
  Write("photo.dat", std::string("\xff\xd8\xff\xe0\0\x10JFIF", 10));
  r = Call("read", {{"path", "photo.dat"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->content.at(0)["mimeType"], "image/jpeg");
}

TEST_F(FsRead, AudioComesBackAsAudioContent) {
  std::string wav("RIFF\x24\0\0\0WAVEfmt \x10\0\0\0", 20);
  Write("beep.wav", wav);
  Result<Reply> r = Call("read", {{"path", "beep.wav"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["kind"], "audio");
  EXPECT_EQ(r->content.at(0)["type"], "audio");
  EXPECT_EQ(r->content.at(0)["mimeType"], "audio/wav");
  EXPECT_EQ(Base64Decode(r->content.at(0)["data"].get<std::string>()), wav);
}

TEST_F(FsRead, ImagesOver5MiBAreRefused) {
  Write("huge.png", std::string("\x89PNG\r\n\x1a\n", 8));
  ASSERT_EQ(::truncate(tmp_.Join("ws/huge.png").c_str(), 6 << 20), 0);
  Result<Reply> r = Call("read", {{"path", "huge.png"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(r.status().message(), HasSubstr("6.0 MiB image"));
}

TEST_F(FsRead, DirectoriesAndFifosAreRefused) {
  Write("src/a.c", "");
  Result<Reply> r = Call("read", {{"path", "src"}});
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("fs_list"));
  ASSERT_EQ(::mkfifo(tmp_.Join("ws/pipe").c_str(), 0600), 0);
  r = Call("read", {{"path", "pipe"}});  // must not block on the FIFO
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(r.status().message(), HasSubstr("not a regular file"));
}

TEST_F(FsRead, MissingFileIsNotFound) {
  Result<Reply> r = Call("read", {{"path", "nope.txt"}});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(r.status().message(), HasSubstr("/nope.txt"));
}

TEST_F(FsRead, FollowsSymlinksInsideTheWorkspace) {
  Write("real/a.txt", "real\n");
  std::filesystem::create_symlink("real/a.txt", tmp_.Join("ws/link.txt"));
  std::filesystem::create_directory_symlink("real", tmp_.Join("ws/alias"));
  EXPECT_EQ(Data("read", {{"path", "link.txt"}})["text"], "real\n");
  EXPECT_EQ(Data("read", {{"path", "alias/a.txt"}})["text"], "real\n");
}

TEST_F(FsRead, RefusesASymlinkLeadingOutside) {
  std::filesystem::create_symlink(tmp_.Join("outside/secret"), tmp_.Join("ws/abs"));
  std::filesystem::create_symlink("../outside/secret", tmp_.Join("ws/rel"));
  for (const char* p : {"abs", "rel"}) {
    Result<Reply> r = Call("read", {{"path", p}});
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
    EXPECT_THAT(r.status().message(), HasSubstr("escapes the workspace"));
  }
  EXPECT_EQ(Call("read", {{"path", "../outside/secret"}}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FsRead, ReadOnlyBindsAreReadable) {
  tmp_.WriteFile("docs/guide.md", "# guide\n");
  Rebind({{"/", tmp_.Join("ws")}, {"/docs", tmp_.Join("docs") + ":ro"}}, false);
  Json d = Data("read", {{"path", "/docs/guide.md"}});
  EXPECT_EQ(d["text"], "# guide\n");
  EXPECT_EQ(d["mime_type"], "text/markdown");
  Rebind({{"/", tmp_.Join("docs")}}, true);
  EXPECT_EQ(Data("read", {{"path", "guide.md"}})["text"], "# guide\n");
}

// Runs `body` in a child with at most 1 GiB of address space; true when it
// exits 0.
template <typename F>
bool InSmallAddressSpace(F body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    struct rlimit limit = {1ul << 30, 1ul << 30};
    if (::setrlimit(RLIMIT_AS, &limit) != 0) ::_exit(90);
    ::_exit(body());
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return false;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "the child " << (WIFEXITED(status) ? "exited " : "was killed by signal ")
      << (WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST_F(FsRead, ReadsA2GiBFileWithBoundedMemory) {
  // 2000 lines (past the 8 KiB that binary detection reads), a 2 GiB hole
  // (one huge line of NUL bytes), 1000 more lines.
  std::string path = tmp_.Join("ws/huge.log");
  Write("huge.log", Lines(2000));
  constexpr off_t kHole = off_t{2} << 30;
  ASSERT_EQ(::truncate(path.c_str(), kHole), 0);
  {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    std::string tail = "\n" + Lines(1000, 5001);
    ASSERT_EQ(::pwrite(fd, tail.data(), tail.size(), kHole), static_cast<ssize_t>(tail.size()));
    ::close(fd);
  }
  EXPECT_TRUE(InSmallAddressSpace([&]() -> int {
    Result<Reply> head = Call("read", {{"path", "huge.log"}, {"head", 3}});
    if (!head.ok() || head->data["text"] != "line1\nline2\nline3\n" || head->data["next_offset"] != 4) return 1;
    if (head->data.contains("total_lines")) return 2;  // too big to count
    Result<Reply> middle = Call("read", {{"path", "huge.log"}, {"offset", 500}, {"limit", 2}});
    if (!middle.ok() || middle->data["text"] != "line500\nline501\n") return 3;
    Result<Reply> tail = Call("read", {{"path", "huge.log"}, {"tail", 2}});
    if (!tail.ok() || tail->data["text"] != "line5999\nline6000\n") return 4;
    if (Text(*tail).find("lines not counted") == std::string::npos) return 5;
    Result<Reply> bytes = Call("read", {{"path", "huge.log"}, {"byte_offset", kHole + 1}, {"byte_length", 9}});
    if (!bytes.ok() || bytes->data["text"] != "line5001\n") return 6;
    return 0;
  }));
}

// ---------------------------------------------------------------------------
// fs_read_many

TEST_F(FsRead, ReadManyReadsEachFileUnderAHeader) {
  Write("a.txt", "alpha\n");
  Write("b.txt", Lines(5));
  Result<Reply> r = Call("read_many", {{"paths", {"a.txt", "/b.txt"}}, {"head", 2}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->data["read"], 2);
  EXPECT_EQ(r->data["failed"], 0);
  EXPECT_EQ(r->data["files"][0]["text"], "alpha\n");
  EXPECT_EQ(r->data["files"][1]["text"], "line1\nline2\n");
  EXPECT_EQ(r->data["files"][1]["next_offset"], 3);
  EXPECT_EQ(r->data["truncated"], true);
  EXPECT_THAT(Text(*r), HasSubstr("==> /a.txt <==\nalpha\n\n==> /b.txt <==\nline1\nline2\n[truncated"));
}

TEST_F(FsRead, ReadManyReportsErrorsInlineAndGoesOn) {
  Write("a.txt", "alpha\n");
  Write("dir/x", "");
  Write("blob.bin", std::string("\0\1\2", 3));
  Write("pic.png", std::string("\x89PNG\r\n\x1a\n\0", 9));
  Result<Reply> r = Call("read_many", {{"paths", {"missing.txt", "dir", "a.txt", "blob.bin", "pic.png"}}});
  ASSERT_TRUE(r.ok()) << r.status();
  const Json& f = r->data["files"];
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[0]["ok"], false);
  EXPECT_THAT(f[0]["error"].get<std::string>(), HasSubstr("does not exist"));
  EXPECT_EQ(f[1]["ok"], false);
  EXPECT_EQ(f[2]["text"], "alpha\n");
  EXPECT_EQ(f[3]["kind"], "binary");
  EXPECT_EQ(f[4]["kind"], "image");
  EXPECT_FALSE(f[4].contains("text"));
  EXPECT_EQ(r->data["failed"], 2);
  std::string text = Text(*r);
  EXPECT_THAT(text, HasSubstr("==> /missing.txt <==\n[error: /missing.txt does not exist]"));
  EXPECT_THAT(text, HasSubstr("==> /pic.png <==\n[image file (image/png, 9 B): read it with fs_read]"));
}

TEST_F(FsRead, ReadManySharesOneCapAcrossFiles) {
  std::string line(99, 'y');
  std::string content;
  for (int i = 0; i < 2000; ++i) content += line + "\n";  // 200,000 bytes each
  Write("small.txt", "tiny\n");
  Write("one.txt", content);
  Write("two.txt", content);
  Json d = Data("read_many", {{"paths", {"small.txt", "one.txt", "two.txt"}}});
  size_t total = 0;
  for (const Json& f : d["files"]) total += f["text"].get<std::string>().size();
  EXPECT_LE(total, 256u * 1024);
  EXPECT_EQ(d["files"][0]["truncated"], false);
  EXPECT_EQ(d["files"][1]["truncated"], true);
  EXPECT_EQ(d["files"][2]["truncated"], true);
  // The two big files share what the small one left.
  EXPECT_GT(d["files"][2]["lines"].get<int>(), 1000);
  EXPECT_EQ(d["files"][1]["next_offset"].get<int>(), d["files"][1]["lines"].get<int>() + 1);
}

TEST_F(FsRead, ReadManyTakesAtMost50Paths) {
  Json paths = Json::array();
  for (int i = 0; i < 51; ++i) paths.push_back("f" + std::to_string(i));
  EXPECT_EQ(Call("read_many", {{"paths", paths}}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace weft::venoms
