// Tool globs: the patterns a grant names MCP tools with ("*", "fs_*",
// "git_*_list", "fs_read"), and the containment test Derive narrows by
// (docs/grants.md).
#pragma once

#include <string_view>

#include "core/base/status.h"

namespace weft::grants {

// The longest glob a grant accepts (a tool name is at most 128 characters).
inline constexpr size_t kMaxGlobLength = 128;

// A glob is 1 to kMaxGlobLength characters of a tool name ([A-Za-z0-9_.-])
// and the wildcards '*' (any run of characters, possibly empty) and '?'
// (exactly one). kInvalidArgument says which character is wrong.
Status CheckToolGlob(std::string_view glob);

// Whether `name` matches `glob` (a glob CheckToolGlob accepts). Linear in
// the lengths for the patterns grants hold; never recursive.
bool GlobMatches(std::string_view glob, std::string_view name);

// Whether every name `narrow` matches, `wide` matches too. Decided on the
// patterns, not by listing names: each '*' of `narrow` must fall within a
// '*' of `wide`, each '?' of `narrow` within a '?' or '*', and each literal
// within the same literal, a '?' or a '*'. Sound (true only when the
// containment holds); a few exotic equivalent spellings ("*?" within "?*")
// are not recognised, which only makes Derive refuse them.
bool GlobWithin(std::string_view narrow, std::string_view wide);

}  // namespace weft::grants
