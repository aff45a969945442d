// The Streamable HTTP transport as a loadable module. `weft serve` over
// stdio never maps cpp-httplib, nor the TLS and compression libraries
// Debian's build of it links; `--http` loads `weft-http.so` (from
// <prefix>/lib/weft/ beside <prefix>/bin/weft, or $WEFT_HTTP_MODULE) and
// serves through it. The module resolves weft's own symbols against the
// binary that loads it (exported with cmake/weft-exports.list), so there is
// one copy of the engine, its logging and its registries.
#pragma once

#include <memory>
#include <string>

#include "core/base/result.h"
#include "mcp/http/options.h"
#include "mcp/server/server.h"

namespace weft::mcp {

// HttpServer behind an interface the module hands out.
class HttpService {
 public:
  virtual ~HttpService() = default;
  virtual Status Bind() = 0;
  virtual std::string url() const = 0;
  virtual Status Run() = 0;
  virtual void Stop() = 0;  // any thread
};

// What the module exports, as `weft_http_module_v1` (extern "C").
struct HttpModuleEntry {
  // The build the module belongs to: refused unless it equals the loader's
  // (the module shares the binary's C++ types).
  const char* build_id;
  std::unique_ptr<HttpService> (*create)(Server& server, HttpOptions options);
};
inline constexpr const char* kHttpModuleSymbol = "weft_http_module_v1";

// Loads the module once per process and creates a service on it. Fails
// naming the file tried and why (missing, from another build, dlopen's
// error), and how to get it.
Result<std::unique_ptr<HttpService>> CreateHttpService(Server& server, HttpOptions options);

}  // namespace weft::mcp
