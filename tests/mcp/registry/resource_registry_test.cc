// Tests for ResourceRegistry and MatchUriTemplate: registration, descriptors,
// which reader serves a URI, and what Read refuses to pass on.
#include "mcp/registry/resource_registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/fake_request_context.h"

namespace weft::mcp {
namespace {

using ::testing::HasSubstr;
using Vars = std::map<std::string, std::string>;

Json TextContents(const std::string& uri, const std::string& text) {
  return Json::array({{{"uri", uri}, {"mimeType", "text/plain"}, {"text", text}}});
}

ResourceSpec Fixed(const std::string& uri, const std::string& text = "fixed") {
  ResourceSpec spec;
  spec.uri = uri;
  spec.name = "fixed";
  spec.reader = [text](RequestContext&, const std::string& u) -> Result<Json> { return TextContents(u, text); };
  return spec;
}

ResourceTemplateSpec Template(const std::string& uri_template, const std::string& tag = "template") {
  ResourceTemplateSpec spec;
  spec.uri_template = uri_template;
  spec.name = "template";
  spec.reader = [tag](RequestContext&, const std::string& u, const Vars& vars) -> Result<Json> {
    std::string text = tag;
    for (const auto& [k, v] : vars) text += " " + k + "=" + v;
    return TextContents(u, text);
  };
  return spec;
}

ResourceSpec Returning(const std::string& uri, Result<Json> result) {
  ResourceSpec spec = Fixed(uri);
  spec.reader = [result](RequestContext&, const std::string&) { return result; };
  return spec;
}

class ResourceRegistryTest : public ::testing::Test {
 protected:
  std::string ReadText(const std::string& uri) {
    Result<Json> contents = registry_.Read(ctx_, uri);
    if (!contents.ok()) return contents.status().ToString();
    return (*contents)[0]["text"].get<std::string>();
  }

