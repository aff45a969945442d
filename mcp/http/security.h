// HTTP security checks: Host and Origin validation (DNS rebinding), bearer
// tokens and the token file in the state directory.
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"
#include "mcp/http/options.h"

namespace weft::mcp {

// True for addresses that only this machine can reach: 127.0.0.0/8, ::1 and
// "localhost".
bool IsLoopbackAddress(std::string_view host);

// The Host header value is one of ours: a loopback name or address, the bind
// host, or one of options.allowed_hosts (any port). An absent Host (HTTP/1.0)
// is accepted by the caller, not here.
bool HostAllowed(std::string_view host_header, const HttpOptions& options);

// The Origin header names one of our hosts over http or https. "null" and
// other schemes are foreign.
bool OriginAllowed(std::string_view origin, const HttpOptions& options);

// `authorization` is "Bearer <token>" (scheme case-insensitive) for exactly
// `token`; compared in constant time.
bool BearerMatches(std::string_view authorization, std::string_view token);
// The token of an "Authorization: Bearer <token>" value (scheme
// case-insensitive, spaces around the token dropped); empty when the value
// is no bearer credential.
std::string_view BearerToken(std::string_view authorization);

// The token file inside a state directory.
std::string TokenPath(const std::string& state_dir);
// Reads the token from the state directory, generating one (256 random bits,
// hex; file mode 0600, directory 0700) when there is none. A file readable by
// others is tightened to 0600. `created` tells whether this call made it.
Result<std::string> LoadOrCreateToken(const std::string& state_dir, bool* created = nullptr);

}  // namespace weft::mcp
