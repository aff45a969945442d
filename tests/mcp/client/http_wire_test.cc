// The socket-free parts of the HTTP client transport: URLs, header values,
// frame classification, x-mcp-header declarations, synthesized errors.
#include "mcp/client/http_wire.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/base/base64.h"

namespace weft::mcp {
namespace {

using ::testing::HasSubstr;

TEST(HttpWire, ParsesEndpointUrls) {
  Result<HttpUrl> plain = ParseHttpUrl("http://127.0.0.1:8080/mcp");
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(plain->scheme, "http");
  EXPECT_EQ(plain->host, "127.0.0.1");
  EXPECT_EQ(plain->port, 8080);
  EXPECT_EQ(plain->path, "/mcp");
  EXPECT_EQ(plain->SchemeHostPort(), "http://127.0.0.1:8080");

  Result<HttpUrl> v6 = ParseHttpUrl("HTTPS://[::1]/mcp?x=1#frag");
  ASSERT_TRUE(v6.ok()) << v6.status();
  EXPECT_EQ(v6->scheme, "https");
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 443);
  EXPECT_EQ(v6->path, "/mcp?x=1");
  EXPECT_EQ(v6->ToString(), "https://[::1]:443/mcp?x=1");

  EXPECT_EQ(ParseHttpUrl("http://example.com").value().path, "/");
  EXPECT_EQ(ParseHttpUrl("http://example.com?q").value().path, "/?q");
  EXPECT_TRUE(LooksLikeHttpUrl("Http://x"));
  EXPECT_FALSE(LooksLikeHttpUrl("ftp://x"));
  for (const char* bad : {"ftp://h/", "http://", "http://[::1/", "http://h:0/", "http://h:x/", "http://a@h/",
                          "http://h/a b", "http://[::1]x/"}) {
    EXPECT_FALSE(ParseHttpUrl(bad).ok()) << bad;
  }
}

TEST(HttpWire, EncodesHeaderValuesThatAreNotPlainAscii) {
  EXPECT_EQ(EncodeHeaderValue("tools/call"), "tools/call");
  EXPECT_EQ(EncodeHeaderValue("a b"), "a b");
  EXPECT_EQ(EncodeHeaderValue(""), "");
  EXPECT_EQ(EncodeHeaderValue("naïve"), "=?base64?" + Base64Encode("naïve") + "?=");
  EXPECT_EQ(EncodeHeaderValue(" lead"), "=?base64?IGxlYWQ=?=");
  EXPECT_EQ(EncodeHeaderValue("trail "), "=?base64?dHJhaWwg?=");
  EXPECT_EQ(EncodeHeaderValue("tab\tin"), "=?base64?" + Base64Encode("tab\tin") + "?=");
  // A literal value in the encoded form would be decoded by the server.
  EXPECT_EQ(EncodeHeaderValue("=?base64?eA==?="), "=?base64?" + Base64Encode("=?base64?eA==?=") + "?=");
}

TEST(HttpWire, ParsesUserHeaders) {
  auto h = ParseHeaderLine("X-Api-Key:   abc def  ");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->first, "X-Api-Key");
  EXPECT_EQ(h->second, "abc def");
  EXPECT_FALSE(ParseHeaderLine("no colon").ok());
  EXPECT_FALSE(ParseHeaderLine(": value").ok());
  EXPECT_FALSE(ParseHeaderLine("X-A: a\r\nX-B: b").ok());
  EXPECT_TRUE(IsTransportHeader("mcp-session-id"));
  EXPECT_TRUE(IsTransportHeader("Mcp-Param-Region"));
  EXPECT_TRUE(IsTransportHeader("ACCEPT"));
  EXPECT_FALSE(IsTransportHeader("Authorization"));
  EXPECT_FALSE(IsTransportHeader("Origin"));
}

