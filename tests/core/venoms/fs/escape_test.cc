// The fs venom's escape suite: one table row per attempt to reach past the
// workspace (`..` anywhere, host paths, the sibling-prefix trick, symlinks
// direct, chained, intermediate, absolute, magic and to the bind's parent,
// hardlinks and renames, odd bytes, read-only binds), plus a symlink swapped
// in while calls run. Every attempt fails with an error that says why, or
// stays inside the workspace; nothing outside tmp_/ws changes and no reply
// carries what lies outside.
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/base/base64.h"
#include "core/base/strings.h"
#include "tests/core/venoms/escape_util.h"
#include "tests/core/venoms/fs/fs_fixture.h"

namespace weft::venoms {
namespace {

using escape::AllStrings;
using escape::Dump;
using escape::Expand;
using escape::Shown;

namespace stdfs = std::filesystem;

// Markers of what lies outside; no reply may contain any of them.
constexpr std::string_view kSecret = "TOP-SECRET-8c41e2 outside content\n";
constexpr std::string_view kEvil = "EVIL-SIBLING-5d93 ws-evil content\n";
constexpr std::string_view kOutsideOnly = "zz-outside-only-name";
constexpr std::string_view kPasswdLine = "root:x:0:0:";  // the host's /etc/passwd
constexpr std::string_view kForbidden[] = {"TOP-SECRET-8c41e2", "EVIL-SIBLING-5d93", kOutsideOnly, kPasswdLine};
// A hardlink inside ws shares this file's inode; its content is the
// workspace's to read, but writes must never reach tmp_/outside/hard.
constexpr std::string_view kHard = "hardlinked outside content\n";

// What the messages say.
constexpr const char* kDotDot = "'..'";
constexpr const char* kEscapes = "escapes the workspace";
constexpr const char* kReadOnly = "read-only";

// ---------------------------------------------------------------------------
// The table

enum class World {
  kDefault,      // "/" = tmp_/ws
  kRoBind,       // and "/ro" = tmp_/robind:ro
  kRoWorkspace,  // "/" = tmp_/ws, the workspace served read-only
};
enum class Outcome { kFails, kSucceeds, kEither };
using Check = std::function<void(const std::string& tmp, const Result<Reply>& r)>;
using Setup = std::function<void(const std::string& tmp)>;

struct EscapeCase {
  std::string name;  // [A-Za-z0-9_], unique
  std::string op;
  Json args;  // "@T" in any string stands for tmp_
  Outcome outcome = Outcome::kFails;
  std::optional<StatusCode> code;  // kFails: the code, when it is fixed
  std::string says;                // kFails: in the message ("@T" expands)
  World world = World::kDefault;
  Setup setup;  // after the world is built, before the call
  Check after;  // what else must hold afterwards
};

void PrintTo(const EscapeCase& c, std::ostream* os) { *os << c.name << ": fs_" << c.op << " " << Dump(c.args); }

EscapeCase Refused(std::string name, std::string op, Json args, StatusCode code, std::string says,
                   World world = World::kDefault) {
  return {std::move(name), std::move(op), std::move(args), Outcome::kFails, code, std::move(says), world, {}, {}};
}
EscapeCase Allowed(std::string name, std::string op, Json args, Check after) {
  return {std::move(name), std::move(op), std::move(args), Outcome::kSucceeds, std::nullopt, "", World::kDefault, {},
          std::move(after)};
}
EscapeCase Maybe(std::string name, std::string op, Json args, Check after, Setup setup = {}) {
  return {std::move(name), std::move(op), std::move(args), Outcome::kEither, std::nullopt, "", World::kDefault,
          std::move(setup), std::move(after)};
}

// ---------------------------------------------------------------------------
// Checks on the host and on replies

bool LExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}
bool IsLink(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}
std::string HostText(const std::string& path) {
  return LExists(path) ? weft::testing::ReadFileOrDie(path) : std::string("<missing>");
}

Check All(std::vector<Check> checks) {
  return [checks](const std::string& tmp, const Result<Reply>& r) {
    for (const Check& c : checks) c(tmp, r);
  };
}
// ws/<rel> is a symbolic link.
Check WsLink(std::string rel) {
  return [rel](const std::string& tmp, const Result<Reply>&) {
    EXPECT_TRUE(IsLink(StrCat({tmp, "/ws/", Expand(rel, tmp)}))) << "ws/" << rel << " is no longer a symbolic link";
  };
}
// ws/<rel> is a regular file holding `content`.
Check WsFile(std::string rel, std::string content) {
  return [rel, content](const std::string& tmp, const Result<Reply>&) {
    std::string host = StrCat({tmp, "/ws/", Expand(rel, tmp)});
    struct stat st;
    ASSERT_EQ(::lstat(host.c_str(), &st), 0) << "ws/" << rel << " is missing";
    EXPECT_TRUE(S_ISREG(st.st_mode)) << "ws/" << rel << " is not a regular file";
    EXPECT_EQ(HostText(host), content);
  };
}
Check WsGone(std::string rel) {
  return [rel](const std::string& tmp, const Result<Reply>&) {
    EXPECT_FALSE(LExists(StrCat({tmp, "/ws/", Expand(rel, tmp)}))) << "ws/" << rel << " is still there";
  };
}
// fs_read_many's first file failed, saying `says`.
Check FileError(std::string says) {
  return [says](const std::string&, const Result<Reply>& r) {
    if (!r.ok()) return;
    const Json& f = r->data["files"][0];
    EXPECT_FALSE(f.value("ok", true)) << Dump(f);
    EXPECT_NE(f.value("error", "").find(says), std::string::npos) << Dump(f);
  };
}
// fs_stat's one entry says the path does not exist.
Check StatMissing() {
  return [](const std::string&, const Result<Reply>& r) {
    if (!r.ok()) return;
    EXPECT_EQ(r->data["entries"][0].value("exists", true), false) << Dump(r->data);
  };
}
// fs_stat described the link itself: a symlink to `target` (which lies
// outside), sized as its target string, never as the file it names.
Check StatOfLink(std::string target) {
  return [target](const std::string& tmp, const Result<Reply>& r) {
    if (!r.ok()) return;
    const Json& e = r->data["entries"][0];
    std::string expanded = Expand(target, tmp);
    EXPECT_EQ(e.value("type", ""), "symlink") << Dump(e);
    EXPECT_EQ(e.value("target", ""), expanded) << Dump(e);
    EXPECT_EQ(e.value("target_type", ""), "outside") << Dump(e);
    EXPECT_EQ(e.value("size", int64_t{-1}), static_cast<int64_t>(expanded.size())) << Dump(e);
  };
}
// No path in the reply's `key` list (entries or matches) lies below one of
// the symlinks of the world: the walk never descended through them.
Check NothingThroughLinks(std::string key) {
  return [key](const std::string&, const Result<Reply>& r) {
    if (!r.ok()) return;
    static const char* const kLinks[] = {"/out/",   "/rel_out/", "/chain_a/", "/chain_b/",   "/dir/link/", "/proc/",
                                         "/up/",    "/to_ro/",   "/holder/abs/", "/holder/rel/", "/holder/via_up/",
                                         "/evil_link/"};
    for (const Json& e : r->data[key]) {
      std::string p = e.value("path", "");
      for (const char* link : kLinks) EXPECT_NE(p.rfind(link, 0), 0U) << p << " was reached through a symlink";
    }
  };
}
Check NoMatches() {
  return [](const std::string&, const Result<Reply>& r) {
    if (r.ok()) {
      EXPECT_TRUE(r->data["matches"].empty()) << Dump(r->data);
    }
  };
}
// A successful call made `rel` inside ws: it stayed in the workspace.
Check IfOkInside(std::string rel) {
  return [rel](const std::string& tmp, const Result<Reply>& r) {
    if (r.ok()) {
      EXPECT_TRUE(LExists(StrCat({tmp, "/ws/", Expand(rel, tmp)}))) << "no ws/" << rel;
    }
  };
}
Check HardlinkBroken() {
  return [](const std::string& tmp, const Result<Reply>&) {
    struct stat out_st, in_st;
    ASSERT_EQ(::lstat(StrCat({tmp, "/outside/hard"}).c_str(), &out_st), 0);
    if (::lstat(StrCat({tmp, "/ws/hard"}).c_str(), &in_st) == 0) {
      EXPECT_NE(in_st.st_ino, out_st.st_ino) << "ws/hard still shares the outside file's inode";
    }
  };
}

// Every entry below `root`, symlinks not followed: relative path → "d", "l:<target>",
// "f:<content>" or "o". Without `with_ws`, tmp_/ws is listed but not entered.
using Snapshot = std::map<std::string, std::string>;
Snapshot Take(const std::string& root, bool with_ws) {
  Snapshot snap;
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator(root, ec); !ec && it != stdfs::recursive_directory_iterator();
       it.increment(ec)) {
    std::string rel = it->path().lexically_relative(root).string();
    stdfs::file_status st = it->symlink_status();
    if (stdfs::is_symlink(st)) {
      snap[rel] = StrCat({"l:", stdfs::read_symlink(it->path()).string()});
    } else if (stdfs::is_directory(st)) {
      snap[rel] = "d";
      if (!with_ws && rel == "ws") it.disable_recursion_pending();
    } else if (stdfs::is_regular_file(st)) {
      snap[rel] = StrCat({"f:", weft::testing::ReadFileOrDie(it->path().string())});
    } else {
      snap[rel] = "o";
    }
  }
  return snap;
}
// "" when equal, else what changed.
std::string Diff(const Snapshot& before, const Snapshot& after) {
  std::string out;
  for (const auto& [path, what] : before) {
    auto it = after.find(path);
    if (it == after.end()) {
      out += StrCat({"  gone: ", path, "\n"});
    } else if (it->second != what) {
      out += StrCat({"  changed: ", path, " (", what.substr(0, 60), " -> ", it->second.substr(0, 60), ")\n"});
    }
  }
  for (const auto& [path, what] : after) {
    if (before.find(path) == before.end()) out += StrCat({"  new: ", path, " (", what.substr(0, 60), ")\n"});
  }
  return out;
}

