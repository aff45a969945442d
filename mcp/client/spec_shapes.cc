// Structural checks of MCP object shapes, after the schema.ts of each revision
// (2025-06-18, 2025-11-25, 2026-07-28).
#include "mcp/client/spec_shapes.h"

#include "core/base/json.h"
#include "mcp/jsonrpc/message.h"

#include "core/base/base64.h"

namespace weft::mcp::spec {
namespace {

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kString: return "a string";
    case Kind::kBoolean: return "a boolean";
    case Kind::kNumber: return "a number";
    case Kind::kInteger: return "an integer";
    case Kind::kObject: return "an object";
    case Kind::kArray: return "an array";
  }
  return "a value";
}

bool HasKind(const Json& v, Kind kind) {
  switch (kind) {
    case Kind::kString: return v.is_string();
    case Kind::kBoolean: return v.is_boolean();
    case Kind::kNumber: return v.is_number();
    case Kind::kInteger: return v.is_number_integer();
    case Kind::kObject: return v.is_object();
    case Kind::kArray: return v.is_array();
  }
  return false;
}

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Tool names (2025-11-25 server/tools#tool-names): 1-128 characters from
// [A-Za-z0-9_.-]. A SHOULD, so a warning.
void CheckToolName(Checker& c, const std::string& name, const std::string& pointer) {
  if (name.empty()) {
    c.Error(pointer, "must not be empty");
    return;
  }
  if (name.size() > 128) c.Warn(pointer, "tool names SHOULD be at most 128 characters");
  for (char ch : name) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-' || ch == '.';
    if (!ok) {
      c.Warn(pointer, "tool name " + Quoted(name) +
                          " SHOULD only use the characters A-Z a-z 0-9 _ - .");
      return;
    }
  }
}

void CheckIcons(Checker& c, const Json& obj, const std::string& pointer) {
  const Json* icons = c.Optional(obj, pointer, "icons", Kind::kArray);
  if (!icons) return;
  std::string at = Join(pointer, "icons");
  for (size_t i = 0; i < icons->size(); ++i) {
    const Json& icon = (*icons)[i];
    std::string p = Join(at, i);
    if (!c.Expect(icon, p, Kind::kObject)) continue;
    c.Required(icon, p, "src", Kind::kString);
    c.Optional(icon, p, "mimeType", Kind::kString);
    c.Optional(icon, p, "sizes", Kind::kArray);
    c.OneOf(icon, p, "theme", {"light", "dark"}, false);
  }
}

void CheckBase64(Checker& c, const Json& obj, const std::string& pointer, const char* key) {
  const Json* data = c.Required(obj, pointer, key, Kind::kString);
  if (data && !Base64Decode(data->get<std::string>())) {
    c.Error(Join(pointer, key), "is not valid base64");
  }
}

void CheckMeta(Checker& c, const Json& obj, const std::string& pointer) {
  c.Optional(obj, pointer, "_meta", Kind::kObject);
}

// Fields shared by Resource and ResourceLink.
void CheckResourceFields(Checker& c, const Json& v, const std::string& pointer) {
  c.Required(v, pointer, "uri", Kind::kString);
  c.Required(v, pointer, "name", Kind::kString);
  c.Optional(v, pointer, "title", Kind::kString);
  c.Optional(v, pointer, "description", Kind::kString);
  c.Optional(v, pointer, "mimeType", Kind::kString);
  if (const Json* size = c.Optional(v, pointer, "size", Kind::kNumber); size && *size < 0) {
    c.Error(Join(pointer, "size"), "must not be negative");
  }
  if (const Json* a = c.Optional(v, pointer, "annotations", Kind::kObject)) {
    CheckAnnotations(c, *a, Join(pointer, "annotations"));
  }
  CheckIcons(c, v, pointer);
  CheckMeta(c, v, pointer);
}

}  // namespace

std::string Join(const std::string& pointer, std::string_view key) {
  return pointer + "/" + EscapeJsonPointerToken(key);
}

std::string Join(const std::string& pointer, size_t index) {
  return pointer + "/" + std::to_string(index);
}

void Checker::Error(std::string pointer, std::string message) {
  problems_.push_back({Severity::kError, std::move(pointer), std::move(message)});
}

void Checker::Warn(std::string pointer, std::string message) {
  problems_.push_back({Severity::kWarning, std::move(pointer), std::move(message)});
}

bool Checker::Expect(const Json& value, const std::string& pointer, Kind kind) {
  if (HasKind(value, kind)) return true;
  Error(pointer, "must be " + std::string(KindName(kind)) + ", not " + value.type_name());
  return false;
}

