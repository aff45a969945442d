// CallGate: the grant a mount's call files run under (docs/grants.md), as a
// call session sees it. Each call is admitted before its op runs, and
// reported when it has ended (the audit log). The implementation over
// weft.db's grants is grants::GrantCallGate; core/weftdir knows only this.
#pragma once

#include <chrono>

#include "core/base/json.h"
#include "core/base/status.h"
#include "core/venoms/registry.h"

namespace weft::weftdir {

// One call-file call as it ended.
struct CallRecord {
  const venoms::Op* op = nullptr;
  const Json* arguments = nullptr;  // null when the request was not an object of arguments
  Status refusal;                   // not ok when the gate refused the call
  bool admitted = false;            // passed the gate: the op ran (or its input schema refused it)
  bool failed = false;              // the op failed (a tool error)
  int protocol_error = 0;           // the JSON-RPC-like code of a malformed request, or -32603
  bool cancelled = false;
  std::chrono::system_clock::time_point arrived;
  std::chrono::microseconds duration{0};
};

// Thread-safe: calls run on the mount's worker threads.
class CallGate {
 public:
  virtual ~CallGate() = default;
  // The grant ops see (venoms::Context::grant).
  virtual const grants::Grant* grant() const = 0;
  // Ok to run `op` with `args` (an object, perhaps not valid for the input
  // schema: then only the tool and its right are checked, and the op's own
  // validation refuses it); otherwise the refusal, answered instead.
  virtual Status Admit(const venoms::Op& op, const Json& args) = 0;
  virtual void Finished(const CallRecord& record) = 0;
};

}  // namespace weft::weftdir
