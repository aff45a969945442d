// QuickSchema (schema_quick.h): compile a schema document into a small tree
// of nodes, then check values against it in three-valued logic.
#include "core/schema/schema_quick.h"

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace weft {

using Verdict = QuickSchema::Verdict;

struct QuickSchema::Node {
  enum : uint8_t {
    kNull = 1,
    kBoolean = 2,
    kObject = 4,
    kArray = 8,
    kNumber = 16,
    kString = 32,
    kInteger = 64,
  };

  std::optional<bool> constant;  // a boolean schema
  const Node* ref = nullptr;     // "$ref": in draft-07 the only keyword that counts
  uint8_t types = 0;             // 0: any type
  std::map<std::string, const Node*, std::less<>> properties;
  std::vector<std::string> required;
  const Node* additional = nullptr;  // additionalProperties (a schema; booleans compile to nodes too)
  const Node* items = nullptr;
  std::optional<std::vector<std::string>> string_enum;
  std::optional<Json> constant_value;  // "const": a string, boolean or null
  std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum;
  std::optional<uint64_t> min_length, max_length, min_items, max_items, min_properties, max_properties;
  bool unique_items = false;
  bool pattern = false;
  std::vector<const Node*> all_of, any_of, one_of;
  const Node* negated = nullptr;
};

namespace {

using Node = QuickSchema::Node;

// Builds nodes for a document; gives up (ok_ false) on anything not modelled.
class Compiler {
 public:
  Compiler(const Json& root, std::vector<std::unique_ptr<Node>>* nodes) : root_(root), nodes_(nodes) {}

  const Node* Build(const Json& schema) {
    if (!ok_) return nullptr;
    auto node = std::make_unique<Node>();
    Node* n = node.get();
    nodes_->push_back(std::move(node));
    if (schema.is_boolean()) {
      n->constant = schema.get<bool>();
      return n;
    }
    if (!schema.is_object()) return Fail();
    if (auto it = schema.find("$ref"); it != schema.end()) {
      for (const auto& [key, value] : schema.items()) {
        // Assertions beside "$ref": draft-07 ignores them, 2020-12 applies them.
        if (key != "$ref" && key != "$defs" && !IsAnnotation(key)) return Fail();
      }
      n->ref = Ref(*it);
      return ok_ ? n : nullptr;
    }
    for (const auto& [key, value] : schema.items()) {
      if (!Keyword(n, key, value)) return Fail();
    }
    return n;
  }

  // After Build: points the "$ref" nodes at their targets.
  bool Link() {
    for (auto& [target, node] : pending_refs_) {
      auto it = defs_.find(target);
      if (it == defs_.end()) return false;
      *node = it->second;
    }
    return ok_;
  }

 private:
  static bool IsAnnotation(std::string_view key) {
    return key == "title" || key == "description" || key == "default" || key == "examples" || key == "format" ||
           key == "$schema" || key.rfind("x-", 0) == 0;
  }

  const Node* Fail() {
    ok_ = false;
    return nullptr;
  }

  // "#/$defs/<name>", built once per name (references may be cyclic).
  const Node* Ref(const Json& value) {
    static constexpr std::string_view kPrefix = "#/$defs/";
    if (!value.is_string()) return Fail();
    const std::string& ref = value.get_ref<const std::string&>();
    if (ref.rfind(kPrefix, 0) != 0) return Fail();
    std::string name = ref.substr(kPrefix.size());
    if (name.find('/') != std::string::npos || name.find('~') != std::string::npos) return Fail();
    auto defs = root_.find("$defs");
    if (defs == root_.end() || !defs->is_object() || !defs->contains(name)) return Fail();
    if (defs_.find(name) == defs_.end()) {
      defs_[name] = nullptr;  // being built: a cycle back here links later
      defs_[name] = Build((*defs)[name]);
    }
    const Node* linked = defs_[name];
    if (linked != nullptr) return linked;
    // A reference to a definition still being built: a forwarding node.
    auto node = std::make_unique<Node>();
    Node* n = node.get();
    nodes_->push_back(std::move(node));
    pending_refs_.emplace_back(name, &n->ref);
    return n;
  }

  static std::optional<uint64_t> Count(const Json& v) {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer() && v.get<int64_t>() >= 0) return static_cast<uint64_t>(v.get<int64_t>());
    return std::nullopt;
  }

  bool Keyword(Node* n, const std::string& key, const Json& v) {
    if (IsAnnotation(key) || key == "$defs") return true;
    if (key == "type") return Types(n, v);
    if (key == "properties") {
      if (!v.is_object()) return false;
      for (const auto& [name, sub] : v.items()) n->properties[name] = Build(sub);
      return ok_;
    }
    if (key == "required") {
      if (!v.is_array()) return false;
      for (const Json& name : v) {
        if (!name.is_string()) return false;
        n->required.push_back(name.get<std::string>());
      }
      return true;
    }
    if (key == "additionalProperties") return (n->additional = Build(v)) != nullptr;
    if (key == "items") return !v.is_array() && (n->items = Build(v)) != nullptr;
    if (key == "enum") {
      if (!v.is_array()) return false;
      std::vector<std::string> values;
      for (const Json& e : v) {
        if (!e.is_string()) return false;
        values.push_back(e.get<std::string>());
      }
      n->string_enum = std::move(values);
      return true;
    }
    if (key == "const") {
      if (!v.is_string() && !v.is_boolean() && !v.is_null()) return false;
      n->constant_value = v;
      return true;
    }
    if (key == "minimum" || key == "maximum" || key == "exclusiveMinimum" || key == "exclusiveMaximum") {
      if (!v.is_number()) return false;
      double d = v.get<double>();
      if (std::fabs(d) > 9007199254740992.0) return false;  // beyond exact doubles
      (key == "minimum"            ? n->minimum
       : key == "maximum"          ? n->maximum
       : key == "exclusiveMinimum" ? n->exclusive_minimum
                                   : n->exclusive_maximum) = d;
      return true;
    }
    if (key == "minLength" || key == "maxLength" || key == "minItems" || key == "maxItems" ||
        key == "minProperties" || key == "maxProperties") {
      std::optional<uint64_t> c = Count(v);
      if (!c) return false;
      (key == "minLength"       ? n->min_length
       : key == "maxLength"     ? n->max_length
       : key == "minItems"      ? n->min_items
       : key == "maxItems"      ? n->max_items
       : key == "minProperties" ? n->min_properties
                                : n->max_properties) = c;
      return true;
    }
    if (key == "uniqueItems") {
      if (!v.is_boolean()) return false;
      n->unique_items = v.get<bool>();
      return true;
    }
    if (key == "pattern") return (n->pattern = v.is_string());
    if (key == "allOf" || key == "anyOf" || key == "oneOf") {
      if (!v.is_array() || v.empty()) return false;
      auto& list = key == "allOf" ? n->all_of : key == "anyOf" ? n->any_of : n->one_of;
      for (const Json& sub : v) list.push_back(Build(sub));
      return ok_;
    }
    if (key == "not") return (n->negated = Build(v)) != nullptr;
    return false;
  }

  bool Types(Node* n, const Json& v) {
    auto bit = [](const Json& name) -> uint8_t {
      if (!name.is_string()) return 0;
      const std::string& s = name.get_ref<const std::string&>();
      if (s == "null") return Node::kNull;
      if (s == "boolean") return Node::kBoolean;
      if (s == "object") return Node::kObject;
      if (s == "array") return Node::kArray;
      if (s == "number") return Node::kNumber;
      if (s == "string") return Node::kString;
      if (s == "integer") return Node::kInteger;
      return 0;
    };
    if (v.is_string()) {
      n->types = bit(v);
      return n->types != 0;
    }
    if (!v.is_array() || v.empty()) return false;
    for (const Json& name : v) {
      uint8_t b = bit(name);
      if (b == 0) return false;
      n->types |= b;
    }
    return true;
  }

  const Json& root_;
  std::vector<std::unique_ptr<Node>>* nodes_;
  std::map<std::string, const Node*> defs_;
  std::vector<std::pair<std::string, const Node**>> pending_refs_;
  bool ok_ = true;
};

// Folds the verdicts of assertions that must all hold.
class All {
 public:
  // False once the result is known to be kInvalid (stop checking).
  bool Add(Verdict v) {
    if (v == Verdict::kInvalid) result_ = Verdict::kInvalid;
    else if (v == Verdict::kUnsure && result_ == Verdict::kValid) result_ = Verdict::kUnsure;
    return result_ != Verdict::kInvalid;
  }
  bool Add(bool holds) { return Add(holds ? Verdict::kValid : Verdict::kInvalid); }
  Verdict result() const { return result_; }

 private:
  Verdict result_ = Verdict::kValid;
};

constexpr int kMaxDepth = 256;

Verdict CheckNode(const Node* n, const Json& v, int depth);

Verdict TypeVerdict(uint8_t types, const Json& v) {
  if (types == 0) return Verdict::kValid;
  switch (v.type()) {
    case Json::value_t::null: return types & Node::kNull ? Verdict::kValid : Verdict::kInvalid;
    case Json::value_t::boolean: return types & Node::kBoolean ? Verdict::kValid : Verdict::kInvalid;
    case Json::value_t::object: return types & Node::kObject ? Verdict::kValid : Verdict::kInvalid;
    case Json::value_t::array: return types & Node::kArray ? Verdict::kValid : Verdict::kInvalid;
    case Json::value_t::string: return types & Node::kString ? Verdict::kValid : Verdict::kInvalid;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return types & (Node::kNumber | Node::kInteger) ? Verdict::kValid : Verdict::kInvalid;
    case Json::value_t::number_float:
      if (types & Node::kNumber) return Verdict::kValid;
      // Whether 1.0 is an integer depends on the validator's typing rules.
      return types & Node::kInteger ? Verdict::kUnsure : Verdict::kInvalid;
    default: return Verdict::kUnsure;
  }
}

Verdict NumberVerdict(const Node* n, const Json& v) {
  if (!n->minimum && !n->maximum && !n->exclusive_minimum && !n->exclusive_maximum) return Verdict::kValid;
  double d = v.get<double>();
  if (!v.is_number_float() && std::fabs(d) > 9007199254740992.0) return Verdict::kUnsure;
  All all;
  if (n->minimum) all.Add(d >= *n->minimum);
  if (n->maximum) all.Add(d <= *n->maximum);
  if (n->exclusive_minimum) all.Add(d > *n->exclusive_minimum);
  if (n->exclusive_maximum) all.Add(d < *n->exclusive_maximum);
  return all.result();
}

Verdict StringVerdict(const Node* n, const std::string& s) {
  All all;
  if (n->string_enum) {
    bool found = false;
    for (const std::string& e : *n->string_enum) found = found || e == s;
    if (!all.Add(found)) return all.result();
  }
  if (n->min_length || n->max_length) {
    // Lengths count code points; only ASCII makes that the byte count for sure.
    bool ascii = true;
    for (unsigned char c : s) ascii = ascii && c < 0x80;
    if (!ascii) return Verdict::kUnsure;
    if (n->min_length) all.Add(s.size() >= *n->min_length);
    if (n->max_length) all.Add(s.size() <= *n->max_length);
  }
  if (n->pattern) all.Add(Verdict::kUnsure);
  return all.result();
}

Verdict ObjectVerdict(const Node* n, const Json& v, int depth) {
  All all;
  for (const std::string& name : n->required) {
    if (!all.Add(v.contains(name))) return all.result();
  }
  if (n->min_properties) all.Add(v.size() >= *n->min_properties);
  if (n->max_properties) all.Add(v.size() <= *n->max_properties);
  for (auto it = v.begin(); it != v.end(); ++it) {
    auto p = n->properties.find(it.key());
    const Node* sub = p != n->properties.end() ? p->second : n->additional;
    if (sub != nullptr && !all.Add(CheckNode(sub, *it, depth + 1))) return all.result();
  }
  return all.result();
}

Verdict ArrayVerdict(const Node* n, const Json& v, int depth) {
  All all;
  if (n->min_items) all.Add(v.size() >= *n->min_items);
  if (n->max_items) all.Add(v.size() <= *n->max_items);
  if (n->unique_items && v.size() > 1) all.Add(Verdict::kUnsure);
  if (n->items != nullptr) {
    for (const Json& item : v) {
      if (!all.Add(CheckNode(n->items, item, depth + 1))) return all.result();
    }
  }
  return all.result();
}

Verdict CheckNode(const Node* n, const Json& v, int depth) {
  if (depth > kMaxDepth) return Verdict::kUnsure;
  if (n->constant) return *n->constant ? Verdict::kValid : Verdict::kInvalid;
  if (n->ref != nullptr) return CheckNode(n->ref, v, depth + 1);
  All all;
  if (!all.Add(TypeVerdict(n->types, v))) return all.result();
  if (n->constant_value) {
    if (!all.Add(v.type() == n->constant_value->type() && v == *n->constant_value)) return all.result();
  }
  switch (v.type()) {
    case Json::value_t::string:
      all.Add(StringVerdict(n, v.get_ref<const std::string&>()));
      break;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      all.Add(NumberVerdict(n, v));
      break;
    case Json::value_t::object:
      all.Add(ObjectVerdict(n, v, depth));
      break;
    case Json::value_t::array:
      all.Add(ArrayVerdict(n, v, depth));
      break;
    default:
      break;
  }
  // "enum" of strings: any other type is outside it.
  if (n->string_enum && !v.is_string()) all.Add(false);
  if (all.result() == Verdict::kInvalid) return all.result();
  for (const Node* sub : n->all_of) {
    if (!all.Add(CheckNode(sub, v, depth + 1))) return all.result();
  }
  if (!n->any_of.empty()) {
    Verdict any = Verdict::kInvalid;
    for (const Node* sub : n->any_of) {
      Verdict s = CheckNode(sub, v, depth + 1);
      if (s == Verdict::kValid) {
        any = Verdict::kValid;
        break;
      }
      if (s == Verdict::kUnsure) any = Verdict::kUnsure;
    }
    if (!all.Add(any)) return all.result();
  }
  if (!n->one_of.empty()) {
    int valid = 0;
    bool unsure = false;
    for (const Node* sub : n->one_of) {
      Verdict s = CheckNode(sub, v, depth + 1);
      valid += s == Verdict::kValid ? 1 : 0;
      unsure = unsure || s == Verdict::kUnsure;
    }
    if (!all.Add(valid > 1 ? Verdict::kInvalid : unsure ? Verdict::kUnsure : valid == 1 ? Verdict::kValid
                                                                                        : Verdict::kInvalid)) {
      return all.result();
    }
  }
  if (n->negated != nullptr) {
    Verdict s = CheckNode(n->negated, v, depth + 1);
    all.Add(s == Verdict::kValid ? Verdict::kInvalid : s == Verdict::kInvalid ? Verdict::kValid : Verdict::kUnsure);
  }
  return all.result();
}

}  // namespace

QuickSchema::QuickSchema() = default;
QuickSchema::~QuickSchema() = default;

std::unique_ptr<QuickSchema> QuickSchema::Compile(const Json& document) {
  std::unique_ptr<QuickSchema> quick(new QuickSchema());
  Compiler compiler(document, &quick->nodes_);
  quick->root_ = compiler.Build(document);
  if (quick->root_ == nullptr || !compiler.Link()) return nullptr;
  return quick;
}

QuickSchema::Verdict QuickSchema::Check(const Json& value) const { return CheckNode(root_, value, 0); }

}  // namespace weft
