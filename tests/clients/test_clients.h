// Locating the pinned third-party MCP clients that scripts/test-clients.sh
// installs into the cache directory named by WEFT_TEST_CLIENTS.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace weft::testing {

inline constexpr char kInstallHint[] =
    "; install the pinned clients with scripts/test-clients.sh and export "
    "WEFT_TEST_CLIENTS=<its cache dir> (scripts/test does both)";

// The client file `relative` inside the cache, or why a test must skip: in
// that case returns an empty path and fills `*skip_reason` (ending with the
// install hint). `what` names the client for the message.
inline std::string FindTestClient(const std::string& relative, const std::string& what,
                                  std::string* skip_reason) {
  const char* clients = std::getenv("WEFT_TEST_CLIENTS");
  if (clients == nullptr || *clients == '\0') {
    *skip_reason = std::string("WEFT_TEST_CLIENTS is not set") + kInstallHint;
    return "";
  }
  std::string path = std::string(clients) + "/" + relative;
  if (!std::filesystem::exists(path)) {
    *skip_reason = what + " not found at " + path + kInstallHint;
    return "";
  }
  return path;
}

}  // namespace weft::testing
