// Setting up the served workspaces from the command line and the store.
#include "mcp/cli/workspace_setup.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <optional>

#include "core/base/log.h"
#include "core/base/strings.h"
#include "mcp/cli/flags.h"

namespace weft::cli {
namespace {

Result<std::string> CanonicalDir(const std::string& dir, const char* flag) {
  char resolved[PATH_MAX];
  if (::realpath(dir.c_str(), resolved) == nullptr) {
    return Status::FromErrno(errno, StrCat({flag, " ", dir}));
  }
  struct stat st {};
  if (::stat(resolved, &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::InvalidArgument(StrCat({flag, " ", dir, ": not a directory"}));
  }
  return std::string(resolved);
}

// --bind flags → bind records with canonical host directories.
Result<std::vector<store::BindRecord>> ParseBinds(const std::vector<std::string>& flags) {
  std::vector<store::BindRecord> out;
  for (const std::string& flag : flags) {
    Result<ns::Mount> mount = ns::ParseBindFlag(flag);
    if (!mount.ok()) return mount.status().WithContext(StrCat({"--bind ", flag}));
    if (mount->path == "/") {
      return Status::InvalidArgument(StrCat({"--bind ", flag, ": / is the workspace directory itself; "
                                                            "bind below it (e.g. /docs=DIR)"}));
    }
    if (mount->source.kind == ns::Source::Kind::kHost) {
      WEFT_ASSIGN_OR_RETURN(mount->source.dir, CanonicalDir(mount->source.dir, "--bind"));
    }
    out.push_back({mount->path, mount->source.ToString()});
  }
  return out;
}

// The agent host and the MCP surface over host->workspaces.
Status Surface(WorkspaceHost& host, const std::string& state_dir, bool host_mounts, bool own_agents,
               mcp::ToolRegistry& tools, mcp::ResourceRegistry& resources, mcp::PromptRegistry& prompts) {
  host.agents = std::make_unique<venoms::agent::AgentHost>(*host.store, state_dir, SelfExecutablePath(), own_agents);
  host.surface = std::make_unique<mcp::WorkspaceSurface>(host.workspaces, host_mounts, host.agents.get());
  return host.surface->Register(tools, resources, prompts);
}

}  // namespace

Result<std::unique_ptr<WorkspaceHost>> SetUpWorkspaces(const WorkspaceFlags& flags, mcp::ToolRegistry& tools,
                                                       mcp::ResourceRegistry& resources,
                                                       mcp::PromptRegistry& prompts) {
  auto host = std::make_unique<WorkspaceHost>();
  std::string db = store::Store::PathIn(flags.state_dir);
  Result<std::unique_ptr<store::Store>> opened = store::Store::Open(db);
  if (!opened.ok()) return opened.status();
  host->store = std::move(opened).value();
  std::vector<std::string> dirs = flags.dirs;
  if (dirs.empty()) dirs.push_back(std::filesystem::current_path().string());
  WEFT_ASSIGN_OR_RETURN(std::vector<store::BindRecord> binds, ParseBinds(flags.binds));
  for (size_t i = 0; i < dirs.size(); ++i) {
    WEFT_ASSIGN_OR_RETURN(std::string root, CanonicalDir(dirs[i], "--workspace"));
    // The command line is the truth: this run's binds replace what was recorded.
    std::vector<store::BindRecord> these = i == 0 ? binds : std::vector<store::BindRecord>{};
    WEFT_ASSIGN_OR_RETURN(store::WorkspaceRecord record, host->store->EnsureWorkspace(root, these));
    bool duplicate = false;
    for (const auto& ws : host->workspaces.list()) duplicate = duplicate || ws->id() == record.id;
    if (duplicate) continue;
    WEFT_ASSIGN_OR_RETURN(std::unique_ptr<ns::Workspace> ws, OpenRecordedWorkspace(record, flags.read_only));
    host->workspaces.Add(std::move(ws));
  }
  WEFT_RETURN_IF_ERROR(Surface(*host, flags.state_dir, flags.host_mounts, flags.own_agents, tools, resources, prompts));
  if (flags.own_agents) {
    // Agents whose runner vanished with a previous server are recorded lost.
    Result<int> lost = host->agents->Reconcile();
    if (!lost.ok()) {
      WEFT_LOG(kWarning) << "reconciling agents: " << lost.status().message();
    }
  }
  return host;
}

Result<std::unique_ptr<WorkspaceHost>> SetUpRecordedWorkspace(const std::string& state_dir,
                                                               const std::string& workspace_id, bool own_agents,
                                                               mcp::ToolRegistry& tools,
                                                               mcp::ResourceRegistry& resources,
                                                               mcp::PromptRegistry& prompts) {
  auto host = std::make_unique<WorkspaceHost>();
  WEFT_ASSIGN_OR_RETURN(host->store, store::Store::Open(store::Store::PathIn(state_dir)));
  WEFT_ASSIGN_OR_RETURN(store::WorkspaceRecord record, host->store->GetWorkspace(workspace_id));
  WEFT_ASSIGN_OR_RETURN(std::unique_ptr<ns::Workspace> ws, OpenRecordedWorkspace(record, false));
  host->workspaces.Add(std::move(ws));
  WEFT_RETURN_IF_ERROR(Surface(*host, state_dir, false, own_agents, tools, resources, prompts));
  return host;
}

std::string ServerInstructions(const ns::Workspaces& workspaces) {
  std::string names;
  for (const auto& ws : workspaces.list()) {
    names += StrCat({names.empty() ? "" : ", ", ws->name(), " (", ws->PrimaryDir(), ")"});
  }
  return StrCat({"weft serves the workspace", workspaces.list().size() > 1 ? "s " : " ", names,
                 ". Paths start at the workspace root (/). Find with search_code, search_files and fs_glob; "
                 "read with fs_read; change files with fs_edit. The `onboard` prompt explains what is bound "
                 "where and how to work here."});
}

Result<std::unique_ptr<ns::Workspace>> OpenRecordedWorkspace(const store::WorkspaceRecord& record, bool read_only) {
  ns::MountTable table;
  WEFT_RETURN_IF_ERROR(table.Add("/", ns::Source{ns::Source::Kind::kHost, "", record.root, false}));
  for (const store::BindRecord& b : record.binds) {
    WEFT_ASSIGN_OR_RETURN(ns::Source source, ns::Source::Parse(b.source));
    WEFT_RETURN_IF_ERROR(table.Add(b.path, std::move(source)));
  }
  return ns::Workspace::Open(record.id, record.name, std::move(table), read_only);
}

std::string DescribeWorkspaces(const ns::Workspaces& workspaces) {
  std::string out;
  for (const auto& ws : workspaces.list()) {
    if (!out.empty()) out += "; ";
    out += StrCat({ws->name(), " (", ws->id(), "): ", ws->PrimaryDir()});
    for (const ns::Mount& m : ws->mounts().mounts()) {
      if (m.path == "/") continue;
      out += StrCat({" + ", m.path, " → ", m.source.dir, m.source.read_only ? " (ro)" : ""});
    }
    if (ws->read_only()) out += " [read-only]";
  }
  return out;
}

}  // namespace weft::cli