// ---------------------------------------------------------------------------
// The world every case starts from

class EscapeTest : public FsVenomTest, public ::testing::WithParamInterface<EscapeCase> {
 protected:
  void SetUp() override {
    FsVenomTest::SetUp();
    BuildWorld(tmp_);
  }

 public:
  // tmp_/outside, tmp_/ws-evil and tmp_/robind beside the workspace tmp_/ws,
  // which holds plain files and every kind of symlink that leads out.
  static void BuildWorld(const weft::testing::ScopedTempDir& tmp) {
    const std::string& t = tmp.path();
    tmp.WriteFile("outside/secret", std::string(kSecret));
    tmp.WriteFile("outside/sub/deep", std::string(kSecret));
    tmp.WriteFile(StrCat({"outside/", kOutsideOnly}), std::string(kSecret));
    tmp.WriteFile("outside/hard", std::string(kHard));
    tmp.WriteFile("ws-evil/x", std::string(kEvil));
    tmp.WriteFile("robind/file", "ro content\n");
    stdfs::create_directories(tmp.Join("robind/sub"));
    tmp.WriteFile("ws/x", "x content\n");
    tmp.WriteFile("ws/a/file", "a content\n");
    stdfs::create_directories(tmp.Join("ws/a/b"));
    stdfs::create_directories(tmp.Join("ws/dir"));
    stdfs::create_directories(tmp.Join("ws/holder"));
    const std::pair<std::string, std::string> links[] = {
        {StrCat({t, "/outside"}), "out"},            // direct, absolute
        {"../outside", "rel_out"},                   // direct, relative
        {"chain_b", "chain_a"},                      // chained: chain_a -> chain_b -> ../outside
        {"../outside", "chain_b"},
        {"/", "dir/link"},                           // in an intermediate component
        {StrCat({t, "/outside/secret"}), "abs_secret"},  // absolute, to a file
        {"../outside/secret", "rel_secret"},
        {"/proc/self/root", "proc"},                 // a magic link's way in
        {"..", "up"},                                // the parent of the bind
        {"../robind", "to_ro"},                      // to the read-only bind's host directory
        {"../ws-evil", "evil_link"},                 // to the sibling
        {StrCat({t, "/outside"}), "holder/abs"},     // inside a directory that gets copied or removed
        {"../../outside", "holder/rel"},
        {"../up", "holder/via_up"},
    };
    for (const auto& [target, rel] : links) {
      ASSERT_EQ(::symlink(target.c_str(), tmp.Join(StrCat({"ws/", rel})).c_str()), 0) << rel;
    }
    ASSERT_EQ(::link(tmp.Join("outside/hard").c_str(), tmp.Join("ws/hard").c_str()), 0) << "link(2)";
  }

