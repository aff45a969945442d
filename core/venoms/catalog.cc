// Catalog renderings of the venom registry.
#include "core/venoms/catalog.h"

#include <vector>

#include "core/base/strings.h"

namespace weft::venoms {
namespace {

Json AnnotationsJson(const Annotations& a) {
  return {{"read_only", a.read_only}, {"destructive", a.destructive}, {"idempotent", a.idempotent},
          {"open_world", a.open_world}};
}

std::string Hints(const OpSpec& spec) {
  const Annotations& a = spec.annotations;
  std::string out = a.read_only ? "read-only" : (a.destructive ? "changes files, destructive" : "changes files");
  if (a.idempotent) out += " · idempotent";
  if (a.open_world) out += " · open world";
  out = StrCat({out, " · right `", RightName(spec.right), "`"});
  // The paths a grant must cover (docs/grants.md).
  std::string uses;
  for (const PathUse& use : spec.paths) {
    std::string what = use.access == PathAccess::kWrite ? "writes " : "reads ";
    if (use.arg.empty()) {
      what += use.fallback == "/" ? "the whole workspace" : StrCat({"`", use.fallback, "`"});
    } else {
      what += StrCat({"`", use.arg, "`"});
      if (!use.fallback.empty()) what += StrCat({" (default `", use.fallback, "`)"});
    }
    uses += StrCat({uses.empty() ? "" : ", ", what});
  }
  if (!uses.empty()) out += StrCat({" · grants: ", uses});
  return out;
}

// "string", "integer ≥ 1", "array of string", "\"a\" | \"b\"", …
std::string TypeText(const Json& schema) {
  if (!schema.is_object()) return "any";
  if (auto e = schema.find("enum"); e != schema.end() && e->is_array()) {
    std::string out;
    for (const Json& v : *e) out += StrCat({out.empty() ? "" : " \\| ", "`", v.dump(), "`"});
    return out;
  }
  std::string type;
  if (auto t = schema.find("type"); t != schema.end()) {
    if (t->is_string()) {
      type = t->get<std::string>();
    } else if (t->is_array()) {
      for (const Json& v : *t) type += StrCat({type.empty() ? "" : " or ", v.is_string() ? v.get<std::string>() : ""});
    }
  } else if (schema.contains("anyOf") || schema.contains("oneOf")) {
    type = "one of several shapes";
  } else {
    type = "any";
  }
  if (type == "array") {
    if (auto items = schema.find("items"); items != schema.end()) type = StrCat({"array of ", TypeText(*items)});
  }
  return type;
}

// Keeps a description on one table row.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  std::string out;
  for (char c : text) {
    if (c == '|') out += "\\|";
    else out += c;
  }
  return out;
}

std::string PropertyTable(const Json& schema, bool with_required) {
  auto props = schema.find("properties");
  if (props == schema.end() || !props->is_object() || props->empty()) return "None.\n";
  std::vector<std::string> required;
  if (auto r = schema.find("required"); r != schema.end() && r->is_array()) {
    for (const Json& v : *r) required.push_back(v.get<std::string>());
  }
  std::string out = with_required ? "| name | type | required | description |\n|---|---|---|---|\n"
                                  : "| field | type | description |\n|---|---|---|\n";
  for (const auto& [name, prop] : props->items()) {
    bool is_required = std::find(required.begin(), required.end(), name) != required.end();
    std::string description = prop.is_object() ? prop.value("description", "") : "";
    out += StrCat({"| `", name, "` | ", TypeText(prop), " | "});
    if (with_required) out += is_required ? "yes | " : "no | ";
    out += StrCat({OneLine(description), " |\n"});
  }
  return out;
}

}  // namespace

Json CatalogJson(const Registry& registry) {
  Json venoms = Json::array();
  for (const auto& op : registry.ops()) {
    const OpSpec& s = op->spec;
    if (venoms.empty() || venoms.back()["name"] != s.venom) venoms.push_back({{"name", s.venom}, {"ops", Json::array()}});
    venoms.back()["ops"].push_back({{"op", s.op},
                                    {"tool", op->name},
                                    {"title", s.title},
                                    {"description", s.description},
                                    {"right", std::string(RightName(s.right))},
                                    {"annotations", AnnotationsJson(s.annotations)},
                                    {"input_schema", op->input->document()},
                                    {"output_schema", op->output->document()}});
  }
  return {{"venoms", std::move(venoms)}};
}

std::string ToolsMarkdown(const Registry& registry) {
  std::string out =
      "# Tools\n\n"
      "<!-- Generated from the venom registry by tests/core/venoms/catalog_test.cc; do not edit.\n"
      "     Regenerate: WEFT_UPDATE_DOCS=1 build/tests/core/weft_core_venoms_builtin_test -->\n\n"
      "Every capability weft offers is a venom op, declared once in the venom registry "
      "(`core/venoms`). Over MCP each op is the tool `<venom>_<op>`; its input and output schemas "
      "are the files `schemas/<venom>/<op>.input.json` and `.output.json`. Every tool returns "
      "readable text in `content` and the typed result in `structuredContent`. Paths are "
      "workspace paths: they start at the workspace root `/` (a relative path means the same), "
      "and nothing outside the workspace's binds is reachable.\n\n";
  std::string venom;
  for (const auto& op : registry.ops()) {
    const OpSpec& s = op->spec;
    if (s.venom != venom) {
      venom = s.venom;
      out += StrCat({"## ", venom, "\n\n"});
    }
    out += StrCat({"### `", op->name, "` — ", s.title, "\n\n*", Hints(s), "*\n\n", s.description, "\n\n"});
    out += StrCat({"**Arguments**\n\n", PropertyTable(op->input->document(), true), "\n"});
    out += StrCat({"**Result** (`structuredContent`)\n\n", PropertyTable(op->output->document(), false), "\n"});
  }
  return out;
}

}  // namespace weft::venoms
