// The search venom's escape suite, one table row per attempt: search roots
// given with '..', as host paths, through symlinks (direct, relative, to a
// file, to the bind's parent, in an intermediate component) and with NUL
// bytes are refused; searches from the root never follow a symlink out (rg
// runs without --follow, and globs cannot smuggle flags in). No reply may
// carry what lies outside.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/base/strings.h"
#include "tests/core/venoms/escape_util.h"
#include "tests/core/venoms/search/search_fixture.h"

namespace weft::venoms {
namespace {

using escape::AllStrings;
using escape::Dump;
using escape::Expand;
using escape::Shown;

// The fixture's tmp_/outside/secret.txt holds "needle outside"; a sibling
// tmp_/ws-evil holds "needle evil". Neither may appear in any reply.
constexpr std::string_view kForbidden[] = {"needle outside", "needle evil", "secret.txt", "evil.txt"};

constexpr const char* kDotDot = "'..'";
constexpr const char* kEscapes = "escapes the workspace";

enum class Outcome { kFails, kSucceeds, kEither };
using Check = std::function<void(const Result<Reply>& r)>;

struct SearchEscapeCase {
  std::string name;  // [A-Za-z0-9_], unique
  std::string op;    // "code" or "files"
  Json args;         // "@T" in any string stands for tmp_
  Outcome outcome = Outcome::kFails;
  std::optional<StatusCode> code;  // kFails: the code
  std::string says;                // kFails: in the message ("@T" expands)
  Check after;                     // what else must hold
};

void PrintTo(const SearchEscapeCase& c, std::ostream* os) { *os << c.name << ": search_" << c.op << " " << Dump(c.args); }

SearchEscapeCase Refused(std::string name, std::string op, Json args, StatusCode code, std::string says) {
  return {std::move(name), std::move(op), std::move(args), Outcome::kFails, code, std::move(says), {}};
}
SearchEscapeCase Allowed(std::string name, std::string op, Json args, Check after) {
  return {std::move(name), std::move(op), std::move(args), Outcome::kSucceeds, std::nullopt, "", std::move(after)};
}
SearchEscapeCase Maybe(std::string name, std::string op, Json args) {
  return {std::move(name), std::move(op), std::move(args), Outcome::kEither, std::nullopt, "", {}};
}

// Exactly these "path:line" matches (search_code).
Check MatchesOnly(std::vector<std::string> where) {
  return [where](const Result<Reply>& r) {
    if (!r.ok()) return;
    std::vector<std::string> got;
    for (const Json& m : r->data["matches"]) {
      got.push_back(StrCat({m.value("path", ""), ":", std::to_string(m.value("line", 0))}));
    }
    EXPECT_EQ(got, where);
  };
}
// Exactly these files (search_files).
Check FilesOnly(std::vector<std::string> files) {
  return [files](const Result<Reply>& r) {
    if (!r.ok()) return;
    std::vector<std::string> got;
    for (const Json& f : r->data["files"]) got.push_back(f.get<std::string>());
    EXPECT_EQ(got, files);
  };
}

class EscapeSearch : public SearchVenomTest, public ::testing::WithParamInterface<SearchEscapeCase> {
 protected:
  void SetUp() override {
    SearchVenomTest::SetUp();
    if (IsSkipped()) return;
    const std::string& t = tmp_.path();
    tmp_.WriteFile("ws-evil/evil.txt", "needle evil\n");
    Write("in.txt", "needle inside\n");
    std::filesystem::create_directories(tmp_.Join("ws/dir"));
    const std::pair<std::string, std::string> links[] = {
        {StrCat({t, "/outside"}), "out"},
        {"../outside", "rel_out"},
        {"chain_b", "chain_a"},
        {"../outside", "chain_b"},
        {StrCat({t, "/outside/secret.txt"}), "abs_file"},
        {"../outside/secret.txt", "rel_file"},
        {"..", "up"},
        {"../ws-evil", "evil_link"},
        {"/", "dir/link"},
        {"/proc/self/root", "proc"},
    };
    for (const auto& [target, rel] : links) {
      ASSERT_EQ(::symlink(target.c_str(), tmp_.Join(StrCat({"ws/", rel})).c_str()), 0) << rel;
    }
    // A bug that follows dir/link or proc would search the whole host: cap it.
    SearchOptions options;
    options.timeout = std::chrono::milliseconds(15'000);
    Rebind({{"/", tmp_.Join("ws")}}, options);
  }
};

TEST_P(EscapeSearch, Attempt) {
  const SearchEscapeCase& c = GetParam();
  const std::string& tmp = tmp_.path();
  Json args = Expand(c.args, tmp);
  SCOPED_TRACE(StrCat({c.name, ": search_", c.op, " ", Dump(args)}));

  Result<Reply> r = Call(c.op, args);

  std::string seen = Shown(r);
  for (std::string_view bad : kForbidden) {
    EXPECT_EQ(seen.find(bad), std::string::npos) << "the reply carries '" << bad << "' from outside:\n" << seen;
  }
  switch (c.outcome) {
    case Outcome::kFails: {
      ASSERT_FALSE(r.ok()) << "succeeded: " << Dump(r->data);
      if (c.code) {
        EXPECT_EQ(StatusCodeName(r.status().code()), StatusCodeName(*c.code)) << r.status();
      }
      std::string says = Expand(c.says, tmp);
      EXPECT_NE(r.status().message().find(says), std::string::npos) << "expected '" << says << "' in: " << r.status();
      break;
    }
    case Outcome::kSucceeds: EXPECT_TRUE(r.ok()) << r.status(); break;
    case Outcome::kEither: break;
  }
  EXPECT_EQ(weft::testing::ReadFileOrDie(tmp_.Join("outside/secret.txt")), "needle outside\n");
  if (c.after) c.after(r);
}

std::vector<SearchEscapeCase> Cases() {
  const StatusCode kInvalid = StatusCode::kInvalidArgument;
  const StatusCode kDenied = StatusCode::kPermissionDenied;
  const StatusCode kNotFound = StatusCode::kNotFound;
  std::vector<SearchEscapeCase> out;
  for (const char* op : {"code", "files"}) {
    std::string o = op;
    auto args = [&](const std::string& path) {
      return o == "code" ? Json{{"pattern", "needle"}, {"path", path}} : Json{{"path", path}};
    };
    // '..' anywhere.
    out.push_back(Refused(StrCat({o, "_dotdot_lead"}), op, args("../outside"), kInvalid, kDotDot));
    out.push_back(Refused(StrCat({o, "_dotdot_mid"}), op, args("dir/../../outside"), kInvalid, kDotDot));
    out.push_back(Refused(StrCat({o, "_dotdot_bare"}), op, args(".."), kInvalid, kDotDot));
    out.push_back(Refused(StrCat({o, "_dotdot_root"}), op, args("/.."), kInvalid, kDotDot));
    out.push_back(Refused(StrCat({o, "_dotdot_host"}), op, args("@T/ws/../outside"), kInvalid, kDotDot));
    // Host paths outside the bind are namespace paths: not found.
    out.push_back(Refused(StrCat({o, "_host_outside"}), op, args("@T/outside"), kNotFound, "@T/outside"));
    out.push_back(Refused(StrCat({o, "_host_sibling"}), op, args("@T/ws-evil"), kNotFound, "@T/ws-evil"));
    out.push_back(Refused(StrCat({o, "_host_etc"}), op, args("/etc"), kNotFound, "/etc"));
    // Through symlinks.
    const std::pair<const char*, const char*> links[] = {
        {"direct", "out"},           {"relative", "rel_out"},         {"chained", "chain_a"},
        {"parent", "up/outside"},    {"sibling", "evil_link"},        {"root_link", "dir/link@T/outside"},
        {"proc_root", "proc@T/outside"},
    };
    for (const auto& [label, path] : links) {
      out.push_back(Refused(StrCat({o, "_symlink_", label}), op, args(path), kDenied, kEscapes));
    }
    out.push_back(Refused(StrCat({o, "_nul"}), op, args(std::string("in.txt\0/../../outside", 21)), kInvalid,
                          "NUL byte"));
  }
  // A file through a link (search_code takes files too).
  out.push_back(Refused("code_symlink_abs_file", "code", {{"pattern", "needle"}, {"path", "abs_file"}}, kDenied,
                        kEscapes));
  out.push_back(Refused("code_symlink_rel_file", "code", {{"pattern", "needle"}, {"path", "rel_file"}}, kDenied,
                        kEscapes));
  // From the root, rg never follows a link out, hidden and ignored files included.
  out.push_back(Allowed("code_root_never_follows", "code",
                        {{"pattern", "needle"}, {"hidden", true}, {"gitignore", false}}, MatchesOnly({"/in.txt:1"})));
  out.push_back(Allowed("code_root_literal_never_follows", "code",
                        {{"pattern", "e outs"}, {"literal", true}, {"hidden", true}, {"gitignore", false}},
                        MatchesOnly({})));
  out.push_back(Allowed("files_root_never_follows", "files", {{"hidden", true}, {"gitignore", false}},
                        FilesOnly({"/in.txt"})));
  out.push_back(Allowed("files_name_never_follows", "files", {{"name", "secret"}, {"gitignore", false}},
                        FilesOnly({})));
  // Globs are patterns, never flags or ways up.
  out.push_back(Maybe("code_include_dotdot", "code", {{"pattern", "needle"}, {"include", {"../**", "../outside/*"}}}));
  out.push_back(Maybe("files_glob_dotdot", "files", {{"glob", "../outside/*"}}));
  out.push_back(Allowed("code_include_follow_flag", "code",
                        {{"pattern", "needle"}, {"include", {"-L", "--follow"}}, {"exclude", {"--follow"}}},
                        MatchesOnly({})));
  out.push_back(Allowed("files_glob_follow_flag", "files", {{"glob", "--follow"}, {"exclude", {"-L"}}},
                        FilesOnly({})));
  return out;
}

std::string CaseName(const ::testing::TestParamInfo<SearchEscapeCase>& param) { return param.param.name; }

INSTANTIATE_TEST_SUITE_P(Escape, EscapeSearch, ::testing::ValuesIn(Cases()), CaseName);

}  // namespace
}  // namespace weft::venoms