 protected:
  void UseWorld(World world) {
    switch (world) {
      case World::kDefault: break;
      case World::kRoBind:
        Rebind({{"/", tmp_.Join("ws")}, {"/ro", StrCat({tmp_.Join("robind"), ":ro"})}}, false);
        break;
      case World::kRoWorkspace: Rebind({{"/", tmp_.Join("ws")}}, true); break;
    }
  }
};

TEST_P(EscapeTest, Attempt) {
  const EscapeCase& c = GetParam();
  const std::string& tmp = tmp_.path();
  UseWorld(c.world);
  if (c.setup) c.setup(tmp);
  Json args = Expand(c.args, tmp);
  SCOPED_TRACE(StrCat({c.name, ": fs_", c.op, " ", Dump(args)}));
  Snapshot all_before = Take(tmp, true);
  Snapshot outside_before = Take(tmp, false);

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
      EXPECT_EQ(Diff(all_before, Take(tmp, true)), "") << "a refused call changed files";
      break;
    }
    case Outcome::kSucceeds: EXPECT_TRUE(r.ok()) << r.status(); break;
    case Outcome::kEither: break;
  }
  EXPECT_EQ(Diff(outside_before, Take(tmp, false)), "") << "something outside tmp_/ws changed";
  if (c.after) c.after(tmp, r);
}

// ---------------------------------------------------------------------------
// The cases

// A row in the making: a label, an op and its arguments.
struct Use {
  const char* label;
  const char* op;
  Json args;
};

// `p` given to every op where it takes a path (the other end of a move or a
// copy is harmless), named <prefix>_<op>. Each must fail with `code` saying
// `says`; fs_read_many reports it in its file's entry instead.
void EveryOp(std::vector<EscapeCase>* out, const std::string& prefix, const std::string& p, StatusCode code,
             const std::string& says) {
  Json edits = Json::array({{{"old_text", "TOP"}, {"new_text", "pwned"}}});
  const Use uses[] = {
      {"read", "read", {{"path", p}}},
      {"write", "write", {{"path", p}, {"content", "pwned"}, {"parents", true}}},
      {"edit", "edit", {{"path", p}, {"edits", edits}}},
      {"list", "list", {{"path", p}}},
      {"tree", "tree", {{"path", p}}},
      {"stat", "stat", {{"path", p}}},
      {"mkdir", "mkdir", {{"path", p}, {"parents", true}}},
      {"remove", "remove", {{"path", p}, {"recursive", true}}},
      {"move_src", "move", {{"source", p}, {"destination", "moved"}}},
      {"move_dst", "move", {{"source", "x"}, {"destination", p}, {"overwrite", true}}},
      {"copy_src", "copy", {{"source", p}, {"destination", "copied"}, {"recursive", true}}},
      {"copy_dst", "copy", {{"source", "x"}, {"destination", p}, {"overwrite", true}}},
      {"glob_path", "glob", {{"pattern", "**"}, {"path", p}}},
  };
  for (const Use& use : uses) out->push_back(Refused(StrCat({prefix, "_", use.label}), use.op, use.args, code, says));
  out->push_back(Allowed(StrCat({prefix, "_read_many"}), "read_many", {{"paths", {p}}}, FileError(says)));
}

void DotDotCases(std::vector<EscapeCase>* out) {
  const std::pair<const char*, const char*> paths[] = {
      {"lead", "../outside/secret"}, {"mid", "a/../../outside/secret"}, {"inner", "a/.."},
      {"bare", ".."},                {"root", "/.."},                   {"abs", "/../outside/secret"},
      {"dot", "./../x"},             {"trail", "a/b/.."},               {"host", "@T/ws/../outside/secret"},
  };
  for (const auto& [label, p] : paths) {
    EveryOp(out, StrCat({"dotdot_", label}), p, StatusCode::kInvalidArgument, kDotDot);
    // As a glob pattern too: patterns match below `path`, never above it.
    std::string pattern = p;
    if (pattern.rfind("@T", 0) == 0) continue;
    out->push_back(Refused(StrCat({"dotdot_", label, "_glob_pattern"}), "glob", {{"pattern", pattern}},
                           StatusCode::kInvalidArgument, kDotDot));
  }
  out->push_back(Refused("dotdot_glob_pattern_after_star", "glob", {{"pattern", "**/../../outside/*"}},
                         StatusCode::kInvalidArgument, kDotDot));
}

void HostPathCases(std::vector<EscapeCase>* out) {
  const StatusCode kNotFound = StatusCode::kNotFound;
  // A host path outside every bind is a namespace path: not found in ws,
  // never the host's file.
  out->push_back(Refused("host_read_secret", "read", {{"path", "@T/outside/secret"}}, kNotFound, "@T/outside/secret"));
  out->push_back(Refused("host_read_passwd", "read", {{"path", "/etc/passwd"}}, kNotFound, "/etc/passwd"));
  out->push_back(Allowed("host_read_many", "read_many", {{"paths", {"/etc/passwd", "@T/outside/secret"}}},
                         FileError("/etc/passwd")));
  out->push_back(Allowed("host_stat_passwd", "stat", {{"path", "/etc/passwd"}}, StatMissing()));
  out->push_back(Allowed("host_stat_secret", "stat", {{"path", "@T/outside/secret"}}, StatMissing()));
  out->push_back(Refused("host_list_etc", "list", {{"path", "/etc"}}, kNotFound, "/etc"));
  out->push_back(Refused("host_list_outside", "list", {{"path", "@T/outside"}}, kNotFound, "@T/outside"));
  out->push_back(Refused("host_tree_outside", "tree", {{"path", "@T/outside"}}, kNotFound, "@T/outside"));
  out->push_back(Refused("host_glob_etc", "glob", {{"pattern", "passwd"}, {"path", "/etc"}}, kNotFound, "/etc"));
  out->push_back(
      Refused("host_glob_outside", "glob", {{"pattern", "**"}, {"path", "@T/outside"}}, kNotFound, "@T/outside"));
  out->push_back(Refused("host_write_secret", "write", {{"path", "@T/outside/secret"}, {"content", "pwned"}},
                         kNotFound, "@T/outside/secret"));
  // With parents the directories are made inside ws, mirroring the host path.
  out->push_back(Allowed("host_write_parents", "write",
                         {{"path", "@T/outside/new.txt"}, {"content", "inside"}, {"parents", true}},
                         WsFile("@T/outside/new.txt", "inside")));
  // Errors name the first directory of the path that ws lacks.
  out->push_back(Refused("host_edit_secret", "edit",
                         {{"path", "@T/outside/secret"}, {"edits", {{{"old_text", "TOP"}, {"new_text", "x"}}}}},
                         kNotFound, "@T/outside"));
  out->push_back(
      Allowed("host_mkdir_parents", "mkdir", {{"path", "@T/outside/newdir"}, {"parents", true}},
              [](const std::string& tmp, const Result<Reply>&) {
                EXPECT_TRUE(stdfs::is_directory(StrCat({tmp, "/ws", tmp, "/outside/newdir"})));
              }));
  out->push_back(Refused("host_mkdir_secret_dir", "mkdir", {{"path", "@T/outside/newdir"}}, kNotFound,
                         "@T/outside/newdir"));
  out->push_back(
      Refused("host_remove_secret", "remove", {{"path", "@T/outside/secret"}}, kNotFound, "@T/outside"));
  out->push_back(
      Refused("host_remove_outside", "remove", {{"path", "@T/outside"}, {"recursive", true}}, kNotFound, "@T"));
  out->push_back(Refused("host_read_proc", "read", {{"path", "/proc/self/environ"}}, StatusCode::kPermissionDenied,
                         "/proc/self/environ"));  // ws/proc is a symlink out: refused as one
  // Control: a host path inside the bind's directory is the same place in ws.
  out->push_back(Allowed("host_control_inside_bind", "read", {{"path", "@T/ws/x"}},
                         [](const std::string&, const Result<Reply>& r) {
                           if (r.ok()) {
                             EXPECT_EQ(r->data.value("text", ""), "x content\n");
                           }
                         }));
}

