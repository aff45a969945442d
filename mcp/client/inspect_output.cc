// mcp-inspect output: compact tables for lists, plain text for contents.
#include "mcp/client/inspect_output.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include "core/base/base64.h"

namespace weft::mcp::inspect {
namespace {

constexpr size_t kMaxColumn = 40;       // widest NAME/URI column before truncation
constexpr size_t kMaxDescription = 72;  // description column

// obj[key] when it is a string, else "".
std::string Str(const Json& obj, const char* key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

const Json& Array(const Json& obj, const char* key) {
  static const Json kEmpty = Json::array();
  if (!obj.is_object()) return kEmpty;
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? *it : kEmpty;
}

bool Flag(const Json& obj, const char* key) {
  if (!obj.is_object()) return false;
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() && it->get<bool>();
}

// First line of `text`, cut to `width` characters (UTF-8 aware) with "…".
std::string Clip(const std::string& text, size_t width) {
  std::string line = text.substr(0, text.find('\n'));
  size_t chars = 0, i = 0;
  for (; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (chars == width) break;
    ++chars;
  }
  if (i >= line.size()) return line;
  // Back up one character to make room for the ellipsis.
  size_t cut = i;
  do {
    --cut;
  } while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80);
  return line.substr(0, cut) + "…";
}

size_t DisplayWidth(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Rows of cells rendered as left-aligned columns separated by two spaces.
std::string Table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], DisplayWidth(row[c]));
  };
  measure(header);
  for (const auto& r : rows) measure(r);
  std::ostringstream out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(width[c] - DisplayWidth(row[c]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  emit(header);
  for (const auto& r : rows) emit(r);
  return out.str();
}

std::string Count(size_t n, const char* singular, const char* plural) {
  return std::to_string(n) + " " + (n == 1 ? singular : plural) + "\n";
}

std::string DecodedSize(const std::string& base64) {
  auto bytes = Base64Decode(base64);
  return bytes ? std::to_string(bytes->size()) + " bytes" : "invalid base64";
}

std::string ToolFlags(const Json& tool) {
  const Json& a = tool.is_object() && tool.contains("annotations") ? tool["annotations"] : Json();
  std::vector<std::string> flags;
  if (Flag(a, "readOnlyHint")) flags.push_back("read-only");
  if (Flag(a, "destructiveHint")) flags.push_back("destructive");
  if (Flag(a, "idempotentHint")) flags.push_back("idempotent");
  if (Flag(a, "openWorldHint")) flags.push_back("open-world");
  std::string out;
  for (const auto& f : flags) out += (out.empty() ? "" : ",") + f;
  return out.empty() ? "-" : out;
}

std::string ResourceContents(const Json& contents) {
  std::string uri = Str(contents, "uri");
  std::string mime = Str(contents, "mimeType");
  if (contents.is_object() && contents.contains("blob")) {
    return "[blob " + uri + (mime.empty() ? "" : " " + mime) + ", " + DecodedSize(Str(contents, "blob")) + "]\n";
  }
  std::string text = Str(contents, "text");
  if (!text.empty() && text.back() != '\n') text += "\n";
  return text;
}

std::string ContentBlock(const Json& block) {
  std::string type = Str(block, "type");
  if (type == "text") {
    std::string text = Str(block, "text");
    return text.empty() || text.back() == '\n' ? text : text + "\n";
  }
  if (type == "image" || type == "audio") {
    return "[" + type + " " + Str(block, "mimeType") + ", " + DecodedSize(Str(block, "data")) + "]\n";
  }
  if (type == "resource_link") {
    std::string name = Str(block, "name");
    return "[link " + Str(block, "uri") + (name.empty() ? "" : " (" + name + ")") + "]\n";
  }
  if (type == "resource") {
    const Json& r = block.is_object() && block.contains("resource") ? block["resource"] : Json();
    return "[resource " + Str(r, "uri") + "]\n" + ResourceContents(r);
  }
  return "[" + (type.empty() ? std::string("untyped") : type) + " block]\n";
}

}  // namespace

std::string FormatHandshake(const HandshakeSummary& s) {
  std::ostringstream out;
  out << "era:          " << s.era << " (protocol " << s.protocol_version << ")\n";
  if (s.supported_versions.is_array()) {
    std::string versions;
    for (const auto& v : s.supported_versions) {
      if (v.is_string()) versions += (versions.empty() ? "" : ", ") + v.get<std::string>();
    }
    out << "versions:     " << versions << "\n";
  }
  std::string title = Str(s.server_info, "title");
  out << "server:       " << (s.server_info.is_object() ? Str(s.server_info, "name") + " " + Str(s.server_info, "version")
                                                        : std::string("(not announced)"))
      << (title.empty() ? "" : " \"" + title + "\"") << "\n";
  std::string caps;
  if (s.capabilities.is_object()) {
    for (const auto& [name, value] : s.capabilities.items()) {
      std::string detail;
      if (value.is_object()) {
        for (const auto& [k, v] : value.items()) {
          if (v.is_boolean() && v.get<bool>()) detail += (detail.empty() ? "" : ", ") + k;
        }
      }
      caps += (caps.empty() ? "" : "; ") + name + (detail.empty() ? "" : " (" + detail + ")");
    }
  }
  out << "capabilities: " << (caps.empty() ? "(none)" : caps) << "\n";
  if (!s.instructions.empty()) out << "instructions: " << Clip(s.instructions, 200) << "\n";
  return out.str();
}

