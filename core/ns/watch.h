// ChangeWatcher: change events for namespace directories, from inotify on
// the host binds (DESIGN.md §3). They feed MCP resource subscriptions and
// FUSE cache invalidation.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/base/fd.h"
#include "core/base/result.h"
#include "core/ns/workspace.h"

struct inotify_event;  // <sys/inotify.h>

namespace weft::ns {

struct ChangeEvent {
  enum class Kind { kCreated, kModified, kRemoved };
  std::string workspace_id;
  // Canonical namespace path of the entry that changed: an entry of a
  // watched directory, or the directory itself (removed or moved away:
  // kRemoved; events lost to a queue overflow: kModified, so re-read it).
  std::string path;
  Kind kind = Kind::kModified;

  bool operator==(const ChangeEvent&) const = default;
};

std::string_view ChangeKindName(ChangeEvent::Kind kind);  // "created", "modified", "removed"

// Runs on the watcher's thread, one event at a time. It must return quickly
// (queue work elsewhere); it may call WatchDir and Unwatch, but must not
// destroy the watcher.
using ChangeListener = std::function<void(const ChangeEvent&)>;

// The coalescing rule, apart from inotify so it can be tested with made-up
// times: an event is absorbed when the newest pending event for its
// (workspace, path) has the same kind; otherwise it is queued, due one
// window after it arrived. Not thread-safe; `now` never goes backwards.
class EventCoalescer {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Item {
    ChangeEvent event;
    std::string watched_dir;  // the watched directory that reported it
  };

  explicit EventCoalescer(std::chrono::milliseconds window) : window_(window) {}
  void Add(ChangeEvent event, std::string watched_dir, TimePoint now);
  // Removes and returns, in arrival order, the events due by `now`.
  std::vector<Item> TakeDue(TimePoint now);
  // When the oldest pending event is due; nullopt when none is pending.
  std::optional<TimePoint> NextDue() const;
  size_t size() const { return queue_.size(); }

 private:
  struct Entry {
    Item item;
    TimePoint due;
  };
  std::chrono::milliseconds window_;
  std::deque<Entry> queue_;
  uint64_t front_seq_ = 0;  // sequence number of queue_.front()
  std::map<std::pair<std::string, std::string>, uint64_t> newest_;  // (workspace, path) → its newest entry's seq
};

// One inotify instance and one thread that reads it and calls the listener.
// Each watch covers one directory (its entries, not subdirectories'). A file
// replaced by rename (how weft's own writes and many editors save) reports
// kCreated; weft's temporary files and host entries hidden under a child
// bind are not reported. Events
// are coalesced: a run of the same (workspace, path, kind) within the window
// is delivered once, at the window's end, so an editor's several-step save
// is one kModified and the listener sees the file as it was left. Different
// kinds for one path stay separate and in order (created, removed, created).
// WatchDir and Unwatch are thread-safe.
class ChangeWatcher {
 public:
  static constexpr std::chrono::milliseconds kDefaultCoalesce{50};

  // kResourceExhausted when the per-user inotify instance limit is reached.
  static Result<std::unique_ptr<ChangeWatcher>> Start(ChangeListener listener,
                                                      std::chrono::milliseconds coalesce = kDefaultCoalesce);
  // Stops the thread and closes the inotify fd; no listener call is running
  // or starts after it returns. Never call it from the listener.
  ~ChangeWatcher();
  ChangeWatcher(const ChangeWatcher&) = delete;
  ChangeWatcher& operator=(const ChangeWatcher&) = delete;

  // Watches the directory at `ns_dir` in `ws`, resolved beneath its bind (so
  // it cannot escape the workspace), until Unwatch(handle). Watches of one
  // (workspace, directory) share one inotify watch, counted. kResourceExhausted
  // when the inotify watch limit is reached, saying how to raise it; other
  // errors as Workspace::OpenPath.
  Result<uint64_t> WatchDir(const Workspace& ws, std::string_view ns_dir);
  // Drops one watch; its inotify watch goes with the last handle. Events
  // still pending for it are dropped, but one already being handed to the
  // listener may arrive concurrently with this call: listeners look their
  // subscriber up rather than trusting it still exists. Unknown handles are
  // ignored.
  void Unwatch(uint64_t handle);

 private:
  // A watched (workspace id, canonical namespace dir).
  using Key = std::pair<std::string, std::string>;
  struct Watch {
    int wd = -1;                   // -1 once the directory went away
    int refs = 0;
    std::set<std::string> hidden;  // names of child binds: the host entries under them are not the namespace's
  };

  ChangeWatcher(ChangeListener listener, std::chrono::milliseconds coalesce, UniqueFd inotify, UniqueFd stop);
  Result<int> AddInotifyWatch(const Workspace& ws, const std::string& dir);  // mu_ held
  void DropWd(int wd, bool remove_from_kernel);                             // mu_ held
  void Run();
  // Reads what inotify has and queues it in coalescer_.
  void ReadEvents();
  void Translate(const ::inotify_event& ev, std::vector<EventCoalescer::Item>* out);  // mu_ held
  void DeliverDue();

  const ChangeListener listener_;
  const UniqueFd inotify_;
  const UniqueFd stop_;  // eventfd: the destructor writes it to end Run
  std::atomic<bool> stopping_{false};  // set first, so a long batch of deliveries ends early

  std::mutex mu_;  // guards the maps below
  std::map<Key, Watch> watches_;
  std::map<int, std::vector<Key>> by_wd_;  // a wd serves every key on its host directory
  std::map<uint64_t, Key> handles_;
  uint64_t next_handle_ = 1;

  EventCoalescer coalescer_;  // owned by the thread (Run)
  std::thread thread_;
};

}  // namespace weft::ns