void SiblingCases(std::vector<EscapeCase>* out) {
  const StatusCode kNotFound = StatusCode::kNotFound;
  // tmp_/ws-evil starts with tmp_/ws but is not inside it.
  out->push_back(Refused("sibling_read_host", "read", {{"path", "@T/ws-evil/x"}}, kNotFound, "@T/ws-evil/x"));
  out->push_back(Refused("sibling_read_dotdot", "read", {{"path", "/../ws-evil/x"}}, StatusCode::kInvalidArgument,
                         kDotDot));
  out->push_back(Refused("sibling_read_host_dotdot", "read", {{"path", "@T/ws/../ws-evil/x"}},
                         StatusCode::kInvalidArgument, kDotDot));
  out->push_back(Refused("sibling_read_link", "read", {{"path", "evil_link/x"}}, StatusCode::kPermissionDenied,
                         kEscapes));
  out->push_back(Refused("sibling_list_host", "list", {{"path", "@T/ws-evil"}}, kNotFound, "@T/ws-evil"));
  out->push_back(Refused("sibling_tree_host", "tree", {{"path", "@T/ws-evil"}}, kNotFound, "@T/ws-evil"));
  out->push_back(Allowed("sibling_stat_host", "stat", {{"path", "@T/ws-evil/x"}}, StatMissing()));
  out->push_back(Refused("sibling_write_host", "write", {{"path", "@T/ws-evil/x"}, {"content", "pwned"}}, kNotFound,
                         "@T/ws-evil/x"));
  out->push_back(Allowed("sibling_write_host_parents", "write",
                         {{"path", "@T/ws-evil/x"}, {"content", "inside"}, {"parents", true}},
                         WsFile("@T/ws-evil/x", "inside")));
  out->push_back(Refused("sibling_write_dotdot", "write", {{"path", "/../ws-evil/x"}, {"content", "pwned"}},
                         StatusCode::kInvalidArgument, kDotDot));
  out->push_back(Refused("sibling_write_link", "write", {{"path", "evil_link/x"}, {"content", "pwned"}},
                         StatusCode::kPermissionDenied, kEscapes));
  out->push_back(Refused("sibling_remove_host", "remove", {{"path", "@T/ws-evil/x"}}, kNotFound, "@T/ws-evil"));
  out->push_back(Refused("sibling_move_dst_host", "move", {{"source", "x"}, {"destination", "@T/ws-evil/y"}},
                         kNotFound, "@T/ws-evil"));
  out->push_back(Refused("sibling_copy_src_host", "copy", {{"source", "@T/ws-evil/x"}, {"destination", "stolen"}},
                         kNotFound, "@T/ws-evil"));
  out->push_back(Refused("sibling_copy_dst_dotdot", "copy", {{"source", "x"}, {"destination", "/../ws-evil/y"}},
                         StatusCode::kInvalidArgument, kDotDot));
}

