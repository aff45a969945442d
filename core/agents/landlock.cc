// Landlock rulesets for the strict profile: probe, plan, apply.
#include "core/agents/landlock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace weft::agents::landlock {
namespace {

constexpr unsigned kCreateRulesetVersion = 1U << 0;  // LANDLOCK_CREATE_RULESET_VERSION
constexpr int kRulePathBeneath = 1;                  // LANDLOCK_RULE_PATH_BENEATH

// struct landlock_ruleset_attr as of ABI 6 (the kernel takes the size it is
// given, so older kernels accept the ABI-1 prefix).
struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

struct __attribute__((packed)) PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};

constexpr uint64_t kFileRights = kExecute | kWriteFile | kReadFile | kTruncate | kIoctlDev;

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// Splits "a/b/c" into "a" and "b/c" ("" when there is no '/').
std::pair<std::string, std::string> FirstComponent(const std::string& pattern) {
  size_t slash = pattern.find('/');
  if (slash == std::string::npos) return {pattern, ""};
  return {pattern.substr(0, slash), pattern.substr(slash + 1)};
}

}  // namespace

uint64_t FsRights(int abi) {
  if (abi <= 0) return 0;
  uint64_t rights = (kMakeSym << 1) - 1;  // ABI 1: bits 0..12
  if (abi >= 2) rights |= kRefer;
  if (abi >= 3) rights |= kTruncate;
  if (abi >= 5) rights |= kIoctlDev;
  return rights;
}

int ProbeAbi(int* err) {
  long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, kCreateRulesetVersion);
  if (abi < 0) {
    *err = errno;
    return 0;
  }
  *err = 0;
  return static_cast<int>(abi);
}

const std::vector<std::string>& EtcSecrets() {
  static const std::vector<std::string> kSecrets = {
      "shadow", "shadow-", "gshadow", "gshadow-", "sudoers", "sudoers.d", "security/opasswd",
      "ssl/private", "ssh/ssh_host_*", "credstore", "credstore.encrypted", "wireguard",
      "NetworkManager/system-connections", "ppp/chap-secrets", "ppp/pap-secrets"};
  return kSecrets;
}

std::vector<Plan::Rule> ReadRulesExcept(const std::string& dir, const std::vector<std::string>& denied) {
  std::vector<Plan::Rule> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    bool skip = false;
    std::vector<std::string> deeper;
    for (const std::string& pattern : denied) {
      auto [first, rest] = FirstComponent(pattern);
      if (fnmatch(first.c_str(), name.c_str(), FNM_PERIOD) != 0) continue;
      if (rest.empty()) {
        skip = true;
      } else {
        deeper.push_back(rest);
      }
    }
    if (skip) continue;
    std::string path = dir + "/" + name;
    struct stat st;
    if (!deeper.empty() && ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      std::vector<Plan::Rule> inner = ReadRulesExcept(path, deeper);
      out.insert(out.end(), inner.begin(), inner.end());
    } else {
      out.push_back({path, kReadRights});
    }
  }
  return out;
}

Plan BuildPlan(int abi, const std::vector<std::string>& readable, const std::vector<std::string>& writable,
               bool network) {
  Plan plan;
  plan.abi = abi;
  plan.handled_fs = FsRights(abi);
  if (abi >= 4 && !network) plan.handled_net = kNetBindTcp | kNetConnectTcp;
  if (abi >= 6) plan.scoped = kScopeAbstractUnixSocket | kScopeSignal;
  plan.rules.push_back({"/", kReadDir});
  for (const std::string& path : readable) {
    if (path == "/etc") {
      std::vector<Plan::Rule> etc = ReadRulesExcept("/etc", EtcSecrets());
      plan.rules.insert(plan.rules.end(), etc.begin(), etc.end());
    } else if (Exists(path)) {
      plan.rules.push_back({path, kReadRights});
    }
  }
  for (const std::string& path : writable) {
    if (Exists(path)) plan.rules.push_back({path, plan.handled_fs});
  }
  for (Plan::Rule& rule : plan.rules) {
    rule.rights &= plan.handled_fs;
    // Rights that make sense only on directories are refused on files.
    struct stat st;
    if (::stat(rule.path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) rule.rights &= kFileRights;
  }
  return plan;
}

int ApplyInChild(const Plan& plan, int* failed_rule) noexcept {
  *failed_rule = -1;
  RulesetAttr attr{plan.handled_fs, plan.handled_net, plan.scoped};
  // The ABI-1 prefix on kernels that do not know the later fields.
  size_t size = plan.abi >= 6 ? sizeof(attr) : plan.abi >= 4 ? 2 * sizeof(uint64_t) : sizeof(uint64_t);
  long ruleset = syscall(SYS_landlock_create_ruleset, &attr, size, 0);
  if (ruleset < 0) return errno;
  int fd = static_cast<int>(ruleset);
  for (size_t i = 0; i < plan.rules.size(); ++i) {
    const Plan::Rule& rule = plan.rules[i];
    if (rule.rights == 0) continue;
    int target = ::open(rule.path.c_str(), O_PATH | O_CLOEXEC);
    if (target < 0) continue;  // gone since the plan was made: nothing to grant
    PathBeneathAttr beneath{rule.rights, target};
    long rc = syscall(SYS_landlock_add_rule, fd, kRulePathBeneath, &beneath, 0);
    int err = errno;
    ::close(target);
    if (rc != 0) {
      ::close(fd);
      *failed_rule = static_cast<int>(i);
      return err;
    }
  }
  long rc = syscall(SYS_landlock_restrict_self, fd, 0);
  int err = errno;
  ::close(fd);
  return rc == 0 ? 0 : err;
}

}  // namespace weft::agents::landlock
