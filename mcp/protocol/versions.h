// MCP protocol revisions this server speaks, and version negotiation.
#pragma once

#include <array>
#include <string_view>

namespace weft::mcp {

// The modern (stateless, per-request _meta) revision.
inline constexpr std::string_view kModernVersion = "2026-07-28";
// Legacy (initialize-handshake) revisions, newest first.
inline constexpr std::array<std::string_view, 4> kLegacyVersions = {
    "2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};
inline constexpr std::string_view kLatestLegacyVersion = kLegacyVersions[0];

enum class Era { kLegacy, kModern };

bool IsSupportedLegacyVersion(std::string_view v);
// Legacy negotiation (2025-11-25 basic/lifecycle): echo a supported client
// version, otherwise answer our newest legacy version.
std::string_view NegotiateLegacyVersion(std::string_view requested);
// JSON-RPC batches were allowed only in 2025-03-26 (and tolerated before);
// from 2025-06-18 on they are refused.
bool AllowsBatches(std::string_view negotiated_version);

// Keys of the reserved _meta namespace (2026-07-28 basic/index#_meta).
namespace meta {
inline constexpr const char* kProtocolVersion = "io.modelcontextprotocol/protocolVersion";
inline constexpr const char* kClientCapabilities = "io.modelcontextprotocol/clientCapabilities";
inline constexpr const char* kClientInfo = "io.modelcontextprotocol/clientInfo";
inline constexpr const char* kLogLevel = "io.modelcontextprotocol/logLevel";
inline constexpr const char* kServerInfo = "io.modelcontextprotocol/serverInfo";
inline constexpr const char* kSubscriptionId = "io.modelcontextprotocol/subscriptionId";
}  // namespace meta

}  // namespace weft::mcp
