// Golden transcript files (golden/**/*.golden): parsing and rewriting.
//
// Format (golden/README.md): '#' lines are comments; the header is the
// comments before the line "-- setup: WORDS --", which every file has and
// which names what the server registers ("none" for nothing); "> " lines are frames the client sends,
// verbatim (so they may be malformed on purpose); "< " lines are the JSON
// messages the server answered, one per line, or pretty-printed over several
// lines when long (continuation lines start with two spaces). A "# await: METHOD" comment
// before a client line makes the runner wait, after sending it, for a server
// message with that method instead of the response to its id.
#pragma once

#include <string>
#include <vector>

namespace weft::testing {

struct GoldenStep {
  std::vector<std::string> comments;   // '#' lines before the client line
  std::string client;                  // frame to send
  std::string await_method;            // from "# await: METHOD", or empty
  std::vector<std::string> expected;   // "< " lines after it
};

struct GoldenFile {
  std::vector<std::string> header;     // comment lines before the setup line
  std::vector<std::string> setup;      // words from "-- setup: ... --"
  std::vector<GoldenStep> steps;
  std::vector<std::string> trailer;    // comments after the last step
};

// Parses `text`; a malformed file is reported in `error` (empty on success).
GoldenFile ParseGolden(const std::string& text, std::string* error);
// Renders `file` back to text, with `actual[i]` as the server lines of step i.
std::string RenderGolden(const GoldenFile& file, const std::vector<std::vector<std::string>>& actual);

}  // namespace weft::testing
