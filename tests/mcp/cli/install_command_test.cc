// Tests for `weft install`: the config merges, the atomic writes, and the
// command against a temporary HOME with no `claude` on PATH.
#include "mcp/cli/install_command.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mcp/cli/install_config.h"
#include "core/base/files.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace weft::cli {
namespace {

using Json = nlohmann::json;
using weft::testing::ReadFileOrDie;
using weft::testing::ScopedTempDir;

constexpr const char kWeft[] = "/opt/weft/bin/weft";

// A temporary HOME, an empty PATH directory, and a project directory to serve.
class InstallTest : public ::testing::Test {
 protected:
  InstallTest() {
    std::filesystem::create_directories(tmp_.Join("home"));
    std::filesystem::create_directories(tmp_.Join("bin"));
    std::filesystem::create_directories(tmp_.Join("proj"));
    env_.home = tmp_.Join("home");
    env_.path = tmp_.Join("bin");
    env_.cwd = tmp_.Join("proj");
    env_.weft_path = kWeft;
  }

  // Runs `weft install args…`; its stderr lands in err_, stdout in out_.
  int Install(const std::vector<std::string>& args) {
    ::testing::internal::CaptureStderr();
    ::testing::internal::CaptureStdout();
    int rc = RunInstallIn(args, env_);
    out_ = ::testing::internal::GetCapturedStdout();
    err_ = ::testing::internal::GetCapturedStderr();
    return rc;
  }

  Json ReadJson(const std::string& path) { return Json::parse(ReadFileOrDie(path)); }
  std::string ClaudeJson() const { return tmp_.Join("home/.claude.json"); }
  std::string McpJson() const { return tmp_.Join("proj/.mcp.json"); }
  std::string ZedSettings() const { return tmp_.Join("home/.config/zed/settings.json"); }

