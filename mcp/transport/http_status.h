// HTTP status reason phrases (RFC 9110 §15), shared by the HTTP server and
// client transports for their messages.
#pragma once

#include <string_view>

namespace weft::mcp {

// The reason phrase of `status` ("Not Found"), or "" for a code not listed.
std::string_view HttpReasonPhrase(int status);

}  // namespace weft::mcp
