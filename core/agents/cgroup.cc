// Agent cgroups: leaves below weft's own cgroup, limits, kill, events, removal.
#include "core/agents/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "core/base/files.h"
#include "core/base/log.h"
#include "core/base/strings.h"

namespace weft::agents {
namespace {

constexpr const char kLeafPrefix[] = "weft-agent-";

std::string NextLeafName() {
  static std::atomic<uint64_t> next{1};
  return StrCat({kLeafPrefix, std::to_string(getpid()), "-", std::to_string(next.fetch_add(1))});
}

Status WriteControl(const std::string& dir, const char* file, const std::string& value) {
  std::string path = StrCat({dir, "/", file});
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return Status::FromErrno(errno, path);
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
    return Status::FromErrno(errno, StrCat({"writing '", value, "' to ", path}));
  }
  return Status::Ok();
}

// The value of "key N" in a flat-keyed cgroup file (memory.events,
// memory.oom_control, pids.events); 0 when absent.
uint64_t KeyedValue(const std::string& path, std::string_view key) {
  Result<std::string> text = ReadWholeFile(path);
  if (!text.ok()) return 0;
  std::string_view rest(*text);
  while (!rest.empty()) {
    size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ' ') {
      return std::strtoull(std::string(line.substr(key.size() + 1)).c_str(), nullptr, 10);
    }
  }
  return 0;
}

std::vector<pid_t> Procs(const std::string& dir) {
  std::vector<pid_t> out;
  Result<std::string> text = ReadWholeFile(dir + "/cgroup.procs");
  if (!text.ok()) return out;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t eol = text->find('\n', pos);
    if (eol == std::string::npos) eol = text->size();
    if (eol > pos) out.push_back(static_cast<pid_t>(std::strtol(text->c_str() + pos, nullptr, 10)));
    pos = eol + 1;
  }
  return out;
}

