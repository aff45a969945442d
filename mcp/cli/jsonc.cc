// JSON with comments and trailing commas: a tokenizer that blanks comments and
// trailing commas, then nlohmann for the values.
#include "mcp/cli/jsonc.h"

#include <algorithm>
#include <cstring>

namespace weft::cli {
namespace {

// One token of the text: a structural character ('{', '}', '[', ']', ':',
// ','), a string ('s') or any other scalar ('v'), as the byte range it covers.
struct Token {
  char kind;
  size_t begin;
  size_t end;
};

struct Scan {
  std::vector<Token> tokens;
  std::string stripped;  // the text with comments and trailing commas blanked
  bool has_comments = false;
  bool has_trailing_commas = false;
};

size_t LineOf(const std::string& text, size_t offset) {
  return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

Status ErrorAt(const std::string& text, size_t offset, const std::string& what) {
  return Status::InvalidArgument("line " + std::to_string(LineOf(text, offset)) + ": " + what);
}

// Overwrites [begin, end) of `s` with spaces, keeping newlines so that line
// numbers in later error messages stay right.
void Blank(std::string& s, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    if (s[i] != '\n') s[i] = ' ';
  }
}

bool IsDelimiter(char c) { return std::strchr("{}[]:,\"/ \t\r\n", c) != nullptr; }

Result<size_t> SkipComment(const std::string& text, size_t i) {
  if (i + 1 < text.size() && text[i + 1] == '/') {
    size_t nl = text.find('\n', i);
    return nl == std::string::npos ? text.size() : nl;
  }
  if (i + 1 < text.size() && text[i + 1] == '*') {
    size_t close = text.find("*/", i + 2);
    if (close == std::string::npos) return ErrorAt(text, i, "unterminated /* comment");
    return close + 2;
  }
  return ErrorAt(text, i, "unexpected '/'");
}

Result<size_t> SkipString(const std::string& text, size_t i) {
  for (size_t j = i + 1; j < text.size(); ++j) {
    if (text[j] == '\\') {
      ++j;
    } else if (text[j] == '"') {
      return j + 1;
    } else if (text[j] == '\n') {
      break;
    }
  }
  return ErrorAt(text, i, "unterminated string");
}

Result<Scan> Tokenize(const std::string& text) {
  Scan scan;
  scan.stripped = text;
  size_t i = 0;
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) {  // a UTF-8 byte order mark
    Blank(scan.stripped, 0, 3);
    i = 3;
  }
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
    } else if (c == '/') {
      WEFT_ASSIGN_OR_RETURN(size_t end, SkipComment(text, i));
      Blank(scan.stripped, i, end);
      scan.has_comments = true;
      i = end;
    } else if (c == '"') {
      WEFT_ASSIGN_OR_RETURN(size_t end, SkipString(text, i));
      scan.tokens.push_back({'s', i, end});
      i = end;
    } else if (std::strchr("{}[]:,", c) != nullptr) {
      if ((c == '}' || c == ']') && !scan.tokens.empty() && scan.tokens.back().kind == ',') {
        Blank(scan.stripped, scan.tokens.back().begin, scan.tokens.back().end);
        scan.tokens.pop_back();
        scan.has_trailing_commas = true;
      }
      scan.tokens.push_back({c, i, i + 1});
      ++i;
    } else {
      size_t end = i;
      while (end < text.size() && !IsDelimiter(text[end])) ++end;
      scan.tokens.push_back({'v', i, end});
      i = end;
    }
  }
  return scan;
}

Result<nlohmann::ordered_json> ParseStripped(const std::string& stripped, bool empty) {
  if (empty) return nlohmann::ordered_json();
  try {
    return nlohmann::ordered_json::parse(stripped);
  } catch (const nlohmann::json::parse_error& e) {
    return Status::InvalidArgument(e.what());
  }
}

// Index of the token that closes the value starting at token `i`.
size_t ValueEnd(const std::vector<Token>& tokens, size_t i) {
  if (tokens[i].kind != '{' && tokens[i].kind != '[') return i;
  int depth = 0;
  for (size_t j = i; j < tokens.size(); ++j) {
    char k = tokens[j].kind;
    if (k == '{' || k == '[') ++depth;
    if (k == '}' || k == ']') --depth;
    if (depth == 0) return j;
  }
  return tokens.size() - 1;
}

