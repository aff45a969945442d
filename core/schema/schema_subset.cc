// CheckSchemaSubset: the JSON Schema keywords a weft schema may use, so that it
// means the same under draft-07 (what valijson checks) and 2020-12 (what MCP
// clients assume). The rules and their reasons are in schemas/README.md.
#include <algorithm>
#include <cstdint>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/json.h"
#include "core/schema/schema.h"

namespace weft {
namespace {

// What a keyword's value must be.
enum class Kind {
  kSchema,      // a schema (object or boolean): not, additionalProperties
  kItems,       // a single schema; the array (tuple) form is refused
  kSchemaMap,   // an object of schemas: properties
  kSchemaList,  // a non-empty array of schemas: allOf, anyOf, oneOf
  kType,        // a type name or a non-empty array of distinct type names
  kRequired,    // an array of distinct strings
  kEnum,        // a non-empty array
  kAnyValue,    // any JSON value: const, default
  kExamples,    // an array
  kString,      // title, description, format
  kNumber,      // minimum, maximum, exclusiveMinimum, exclusiveMaximum
  kCount,       // a non-negative integer: minLength … maxProperties
  kBool,        // uniqueItems
  kPattern,     // an ECMAScript regular expression, bounded by maxLength
  kRef,         // "#/$defs/<name>"
  kDefs,        // the root's map of named schemas
  kDialect,     // $schema
};

const std::map<std::string_view, Kind>& AllowedKeywords() {
  static const std::map<std::string_view, Kind> kAllowed = {
      {"type", Kind::kType},
      {"properties", Kind::kSchemaMap},
      {"required", Kind::kRequired},
      {"additionalProperties", Kind::kSchema},
      {"items", Kind::kItems},
      {"enum", Kind::kEnum},
      {"const", Kind::kAnyValue},
      {"title", Kind::kString},
      {"description", Kind::kString},
      {"default", Kind::kAnyValue},
      {"examples", Kind::kExamples},
      {"minimum", Kind::kNumber},
      {"maximum", Kind::kNumber},
      {"exclusiveMinimum", Kind::kNumber},
      {"exclusiveMaximum", Kind::kNumber},
      {"minLength", Kind::kCount},
      {"maxLength", Kind::kCount},
      {"pattern", Kind::kPattern},
      {"format", Kind::kString},
      {"minItems", Kind::kCount},
      {"maxItems", Kind::kCount},
      {"uniqueItems", Kind::kBool},
      {"minProperties", Kind::kCount},
      {"maxProperties", Kind::kCount},
      {"anyOf", Kind::kSchemaList},
      {"oneOf", Kind::kSchemaList},
      {"allOf", Kind::kSchemaList},
      {"not", Kind::kSchema},
      {"$ref", Kind::kRef},
      {"$defs", Kind::kDefs},
      {"$schema", Kind::kDialect},
  };
  return kAllowed;
}

// Why a well-known keyword is refused; empty for keywords with no specific reason.
std::string_view RefusalReason(std::string_view keyword) {
  static const std::map<std::string_view, std::string_view> kReasons = {
      {"prefixItems", "tuples are spelled differently in draft-07 and 2020-12; use an object with named properties"},
      {"additionalItems", "tuples are spelled differently in draft-07 and 2020-12; use an object with named properties"},
      {"dependentRequired", "property dependencies are spelled differently in draft-07 and 2020-12; use anyOf or describe the rule"},
      {"dependentSchemas", "property dependencies are spelled differently in draft-07 and 2020-12; use anyOf or describe the rule"},
      {"dependencies", "property dependencies are spelled differently in draft-07 and 2020-12; use anyOf or describe the rule"},
      {"unevaluatedProperties", "it exists only from 2019-09 on, so draft-07 validators ignore it"},
      {"unevaluatedItems", "it exists only from 2019-09 on, so draft-07 validators ignore it"},
      {"$id", "identifiers change how references resolve, differently in each draft; use \"#/$defs/<name>\""},
      {"id", "identifiers change how references resolve, differently in each draft; use \"#/$defs/<name>\""},
      {"$anchor", "anchors resolve differently in each draft; use \"#/$defs/<name>\""},
      {"$dynamicRef", "dynamic references exist only in 2020-12; use \"#/$defs/<name>\""},
      {"$dynamicAnchor", "dynamic references exist only in 2020-12; use \"#/$defs/<name>\""},
      {"$recursiveRef", "recursive references exist only in 2019-09; use \"#/$defs/<name>\""},
      {"$recursiveAnchor", "recursive references exist only in 2019-09; use \"#/$defs/<name>\""},
      {"$vocabulary", "vocabularies exist only from 2019-09 on"},
      {"definitions", "use \"$defs\", the 2020-12 spelling; \"#/$defs/...\" references resolve in both drafts"},
      {"if", "conditionals are hard for a model to read and fill in; use anyOf or oneOf"},
      {"then", "conditionals are hard for a model to read and fill in; use anyOf or oneOf"},
      {"else", "conditionals are hard for a model to read and fill in; use anyOf or oneOf"},
      {"contains", "its meaning changed in 2019-09 (minContains/maxContains); constrain every element with items"},
      {"minContains", "it exists only from 2019-09 on; constrain every element with items"},
      {"maxContains", "it exists only from 2019-09 on; constrain every element with items"},
      {"propertyNames", "a model fills in named properties; list them in \"properties\""},
      {"patternProperties", "a model fills in named properties; list them in \"properties\""},
  };
  auto it = kReasons.find(keyword);
  return it == kReasons.end() ? std::string_view() : it->second;
}

constexpr std::string_view kDraft07 = "http://json-schema.org/draft-07/schema#";
constexpr std::string_view kDraft2020 = "https://json-schema.org/draft/2020-12/schema";
constexpr std::string_view kRefPrefix = "#/$defs/";

bool IsDefName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool IsTypeName(const Json& v) {
  static const std::set<std::string> kTypes = {"null",   "boolean", "object", "array",
                                               "number", "string",  "integer"};
  return v.is_string() && kTypes.count(v.get<std::string>()) > 0;
}

bool IsDistinctArray(const Json& v) {
  for (size_t i = 0; i < v.size(); ++i) {
    for (size_t j = i + 1; j < v.size(); ++j) {
      if (v[i] == v[j]) return false;
    }
  }
  return true;
}

std::string Quote(std::string_view s) { return Json(std::string(s)).dump(); }

// Where the walk is: the schema's JSON Pointer, the $defs entry it lies in
// (empty outside $defs) and whether it applies to the same value as that
// entry (true until the walk descends through properties, items or
// additionalProperties).
struct Position {
  std::string ptr;
  std::string def;
  bool in_place = true;

