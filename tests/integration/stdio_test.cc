// Integration tests: the real weft binary over stdio, including hostile input.
#include <signal.h>
#include <sys/wait.h>

#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace weft::testing {
namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::string Weft() { return BinaryDir() + "/bin/weft"; }

const char kInit[] =
    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"it","version":"1"}}})"
    "\n";

// A running `weft serve --stdio --conformance-fixture` and line-level I/O.
class WeftProcess {
 public:
  WeftProcess() : p_({Weft(), "serve", "--stdio", "--conformance-fixture", "--log-level", "warning"}) {}
  Subprocess& p() { return p_; }
  void Send(const std::string& s) { ASSERT_TRUE(p_.Write(s)); }
  Json Next(milliseconds timeout = seconds(10)) {
    auto line = p_.ReadLine(timeout);
    if (!line) return Json();
    Json j = Json::parse(*line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "stdout carried a non-protocol line: " << *line;
    return j;
  }
  Json Ping(int id) {
    Send(R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":"ping"})" "\n");
    return Next();
  }

 private:
  Subprocess p_;
};

TEST(WeftBinary, PrintsVersionAndHelp) {
  RunResult v = ::weft::testing::Run({Weft(), "--version"});
  EXPECT_EQ(v.exit_code(), 0);
  EXPECT_EQ(v.out.rfind("weft ", 0), 0u) << v.out;
  RunResult h = ::weft::testing::Run({Weft(), "--help"});
  EXPECT_EQ(h.exit_code(), 0);
  EXPECT_NE(h.out.find("weft serve"), std::string::npos);
  RunResult sh = ::weft::testing::Run({Weft(), "serve", "--help"});
  EXPECT_EQ(sh.exit_code(), 0);
  EXPECT_NE(sh.out.find("--conformance-fixture"), std::string::npos);
}

TEST(WeftBinary, RejectsUnknownCommandsAndFlagsWithUsage) {
  RunResult c = ::weft::testing::Run({Weft(), "frobnicate"});
  EXPECT_EQ(c.exit_code(), 2);
  EXPECT_NE(c.err.find("unknown command"), std::string::npos);
  RunResult f = ::weft::testing::Run({Weft(), "serve", "--no-such-flag"});
  EXPECT_EQ(f.exit_code(), 2);
  EXPECT_NE(f.err.find("--no-such-flag"), std::string::npos);
  RunResult l = ::weft::testing::Run({Weft(), "serve", "--log-level", "loud"});
  EXPECT_EQ(l.exit_code(), 2);
  EXPECT_TRUE(l.out.empty()) << "usage errors go to stderr";
}

TEST(StdioServer, AnswersAndExitsCleanlyOnStdinEof) {
  RunResult r = ::weft::testing::Run({Weft(), "serve", "--stdio", "--conformance-fixture"},
                    std::string(kInit) +
                        R"({"jsonrpc":"2.0","method":"notifications/initialized"})" "\n"
                        R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"test_simple_text","arguments":{}}})" "\n");
  EXPECT_EQ(r.exit_code(), 0) << r.err;
  std::vector<Json> lines;
  size_t pos = 0;
  while (pos < r.out.size()) {
    size_t nl = r.out.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    Json j = Json::parse(r.out.substr(pos, nl - pos), nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "non-protocol output on stdout";
    lines.push_back(j);
    pos = nl + 1;
  }
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[1]["result"]["content"][0]["text"], "This is a simple text response for testing.");
  EXPECT_NE(r.err.find("serving"), std::string::npos) << "logs belong on stderr";
}

TEST(StdioServer, A100MiBLineIsRefusedAndTheServerKeepsServing) {
  WeftProcess w;
  w.Send(kInit);
  ASSERT_EQ(w.Next()["id"], 1);
  std::string chunk(1 << 20, 'x');
  std::thread writer([&] {
    for (int i = 0; i < 100; ++i) w.p().Write(chunk);
    w.p().Write("\n");
  });
  Json refused = w.Next(seconds(60));
  writer.join();
  EXPECT_EQ(refused["error"]["code"], -32600) << refused;
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("larger than"), std::string::npos);
  EXPECT_EQ(w.Ping(2)["result"], Json::object());
}

TEST(StdioServer, NulBytesAndInvalidUtf8AreParseErrors) {
  WeftProcess w;
  w.Send(std::string("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"") + '\0' + "}\n");
  EXPECT_EQ(w.Next()["error"]["code"], -32700);
  w.Send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":{\"a\":\"\xc3\x28\"}}\n");
  EXPECT_EQ(w.Next()["error"]["code"], -32700);
  EXPECT_EQ(w.Ping(3)["result"], Json::object());
}

TEST(StdioServer, HundredThousandNestingLevelsAreRefusedWithoutCrashing) {
  WeftProcess w;
  w.Send(std::string(100000, '[') + std::string(100000, ']') + "\n");
  EXPECT_EQ(w.Next()["error"]["code"], -32600);
  w.Send(std::string(100000, '{') + "\n");  // unbalanced, too
  EXPECT_EQ(w.Next()["error"]["code"], -32600);
  EXPECT_EQ(w.Ping(1)["result"], Json::object());
}

TEST(StdioServer, SigtermEndsTheServerCleanly) {
  WeftProcess w;
  w.Send(kInit);
  ASSERT_EQ(w.Next()["id"], 1);
  ::kill(w.p().pid(), SIGTERM);
  auto status = w.p().Wait(seconds(10));
  ASSERT_TRUE(status.has_value()) << "weft did not exit on SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

TEST(StdioServer, ClientVanishingMidCallLeavesNoProcessBehind) {
  WeftProcess w;
  w.Send(kInit);
  ASSERT_EQ(w.Next()["id"], 1);
  w.Send(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"test_tool_with_progress","arguments":{},"_meta":{"progressToken":1}}})" "\n");
  w.p().CloseStdin();
  auto status = w.p().Wait(seconds(15));
  ASSERT_TRUE(status.has_value()) << "weft kept running after its client left";
  EXPECT_EQ(WEXITSTATUS(*status), 0);
}

}  // namespace
}  // namespace weft::testing
