// HttpServer: MCP over Streamable HTTP on one endpoint, /mcp, in both
// protocol eras at once (reference/mcp.md §1.4, §2.6), plus /healthz and
// /metrics. Built on cpp-httplib, which only this folder's .cc files include;
// the engine sees each session as a Connection (legacy) or a per-request
// Connection (2026-07-28).
#pragma once

#include <memory>
#include <string>

#include "core/base/status.h"
#include "mcp/http/options.h"
#include "mcp/server/server.h"

namespace weft::mcp {

class HttpServer {
 public:
  // Registers its metrics observer on `server`; construct before serving.
  HttpServer(Server& server, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Checks the options and binds the listening socket. Refuses to run
  // without a token on a non-loopback address.
  Status Bind();
  // The bound port and the endpoint URL (after Bind()).
  int port() const;
  std::string url() const;

  // Serves until Stop(); returns after every connection thread has finished.
  Status Run();
  // Stops accepting, ends every session and stream, wakes Run(). Any thread.
  void Stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::mcp