  // Every name in `dir` (to catch leftover temporary files).
  static std::vector<std::string> Names(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  ScopedTempDir tmp_;
  InstallEnvironment env_;
  std::string out_;
  std::string err_;
};

const Json kStdioEntry = {{"type", "stdio"}, {"command", kWeft}, {"args", {"serve", "--stdio"}}};

TEST_F(InstallTest, ClaudeProjectScopeCreatesMcpJson) {
  ASSERT_EQ(Install({"claude-code", "--scope", "project"}), 0) << err_;
  EXPECT_EQ(ReadJson(McpJson()), (Json{{"mcpServers", {{"weft", kStdioEntry}}}}));
  EXPECT_EQ(ReadFileOrDie(McpJson()).back(), '\n');
  EXPECT_NE(err_.find("approve"), std::string::npos) << err_;
  EXPECT_NE(err_.find("claude mcp get weft"), std::string::npos) << err_;
  EXPECT_EQ(Names(env_.cwd), std::vector<std::string>{".mcp.json"});  // no temporary file left
  struct stat st;
  ASSERT_EQ(::stat(McpJson().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST_F(InstallTest, ClaudeProjectScopeKeepsOtherServersAndKeys) {
  tmp_.WriteFile("proj/.mcp.json",
                 R"({"mcpServers": {"fs": {"type": "stdio", "command": "node", "args": ["fs.js"]}}, "extra": [1]})");
  ASSERT_EQ(Install({"claude-code", "--scope=project", "--name", "ws"}), 0) << err_;
  Json got = ReadJson(McpJson());
  EXPECT_EQ(got["extra"], Json::array({1}));
  EXPECT_EQ(got["mcpServers"]["fs"]["command"], "node");
  EXPECT_EQ(got["mcpServers"]["ws"], kStdioEntry);
  EXPECT_EQ(got["mcpServers"].size(), 2u);
  // Key order survives the rewrite: the existing server stays first.
  EXPECT_LT(ReadFileOrDie(McpJson()).find("\"fs\""), ReadFileOrDie(McpJson()).find("\"ws\""));
}

TEST_F(InstallTest, ClaudeLocalScopeWritesThisProjectAndKeepsTheRest) {
  tmp_.WriteFile("home/.claude.json",
                 R"({"numStartups": 7, "mcpServers": {"global": {"type": "http", "url": "http://g/mcp"}},
                     "projects": {"/elsewhere": {"mcpServers": {}},
                                  ")" + env_.cwd + R"(": {"allowedTools": ["x"], "hasTrustDialogAccepted": true}}})");
  ASSERT_EQ(::chmod(ClaudeJson().c_str(), 0640), 0);
  ASSERT_EQ(Install({"claude-code"}), 0) << err_;
  Json got = ReadJson(ClaudeJson());
  EXPECT_EQ(got["numStartups"], 7);
  EXPECT_EQ(got["mcpServers"], Json::parse(R"({"global": {"type": "http", "url": "http://g/mcp"}})"));
  EXPECT_EQ(got["projects"]["/elsewhere"], Json::parse(R"({"mcpServers": {}})"));
  const Json& mine = got["projects"][env_.cwd];
  EXPECT_EQ(mine["allowedTools"], Json::array({"x"}));
  EXPECT_EQ(mine["hasTrustDialogAccepted"], true);
  EXPECT_EQ(mine["mcpServers"], (Json{{"weft", kStdioEntry}}));
  struct stat st;
  ASSERT_EQ(::stat(ClaudeJson().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);  // the original mode is kept
  EXPECT_EQ(Names(*env_.home), std::vector<std::string>{".claude.json"});
}

TEST_F(InstallTest, ClaudeUserScopeWritesTopLevelServersInANewPrivateFile) {
  ASSERT_EQ(Install({"claude-code", "--scope", "user", "--http", "http://127.0.0.1:8765/mcp", "--no-auth"}), 0)
      << err_;
  EXPECT_EQ(ReadJson(ClaudeJson()),
            Json::parse(R"({"mcpServers": {"weft": {"type": "http", "url": "http://127.0.0.1:8765/mcp"}}})"));
  struct stat st;
  ASSERT_EQ(::stat(ClaudeJson().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  ASSERT_EQ(Install({"claude-code", "--scope", "user", "--name", "w2"}), 0) << err_;
  EXPECT_NE(err_.find("whichever directory"), std::string::npos) << err_;
  EXPECT_EQ(ReadJson(ClaudeJson())["mcpServers"].size(), 2u);
}

TEST_F(InstallTest, ExistingDifferentEntryNeedsForce) {
  std::string before = R"({"mcpServers": {"weft": {"type": "stdio", "command": "/old/weft", "args": []}}})";
  tmp_.WriteFile("proj/.mcp.json", before);
  EXPECT_EQ(Install({"claude-code", "--scope", "project"}), 1);
  EXPECT_EQ(ReadFileOrDie(McpJson()), before);
  EXPECT_NE(err_.find("already configured"), std::string::npos) << err_;
  EXPECT_NE(err_.find("--force"), std::string::npos) << err_;
  EXPECT_NE(err_.find("-   \"command\": \"/old/weft\""), std::string::npos) << err_;
  EXPECT_NE(err_.find("+   \"command\": \"/opt/weft/bin/weft\""), std::string::npos) << err_;

  ASSERT_EQ(Install({"claude-code", "--scope", "project", "--force"}), 0) << err_;
  EXPECT_EQ(ReadJson(McpJson())["mcpServers"]["weft"], kStdioEntry);
  EXPECT_NE(err_.find("Replaced"), std::string::npos) << err_;
}

TEST_F(InstallTest, SameEntryAgainChangesNothing) {
  ASSERT_EQ(Install({"claude-code", "--scope", "project"}), 0) << err_;
  tmp_.WriteFile("proj/.mcp.json", ReadFileOrDie(McpJson()) + "\n\n");  // a byte the merge would drop
  std::string before = ReadFileOrDie(McpJson());
  ASSERT_EQ(Install({"claude-code", "--scope", "project"}), 0) << err_;
  EXPECT_EQ(ReadFileOrDie(McpJson()), before);
  EXPECT_NE(err_.find("nothing to change"), std::string::npos) << err_;
}

TEST_F(InstallTest, UnparseableFileIsRefusedAndUntouched) {
  tmp_.WriteFile("home/.claude.json", "{\"numStartups\": 3,");
  EXPECT_EQ(Install({"claude-code", "--scope", "user"}), 1);
  EXPECT_EQ(ReadFileOrDie(ClaudeJson()), "{\"numStartups\": 3,");
  EXPECT_NE(err_.find("not valid JSON"), std::string::npos) << err_;

  tmp_.WriteFile("home/.config/zed/settings.json", "{\"theme\": }");
  EXPECT_EQ(Install({"zed"}), 1);
  EXPECT_EQ(ReadFileOrDie(ZedSettings()), "{\"theme\": }");
  EXPECT_EQ(Names(tmp_.Join("home/.config/zed")), std::vector<std::string>{"settings.json"});
}

TEST_F(InstallTest, DryRunWritesNothing) {
  ASSERT_EQ(Install({"claude-code", "--scope", "project", "--dry-run"}), 0) << err_;
  EXPECT_FALSE(std::filesystem::exists(McpJson()));
  EXPECT_NE(out_.find("would write " + McpJson()), std::string::npos) << out_;
  EXPECT_NE(out_.find("/opt/weft/bin/weft"), std::string::npos) << out_;

  ASSERT_EQ(Install({"zed", "--dry-run"}), 0) << err_;
  EXPECT_FALSE(std::filesystem::exists(tmp_.Join("home/.config")));
  EXPECT_NE(out_.find("context_servers"), std::string::npos) << out_;
}

TEST_F(InstallTest, UsageErrors) {
  EXPECT_EQ(Install({"vim"}), 2);
  EXPECT_NE(err_.find("unknown editor 'vim'"), std::string::npos) << err_;
  EXPECT_EQ(Install({"claude-code", "--scope", "global"}), 2);
  EXPECT_NE(err_.find("unknown scope 'global'"), std::string::npos) << err_;
  EXPECT_EQ(Install({}), 2);
  EXPECT_EQ(Install({"zed", "--scope", "user"}), 2);
  EXPECT_EQ(Install({"zed", "--name", "has space"}), 2);
  EXPECT_EQ(Install({"zed", "--http", "ftp://x"}), 2);
  EXPECT_EQ(Install({"zed", "--bogus"}), 2);
}

TEST_F(InstallTest, HomeUnsetIsAClearError) {
  env_.home.reset();
  EXPECT_EQ(Install({"claude-code"}), 1);
  EXPECT_NE(err_.find("HOME is not set"), std::string::npos) << err_;
  EXPECT_EQ(Install({"zed"}), 1);
  EXPECT_NE(err_.find("HOME is not set"), std::string::npos) << err_;
  ASSERT_EQ(Install({"claude-code", "--scope", "project"}), 0) << err_;  // needs no HOME
}

TEST_F(InstallTest, UnwritableDirectoryIsAClearError) {
  // /proc refuses new files to everyone, root included, so this runs as root too.
  env_.cwd = "/proc";
  EXPECT_EQ(Install({"claude-code", "--scope", "project"}), 1);
  EXPECT_NE(err_.find("cannot write in /proc"), std::string::npos) << err_;
  EXPECT_FALSE(std::filesystem::exists("/proc/.mcp.json"));
}

TEST_F(InstallTest, UnreadableOrUncreatablePathsAreClearErrors) {
  std::filesystem::create_directories(tmp_.Join("dir.json"));
  EXPECT_EQ(Install({"zed", "--settings", tmp_.Join("dir.json")}), 1);
  EXPECT_NE(err_.find("cannot read " + tmp_.Join("dir.json")), std::string::npos) << err_;
  tmp_.WriteFile("plain", "x");
  EXPECT_EQ(Install({"zed", "--settings", tmp_.Join("plain/zed/settings.json")}), 1);
  EXPECT_NE(err_.find("Not a directory"), std::string::npos) << err_;
  Status write = WriteFileAtomically(tmp_.Join("plain/zed/settings.json"), "{}", 0644);
  EXPECT_NE(write.message().find("cannot create directory " + tmp_.Join("plain/zed")), std::string::npos) << write;
  EXPECT_EQ(ReadFileOrDie(tmp_.Join("plain")), "x");
}

TEST_F(InstallTest, ZedMergeKeepsOtherSettings) {
  tmp_.WriteFile("home/.config/zed/settings.json",
                 R"({"theme": "One Dark", "context_servers": {"other": {"url": "http://o/mcp"}}, "vim_mode": true})");
  ASSERT_EQ(Install({"zed"}), 0) << err_;
  Json got = ReadJson(ZedSettings());
  EXPECT_EQ(got["theme"], "One Dark");
  EXPECT_EQ(got["vim_mode"], true);
  EXPECT_EQ(got["context_servers"]["other"]["url"], "http://o/mcp");
  EXPECT_EQ(got["context_servers"]["weft"],
            (Json{{"command", "sh"}, {"args", {"-c", "cd " + env_.cwd + " && exec /opt/weft/bin/weft serve --stdio"}}}));
  EXPECT_NE(ReadFileOrDie(ZedSettings()).find("\n  \"theme\": \"One Dark\",\n"), std::string::npos);
  EXPECT_NE(err_.find("restart Zed"), std::string::npos) << err_;
  EXPECT_EQ(Names(tmp_.Join("home/.config/zed")), std::vector<std::string>{"settings.json"});
}

TEST_F(InstallTest, ZedCustomSettingsPathAndHttp) {
  ASSERT_EQ(Install({"zed", "--settings", "conf/zed.json", "--http", "http://127.0.0.1:9/mcp", "--no-auth"}), 0)
      << err_;
  EXPECT_EQ(ReadJson(tmp_.Join("proj/conf/zed.json")),
            Json::parse(R"({"context_servers": {"weft": {"url": "http://127.0.0.1:9/mcp"}}})"));
}

TEST_F(InstallTest, HttpEntriesCarryTheServersTokenFromTheStateDirectory) {
  ASSERT_EQ(Install({"zed", "--http", "http://127.0.0.1:9/mcp"}), 0) << err_;
  std::string token = ReadFileOrDie(tmp_.Join("home/.local/state/weft/http-token"));
  ASSERT_EQ(token.size(), 65u);  // 64 hex digits and a newline, generated on first use
  token.pop_back();
  EXPECT_EQ(ReadJson(ZedSettings())["context_servers"]["weft"],
            (Json{{"url", "http://127.0.0.1:9/mcp"}, {"headers", {{"Authorization", "Bearer " + token}}}}));

  env_.xdg_state_home = tmp_.Join("state");
  tmp_.WriteFile("state/weft/http-token", "0123456789abcdef0123\n");
  ASSERT_EQ(Install({"claude-code", "--scope", "project", "--http", "http://127.0.0.1:9/mcp"}), 0) << err_;
  EXPECT_EQ(ReadJson(McpJson())["mcpServers"]["weft"]["headers"]["Authorization"], "Bearer 0123456789abcdef0123");

  EXPECT_EQ(Install({"zed", "--no-auth"}), 2);
  EXPECT_NE(err_.find("--http only"), std::string::npos) << err_;
}

constexpr const char kCommentedSettings[] =
    "// Zed settings\n{\n  \"theme\": \"One Dark\", // my theme\n  /* servers */\n"
    "  \"context_servers\": {\n    \"other\": {\"url\": \"http://o/mcp\"},\n  },\n}\n";

TEST_F(InstallTest, ZedCommentedSettingsGetTheEntryInsertedInPlace) {
  tmp_.WriteFile("home/.config/zed/settings.json", kCommentedSettings);
  ASSERT_EQ(Install({"zed"}), 0) << err_;
  std::string got = ReadFileOrDie(ZedSettings());
  std::string insertion = got.substr(got.find("\"context_servers\": {") + 20);
  insertion = insertion.substr(0, insertion.find("\n    \"other\""));
  std::string without = got;
  without.erase(got.find("\"context_servers\": {") + 20, insertion.size());
  EXPECT_EQ(without, kCommentedSettings);  // every original byte, comments included
  EXPECT_NE(insertion.find("exec /opt/weft/bin/weft serve --stdio"), std::string::npos) << insertion;
  EXPECT_NE(err_.find("comments and formatting kept"), std::string::npos) << err_;
}

TEST_F(InstallTest, ZedCommentedSettingsWithoutContextServersGetTheObject) {
  tmp_.WriteFile("home/.config/zed/settings.json", "// mine\n{\n  \"theme\": \"x\", // t\n}\n");
  ASSERT_EQ(Install({"zed", "--http", "http://h/mcp", "--no-auth"}), 0) << err_;
  std::string got = ReadFileOrDie(ZedSettings());
  EXPECT_EQ(got, "// mine\n{\n  \"context_servers\": {\n    \"weft\": {\n      \"url\": \"http://h/mcp\"\n"
                 "    }\n  },\n  \"theme\": \"x\", // t\n}\n");
}

TEST_F(InstallTest, ZedCommentedSettingsRefuseReplacementAndPrintTheSnippet) {
  std::string text = std::string(kCommentedSettings);
  text.replace(text.find("\"other\""), 7, "\"weft\"");
  tmp_.WriteFile("home/.config/zed/settings.json", text);
  EXPECT_EQ(Install({"zed"}), 1);
  EXPECT_NE(err_.find("already configured"), std::string::npos) << err_;
  EXPECT_EQ(Install({"zed", "--force"}), 1);
  EXPECT_EQ(ReadFileOrDie(ZedSettings()), text);  // byte-identical
  EXPECT_NE(err_.find("comments"), std::string::npos) << err_;
  EXPECT_NE(err_.find("\"context_servers\": {\n    \"weft\": {\n      \"command\": \"sh\""), std::string::npos)
      << err_;
  EXPECT_NE(err_.find(ZedSettings()), std::string::npos) << err_;
  EXPECT_EQ(Names(tmp_.Join("home/.config/zed")), std::vector<std::string>{"settings.json"});
}

TEST_F(InstallTest, RunsClaudeWhenItIsOnPath) {
  tmp_.WriteFile("bin/claude", "#!/bin/sh\nprintf '%s\\n' \"$@\" >> " + tmp_.Join("claude-args") +
                                   "\n[ \"$2\" = add ] && exit \"${FAKE_CLAUDE_RC:-0}\"\nexit 1\n");
  ASSERT_EQ(::chmod(tmp_.Join("bin/claude").c_str(), 0755), 0);
  ASSERT_EQ(Install({"claude-code", "--scope", "user"}), 0) << err_;
  EXPECT_EQ(ReadFileOrDie(tmp_.Join("claude-args")),
            "mcp\nadd\n--scope\nuser\nweft\n--\n/opt/weft/bin/weft\nserve\n--stdio\n");
  EXPECT_FALSE(std::filesystem::exists(ClaudeJson()));

  std::filesystem::remove(tmp_.Join("claude-args"));
  env_.xdg_state_home = tmp_.Join("state");
  tmp_.WriteFile("state/weft/http-token", "0123456789abcdef0123\n");
  ASSERT_EQ(Install({"claude-code", "--http", "http://h/mcp", "--force"}), 0) << err_;
  EXPECT_EQ(ReadFileOrDie(tmp_.Join("claude-args")),
            "mcp\nremove\n--scope\nlocal\nweft\nmcp\nadd\n--scope\nlocal\n--transport\nhttp\nweft\nhttp://h/mcp\n"
            "--header\nAuthorization: Bearer 0123456789abcdef0123\n");
  EXPECT_EQ(err_.find("0123456789abcdef0123"), std::string::npos) << "the token is a secret: " << err_;
  EXPECT_NE(err_.find("Authorization: Bearer <token>"), std::string::npos) << err_;

  ASSERT_EQ(Install({"claude-code", "--dry-run"}), 0) << err_;
  EXPECT_NE(out_.find("would run: " + tmp_.Join("bin/claude") + " mcp add --scope local weft -- /opt/weft"),
            std::string::npos)
      << out_;

  ::setenv("FAKE_CLAUDE_RC", "3", 1);
  EXPECT_EQ(Install({"claude-code"}), 1);
  ::unsetenv("FAKE_CLAUDE_RC");
  EXPECT_NE(err_.find("exited with status 3"), std::string::npos) << err_;
}

TEST(InstallConfig, ZedStdioEntryQuotesPathsForTheShell) {
  ScopedTempDir tmp;
  std::filesystem::create_directories(tmp.Join("it's here"));
  tmp.WriteFile("my weft/weft", "#!/bin/sh\nprintf '%s|' \"$(pwd)\" \"$@\"\n");
  ASSERT_EQ(::chmod(tmp.Join("my weft/weft").c_str(), 0755), 0);
  auto entry = ZedStdioEntry(tmp.Join("my weft/weft"), tmp.Join("it's here"));
  EXPECT_EQ(entry["command"], "sh");
  EXPECT_EQ(entry["args"][1], "cd '" + tmp.path() + "/it'\\''s here' && exec '" + tmp.path() +
                                  "/my weft/weft' serve --stdio");
  auto run = weft::testing::Run({"sh", "-c", entry["args"][1].get<std::string>()});
  EXPECT_EQ(run.out, std::filesystem::canonical(tmp.Join("it's here")).string() + "|serve|--stdio|") << run.err;
}

TEST(InstallConfig, ClaudeMergeRefusesNonObjects) {
  MergeRequest request{"weft", ClaudeStdioEntry(kWeft), false};
  EXPECT_EQ(MergeClaudeConfig("[]", ClaudeScope::kUser, "/p", request).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MergeClaudeConfig(R"({"mcpServers": 1})", ClaudeScope::kUser, "/p", request).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(MergeClaudeConfig(R"({"projects": {"/p": []}})", ClaudeScope::kLocal, "/p", request).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(InstallFiles, AtomicWriteFollowsSymlinksAndLeavesNoTemporaryFile) {
  ScopedTempDir tmp;
  tmp.WriteFile("real/settings.json", "{}");
  std::filesystem::create_symlink(tmp.Join("real/settings.json"), tmp.Join("link.json"));
  ASSERT_TRUE(WriteFileAtomically(tmp.Join("link.json"), "{\"a\": 1}\n", 0644).ok());
  EXPECT_TRUE(std::filesystem::is_symlink(tmp.Join("link.json")));
  EXPECT_EQ(ReadFileOrDie(tmp.Join("real/settings.json")), "{\"a\": 1}\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(tmp.Join("real")), {}), 1);

  ASSERT_TRUE(WriteFileAtomically(tmp.Join("new/dir/f.json"), "x", 0600).ok());
  EXPECT_EQ(ReadFileOrDie(tmp.Join("new/dir/f.json")), "x");
  EXPECT_EQ(ReadWholeFile(tmp.Join("missing")).status().code(), StatusCode::kNotFound);
}

TEST(InstallBinary, ZedThroughTheRealBinary) {
  ScopedTempDir tmp;
  tmp.WriteFile("settings.json", "{\"theme\": \"One Light\"}");
  std::string weft = weft::testing::BinaryDir() + "/bin/weft";
  auto run = weft::testing::Run({weft, "install", "zed", "--settings", tmp.Join("settings.json"), "--name", "ws"});
  ASSERT_EQ(run.exit_code(), 0) << run.err;
  Json got = Json::parse(ReadFileOrDie(tmp.Join("settings.json")));
  EXPECT_EQ(got["theme"], "One Light");
  EXPECT_EQ(got["context_servers"]["ws"]["command"], "sh");
  std::string script = got["context_servers"]["ws"]["args"][1];
  EXPECT_NE(script.find(std::filesystem::canonical(weft).string() + " serve --stdio"), std::string::npos) << script;
  EXPECT_NE(run.err.find("Added \"ws\""), std::string::npos) << run.err;

  auto again = weft::testing::Run({weft, "install", "zed", "--settings", tmp.Join("settings.json"), "--name", "ws",
                                   "--http", "http://h/mcp", "--state", tmp.Join("state")});
  EXPECT_EQ(again.exit_code(), 1);
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
}

}  // namespace
}  // namespace weft::cli
