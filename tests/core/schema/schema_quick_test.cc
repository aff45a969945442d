// QuickSchema must never disagree with valijson: for every built-in schema,
// random values (drawn to be mostly close to conforming) get the same
// verdict from both whenever the quick check is sure.
#include "core/schema/schema_quick.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "core/schema/schema.h"

namespace weft {
namespace {

using Verdict = QuickSchema::Verdict;

// Values shaped by a schema: usually what it asks for, sometimes not.
class Generator {
 public:
  Generator(const Json& root, uint32_t seed) : root_(root), rng_(seed) {}

  Json Value(const Json& schema, int depth = 0) {
    if (depth > 8 || !schema.is_object() || Chance(0.05)) return Anything(depth);
    if (auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
      std::string name = ref->get<std::string>().substr(std::string("#/$defs/").size());
      return Value(root_["$defs"][name], depth + 1);
    }
    for (const char* key : {"anyOf", "oneOf", "allOf"}) {
      if (auto list = schema.find(key); list != schema.end() && list->is_array() && !list->empty()) {
        return Value((*list)[Pick(list->size())], depth + 1);
      }
    }
    if (auto e = schema.find("enum"); e != schema.end() && Chance(0.9)) return (*e)[Pick(e->size())];
    if (auto c = schema.find("const"); c != schema.end() && Chance(0.9)) return *c;
    std::string type = "object";
    if (auto t = schema.find("type"); t != schema.end()) {
      type = t->is_array() ? (*t)[Pick(t->size())].get<std::string>() : t->get<std::string>();
    } else if (!schema.contains("properties")) {
      return Anything(depth);
    }
    if (type == "object") return Object(schema, depth);
    if (type == "array") {
      Json out = Json::array();
      size_t n = Pick(4);
      const Json items = schema.value("items", Json::object());
      for (size_t i = 0; i < n; ++i) out.push_back(Value(items, depth + 1));
      return out;
    }
    if (type == "string") return String(schema);
    if (type == "integer" || type == "number") return Number(schema, type == "integer");
    if (type == "boolean") return Chance(0.5);
    return nullptr;
  }

