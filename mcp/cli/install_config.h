// The configuration entries `weft install` writes for Claude Code and Zed, and
// the pure merges of those entries into the editors' config file text.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/base/result.h"

namespace weft::cli {

// Claude Code's configuration scopes (where `claude mcp add --scope` writes).
enum class ClaudeScope { kLocal, kUser, kProject };

// "local", "user" or "project"; InvalidArgument otherwise.
Result<ClaudeScope> ParseClaudeScope(std::string_view scope);
std::string_view ClaudeScopeName(ClaudeScope scope);

// Server names: letters, digits, '-' and '_' (what `claude mcp add` accepts,
// and what keeps Claude's tool names mcp__<name>__<tool> intact).
Status ValidateServerName(const std::string& name);
// An http:// or https:// URL with something after the scheme.
Status ValidateServerUrl(const std::string& url);

// `s` quoted for a POSIX shell when it needs it ('…' with '\'' for quotes).
std::string ShellQuote(const std::string& s);

// {"type":"stdio","command":<weft>,"args":["serve","--stdio"]}. Claude Code
// starts stdio servers in the project directory, which is what weft serves.
nlohmann::ordered_json ClaudeStdioEntry(const std::string& weft_path);
// {"type":"http","url":<url>}, plus headers.Authorization "Bearer <token>"
// when `token` is not empty.
nlohmann::ordered_json ClaudeHttpEntry(const std::string& url, const std::string& token);
// {"command":"sh","args":["-c","cd <dir> && exec <weft> serve --stdio"]}:
// Zed starts context servers in its own working directory, so the command
// changes to the directory to serve first.
nlohmann::ordered_json ZedStdioEntry(const std::string& weft_path, const std::string& project_dir);
// {"url":<url>}, plus headers.Authorization when `token` is not empty.
nlohmann::ordered_json ZedHttpEntry(const std::string& url, const std::string& token);

struct MergeRequest {
  std::string name;              // the server's name in the config
  nlohmann::ordered_json entry;  // the server's configuration
  bool force = false;            // replace an existing, different entry of that name
};

struct MergeResult {
  std::string text;         // the whole new file; equals the input when unchanged
  bool unchanged = false;   // the same entry was already there
  bool replaced = false;    // a different entry of that name was replaced (force)
  bool edited_in_place = false;  // comments kept: the entry was inserted into the text
};

// Merges the entry into a Claude Code config file's text: for kProject the
// text of ./.mcp.json (top-level "mcpServers"); for kUser that of
// ~/.claude.json (top-level "mcpServers"); for kLocal that of ~/.claude.json
// (projects[project_dir].mcpServers). Empty text is a new file. Every other
// key and server is kept; the output is pretty-printed with 2-space indent.
// Errors: InvalidArgument (not JSON, or a containing value is not an object),
// AlreadyExists (a different entry of that name and no force; the message
// shows both).
Result<MergeResult> MergeClaudeConfig(const std::string& text, ClaudeScope scope, const std::string& project_dir,
                                      const MergeRequest& request);

// Merges the entry into Zed's settings.json text under "context_servers".
// Without comments or trailing commas the file is rewritten pretty-printed
// with 2-space indent. With them, a new entry is inserted into the text,
// keeping every other byte, when that provably yields the intended document;
// otherwise FailedPrecondition whose message holds the snippet to paste.
// Errors as MergeClaudeConfig.
Result<MergeResult> MergeZedSettings(const std::string& text, const MergeRequest& request);

// What to paste by hand: `"<name>": <entry>` inside `"<container>": { … }`.
std::string ConfigSnippet(const std::string& container, const MergeRequest& request);

}  // namespace weft::cli
