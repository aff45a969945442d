// ExplainSchemaErrors: valijson's error reports rewritten as violations, with
// JSON Pointer paths and sentences that name what was expected and what came.
#include "core/schema/schema_violations.h"

#include "core/base/json.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <set>
#include <utility>

namespace weft {
namespace {

using Tokens = std::vector<std::string>;

std::string Quote(const std::string& s) { return Json(s).dump(); }

// A short rendering of a value for messages.
std::string Brief(const Json& value) {
  constexpr size_t kMax = 60;
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

std::string ToPointer(const Tokens& tokens) {
  std::string out;
  for (const std::string& t : tokens) out += "/" + EscapeJsonPointerToken(t);
  return out;
}

// valijson's context is "<root>" followed by one "[key]" or "[index]" per level.
Tokens TokensFromContext(const std::vector<std::string>& context) {
  Tokens out;
  for (size_t i = 1; i < context.size(); ++i) {
    const std::string& c = context[i];
    bool bracketed = c.size() >= 2 && c.front() == '[' && c.back() == ']';
    out.push_back(bracketed ? c.substr(1, c.size() - 2) : c);
  }
  return out;
}

std::optional<size_t> ParseIndex(const std::string& text) {
  size_t index = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return index;
}

// The child of `value` named by `token`, or null.
const Json* Child(const Json& value, const std::string& token) {
  if (value.is_object()) {
    auto it = value.find(token);
    return it == value.end() ? nullptr : &*it;
  }
  if (value.is_array()) {
    std::optional<size_t> index = ParseIndex(token);
    return index && *index < value.size() ? &value[*index] : nullptr;
  }
  return nullptr;
}

const Json* ValueAt(const Json& root, const Tokens& tokens) {
  const Json* node = &root;
  for (const std::string& t : tokens) {
    node = Child(*node, t);
    if (!node) return nullptr;
  }
  return node;
}

std::string JsonTypeName(const Json& v) {
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  return v.type_name();
}

// valijson's strong typing: "integer" accepts only integers written as such.
bool TypeAccepts(const std::string& type, const Json& v) {
  if (type == "integer") return v.is_number_integer();
  if (type == "number") return v.is_number();
  return type == v.type_name();
}

std::string JoinAlternatives(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? " or " : ", ";
    out += items[i];
  }
  return out;
}

// The object schemas that apply to the value at some path, found by following
// the schema down the way valijson does (properties, additionalProperties,
// items, the members of allOf/anyOf/oneOf, and $ref). Used only to word
// messages; the verdict is valijson's.
class SchemaLocator {
 public:
  SchemaLocator(const Json& schema_root, const Json& value_root)
      : schema_root_(schema_root), value_root_(value_root) {}

  std::vector<const Json*> At(const Tokens& tokens) const {
    std::vector<const Json*> out;
    int budget = kBudget;
    Collect(schema_root_, value_root_, tokens, 0, &budget, &out);
    return out;
  }

 private:
  static constexpr int kBudget = 4096;  // schema nodes visited per lookup

  // Follows "$ref" chains (local JSON Pointers; CheckSchemaReferences has
  // made sure they resolve and end).
  const Json* Deref(const Json* schema) const {
    for (int hops = 0; hops < 64 && schema && schema->is_object(); ++hops) {
      auto ref = schema->find("$ref");
      if (ref == schema->end() || !ref->is_string()) return schema;
      const std::string& text = ref->get_ref<const std::string&>();
      if (text.empty() || text[0] != '#') return nullptr;
      try {
        Json::json_pointer pointer(text.substr(1));
        schema = schema_root_.contains(pointer) ? &schema_root_.at(pointer) : nullptr;
      } catch (const Json::exception&) {
        return nullptr;
      }
    }
    return schema;
  }

