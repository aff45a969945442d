// The module's entry point: HttpServer as an HttpService.
#include "mcp/http/http_module.h"

#include "mcp/http/http_server.h"

namespace weft::mcp {
namespace {

class ModuleService final : public HttpService {
 public:
  ModuleService(Server& server, HttpOptions options) : http_(server, std::move(options)) {}
  Status Bind() override { return http_.Bind(); }
  std::string url() const override { return http_.url(); }
  Status Run() override { return http_.Run(); }
  void Stop() override { http_.Stop(); }

 private:
  HttpServer http_;
};

std::unique_ptr<HttpService> Create(Server& server, HttpOptions options) {
  return std::make_unique<ModuleService>(server, std::move(options));
}

constexpr HttpModuleEntry kEntry{WEFT_BUILD_ID, &Create};

}  // namespace
}  // namespace weft::mcp

extern "C" __attribute__((visibility("default"))) const weft::mcp::HttpModuleEntry* weft_http_module_v1() {
  return &weft::mcp::kEntry;
}
