// rg --json events and the page collector, without running rg.
#include "core/venoms/search/rg_json.h"

#include <gtest/gtest.h>

namespace weft::venoms::search {
namespace {

RgEvent Begin(const std::string& path) {
  RgEvent e;
  e.type = RgEvent::Type::kBegin;
  e.path = path;
  return e;
}
RgEvent Line(RgEvent::Type type, int64_t number, const std::string& text) {
  RgEvent e;
  e.type = type;
  e.path = "./a.txt";
  e.line_number = number;
  e.line = text;
  if (type == RgEvent::Type::kMatch) e.submatches.push_back({0, 1});
  return e;
}
RgEvent Match(int64_t n) { return Line(RgEvent::Type::kMatch, n, "m" + std::to_string(n)); }
RgEvent Ctx(int64_t n) { return Line(RgEvent::Type::kContext, n, "c" + std::to_string(n)); }
RgEvent End() {
  RgEvent e;
  e.type = RgEvent::Type::kEnd;
  return e;
}

std::vector<int64_t> Lines(const std::vector<SourceLine>& lines) {
  std::vector<int64_t> out;
  for (const SourceLine& l : lines) out.push_back(l.line);
  return out;
}

TEST(ParseRgEvent, ReadsTextAndBase64Bytes) {
  Result<RgEvent> text = ParseRgEvent(
      R"({"type":"match","data":{"path":{"text":"./a b.txt"},"lines":{"text":"foo bar\r\n"},"line_number":7,)"
      R"("absolute_offset":0,"submatches":[{"match":{"text":"bar"},"start":4,"end":7}]}})");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_EQ(text->type, RgEvent::Type::kMatch);
  EXPECT_EQ(text->path, "./a b.txt");
  EXPECT_EQ(text->line, "foo bar");
  EXPECT_EQ(text->line_number, 7);
  ASSERT_EQ(text->submatches.size(), 1u);
  EXPECT_EQ(text->submatches[0].start, 4u);
  EXPECT_EQ(text->submatches[0].end, 7u);

  Result<RgEvent> bytes = ParseRgEvent(
      R"({"type":"context","data":{"path":{"bytes":"Li9m/y50eHQ="},"lines":{"bytes":"Y2Fm6SBmb28K"},"line_number":1,)"
      R"("absolute_offset":0,"submatches":[]}})");
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(bytes->type, RgEvent::Type::kContext);
  EXPECT_EQ(bytes->path, "./f\xff.txt");
  EXPECT_EQ(bytes->line, "caf\xe9 foo");
}

TEST(ParseRgEvent, ReadsTheSummary) {
  Result<RgEvent> e = ParseRgEvent(
      R"({"data":{"elapsed_total":{"secs":0},"stats":{"matches":5,"searches":4}},"type":"summary"})");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->type, RgEvent::Type::kSummary);
  CodeCollector c({}, "/");
  EXPECT_FALSE(c.finished());
  c.Add(*e);
  EXPECT_TRUE(c.finished());
}

TEST(ParseRgEvent, RefusesWhatIsNotAnEvent) {
  EXPECT_FALSE(ParseRgEvent("not json").ok());
  EXPECT_FALSE(ParseRgEvent("[1,2]").ok());
  EXPECT_FALSE(ParseRgEvent(R"({"type":"match","data":{"lines":{"bytes":"!!"}}})").ok());
}

TEST(CodeCollector, AttachesContextToTheMatchesAround) {
  CodeCollector c({.skip = 0, .limit = 10, .max_per_file = 10, .context = 2}, "/src");
  for (RgEvent e : {Begin("./a.txt"), Ctx(1), Ctx(2), Match(3), Ctx(4), Ctx(5), Match(6), Ctx(7), End()}) {
    EXPECT_TRUE(c.Add(e));
  }
  ASSERT_EQ(c.matches().size(), 2u);
  EXPECT_EQ(c.matches()[0].path, "/src/a.txt");
  EXPECT_EQ(Lines(c.matches()[0].before), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(Lines(c.matches()[0].after), (std::vector<int64_t>{4, 5}));
  EXPECT_EQ(Lines(c.matches()[1].before), (std::vector<int64_t>{4, 5}));
  EXPECT_EQ(Lines(c.matches()[1].after), (std::vector<int64_t>{7}));
}

TEST(CodeCollector, SkipsThenKeepsThenSeesOneMore) {
  CodeCollector c({.skip = 2, .limit = 2, .max_per_file = 10, .context = 1}, "/");
  EXPECT_TRUE(c.Add(Begin("./a.txt")));
  EXPECT_TRUE(c.Add(Match(1)));
  EXPECT_TRUE(c.Add(Match(2)));
  EXPECT_TRUE(c.Add(Match(3)));
  EXPECT_TRUE(c.Add(Match(4)));
  EXPECT_FALSE(c.Add(Match(5)));
  EXPECT_TRUE(c.more());
  ASSERT_EQ(c.matches().size(), 2u);
  EXPECT_EQ(c.matches()[0].line, 3);
  EXPECT_EQ(c.matches()[0].path, "/a.txt");
  // The skipped line 2 is context of line 3; the unseen line 5 of line 4.
  EXPECT_EQ(Lines(c.matches()[0].before), (std::vector<int64_t>{2}));
  EXPECT_EQ(Lines(c.matches()[1].after), (std::vector<int64_t>{5}));
  EXPECT_EQ(c.counted(), 4u);
}

TEST(CodeCollector, CapsMatchesPerFileAndNamesTheFile) {
  CodeCollector c({.skip = 0, .limit = 10, .max_per_file = 2, .context = 0}, "/");
  for (RgEvent e : {Begin("./a.txt"), Match(1), Match(2), Match(3), End(), Begin("./b.txt"), Match(1), Match(2),
                    End()}) {
    EXPECT_TRUE(c.Add(e));
  }
  EXPECT_EQ(c.matches().size(), 4u);
  EXPECT_EQ(c.capped_files(), (std::vector<std::string>{"/a.txt"}));
  EXPECT_FALSE(c.more());
}

TEST(CodeCollector, EndsThePageAtItsByteBudget) {
  CodeCollector c({.skip = 0, .limit = 100, .max_per_file = 100, .context = 0, .max_bytes = 1000}, "/");
  c.Add(Begin("./a.txt"));
  int added = 0;
  for (int i = 1; i <= 100 && c.Add(Line(RgEvent::Type::kMatch, i, std::string(400, 'x'))); ++i) ++added;
  EXPECT_TRUE(c.more());
  EXPECT_EQ(c.matches().size(), 3u);  // 3 × (400 + 32) bytes pass 1000
}

TEST(CodeCollector, UsesTheFilePathForStdin) {
  CodeCollector c({}, "/", "/dir/one.txt");
  c.Add(Begin("<stdin>"));
  c.Add(Match(1));
  ASSERT_EQ(c.matches().size(), 1u);
  EXPECT_EQ(c.matches()[0].path, "/dir/one.txt");
}

}  // namespace
}  // namespace weft::venoms::search