void SymlinkCases(std::vector<EscapeCase>* out) {
  const StatusCode kDenied = StatusCode::kPermissionDenied;
  // Through each kind of link that leads out, every op.
  const std::pair<const char*, const char*> through[] = {
      {"direct", "out/secret"},
      {"relative", "rel_out/secret"},
      {"chained", "chain_a/secret"},
      {"intermediate", "dir/link@T/outside/secret"},
      {"proc_root", "proc@T/outside/secret"},
      {"parent", "up/outside/secret"},
      {"nested", "holder/via_up/outside/secret"},
  };
  for (const auto& [label, p] : through) EveryOp(out, StrCat({"symlink_", label}), p, kDenied, kEscapes);

  // A link to a file outside: reads and edits refuse, writes replace the link.
  out->push_back(Refused("symlink_read_abs_file", "read", {{"path", "abs_secret"}}, kDenied, kEscapes));
  out->push_back(Refused("symlink_read_rel_file", "read", {{"path", "rel_secret"}}, kDenied, kEscapes));
  out->push_back(Refused("symlink_read_passwd_via_root_link", "read", {{"path", "dir/link/etc/passwd"}}, kDenied,
                         kEscapes));
  out->push_back(Refused("symlink_read_passwd_via_proc", "read", {{"path", "proc/etc/passwd"}}, kDenied, kEscapes));
  out->push_back(Allowed("symlink_read_many", "read_many", {{"paths", {"abs_secret", "out/secret", "up/outside"}}},
                         FileError(kEscapes)));
  out->push_back(Allowed("symlink_write_abs_file_replaces_link", "write",
                         {{"path", "abs_secret"}, {"content", "replaced\n"}}, WsFile("abs_secret", "replaced\n")));
  out->push_back(Allowed("symlink_write_rel_file_replaces_link", "write",
                         {{"path", "rel_secret"}, {"content", "replaced\n"}}, WsFile("rel_secret", "replaced\n")));
  out->push_back(Refused("symlink_write_create_only_on_link", "write",
                         {{"path", "abs_secret"}, {"content", "x"}, {"create_only", true}},
                         StatusCode::kAlreadyExists, "/abs_secret"));
  out->push_back(Refused("symlink_edit_abs_file", "edit",
                         {{"path", "abs_secret"}, {"edits", {{{"old_text", "TOP"}, {"new_text", "pwned"}}}}},
                         StatusCode::kFailedPrecondition, "symbolic link"));
  out->push_back(Refused("symlink_write_into_ro_host_dir", "write", {{"path", "to_ro/file"}, {"content", "pwned"}},
                         kDenied, kEscapes));

  // Listing and walking: the links' directories are refused, and walks from
  // above never descend through them.
  for (const char* dir : {"out", "rel_out", "chain_a", "dir/link", "proc", "up", "holder/via_up"}) {
    std::string label = dir;
    for (char& ch : label) ch = ch == '/' ? '_' : ch;
    out->push_back(Refused(StrCat({"symlink_list_", label}), "list", {{"path", dir}}, kDenied, kEscapes));
    out->push_back(Refused(StrCat({"symlink_tree_", label}), "tree", {{"path", dir}}, kDenied, kEscapes));
    out->push_back(
        Refused(StrCat({"symlink_glob_", label}), "glob", {{"pattern", "*"}, {"path", dir}}, kDenied, kEscapes));
  }
  out->push_back(Refused("symlink_list_etc_via_root_link", "list", {{"path", "dir/link/etc"}}, kDenied, kEscapes));
  out->push_back(Allowed("symlink_tree_root_never_descends", "tree", {{"depth", 10}, {"gitignore", false}},
                         NothingThroughLinks("entries")));
  out->push_back(Allowed("symlink_glob_root_never_descends", "glob", {{"pattern", "**"}, {"gitignore", false}},
                         NothingThroughLinks("matches")));
  out->push_back(Allowed("symlink_glob_secret_anywhere", "glob", {{"pattern", "**/secret"}}, NoMatches()));
  out->push_back(Allowed("symlink_glob_passwd_anywhere", "glob", {{"pattern", "**/passwd"}}, NoMatches()));
  out->push_back(Allowed("symlink_glob_pattern_through_link", "glob", {{"pattern", "out/*"}}, NoMatches()));
  out->push_back(Allowed("symlink_glob_pattern_through_parent", "glob", {{"pattern", "up/outside/*"}}, NoMatches()));

  // stat of the link itself describes the link; following it is refused.
  out->push_back(Allowed("symlink_stat_link_itself", "stat", {{"path", "out"}}, StatOfLink("@T/outside")));
  out->push_back(
      Allowed("symlink_stat_file_link_itself", "stat", {{"path", "abs_secret"}}, StatOfLink("@T/outside/secret")));
  out->push_back(Allowed("symlink_stat_chain_itself", "stat", {{"path", "chain_a"}}, StatOfLink("chain_b")));
  out->push_back(Allowed("symlink_stat_proc_itself", "stat", {{"path", "proc"}}, StatOfLink("/proc/self/root")));
  out->push_back(Allowed("symlink_stat_parent_itself", "stat", {{"path", "up"}}, StatOfLink("..")));
  out->push_back(Refused("symlink_stat_follow", "stat", {{"path", "out"}, {"follow", true}}, kDenied, kEscapes));
  out->push_back(
      Refused("symlink_stat_follow_file", "stat", {{"path", "abs_secret"}, {"follow", true}}, kDenied, kEscapes));
  out->push_back(Allowed("symlink_stat_paths_follow", "stat", {{"paths", {"abs_secret", "up"}}, {"follow", true}},
                         [](const std::string&, const Result<Reply>& r) {
                           if (!r.ok()) return;
                           for (const Json& e : r->data["entries"]) {
                             EXPECT_NE(e.value("error", "").find(kEscapes), std::string::npos) << Dump(e);
                           }
                         }));

  // Copies take links as links; a copied directory's links stay links.
  out->push_back(Allowed("symlink_copy_file_link_as_link", "copy", {{"source", "abs_secret"}, {"destination", "c"}},
                         WsLink("c")));
  out->push_back(Allowed("symlink_copy_dir_link_as_link", "copy",
                         {{"source", "out"}, {"destination", "c"}, {"recursive", true}}, WsLink("c")));
  out->push_back(Allowed("symlink_copy_dir_holding_links", "copy",
                         {{"source", "holder"}, {"destination", "h2"}, {"recursive", true}},
                         All({WsLink("h2/abs"), WsLink("h2/rel"), WsLink("h2/via_up")})));
  out->push_back(Allowed("symlink_copy_dir_holding_root_link", "copy",
                         {{"source", "dir"}, {"destination", "dir2"}, {"recursive", true}}, WsLink("dir2/link")));

  // Moving and removing a link acts on the link, never on its target.
  out->push_back(Allowed("symlink_move_link_itself", "move", {{"source", "out"}, {"destination", "out2"}},
                         All({WsLink("out2"), WsGone("out")})));
  out->push_back(Allowed("symlink_move_over_file_link", "move",
                         {{"source", "x"}, {"destination", "abs_secret"}, {"overwrite", true}},
                         WsFile("abs_secret", "x content\n")));
  for (const char* link : {"out", "abs_secret", "chain_a", "up", "proc", "dir/link"}) {
    std::string label = link;
    for (char& ch : label) ch = ch == '/' ? '_' : ch;
    out->push_back(Allowed(StrCat({"symlink_remove_", label, "_itself"}), "remove", {{"path", link}}, WsGone(link)));
  }
  // Recursive removal of links whose targets are inside tmp_ only: a bug
  // must never be able to reach the host's own directories.
  out->push_back(Allowed("symlink_remove_recursive_out", "remove", {{"path", "out"}, {"recursive", true}},
                         WsGone("out")));
  out->push_back(
      Allowed("symlink_remove_recursive_up", "remove", {{"path", "up"}, {"recursive", true}}, WsGone("up")));
  out->push_back(Allowed("symlink_remove_recursive_holder", "remove", {{"path", "holder"}, {"recursive", true}},
                         WsGone("holder")));

  // mkdir through links, with and without parents.
  out->push_back(Refused("symlink_mkdir_direct", "mkdir", {{"path", "out/newdir"}}, kDenied, kEscapes));
  out->push_back(Refused("symlink_mkdir_chain", "mkdir", {{"path", "chain_a/newdir"}}, kDenied, kEscapes));
  out->push_back(Refused("symlink_mkdir_root_link", "mkdir", {{"path", "dir/link@T/outside/newdir"}}, kDenied,
                         kEscapes));
}

