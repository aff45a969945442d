// NodeTree: fixed and provided nodes with stable ids.
#include "core/weftdir/node_tree.h"

#include <algorithm>
#include <cassert>
#include <set>
#include <utility>

#include "core/base/strings.h"

namespace weft::weftdir {
namespace {

mode_t ModeOf(NodeKind kind) {
  switch (kind) {
    case NodeKind::kDirectory: return 0555;
    case NodeKind::kFile: return 0444;
    case NodeKind::kCallFile: return 0666;
  }
  return 0444;
}

bool ValidName(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.size() <= 255 &&
         name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

}  // namespace

struct NodeTree::Node {
  uint64_t id = 0;
  uint64_t parent = 0;
  std::string name;
  NodeKind kind = NodeKind::kFile;
  bool gone = false;  // dropped by its directory's provider
  std::string content;  // kFile: the fixed content, or the last generated one
  ContentFn generate;   // kFile: set for generated files
  SessionFn open;       // kCallFile
  std::shared_ptr<DirectoryProvider> provider;  // kDirectory: set for provided ones
  std::vector<uint64_t> children;               // the live entries, in listing order
  std::map<std::string, uint64_t, std::less<>> by_name;  // every child ever made, live or gone
  int64_t mtime_ns = 0;
};

NodeTree::NodeTree(const Clock& clock) : clock_(clock), built_ns_(NowNs()) {
  auto root = std::make_unique<Node>();
  root->id = kRootId;
  root->kind = NodeKind::kDirectory;
  root->mtime_ns = built_ns_;
  nodes_.push_back(std::move(root));
}

NodeTree::~NodeTree() = default;

int64_t NodeTree::NowNs() const { return clock_.WallMillis() * 1'000'000; }

NodeTree::Node& NodeTree::NewNode(uint64_t parent, const std::string& name, NodeKind kind) const {
  auto node = std::make_unique<Node>();
  node->id = nodes_.size() + 1;
  node->parent = parent;
  node->name = name;
  node->kind = kind;
  node->mtime_ns = NowNs();
  Node& parent_node = *nodes_[parent - 1];
  parent_node.by_name[name] = node->id;
  nodes_.push_back(std::move(node));
  return *nodes_.back();
}

NodeTree::Node* NodeTree::Find(uint64_t id) const {
  if (id == 0 || id > nodes_.size()) return nullptr;
  Node* node = nodes_[id - 1].get();
  // A node is reachable while it and every directory above it are live.
  for (Node* n = node; n->id != kRootId; n = nodes_[n->parent - 1].get()) {
    if (n->gone) return nullptr;
  }
  return node;
}

uint64_t NodeTree::AddDirectory(uint64_t parent, const std::string& name) {
  return AddProvidedDirectory(parent, name, nullptr);
}

uint64_t NodeTree::AddFile(uint64_t parent, const std::string& name, std::string content) {
  std::lock_guard<std::mutex> lock(mu_);
  Node* p = Find(parent);
  assert(p != nullptr && p->kind == NodeKind::kDirectory && !p->provider && ValidName(name) &&
         !p->by_name.count(name));
  (void)p;
  Node& node = NewNode(parent, name, NodeKind::kFile);
  node.content = std::move(content);
  node.mtime_ns = built_ns_;
  nodes_[parent - 1]->children.push_back(node.id);
  return node.id;
}

uint64_t NodeTree::AddGeneratedFile(uint64_t parent, const std::string& name, ContentFn content) {
  uint64_t id = AddFile(parent, name, "");
  std::lock_guard<std::mutex> lock(mu_);
  nodes_[id - 1]->generate = std::move(content);
  return id;
}

uint64_t NodeTree::AddCallFile(uint64_t parent, const std::string& name, SessionFn open) {
  uint64_t id = AddFile(parent, name, "");
  std::lock_guard<std::mutex> lock(mu_);
  nodes_[id - 1]->kind = NodeKind::kCallFile;
  nodes_[id - 1]->open = std::move(open);
  return id;
}

uint64_t NodeTree::AddProvidedDirectory(uint64_t parent, const std::string& name,
                                        std::shared_ptr<DirectoryProvider> provider) {
  uint64_t id = AddFile(parent, name, "");
  std::lock_guard<std::mutex> lock(mu_);
  nodes_[id - 1]->kind = NodeKind::kDirectory;
  nodes_[id - 1]->provider = std::move(provider);
  return id;
}

void NodeTree::Refresh(uint64_t dir_id) const {
  std::shared_ptr<DirectoryProvider> provider;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Node* dir = Find(dir_id);
    if (dir == nullptr || dir->kind != NodeKind::kDirectory || !dir->provider) return;
    provider = dir->provider;
  }
  std::vector<DirectoryProvider::Entry> entries = provider->Entries();
  std::lock_guard<std::mutex> lock(mu_);
  Node* dir = Find(dir_id);
  if (dir == nullptr || dir->provider != provider) return;
  std::vector<uint64_t> live;
  std::set<std::string, std::less<>> seen;
  for (DirectoryProvider::Entry& e : entries) {
    if (!ValidName(e.name) || !seen.insert(e.name).second) continue;
    auto it = dir->by_name.find(e.name);
    Node* node = it == dir->by_name.end() ? nullptr : nodes_[it->second - 1].get();
    if (node == nullptr || node->kind != e.kind) {
      // A name that changes kind is a new node: caches keyed by id never mix the two.
      if (node != nullptr) node->gone = true;
      node = &NewNode(dir_id, e.name, e.kind);  // nodes are heap-allocated: `dir` stays valid
    }
    node->gone = false;
    node->generate = std::move(e.content);
    node->open = std::move(e.open);
    node->provider = std::move(e.provider);
    live.push_back(node->id);
  }
  for (uint64_t old : dir->children) {
    if (std::find(live.begin(), live.end(), old) == live.end()) nodes_[old - 1]->gone = true;
  }
  if (live != dir->children) {
    dir->children = std::move(live);
    dir->mtime_ns = NowNs();
  }
}

std::optional<NodeInfo> NodeTree::InfoLocked(const Node& node) const {
  NodeInfo info;
  info.id = node.id;
  info.kind = node.kind;
  info.name = node.name;
  info.size = node.kind == NodeKind::kFile ? node.content.size() : 0;
  info.mode = ModeOf(node.kind);
  info.mtime_ns = node.mtime_ns;
  return info;
}

std::optional<NodeInfo> NodeTree::Info(uint64_t id) const {
  {
    std::lock_guard<std::mutex> lock(mu_);
    Node* node = Find(id);
    if (node == nullptr) return std::nullopt;
    if (!node->generate) return InfoLocked(*node);
  }
  // Regenerating gives the size and mtime of what a read would return now; a
  // failure keeps the last content's.
  Result<std::string> ignored = ReadFile(id);
  (void)ignored;
  std::lock_guard<std::mutex> lock(mu_);
  Node* node = Find(id);
  if (node == nullptr) return std::nullopt;
  return InfoLocked(*node);
}

std::optional<NodeInfo> NodeTree::Get(uint64_t id) const { return Info(id); }

std::optional<NodeInfo> NodeTree::Lookup(uint64_t parent_id, std::string_view name) const {
  Refresh(parent_id);
  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Node* dir = Find(parent_id);
    if (dir == nullptr || dir->kind != NodeKind::kDirectory) return std::nullopt;
    auto it = dir->by_name.find(name);
    if (it == dir->by_name.end()) return std::nullopt;
    id = it->second;
  }
  return Info(id);
}

