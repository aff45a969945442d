// Golden transcript parsing and rendering.
#include "tests/golden/golden_file.h"

#include <sstream>

#include <nlohmann/json.hpp>

namespace weft::testing {
namespace {

std::vector<std::string> SplitWords(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// Messages longer than this are written one member per line, so that a change
// to one tool or field shows up in review as a change to one line.
constexpr size_t kLongMessage = 200;

std::string PrettyIfLong(const std::string& compact) {
  if (compact.size() <= kLongMessage) return compact;
  nlohmann::json j = nlohmann::json::parse(compact, nullptr, false);
  if (j.is_discarded()) return compact;
  std::string pretty = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  for (char c : pretty) {
    out += c;
    if (c == '\n') out += "  ";  // continuation lines start with two spaces
  }
  return out;
}

}  // namespace

GoldenFile ParseGolden(const std::string& text, std::string* error) {
  GoldenFile file;
  std::istringstream in(text);
  std::vector<std::string> pending_comments;
  std::string line;
  int lineno = 0;
  bool has_setup = false;
  error->clear();
  while (std::getline(in, line)) {
    ++lineno;
    if (line.rfind("-- setup:", 0) == 0) {
      size_t end = line.rfind("--");
      if (end <= 9) {
        *error = "line " + std::to_string(lineno) + ": setup line must end with --";
        return file;
      }
      file.setup = SplitWords(line.substr(9, end - 9));
      file.header = std::move(pending_comments);
      pending_comments.clear();
      has_setup = true;
      continue;
    }
    if (line.rfind("> ", 0) == 0) {
      if (!has_setup) {
        *error = "line " + std::to_string(lineno) + ": a client line before the '-- setup: … --' line";
        return file;
      }
      GoldenStep step;
      step.comments = std::move(pending_comments);
      pending_comments.clear();
      for (const auto& c : step.comments) {
        if (c.rfind("# await:", 0) == 0) {
          auto words = SplitWords(c.substr(8));
          if (!words.empty()) step.await_method = words[0];
        }
      }
      step.client = line.substr(2);
      file.steps.push_back(std::move(step));
      continue;
    }
    if (line.rfind("< ", 0) == 0) {
      if (file.steps.empty()) {
        *error = "line " + std::to_string(lineno) + ": a server line before any client line";
        return file;
      }
      file.steps.back().expected.push_back(line.substr(2));
      continue;
    }
    if (line.rfind("  ", 0) == 0 && !file.steps.empty() && !file.steps.back().expected.empty() &&
        pending_comments.empty()) {
      file.steps.back().expected.back() += "\n" + line.substr(2);  // a long message, pretty-printed
      continue;
    }
    if (line.empty() || line[0] == '#') {
      pending_comments.push_back(line);
      continue;
    }
    *error = "line " + std::to_string(lineno) + ": expected '#', '> ', '< ' or '-- setup: … --'";
    return file;
  }
  file.trailer = std::move(pending_comments);
  return file;
}

std::string RenderGolden(const GoldenFile& file, const std::vector<std::vector<std::string>>& actual) {
  std::ostringstream out;
  for (const auto& h : file.header) out << h << "\n";
  out << "-- setup:";
  for (const auto& w : file.setup) out << " " << w;
  out << " --\n";
  for (size_t i = 0; i < file.steps.size(); ++i) {
    const auto& step = file.steps[i];
    for (const auto& c : step.comments) out << c << "\n";
    out << "> " << step.client << "\n";
    const auto& lines = i < actual.size() ? actual[i] : step.expected;
    for (const auto& l : lines) out << "< " << PrettyIfLong(l) << "\n";
  }
  for (const auto& t : file.trailer) out << t << "\n";
  return out.str();
}

}  // namespace weft::testing
