// CompiledSchema: valijson (draft-07) behind a pimpl, with the constraints
// that replace valijson's where its own are unsafe on untrusted input.
#include "core/schema/schema.h"

#include "core/schema/schema_quick.h"

#include <algorithm>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <new>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/constraint_builder.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "core/schema/schema_violations.h"

namespace weft {
namespace {

// Values (and schemas) nested deeper than this are refused: valijson recurses
// once per level, of the schema when compiling, of a recursive ($ref) schema
// when validating.
constexpr size_t kMaxValidationDepth = 256;
// The prepared document carries "pattern" under this name so that the guarded
// constraint below evaluates it instead of valijson's own. No JSON Schema
// dialect defines it, and the subset refuses it.
constexpr const char* kGuardedPatternKeyword = "@pattern";
// "uniqueItems": true travels under this name, for the constraint below.
constexpr const char* kUniqueItemsKeyword = "@uniqueItems";
// A string within maxLength <= kMaxPatternSubjectLength code points has at
// most four bytes per code point.
constexpr size_t kMaxPatternSubjectBytes = 4 * kMaxPatternSubjectLength;

std::string Quote(const std::string& s) { return Json(s).dump(); }

// "pattern", with a length guard. libstdc++'s std::regex recurses once per
// input character, so a long string overflows the stack. The subset pairs every
// pattern with maxLength, but valijson evaluates every keyword of a schema even
// after one failed, so the bound is enforced here as well.
class GuardedPatternConstraint : public valijson::constraints::PolyConstraint {
 public:
  explicit GuardedPatternConstraint(std::string pattern)
      : pattern_(std::move(pattern)), regex_(pattern_, std::regex::ECMAScript) {}

  bool validate(const valijson::adapters::Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    std::string text;
    if (!target.isString() || !target.asString(text)) return true;
    if (text.size() > kMaxPatternSubjectBytes) {
      if (results) {
        results->pushError(context, "is too long to be checked against the pattern " + Quote(pattern_));
      }
      return false;
    }
    if (std::regex_search(text, regex_)) return true;
    if (results) results->pushError(context, "must match the pattern " + Quote(pattern_));
    return false;
  }

 private:
  Constraint* cloneInto(void* memory) const override { return new (memory) GuardedPatternConstraint(*this); }
  size_t sizeOf() const override { return sizeof(GuardedPatternConstraint); }

  std::string pattern_;
  std::regex regex_;
};

class GuardedPatternBuilder : public valijson::ConstraintBuilder {
 public:
  valijson::constraints::Constraint* make(const valijson::adapters::Adapter& value) const override {
    return new GuardedPatternConstraint(value.asString());
  }
};

// The value behind a valijson adapter, rebuilt as JSON.
Json ToJson(const valijson::adapters::Adapter& value) {
  if (value.isObject()) {
    Json out = Json::object();
    value.applyToObject([&out](const std::string& key, const valijson::adapters::Adapter& member) {
      out[key] = ToJson(member);
      return true;
    });
    return out;
  }
  if (value.isArray()) {
    Json out = Json::array();
    value.applyToArray([&out](const valijson::adapters::Adapter& item) {
      out.push_back(ToJson(item));
      return true;
    });
    return out;
  }
  if (value.isString()) return value.getString();
  if (value.isBool()) return value.getBool();
  if (value.isInteger()) return value.getInteger();
  if (value.isNumber()) return value.getNumber();
  return nullptr;
}

// "uniqueItems" in O(n log n), reporting the first repeat only. valijson's own
// compares every pair and reports every equal pair, so one large array of
// equal items costs quadratic time and memory.
class UniqueItemsConstraint : public valijson::constraints::PolyConstraint {
 public:
  bool validate(const valijson::adapters::Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    if (!target.isArray()) return true;
    std::map<Json, size_t> first_index;  // numbers compare by value: 1 equals 1.0
    size_t index = 0;
    bool unique = true;
    target.applyToArray([&](const valijson::adapters::Adapter& item) {
      auto [it, inserted] = first_index.emplace(ToJson(item), index);
      if (!inserted) {
        unique = false;
        if (results) {
          results->pushError(context, "items must be unique, but items " + std::to_string(it->second) + " and " +
                                          std::to_string(index) + " are equal");
        }
      }
      ++index;
      return unique;
    });
    return unique;
  }

