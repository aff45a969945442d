// Finding and loading weft-http.so (see http_module.h).
#include <dlfcn.h>
#include <limits.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "core/base/strings.h"
#include "mcp/http/http_module.h"

namespace weft::mcp {
namespace {

constexpr const char* kModuleFile = "weft-http.so";

// The directory of the running binary ("" when /proc is unreadable).
std::string ExecutableDir() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "";
  std::string path(buf, static_cast<size_t>(n));
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

std::vector<std::string> Candidates() {
  if (const char* forced = std::getenv("WEFT_HTTP_MODULE"); forced != nullptr && *forced != '\0') {
    return {forced};
  }
  std::string dir = ExecutableDir();
  return {StrCat({dir, "/../lib/weft/", kModuleFile}), StrCat({dir, "/", kModuleFile})};
}

Result<const HttpModuleEntry*> Load() {
  std::vector<std::string> tried = Candidates();
  std::string errors;
  for (const std::string& path : tried) {
    if (::access(path.c_str(), F_OK) != 0) {
      errors += StrCat({errors.empty() ? "" : "; ", path, ": not there"});
      continue;
    }
    // RTLD_NOW: a symbol this binary lacks fails here, naming it, not mid-request.
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = ::dlerror();
      return Status::FailedPrecondition(StrCat({"cannot load the HTTP transport ", path, ": ",
                                                why != nullptr ? why : "dlopen failed"}));
    }
    using EntryFn = const HttpModuleEntry* (*)();
    auto entry_fn = reinterpret_cast<EntryFn>(::dlsym(handle, kHttpModuleSymbol));
    const HttpModuleEntry* entry = entry_fn != nullptr ? entry_fn() : nullptr;
    if (entry == nullptr) {
      return Status::FailedPrecondition(StrCat({path, " is not weft's HTTP transport (no ", kHttpModuleSymbol, ")"}));
    }
    if (std::strcmp(entry->build_id, WEFT_BUILD_ID) != 0) {
      return Status::FailedPrecondition(StrCat({path, " belongs to another build of weft (", entry->build_id,
                                                ", this is ", WEFT_BUILD_ID, "); rebuild or reinstall both"}));
    }
    return entry;  // never unloaded: the process may serve until it exits
  }
  return Status::NotFound(StrCat({"the HTTP transport module ", kModuleFile, " was not found (", errors,
                                  "); build the `weft-http` target (scripts/build.sh builds it) or set "
                                  "WEFT_HTTP_MODULE to its path"}));
}

}  // namespace

Result<std::unique_ptr<HttpService>> CreateHttpService(Server& server, HttpOptions options) {
  static std::once_flag once;
  static Result<const HttpModuleEntry*> entry = Status::Internal("not loaded");
  std::call_once(once, [] { entry = Load(); });
  if (!entry.ok()) return entry.status();
  return (*entry)->create(server, std::move(options));
}

}  // namespace weft::mcp
