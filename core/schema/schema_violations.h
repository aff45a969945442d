// ExplainSchemaErrors: turns valijson's error reports into SchemaViolations.
// Internal to the registry library (schema.cc keeps valijson to itself).
#pragma once

#include <string>
#include <vector>

#include "core/schema/schema.h"

namespace weft {

// One valijson error: its context ("<root>", then "[key]" or "[index]" per
// level) and its description, as valijson wrote them.
struct RawSchemaError {
  std::vector<std::string> context;
  std::string description;
};

// The violations `errors` describe, in valijson's order without repeats, for
// `value` checked against `schema` (the document as written). Never empty.
std::vector<SchemaViolation> ExplainSchemaErrors(const Json& schema, const Json& value,
                                                 const std::vector<RawSchemaError>& errors);

}  // namespace weft
