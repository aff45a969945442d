// SyntheticTree: a small file tree weft serves from memory (the /.weft
// directory of a mounted workspace, DESIGN.md §3), and CallSession, the
// private transaction behind each open of a call file. FUSE-free: the mount
// (core/fuse) serves any SyntheticTree; `weft call` drives CallSession
// directly.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace weft::weftdir {

enum class NodeKind {
  kDirectory,
  kFile,      // read-only content, generated when read
  kCallFile,  // each open is a CallSession: write a request, read the answer
};

struct NodeInfo {
  uint64_t id = 0;  // stable for the tree's lifetime, unique; kRootId is the tree's root
  NodeKind kind = NodeKind::kFile;
  std::string name;       // one component; "" for the root
  uint64_t size = 0;      // kFile: the content's current length; 0 otherwise
  mode_t mode = 0;        // permission bits only (0555 directories, 0444 files, 0666 call files)
  int64_t mtime_ns = 0;   // last change of this node's content or listing
};

inline constexpr uint64_t kRootId = 1;

// One open of a call file. Used by one caller at a time (the mount
// serialises per open file); Cancel may come from any thread.
class CallSession {
 public:
  virtual ~CallSession() = default;
  // Appends request bytes. Writes must be sequential (`offset` equal to the
  // bytes collected so far; kInvalidArgument otherwise) and stop once the
  // request has run (kFailedPrecondition). The request is capped
  // (kResourceExhausted past it).
  virtual Status Write(uint64_t offset, std::string_view data) = 0;
  // The first read runs the collected request (an empty request means "{}")
  // and keeps the JSON response; every read returns response bytes from
  // `offset` (empty at the end), counted from where the first read began: a
  // reader that shares one file position with its writes (`exec 3<>f; echo
  // '{}' >&3; cat <&3` reads first at the request's length) and one that
  // seeks back to 0 both see the response from its start; an offset below
  // the first read's reads from the start. A failed op is a response too: a
  // JSON error object with the codes MCP uses, never a Status here. Blocks
  // while the op runs.
  virtual Result<std::string> Read(uint64_t offset, size_t size) = 0;
  // Asks a running op to stop (the reader was interrupted).
  virtual void Cancel() = 0;
};

// Thread-safe: the mount calls it from many threads at once.
class SyntheticTree {
 public:
  virtual ~SyntheticTree() = default;
  virtual std::optional<NodeInfo> Get(uint64_t id) const = 0;
  virtual std::optional<NodeInfo> Lookup(uint64_t parent_id, std::string_view name) const = 0;
  // The entries of a directory, in a stable order; empty for a non-directory.
  virtual std::vector<NodeInfo> List(uint64_t dir_id) const = 0;
  // A kFile's whole content (kNotFound for other ids).
  virtual Result<std::string> ReadFile(uint64_t id) const = 0;
  // A new private transaction on a kCallFile (kNotFound for other ids).
  virtual Result<std::unique_ptr<CallSession>> OpenCall(uint64_t id) = 0;
};

}  // namespace weft::weftdir
