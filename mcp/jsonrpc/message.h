// JSON-RPC 2.0 messages: the four kinds, a non-throwing decoder and an encoder.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/json.h"

namespace weft::mcp {

using Json = nlohmann::json;

// Error codes (JSON-RPC 2.0 and MCP; reference/mcp.md §1.9).
namespace rpc {
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kResourceNotFoundLegacy = -32002;   // <= 2025-11-25 only
inline constexpr int kHeaderMismatch = -32020;           // 2026-07-28, HTTP
inline constexpr int kMissingClientCapability = -32021;  // 2026-07-28
inline constexpr int kUnsupportedVersion = -32022;       // 2026-07-28
}  // namespace rpc

// The error object of an error response.
struct RpcError {
  int code = 0;
  std::string message;
  Json data;  // null when absent

  Json ToJson() const;
};

enum class MessageKind { kRequest, kNotification, kResponse, kError };

// One JSON-RPC message. `id` is an integer or a string (null only on an error
// response to a message whose id could not be read).
struct Message {
  MessageKind kind = MessageKind::kNotification;
  Json id;             // requests, responses, errors
  std::string method;  // requests, notifications
  Json params;         // requests, notifications; discarded value when absent
  Json result;         // responses
  // Responses: members of `result` already written as JSON text, spliced in
  // by Serialize (ToolResult::structured_json on its way out); none of their
  // keys is in `result`.
  std::vector<JsonTextMember> result_text;
  RpcError error;      // errors

  bool has_params() const { return !params.is_discarded(); }

  static Message Request(Json id, std::string method, Json params);
  static Message Notification(std::string method, Json params);
  static Message Response(Json id, Json result, std::vector<JsonTextMember> result_text = {});
  static Message Error(Json id, RpcError error);

  // The message as one value (result_text parsed into the result).
  Json ToJson() const;
  // Compact single-line JSON (no embedded newlines: safe for stdio framing).
  std::string Serialize() const;
};

// Limits applied while decoding untrusted input.
struct DecodeLimits {
  size_t max_depth = 64;  // arrays and objects nested deeper are refused
};

// A frame that failed to decode: the error reply to send (id when it could be read).
struct DecodeFailure {
  Message reply;
};

using DecodeOutcome = std::variant<Message, std::vector<Json>, DecodeFailure>;

// Decodes one frame: a message, a batch (JSON array, elements not yet
// classified: use DecodeValue on each), or the error reply to send back.
// Never throws.
DecodeOutcome Decode(std::string_view frame, const DecodeLimits& limits = {});

// Classifies an already-parsed value as one message (used for batch elements).
std::variant<Message, DecodeFailure> DecodeValue(Json value);

// Serialises a JSON value for the wire: compact, invalid UTF-8 replaced.
std::string SerializeJson(const Json& value);

// Non-throwing field access for untrusted JSON: the member `key` of `obj` if
// `obj` is an object and the member has that type, otherwise `fallback`.
std::string StringOr(const Json& obj, const char* key, std::string fallback = {});
bool BoolOr(const Json& obj, const char* key, bool fallback);

}  // namespace weft::mcp