TEST(HttpWire, ClassifiesClientFrames) {
  ClientFrame modern = ClassifyFrame(
      R"({"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"file:///a","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}})");
  EXPECT_EQ(modern.kind, ClientFrame::kRequest);
  EXPECT_EQ(modern.id, 3);
  EXPECT_EQ(modern.method, "resources/read");
  EXPECT_EQ(modern.modern_version, "2026-07-28");
  EXPECT_EQ(modern.name, "file:///a");

  ClientFrame legacy = ClassifyFrame(R"({"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"t"}})");
  EXPECT_EQ(legacy.kind, ClientFrame::kRequest);
  EXPECT_EQ(legacy.modern_version, "");
  EXPECT_EQ(legacy.name, "t");
  EXPECT_EQ(ClassifyFrame(R"({"jsonrpc":"2.0","method":"notifications/initialized"})").kind,
            ClientFrame::kNotification);
  EXPECT_EQ(ClassifyFrame(R"({"jsonrpc":"2.0","id":1,"result":{}})").kind, ClientFrame::kResponse);
  EXPECT_FALSE(ClassifyFrame(R"({"jsonrpc":"2.0","method":"tools/list"})").name.has_value());
  EXPECT_EQ(ClassifyFrame("not json").kind, ClientFrame::kInvalid);
  EXPECT_EQ(ClassifyFrame(R"({"jsonrpc":"2.0","id":1})").kind, ClientFrame::kInvalid);
}

TEST(HttpWire, ParamHeadersFollowTheToolsDeclarations) {
  ParamHeaderMap map;
  LearnParamHeaders(Json::parse(R"({"tools":[
      {"name":"geo","inputSchema":{"type":"object","properties":{
        "region":{"type":"string","x-mcp-header":"Region"},
        "zoom":{"type":"integer","x-mcp-header":"Zoom"},
        "exact":{"type":"boolean","x-mcp-header":"Exact"},
        "plain":{"type":"string"}}}},
      {"name":"other","inputSchema":{"type":"object"}}]})"),
                    map);
  ASSERT_EQ(map.count("geo"), 1u);
  EXPECT_EQ(map.count("other"), 0u);
  auto headers = ParamHeadersFor(
      map, Json::parse(R"({"name":"geo","arguments":{"region":"zürich","zoom":3,"exact":true,"plain":"x"}})"));
  using Header = std::pair<std::string, std::string>;
  EXPECT_THAT(headers, ::testing::UnorderedElementsAre(Header{"Mcp-Param-Region", EncodeHeaderValue("zürich")},
                                                       Header{"Mcp-Param-Zoom", "3"},
                                                       Header{"Mcp-Param-Exact", "true"}));
  EXPECT_TRUE(ParamHeadersFor(map, Json::parse(R"({"name":"geo"})")).empty());
  EXPECT_TRUE(ParamHeadersFor(map, Json::parse(R"({"name":"unknown","arguments":{"region":"x"}})")).empty());
}

TEST(HttpWire, TransportErrorsAreRecognisable) {
  Json frame = Json::parse(TransportErrorFrame(4, "cannot connect", "http://h:1/mcp", 0));
  EXPECT_EQ(frame["id"], 4);
  EXPECT_EQ(frame["error"]["code"], kTransportErrorCode);
  EXPECT_FALSE(frame["error"]["data"].contains("httpStatus"));
  RpcError made{frame["error"]["code"], frame["error"]["message"], frame["error"]["data"]};
  EXPECT_TRUE(IsTransportError(made));
  EXPECT_THAT(made.message, HasSubstr("cannot connect"));
  Json with_status = Json::parse(TransportErrorFrame("x", "denied", "http://h:1/mcp", 403));
  EXPECT_EQ(with_status["error"]["data"]["httpStatus"], 403);
  // The same code from a server is the server's own error.
  EXPECT_FALSE(IsTransportError(RpcError{kTransportErrorCode, "Bad Request: no session", nullptr}));
}

}  // namespace
}  // namespace weft::mcp
