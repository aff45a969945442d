// Integration tests: the real weft binary serving Streamable HTTP.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <httplib.h>

#include <fstream>
#include <iterator>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace weft::testing {
namespace {

using Json = nlohmann::json;
using namespace std::chrono_literals;

std::string Weft() { return BinaryDir() + "/bin/weft"; }

// `weft serve --http 127.0.0.1:0 …` with its state in a temp directory.
class HttpServe {
 public:
  explicit HttpServe(const std::string& state, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {Weft(), "serve", "--http", "127.0.0.1:0", "--state", state};
    argv.insert(argv.end(), extra.begin(), extra.end());
    p_ = std::make_unique<Subprocess>(argv);
    for (int i = 0; i < 1000 && port_ == 0; ++i) {
      err_ += p_->DrainStderr();
      std::smatch m;
      if (std::regex_search(err_, m, std::regex("listening on http://127\\.0\\.0\\.1:([0-9]+)/mcp"))) {
        port_ = std::stoi(m[1]);
      } else {
        std::this_thread::sleep_for(10ms);
      }
    }
    std::this_thread::sleep_for(100ms);  // the banner follows the log line
    err_ += p_->DrainStderr();
  }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/mcp"; }
  const std::string& err() const { return err_; }
  Subprocess& p() { return *p_; }

 private:
  std::unique_ptr<Subprocess> p_;
  std::string err_;
  int port_ = 0;
};

httplib::Result ModernToolsList(int port, const std::string& token) {
  httplib::Client cli("127.0.0.1", port);
  httplib::Headers h = {{"Accept", "application/json, text/event-stream"},
                        {"MCP-Protocol-Version", "2026-07-28"},
                        {"Mcp-Method", "tools/list"}};
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  Json body = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "tools/list"},
               {"params", {{"_meta", {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                      {"io.modelcontextprotocol/clientCapabilities", Json::object()}}}}}};
  return cli.Post("/mcp", h, body.dump(), "application/json");
}

TEST(WeftHttp, GeneratesAPrivateTokenAndPrintsHowToConnect) {
  ScopedTempDir tmp;
  HttpServe serve(tmp.Join("state"));
  ASSERT_NE(serve.port(), 0) << serve.err();
  std::string token_file = tmp.Join("state/http-token");
  struct stat st;
  ASSERT_EQ(::stat(token_file.c_str(), &st), 0) << serve.err();
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  RunResult token = ::weft::testing::Run({Weft(), "token", "--state", tmp.Join("state")});
  ASSERT_EQ(token.exit_code(), 0) << token.err;
  ASSERT_EQ(token.out.size(), 65u) << token.out;
  std::string secret = token.out.substr(0, 64);
  RunResult path = ::weft::testing::Run({Weft(), "token", "--state", tmp.Join("state"), "--path"});
  EXPECT_EQ(path.out, token_file + "\n");

  const std::string& err = serve.err();
  EXPECT_NE(err.find("URL:    " + serve.url()), std::string::npos) << err;
  EXPECT_NE(err.find("Token:  " + token_file), std::string::npos) << err;
  EXPECT_NE(err.find("claude mcp add --transport http weft " + serve.url() + " --header \"Authorization: Bearer $("),
            std::string::npos) << err;
  EXPECT_NE(err.find("\"context_servers\": {"), std::string::npos) << err;
  EXPECT_NE(err.find("\"url\": \"" + serve.url() + "\""), std::string::npos) << err;
  EXPECT_EQ(err.find(secret), std::string::npos) << "stderr is not a terminal: the token must not be printed";

  auto denied = ModernToolsList(serve.port(), "");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);
  auto ok = ModernToolsList(serve.port(), secret);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_NE(ok->body.find("\"resultType\":\"complete\""), std::string::npos) << ok->body;
}

TEST(WeftHttp, ReusesTheTokenAcrossRestarts) {
  ScopedTempDir tmp;
  std::string first;
  {
    HttpServe serve(tmp.Join("s"));
    ASSERT_NE(serve.port(), 0) << serve.err();
    first = ::weft::testing::Run({Weft(), "token", "--state", tmp.Join("s")}).out;
  }
  HttpServe again(tmp.Join("s"));
  ASSERT_NE(again.port(), 0) << again.err();
  EXPECT_EQ(::weft::testing::Run({Weft(), "token", "--state", tmp.Join("s")}).out, first);
}

