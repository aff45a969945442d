// MRTR requestState sealing (2026-07-28 basic/patterns/mrtr): the state the
// client must echo back verbatim is HMAC-SHA256-authenticated with a random
// per-process key, so a tampered, forged or stale state is refused.
#include <chrono>

#include "core/base/base64.h"
#include "core/base/sha256.h"
#include "mcp/jsonrpc/message.h"
#include "mcp/server/server.h"

namespace weft::mcp {
namespace {

constexpr int64_t kStateLifetimeMs = 15 * 60 * 1000;

std::string Mac(const std::string& key, const std::string& data) {
  Sha256Digest mac = HmacSha256(key, data);
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string Server::SealState(const nlohmann::json& state) const {
  nlohmann::json envelope = {{"v", state}, {"exp", NowMs() + kStateLifetimeMs}};
  std::string payload = Base64UrlEncode(SerializeJson(envelope));
  return payload + "." + Base64UrlEncode(Mac(hmac_key_, payload));
}

Result<nlohmann::json> Server::UnsealState(const std::string& sealed) const {
  size_t dot = sealed.find('.');
  if (dot == std::string::npos) return Status::InvalidArgument("is malformed");
  std::string payload = sealed.substr(0, dot);
  auto mac = Base64UrlDecode(std::string_view(sealed).substr(dot + 1));
  std::string expected = Mac(hmac_key_, payload);
  if (!mac || !ConstantTimeEqual(*mac, expected)) {
    return Status::PermissionDenied("failed verification (tampered with, or issued by another server process)");
  }
  auto json_text = Base64UrlDecode(payload);
  if (!json_text) return Status::InvalidArgument("is malformed");
  nlohmann::json envelope = nlohmann::json::parse(*json_text, nullptr, false);
  if (!envelope.is_object() || !envelope.contains("exp") || !envelope["exp"].is_number_integer()) {
    return Status::InvalidArgument("is malformed");
  }
  if (envelope["exp"].get<int64_t>() < NowMs()) return Status::DeadlineExceeded("has expired; start the request again");
  return envelope.value("v", nlohmann::json());
}

}  // namespace weft::mcp