// SIGKILL to every process of a v1 leaf until none is left; a process
// forking meanwhile shows up on the next pass.
void KillListed(const std::string& dir) {
  for (int pass = 0; pass < 100; ++pass) {
    std::vector<pid_t> pids = Procs(dir);
    if (pids.empty()) return;
    for (pid_t pid : pids) ::kill(pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

// Leaves whose last process had not been reaped yet when they were removed.
std::mutex g_pending_mu;
std::vector<std::string> g_pending;  // guarded by g_pending_mu

void RetryPending() {
  std::lock_guard<std::mutex> lock(g_pending_mu);
  g_pending.erase(std::remove_if(g_pending.begin(), g_pending.end(),
                                 [](const std::string& dir) { return ::rmdir(dir.c_str()) == 0 || errno == ENOENT; }),
                  g_pending.end());
}

Result<std::string> MakeLeaf(const std::string& parent, const std::string& name) {
  std::string dir = StrCat({parent, "/", name});
  if (::mkdir(dir.c_str(), 0755) != 0) {
    return Status::FromErrno(errno, StrCat({"cannot make the agent cgroup ", dir}));
  }
  return dir;
}

}  // namespace

Result<AgentCgroup> AgentCgroup::Create(const CgroupSupport& host, const Request& request,
                                        std::string* memory_mechanism, std::string* pids_mechanism) {
  memory_mechanism->clear();
  pids_mechanism->clear();
  RetryPending();
  AgentCgroup cg;
  const std::string name = NextLeafName();
  auto add = [&](Kind kind, const std::string& parent) -> Result<Leaf*> {
    WEFT_ASSIGN_OR_RETURN(std::string dir, MakeLeaf(parent, name));
    cg.leaves_.push_back(Leaf{kind, dir, UniqueFd()});
    return &cg.leaves_.back();
  };
  bool v2_memory = request.memory_bytes && host.HasV2Controller("memory");
  bool v2_pids = request.pids_max && host.HasV2Controller("pids");
  if (!host.v2_dir.empty()) {
    WEFT_ASSIGN_OR_RETURN(Leaf * leaf, add(Kind::kV2, host.v2_dir));
    if (v2_memory) {
      WEFT_RETURN_IF_ERROR(WriteControl(leaf->dir, "memory.max", std::to_string(*request.memory_bytes)));
      // Without this the limit bounds RAM only and the rest goes to swap.
      (void)WriteControl(leaf->dir, "memory.swap.max", "0");
      *memory_mechanism = "cgroup v2 memory.max";
    }
    if (v2_pids) {
      WEFT_RETURN_IF_ERROR(WriteControl(leaf->dir, "pids.max", std::to_string(*request.pids_max)));
      *pids_mechanism = "cgroup v2 pids.max";
    }
  }
  if (request.memory_bytes && !v2_memory && !host.v1_memory_dir.empty()) {
    WEFT_ASSIGN_OR_RETURN(Leaf * leaf, add(Kind::kV1Memory, host.v1_memory_dir));
    WEFT_RETURN_IF_ERROR(WriteControl(leaf->dir, "memory.limit_in_bytes", std::to_string(*request.memory_bytes)));
    *memory_mechanism = "cgroup v1 memory.limit_in_bytes";
  }
  if (request.pids_max && !v2_pids && !host.v1_pids_dir.empty()) {
    WEFT_ASSIGN_OR_RETURN(Leaf * leaf, add(Kind::kV1Pids, host.v1_pids_dir));
    WEFT_RETURN_IF_ERROR(WriteControl(leaf->dir, "pids.max", std::to_string(*request.pids_max)));
    *pids_mechanism = "cgroup v1 pids.max";
  }
  for (Leaf& leaf : cg.leaves_) {
    if (leaf.kind == Kind::kV2 && host.clone_into) {
      cg.clone_into_.Reset(::open(leaf.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!cg.clone_into_) return Status::FromErrno(errno, leaf.dir);
      continue;
    }
    std::string procs = leaf.dir + "/cgroup.procs";
    leaf.join.Reset(::open(procs.c_str(), O_WRONLY | O_CLOEXEC));
    if (!leaf.join) return Status::FromErrno(errno, procs);
  }
  return cg;
}

AgentCgroup& AgentCgroup::operator=(AgentCgroup&& other) noexcept {
  if (this != &other) {
    KillAll();
    Remove(std::chrono::milliseconds(1000));
    leaves_ = std::move(other.leaves_);
    other.leaves_.clear();
    clone_into_ = std::move(other.clone_into_);
  }
  return *this;
}

AgentCgroup::~AgentCgroup() {
  if (leaves_.empty()) return;
  KillAll();
  Remove(std::chrono::milliseconds(1000));
}

std::vector<std::string> AgentCgroup::Dirs() const {
  std::vector<std::string> dirs;
  for (const Leaf& leaf : leaves_) dirs.push_back(leaf.dir);
  return dirs;
}

std::vector<int> AgentCgroup::JoinFds() const {
  std::vector<int> fds;
  for (const Leaf& leaf : leaves_) {
    if (leaf.join) fds.push_back(leaf.join.get());
  }
  std::sort(fds.begin(), fds.end());
  return fds;
}

void AgentCgroup::CloseJoinFds() {
  for (Leaf& leaf : leaves_) leaf.join.Reset();
  clone_into_.Reset();
}

bool AgentCgroup::can_kill() const {
  for (const Leaf& leaf : leaves_) {
    struct stat st;
    if (leaf.kind == Kind::kV2 && ::stat((leaf.dir + "/cgroup.kill").c_str(), &st) == 0) return true;
  }
  return false;
}

void AgentCgroup::KillAll() {
  bool killed = false;
  for (const Leaf& leaf : leaves_) {
    if (leaf.kind == Kind::kV2 && WriteControl(leaf.dir, "cgroup.kill", "1").ok()) killed = true;
  }
  if (killed) return;
  for (const Leaf& leaf : leaves_) KillListed(leaf.dir);
}

bool AgentCgroup::OomKilled() const {
  for (const Leaf& leaf : leaves_) {
    if (leaf.kind == Kind::kV2 && KeyedValue(leaf.dir + "/memory.events", "oom_kill") > 0) return true;
    if (leaf.kind == Kind::kV1Memory && KeyedValue(leaf.dir + "/memory.oom_control", "oom_kill") > 0) return true;
  }
  return false;
}

bool AgentCgroup::PidsLimitHit() const {
  for (const Leaf& leaf : leaves_) {
    if (leaf.kind != Kind::kV1Memory && KeyedValue(leaf.dir + "/pids.events", "max") > 0) return true;
  }
  return false;
}

bool AgentCgroup::Unpopulated() const {
  for (const Leaf& leaf : leaves_) {
    if (!Procs(leaf.dir).empty()) return false;
  }
  return true;
}

void AgentCgroup::Remove(std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  clone_into_.Reset();
  for (Leaf& leaf : leaves_) {
    leaf.join.Reset();
    while (::rmdir(leaf.dir.c_str()) != 0) {
      if (errno == ENOENT) break;
      if (errno == EBUSY && std::chrono::steady_clock::now() >= deadline) {
        std::lock_guard<std::mutex> lock(g_pending_mu);
        g_pending.push_back(leaf.dir);
        break;
      }
      if (errno != EBUSY) {
        WEFT_LOG(kWarning) << "agent cgroup " << leaf.dir << " left behind: " << std::strerror(errno);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  leaves_.clear();
}

int RemoveStaleAgentCgroups(const CgroupSupport& host) {
  int removed = 0;
  for (const std::string& parent : {host.v2_dir, host.v1_memory_dir, host.v1_pids_dir}) {
    if (parent.empty()) continue;
    DIR* dir = ::opendir(parent.c_str());
    if (dir == nullptr) continue;
    std::vector<std::string> stale;
    while (dirent* e = ::readdir(dir)) {
      std::string_view name(e->d_name);
      if (name.substr(0, sizeof(kLeafPrefix) - 1) != kLeafPrefix) continue;
      pid_t owner = static_cast<pid_t>(std::strtol(e->d_name + sizeof(kLeafPrefix) - 1, nullptr, 10));
      if (owner <= 0 || owner == getpid() || ::kill(owner, 0) == 0 || errno != ESRCH) continue;
      stale.push_back(StrCat({parent, "/", name}));
    }
    ::closedir(dir);
    for (const std::string& leaf : stale) {
      if (!WriteControl(leaf, "cgroup.kill", "1").ok()) KillListed(leaf);
      for (int i = 0; i < 100 && ::rmdir(leaf.c_str()) != 0 && errno == EBUSY; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      struct stat st;
      if (::stat(leaf.c_str(), &st) != 0) ++removed;
    }
  }
  return removed;
}

}  // namespace weft::agents
