// NodeTree: the SyntheticTree weft builds its synthetic directories from —
// fixed directories and files, files generated when read, call files, and
// directories whose entries a provider computes (agents/<id>/ later).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/base/clock.h"
#include "core/weftdir/synthetic.h"

namespace weft::weftdir {

// Produces a generated file's content. Called on every Get, Lookup, List and
// ReadFile that reaches the file, from any thread and outside the tree's lock:
// keep it quick (it is also what gives the file its size).
using ContentFn = std::function<Result<std::string>()>;
// Opens a call file: a new private session per call.
using SessionFn = std::function<std::unique_ptr<CallSession>()>;

// A directory whose entries come and go. Thread-safe; Entries is called
// outside the tree's lock and must not call back into the tree.
class DirectoryProvider {
 public:
  struct Entry {
    std::string name;  // one component, unique within the directory
    NodeKind kind = NodeKind::kFile;
    ContentFn content;                            // kFile
    SessionFn open;                               // kCallFile
    std::shared_ptr<DirectoryProvider> provider;  // kDirectory
  };
  virtual ~DirectoryProvider() = default;
  // The current entries, in the order a listing shows them.
  virtual std::vector<Entry> Entries() const = 0;
};

// Thread-safe. Node ids are handed out once and never reused: an entry a
// provider drops disappears from listings and lookups (Get on its id returns
// nullopt), and the same name coming back gets its old id again. A
// directory's mtime moves when its entries change, a generated file's when
// its content does; everything else keeps the time the tree was built.
class NodeTree : public SyntheticTree {
 public:
  explicit NodeTree(const Clock& clock = SystemClock::Get());
  ~NodeTree() override;

  // Builders. `parent` must be a fixed directory of this tree and `name` one
  // component not yet used in it (programming errors: they assert). Each
  // returns the new node's id.
  uint64_t AddDirectory(uint64_t parent, const std::string& name);
  uint64_t AddFile(uint64_t parent, const std::string& name, std::string content);
  uint64_t AddGeneratedFile(uint64_t parent, const std::string& name, ContentFn content);
  uint64_t AddCallFile(uint64_t parent, const std::string& name, SessionFn open);
  uint64_t AddProvidedDirectory(uint64_t parent, const std::string& name, std::shared_ptr<DirectoryProvider> provider);

  std::optional<NodeInfo> Get(uint64_t id) const override;
  std::optional<NodeInfo> Lookup(uint64_t parent_id, std::string_view name) const override;
  std::vector<NodeInfo> List(uint64_t dir_id) const override;
  Result<std::string> ReadFile(uint64_t id) const override;
  Result<std::unique_ptr<CallSession>> OpenCall(uint64_t id) override;

 private:
  struct Node;
  // A fresh node under `parent` (mu_ held; const because providers add nodes on reads).
  Node& NewNode(uint64_t parent, const std::string& name, NodeKind kind) const;
  Node* Find(uint64_t id) const;  // mu_ held; nullptr when unknown or gone
  // Brings a provided directory's children up to date with its provider.
  void Refresh(uint64_t dir_id) const;
  // Regenerates a generated file's content and returns its info.
  std::optional<NodeInfo> Info(uint64_t id) const;
  std::optional<NodeInfo> InfoLocked(const Node& node) const;  // mu_ held
  int64_t NowNs() const;

  const Clock& clock_;
  int64_t built_ns_;
  mutable std::mutex mu_;
  mutable std::vector<std::unique_ptr<Node>> nodes_;  // index id - 1; guarded by mu_
};

}  // namespace weft::weftdir
