// Streamable HTTP client transport: URL parsing, header values, frame
// classification, x-mcp-header bookkeeping and synthesized errors.
#include "mcp/client/http_wire.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/base/base64.h"
#include "mcp/protocol/versions.h"

namespace weft::mcp {
namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && SameHeaderName(s.substr(0, prefix.size()), prefix);
}

// RFC 9110 §5.6.2 tchar.
bool IsTokenChar(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsVisibleAscii(char c) { return c > 0x20 && c < 0x7F; }

Result<int> ParsePort(std::string_view text) {
  if (text.empty() || text.size() > 5 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::InvalidArgument("bad port \"" + std::string(text) + "\"");
  }
  int port = 0;
  for (char c : text) port = port * 10 + (c - '0');
  if (port < 1 || port > 65535) return Status::InvalidArgument("port " + std::string(text) + " is out of range");
  return port;
}

}  // namespace

std::string HttpUrl::SchemeHostPort() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return scheme + "://" + h + ":" + std::to_string(port);
}

std::string HttpUrl::ToString() const { return SchemeHostPort() + path; }

bool LooksLikeHttpUrl(std::string_view text) {
  return StartsWithNoCase(text, "http://") || StartsWithNoCase(text, "https://");
}

Result<HttpUrl> ParseHttpUrl(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("invalid URL \"" + std::string(text) + "\": " + why);
  };
  HttpUrl url;
  size_t sep = text.find("://");
  if (sep == std::string_view::npos || !LooksLikeHttpUrl(text)) return bad("it must start with http:// or https://");
  url.scheme.assign(text.substr(0, sep));
  std::transform(url.scheme.begin(), url.scheme.end(), url.scheme.begin(), Lower);
  std::string_view rest = text.substr(sep + 3);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  size_t auth_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, auth_end);
  std::string_view path = auth_end == std::string_view::npos ? std::string_view() : rest.substr(auth_end);
  if (authority.find('@') != std::string_view::npos) {
    return bad("credentials in the URL are not supported (use --token or --header)");
  }
  std::string_view port_text;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address");
    url.host.assign(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("unexpected text after the IPv6 address");
      port_text = after.substr(1);
      if (port_text.empty()) return bad("empty port");
    }
  } else {
    size_t colon = authority.find(':');
    url.host.assign(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return bad("empty port");
    }
  }
  if (url.host.empty()) return bad("no host");
  if (!std::all_of(url.host.begin(), url.host.end(), [](char c) { return IsVisibleAscii(c) && c != '/'; })) {
    return bad("the host has characters a host name cannot have");
  }
  if (!port_text.empty()) {
    Result<int> port = ParsePort(port_text);
    if (!port.ok()) return bad(port.status().message());
    url.port = *port;
  } else {
    url.port = url.scheme == "https" ? 443 : 80;
  }
  if (!std::all_of(path.begin(), path.end(), IsVisibleAscii)) {
    return bad("the path has spaces or non-ASCII characters (percent-encode them)");
  }
  url.path = path.empty() ? "/" : path[0] == '?' ? "/" + std::string(path) : std::string(path);
  return url;
}

std::string EncodeHeaderValue(std::string_view value) {
  constexpr std::string_view kPrefix = "=?base64?";
  constexpr std::string_view kSuffix = "?=";
  bool plain = std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
  if (plain && !value.empty() && (value.front() == ' ' || value.back() == ' ')) plain = false;
  // A literal value that looks encoded would be decoded by the server.
  if (plain && value.size() >= kPrefix.size() + kSuffix.size() && value.substr(0, kPrefix.size()) == kPrefix &&
      value.substr(value.size() - kSuffix.size()) == kSuffix) {
    plain = false;
  }
  if (plain) return std::string(value);
  return std::string(kPrefix) + Base64Encode(value) + std::string(kSuffix);
}

bool SameHeaderName(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return Lower(x) == Lower(y); });
}

bool IsTransportHeader(std::string_view name) {
  static constexpr std::array<std::string_view, 10> kOwn = {
      "Content-Type", "Content-Length", "Transfer-Encoding", "Connection", "Accept",
      "Mcp-Session-Id", "MCP-Protocol-Version", "Mcp-Method", "Mcp-Name", "Last-Event-ID"};
  if (StartsWithNoCase(name, "Mcp-Param-")) return true;
  return std::any_of(kOwn.begin(), kOwn.end(), [&](std::string_view own) { return SameHeaderName(name, own); });
}

