// Media types: what a file's name and first bytes say it holds.
#pragma once

#include <string>
#include <string_view>

namespace weft {

// The media type for a file named `path` whose content starts with `head`
// (magic bytes first: PNG, JPEG, GIF, WebP, PDF, WAV, MP3, OGG, FLAC, ZIP,
// gzip; then the extension; then text/plain when `head` looks like text,
// else application/octet-stream). `head` may be empty.
std::string MediaTypeFor(std::string_view path, std::string_view head);

// True when `bytes` look like text: valid UTF-8 with no NUL byte. A
// multi-byte sequence cut off at the very end counts as valid (the caller
// may have read only a prefix).
bool LooksLikeText(std::string_view bytes);

}  // namespace weft
