// mcp-inspect's human-readable rendering.
#include "mcp/client/inspect_output.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace weft::mcp::inspect {
namespace {

using ::testing::HasSubstr;

TEST(InspectOutput, ToolsAsATable) {
  Json r = {{"tools",
             {{{"name", "fs_read"}, {"description", "Read a file.\nMore detail."},
               {"annotations", {{"readOnlyHint", true}, {"idempotentHint", true}}}},
              {{"name", "fs_write"}, {"description", std::string(100, 'w')}}}}};
  EXPECT_EQ(FormatTools(r),
            "NAME      HINTS                 DESCRIPTION\n"
            "fs_read   read-only,idempotent  Read a file.\n"
            "fs_write  -                     " + std::string(71, 'w') + "…\n"
            "2 tools\n");
}

TEST(InspectOutput, ToleratesMalformedResults) {
  EXPECT_EQ(FormatTools(Json::array()), "NAME  HINTS  DESCRIPTION\n0 tools\n");
  EXPECT_EQ(FormatTools({{"tools", {1, {{"name", 2}}}}}), "NAME  HINTS  DESCRIPTION\n      -\n      -\n2 tools\n");
  EXPECT_EQ(FormatToolResult({{"content", "nope"}}), "");
  EXPECT_EQ(FormatPrompt(nullptr), "");
}

TEST(InspectOutput, ToolResultContentBlocks) {
  Json r = {{"content",
             {{{"type", "text"}, {"text", "hello"}},
              {{"type", "image"}, {"mimeType", "image/png"}, {"data", "aGVsbG8="}},
              {{"type", "resource_link"}, {"uri", "file:///a.txt"}, {"name", "a.txt"}},
              {{"type", "resource"}, {"resource", {{"uri", "file:///b"}, {"text", "inside"}}}}}}};
  EXPECT_EQ(FormatToolResult(r),
            "hello\n[image image/png, 5 bytes]\n[link file:///a.txt (a.txt)]\n[resource file:///b]\ninside\n");
  EXPECT_EQ(FormatToolResult({{"content", Json::array()}, {"structuredContent", {{"a", 1}}}}),
            "{\n  \"a\": 1\n}\n");
}

TEST(InspectOutput, ResourcesTemplatesPromptsAndContents) {
  EXPECT_THAT(FormatResources({{"resources", {{{"uri", "mem://a"}, {"name", "a"}, {"size", 12}}}}}),
              HasSubstr("mem://a  a           12\n1 resource\n"));
  EXPECT_THAT(FormatTemplates({{"resourceTemplates", {{{"uriTemplate", "mem://{x}"}, {"name", "x"}}}}}),
              HasSubstr("mem://{x}     x\n1 template\n"));
  EXPECT_THAT(FormatPrompts({{"prompts", {{{"name", "greet"},
                                            {"arguments", {{{"name", "who"}, {"required", true}}, {{"name", "tone"}}}}}}}}),
              HasSubstr("greet  who*, tone"));
  EXPECT_EQ(FormatResourceContents({{"contents", {{{"uri", "a://1"}, {"text", "one"}},
                                                  {{"uri", "a://2"}, {"blob", "AAE="}, {"mimeType", "x/y"}}}}}),
            "--- a://1\none\n--- a://2\n[blob a://2 x/y, 2 bytes]\n");
  EXPECT_EQ(FormatPrompt({{"description", "Say hi"},
                          {"messages", {{{"role", "user"}, {"content", {{"type", "text"}, {"text", "Hi"}}}}}}}),
            "Say hi\n\n[user] Hi\n");
}

TEST(InspectOutput, HandshakeSummary) {
  HandshakeSummary s;
  s.era = "legacy";
  s.protocol_version = "2025-11-25";
  s.server_info = {{"name", "weft"}, {"version", "0.1.0"}, {"title", "Weft"}};
  s.capabilities = {{"tools", {{"listChanged", true}}}, {"logging", Json::object()}};
  EXPECT_EQ(FormatHandshake(s),
            "era:          legacy (protocol 2025-11-25)\n"
            "server:       weft 0.1.0 \"Weft\"\n"
            "capabilities: logging; tools (listChanged)\n");
  Json j = HandshakeJson(s, {{"raw", true}});
  EXPECT_EQ(j["era"], "legacy");
  EXPECT_EQ(j["result"]["raw"], true);
}

TEST(InspectOutput, NotificationLines) {
  EXPECT_EQ(FormatProgress({{"progressToken", 1}, {"progress", 3}, {"total", 10}, {"message", "copying"}}),
            "[progress] 3/10 copying");
  EXPECT_EQ(FormatProgress({{"progress", 0.5}}), "[progress] 0.5");
  EXPECT_EQ(FormatLogMessage({{"level", "warning"}, {"logger", "fs"}, {"data", "disk almost full"}}),
            "[server warning] fs: disk almost full");
  EXPECT_EQ(FormatLogMessage({{"level", "info"}, {"data", {{"k", 1}}}}), "[server info] {\"k\":1}");
}

}  // namespace
}  // namespace weft::mcp::inspect
