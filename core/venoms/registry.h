// The venom registry: every capability weft offers is declared here once, as
// a venom op (DESIGN.md §4). MCP tools, call files, `weft call`, the catalog,
// docs/tools.md and the golden tools/list are all derived from it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/cancellation.h"
#include "core/base/json.h"
#include "core/base/result.h"
#include "core/schema/schema.h"

namespace weft::ns {
class Workspaces;
}  // namespace weft::ns

namespace weft::grants {
struct Grant;
}  // namespace weft::grants

namespace weft::venoms {

// Behaviour hints clients auto-approve on: state them truthfully.
struct Annotations {
  bool read_only = false;    // changes nothing anywhere
  bool destructive = false;  // may delete or overwrite (meaningful when !read_only)
  bool idempotent = false;   // repeating the call with the same arguments changes nothing more
  bool open_world = false;   // reaches beyond the workspace (network, other hosts)
};

// The right an op needs (DESIGN.md §4); grants hand these out.
enum class Right { kFsRead, kFsWrite, kExec, kGitRead, kGitWrite, kAgentSpawn, kAdmin };
// "fs.read", "fs.write", "exec", "git.read", "git.write", "agent.spawn", "admin".
std::string_view RightName(Right right);
// fs.read and git.read: the rights a read-only grant passes.
bool IsReadRight(Right right);

// A namespace path an op acts on, declared with the op so that grants check
// every call against their path rules from the declaration, never by
// guessing from argument names (docs/grants.md, "Paths").
enum class PathAccess { kRead, kWrite };
struct PathUse {
  // The argument holding a workspace path (a string) or several (an array
  // of strings), read the way the op reads it (Workspace::CanonicalPath).
  // Empty: `fallback` is the path of every call.
  std::string arg;
  PathAccess access = PathAccess::kRead;
  // The path used when `arg` is absent (the op's default: "/" for the
  // workspace root); empty for none. With an empty `arg`, the path every
  // call acts on: "/" for ops that reach the whole workspace (git finds
  // its repository upward; a process can touch any file).
  std::string fallback;

  static PathUse Arg(std::string name, PathAccess access, std::string fallback = {}) {
    return PathUse{std::move(name), access, std::move(fallback)};
  }
  static PathUse Whole(PathAccess access) { return PathUse{{}, access, "/"}; }
};

// What a handler knows of the call it serves and how it reports while it
// runs. One per call, owned by the caller (the MCP session, a call file);
// used by the one thread running the handler.
class Context {
 public:
  virtual ~Context() = default;
  virtual const CancellationToken& cancellation() const = 0;
  bool cancelled() const { return cancellation().cancelled(); }
  // Progress on long work; `progress` increases between calls. A no-op when
  // the caller asked for none.
  virtual void Progress(double progress, std::optional<double> total, const std::string& message) = 0;
  // The workspaces this call may use when they are narrower than the ones
  // the op was registered with (an MCP client's roots narrowed them);
  // nullptr means the registered ones. Ops pick through WorkspaceArg.
  virtual const ns::Workspaces* workspaces() const { return nullptr; }
  // The grant the call runs under (its session's, its mount's), already
  // checked against the op and its arguments: ops that hand out authority
  // (agent_spawn derives the child's grant from it; workspace_mount mounts
  // read-only without write on "/") consult it. nullptr: an unrestricted
  // in-process caller (`weft call`, tests).
  virtual const grants::Grant* grant() const { return nullptr; }
};

// A successful reply. `data` conforms to the op's output schema (MCP's
// structuredContent; the whole answer of a call file). `content` is what a
// model reads, as MCP content blocks ({type:"text", text} / image / audio /
// resource); when null, callers render `data` as one text block.
//
// An op whose replies are large and frequent may write its data as JSON
// text instead, in `data_json` (JsonTextMember's contract: AppendJson's
// form, so what goes out is byte for byte what `data` would give): then
// `data` is left empty and the MCP bridge splices the text into the reply
// unparsed and unchecked. Such an op's tests prove its text conforms
// (Registry::Call checks it as it checks `data`).
struct Reply {
  Json data = Json::object();
  Json content = nullptr;
  std::string data_json;  // when not empty, stands for `data`

