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

// Leaves kept beyond their agent, guarded by mu:
// - pending: their last process had not been reaped yet when they were
//   removed; every Create retries them;
// - spares: empty v2 leaves without limits, kept for the next agent that
//   needs one only for cgroup.kill (making and removing a cgroup costs more
//   than the rest of an unconfined spawn). A leaf with limits is never
//   reused (its event counters would carry over), nor a killed one.
// Both are removed at exit (pending ones given a second to empty); after a
// crash RemoveStaleAgentCgroups finds them.
constexpr size_t kSpareLeaves = 8;
struct KeptLeaves {
  std::mutex mu;
  std::vector<std::string> pending;
  std::vector<std::string> spares;
  ~KeptLeaves() {
    for (const std::string& dir : spares) ::rmdir(dir.c_str());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    for (const std::string& dir : pending) {
      while (::rmdir(dir.c_str()) != 0 && errno == EBUSY && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  }
};
KeptLeaves g_kept;

void RetryPending() {
  std::lock_guard<std::mutex> lock(g_kept.mu);
  std::vector<std::string>& pending = g_kept.pending;
  pending.erase(std::remove_if(pending.begin(), pending.end(),
                               [](const std::string& dir) { return ::rmdir(dir.c_str()) == 0 || errno == ENOENT; }),
                pending.end());
}

void KeepPending(const std::string& dir) {
  std::lock_guard<std::mutex> lock(g_kept.mu);
  g_kept.pending.push_back(dir);
}

std::string TakeSpare() {
  std::lock_guard<std::mutex> lock(g_kept.mu);
  if (g_kept.spares.empty()) return "";
  std::string dir = std::move(g_kept.spares.back());
  g_kept.spares.pop_back();
  return dir;
}

bool KeepSpare(const std::string& dir) {
  std::lock_guard<std::mutex> lock(g_kept.mu);
  if (g_kept.spares.size() >= kSpareLeaves) return false;
  g_kept.spares.push_back(dir);
  return true;
}

Result<std::string> MakeLeaf(const std::string& parent, const std::string& name) {
  std::string dir = StrCat({parent, "/", name});
  if (::mkdir(dir.c_str(), 0755) != 0) {
    return Status::FromErrno(errno, StrCat({"cannot make the agent cgroup ", dir}));
  }
  return dir;
}

// A v2 leaf with a process in it or below it.
bool Populated(const std::string& dir) { return KeyedValue(dir + "/cgroup.events", "populated") > 0; }

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
  std::string spare = v2_memory || v2_pids ? "" : TakeSpare();
  if (!spare.empty()) {
    cg.leaves_.push_back(Leaf{Kind::kV2, spare, UniqueFd()});
  } else if (!host.v2_dir.empty()) {
    WEFT_ASSIGN_OR_RETURN(Leaf * leaf, add(Kind::kV2, host.v2_dir));
    leaf->memory = v2_memory;
    leaf->pids = v2_pids;
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
    leaf->memory = true;
    WEFT_RETURN_IF_ERROR(WriteControl(leaf->dir, "memory.limit_in_bytes", std::to_string(*request.memory_bytes)));
    *memory_mechanism = "cgroup v1 memory.limit_in_bytes";
  }
  if (request.pids_max && !v2_pids && !host.v1_pids_dir.empty()) {
    WEFT_ASSIGN_OR_RETURN(Leaf * leaf, add(Kind::kV1Pids, host.v1_pids_dir));
    leaf->pids = true;
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
    Remove(std::chrono::milliseconds(1000));
    leaves_ = std::move(other.leaves_);
    other.leaves_.clear();
    clone_into_ = std::move(other.clone_into_);
  }
  return *this;
}

AgentCgroup::~AgentCgroup() {
  if (!leaves_.empty()) Remove(std::chrono::milliseconds(1000));
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
  for (Leaf& leaf : leaves_) {
    if (leaf.kind == Kind::kV2 && WriteControl(leaf.dir, "cgroup.kill", "1").ok()) {
      leaf.killed = true;
      killed = true;
    }
  }
  if (killed) return;
  for (const Leaf& leaf : leaves_) KillListed(leaf.dir);
}

bool AgentCgroup::OomKilled() const {
  for (const Leaf& leaf : leaves_) {
    if (!leaf.memory) continue;
    const char* events = leaf.kind == Kind::kV2 ? "/memory.events" : "/memory.oom_control";
    if (KeyedValue(leaf.dir + events, "oom_kill") > 0) return true;
  }
  return false;
}

bool AgentCgroup::PidsLimitHit() const {
  for (const Leaf& leaf : leaves_) {
    if (leaf.pids && KeyedValue(leaf.dir + "/pids.events", "max") > 0) return true;
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
  // Usually empty by now: removing first spares the kill.
  bool killed = false;
  for (Leaf& leaf : leaves_) {
    leaf.join.Reset();
    // A killed leaf is not reused: a child cloned into it later
    // (CLONE_INTO_CGROUP) can be killed at birth, as still part of the kill.
    bool reusable = leaf.kind == Kind::kV2 && !leaf.memory && !leaf.pids && !leaf.killed;
    if (reusable && !Populated(leaf.dir) && KeepSpare(leaf.dir)) continue;
    while (::rmdir(leaf.dir.c_str()) != 0) {
      if (errno == ENOENT) break;
      if (errno != EBUSY) {
        WEFT_LOG(kWarning) << "agent cgroup " << leaf.dir << " left behind: " << std::strerror(errno);
        break;
      }
      if (!killed) {
        KillAll();
        killed = true;
        continue;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        KeepPending(leaf.dir);
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
