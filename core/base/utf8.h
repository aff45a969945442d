// UTF-8 checks shared by every layer that turns raw bytes (file contents,
// names, process output, git's output) into text for JSON replies.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace weft {

// The length of the valid UTF-8 sequence that starts at s[i] (1 for ASCII),
// or 0 when it is not one: stray continuation bytes, overlong forms,
// surrogates and code points past U+10FFFF are invalid (RFC 3629 §4). With
// `partial`, a valid beginning of a sequence cut off by the end of `s`
// counts as valid: its length is what remains of `s`.
size_t Utf8SequenceLength(std::string_view s, size_t i, bool partial = false);

// `bytes` with each byte that is not part of a valid sequence replaced by
// U+FFFD, appended to `*out` / returned.
void AppendValidUtf8(std::string* out, std::string_view bytes);
std::string ValidUtf8(std::string_view bytes);

}  // namespace weft