const Json* Checker::Required(const Json& obj, const std::string& pointer, const char* key, Kind kind) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    Error(Join(pointer, key), "is required (" + std::string(KindName(kind)) + ")");
    return nullptr;
  }
  return Expect(*it, Join(pointer, key), kind) ? &*it : nullptr;
}

const Json* Checker::Optional(const Json& obj, const std::string& pointer, const char* key, Kind kind) {
  auto it = obj.find(key);
  if (it == obj.end()) return nullptr;
  return Expect(*it, Join(pointer, key), kind) ? &*it : nullptr;
}

void Checker::OneOf(const Json& obj, const std::string& pointer, const char* key,
                    const std::vector<std::string_view>& allowed, bool required) {
  const Json* v = required ? Required(obj, pointer, key, Kind::kString)
                           : Optional(obj, pointer, key, Kind::kString);
  if (!v) return;
  std::string s = v->get<std::string>();
  std::string options;
  for (auto a : allowed) {
    if (a == s) return;
    options += (options.empty() ? "" : ", ") + Quoted(a);
  }
  Error(Join(pointer, key), Quoted(s) + " is not one of " + options);
}

void CheckImplementation(Checker& c, const Json& v, const std::string& pointer) {
  if (!c.Expect(v, pointer, Kind::kObject)) return;
  c.Required(v, pointer, "name", Kind::kString);
  c.Required(v, pointer, "version", Kind::kString);
  c.Optional(v, pointer, "title", Kind::kString);
  c.Optional(v, pointer, "description", Kind::kString);
  c.Optional(v, pointer, "websiteUrl", Kind::kString);
  CheckIcons(c, v, pointer);
}

void CheckServerCapabilities(Checker& c, const Json& v, const std::string& pointer) {
  if (!c.Expect(v, pointer, Kind::kObject)) return;
  for (const char* key : {"experimental", "logging", "completions", "extensions"}) {
    c.Optional(v, pointer, key, Kind::kObject);
  }
  for (const char* key : {"tools", "prompts", "resources"}) {
    const Json* cap = c.Optional(v, pointer, key, Kind::kObject);
    if (!cap) continue;
    std::string at = Join(pointer, key);
    c.Optional(*cap, at, "listChanged", Kind::kBoolean);
    if (std::string_view(key) == "resources") c.Optional(*cap, at, "subscribe", Kind::kBoolean);
  }
}

void CheckTool(Checker& c, const Json& v, const std::string& pointer) {
  if (!c.Expect(v, pointer, Kind::kObject)) return;
  if (const Json* name = c.Required(v, pointer, "name", Kind::kString)) {
    CheckToolName(c, name->get<std::string>(), Join(pointer, "name"));
  }
  c.Optional(v, pointer, "title", Kind::kString);
  c.Optional(v, pointer, "description", Kind::kString);
  if (const Json* in = c.Required(v, pointer, "inputSchema", Kind::kObject)) {
    auto type = in->find("type");
    if (type == in->end() || *type != "object") {
      c.Error(Join(Join(pointer, "inputSchema"), "type"),
              "must be \"object\": tool arguments are always JSON objects");
    }
  }
  if (const Json* out = c.Optional(v, pointer, "outputSchema", Kind::kObject); out && !c.modern()) {
    // Before 2026-07-28 (SEP-2106) an outputSchema describes an object.
    auto type = out->find("type");
    if (type == out->end() || *type != "object") {
      c.Error(Join(Join(pointer, "outputSchema"), "type"),
              "must be \"object\" in protocol " + c.context().protocol_version);
    }
  }
  if (const Json* a = c.Optional(v, pointer, "annotations", Kind::kObject)) {
    std::string at = Join(pointer, "annotations");
    c.Optional(*a, at, "title", Kind::kString);
    for (const char* hint : {"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"}) {
      c.Optional(*a, at, hint, Kind::kBoolean);
    }
  }
  if (const Json* e = c.Optional(v, pointer, "execution", Kind::kObject)) {
    c.OneOf(*e, Join(pointer, "execution"), "taskSupport", {"forbidden", "optional", "required"}, false);
  }
  CheckIcons(c, v, pointer);
  CheckMeta(c, v, pointer);
}

void CheckAnnotations(Checker& c, const Json& v, const std::string& pointer) {
  if (const Json* audience = c.Optional(v, pointer, "audience", Kind::kArray)) {
    for (size_t i = 0; i < audience->size(); ++i) {
      const Json& role = (*audience)[i];
      if (!role.is_string() || (role != "user" && role != "assistant")) {
        c.Error(Join(Join(pointer, "audience"), i), "must be \"user\" or \"assistant\"");
      }
    }
  }
  if (const Json* p = c.Optional(v, pointer, "priority", Kind::kNumber); p && (*p < 0 || *p > 1)) {
    c.Error(Join(pointer, "priority"), "must be between 0 and 1");
  }
  c.Optional(v, pointer, "lastModified", Kind::kString);
}

