// Modern-era envelope and header validation for Streamable HTTP.
#include "mcp/http/header_check.h"

#include "core/base/base64.h"
#include "mcp/protocol/versions.h"

namespace weft::mcp {
namespace {

HttpRpcError Mismatch(std::string message) {
  return {400, RpcError{rpc::kHeaderMismatch, "Header mismatch: " + std::move(message), nullptr}};
}

const Json* ModernMeta(const Message& msg) {
  if (!msg.has_params() || !msg.params.is_object()) return nullptr;
  auto it = msg.params.find("_meta");
  if (it == msg.params.end() || !it->is_object()) return nullptr;
  return &*it;
}

// Compares a decoded header value with a body value: strings exactly,
// numbers numerically, booleans as true/false.
bool SameValue(const std::string& header, const Json& body) {
  if (body.is_string()) return header == body.get<std::string>();
  if (body.is_boolean()) return header == (body.get<bool>() ? "true" : "false");
  if (body.is_number()) {
    Json parsed = Json::parse(header, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_number()) return false;
    if (body.is_number_integer() && parsed.is_number_integer()) {
      return body.get<int64_t>() == parsed.get<int64_t>();
    }
    return body.get<double>() == parsed.get<double>();
  }
  return false;
}

std::optional<HttpRpcError> CheckParamHeaders(const Message& msg, const HeaderLookup& headers,
                                              const ToolRegistry& tools) {
  auto tool = tools.Find(StringOr(msg.params, "name"));
  if (!tool) return std::nullopt;  // the session answers "unknown tool"
  const Json& schema = tool->descriptor["inputSchema"];
  auto props = schema.find("properties");
  if (props == schema.end() || !props->is_object()) return std::nullopt;
  const Json empty = Json::object();
  auto args_it = msg.params.find("arguments");
  const Json& args = args_it != msg.params.end() && args_it->is_object() ? *args_it : empty;
  for (const auto& [param, prop] : props->items()) {
    if (!prop.is_object()) continue;
    auto header_name = prop.find("x-mcp-header");
    if (header_name == prop.end() || !header_name->is_string()) continue;
    std::string header = "Mcp-Param-" + header_name->get<std::string>();
    std::optional<std::string> raw = headers(header);
    auto value = args.find(param);
    if (value == args.end() || value->is_null()) {
      if (raw) return Mismatch(header + " is set but argument \"" + param + "\" is absent");
      continue;
    }
    if (!raw) return Mismatch("argument \"" + param + "\" needs the " + header + " header");
    std::optional<std::string> decoded = DecodeHeaderValue(*raw);
    if (!decoded) return Mismatch(header + " has a malformed =?base64?…?= value");
    if (!SameValue(*decoded, *value)) {
      return Mismatch(header + " does not match argument \"" + param + "\"");
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> DecodeHeaderValue(std::string_view value) {
  constexpr std::string_view kPrefix = "=?base64?";
  constexpr std::string_view kSuffix = "?=";
  if (value.size() < kPrefix.size() + kSuffix.size() || value.substr(0, kPrefix.size()) != kPrefix ||
      value.substr(value.size() - kSuffix.size()) != kSuffix) {
    return std::string(value);
  }
  return Base64Decode(value.substr(kPrefix.size(), value.size() - kPrefix.size() - kSuffix.size()));
}

bool IsModernPost(const Message& msg, const std::optional<std::string>& version_header) {
  const Json* meta = ModernMeta(msg);
  bool modern_meta = meta != nullptr && meta->contains(meta::kProtocolVersion);
  if (!version_header && !modern_meta) return false;
  if (!modern_meta && version_header && IsSupportedLegacyVersion(*version_header)) return false;
  return true;
}

std::optional<HttpRpcError> CheckModernRequest(const Message& msg, const HeaderLookup& headers,
                                               const ToolRegistry& tools) {
  std::optional<std::string> version = headers("MCP-Protocol-Version");
  if (!version) return Mismatch("the MCP-Protocol-Version header is required");
  const Json* meta = ModernMeta(msg);
  auto meta_version = meta ? meta->find(meta::kProtocolVersion) : Json::const_iterator();
  if (meta == nullptr || meta_version == meta->end() || !meta_version->is_string()) {
    return HttpRpcError{400, RpcError{rpc::kInvalidParams,
                                      std::string("Invalid params: params._meta needs a string \"") +
                                          meta::kProtocolVersion + "\" in protocol " +
                                          std::string(kModernVersion),
                                      nullptr}};
  }
  auto caps = meta->find(meta::kClientCapabilities);
  if (caps == meta->end() || !caps->is_object()) {
    return HttpRpcError{400, RpcError{rpc::kInvalidParams,
                                      std::string("Invalid params: params._meta needs an object \"") +
                                          meta::kClientCapabilities + "\"",
                                      nullptr}};
  }
  if (*version != meta_version->get<std::string>()) {
    return Mismatch("MCP-Protocol-Version " + *version + " differs from params._meta protocolVersion " +
                    meta_version->get<std::string>());
  }
  if (*version != kModernVersion) {
    return HttpRpcError{400, RpcError{rpc::kUnsupportedVersion, "Unsupported protocol version",
                                      Json{{"supported", Json::array({std::string(kModernVersion)})},
                                           {"requested", *version}}}};
  }
  std::optional<std::string> method = headers("Mcp-Method");
  if (!method) return Mismatch("the Mcp-Method header is required");
  std::optional<std::string> decoded_method = DecodeHeaderValue(*method);
  if (!decoded_method || *decoded_method != msg.method) {
    return Mismatch("Mcp-Method " + *method + " does not match the body's method " + msg.method);
  }
  const char* name_field = msg.method == "tools/call" || msg.method == "prompts/get" ? "name"
                           : msg.method == "resources/read"                          ? "uri"
                                                                                     : nullptr;
  if (name_field != nullptr) {
    std::optional<std::string> name = headers("Mcp-Name");
    if (!name) return Mismatch("the Mcp-Name header is required for " + msg.method);
    std::optional<std::string> decoded = DecodeHeaderValue(*name);
    if (!decoded) return Mismatch("Mcp-Name has a malformed =?base64?…?= value");
    if (*decoded != StringOr(msg.params, name_field)) {
      return Mismatch(std::string("Mcp-Name does not match params.") + name_field);
    }
  }
  if (msg.method == "tools/call") return CheckParamHeaders(msg, headers, tools);
  return std::nullopt;
}

int ModernErrorStatus(int code) {
  switch (code) {
    case rpc::kMethodNotFound: return 404;
    case rpc::kHeaderMismatch:
    case rpc::kMissingClientCapability:
    case rpc::kUnsupportedVersion:
    case rpc::kInvalidRequest:
    case rpc::kParseError: return 400;
    default: return 200;
  }
}

}  // namespace weft::mcp
