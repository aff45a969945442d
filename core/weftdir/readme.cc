// /.weft/README.md: the namespace explained to an agent, from the workspace
// and the venom registry.
#include <string>

#include "core/base/strings.h"
#include "core/weftdir/call_session.h"
#include "core/weftdir/weft_dir.h"

namespace weft::weftdir {
namespace {

std::string Access(const ns::Workspace& ws, const ns::Mount& m) {
  return m.source.read_only || ws.read_only() ? "read-only" : "read-write";
}

std::string BindsSection(const ns::Workspace& ws) {
  std::string out =
      "## What is bound where\n\n"
      "| path | comes from | access |\n|---|---|---|\n";
  for (const ns::Mount& m : ws.mounts().mounts()) {
    std::string from = m.source.kind == ns::Source::Kind::kNode ? StrCat({"node ", m.source.node, ": ", m.source.dir})
                                                                 : StrCat({"host directory ", m.source.dir});
    out += StrCat({"| `", m.path, "` | ", from, " | ", Access(ws, m), " |\n"});
  }
  out += StrCat({"\n", ws.read_only() ? "The whole workspace is served read-only: every change is refused.\n\n" : "",
                 "Writes to a read-only bind fail with a permission error.\n\n"});
  return out;
}

// The op the examples call: git/status when there is one.
const venoms::Op* ExampleOp(const venoms::Registry& registry) {
  if (const venoms::Op* op = registry.Find("git", "status")) return op;
  return registry.ops().empty() ? nullptr : registry.ops().front().get();
}

std::string CallSection(const venoms::Registry& registry) {
  const venoms::Op* op = ExampleOp(registry);
  std::string file = op ? StrCat({op->spec.venom, "/", op->spec.op}) : "git/status";
  std::string dotted = op ? StrCat({op->spec.venom, ".", op->spec.op}) : "git.status";
  return StrCat(
      {"## Calling an op: call files\n\n"
       "Every op is a file `.weft/venoms/<venom>/<op>`. Each open of it is a private call: write the "
       "request (a JSON object of the op's arguments; nothing, or `{}`, for none), then read the response "
       "to the end of the file from the same open file. The first read runs the op and waits for it; closing "
       "the file ends the call. Other callers, even on the same op, never see your call or its answer. "
       "Requests are capped at ",
       std::to_string(kMaxRequestBytes >> 20),
       " MiB; write once, or in sequence, before reading.\n\n"
       "Below, `$WS` is the directory where this workspace is mounted (the one holding `.weft`).\n\n"
       "Shell:\n\n```sh\nexec 3<>\"$WS/.weft/venoms/",
       file,
       "\"; echo '{}' >&3; cat <&3; exec 3<&-\n```\n\n"
       "Python:\n\n```python\nimport json, os\nfd = os.open(os.path.join(WS, \".weft/venoms/",
       file,
       "\"), os.O_RDWR)\nos.write(fd, json.dumps({}).encode())\nchunks = []\n"
       "while chunk := os.read(fd, 65536):\n    chunks.append(chunk)\nos.close(fd)\n"
       "response = json.loads(b\"\".join(chunks))\n```\n\n"
       "Or, from any directory inside the mount: `weft call ",
       dotted,
       " '{}'` (the request may also come on stdin: `weft call ",
       dotted,
       " - < request.json`).\n\n"
       "### The response\n\n"
       "One line of JSON. On success it is the op's result, an object shaped by the op's output schema. On "
       "failure it is `{\"error\": {\"code\": <int>, \"status\": \"<name>\", \"message\": \"...\"}}`:\n\n"
       "- negative codes mean the request itself was unusable: -32700 `parse_error` (not JSON), -32602 "
       "`invalid_params` (not a JSON object), -32600 `invalid_request` (nested too deep), -32603 "
       "`internal_error` (a fault in weft);\n"
       "- positive codes mean the op ran and failed; the message says what went wrong and what to do instead: "
       "1 `invalid_argument` (including arguments that break the input schema), 2 `not_found`, 3 "
       "`already_exists`, 4 `permission_denied`, 5 `failed_precondition`, 6 `out_of_range`, 7 "
       "`resource_exhausted`, 8 `deadline_exceeded`, 9 `cancelled`, 10 `unavailable`, 11 `unimplemented`, "
       "12 `io_error`, 13 `internal`.\n\n"});
}

std::string OpsSection(const venoms::Registry& registry) {
  std::string out = "## Venoms and ops\n\n";
  std::string venom;
  for (const auto& op : registry.ops()) {
    const venoms::OpSpec& s = op->spec;
    if (s.venom != venom) {
      venom = s.venom;
      out += StrCat({"\n### ", venom, "\n\n"});
    }
    out += StrCat({"- `venoms/", s.venom, "/", s.op, "` — ", s.title,
                   s.annotations.read_only ? " (read-only)" : "", "\n"});
  }
  return out + "\n";
}

}  // namespace

std::string WeftReadme(const ns::Workspace& workspace, const venoms::Registry& registry) {
  std::string out = StrCat(
      {"# The weft workspace \"", workspace.name(), "\"\n\n"
       "You are inside a weft workspace (id `", workspace.id(), "`): one namespace of files put together from "
       "the directories bound below, where every capability weft offers (files, search, terminals, git, …) is "
       "also a file you can call. The same ops are MCP tools named `<venom>_<op>` when you talk to weft over "
       "MCP.\n\n"
       "`/.weft` (this directory) is not listed in the workspace root, so `ls`, `git` and `rg` never see it, "
       "but it is there by name: open `.weft/...` from the root. Its files are small, reading them never "
       "blocks or changes anything, and only the call files under `venoms/` run anything.\n\n"});
  out += BindsSection(workspace);
  out +=
      "## This directory\n\n"
      "- `README.md` — this file.\n"
      "- `workspace.json` — the workspace as data: id, name, binds (path, source, read_only), nodes, policy, "
      "and health (whether each bind's directory is still there).\n"
      "- `catalog/venoms.json` — every op with its title, description, right, annotations and schemas.\n"
      "- `catalog/schemas/<venom>/<op>.input.json` and `.output.json` — each op's JSON Schemas: what to "
      "write to its call file and what you read back.\n"
      "- `venoms/<venom>/<op>` — the call files.\n\n";
  out += CallSection(registry);
  out += OpsSection(registry);
  out +=
      "## Conventions\n\n"
      "- Paths in arguments and results are workspace paths: `src/main.c` and `/src/main.c` both mean the "
      "file at `src/main.c` of the workspace root; nothing outside the binds above is reachable, and `..` is "
      "refused.\n"
      "- Ops that take a `workspace` argument default to this workspace.\n"
      "- Results are capped for a reader (lines, bytes, entries); a capped result says so (`truncated`) and "
      "says where to continue.\n"
      "- An op's description (in `catalog/venoms.json`) says what it does, when to use it and what it "
      "returns; the input schema's property descriptions say what each argument means.\n";
  return out;
}

}  // namespace weft::weftdir
