// QuickSchema: a direct check of a value against a schema, for the common
// case where the value conforms. valijson (CompiledSchema) walks its own
// adapter objects and costs about a microsecond per value checked; replies
// with thousands of entries (fs_list, fs_glob) spent as long being checked
// as being built. This walks the nlohmann value and the schema as compiled
// here, and answers only what it can decide exactly: any doubt (a keyword
// it does not model, a float where an integer is required, a pattern) is
// kUnsure, and the caller asks valijson. CompiledSchema::Validate uses it
// first and trusts only kValid; violations are always reported by valijson,
// so messages do not depend on this file.
#pragma once

#include <memory>
#include <vector>

#include "core/base/json.h"

namespace weft {

class QuickSchema {
 public:
  enum class Verdict { kValid, kInvalid, kUnsure };

  // nullptr when `document` uses a keyword or a form this check does not
  // model (then every value goes to valijson). Keywords follow draft-07 as
  // valijson applies it, within the subset schemas/README.md allows.
  static std::unique_ptr<QuickSchema> Compile(const Json& document);

  Verdict Check(const Json& value) const;

  struct Node;
  ~QuickSchema();

 private:
  QuickSchema();
  std::vector<std::unique_ptr<Node>> nodes_;
  const Node* root_ = nullptr;
};

}  // namespace weft
