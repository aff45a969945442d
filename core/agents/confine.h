// Interim: profile none only, over proc::Process (replaced by the confinement library).
#pragma once
#include <optional>
#include <string>
#include <vector>
#include "core/base/result.h"
#include "core/proc/process.h"
namespace weft::agents {
enum class Profile { kNone, kWorkspace, kStrict };
std::string_view ProfileName(Profile);
Result<Profile> ParseProfile(std::string_view name);
struct Limits {
  std::optional<uint64_t> cpu_seconds, processes, open_files, memory_bytes;
};
struct ConfineSpec {
  Profile profile = Profile::kWorkspace;
  bool network = false;
  bool best_effort = false;
  std::string workspace_dir, home_dir;
  std::vector<std::string> writable_paths;
};
struct LimitReport { std::string name, value, mechanism; };
class ConfinedProcess {
 public:
  static Result<ConfinedProcess> Launch(const proc::LaunchSpec& spec, const ConfineSpec& confine, const Limits& limits);
  pid_t pid() const { return p_->pid(); }
  int pidfd() const { return p_->pidfd(); }
  int stdout_fd() const { return p_->stdout_fd(); }
  int stderr_fd() const { return p_->stderr_fd(); }
  int terminal_fd() const { return p_->terminal_fd(); }
  int stdin_fd() const { return p_->stdin_fd(); }
  void CloseStdout() { p_->CloseStdout(); }
  void CloseStderr() { p_->CloseStderr(); }
  Profile profile() const { return Profile::kNone; }
  const std::vector<std::string>& dropped() const { return dropped_; }
  const std::vector<LimitReport>& limits() const { return limits_; }
  int landlock_abi() const { return 0; }
  void Signal(int sig) { p_->SignalAll(sig); }
  void KillAll() { p_->SignalAll(9); }
  std::optional<proc::ExitStatus> TryReap() { return p_->TryReap(); }
  proc::ExitStatus Reap() { return p_->Reap(); }
  std::optional<std::string> FiredLimit() const { return std::nullopt; }
 private:
  std::optional<proc::Process> p_;
  std::vector<std::string> dropped_;
  std::vector<LimitReport> limits_;
};
}  // namespace weft::agents
