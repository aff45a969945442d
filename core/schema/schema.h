// JSON Schemas: loaded from the schemas/ tree embedded in the binary, checked
// against the keyword subset in schemas/README.md, compiled once for valijson.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/json.h"
#include "core/base/result.h"

namespace weft {

// One way a value breaks a schema.
struct SchemaViolation {
  std::string path;     // where in the value, as a JSON Pointer ("" = the root, "/a/0")
  std::string message;  // what is wrong, for a model or a person to read
};

// A compiled schema. Immutable after construction; Validate is thread-safe.
class CompiledSchema {
 public:
  ~CompiledSchema();
  CompiledSchema(const CompiledSchema&) = delete;
  CompiledSchema& operator=(const CompiledSchema&) = delete;

  // Compiles `document`; fails if it is not a schema valijson can use
  // (including CheckSchemaReferences problems). Does not apply the keyword
  // subset: SchemaStore does. "format" is never asserted, and a string longer
  // than 4 * kMaxPatternSubjectLength bytes never matches a "pattern".
  //
  // With `defer`, the validators are built on the first validation instead
  // (a schema that turns out not to compile then fails every value with a
  // violation saying so): a server holds a hundred schemas and most are
  // never used. The embedded store defers; a test compiles each of its
  // files eagerly, so a bad one fails the build's tests, never a call.
  enum class When { kNow, kOnFirstUse };
  static Result<std::unique_ptr<CompiledSchema>> Compile(Json document, When when = When::kNow);

  const Json& document() const { return document_; }
  // Empty when `value` conforms. A quick check (schema_quick.h) accepts
  // most conforming values; the rest go to ValidateFully.
  std::vector<SchemaViolation> Validate(const Json& value) const;
  // valijson alone, with violations explained: what Validate falls back to.
  std::vector<SchemaViolation> ValidateFully(const Json& value) const;
  // Whether the quick check models this schema (else Validate is ValidateFully).
  bool has_quick_check() const;

 private:
  struct Impl;
  explicit CompiledSchema(Json document);
  // Builds impl_'s validators once; the error when valijson refuses.
  const Status& Prepare() const;
  Json document_;
  std::unique_ptr<Impl> impl_;
};

// "at /path: message; at /other: message" (a one-line summary of violations);
// a violation of the root value reads "at the root: message".
std::string DescribeViolations(const std::vector<SchemaViolation>& violations);

// The largest maxLength a schema may pair with "pattern" (schemas/README.md).
inline constexpr size_t kMaxPatternSubjectLength = 1000;

// Checks `document` against the allowed keyword subset (schemas/README.md):
// empty when it conforms, otherwise one line per problem with its location.
std::vector<std::string> CheckSchemaSubset(const Json& document);

// Checks what any schema needs before it can be compiled and run safely:
// every "$ref" points into the document, and no schema reaches itself through
// $ref/allOf/anyOf/oneOf/not/if/then/else/dependencies without descending into
// the value (validation would never end). Empty when it conforms.
std::vector<std::string> CheckSchemaReferences(const Json& document);

// True when `document` is an object schema with "type":"object" at its root,
// as tool input and output schemas must be (2025-06-18 server/tools).
bool HasObjectRoot(const Json& document);

// The schemas under schemas/ (paths like "fixture/test_sampling.input.json").
// Thread-safe after construction.
class SchemaStore {
 public:
  // The schemas compiled into this binary. Every file is parsed and
  // subset-checked on first use, a bad one aborting with its path (a build
  // defect); each one's validators are built when it first validates
  // (CompiledSchema::When::kOnFirstUse).
  static const SchemaStore& Builtin();

  // Builds a store from explicit files (tests). Fails on the first bad file.
  static Result<std::unique_ptr<SchemaStore>> FromFiles(
      const std::map<std::string, std::string>& path_to_text,
      CompiledSchema::When when = CompiledSchema::When::kNow);

  // The compiled schema at `path`, or kNotFound.
  Result<const CompiledSchema*> Get(std::string_view path) const;
  std::vector<std::string> Paths() const;

 private:
  std::map<std::string, std::unique_ptr<CompiledSchema>, std::less<>> schemas_;
};

}  // namespace weft
