// A venom Context for tests: records progress, cancels on demand, runs
// under a grant when given one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/venoms/registry.h"

namespace weft::venoms {

class FakeVenomContext : public Context {
 public:
  struct ProgressNote {
    double progress;
    std::optional<double> total;
    std::string message;
  };

  const CancellationToken& cancellation() const override { return token_; }
  void Progress(double progress, std::optional<double> total, const std::string& message) override {
    progress_.push_back({progress, total, message});
  }

  // The grant the calling session runs under (null: none, as in most tests).
  const grants::Grant* grant() const override { return grant_; }
  void set_grant(const grants::Grant* grant) { grant_ = grant; }

  void Cancel() { token_.Cancel(); }
  const std::vector<ProgressNote>& progress() const { return progress_; }

 private:
  CancellationToken token_;
  const grants::Grant* grant_ = nullptr;
  std::vector<ProgressNote> progress_;
};

}  // namespace weft::venoms
