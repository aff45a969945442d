// Host/Origin validation, bearer tokens, the token file.
#include "mcp/http/security.h"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>

#include "core/base/files.h"
#include "core/base/log.h"
#include "core/base/random.h"
#include "core/base/state_dir.h"

namespace weft::mcp {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// "host", "host:port", "[v6]" or "[v6]:port" → the host without brackets;
// empty when malformed (bad port, unbalanced brackets).
std::string StripPort(std::string_view authority) {
  if (authority.empty()) return {};
  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return {};
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return {};
      port = rest.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      if (authority.find(':') != colon) return {};  // bare IPv6 without brackets
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
  }
  if (authority.find(':') != std::string_view::npos && port.empty() && authority.back() == ':') return {};
  if (!std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }) || port.size() > 5) {
    return {};
  }
  return Lower(host);
}

bool OurHost(const std::string& host, const HttpOptions& options) {
  if (host.empty()) return false;
  if (IsLoopbackAddress(host)) return true;
  if (host == Lower(options.host)) return true;
  for (const auto& h : options.allowed_hosts) {
    if (host == Lower(h)) return true;
  }
  return false;
}

}  // namespace

bool IsLoopbackAddress(std::string_view host) {
  std::string h = Lower(host);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h == "localhost") return true;
  in_addr v4;
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6;
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

bool HostAllowed(std::string_view host_header, const HttpOptions& options) {
  return OurHost(StripPort(host_header), options);
}

bool OriginAllowed(std::string_view origin, const HttpOptions& options) {
  std::string o = Lower(origin);
  std::string_view rest;
  if (o.rfind("http://", 0) == 0) {
    rest = std::string_view(o).substr(7);
  } else if (o.rfind("https://", 0) == 0) {
    rest = std::string_view(o).substr(8);
  } else {
    return false;  // "null", file:, chrome-extension:, …
  }
  if (rest.find('/') != std::string_view::npos || rest.find('@') != std::string_view::npos) return false;
  return OurHost(StripPort(rest), options);
}

std::string_view BearerToken(std::string_view authorization) {
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() < kScheme.size()) return {};
  if (Lower(authorization.substr(0, kScheme.size())) != kScheme) return {};
  std::string_view given = authorization.substr(kScheme.size());
  while (!given.empty() && given.front() == ' ') given.remove_prefix(1);
  while (!given.empty() && given.back() == ' ') given.remove_suffix(1);
  return given;
}

bool BearerMatches(std::string_view authorization, std::string_view token) {
  if (token.empty()) return false;
  std::string_view given = BearerToken(authorization);
  // Constant time in the token's length: every byte is compared.
  unsigned char diff = given.size() == token.size() ? 0 : 1;
  for (size_t i = 0; i < token.size(); ++i) {
    unsigned char g = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    diff |= static_cast<unsigned char>(g ^ static_cast<unsigned char>(token[i]));
  }
  return diff == 0;
}

std::string TokenPath(const std::string& state_dir) { return state_dir + "/http-token"; }

Result<std::string> LoadOrCreateToken(const std::string& state_dir, bool* created) {
  if (created != nullptr) *created = false;
  WEFT_RETURN_IF_ERROR(EnsurePrivateDir(state_dir));
  std::string path = TokenPath(state_dir);
  Result<std::string> existing = ReadWholeFile(path);
  if (existing.ok()) {
    std::string token = *existing;
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
    if (token.size() < 16) {
      return Status::FailedPrecondition(path + " holds no usable token (expected at least 16 characters); "
                                        "delete it to have a new one generated");
    }
    struct stat st;
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
      WEFT_LOG(kWarning) << path << " was readable by other users; setting its mode to 0600";
      if (::chmod(path.c_str(), 0600) != 0) {
        return Status::FromErrno(errno, "cannot restrict the mode of " + path);
      }
    }
    return token;
  }
  if (existing.status().code() != StatusCode::kNotFound) return existing.status();
  std::string token = RandomHex(32);
  WEFT_RETURN_IF_ERROR(WriteFileAtomically(path, token + "\n", 0600));
  if (created != nullptr) *created = true;
  return token;
}

}  // namespace weft::mcp