  // A reply whose readable form is `text`.
  static Reply WithText(Json data, std::string text);
  // The same with the data written as JSON text (see above).
  static Reply WithJsonText(std::string data_json, std::string text);
};

// Runs an op. `args` already conforms to the input schema. A non-ok Status is
// a failure the model reads: say what went wrong and what to do instead.
// May block (honour ctx.cancelled()) unless the op is declared nonblocking.
using Handler = std::function<Result<Reply>(Context& ctx, const Json& args)>;

struct OpSpec {
  std::string venom;        // [a-z][a-z0-9]*
  std::string op;           // [a-z][a-z0-9_]*
  std::string title;        // short, for people
  std::string description;  // for a model: what it does, when to use it, what it returns
  Annotations annotations;
  Right right = Right::kAdmin;
  Handler handler;
  // Short, bounded local work that never waits on anything else: no
  // processes, network, sleeps or locks held long. Reads of local files
  // within fixed caps qualify (fs_read, fs_stat), and of one directory
  // (fs_list); walks of whole trees do not. Callers may run it inline (the MCP session on its reader thread,
  // skipping the hand-off to a worker).
  bool nonblocking = false;
  // Where a reply may legitimately be larger than a client's default limit
  // (MCP `_meta["anthropic/maxResultSizeChars"]`); 0 = the client's default.
  size_t max_result_chars = 0;
  // The namespace paths a call reads or writes (grants check them). An op
  // whose right is fs.write, git.write, exec or agent.spawn declares at
  // least one kWrite use.
  std::vector<PathUse> paths = {};
};

// `spec` with its path uses: for registrations written as one OpSpec{…}.
inline OpSpec WithPaths(OpSpec spec, std::vector<PathUse> paths) {
  spec.paths = std::move(paths);
  return spec;
}

// A registered op with its compiled schemas (schemas/<venom>/<op>.input.json
// and .output.json). Immutable.
struct Op {
  OpSpec spec;
  std::string name;  // "<venom>_<op>", the MCP tool name
  const CompiledSchema* input = nullptr;
  const CompiledSchema* output = nullptr;
};

// Filled at startup, read-only afterwards: lookups are thread-safe once
// registration is over.
class Registry {
 public:
  explicit Registry(const SchemaStore& schemas = SchemaStore::Builtin());

  // Fails on a bad venom or op name, a duplicate, a missing handler, a
  // missing or malformed schema (both are required), a path use naming an
  // argument the input schema lacks (or one that is not a string or an
  // array of strings), or a writing right with no kWrite path use.
  Status Add(OpSpec spec);
  // Like Add, but a failure is a programming error: logs it and aborts.
  void AddOrDie(OpSpec spec);

  // nullptr when there is no such op.
  const Op* Find(std::string_view venom, std::string_view op) const;
  const Op* FindByName(std::string_view name) const;
  // Registration order.
  const std::vector<std::unique_ptr<Op>>& ops() const { return ops_; }
  const SchemaStore& schemas() const { return schemas_; }

  // Where a failed Call stopped: callers that report failures the way MCP
  // does need to tell the op's own failures from a reply that broke its
  // output schema (MCP answers that one with a protocol error, -32603).
  enum class Stage { kArguments, kHandler, kReply };

  // Validates `args` against the input schema (kInvalidArgument naming each
  // violation), runs the handler, and checks the reply against the output
  // schema (kInternal on a mismatch: a bug in the op). A reply written as
  // `data_json` is parsed into `data` to be checked (kInternal when it is not
  // JSON) and comes back with both. On failure, sets `*failed_at` when
  // given. For callers that are not MCP (call files, `weft call`) and for
  // tests; the MCP tool registry checks arguments and `data` itself, and
  // trusts `data_json`.
  Result<Reply> Call(Context& ctx, const Op& op, const Json& args, Stage* failed_at = nullptr) const;

 private:
  const SchemaStore& schemas_;
  std::vector<std::unique_ptr<Op>> ops_;
};

}  // namespace weft::venoms