void CheckContentBlock(Checker& c, const Json& v, const std::string& pointer) {
  if (!c.Expect(v, pointer, Kind::kObject)) return;
  const Json* type = c.Required(v, pointer, "type", Kind::kString);
  if (!type) return;
  const std::string t = type->get<std::string>();
  if (t == "text") {
    c.Required(v, pointer, "text", Kind::kString);
  } else if (t == "image" || t == "audio") {
    CheckBase64(c, v, pointer, "data");
    c.Required(v, pointer, "mimeType", Kind::kString);
  } else if (t == "resource_link") {
    CheckResourceFields(c, v, pointer);
    return;
  } else if (t == "resource") {
    if (const Json* r = c.Required(v, pointer, "resource", Kind::kObject)) {
      CheckResourceContents(c, *r, Join(pointer, "resource"));
    }
  } else {
    c.Error(Join(pointer, "type"), "unknown content block type " + Quoted(t) +
                                       " (expected text, image, audio, resource_link or resource)");
    return;
  }
  if (const Json* a = c.Optional(v, pointer, "annotations", Kind::kObject)) {
    CheckAnnotations(c, *a, Join(pointer, "annotations"));
  }
  CheckMeta(c, v, pointer);
}

void CheckResource(Checker& c, const Json& v, const std::string& pointer) {
  if (!c.Expect(v, pointer, Kind::kObject)) return;
  CheckResourceFields(c, v, pointer);
}

void CheckResourceTemplate(Checker& c, const Json& v, const std::string& pointer) {
  if (!c.Expect(v, pointer, Kind::kObject)) return;
  c.Required(v, pointer, "uriTemplate", Kind::kString);
  c.Required(v, pointer, "name", Kind::kString);
  c.Optional(v, pointer, "title", Kind::kString);
  c.Optional(v, pointer, "description", Kind::kString);
  c.Optional(v, pointer, "mimeType", Kind::kString);
  if (const Json* a = c.Optional(v, pointer, "annotations", Kind::kObject)) {
    CheckAnnotations(c, *a, Join(pointer, "annotations"));
  }
  CheckIcons(c, v, pointer);
  CheckMeta(c, v, pointer);
}

void CheckResourceContents(Checker& c, const Json& v, const std::string& pointer) {
  if (!c.Expect(v, pointer, Kind::kObject)) return;
  c.Required(v, pointer, "uri", Kind::kString);
  c.Optional(v, pointer, "mimeType", Kind::kString);
  bool has_text = v.contains("text");
  bool has_blob = v.contains("blob");
  if (has_text && has_blob) {
    c.Error(pointer, "has both \"text\" and \"blob\"; resource contents carry exactly one");
  } else if (!has_text && !has_blob) {
    c.Error(pointer, "has neither \"text\" nor \"blob\"; resource contents carry exactly one");
  } else if (has_text) {
    c.Required(v, pointer, "text", Kind::kString);
  } else {
    CheckBase64(c, v, pointer, "blob");
  }
  CheckMeta(c, v, pointer);
}

void CheckPrompt(Checker& c, const Json& v, const std::string& pointer) {
  if (!c.Expect(v, pointer, Kind::kObject)) return;
  c.Required(v, pointer, "name", Kind::kString);
  c.Optional(v, pointer, "title", Kind::kString);
  c.Optional(v, pointer, "description", Kind::kString);
  if (const Json* args = c.Optional(v, pointer, "arguments", Kind::kArray)) {
    std::string at = Join(pointer, "arguments");
    for (size_t i = 0; i < args->size(); ++i) {
      const Json& arg = (*args)[i];
      std::string p = Join(at, i);
      if (!c.Expect(arg, p, Kind::kObject)) continue;
      c.Required(arg, p, "name", Kind::kString);
      c.Optional(arg, p, "title", Kind::kString);
      c.Optional(arg, p, "description", Kind::kString);
      c.Optional(arg, p, "required", Kind::kBoolean);
    }
  }
  CheckIcons(c, v, pointer);
  CheckMeta(c, v, pointer);
}

void CheckPromptMessage(Checker& c, const Json& v, const std::string& pointer) {
  if (!c.Expect(v, pointer, Kind::kObject)) return;
  c.OneOf(v, pointer, "role", {"user", "assistant"}, true);
  if (const Json* content = c.Required(v, pointer, "content", Kind::kObject)) {
    CheckContentBlock(c, *content, Join(pointer, "content"));
  }
}

}  // namespace weft::mcp::spec