  Position Child(std::string_view token, bool descends) const {
    return {ptr + "/" + EscapeJsonPointerToken(token), def, in_place && !descends};
  }
};

class SubsetChecker {
 public:
  explicit SubsetChecker(const Json& root) : root_(root) {}

  std::vector<std::string> Run() {
    if (!root_.is_object()) {
      Problem("", std::string("a schema document must be a JSON object, got ") + root_.type_name());
      return problems_;
    }
    CheckSchema(root_, Position{});
    CheckInPlaceCycles();
    return problems_;
  }

 private:
  void Problem(const std::string& ptr, std::string message) {
    problems_.push_back("at " + (ptr.empty() ? std::string("the root") : ptr) + ": " + message);
  }

  void CheckSchema(const Json& schema, const Position& pos) {
    if (schema.is_boolean()) return;
    if (!schema.is_object()) {
      Problem(pos.ptr, std::string("a schema must be an object or a boolean, got ") + schema.type_name());
      return;
    }
    for (const auto& [key, value] : schema.items()) {
      if (key.rfind("x-", 0) == 0) continue;  // vendor extensions: annotations only
      auto it = AllowedKeywords().find(key);
      if (it == AllowedKeywords().end()) {
        RefuseKeyword(key, pos);
        continue;
      }
      CheckKeyword(it->second, key, value, schema, pos);
    }
  }

  void RefuseKeyword(const std::string& key, const Position& pos) {
    std::string_view reason = RefusalReason(key);
    if (reason.empty()) {
      Problem(pos.ptr, "keyword " + Quote(key) + " is not in the allowed subset (schemas/README.md)");
    } else {
      Problem(pos.ptr, "keyword " + Quote(key) + " is not allowed: " + std::string(reason));
    }
  }

