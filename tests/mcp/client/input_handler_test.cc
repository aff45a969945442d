// DefaultInputHandler: the non-interactive answers to roots, elicitation and sampling.
#include "mcp/client/input_handler.h"

#include <gtest/gtest.h>

namespace weft::mcp {
namespace {

TEST(InputHandler, FileUriPercentEncodes) {
  EXPECT_EQ(FileUri("/home/a b/ü#1"), "file:///home/a%20b/%C3%BC%231");
  EXPECT_EQ(FileUri("/srv/project-1/x_y.z~"), "file:///srv/project-1/x_y.z~");
}

TEST(InputHandler, DefaultsDeclineAndListTheRoot) {
  DefaultInputHandler handler("/srv/project");
  EXPECT_EQ(handler.Capabilities(), Json({{"roots", Json::object()}, {"elicitation", {{"form", Json::object()}}}}));
  InputReply roots = handler.Handle("roots/list", Json::object());
  ASSERT_TRUE(std::holds_alternative<Json>(roots));
  EXPECT_EQ(std::get<Json>(roots), Json({{"roots", {{{"uri", "file:///srv/project"}, {"name", "project"}}}}}));
  EXPECT_EQ(std::get<Json>(handler.Handle("elicitation/create", Json::object())), Json({{"action", "decline"}}));
  InputReply sampling = handler.Handle("sampling/createMessage", Json::object());
  ASSERT_TRUE(std::holds_alternative<RpcError>(sampling));
  EXPECT_EQ(std::get<RpcError>(sampling).code, rpc::kMethodNotFound);
}

TEST(InputHandler, SamplerAnswersAndIsDeclared) {
  DefaultInputHandler handler("", [](const Json& params) -> InputReply {
    return Json{{"model", "m"}, {"maxTokens", params["maxTokens"]}};
  });
  EXPECT_TRUE(handler.Capabilities().contains("sampling"));
  InputReply reply = handler.Handle("sampling/createMessage", {{"maxTokens", 3}});
  ASSERT_TRUE(std::holds_alternative<Json>(reply));
  EXPECT_EQ(std::get<Json>(reply)["maxTokens"], 3);
}

}  // namespace
}  // namespace weft::mcp
