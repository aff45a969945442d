// FakeRequestContext: a RequestContext for registry tests that records nothing
// and asks the client for nothing.
#pragma once

#include <string>

#include "mcp/registry/request_context.h"

namespace weft::mcp::registry_test {

class FakeRequestContext : public RequestContext {
 public:
  Era era() const override { return Era::kLegacy; }
  const std::string& protocol_version() const override { return version_; }
  const Json& client_capabilities() const override { return capabilities_; }
  const Json& client_info() const override { return null_; }
  const Json& request_meta() const override { return null_; }
  const CancellationToken& cancellation() const override { return token_; }
  void Progress(double, std::optional<double>, const std::string&) override {}
  void Log(const std::string&, const Json&, const std::string&) override {}
  Result<Json> RequestInput(const Json&) override {
    return Status::FailedPrecondition("the fake client has no capabilities");
  }
  const Json& request_state() const override { return null_; }
  void SetRequestState(Json) override {}

  CancellationToken& token() { return token_; }

 private:
  std::string version_ = "2025-11-25";
  Json capabilities_ = Json::object();
  Json null_ = nullptr;
  CancellationToken token_;
};

}  // namespace weft::mcp::registry_test
