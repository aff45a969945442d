// JSON-RPC 2.0 decoding and encoding. The only place frames become Messages.
#include "mcp/jsonrpc/message.h"

#include "core/base/json.h"

namespace weft::mcp {
namespace {

bool IsValidId(const Json& id) { return id.is_string() || id.is_number_integer(); }

DecodeFailure Fail(Json id, int code, std::string message) {
  return DecodeFailure{Message::Error(std::move(id), RpcError{code, std::move(message), nullptr})};
}

}  // namespace

Json RpcError::ToJson() const {
  Json j = {{"code", code}, {"message", message}};
  if (!data.is_null() && !data.is_discarded()) j["data"] = data;
  return j;
}

Message Message::Request(Json id, std::string method, Json params) {
  Message m;
  m.kind = MessageKind::kRequest;
  m.id = std::move(id);
  m.method = std::move(method);
  m.params = std::move(params);
  return m;
}

Message Message::Notification(std::string method, Json params) {
  Message m;
  m.kind = MessageKind::kNotification;
  m.method = std::move(method);
  m.params = std::move(params);
  return m;
}

Message Message::Response(Json id, Json result, std::vector<JsonTextMember> result_text) {
  Message m;
  m.kind = MessageKind::kResponse;
  m.id = std::move(id);
  m.result = std::move(result);
  m.result_text = std::move(result_text);
  return m;
}

Message Message::Error(Json id, RpcError error) {
  Message m;
  m.kind = MessageKind::kError;
  m.id = std::move(id);
  m.error = std::move(error);
  return m;
}

Json Message::ToJson() const {
  Json j = {{"jsonrpc", "2.0"}};
  switch (kind) {
    case MessageKind::kRequest:
      j["id"] = id;
      j["method"] = method;
      if (has_params() && !params.is_null()) j["params"] = params;
      break;
    case MessageKind::kNotification:
      j["method"] = method;
      if (has_params() && !params.is_null()) j["params"] = params;
      break;
    case MessageKind::kResponse:
      j["id"] = id;
      j["result"] = result_text.empty() ? result : MergeJsonTextMembers(result, result_text);
      break;
    case MessageKind::kError:
      j["id"] = id;
      j["error"] = error.ToJson();
      break;
  }
  return j;
}

std::string SerializeJson(const Json& value) { return DumpJson(value); }

// What SerializeJson(ToJson()) gives, members in the same (sorted) order,
// without first copying the params or result into a new object.
std::string Message::Serialize() const {
  std::string out;
  // Spliced members are most of a large reply: room for them up front
  // spares copying them again as the string grows.
  size_t spliced = 0;
  for (const JsonTextMember& m : result_text) spliced += m.key.size() + m.json.size() + 4;
  if (spliced > 0) out.reserve(spliced + 4096);
  auto id_member = [&] {
    out += "\"id\":";
    AppendJson(id, &out);
  };
  auto method_and_params = [&] {
    out += ",\"method\":";
    AppendJsonString(method, &out);
    if (has_params() && !params.is_null()) {
      out += ",\"params\":";
      AppendJson(params, &out);
    }
  };
  constexpr const char* kVersion = "\"jsonrpc\":\"2.0\"";
  out += '{';
  switch (kind) {
    case MessageKind::kRequest:
      id_member();
      out += ',';
      out += kVersion;
      method_and_params();
      break;
    case MessageKind::kNotification:
      out += kVersion;
      method_and_params();
      break;
    case MessageKind::kResponse:
      id_member();
      out += ',';
      out += kVersion;
      out += ",\"result\":";
      if (result_text.empty()) AppendJson(result, &out);
      else AppendJsonObject(result, result_text, &out);
      break;
    case MessageKind::kError:
      out += "\"error\":";
      AppendJson(error.ToJson(), &out);
      out += ',';
      id_member();
      out += ',';
      out += kVersion;
      break;
  }
  out += '}';
  return out;
}

std::string StringOr(const Json& obj, const char* key, std::string fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : fallback;
}

bool BoolOr(const Json& obj, const char* key, bool fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::variant<Message, DecodeFailure> DecodeValue(Json value) {
  if (!value.is_object()) {
    return Fail(nullptr, rpc::kInvalidRequest, "Invalid Request: a message must be a JSON object");
  }
  Json id = nullptr;
  auto id_it = value.find("id");
  bool has_id = id_it != value.end();
  if (has_id && IsValidId(*id_it)) id = *id_it;

  auto version = value.find("jsonrpc");
  if (version == value.end() || *version != "2.0") {
    return Fail(id, rpc::kInvalidRequest, "Invalid Request: \"jsonrpc\" must be \"2.0\"");
  }
  if (has_id && !IsValidId(*id_it)) {
    return Fail(nullptr, rpc::kInvalidRequest,
                "Invalid Request: \"id\" must be a string or an integer");
  }

  auto method = value.find("method");
  if (method != value.end()) {
    if (!method->is_string()) {
      return Fail(id, rpc::kInvalidRequest, "Invalid Request: \"method\" must be a string");
    }
    Json params(Json::value_t::discarded);
    auto p = value.find("params");
    if (p != value.end()) {
      if (!p->is_object() && !p->is_array()) {
        return Fail(id, rpc::kInvalidRequest,
                    "Invalid Request: \"params\" must be an object or an array");
      }
      params = std::move(*p);
    }
    Message m = has_id ? Message::Request(id, method->get<std::string>(), std::move(params))
                       : Message::Notification(method->get<std::string>(), std::move(params));
    return m;
  }

  auto result = value.find("result");
  auto error = value.find("error");
  if (!has_id) {
    return Fail(nullptr, rpc::kInvalidRequest,
                "Invalid Request: a message needs \"method\", or \"id\" with \"result\" or \"error\"");
  }
  if (result != value.end() && error == value.end()) {
    return Message::Response(id, std::move(*result));
  }
  if (error != value.end() && result == value.end()) {
    if (!error->is_object() || !error->contains("code") || !(*error)["code"].is_number_integer() ||
        !error->contains("message") || !(*error)["message"].is_string()) {
      return Fail(id, rpc::kInvalidRequest,
                  "Invalid Request: \"error\" must be an object with integer \"code\" and string \"message\"");
    }
    RpcError e{(*error)["code"].get<int>(), (*error)["message"].get<std::string>(),
               error->contains("data") ? (*error)["data"] : Json(nullptr)};
    return Message::Error(id, std::move(e));
  }
  return Fail(id, rpc::kInvalidRequest,
              "Invalid Request: a response carries exactly one of \"result\" and \"error\"");
}

DecodeOutcome Decode(std::string_view frame, const DecodeLimits& limits) {
  if (JsonNestingDepth(frame, limits.max_depth) > limits.max_depth) {
    return Fail(nullptr, rpc::kInvalidRequest,
                "Invalid Request: JSON nested deeper than " + std::to_string(limits.max_depth) +
                    " levels");
  }
  Json value = Json::parse(frame, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    // Parse again on this (rare) path only to learn why: the adapter that calls
    // nlohmann is where its exceptions are caught (CONVENTIONS.md).
    std::string why = "not valid JSON";
    try {
      Json ignored = Json::parse(frame);
      (void)ignored;
    } catch (const Json::exception& e) {
      why = e.what();
    }
    return Fail(nullptr, rpc::kParseError, "Parse error: " + why);
  }
  if (value.is_array()) {
    if (value.empty()) return Fail(nullptr, rpc::kInvalidRequest, "Invalid Request: empty batch");
    return value.get<std::vector<Json>>();
  }
  auto decoded = DecodeValue(std::move(value));
  if (auto* m = std::get_if<Message>(&decoded)) return std::move(*m);
  return std::get<DecodeFailure>(std::move(decoded));
}

}  // namespace weft::mcp