Json HandshakeJson(const HandshakeSummary& s, const Json& raw_result) {
  Json j = {{"era", s.era}, {"protocolVersion", s.protocol_version},
            {"serverInfo", s.server_info}, {"capabilities", s.capabilities}};
  if (!s.instructions.empty()) j["instructions"] = s.instructions;
  if (!s.supported_versions.is_null()) j["supportedVersions"] = s.supported_versions;
  j["result"] = raw_result;
  return j;
}

std::string FormatTools(const Json& r) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : Array(r, "tools")) {
    rows.push_back({Clip(Str(t, "name"), kMaxColumn), ToolFlags(t), Clip(Str(t, "description"), kMaxDescription)});
  }
  return Table({"NAME", "HINTS", "DESCRIPTION"}, rows) + Count(rows.size(), "tool", "tools");
}

std::string FormatToolResult(const Json& r) {
  std::string out;
  const Json& content = Array(r, "content");
  for (const auto& block : content) out += ContentBlock(block);
  if (content.empty() && r.is_object() && r.contains("structuredContent")) {
    out += r["structuredContent"].dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
  }
  return out;
}

std::string FormatResources(const Json& r) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& res : Array(r, "resources")) {
    std::string size;
    if (res.is_object() && res.contains("size") && res["size"].is_number()) size = res["size"].dump();
    rows.push_back({Clip(Str(res, "uri"), 60), Clip(Str(res, "name"), kMaxColumn), Str(res, "mimeType"),
                    size.empty() ? "-" : size});
  }
  return Table({"URI", "NAME", "MIME", "SIZE"}, rows) + Count(rows.size(), "resource", "resources");
}

std::string FormatResourceContents(const Json& r) {
  std::string out;
  const Json& contents = Array(r, "contents");
  for (const auto& c : contents) {
    if (contents.size() > 1) out += "--- " + Str(c, "uri") + "\n";
    out += ResourceContents(c);
  }
  return out;
}

std::string FormatTemplates(const Json& r) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : Array(r, "resourceTemplates")) {
    rows.push_back({Clip(Str(t, "uriTemplate"), 60), Clip(Str(t, "name"), kMaxColumn),
                    Clip(Str(t, "description"), kMaxDescription)});
  }
  return Table({"URI TEMPLATE", "NAME", "DESCRIPTION"}, rows) + Count(rows.size(), "template", "templates");
}

std::string FormatPrompts(const Json& r) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : Array(r, "prompts")) {
    std::string args;
    for (const auto& a : Array(p, "arguments")) {
      args += (args.empty() ? "" : ", ") + Str(a, "name") + (Flag(a, "required") ? "*" : "");
    }
    rows.push_back({Clip(Str(p, "name"), kMaxColumn), args.empty() ? "-" : Clip(args, kMaxColumn),
                    Clip(Str(p, "description"), kMaxDescription)});
  }
  return Table({"NAME", "ARGUMENTS (* required)", "DESCRIPTION"}, rows) + Count(rows.size(), "prompt", "prompts");
}

std::string FormatPrompt(const Json& r) {
  std::string out;
  std::string description = Str(r, "description");
  if (!description.empty()) out += description + "\n\n";
  for (const auto& m : Array(r, "messages")) {
    out += "[" + Str(m, "role") + "] ";
    out += ContentBlock(m.is_object() && m.contains("content") ? m["content"] : Json());
  }
  return out;
}

std::string FormatProgress(const Json& p) {
  auto number = [&](const char* key) {
    return p.is_object() && p.contains(key) && p[key].is_number() ? p[key].dump() : std::string();
  };
  std::string progress = number("progress"), total = number("total"), message = Str(p, "message");
  return "[progress] " + (progress.empty() ? "?" : progress) + (total.empty() ? "" : "/" + total) +
         (message.empty() ? "" : " " + message);
}

std::string FormatLogMessage(const Json& p) {
  std::string level = Str(p, "level"), logger = Str(p, "logger");
  std::string data;
  if (p.is_object() && p.contains("data")) {
    data = p["data"].is_string() ? p["data"].get<std::string>()
                                 : p["data"].dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  return "[server " + (level.empty() ? std::string("log") : level) + "] " + (logger.empty() ? "" : logger + ": ") +
         data;
}

}  // namespace weft::mcp::inspect