void HardlinkAndRenameCases(std::vector<EscapeCase>* out) {
  // ws/hard and tmp_/outside/hard are one inode: writes must replace the
  // name in ws, never write into the inode.
  out->push_back(Allowed("hardlink_write_replaces", "write", {{"path", "hard"}, {"content", "new inside\n"}},
                         All({WsFile("hard", "new inside\n"), HardlinkBroken()})));
  out->push_back(Maybe("hardlink_edit", "edit",
                       {{"path", "hard"}, {"edits", {{{"old_text", "hardlinked"}, {"new_text", "EDITED"}}}}},
                       [](const std::string& tmp, const Result<Reply>& r) {
                         if (r.ok()) {
                           WsFile("hard", "EDITED outside content\n")(tmp, r);
                           HardlinkBroken()(tmp, r);
                         } else {
                           EXPECT_EQ(HostText(StrCat({tmp, "/ws/hard"})), kHard);
                         }
                       }));
  out->push_back(Allowed("hardlink_remove_unlinks_only", "remove", {{"path", "hard"}}, WsGone("hard")));
  out->push_back(Allowed("hardlink_move", "move", {{"source", "hard"}, {"destination", "hard2"}}, WsGone("hard")));
  out->push_back(Allowed("hardlink_move_over", "move", {{"source", "x"}, {"destination", "hard"}, {"overwrite", true}},
                         All({WsFile("hard", "x content\n"), HardlinkBroken()})));
  out->push_back(Allowed("hardlink_copy_over", "copy", {{"source", "x"}, {"destination", "hard"}, {"overwrite", true}},
                         All({WsFile("hard", "x content\n"), HardlinkBroken()})));

  // Renames whose destination lies through a symlinked directory leading out.
  const StatusCode kDenied = StatusCode::kPermissionDenied;
  const std::pair<const char*, const char*> dests[] = {
      {"direct", "out/x"},          {"relative", "rel_out/x"},          {"chained", "chain_a/x"},
      {"parent", "up/outside/x"},   {"root_link", "dir/link@T/outside/x"}, {"proc", "proc@T/outside/x"},
      {"sibling", "evil_link/x2"},  {"into_subdir", "out/sub/x"},
  };
  for (const auto& [label, dst] : dests) {
    out->push_back(Refused(StrCat({"rename_to_", label}), "move", {{"source", "x"}, {"destination", dst}}, kDenied,
                           kEscapes));
  }
  out->push_back(Refused("rename_over_secret", "move",
                         {{"source", "x"}, {"destination", "out/secret"}, {"overwrite", true}}, kDenied, kEscapes));
  out->push_back(Refused("rename_dir_out", "move", {{"source", "a"}, {"destination", "out/a"}}, kDenied, kEscapes));
  out->push_back(Refused("rename_from_outside", "move", {{"source", "out/secret"}, {"destination", "stolen"}},
                         kDenied, kEscapes));
}

// A relative path of `bytes` bytes: names of 200 bytes of `fill` (the last
// one shorter), joined with '/'.
std::string LongPath(size_t bytes, const std::string& fill) {
  std::string out;
  size_t in_name = 0;
  while (out.size() + fill.size() <= bytes) {
    if (in_name + fill.size() > 200) {
      out.push_back('/');
      in_name = 0;
    }
    out += fill;
    in_name += fill.size();
  }
  EXPECT_EQ(out.size(), bytes);
  return out;
}

// Deletes `name` in `dir` and everything below it through *at() calls, for
// trees deeper than PATH_MAX.
void RemoveAt(int dir, const std::string& name) {
  struct stat st;
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    int fd = ::openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (DIR* d = fd < 0 ? nullptr : ::fdopendir(fd)) {
      std::vector<std::string> names;
      while (dirent* e = ::readdir(d)) {
        if (std::string_view(e->d_name) != "." && std::string_view(e->d_name) != "..") names.emplace_back(e->d_name);
      }
      for (const std::string& n : names) RemoveAt(fd, n);
      ::closedir(d);
    }
  }
  ::unlinkat(dir, name.c_str(), S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
}