  // Keywords whose value holds schemas or needs the surrounding schema.
  void CheckKeyword(Kind kind, const std::string& key, const Json& value, const Json& schema,
                    const Position& pos) {
    switch (kind) {
      case Kind::kSchema:
        CheckSchema(value, pos.Child(key, key == "additionalProperties"));
        return;
      case Kind::kItems:
        if (value.is_array()) {
          Problem(pos.ptr, "\"items\" must be a single schema: its array (tuple) form means "
                           "different things in draft-07 and 2020-12");
        } else {
          CheckSchema(value, pos.Child(key, true));
        }
        return;
      case Kind::kSchemaMap:
        CheckSchemaMap(key, value, pos);
        return;
      case Kind::kSchemaList:
        CheckSchemaList(key, value, pos);
        return;
      case Kind::kPattern:
        CheckPattern(value, schema, pos);
        return;
      case Kind::kRef:
        CheckRef(value, schema, pos);
        return;
      case Kind::kDefs:
        CheckDefs(value, pos);
        return;
      case Kind::kDialect:
        CheckDialect(value, pos);
        return;
      default:
        CheckValue(kind, key, value, pos);
        return;
    }
  }

  // Keywords whose value is plain data.
  void CheckValue(Kind kind, const std::string& key, const Json& value, const Position& pos) {
    const std::string what = Quote(key);
    bool ok = true;
    std::string expected;
    switch (kind) {
      case Kind::kType:
        ok = IsTypeName(value) || (value.is_array() && !value.empty() && IsDistinctArray(value) &&
                                   std::all_of(value.begin(), value.end(), IsTypeName));
        expected = "one of null, boolean, object, array, number, string, integer, or a non-empty array of distinct ones";
        break;
      case Kind::kRequired:
        ok = value.is_array() && IsDistinctArray(value) &&
             std::all_of(value.begin(), value.end(), [](const Json& v) { return v.is_string(); });
        expected = "an array of distinct property names";
        break;
      case Kind::kEnum:
        ok = value.is_array() && !value.empty();
        expected = "a non-empty array";
        break;
      case Kind::kExamples:
        ok = value.is_array();
        expected = "an array of example values";
        break;
      case Kind::kString:
        ok = value.is_string();
        expected = "a string";
        break;
      case Kind::kNumber:
        ok = value.is_number();
        expected = key.rfind("exclusive", 0) == 0 ? "a number (the draft-04 boolean form is not allowed)" : "a number";
        break;
      case Kind::kCount:
        ok = value.is_number_unsigned() || (value.is_number_integer() && value.get<int64_t>() >= 0);
        expected = "a non-negative integer";
        break;
      case Kind::kBool:
        ok = value.is_boolean();
        expected = "true or false";
        break;
      default:  // kAnyValue
        break;
    }
    if (!ok) Problem(pos.ptr, what + " must be " + expected);
  }

  void CheckDialect(const Json& value, const Position& pos) {
    if (!pos.ptr.empty()) {
      Problem(pos.ptr, "\"$schema\" is only allowed at the root");
    } else if (!value.is_string() || (value != kDraft07 && value != kDraft2020)) {
      Problem(pos.ptr, "\"$schema\" must be " + Quote(kDraft2020) + " or " + Quote(kDraft07));
    }
  }

  void CheckSchemaMap(const std::string& key, const Json& value, const Position& pos) {
    if (!value.is_object()) {
      Problem(pos.ptr, Quote(key) + " must be an object mapping property names to schemas");
      return;
    }
    Position map_pos = pos.Child(key, true);
    for (const auto& [name, sub] : value.items()) CheckSchema(sub, map_pos.Child(name, true));
  }

  void CheckSchemaList(const std::string& key, const Json& value, const Position& pos) {
    if (!value.is_array() || value.empty()) {
      Problem(pos.ptr, Quote(key) + " must be a non-empty array of schemas");
      return;
    }
    Position list_pos = pos.Child(key, false);
    for (size_t i = 0; i < value.size(); ++i) {
      CheckSchema(value[i], list_pos.Child(std::to_string(i), false));
    }
  }