// The index of the '{' token of member `key` of the object opened at token
// `open`, or 0 when there is none (token 0 is never a member's value).
size_t FindMemberObject(const std::string& text, const std::vector<Token>& tokens, size_t open,
                        const std::string& key) {
  size_t found = 0;
  size_t close = ValueEnd(tokens, open);
  for (size_t i = open + 1; i + 2 < close; ++i) {
    if (tokens[i].kind != 's' || tokens[i + 1].kind != ':') continue;
    auto name = nlohmann::json::parse(text.substr(tokens[i].begin, tokens[i].end - tokens[i].begin), nullptr, false);
    size_t value = i + 2;
    if (name.is_string() && name.get<std::string>() == key) found = tokens[value].kind == '{' ? value : 0;
    i = ValueEnd(tokens, value);
  }
  return found;
}

// The leading whitespace of the line holding byte `offset`.
std::string IndentOfLine(const std::string& text, size_t offset) {
  size_t line = text.rfind('\n', offset);
  line = line == std::string::npos ? 0 : line + 1;
  size_t end = line;
  while (end < text.size() && (text[end] == ' ' || text[end] == '\t')) ++end;
  return text.substr(line, end - line);
}

std::string Reindent(const std::string& s, const std::string& indent) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '\n') out += indent;
  }
  return out;
}

}  // namespace

Result<JsoncDocument> ParseJsonc(const std::string& text) {
  WEFT_ASSIGN_OR_RETURN(Scan scan, Tokenize(text));
  JsoncDocument doc;
  doc.has_comments = scan.has_comments;
  doc.has_trailing_commas = scan.has_trailing_commas;
  WEFT_ASSIGN_OR_RETURN(doc.value, ParseStripped(scan.stripped, scan.tokens.empty()));
  return doc;
}

Result<std::string> InsertJsoncMember(const std::string& text, const std::vector<std::string>& object_path,
                                      const std::string& key, const nlohmann::ordered_json& value) {
  WEFT_ASSIGN_OR_RETURN(Scan scan, Tokenize(text));
  WEFT_ASSIGN_OR_RETURN(nlohmann::ordered_json before, ParseStripped(scan.stripped, scan.tokens.empty()));
  const std::vector<Token>& tokens = scan.tokens;
  if (!before.is_object() || tokens.empty() || tokens[0].kind != '{') {
    return Status::FailedPrecondition("the top level is not an object");
  }
  size_t open = 0;
  for (const std::string& step : object_path) {
    open = FindMemberObject(text, tokens, open, step);
    if (open == 0) return Status::FailedPrecondition("\"" + step + "\" is missing or not an object");
  }
  const Token& next = tokens[open + 1];
  bool empty = next.kind == '}';
  std::string outer = IndentOfLine(text, tokens[open].begin);
  bool next_on_own_line = text.find('\n', tokens[open].begin) < next.begin;
  std::string indent = !empty && next_on_own_line ? IndentOfLine(text, next.begin) : outer + "  ";
  std::string member = "\n" + indent + nlohmann::ordered_json(key).dump() + ": " + Reindent(value.dump(2), indent);
  member += empty ? "\n" + outer : ",";
  if (!empty && !next_on_own_line) member += " ";
  std::string result = text;
  result.insert(tokens[open].end, member);

  // Proof by re-reading: the new text must mean the old document plus the member.
  nlohmann::json expected = nlohmann::json::parse(before.dump());
  nlohmann::json* parent = &expected;
  for (const std::string& step : object_path) parent = &(*parent)[step];
  if (parent->contains(key)) return Status::FailedPrecondition("\"" + key + "\" is already there");
  (*parent)[key] = nlohmann::json::parse(value.dump());
  auto reread = ParseJsonc(result);
  if (!reread.ok() || nlohmann::json::parse(reread->value.dump()) != expected) {
    return Status::FailedPrecondition("the text could not be edited in place");
  }
  return result;
}

}  // namespace weft::cli