void OddBytesCases(std::vector<EscapeCase>* out) {
  const StatusCode kInvalid = StatusCode::kInvalidArgument;
  // NUL: what C would see ends early; the whole path is refused.
  const std::string nul_paths[] = {std::string("x\0/../../outside/secret", 23), std::string("out\0/secret", 11)};
  for (size_t i = 0; i < 2; ++i) {
    EveryOp(out, StrCat({"nul_", std::to_string(i)}), nul_paths[i], kInvalid, "NUL byte");
  }
  out->push_back(Maybe("nul_glob_pattern", "glob", {{"pattern", std::string("x\0/../outside", 13)}},
                       [](const std::string&, const Result<Reply>& r) { NoMatches()("", r); }));
  // Names over 255 bytes, paths over 4095 bytes (the schema counts
  // characters; the workspace counts bytes).
  std::string long_name(256, 'n');
  for (const char* op : {"read", "stat", "list"}) {
    out->push_back(Refused(StrCat({"long_name_", op}), op, {{"path", long_name}}, kInvalid, "255"));
  }
  out->push_back(Refused("long_name_write", "write", {{"path", long_name}, {"content", "x"}}, kInvalid, "255"));
  out->push_back(Refused("long_name_mkdir", "mkdir", {{"path", StrCat({"a/", long_name})}}, kInvalid, "255"));
  out->push_back(Refused("long_name_through_link", "write", {{"path", StrCat({"out/", long_name})}, {"content", "x"}},
                         kInvalid, "255"));
  std::string long_path = LongPath(4096, "a");
  for (const char* op : {"read", "stat", "list", "tree"}) {
    out->push_back(Refused(StrCat({"long_path_", op}), op, {{"path", long_path}}, kInvalid, "path"));
  }
  out->push_back(Refused("long_path_write", "write", {{"path", long_path}, {"content", "x"}}, kInvalid, "path"));
  std::string wide_path = LongPath(4200, "\xc3\xa9");  // 2,100 characters, 4,200 bytes
  out->push_back(Refused("long_path_bytes_read", "read", {{"path", wide_path}}, kInvalid, "4095"));
  out->push_back(Refused("long_path_bytes_write", "write", {{"path", wide_path}, {"content", "x"}, {"parents", true}},
                         kInvalid, "4095"));
  std::string max_path = LongPath(4095, "m");
  std::string top = max_path.substr(0, max_path.find('/'));
  out->push_back(Maybe("long_path_at_limit_write", "write", {{"path", max_path}, {"content", "x"}, {"parents", true}},
                       [top](const std::string& tmp, const Result<Reply>& r) {
                         // Made inside ws if at all; then removed, as the host path passes PATH_MAX.
                         IfOkInside(top)(tmp, r);
                         int ws = ::open(StrCat({tmp, "/ws"}).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
                         RemoveAt(ws, top);
                         ::close(ws);
                       }));

  // Invalid UTF-8 may name a file, inside the workspace only.
  const std::string bad = "\xff\xfe.txt";
  out->push_back(Maybe("utf8_write", "write", {{"path", bad}, {"content", "utf8 inside\n"}}, IfOkInside(bad)));
  out->push_back(Maybe("utf8_mkdir", "mkdir", {{"path", "\xff\xfe-dir"}}, IfOkInside("\xff\xfe-dir")));
  out->push_back(Maybe("utf8_move", "move", {{"source", "x"}, {"destination", "\xc0\xaf-moved"}},
                       IfOkInside("\xc0\xaf-moved")));
  Setup make_bad = [bad](const std::string& tmp) {
    std::string host = StrCat({tmp, "/ws/", bad});
    int fd = ::open(host.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "utf8 inside\n", 12), 12);
    ::close(fd);
  };
  out->push_back(Maybe("utf8_read", "read", {{"path", bad}},
                       [](const std::string&, const Result<Reply>& r) {
                         if (r.ok()) {
                           EXPECT_EQ(r->data.value("text", ""), "utf8 inside\n");
                         }
                       },
                       make_bad));
  out->push_back(Maybe("utf8_list", "list", Json::object(), nullptr, make_bad));
  out->push_back(Maybe("utf8_tree", "tree", Json::object(), nullptr, make_bad));
  out->push_back(Refused("utf8_dotdot", "read", {{"path", "\xff/../../outside/secret"}}, kInvalid, kDotDot));
  out->push_back(Refused("utf8_through_link", "write", {{"path", "out/\xff\xfe.txt"}, {"content", "x"}},
                         StatusCode::kPermissionDenied, kEscapes));
  // Spellings of ".." that are only names to the kernel: not found, or
  // (no '/' at all) one file inside ws.
  out->push_back(Refused("spelling_backslash_read", "read", {{"path", "..\\outside\\secret"}},
                         StatusCode::kNotFound, "does not exist"));
  out->push_back(Allowed("spelling_backslash_write", "write", {{"path", "..\\outside\\secret"}, {"content", "in"}},
                         WsFile("..\\outside\\secret", "in")));
  const std::pair<const char*, const char*> spellings[] = {
      {"overlong_dots", "\xc0\xae\xc0\xae/outside/secret"},
      {"percent", "%2e%2e/outside/secret"},
      {"three_dots", ".../outside/secret"},
      {"space", " ../outside/secret"},
      {"fullwidth", "\xef\xbc\x8e\xef\xbc\x8e/outside/secret"},
  };
  for (const auto& [label, p] : spellings) {
    out->push_back(Refused(StrCat({"spelling_", label, "_read"}), "read", {{"path", p}}, StatusCode::kNotFound,
                           "does not exist"));
    out->push_back(Refused(StrCat({"spelling_", label, "_write"}), "write", {{"path", p}, {"content", "pwned"}},
                           StatusCode::kNotFound, "does not exist"));
  }
}

void ReadOnlyCases(std::vector<EscapeCase>* out) {
  const StatusCode kDenied = StatusCode::kPermissionDenied;
  Json edits = Json::array({{{"old_text", "ro"}, {"new_text", "rw"}}});
  // "/ro" is bound read-only.
  const Use ro_bind[] = {
      {"write_existing", "write", {{"path", "ro/file"}, {"content", "pwned"}}},
      {"write_new", "write", {{"path", "ro/new"}, {"content", "pwned"}}},
      {"write_parents", "write", {{"path", "ro/a/b/new"}, {"content", "pwned"}, {"parents", true}}},
      {"write_host_path", "write", {{"path", "@T/robind/file"}, {"content", "pwned"}}},
      {"edit", "edit", {{"path", "ro/file"}, {"edits", edits}}},
      {"edit_dry_run", "edit", {{"path", "ro/file"}, {"edits", edits}, {"dry_run", true}}},
      {"mkdir", "mkdir", {{"path", "ro/d"}}},
      {"mkdir_parents", "mkdir", {{"path", "ro/a/b"}, {"parents", true}}},
      {"remove_file", "remove", {{"path", "ro/file"}}},
      {"remove_dir", "remove", {{"path", "ro/sub"}, {"recursive", true}}},
      {"remove_root", "remove", {{"path", "ro"}, {"recursive", true}}},
      {"move_out", "move", {{"source", "ro/file"}, {"destination", "stolen"}}},
      {"move_in", "move", {{"source", "x"}, {"destination", "ro/x"}}},
      {"move_within", "move", {{"source", "ro/file"}, {"destination", "ro/file2"}}},
      {"move_over", "move", {{"source", "x"}, {"destination", "ro/file"}, {"overwrite", true}}},
      {"copy_in", "copy", {{"source", "x"}, {"destination", "ro/x"}}},
      {"copy_within", "copy", {{"source", "ro/file"}, {"destination", "ro/file2"}}},
      {"copy_over", "copy", {{"source", "x"}, {"destination", "ro/file"}, {"overwrite", true}}},
  };
  for (const Use& use : ro_bind) {
    out->push_back(Refused(StrCat({"ro_bind_", use.label}), use.op, use.args, kDenied, kReadOnly, World::kRoBind));
  }
  EscapeCase copy_out = Allowed("ro_bind_control_copy_out", "copy", {{"source", "ro/file"}, {"destination", "fromro"}},
                                WsFile("fromro", "ro content\n"));
  copy_out.world = World::kRoBind;
  out->push_back(copy_out);
  out->push_back(Refused("ro_bind_write_via_symlink", "write", {{"path", "to_ro/file"}, {"content", "pwned"}}, kDenied,
                         kEscapes, World::kRoBind));
  out->push_back(Refused("ro_bind_write_via_host_dotdot", "write",
                         {{"path", "@T/ws/../robind/file"}, {"content", "pwned"}}, StatusCode::kInvalidArgument,
                         kDotDot, World::kRoBind));

  // The whole workspace served read-only.
  const Use ro_ws[] = {
      {"write", "write", {{"path", "x"}, {"content", "pwned"}}},
      {"write_new", "write", {{"path", "new"}, {"content", "pwned"}}},
      {"write_over_link", "write", {{"path", "abs_secret"}, {"content", "pwned"}}},
      {"edit", "edit", {{"path", "x"}, {"edits", {{{"old_text", "x"}, {"new_text", "y"}}}}}},
      {"mkdir", "mkdir", {{"path", "d"}, {"parents", true}}},
      {"remove", "remove", {{"path", "x"}}},
      {"remove_link", "remove", {{"path", "out"}}},
      {"remove_dir", "remove", {{"path", "a"}, {"recursive", true}}},
      {"move", "move", {{"source", "x"}, {"destination", "y"}}},
      {"copy", "copy", {{"source", "x"}, {"destination", "y"}}},
  };
  for (const Use& use : ro_ws) {
    out->push_back(Refused(StrCat({"ro_ws_", use.label}), use.op, use.args, kDenied, kReadOnly, World::kRoWorkspace));
  }
}