  void Collect(const Json& raw, const Json& value, const Tokens& tokens, size_t i, int* budget,
               std::vector<const Json*>* out) const {
    if (--*budget < 0) return;
    const Json* schema = Deref(&raw);
    if (!schema || !schema->is_object()) return;
    for (const char* key : {"allOf", "anyOf", "oneOf"}) {
      if (auto it = schema->find(key); it != schema->end() && it->is_array()) {
        for (const Json& member : *it) Collect(member, value, tokens, i, budget, out);
      }
    }
    if (i == tokens.size()) {
      out->push_back(schema);
      return;
    }
    const Json* child = Child(value, tokens[i]);
    if (!child) return;
    const Json* sub = nullptr;
    if (value.is_object()) {
      auto props = schema->find("properties");
      if (props != schema->end() && props->contains(tokens[i])) sub = &(*props)[tokens[i]];
      else if (auto extra = schema->find("additionalProperties"); extra != schema->end()) sub = &*extra;
    } else if (auto items = schema->find("items"); items != schema->end()) {
      sub = &*items;
    }
    if (sub) Collect(*sub, *child, tokens, i + 1, budget, out);
  }

  const Json& schema_root_;
  const Json& value_root_;
};

// Turns valijson's errors into violations. valijson reports every failed
// keyword and then, at each enclosing level, a wrapper ("Failed to validate
// against schema associated with property name 'x'"); wrappers are dropped
// unless nothing more specific was said below them (a `false` schema).
class ViolationBuilder {
 public:
  ViolationBuilder(const Json& schema, const Json& value) : value_(value), locator_(schema, value) {}

  void Add(const RawSchemaError& error) {
    Tokens tokens = TokensFromContext(error.context);
    const std::string& text = error.description;
    if (std::optional<Tokens> target = WrapperTarget(tokens, text)) {
      wrapper_targets_.push_back(ToPointer(*target));
      return;
    }
    const Json* value = ValueAt(value_, tokens);
    if (!value) {
      Emit(ToPointer(tokens), Generic(text));
      return;
    }
    if (StartsWith(text, "Object contains a property that could not be validated")) {
      for (const std::string& name : DisallowedProperties(tokens, *value, text)) {
        Emit(ToPointer(tokens), "property " + Quote(name) + " is not allowed");
      }
      return;
    }
    Emit(ToPointer(tokens), Explain(tokens, *value, text));
  }

  std::vector<SchemaViolation> Finish() {
    for (const std::string& target : wrapper_targets_) {
      bool covered = std::any_of(out_.begin(), out_.end(), [&](const SchemaViolation& v) {
        return v.path == target || StartsWith(v.path, target + "/");
      });
      if (!covered) Emit(target, "no value is allowed here");
    }
    if (out_.empty()) Emit("", "does not match the schema");
    return std::move(out_);
  }

 private:
  static bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

  static std::string QuotedName(const std::string& text) {
    size_t first = text.find('\'');
    size_t last = text.rfind('\'');
    return first != std::string::npos && last > first ? text.substr(first + 1, last - first - 1) : text;
  }

  static uint64_t NumberAfter(const std::string& text, const std::string& prefix) {
    uint64_t n = 0;
    std::from_chars(text.data() + prefix.size(), text.data() + text.size(), n);
    return n;
  }

  // valijson wordings that need nothing from the value or the schema.
  static constexpr std::pair<const char*, const char*> kFixedMessages[] = {
      {"Failed to validate against any schemas allowed by anyOf",
       "does not match any of the alternatives in \"anyOf\""},
      {"Failed to validate against any child schemas allowed by oneOf",
       "does not match any of the alternatives in \"oneOf\""},
      {"Failed to validate against exactly one child schema",
       "matches more than one of the alternatives in \"oneOf\", but must match exactly one"},
      {"Target should not validate against schema specified in 'not'",
       "matches the schema in \"not\", which it must not"},
      {"Failed to validate against a conditional schema",
       "does not match the \"then\" or \"else\" schema that its \"if\" selects"},
      {"Failed to any values against subschema in 'contains'",
       "has no item that matches the \"contains\" schema"},
      {"Array contains more items than allowed by items constraint", "has more items than its \"items\" list allows"},
      {"Cannot validate item #", "has more items than its \"items\" list allows"},
  };

