// Landlock through its raw system calls: the ABI probe, and a ruleset built
// before clone and applied in the child with system calls only.
// Debian 12's <linux/landlock.h> stops at ABI 2; the rights and fields of
// ABI 3 to 7 are defined here (Documentation/userspace-api/landlock.rst).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/result.h"

namespace weft::agents::landlock {

// Filesystem rights, by the ABI that introduced them.
inline constexpr uint64_t kExecute = 1ULL << 0;  // ABI 1 …
inline constexpr uint64_t kWriteFile = 1ULL << 1;
inline constexpr uint64_t kReadFile = 1ULL << 2;
inline constexpr uint64_t kReadDir = 1ULL << 3;
inline constexpr uint64_t kRemoveDir = 1ULL << 4;
inline constexpr uint64_t kRemoveFile = 1ULL << 5;
inline constexpr uint64_t kMakeChar = 1ULL << 6;
inline constexpr uint64_t kMakeDir = 1ULL << 7;
inline constexpr uint64_t kMakeReg = 1ULL << 8;
inline constexpr uint64_t kMakeSock = 1ULL << 9;
inline constexpr uint64_t kMakeFifo = 1ULL << 10;
inline constexpr uint64_t kMakeBlock = 1ULL << 11;
inline constexpr uint64_t kMakeSym = 1ULL << 12;  // … ABI 1
inline constexpr uint64_t kRefer = 1ULL << 13;     // ABI 2
inline constexpr uint64_t kTruncate = 1ULL << 14;  // ABI 3
inline constexpr uint64_t kIoctlDev = 1ULL << 15;  // ABI 5
// Network rights (ABI 4).
inline constexpr uint64_t kNetBindTcp = 1ULL << 0;
inline constexpr uint64_t kNetConnectTcp = 1ULL << 1;
// Scopes (ABI 6): no connecting to abstract unix sockets, and no signals,
// outside the sandbox's own domain.
inline constexpr uint64_t kScopeAbstractUnixSocket = 1ULL << 0;
inline constexpr uint64_t kScopeSignal = 1ULL << 1;

// Reading and running: what the system view grants.
inline constexpr uint64_t kReadRights = kExecute | kReadFile | kReadDir;

// Every filesystem right `abi` knows (0 for ABI 0).
uint64_t FsRights(int abi);

// The kernel's Landlock ABI version; 0 with *err set (ENOSYS: not built in;
// EOPNOTSUPP: built in but not enabled at boot) when there is none.
int ProbeAbi(int* err);

// A ruleset for the strict profile. Paths are absolute and, since the
// sandbox shows host paths at the same place, the same inside and out.
struct Plan {
  int abi = 0;
  uint64_t handled_fs = 0;
  uint64_t handled_net = 0;  // 0 when the agent keeps the network
  uint64_t scoped = 0;
  struct Rule {
    std::string path;
    uint64_t rights = 0;  // masked to handled_fs, and to file rights for a file
  };
  std::vector<Rule> rules;
};

// Under /etc: what the strict profile never lets an agent read (host
// credentials and private keys). fnmatch patterns relative to /etc.
const std::vector<std::string>& EtcSecrets();

// The read rules for `dir` minus the entries matching `denied` (patterns
// relative to dir; a pattern with a '/' descends into the directory its
// first component names): one rule per remaining entry, since a Landlock
// rule covers everything beneath its path. Entries are listed now, on the
// host.
std::vector<Plan::Rule> ReadRulesExcept(const std::string& dir, const std::vector<std::string>& denied);

// Builds the ruleset: `readable` gets kReadRights, `writable` every handled
// right, "/" only kReadDir (names are listable, contents are not), /etc
// everything but EtcSecrets(). Without `network`, TCP bind and connect are
// handled with no port allowed (ABI ≥ 4). Paths missing on the host are left
// out.
Plan BuildPlan(int abi, const std::vector<std::string>& readable, const std::vector<std::string>& writable,
               bool network);

// Child side: creates the ruleset, adds every rule (a path that cannot be
// opened is skipped), and restricts the calling thread (the caller has set
// PR_SET_NO_NEW_PRIVS). 0 or an errno, with *failed_rule the index of the
// rule that failed (-1 for the ruleset itself).
int ApplyInChild(const Plan& plan, int* failed_rule) noexcept;

}  // namespace weft::agents::landlock