std::vector<NodeInfo> NodeTree::List(uint64_t dir_id) const {
  Refresh(dir_id);
  std::vector<uint64_t> ids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Node* dir = Find(dir_id);
    if (dir == nullptr || dir->kind != NodeKind::kDirectory) return {};
    ids = dir->children;
  }
  std::vector<NodeInfo> out;
  for (uint64_t id : ids) {
    if (std::optional<NodeInfo> info = Info(id)) out.push_back(std::move(*info));
  }
  return out;
}

Result<std::string> NodeTree::ReadFile(uint64_t id) const {
  ContentFn generate;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Node* node = Find(id);
    if (node == nullptr || node->kind != NodeKind::kFile) {
      return Status::NotFound(StrCat({"node ", std::to_string(id), " is not a file"}));
    }
    if (!node->generate) return node->content;
    generate = node->generate;
  }
  Result<std::string> content = generate();
  if (!content.ok()) return content;
  std::lock_guard<std::mutex> lock(mu_);
  Node* node = Find(id);
  if (node != nullptr && node->content != *content) {
    node->content = *content;
    node->mtime_ns = NowNs();
  }
  return content;
}

Result<std::unique_ptr<CallSession>> NodeTree::OpenCall(uint64_t id) {
  SessionFn open;
  {
    std::lock_guard<std::mutex> lock(mu_);
    Node* node = Find(id);
    if (node == nullptr || node->kind != NodeKind::kCallFile) {
      return Status::NotFound(StrCat({"node ", std::to_string(id), " is not a call file"}));
    }
    open = node->open;
  }
  return open();
}

}  // namespace weft::weftdir
