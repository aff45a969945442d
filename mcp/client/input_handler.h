// InputHandler: how the client answers what a server asks of it — legacy
// server→client requests and 2026-07-28 MRTR input requests alike.
#pragma once

#include <functional>
#include <string>
#include <variant>

#include "mcp/jsonrpc/message.h"

namespace weft::mcp {

// A result object for the server, or the JSON-RPC error to answer with.
using InputReply = std::variant<Json, RpcError>;

class InputHandler {
 public:
  virtual ~InputHandler() = default;
  // The ClientCapabilities object that declares what Handle() can answer
  // (sent in initialize and in every modern request's _meta).
  virtual Json Capabilities() const = 0;
  // Answers one request; `method` is roots/list, elicitation/create or
  // sampling/createMessage. Thread-safe: called from the client's responder
  // thread (legacy) and from threads waiting in Client::Call (MRTR) at once.
  virtual InputReply Handle(const std::string& method, const Json& params) = 0;
};

// The defaults of a non-interactive client:
//  - roots/list: one root, `root_dir` (the current directory when empty), as a file:// URI;
//  - elicitation/create: {"action":"decline"};
//  - sampling/createMessage: `sampler` when given, otherwise -32601 (and the
//    sampling capability is only declared when a sampler is given).
class DefaultInputHandler final : public InputHandler {
 public:
  using Sampler = std::function<InputReply(const Json& params)>;
  explicit DefaultInputHandler(std::string root_dir = "", Sampler sampler = nullptr);

  Json Capabilities() const override;
  InputReply Handle(const std::string& method, const Json& params) override;

 private:
  std::string root_dir_;
  Sampler sampler_;
};

// "file://" + the absolute path, percent-encoded (RFC 8089).
std::string FileUri(const std::string& absolute_path);

}  // namespace weft::mcp