Result<std::pair<std::string, std::string>> ParseHeaderLine(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return Status::InvalidArgument("--header needs \"Name: value\", got \"" + std::string(line) + "\"");
  }
  std::string_view name = line.substr(0, colon);
  std::string_view value = line.substr(colon + 1);
  if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) {
    return Status::InvalidArgument("--header: \"" + std::string(name) + "\" is not a valid header name");
  }
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!value.empty() && is_space(value.front())) value.remove_prefix(1);
  while (!value.empty() && is_space(value.back())) value.remove_suffix(1);
  bool clean = std::all_of(value.begin(), value.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return c == '\t' || (u >= 0x20 && u != 0x7F);
  });
  if (!clean) {
    return Status::InvalidArgument("--header " + std::string(name) + ": the value has control characters");
  }
  return std::make_pair(std::string(name), std::string(value));
}

ClientFrame ClassifyFrame(std::string_view frame) {
  ClientFrame out;
  Json j = Json::parse(frame, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return out;
  auto method = j.find("method");
  auto id = j.find("id");
  bool has_id = id != j.end() && (id->is_number_integer() || id->is_string());
  if (method != j.end() && method->is_string()) {
    out.method = method->get<std::string>();
    out.kind = has_id ? ClientFrame::kRequest : ClientFrame::kNotification;
  } else if (has_id && (j.contains("result") || j.contains("error"))) {
    out.kind = ClientFrame::kResponse;
  } else {
    return out;
  }
  if (has_id) out.id = *id;
  auto params = j.find("params");
  if (params == j.end() || !params->is_object()) return out;
  out.params = *params;
  auto meta = params->find("_meta");
  if (meta != params->end() && meta->is_object()) {
    out.modern_version = StringOr(*meta, meta::kProtocolVersion);
  }
  if (out.method == "tools/call" || out.method == "prompts/get") {
    out.name = StringOr(*params, "name");
  } else if (out.method == "resources/read") {
    out.name = StringOr(*params, "uri");
  }
  return out;
}

void LearnParamHeaders(const Json& tools_list_result, ParamHeaderMap& map) {
  if (!tools_list_result.is_object()) return;
  auto tools = tools_list_result.find("tools");
  if (tools == tools_list_result.end() || !tools->is_array()) return;
  for (const auto& tool : *tools) {
    std::string name = StringOr(tool, "name");
    if (name.empty()) continue;
    std::vector<std::pair<std::string, std::string>> declared;
    auto schema = tool.find("inputSchema");
    if (schema != tool.end() && schema->is_object()) {
      auto props = schema->find("properties");
      if (props != schema->end() && props->is_object()) {
        for (const auto& [param, prop] : props->items()) {
          std::string suffix = StringOr(prop, "x-mcp-header");
          if (!suffix.empty() && std::all_of(suffix.begin(), suffix.end(), IsTokenChar)) {
            declared.emplace_back(param, suffix);
          }
        }
      }
    }
    if (declared.empty()) map.erase(name);
    else map[name] = std::move(declared);
  }
}

std::vector<std::pair<std::string, std::string>> ParamHeadersFor(const ParamHeaderMap& map,
                                                                 const Json& call_params) {
  std::vector<std::pair<std::string, std::string>> out;
  auto tool = map.find(StringOr(call_params, "name"));
  if (tool == map.end()) return out;
  auto args = call_params.find("arguments");
  if (args == call_params.end() || !args->is_object()) return out;
  for (const auto& [param, suffix] : tool->second) {
    auto value = args->find(param);
    if (value == args->end()) continue;
    std::string text;
    if (value->is_string()) text = value->get<std::string>();
    else if (value->is_boolean()) text = value->get<bool>() ? "true" : "false";
    else if (value->is_number()) text = value->dump();
    else continue;  // x-mcp-header applies to primitive parameters only
    out.emplace_back("Mcp-Param-" + suffix, EncodeHeaderValue(text));
  }
  return out;
}

std::string TransportErrorFrame(const Json& id, const std::string& message, const std::string& url,
                                int http_status) {
  Json data = {{"transport", "http"}, {"url", url}};
  if (http_status > 0) data["httpStatus"] = http_status;
  return Message::Error(id, RpcError{kTransportErrorCode, message, std::move(data)}).Serialize();
}

bool IsTransportError(const RpcError& error) {
  return error.code == kTransportErrorCode && error.data.is_object() && StringOr(error.data, "transport") == "http";
}

}  // namespace weft::mcp