  static std::optional<Tokens> WrapperTarget(Tokens tokens, const std::string& text) {
    const std::string kProperty = "Failed to validate against schema associated with property name ";
    const std::string kItem = "Failed to validate item #";
    if (StartsWith(text, kProperty)) {
      tokens.push_back(QuotedName(text));
      return tokens;
    }
    if (StartsWith(text, kItem)) {
      tokens.push_back(std::to_string(NumberAfter(text, kItem)));
      return tokens;
    }
    if (StartsWith(text, "Failed to validate against child schema #") ||
        StartsWith(text, "Failed to validate against additional properties schema") ||
        StartsWith(text, "Failed to validate against schema associated with pattern") ||
        StartsWith(text, "Failed to validate against dependent schema")) {
      return tokens;
    }
    return std::nullopt;
  }

  void Emit(const std::string& path, const std::string& message) {
    if (seen_.insert({path, message}).second) out_.push_back({path, message});
  }

  std::vector<std::string> DisallowedProperties(const Tokens& tokens, const Json& value,
                                                const std::string& text) const {
    std::vector<std::string> names;
    for (const Json* schema : locator_.At(tokens)) {
      auto extra = schema->find("additionalProperties");
      // Names that patternProperties admits are not extra: leave those to valijson.
      if (extra == schema->end() || *extra != false || !value.is_object() || schema->contains("patternProperties")) {
        continue;
      }
      auto props = schema->find("properties");
      for (const auto& [name, unused] : value.items()) {
        bool declared = props != schema->end() && props->contains(name);
        if (!declared && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
      }
    }
    if (names.empty()) names.push_back(QuotedName(text));
    return names;
  }

  std::string Explain(const Tokens& tokens, const Json& value, const std::string& text) const {
    if (text == "Value type not permitted by 'type' constraint.") return TypeMessage(tokens, value);
    if (StartsWith(text, "Missing required property ")) {
      return "missing required property " + Quote(QuotedName(text));
    }
    if (text == "Failed to match against any enum values.") return EnumMessage(tokens, value);
    if (text == "Failed to match expected value set by 'const' constraint.") return ConstMessage(tokens, value);
    if (StartsWith(text, "Expected number ")) return BoundMessage(tokens, value, text);
    if (std::optional<std::string> m = SizeMessage(value, text)) return *m;
    if (StartsWith(text, "Missing dependency ")) {
      return "missing property " + Quote(QuotedName(text)) + ", which another property present requires";
    }
    for (const auto& [prefix, message] : kFixedMessages) {
      if (StartsWith(text, prefix)) return message;
    }
    return Generic(text);
  }

  std::string TypeMessage(const Tokens& tokens, const Json& value) const {
    std::vector<std::string> expected;
    for (const Json* schema : locator_.At(tokens)) {
      auto type = schema->find("type");
      if (type == schema->end()) continue;
      std::vector<std::string> names;
      for (const Json& t : type->is_array() ? *type : Json::array({*type})) {
        if (t.is_string()) names.push_back(t.get<std::string>());
      }
      if (std::any_of(names.begin(), names.end(), [&](const std::string& n) { return TypeAccepts(n, value); })) {
        continue;
      }
      for (const std::string& n : names) {
        if (std::find(expected.begin(), expected.end(), n) == expected.end()) expected.push_back(n);
      }
    }
    if (expected.empty()) return "has a type the schema does not allow (" + JsonTypeName(value) + ")";
    return "expected type " + JoinAlternatives(expected) + ", got " + JsonTypeName(value);
  }

  std::string EnumMessage(const Tokens& tokens, const Json& value) const {
    constexpr size_t kMaxListed = 10;
    for (const Json* schema : locator_.At(tokens)) {
      auto values = schema->find("enum");
      if (values == schema->end() || !values->is_array()) continue;
      if (std::find(values->begin(), values->end(), value) != values->end()) continue;
      std::vector<std::string> listed;
      for (size_t i = 0; i < values->size() && i < kMaxListed; ++i) listed.push_back(Brief((*values)[i]));
      if (values->size() > kMaxListed) listed.back() += " (or one of " + std::to_string(values->size() - kMaxListed) + " more)";
      return "must be one of " + JoinAlternatives(listed) + ", got " + Brief(value);
    }
    return "is not one of the allowed values, got " + Brief(value);
  }

  std::string ConstMessage(const Tokens& tokens, const Json& value) const {
    for (const Json* schema : locator_.At(tokens)) {
      auto expected = schema->find("const");
      if (expected != schema->end() && *expected != value) {
        return "must be " + Brief(*expected) + ", got " + Brief(value);
      }
    }
    return "is not the required constant value, got " + Brief(value);
  }

  std::string BoundMessage(const Tokens& tokens, const Json& value, const std::string& text) const {
    struct Bound {
      const char* description;  // valijson's wording, most specific first
      const char* keyword;
      const char* phrase;
      bool (*violated)(double v, double bound);
    };
    static const Bound kBounds[] = {
        {"Expected number less than or equal to ", "maximum", "at most", [](double v, double b) { return v > b; }},
        {"Expected number less than ", "exclusiveMaximum", "less than", [](double v, double b) { return v >= b; }},
        {"Expected number greater than or equal to ", "minimum", "at least", [](double v, double b) { return v < b; }},
        {"Expected number greater than ", "exclusiveMinimum", "greater than", [](double v, double b) { return v <= b; }},
    };
    for (const Bound& bound : kBounds) {
      if (!StartsWith(text, bound.description)) continue;
      if (!value.is_number()) break;
      for (const Json* schema : locator_.At(tokens)) {
        auto limit = schema->find(bound.keyword);
        if (limit != schema->end() && limit->is_number() &&
            bound.violated(value.get<double>(), limit->get<double>())) {
          return std::string("must be ") + bound.phrase + " " + limit->dump() + ", got " + value.dump();
        }
      }
      return std::string("must be ") + bound.phrase + " " + text.substr(std::string(bound.description).size()) +
             ", got " + value.dump();
    }
    return Generic(text);
  }

  static size_t CodePoints(const std::string& s) {
    return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
  }

  static std::optional<std::string> SizeMessage(const Json& value, const std::string& text) {
    struct Size {
      const char* description;
      const char* bound;
      const char* unit;
    };
    static const Size kSizes[] = {
        {"String should be no more than ", "at most", "characters long"},
        {"String should be no fewer than ", "at least", "characters long"},
        {"Array should contain no more than ", "at most", "items"},
        {"Array should contain no fewer than ", "at least", "items"},
        {"Object should have no more than ", "at most", "properties"},
        {"Object should have no fewer than ", "at least", "properties"},
    };
    for (const Size& size : kSizes) {
      if (!StartsWith(text, size.description)) continue;
      uint64_t limit = NumberAfter(text, size.description);
      size_t actual = value.is_string() ? CodePoints(value.get<std::string>()) : value.size();
      std::string verb = value.is_string() ? "must be " : "must have ";
      return verb + size.bound + " " + std::to_string(limit) + " " + size.unit + ", got " + std::to_string(actual);
    }
    return std::nullopt;
  }

  // Any other wording (including the constraints' above, already plain):
  // a lower-case start and no final period.
  static std::string Generic(std::string text) {
    if (!text.empty() && text.back() == '.') text.pop_back();
    if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
    return text;
  }

  const Json& value_;
  SchemaLocator locator_;
  std::vector<SchemaViolation> out_;
  std::set<std::pair<std::string, std::string>> seen_;
  std::vector<std::string> wrapper_targets_;
};

}  // namespace

std::vector<SchemaViolation> ExplainSchemaErrors(const Json& schema, const Json& value,
                                                 const std::vector<RawSchemaError>& errors) {
  ViolationBuilder builder(schema, value);
  for (const RawSchemaError& error : errors) builder.Add(error);
  return builder.Finish();
}

}  // namespace weft
