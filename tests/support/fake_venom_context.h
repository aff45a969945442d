// A venom Context for tests: records progress, cancels on demand.
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

  void Cancel() { token_.Cancel(); }
  const std::vector<ProgressNote>& progress() const { return progress_; }

 private:
  CancellationToken token_;
  std::vector<ProgressNote> progress_;
};

}  // namespace weft::venoms
