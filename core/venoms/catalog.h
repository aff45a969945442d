// The catalog: what the venom registry holds, as data (venoms.json for the
// /.weft catalog and `weft call`) and as the reference docs/tools.md.
#pragma once

#include <string>

#include "core/base/json.h"
#include "core/venoms/registry.h"

namespace weft::venoms {

// {"venoms":[{"name","ops":[{"op","tool","title","description","right",
// "annotations":{…},"input_schema","output_schema"}]}]} in registration order.
Json CatalogJson(const Registry& registry);

// docs/tools.md: every op with its hints, right, arguments and result
// fields, generated from the registry (tests fail when the file is stale).
std::string ToolsMarkdown(const Registry& registry);

}  // namespace weft::venoms
