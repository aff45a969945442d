// EmbeddedFile: a data file compiled into the binary (see cmake/EmbedFiles.cmake).
#pragma once

#include <string_view>
#include <vector>

namespace weft {

struct EmbeddedFile {
  std::string_view path;     // relative to the embedded tree's root, '/'-separated
  std::string_view content;  // the file's bytes; static storage
};

}  // namespace weft
