// Media type sniffing by magic bytes and extension.
#include "core/base/media_type.h"

#include <algorithm>
#include <cctype>

namespace weft {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

const char* ByMagic(std::string_view h) {
  using namespace std::string_view_literals;
  if (StartsWith(h, "\x89PNG\r\n\x1a\n"sv)) return "image/png";
  if (StartsWith(h, "\xff\xd8\xff"sv)) return "image/jpeg";
  if (StartsWith(h, "GIF87a"sv) || StartsWith(h, "GIF89a"sv)) return "image/gif";
  if (h.size() >= 12 && StartsWith(h, "RIFF"sv) && h.substr(8, 4) == "WEBP"sv) return "image/webp";
  if (h.size() >= 12 && StartsWith(h, "RIFF"sv) && h.substr(8, 4) == "WAVE"sv) return "audio/wav";
  if (StartsWith(h, "%PDF-"sv)) return "application/pdf";
  if (StartsWith(h, "ID3"sv) || (h.size() >= 2 && static_cast<unsigned char>(h[0]) == 0xff &&
                                 (static_cast<unsigned char>(h[1]) & 0xe0) == 0xe0 &&
                                 (static_cast<unsigned char>(h[1]) & 0x06) != 0)) {
    return "audio/mpeg";
  }
  if (StartsWith(h, "OggS"sv)) return "audio/ogg";
  if (StartsWith(h, "fLaC"sv)) return "audio/flac";
  if (StartsWith(h, "PK\x03\x04"sv)) return "application/zip";
  if (StartsWith(h, "\x1f\x8b"sv)) return "application/gzip";
  return nullptr;
}

struct Extension {
  const char* ext;
  const char* type;
};

constexpr Extension kExtensions[] = {
    {"md", "text/markdown"},         {"markdown", "text/markdown"}, {"txt", "text/plain"},
    {"html", "text/html"},           {"htm", "text/html"},          {"css", "text/css"},
    {"csv", "text/csv"},             {"json", "application/json"},  {"js", "text/javascript"},
    {"mjs", "text/javascript"},      {"ts", "text/x-typescript"},   {"xml", "application/xml"},
    {"yaml", "application/yaml"},    {"yml", "application/yaml"},   {"toml", "application/toml"},
    {"svg", "image/svg+xml"},        {"png", "image/png"},          {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},          {"gif", "image/gif"},          {"webp", "image/webp"},
    {"wav", "audio/wav"},            {"mp3", "audio/mpeg"},         {"ogg", "audio/ogg"},
    {"flac", "audio/flac"},          {"pdf", "application/pdf"},    {"zip", "application/zip"},
    {"gz", "application/gzip"},      {"c", "text/x-c"},             {"h", "text/x-c"},
    {"cc", "text/x-c++"},            {"cpp", "text/x-c++"},         {"hpp", "text/x-c++"},
    {"py", "text/x-python"},         {"rs", "text/x-rust"},         {"go", "text/x-go"},
    {"java", "text/x-java"},         {"sh", "text/x-shellscript"},  {"rb", "text/x-ruby"},
};

const char* ByExtension(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return nullptr;
  std::string ext(name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const Extension& e : kExtensions) {
    if (ext == e.ext) return e.type;
  }
  return nullptr;
}

}  // namespace

std::string MediaTypeFor(std::string_view path, std::string_view head) {
  if (const char* t = ByMagic(head)) return t;
  if (const char* t = ByExtension(path)) return t;
  return head.empty() || LooksLikeText(head) ? "text/plain" : "application/octet-stream";
}

bool LooksLikeText(std::string_view bytes) {
  size_t i = 0;
  const size_t n = bytes.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == 0) return false;
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || (len == 2 && c < 0xc2) || (len == 4 && c > 0xf4)) return false;
    for (size_t k = 1; k < len; ++k) {
      if (i + k >= n) return true;  // cut off at the end of a prefix
      if ((static_cast<unsigned char>(bytes[i + k]) & 0xc0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

}  // namespace weft
