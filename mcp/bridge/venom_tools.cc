// Venom ops → MCP tools.
#include "mcp/bridge/venom_tools.h"

#include <string>
#include <utility>

namespace weft::mcp {
namespace {

// A venom Context over the MCP request the tool call is serving.
class RequestVenomContext : public venoms::Context {
 public:
  RequestVenomContext(RequestContext& request, std::shared_ptr<const ns::Workspaces> scoped)
      : request_(request), scoped_(std::move(scoped)) {}
  const ns::Workspaces* workspaces() const override { return scoped_.get(); }
  // The session's grant, which its gate has checked this call against.
  const grants::Grant* grant() const override { return request_.grant(); }
  const CancellationToken& cancellation() const override { return request_.cancellation(); }
  void Progress(double progress, std::optional<double> total, const std::string& message) override {
    request_.Progress(progress, total, message);
  }

 private:
  RequestContext& request_;
  std::shared_ptr<const ns::Workspaces> scoped_;  // held for the call
};

}  // namespace

ToolResult ToolResultFromReply(venoms::Reply reply) {
  Json result = Json::object();
  bool as_text = !reply.data_json.empty();
  if (reply.content.is_array()) {
    result["content"] = std::move(reply.content);
  } else {
    std::string text = as_text ? reply.data_json : reply.data.dump();
    result["content"] = Json::array({{{"type", "text"}, {"text", std::move(text)}}});
  }
  if (as_text) return ToolResult(std::move(result), std::move(reply.data_json));
  result["structuredContent"] = std::move(reply.data);
  return result;
}

ToolSpec VenomToolSpec(const venoms::Op& op, ClientRootScopes* scopes) {
  const venoms::OpSpec& s = op.spec;
  ToolSpec spec;
  spec.name = op.name;
  spec.title = s.title;
  spec.description = s.description;
  spec.input_schema = s.venom + "/" + s.op + ".input.json";
  spec.output_schema = s.venom + "/" + s.op + ".output.json";
  // Every hint is stated, even when false: clients assume the worst of a
  // missing one (destructive, open world), so silence would be untruthful.
  spec.annotations.read_only = s.annotations.read_only;
  spec.annotations.destructive = s.annotations.destructive;
  spec.annotations.idempotent = s.annotations.idempotent;
  spec.annotations.open_world = s.annotations.open_world;
  if (s.max_result_chars > 0) spec.meta = {{"anthropic/maxResultSizeChars", s.max_result_chars}};
  spec.nonblocking = s.nonblocking;
  spec.handler = [&op, scopes](RequestContext& ctx, const Json& args) -> Result<ToolResult> {
    RequestVenomContext venom_ctx(ctx, scopes != nullptr ? scopes->For(ctx) : nullptr);
    WEFT_ASSIGN_OR_RETURN(venoms::Reply reply, op.spec.handler(venom_ctx, args));
    return ToolResultFromReply(std::move(reply));
  };
  return spec;
}

Status AddVenomTools(const venoms::Registry& registry, ToolRegistry& tools, ClientRootScopes* scopes) {
  for (const auto& op : registry.ops()) {
    WEFT_RETURN_IF_ERROR(tools.Add(VenomToolSpec(*op, scopes)));
  }
  return Status::Ok();
}

}  // namespace weft::mcp