  // std::regex recurses once per input character (libstdc++), so a pattern is
  // only safe on strings of bounded length: the schema must say how long.
  void CheckPattern(const Json& value, const Json& schema, const Position& pos) {
    if (!value.is_string()) {
      Problem(pos.ptr, "\"pattern\" must be a string");
      return;
    }
    try {
      std::regex compiled(value.get<std::string>(), std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      Problem(pos.ptr, "\"pattern\" is not a valid ECMAScript regular expression: " + std::string(e.what()));
    }
    auto max_length = schema.find("maxLength");
    if (max_length == schema.end() || !max_length->is_number_integer() ||
        max_length->get<int64_t>() < 0 ||
        max_length->get<uint64_t>() > kMaxPatternSubjectLength) {
      Problem(pos.ptr, "\"pattern\" needs \"maxLength\" of at most " +
                           std::to_string(kMaxPatternSubjectLength) +
                           " beside it: the regular expression engine needs stack in proportion to "
                           "the length of the string it matches");
    }
  }

  void CheckRef(const Json& value, const Json& schema, const Position& pos) {
    if (!value.is_string() || value.get<std::string>().rfind(kRefPrefix, 0) != 0 ||
        !IsDefName(value.get<std::string>().substr(kRefPrefix.size()))) {
      Problem(pos.ptr, "\"$ref\" must be a local reference \"#/$defs/<name>\" (name: letters, digits, _ . -)");
      return;
    }
    const std::string name = value.get<std::string>().substr(kRefPrefix.size());
    auto defs = root_.find("$defs");
    if (defs == root_.end() || !defs->is_object() || !defs->contains(name)) {
      Problem(pos.ptr, "\"$ref\" names " + Quote(value.get<std::string>()) + ", which is not in the root's \"$defs\"");
    }
    for (const auto& [sibling, unused] : schema.items()) {
      if (sibling == "$ref" || sibling == "title" || sibling == "description" ||
          sibling.rfind("x-", 0) == 0) {
        continue;
      }
      Problem(pos.ptr, "keyword " + Quote(sibling) +
                           " is not allowed beside \"$ref\" (only title and description are): "
                           "draft-07 ignores keywords next to \"$ref\", 2020-12 applies them");
    }
    if (pos.in_place && !pos.def.empty()) in_place_refs_[pos.def].insert(name);
  }

  void CheckDefs(const Json& value, const Position& pos) {
    if (!pos.ptr.empty()) {
      Problem(pos.ptr, "\"$defs\" is only allowed at the root, so every \"#/$defs/<name>\" means one thing");
      return;
    }
    if (!value.is_object()) {
      Problem(pos.ptr, "\"$defs\" must be an object mapping names to schemas");
      return;
    }
    for (const auto& [name, sub] : value.items()) {
      if (!IsDefName(name)) {
        Problem("/$defs/" + EscapeJsonPointerToken(name),
                "a \"$defs\" name may only use letters, digits, _ . and -");
        continue;
      }
      CheckSchema(sub, Position{"/$defs/" + name, name, true});
    }
  }

  // A $defs entry that reaches itself through $ref/allOf/anyOf/oneOf/not
  // without descending into the value would make validation recurse forever.
  void CheckInPlaceCycles() {
    for (const auto& [start, direct] : in_place_refs_) {
      std::set<std::string> seen;
      std::vector<std::string> pending_refs(direct.begin(), direct.end());
      bool cycle = false;
      while (!pending_refs.empty() && !cycle) {
        std::string next = pending_refs.back();
        pending_refs.pop_back();
        if (next == start) cycle = true;
        if (!seen.insert(next).second) continue;
        auto it = in_place_refs_.find(next);
        if (it != in_place_refs_.end()) pending_refs.insert(pending_refs.end(), it->second.begin(), it->second.end());
      }
      if (cycle) {
        Problem("/$defs/" + start,
                "refers back to itself through \"$ref\", \"allOf\", \"anyOf\", \"oneOf\" or \"not\" "
                "without descending into a property or an item, so validation would never end");
      }
    }
  }

  const Json& root_;
  std::vector<std::string> problems_;
  std::map<std::string, std::set<std::string>> in_place_refs_;  // $defs name -> names it reaches in place
};

}  // namespace

std::vector<std::string> CheckSchemaSubset(const Json& document) {
  return SubsetChecker(document).Run();
}

bool HasObjectRoot(const Json& document) {
  if (!document.is_object()) return false;
  auto type = document.find("type");
  return type != document.end() && *type == "object";
}

}  // namespace weft