void OneEndOutsideCases(std::vector<EscapeCase>* out) {
  // move and copy with one end outside, by host path, '..' and symlink.
  const StatusCode kNotFound = StatusCode::kNotFound;
  const StatusCode kInvalid = StatusCode::kInvalidArgument;
  const StatusCode kDenied = StatusCode::kPermissionDenied;
  for (const char* op : {"move", "copy"}) {
    std::string o = op;
    out->push_back(Refused(StrCat({"ends_", o, "_src_host"}), op,
                           {{"source", "@T/outside/secret"}, {"destination", "stolen"}}, kNotFound,
                           "@T/outside"));
    out->push_back(Refused(StrCat({"ends_", o, "_dst_host"}), op,
                           {{"source", "x"}, {"destination", "@T/outside/x"}}, kNotFound, "@T/outside"));
    out->push_back(Refused(StrCat({"ends_", o, "_dst_host_over"}), op,
                           {{"source", "x"}, {"destination", "@T/outside/secret"}, {"overwrite", true}}, kNotFound,
                           "@T/outside"));
    out->push_back(Refused(StrCat({"ends_", o, "_src_dotdot"}), op,
                           {{"source", "../outside/secret"}, {"destination", "stolen"}}, kInvalid, kDotDot));
    out->push_back(Refused(StrCat({"ends_", o, "_dst_dotdot"}), op, {{"source", "x"}, {"destination", "../x"}},
                           kInvalid, kDotDot));
    out->push_back(Refused(StrCat({"ends_", o, "_src_symlink"}), op,
                           {{"source", "rel_out/secret"}, {"destination", "stolen"}}, kDenied, kEscapes));
    out->push_back(Refused(StrCat({"ends_", o, "_dst_symlink"}), op,
                           {{"source", "x"}, {"destination", "rel_out/x"}}, kDenied, kEscapes));
    out->push_back(Refused(StrCat({"ends_", o, "_dir_src_symlink"}), op,
                           {{"source", "out/sub"}, {"destination", "stolen"}, {"recursive", true}}, kDenied,
                           kEscapes));
  }
}

std::vector<EscapeCase> Cases() {
  std::vector<EscapeCase> out;
  DotDotCases(&out);
  HostPathCases(&out);
  SiblingCases(&out);
  SymlinkCases(&out);
  HardlinkAndRenameCases(&out);
  OddBytesCases(&out);
  ReadOnlyCases(&out);
  OneEndOutsideCases(&out);
  // move takes no "recursive".
  for (EscapeCase& c : out) {
    if (c.op == "move") c.args.erase("recursive");
  }
  return out;
}

std::string CaseName(const ::testing::TestParamInfo<EscapeCase>& param) { return param.param.name; }

INSTANTIATE_TEST_SUITE_P(Escape, EscapeTest, ::testing::ValuesIn(Cases()), CaseName);

// ---------------------------------------------------------------------------
// A symlink swapped in between check and use

class EscapeRace : public FsVenomTest {};

// ws/swap flips, atomically and as fast as it can, between a real directory
// (holding a decoy "secret") and a symlink to tmp_/outside, while fs_read,
// fs_write and fs_list go through it. Calls may succeed or fail; none may
// read or write outside.
TEST_F(EscapeRace, SwappedSymlinkNeverLeaksOrWritesOutside) {
  tmp_.WriteFile("outside/secret", std::string(kSecret));
  tmp_.WriteFile(StrCat({"outside/", kOutsideOnly}), std::string(kSecret));
  tmp_.WriteFile("ws/swap/secret", "decoy inside\n");
  ASSERT_EQ(::symlink("../outside", tmp_.Join("ws/.flip").c_str()), 0);
  Snapshot outside_before = Take(tmp_.path(), false);

  std::atomic<bool> stop{false};
  std::atomic<long> flips{0};
  std::string swap = tmp_.Join("ws/swap");
  std::string flip = tmp_.Join("ws/.flip");
  std::thread flipper([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      if (::syscall(SYS_renameat2, AT_FDCWD, swap.c_str(), AT_FDCWD, flip.c_str(), RENAME_EXCHANGE) == 0) ++flips;
    }
  });

  int ok = 0;
  int failed = 0;
  std::string leaks;
  for (int i = 0; i < 2000; ++i) {
    Result<Reply> r = i % 3 == 0   ? Call("read", {{"path", "swap/secret"}})
                      : i % 3 == 1 ? Call("write", {{"path", "swap/secret"}, {"content", StrCat({"written ",
                                                                                                  std::to_string(i)})}})
                                   : Call("list", {{"path", "swap"}});
    std::string seen;
    if (r.ok()) {
      ++ok;
      AllStrings(r->data, &seen);
      AllStrings(r->content, &seen);
    } else {
      ++failed;
      seen = r.status().message();
      // A refusal must say why; anything else is a bug to look at.
      EXPECT_TRUE(r.status().code() == StatusCode::kPermissionDenied || r.status().code() == StatusCode::kNotFound ||
                  r.status().code() == StatusCode::kFailedPrecondition)
          << "call " << i << ": " << r.status();
    }
    for (std::string_view bad : kForbidden) {
      if (seen.find(bad) != std::string::npos) leaks += StrCat({"call ", std::to_string(i), ": ", seen, "\n"});
    }
  }
  stop = true;
  flipper.join();

  EXPECT_EQ(leaks, "") << "replies carried what lies outside";
  EXPECT_GT(flips.load(), 0) << "the directory never flipped: the race was not run";
  EXPECT_EQ(Diff(outside_before, Take(tmp_.path(), false)), "") << "something outside tmp_/ws changed";
  EXPECT_EQ(HostText(tmp_.Join("outside/secret")), kSecret);
  RecordProperty("flips", static_cast<int>(flips.load()));
  RecordProperty("ok", ok);
  RecordProperty("failed", failed);
}

}  // namespace
}  // namespace weft::venoms