 private:
  Constraint* cloneInto(void* memory) const override { return new (memory) UniqueItemsConstraint(*this); }
  size_t sizeOf() const override { return sizeof(UniqueItemsConstraint); }
};

class UniqueItemsBuilder : public valijson::ConstraintBuilder {
 public:
  valijson::constraints::Constraint* make(const valijson::adapters::Adapter&) const override {
    return new UniqueItemsConstraint();
  }
};

// Rewrites a schema for valijson: "format" is an annotation in 2020-12 but
// valijson asserts some formats (and throws on non-strings), so it goes;
// "pattern" and "uniqueItems" move to the constraints above. Walks every
// place draft-07 holds schemas; a schema reachable only by a "$ref" into some
// other container keeps valijson's own handling (Validate still catches what
// it throws).
void PrepareForValijson(Json& schema) {
  if (!schema.is_object()) return;
  schema.erase("format");
  if (auto it = schema.find("pattern"); it != schema.end()) {
    schema[kGuardedPatternKeyword] = *it;
    schema.erase("pattern");
  }
  if (auto it = schema.find("uniqueItems"); it != schema.end()) {
    if (*it == true) schema[kUniqueItemsKeyword] = true;
    schema.erase("uniqueItems");
  }
  for (const char* map_key : {"properties", "patternProperties", "definitions", "$defs", "dependencies"}) {
    if (auto it = schema.find(map_key); it != schema.end() && it->is_object()) {
      for (Json& sub : *it) PrepareForValijson(sub);
    }
  }
  for (const char* key : {"additionalProperties", "items", "additionalItems", "contains", "propertyNames", "not",
                          "if", "then", "else", "allOf", "anyOf", "oneOf"}) {
    auto it = schema.find(key);
    if (it == schema.end()) continue;
    if (it->is_array()) {
      for (Json& sub : *it) PrepareForValijson(sub);
    } else {
      PrepareForValijson(*it);
    }
  }
}

size_t Depth(const Json& value) {
  size_t deepest = 0;
  std::vector<std::pair<const Json*, size_t>> pending = {{&value, 1}};
  while (!pending.empty()) {
    auto [node, depth] = pending.back();
    pending.pop_back();
    deepest = std::max(deepest, depth);
    if (deepest > kMaxValidationDepth) break;
    if (node->is_structured()) {
      for (const Json& child : *node) pending.emplace_back(&child, depth + 1);
    }
  }
  return deepest;
}

std::string Join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

}  // namespace

struct CompiledSchema::Impl {
  std::once_flag once;
  Status prepared_status;  // set once, by Prepare
  Json prepared;  // document_ rewritten by PrepareForValijson
  valijson::Schema schema;
  std::unique_ptr<QuickSchema> quick;  // null when the document needs valijson for every value
};

CompiledSchema::CompiledSchema(Json document)
    : document_(std::move(document)), impl_(std::make_unique<Impl>()) {}

CompiledSchema::~CompiledSchema() = default;

Result<std::unique_ptr<CompiledSchema>> CompiledSchema::Compile(Json document, When when) {
  if (Depth(document) > kMaxValidationDepth) {
    return Status::InvalidArgument("schema is nested more than " + std::to_string(kMaxValidationDepth) +
                                   " levels deep");
  }
  std::vector<std::string> problems = CheckSchemaReferences(document);
  if (!problems.empty()) return Status::InvalidArgument(Join(problems, "; "));
  std::unique_ptr<CompiledSchema> compiled(new CompiledSchema(std::move(document)));
  if (when == When::kNow) WEFT_RETURN_IF_ERROR(compiled->Prepare());
  return Result<std::unique_ptr<CompiledSchema>>(std::move(compiled));
}

const Status& CompiledSchema::Prepare() const {
  std::call_once(impl_->once, [this] {
    impl_->prepared = document_;
    PrepareForValijson(impl_->prepared);
    try {
      valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
      parser.addConstraintBuilder(kGuardedPatternKeyword, new GuardedPatternBuilder());
      parser.addConstraintBuilder(kUniqueItemsKeyword, new UniqueItemsBuilder());
      valijson::adapters::NlohmannJsonAdapter adapter(impl_->prepared);
      parser.populateSchema(adapter, impl_->schema);
    } catch (const std::exception& e) {
      impl_->prepared_status = Status::InvalidArgument(std::string("schema could not be compiled: ") + e.what());
      return;
    }
    impl_->quick = QuickSchema::Compile(document_);
  });
  return impl_->prepared_status;
}

std::vector<SchemaViolation> CompiledSchema::Validate(const Json& value) const {
  if (Depth(value) > kMaxValidationDepth) {
    return {{"", "is nested more than " + std::to_string(kMaxValidationDepth) + " levels deep"}};
  }
  // The quick check decides the common case; valijson everything else, and
  // it alone words the violations.
  if (!Prepare().ok()) return {{"", "could not be checked: the " + Prepare().message()}};
  if (impl_->quick && impl_->quick->Check(value) == QuickSchema::Verdict::kValid) return {};
  return ValidateFully(value);
}

bool CompiledSchema::has_quick_check() const { return Prepare().ok() && impl_->quick != nullptr; }

std::vector<SchemaViolation> CompiledSchema::ValidateFully(const Json& value) const {
  if (Depth(value) > kMaxValidationDepth) {
    return {{"", "is nested more than " + std::to_string(kMaxValidationDepth) + " levels deep"}};
  }
  if (!Prepare().ok()) return {{"", "could not be checked: the " + Prepare().message()}};
  valijson::ValidationResults results;
  try {
    valijson::Validator validator(valijson::Validator::kStrongTypes);
    valijson::adapters::NlohmannJsonAdapter target(value);
    if (validator.validate(impl_->schema, target, &results)) return {};
  } catch (const std::exception& e) {
    return {{"", std::string("could not be checked against the schema: ") + e.what()}};
  }
  std::vector<RawSchemaError> errors;
  valijson::ValidationResults::Error error;
  while (results.popError(error)) errors.push_back({std::move(error.context), std::move(error.description)});
  return ExplainSchemaErrors(document_, value, errors);
}

std::string DescribeViolations(const std::vector<SchemaViolation>& violations) {
  std::vector<std::string> parts;
  for (const SchemaViolation& v : violations) {
    parts.push_back("at " + (v.path.empty() ? std::string("the root") : v.path) + ": " + v.message);
  }
  return Join(parts, "; ");
}

}  // namespace weft