 private:
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  size_t Pick(size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  Json Object(const Json& schema, int depth) {
    Json out = Json::object();
    const Json required = schema.value("required", Json::array());
    const Json properties = schema.value("properties", Json::object());
    for (const auto& [name, sub] : properties.items()) {
      bool needed = std::find(required.begin(), required.end(), name) != required.end();
      if (needed ? Chance(0.97) : Chance(0.5)) out[name] = Value(sub, depth + 1);
    }
    if (Chance(0.05)) out["unexpected_" + std::to_string(Pick(3))] = Anything(depth + 1);
    return out;
  }

  Json String(const Json& schema) {
    static const std::vector<std::string> kSamples = {"", "a", "/src/main.cc", "é", "x y z", std::string(300, 'q'),
                                                      "2026-01-02T03:04:05Z", "-rf", "main", "ws"};
    std::string s = kSamples[Pick(kSamples.size())];
    if (auto max = schema.find("maxLength"); max != schema.end() && max->get<size_t>() < 100'000 && Chance(0.3)) {
      s = std::string(max->get<size_t>() + Pick(3), 'm');
    }
    return s;
  }

  Json Number(const Json& schema, bool integer) {
    int64_t lo = schema.contains("minimum") ? schema["minimum"].get<int64_t>() - 2 : -5;
    int64_t hi = schema.contains("maximum") ? schema["maximum"].get<int64_t>() + 2 : lo + 100;
    int64_t v = std::uniform_int_distribution<int64_t>(lo, std::max(lo, hi))(rng_);
    if (!integer || Chance(0.05)) return static_cast<double>(v) + (Chance(0.5) ? 0.5 : 0.0);
    return v;
  }

  Json Anything(int depth) {
    switch (Pick(depth > 6 ? 5 : 7)) {
      case 0: return nullptr;
      case 1: return Chance(0.5);
      case 2: return static_cast<int64_t>(Pick(1000)) - 500;
      case 3: return 2.5;
      case 4: return "text";
      case 5: return Json::array({Anything(depth + 1)});
      default: return Json{{"k", Anything(depth + 1)}};
    }
  }

  const Json& root_;
  std::mt19937 rng_;
};

TEST(QuickSchema, AgreesWithValijsonOnEveryBuiltinSchema) {
  const SchemaStore& store = SchemaStore::Builtin();
  size_t decided = 0, total = 0, valid_values = 0;
  for (const std::string& path : store.Paths()) {
    Result<const CompiledSchema*> compiled = store.Get(path);
    ASSERT_TRUE(compiled.ok()) << path;
    std::unique_ptr<QuickSchema> quick = QuickSchema::Compile((*compiled)->document());
    if (!quick) continue;
    Generator gen((*compiled)->document(), static_cast<uint32_t>(std::hash<std::string>{}(path)));
    for (int i = 0; i < 400; ++i) {
      Json value = gen.Value((*compiled)->document());
      Verdict verdict = quick->Check(value);
      ++total;
      if (verdict == Verdict::kUnsure) continue;
      ++decided;
      bool valid = (*compiled)->ValidateFully(value).empty();
      ASSERT_EQ(verdict == Verdict::kValid, valid) << path << ": " << value.dump();
      valid_values += valid ? 1 : 0;
    }
  }
  // The check is only worth having if it decides most values; the values
  // must try both verdicts in earnest.
  EXPECT_GT(decided, total * 9 / 10) << decided << " of " << total;
  EXPECT_GT(valid_values, decided / 4) << valid_values << " valid of " << decided;
  EXPECT_GT(decided - valid_values, decided / 10) << decided - valid_values << " invalid of " << decided;
}

TEST(QuickSchema, ModelsEveryVenomSchema) {
  const SchemaStore& store = SchemaStore::Builtin();
  for (const std::string& path : store.Paths()) {
    if (path.rfind("fixture/", 0) == 0) continue;
    Result<const CompiledSchema*> compiled = store.Get(path);
    ASSERT_TRUE(compiled.ok()) << path;
    EXPECT_TRUE((*compiled)->has_quick_check()) << path << " is checked by valijson alone";
  }
}

TEST(QuickSchema, DecidesEachKeyword) {
  auto check = [](const Json& schema, const Json& value) {
    std::unique_ptr<QuickSchema> quick = QuickSchema::Compile(schema);
    EXPECT_NE(quick, nullptr) << schema.dump();
    return quick ? quick->Check(value) : Verdict::kUnsure;
  };
  const Json object = {{"type", "object"},
                       {"additionalProperties", false},
                       {"required", {"a"}},
                       {"properties", {{"a", {{"type", "integer"}, {"minimum", 1}, {"maximum", 3}}},
                                       {"b", {{"type", "string"}, {"enum", {"x", "y"}}}},
                                       {"c", {{"type", "array"}, {"items", {{"type", "boolean"}}}, {"maxItems", 2}}}}}};
  EXPECT_EQ(check(object, {{"a", 2}, {"b", "x"}, {"c", {true}}}), Verdict::kValid);
  EXPECT_EQ(check(object, {{"b", "x"}}), Verdict::kInvalid);                  // required
  EXPECT_EQ(check(object, {{"a", 4}}), Verdict::kInvalid);                    // maximum
  EXPECT_EQ(check(object, {{"a", 2}, {"z", 1}}), Verdict::kInvalid);          // additionalProperties
  EXPECT_EQ(check(object, {{"a", 2}, {"b", "q"}}), Verdict::kInvalid);        // enum
  EXPECT_EQ(check(object, {{"a", 2}, {"c", {true, 1}}}), Verdict::kInvalid);  // items
  EXPECT_EQ(check(object, {{"a", 2.0}}), Verdict::kUnsure);                   // integer-valued float
  EXPECT_EQ(check({{"type", "string"}, {"maxLength", 2}}, "é"), Verdict::kUnsure);  // code points
  EXPECT_EQ(check({{"type", "string"}, {"maxLength", 2}}, "abc"), Verdict::kInvalid);
  EXPECT_EQ(check({{"type", "string"}, {"pattern", "^a"}}, "abc"), Verdict::kUnsure);
  EXPECT_EQ(check({{"oneOf", {{{"type", "string"}}, {{"type", "integer"}}}}}, 3), Verdict::kValid);
  EXPECT_EQ(check({{"oneOf", {{{"type", "number"}}, {{"type", "integer"}}}}}, 3), Verdict::kInvalid);
  EXPECT_EQ(check({{"not", {{"type", "null"}}}}, nullptr), Verdict::kInvalid);
  EXPECT_EQ(check({{"$defs", {{"n", {{"type", "array"}, {"items", {{"$ref", "#/$defs/n"}}}}}}}, {"$ref", "#/$defs/n"}},
                  Json::array({Json::array(), Json::array({Json::array()})})),
            Verdict::kValid);
  EXPECT_EQ(QuickSchema::Compile({{"type", "object"}, {"patternProperties", Json::object()}}), nullptr);
  EXPECT_EQ(QuickSchema::Compile({{"$ref", "#/$defs/x"}, {"type", "string"}, {"$defs", {{"x", true}}}}), nullptr);
}

}  // namespace
}  // namespace weft
