// LegacySession: one initialize-era Streamable HTTP session (2025-03-26 …
// 2025-11-25). It is the Connection its engine session writes to, and routes
// each frame to a stream: a request's own POST stream when the frame belongs
// to that request, else the standalone stream a GET drains. Streams number
// their events per session ("<stream>-<seq>") and keep the recent ones, so a
// client resumes a broken stream with GET + Last-Event-ID.
//
// Lock order: LegacySession::mu_ before EventStream's; the engine writes
// without holding either.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "mcp/http/event_stream.h"
#include "mcp/server/server.h"
#include "mcp/transport/connection.h"

namespace weft::mcp {

class LegacySession final : public Connection {
 public:
  // The session runs under `gate` (null: unrestricted). `credential`
  // identifies the bearer token that opened it (a digest, never the token);
  // later requests must present the same one.
  LegacySession(std::string id, Server& server, size_t retained_events, std::shared_ptr<Gate> gate = nullptr,
                std::string credential = {});
  ~LegacySession() override;

  const std::string& id() const { return id_; }
  const std::string& credential() const { return credential_; }
  SessionHandle& engine() { return *engine_; }

  // The version initialize negotiated (empty until then).
  std::string version() const;
  void set_version(std::string v);

  // Registers the POST stream for request `key` (the serialised id) before
  // the request is delivered; null when a request with that id is in progress.
  std::shared_ptr<EventStream> OpenRequestStream(const std::string& key);
  // The request's reply went out as plain JSON: nothing to resume.
  void DropRequestStream(const std::string& key);
  // The request's stream delivered its reply: keep it briefly for resumption.
  void RetireRequestStream(const std::string& key);
  std::shared_ptr<EventStream> standalone() { return standalone_; }
  // The stream a Last-Event-ID names, and the sequence number to resume
  // after; null when the id is malformed or the stream is gone.
  std::shared_ptr<EventStream> FindForResume(const std::string& last_event_id, uint64_t* after);

  // Activity bookkeeping for idle expiry: requests touch; open streams count
  // as activity.
  void Touch();
  void StreamOpened() { ++open_streams_; }
  void StreamClosed() { --open_streams_; Touch(); }
  bool IdleLongerThan(std::chrono::steady_clock::duration idle) const;

  // Ends the session: the engine aborts, every stream closes.
  void End();

  // Connection (the engine's side).
  Result<std::string> Read() override;
  Status Write(std::string_view frame, const WriteRoute& route) override;
  void Close() override {}
  void Abandon(const nlohmann::json& request_id) override;

 private:
  std::shared_ptr<EventStream> NewStream();  // requires mu_

  const std::string id_;
  const std::string credential_;
  const size_t retained_events_;
  std::shared_ptr<EventStream> standalone_;
  std::unique_ptr<SessionHandle> engine_;
  std::atomic<int> open_streams_{0};

  mutable std::mutex mu_;
  std::string version_;                                          // guarded by mu_
  uint64_t next_stream_ = 1;                                     // guarded by mu_
  std::map<std::string, std::shared_ptr<EventStream>> live_;     // by request key; guarded by mu_
  std::deque<std::shared_ptr<EventStream>> retired_;             // guarded by mu_
  std::chrono::steady_clock::time_point last_active_;            // guarded by mu_
  bool ended_ = false;                                           // guarded by mu_
};

}  // namespace weft::mcp
