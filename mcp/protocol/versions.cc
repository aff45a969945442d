// Version negotiation.
#include "mcp/protocol/versions.h"

namespace weft::mcp {

bool IsSupportedLegacyVersion(std::string_view v) {
  for (auto s : kLegacyVersions) {
    if (s == v) return true;
  }
  return false;
}

std::string_view NegotiateLegacyVersion(std::string_view requested) {
  for (auto s : kLegacyVersions) {
    if (s == requested) return s;  // static storage, unlike `requested`
  }
  return kLatestLegacyVersion;
}

bool AllowsBatches(std::string_view negotiated_version) {
  return negotiated_version == "2025-03-26" || negotiated_version == "2024-11-05";
}

}  // namespace weft::mcp
