// The search venom's op handlers (code.cc, files.cc), registered by
// search_venom.cc.
#pragma once

#include "core/base/json.h"
#include "core/base/result.h"
#include "core/venoms/registry.h"
#include "core/venoms/search/search_common.h"

namespace weft::venoms::search {

Result<Reply> SearchCode(SearchState& state, Context& ctx, const Json& args);
Result<Reply> SearchFiles(SearchState& state, Context& ctx, const Json& args);

}  // namespace weft::venoms::search
