// mcp-inspect's human-readable rendering of MCP results and notifications.
// Every function tolerates malformed input (it is checked separately): what is
// missing or mistyped is shown as empty, never trusted.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace weft::mcp::inspect {

using Json = nlohmann::json;

// The facts `info` shows.
struct HandshakeSummary {
  std::string era;               // "legacy" or "modern"
  std::string protocol_version;  // negotiated or 2026-07-28
  Json server_info;              // Implementation, or null
  Json capabilities;             // ServerCapabilities, or null
  std::string instructions;
  Json supported_versions;  // DiscoverResult.supportedVersions, or null
};

std::string FormatHandshake(const HandshakeSummary& summary);
// As --json prints it for `info`: {era, protocolVersion, serverInfo, capabilities, ...}.
Json HandshakeJson(const HandshakeSummary& summary, const Json& raw_result);

std::string FormatTools(const Json& list_result);
std::string FormatToolResult(const Json& call_result);
std::string FormatResources(const Json& list_result);
std::string FormatResourceContents(const Json& read_result);
std::string FormatTemplates(const Json& list_result);
std::string FormatPrompts(const Json& list_result);
std::string FormatPrompt(const Json& get_result);

// One stderr line for a notifications/progress or notifications/message.
std::string FormatProgress(const Json& params);
std::string FormatLogMessage(const Json& params);

}  // namespace weft::mcp::inspect