  ResourceRegistry registry_;
  testing::FakeRequestContext ctx_{Era::kLegacy, Json::object()};
};

TEST_F(ResourceRegistryTest, ReadsAnExactResource) {
  ASSERT_TRUE(registry_.Add(Fixed("test://static-text", "hello")).ok());
  Result<Json> contents = registry_.Read(ctx_, "test://static-text");
  ASSERT_TRUE(contents.ok()) << contents.status();
  EXPECT_EQ(*contents, TextContents("test://static-text", "hello"));
}

TEST_F(ResourceRegistryTest, TemplateReaderGetsTheVariables) {
  ASSERT_TRUE(registry_.AddTemplate(Template("test://template/{id}/data")).ok());
  EXPECT_EQ(ReadText("test://template/123/data"), "template id=123");
}

TEST_F(ResourceRegistryTest, ExactResourceWinsOverATemplate) {
  ASSERT_TRUE(registry_.AddTemplate(Template("test://items/{id}")).ok());
  ASSERT_TRUE(registry_.Add(Fixed("test://items/special", "exact")).ok());
  EXPECT_EQ(ReadText("test://items/special"), "exact");
  EXPECT_EQ(ReadText("test://items/other"), "template id=other");
}

TEST_F(ResourceRegistryTest, FirstMatchingTemplateWins) {
  ASSERT_TRUE(registry_.AddTemplate(Template("test://{kind}/x", "first")).ok());
  ASSERT_TRUE(registry_.AddTemplate(Template("test://files/{name}", "second")).ok());
  EXPECT_EQ(ReadText("test://files/x"), "first kind=files");
  EXPECT_EQ(ReadText("test://files/y"), "second name=y");
}

TEST_F(ResourceRegistryTest, UnknownUriIsNotFoundNamingTheUri) {
  ASSERT_TRUE(registry_.Add(Fixed("test://a")).ok());
  Result<Json> contents = registry_.Read(ctx_, "test://b");
  ASSERT_FALSE(contents.ok());
  EXPECT_EQ(contents.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(contents.status().message(), HasSubstr("\"test://b\""));
}

TEST_F(ResourceRegistryTest, ReaderErrorsPassThrough) {
  ASSERT_TRUE(registry_.Add(Returning("test://gone", Status::NotFound("test://gone was deleted"))).ok());
  Result<Json> contents = registry_.Read(ctx_, "test://gone");
  ASSERT_FALSE(contents.ok());
  EXPECT_EQ(contents.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(contents.status().message(), "test://gone was deleted");
}

TEST_F(ResourceRegistryTest, EmptyContentsBecomeAnInternalError) {
  ASSERT_TRUE(registry_.Add(Returning("test://empty", Json::array())).ok());
  Result<Json> contents = registry_.Read(ctx_, "test://empty");
  ASSERT_FALSE(contents.ok());
  EXPECT_EQ(contents.status().code(), StatusCode::kInternal);
  EXPECT_THAT(contents.status().message(), HasSubstr("returned no contents"));
}

TEST_F(ResourceRegistryTest, MalformedContentsBecomeAnInternalError) {
  ASSERT_TRUE(registry_.Add(Returning("test://object", Json::object())).ok());
  ASSERT_TRUE(registry_.Add(Returning("test://no-text", Json::parse(R"([{"uri":"test://no-text"}])"))).ok());
  ASSERT_TRUE(registry_.Add(Returning("test://no-uri", Json::parse(R"([{"text":"x"}])"))).ok());
  for (const char* uri : {"test://object", "test://no-text", "test://no-uri"}) {
    EXPECT_EQ(registry_.Read(ctx_, uri).status().code(), StatusCode::kInternal) << uri;
  }
}

TEST_F(ResourceRegistryTest, AcceptsBlobContents) {
  ASSERT_TRUE(registry_.Add(Returning("test://bin", Json::parse(R"([{"uri":"test://bin","blob":"AAE="}])"))).ok());
  EXPECT_TRUE(registry_.Read(ctx_, "test://bin").ok());
}

TEST_F(ResourceRegistryTest, ReaderMayCallBackIntoTheRegistry) {
  ResourceSpec spec = Fixed("test://self");
  spec.reader = [this](RequestContext&, const std::string& uri) -> Result<Json> {
    return TextContents(uri, registry_.Exists(uri) ? "exists" : "missing");
  };
  ASSERT_TRUE(registry_.Add(std::move(spec)).ok());
  EXPECT_EQ(ReadText("test://self"), "exists");
}

TEST_F(ResourceRegistryTest, RefusesADuplicateUri) {
  ASSERT_TRUE(registry_.Add(Fixed("test://a", "first")).ok());
  EXPECT_EQ(registry_.Add(Fixed("test://a", "second")).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadText("test://a"), "first");
}

TEST_F(ResourceRegistryTest, RefusesADuplicateTemplate) {
  ASSERT_TRUE(registry_.AddTemplate(Template("test://t/{id}")).ok());
  EXPECT_EQ(registry_.AddTemplate(Template("test://t/{id}")).code(), StatusCode::kAlreadyExists);
}

TEST_F(ResourceRegistryTest, RefusesIncompleteDeclarations) {
  ResourceSpec no_name = Fixed("test://a");
  no_name.name.clear();
  EXPECT_EQ(registry_.Add(std::move(no_name)).code(), StatusCode::kInvalidArgument);
  ResourceSpec no_reader = Fixed("test://a");
  no_reader.reader = nullptr;
  EXPECT_EQ(registry_.Add(std::move(no_reader)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(registry_.Add(Fixed("relative/path")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(registry_.Add(Fixed("")).code(), StatusCode::kInvalidArgument);
  ResourceTemplateSpec no_template_reader = Template("test://t/{id}");
  no_template_reader.reader = nullptr;
  EXPECT_EQ(registry_.AddTemplate(std::move(no_template_reader)).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(registry_.List().empty());
  EXPECT_TRUE(registry_.ListTemplates().empty());
}

TEST_F(ResourceRegistryTest, RefusesMalformedTemplates) {
  for (const char* bad : {"test://t/{id", "test://t/id}", "test://t/{}", "test://t/{a-b}", "test://{a}{b}",
                          "test://{a}/{a}", "{scheme}://x", "no-scheme/{id}"}) {
    Status status = registry_.AddTemplate(Template(bad));
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(status.message(), HasSubstr(bad));
  }
}

TEST_F(ResourceRegistryTest, DescriptorsHoldOnlyTheSetFields) {
  ResourceSpec bare = Fixed("test://a");
  EXPECT_EQ(ResourceRegistry::Descriptor(bare), Json({{"uri", "test://a"}, {"name", "fixed"}}));
  ResourceSpec full = Fixed("test://a");
  full.title = "A";
  full.description = "The letter A.";
  full.mime_type = "text/plain";
  full.meta = {{"k", 1}};
  EXPECT_EQ(ResourceRegistry::Descriptor(full),
            Json::parse(R"({"uri":"test://a","name":"fixed","title":"A","description":"The letter A.",
                            "mimeType":"text/plain","_meta":{"k":1}})"));
  ResourceTemplateSpec tmpl = Template("test://t/{id}");
  EXPECT_EQ(ResourceRegistry::Descriptor(tmpl), Json({{"uriTemplate", "test://t/{id}"}, {"name", "template"}}));
  tmpl.title = "T";
  tmpl.description = "By id.";
  tmpl.mime_type = "application/json";
  EXPECT_EQ(ResourceRegistry::Descriptor(tmpl),
            Json::parse(R"({"uriTemplate":"test://t/{id}","name":"template","title":"T","description":"By id.",
                            "mimeType":"application/json"})"));
}

TEST_F(ResourceRegistryTest, ListsInRegistrationOrder) {
  ASSERT_TRUE(registry_.Add(Fixed("test://b")).ok());
  ASSERT_TRUE(registry_.Add(Fixed("test://a")).ok());
  ASSERT_TRUE(registry_.AddTemplate(Template("test://z/{id}")).ok());
  ASSERT_TRUE(registry_.AddTemplate(Template("test://y/{id}")).ok());
  ASSERT_EQ(registry_.List().size(), 2u);
  EXPECT_EQ(registry_.List()[0]->uri, "test://b");
  ASSERT_EQ(registry_.ListTemplates().size(), 2u);
  EXPECT_EQ(registry_.ListTemplates()[0]->uri_template, "test://z/{id}");
}

TEST_F(ResourceRegistryTest, ExistsCoversResourcesAndTemplates) {
  ASSERT_TRUE(registry_.Add(Fixed("test://a")).ok());
  ASSERT_TRUE(registry_.AddTemplate(Template("test://t/{id}")).ok());
  EXPECT_TRUE(registry_.Exists("test://a"));
  EXPECT_TRUE(registry_.Exists("test://t/7"));
  EXPECT_FALSE(registry_.Exists("test://t/7/more"));
  EXPECT_FALSE(registry_.Exists("test://b"));
}

TEST_F(ResourceRegistryTest, FindTemplateMatchesTheTemplateTextExactly) {
  ASSERT_TRUE(registry_.AddTemplate(Template("test://t/{id}")).ok());
  ASSERT_NE(registry_.FindTemplate("test://t/{id}"), nullptr);
  EXPECT_EQ(registry_.FindTemplate("test://t/7"), nullptr);
}

TEST_F(ResourceRegistryTest, RemoveTakesAResourceOrATemplate) {
  ASSERT_TRUE(registry_.Add(Fixed("test://a")).ok());
  ASSERT_TRUE(registry_.AddTemplate(Template("test://t/{id}")).ok());
  ASSERT_TRUE(registry_.Remove("test://a").ok());
  ASSERT_TRUE(registry_.Remove("test://t/{id}").ok());
  EXPECT_FALSE(registry_.Exists("test://a"));
  EXPECT_FALSE(registry_.Exists("test://t/7"));
  EXPECT_EQ(registry_.Remove("test://a").code(), StatusCode::kNotFound);
}

TEST_F(ResourceRegistryTest, ChangesArePublished) {
  std::vector<ChangeEvent> events;
  registry_.changes().Subscribe([&](const ChangeEvent& e) { events.push_back(e); });
  ASSERT_TRUE(registry_.Add(Fixed("test://a")).ok());
  ASSERT_TRUE(registry_.AddTemplate(Template("test://t/{id}")).ok());
  EXPECT_FALSE(registry_.Add(Fixed("test://a")).ok());
  ASSERT_TRUE(registry_.Remove("test://a").ok());
  registry_.NotifyUpdated("test://t/1");
  ASSERT_EQ(events.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(events[i].kind, ChangeKind::kResourcesChanged);
  EXPECT_EQ(events[3].kind, ChangeKind::kResourceUpdated);
  EXPECT_EQ(events[3].uri, "test://t/1");
}

TEST(MatchUriTemplate, VariableMatchesOneOrMoreCharactersOtherThanSlash) {
  Vars vars;
  EXPECT_TRUE(MatchUriTemplate("test://t/{id}/data", "test://t/a%20b.c/data", &vars));
  EXPECT_EQ(vars, (Vars{{"id", "a%20b.c"}}));
  EXPECT_FALSE(MatchUriTemplate("test://t/{id}/data", "test://t//data", &vars));
  EXPECT_FALSE(MatchUriTemplate("test://t/{id}/data", "test://t/a/b/data", &vars));
  EXPECT_FALSE(MatchUriTemplate("test://t/{id}", "test://t/a/", &vars));
}

TEST(MatchUriTemplate, LiteralsMustMatchExactly) {
  EXPECT_TRUE(MatchUriTemplate("test://static", "test://static", nullptr));
  EXPECT_FALSE(MatchUriTemplate("test://static", "test://static2", nullptr));
  EXPECT_FALSE(MatchUriTemplate("test://t/{id}/data", "test://t/1/dat", nullptr));
  EXPECT_FALSE(MatchUriTemplate("test://t/{id}/data", "other://t/1/data", nullptr));
}

TEST(MatchUriTemplate, VariableBacktracksToLetTheRestMatch) {
  Vars vars;
  EXPECT_TRUE(MatchUriTemplate("file:///{name}.txt", "file:///notes.v2.txt", &vars));
  EXPECT_EQ(vars, (Vars{{"name", "notes.v2"}}));
}

TEST(MatchUriTemplate, AmbiguousSplitGivesTheEarlierVariableTheLongestRun) {
  Vars vars;
  EXPECT_TRUE(MatchUriTemplate("file:///{stem}.{ext}", "file:///a.tar.gz", &vars));
  EXPECT_EQ(vars, (Vars{{"stem", "a.tar"}, {"ext", "gz"}}));
}

TEST(MatchUriTemplate, FillsSeveralVariables) {
  Vars vars;
  EXPECT_TRUE(MatchUriTemplate("repo://{owner}/{name}/blob/{ref}", "repo://ada/engine/blob/main", &vars));
  EXPECT_EQ(vars, (Vars{{"owner", "ada"}, {"name", "engine"}, {"ref", "main"}}));
}

TEST(MatchUriTemplate, LeavesVarsAloneWhenThereIsNoMatch) {
  Vars vars = {{"keep", "me"}};
  EXPECT_FALSE(MatchUriTemplate("test://t/{id}", "test://u/1", &vars));
  EXPECT_EQ(vars, (Vars{{"keep", "me"}}));
}

TEST(MatchUriTemplate, MalformedTemplateMatchesNothing) {
  EXPECT_FALSE(MatchUriTemplate("test://t/{id", "test://t/{id", nullptr));
  EXPECT_FALSE(MatchUriTemplate("test://{a}{b}", "test://ab", nullptr));
}

TEST(MatchUriTemplate, HandlesLongUrisWithManyCandidateSplits) {
  std::string uri = "test://" + std::string(20000, '-') + "x";
  EXPECT_FALSE(MatchUriTemplate("test://{a}-{b}-{c}-{d}-y", uri, nullptr));
  EXPECT_TRUE(MatchUriTemplate("test://{a}-{b}-{c}-{d}x", uri, nullptr));
}

}  // namespace
}  // namespace weft::mcp
