// Connection: a bidirectional pipe of JSON-RPC frames (one JSON text each).
//
// Threading contract:
//  - Read() is called by one thread at a time (the session's reader).
//  - Write() may be called from any number of threads at once, concurrently
//    with Read(); each frame is written whole, never interleaved.
//  - Close() may be called from any thread, any number of times; it makes a
//    blocked Read() return kUnavailable promptly and later Writes fail.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/base/result.h"

namespace weft::mcp {

// Routing facts about an outgoing frame. Transports that keep a stream per
// client request (Streamable HTTP) use them; stdio and memory pipes ignore them.
struct WriteRoute {
  // The id of the client request this message answers or belongs to
  // (a response, its progress and log notifications); null when unrelated.
  nlohmann::json related_request = nullptr;
  // True when this frame is the final response to `related_request`.
  bool final_response = false;
  // For a final response that is a JSON-RPC error: its code (HTTP maps some
  // codes to statuses); 0 for a result.
  int error_code = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;

  // Blocks for the next frame. Errors:
  //  - kUnavailable: the peer closed the connection, or Close() was called; final.
  //  - kResourceExhausted: the frame exceeded the size limit and was skipped;
  //    reading may continue.
  virtual Result<std::string> Read() = 0;

  // Sends one frame. Fails with kUnavailable once the connection is closed.
  virtual Status Write(std::string_view frame, const WriteRoute& route = {}) = 0;

  // Closes both directions. Idempotent.
  virtual void Close() = 0;

  // The client request `request_id` ended without a reply (it was cancelled:
  // cancelled requests get none). Transports with a stream per request end
  // that stream; others ignore it. Same threading as Write().
  virtual void Abandon(const nlohmann::json& request_id) { (void)request_id; }
};

}  // namespace weft::mcp
