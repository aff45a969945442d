// Config entries for Claude Code and Zed, and their merges into file text.
#include "mcp/cli/install_config.h"

#include <vector>

#include "mcp/cli/jsonc.h"

namespace weft::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string Prefixed(const Json& value, const std::string& prefix) {
  std::string out = prefix;
  for (char c : value.dump(2)) {
    out += c;
    if (c == '\n') out += prefix;
  }
  return out + "\n";
}

Status ExistsError(const std::string& name, const Json& old_entry, const Json& new_entry) {
  return Status::AlreadyExists("a server named \"" + name +
                               "\" is already configured; --force replaces it.\n"
                               "- current\n+ new\n" +
                               Prefixed(old_entry, "- ") + Prefixed(new_entry, "+ "));
}

// Puts the entry into `servers` (an object, or null for a new one).
Result<MergeResult> MergeInto(Json& servers, const MergeRequest& request) {
  MergeResult result;
  if (servers.is_null()) servers = Json::object();
  if (!servers.is_object()) return Status::InvalidArgument("the servers value is not a JSON object");
  if (servers.contains(request.name)) {
    const Json& old_entry = servers[request.name];
    if (old_entry == request.entry) {
      result.unchanged = true;
      return result;
    }
    if (!request.force) return ExistsError(request.name, old_entry, request.entry);
    result.replaced = true;
  }
  servers[request.name] = request.entry;
  return result;
}

Result<Json> ParseObject(const std::string& text) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return Json::object();
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("not valid JSON");
  if (!doc.is_object()) return Status::InvalidArgument("the top level is not a JSON object");
  return doc;
}

std::string Pretty(const Json& doc) { return doc.dump(2) + "\n"; }

}  // namespace

Result<ClaudeScope> ParseClaudeScope(std::string_view scope) {
  if (scope == "local") return ClaudeScope::kLocal;
  if (scope == "user") return ClaudeScope::kUser;
  if (scope == "project") return ClaudeScope::kProject;
  return Status::InvalidArgument("unknown scope '" + std::string(scope) + "' (use local, user or project)");
}

std::string_view ClaudeScopeName(ClaudeScope scope) {
  switch (scope) {
    case ClaudeScope::kLocal: return "local";
    case ClaudeScope::kUser: return "user";
    case ClaudeScope::kProject: return "project";
  }
  return "local";
}

Status ValidateServerName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_');
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument("bad server name '" + name +
                                 "': use 1-64 letters, digits, '-' or '_'");
}

Status ValidateServerUrl(const std::string& url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.rfind(scheme, 0) == 0 && url.size() > scheme.size() &&
        url.find_first_of(" \t\r\n") == std::string::npos) {
      return Status::Ok();
    }
  }
  return Status::InvalidArgument("--http needs an http:// or https:// URL, e.g. http://127.0.0.1:8765/mcp");
}

std::string ShellQuote(const std::string& s) {
  bool plain = !s.empty();
  for (char c : s) {
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      std::string_view("/._-+,:=@%").find(c) != std::string_view::npos);
  }
  if (plain) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Json ClaudeStdioEntry(const std::string& weft_path) {
  return Json{{"type", "stdio"}, {"command", weft_path}, {"args", {"serve", "--stdio"}}};
}

Json ClaudeHttpEntry(const std::string& url, const std::string& token) {
  Json entry{{"type", "http"}, {"url", url}};
  if (!token.empty()) entry["headers"] = Json{{"Authorization", "Bearer " + token}};
  return entry;
}

Json ZedStdioEntry(const std::string& weft_path, const std::string& project_dir) {
  std::string script = "cd " + ShellQuote(project_dir) + " && exec " + ShellQuote(weft_path) + " serve --stdio";
  return Json{{"command", "sh"}, {"args", {"-c", script}}};
}

Json ZedHttpEntry(const std::string& url, const std::string& token) {
  Json entry{{"url", url}};
  if (!token.empty()) entry["headers"] = Json{{"Authorization", "Bearer " + token}};
  return entry;
}

Result<MergeResult> MergeClaudeConfig(const std::string& text, ClaudeScope scope, const std::string& project_dir,
                                      const MergeRequest& request) {
  WEFT_ASSIGN_OR_RETURN(Json doc, ParseObject(text));
  Json* holder = &doc;
  if (scope == ClaudeScope::kLocal) {
    Json& projects = doc["projects"];
    if (projects.is_null()) projects = Json::object();
    if (!projects.is_object()) return Status::InvalidArgument("\"projects\" is not a JSON object");
    holder = &projects[project_dir];
    if (holder->is_null()) *holder = Json::object();
    if (!holder->is_object()) return Status::InvalidArgument("projects[\"" + project_dir + "\"] is not a JSON object");
  }
  WEFT_ASSIGN_OR_RETURN(MergeResult result, MergeInto((*holder)["mcpServers"], request));
  result.text = result.unchanged ? text : Pretty(doc);
  return result;
}

Result<MergeResult> MergeZedSettings(const std::string& text, const MergeRequest& request) {
  WEFT_ASSIGN_OR_RETURN(JsoncDocument parsed, ParseJsonc(text));
  Json doc = parsed.value.is_null() ? Json::object() : parsed.value;
  if (!doc.is_object()) return Status::InvalidArgument("the top level is not a JSON object");
  Json original = doc;
  WEFT_ASSIGN_OR_RETURN(MergeResult result, MergeInto(doc["context_servers"], request));
  if (result.unchanged) {
    result.text = text;
    return result;
  }
  if (!parsed.has_comments && !parsed.has_trailing_commas) {
    result.text = Pretty(doc);
    return result;
  }
  // Comments would be lost by a rewrite: insert the entry into the text instead.
  if (!result.replaced) {
    bool has_servers = original.contains("context_servers");
    auto edited = has_servers ? InsertJsoncMember(text, {"context_servers"}, request.name, request.entry)
                              : InsertJsoncMember(text, {}, "context_servers", Json{{request.name, request.entry}});
    if (edited.ok()) {
      result.text = *edited;
      result.edited_in_place = true;
      return result;
    }
  }
  return Status::FailedPrecondition(
      "the file has comments or trailing commas, which a rewrite would lose, and weft cannot " +
      std::string(result.replaced ? "replace the existing entry" : "add the entry") +
      " in place safely. Nothing was written. Edit it by hand: " +
      (result.replaced ? "replace the \"" + request.name + "\" entry inside \"context_servers\" so that it reads"
                       : "put this inside the top-level \"context_servers\" object (create it if missing)") +
      ":\n\n" + ConfigSnippet("context_servers", request));
}

std::string ConfigSnippet(const std::string& container, const MergeRequest& request) {
  Json snippet = Json{{container, Json{{request.name, request.entry}}}};
  return snippet.dump(2) + "\n";
}

}  // namespace weft::cli
