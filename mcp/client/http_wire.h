// The socket-free parts of the Streamable HTTP client transport: the endpoint
// URL, header values (2026-07-28 basic/transports/streamable-http), what a
// client frame says about how to send it, and the errors the transport
// makes up when HTTP fails without a JSON-RPC answer.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/result.h"
#include "mcp/jsonrpc/message.h"

namespace weft::mcp {

// An http:// or https:// endpoint. Userinfo and fragments are refused.
struct HttpUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // as written, without the brackets of an IPv6 literal
  int port = 0;        // the explicit port, or 80/443
  std::string path;    // "/mcp" (with any query); "/" when the URL has none

  // "http://127.0.0.1:8080" — what httplib::Client takes.
  std::string SchemeHostPort() const;
  std::string ToString() const;
};

// True when `text` starts with http:// or https:// (any case).
bool LooksLikeHttpUrl(std::string_view text);
Result<HttpUrl> ParseHttpUrl(std::string_view text);

// A header value as an Mcp-* header carries it: as is when every byte is in
// 0x20–0x7E with no leading or trailing space or tab, otherwise (or when it
// would read as the encoded form) "=?base64?<base64 of the bytes>?=".
std::string EncodeHeaderValue(std::string_view value);

// Parses "Name: value" (a user's extra header). The name must be an RFC 9110
// token; the value has its surrounding whitespace trimmed and may not contain
// control characters.
Result<std::pair<std::string, std::string>> ParseHeaderLine(std::string_view line);
// Headers the transport sets itself (Content-Type, Accept, the Mcp-* family,
// Last-Event-ID, framing headers), which a user may not override.
bool IsTransportHeader(std::string_view name);
// Case-insensitive ASCII comparison of header names.
bool SameHeaderName(std::string_view a, std::string_view b);

// What the transport needs to know about one frame the client sends.
struct ClientFrame {
  enum Kind { kRequest, kNotification, kResponse, kInvalid };
  Kind kind = kInvalid;
  Json id;                     // requests and responses
  std::string method;          // requests and notifications
  std::string modern_version;  // params._meta's protocolVersion: sent in the 2026-07-28 era
  std::optional<std::string> name;  // Mcp-Name: params.name or params.uri where required
  Json params;                 // null when absent
};
ClientFrame ClassifyFrame(std::string_view frame);

// The x-mcp-header declarations of tools: tool name → (argument, header
// suffix) pairs, so that a tools/call can carry Mcp-Param-<suffix> headers.
using ParamHeaderMap = std::map<std::string, std::vector<std::pair<std::string, std::string>>>;
// Adds the declarations found in a tools/list result to `map`.
void LearnParamHeaders(const Json& tools_list_result, ParamHeaderMap& map);
// The Mcp-Param-* headers (name, encoded value) for a tools/call's params.
std::vector<std::pair<std::string, std::string>> ParamHeadersFor(const ParamHeaderMap& map,
                                                                 const Json& call_params);

// JSON-RPC error code of the errors the transport makes up (the JSON-RPC
// "server error" range; the TypeScript SDK uses it for a lost connection).
// They never go on the wire; their data names the transport.
inline constexpr int kTransportErrorCode = -32000;
// An error response to `id`: {"code":-32000, "message": message,
// "data":{"transport":"http","url":…,"httpStatus":N (0: none)}}.
std::string TransportErrorFrame(const Json& id, const std::string& message, const std::string& url,
                                int http_status);
// True for an error made by TransportErrorFrame.
bool IsTransportError(const RpcError& error);

}  // namespace weft::mcp
