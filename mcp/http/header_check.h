// The 2026-07-28 Streamable HTTP request checks: era detection on the shared
// endpoint, and the envelope and header validation that precedes dispatch
// (reference/mcp.md §1.4 and §2.6; 2026-07-28 basic/transports/streamable-http).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mcp/jsonrpc/message.h"
#include "mcp/registry/tool_registry.h"

namespace weft::mcp {

// Case-insensitive header lookup; nullopt when the header is absent.
using HeaderLookup = std::function<std::optional<std::string>(const std::string& name)>;

// A JSON-RPC error together with the HTTP status that carries it.
struct HttpRpcError {
  int status;
  RpcError error;
};

// Decodes an Mcp-* header value: "=?base64?<base64>?=" (strict alphabet and
// padding) becomes the bytes it encodes; anything else is taken literally.
// nullopt when the base64 form is malformed.
std::optional<std::string> DecodeHeaderValue(std::string_view value);

// Whether a POST without Mcp-Session-Id is a 2026-07-28 request: it carries
// the MCP-Protocol-Version header or a modern `_meta`, unless it has no
// modern `_meta` and the header names a legacy revision.
bool IsModernPost(const Message& msg, const std::optional<std::string>& version_header);

// Validates a modern request or notification in the reference order: version
// header present; `_meta` with protocolVersion and clientCapabilities;
// header equals `_meta`; the version is supported; Mcp-Method equals the
// method; Mcp-Name equals params.name/uri where required; Mcp-Param-* headers
// of the tool's x-mcp-header parameters match the arguments. Every header
// failure is 400 with -32020 (HeaderMismatch).
std::optional<HttpRpcError> CheckModernRequest(const Message& msg, const HeaderLookup& headers,
                                               const ToolRegistry& tools);

// The HTTP status for a 2026-07-28 JSON-RPC error reply: -32601 → 404;
// -32020, -32021, -32022, -32600, -32700 → 400; anything else 200.
int ModernErrorStatus(int code);

}  // namespace weft::mcp