TEST(WeftHttp, SigtermStopsPromptlyWithStreamsOpen) {
  ScopedTempDir tmp;
  HttpServe serve(tmp.Join("state"), {"--no-auth"});
  ASSERT_NE(serve.port(), 0) << serve.err();
  EXPECT_NE(serve.err().find("AUTHENTICATION IS OFF"), std::string::npos) << serve.err();
  // A listen stream holds a connection thread until the server stops.
  std::thread listener([port = serve.port()] {
    httplib::Client cli("127.0.0.1", port);
    cli.set_read_timeout(30, 0);
    httplib::Headers h = {{"Accept", "application/json, text/event-stream"},
                          {"MCP-Protocol-Version", "2026-07-28"},
                          {"Mcp-Method", "subscriptions/listen"}};
    Json body = {{"jsonrpc", "2.0"}, {"id", 1}, {"method", "subscriptions/listen"},
                 {"params", {{"notifications", {{"toolsListChanged", true}}},
                             {"_meta", {{"io.modelcontextprotocol/protocolVersion", "2026-07-28"},
                                        {"io.modelcontextprotocol/clientCapabilities", Json::object()}}}}}};
    cli.Post("/mcp", h, body.dump(), "application/json");
  });
  std::this_thread::sleep_for(300ms);
  ASSERT_EQ(::kill(serve.p().pid(), SIGTERM), 0);
  auto status = serve.p().Wait(10s);
  listener.join();
  ASSERT_TRUE(status.has_value()) << "weft did not exit within 10 s of SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
}

TEST(WeftHttp, RefusesNoAuthOffLoopbackAndBadAddresses) {
  RunResult r = ::weft::testing::Run({Weft(), "serve", "--http", "0.0.0.0:0", "--no-auth"});
  EXPECT_EQ(r.exit_code(), 2);
  EXPECT_NE(r.err.find("loopback"), std::string::npos) << r.err;
  r = ::weft::testing::Run({Weft(), "serve", "--http", "localhost"});
  EXPECT_EQ(r.exit_code(), 2);
  EXPECT_NE(r.err.find("HOST:PORT"), std::string::npos) << r.err;
  r = ::weft::testing::Run({Weft(), "serve", "--stdio", "--http", "127.0.0.1:0"});
  EXPECT_EQ(r.exit_code(), 2);
  r = ::weft::testing::Run({Weft(), "serve", "--no-auth"});
  EXPECT_EQ(r.exit_code(), 2);
}

TEST(WeftHttp, BusyPortIsAClearError) {
  ScopedTempDir tmp;
  HttpServe first(tmp.Join("state"), {"--no-auth"});
  ASSERT_NE(first.port(), 0) << first.err();
  RunResult r = ::weft::testing::Run({Weft(), "serve", "--http", "127.0.0.1:" + std::to_string(first.port()), "--no-auth",
                                      "--workspace", tmp.path(), "--state", tmp.Join("state2")},
                                     "", 20s);
  EXPECT_EQ(r.exit_code(), 1);
  EXPECT_NE(r.err.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())), std::string::npos) << r.err;
}

TEST(WeftHttp, StdioServerMapsNoHttpOrTlsLibrary) {
  ScopedTempDir tmp;
  Subprocess p({Weft(), "serve", "--stdio", "--workspace", tmp.path(), "--state", tmp.Join("state")});
  ASSERT_TRUE(p.Write(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",)"
                      R"("capabilities":{},"clientInfo":{"name":"t","version":"1"}}})"
                      "\n"));
  std::optional<std::string> line = p.ReadLine(10s);
  ASSERT_TRUE(line.has_value()) << p.DrainStderr();
  std::ifstream maps("/proc/" + std::to_string(p.pid()) + "/maps");
  std::string all((std::istreambuf_iterator<char>(maps)), std::istreambuf_iterator<char>());
  ASSERT_NE(all.find("libstdc++"), std::string::npos) << "could not read the server's maps";
  for (const char* lib : {"httplib", "libssl", "libcrypto", "weft-http"}) {
    EXPECT_EQ(all.find(lib), std::string::npos) << lib << " is mapped by a stdio server";
  }
  p.CloseStdin();
  EXPECT_EQ(p.Wait(10s), 0);
}

TEST(WeftHttp, MissingTransportModuleIsAClearError) {
  ScopedTempDir tmp;
  Subprocess p({Weft(), "serve", "--http", "127.0.0.1:0", "--state", tmp.Join("state")},
               {"WEFT_HTTP_MODULE=" + tmp.Join("nowhere/weft-http.so")});
  std::optional<int> status = p.Wait(20s);
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << *status;
  std::string err = p.DrainStderr();
  EXPECT_NE(err.find("HTTP transport module weft-http.so was not found"), std::string::npos) << err;
  EXPECT_NE(err.find(tmp.Join("nowhere/weft-http.so")), std::string::npos) << err;
}

}  // namespace
}  // namespace weft::testing
