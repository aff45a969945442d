// CheckSchemaReferences: the structural checks any schema needs before valijson
// may compile and run it, whatever keywords it uses.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/schema/schema.h"

namespace weft {
namespace {

// Keywords whose schemas apply to the same value as the schema holding them
// (draft-07 as valijson reads it). A cycle through these alone never ends.
constexpr const char* kInPlaceLists[] = {"allOf", "anyOf", "oneOf"};
constexpr const char* kInPlaceSingles[] = {"not", "if", "then", "else"};
// Keywords whose schemas apply to parts of the value (or, for definitions,
// to nothing until referenced): walked for completeness, never cycles.
constexpr const char* kMaps[] = {"properties", "patternProperties", "definitions", "$defs"};
constexpr const char* kDescending[] = {"additionalProperties", "items", "additionalItems", "contains",
                                       "propertyNames"};

// Resolves a local reference ("#" or "#/a/b", RFC 6901 escapes) in `root`.
const Json* ResolveLocal(const Json& root, const std::string& ref) {
  if (ref.empty() || ref[0] != '#') return nullptr;
  if (ref.size() == 1) return &root;
  if (ref[1] != '/') return nullptr;
  const Json* node = &root;
  size_t pos = 2;
  while (true) {
    size_t slash = ref.find('/', pos);
    std::string token = ref.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    std::string unescaped;
    for (size_t i = 0; i < token.size(); ++i) {
      if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
        unescaped += token[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        unescaped += token[i];
      }
    }
    if (node->is_object()) {
      auto it = node->find(unescaped);
      if (it == node->end()) return nullptr;
      node = &*it;
    } else if (node->is_array()) {
      if (unescaped.empty() || unescaped.size() > 9 ||
          unescaped.find_first_not_of("0123456789") != std::string::npos) {
        return nullptr;
      }
      size_t index = std::stoul(unescaped);
      if (index >= node->size()) return nullptr;
      node = &(*node)[index];
    } else {
      return nullptr;
    }
    if (slash == std::string::npos) return node;
    pos = slash + 1;
  }
}

class ReferenceChecker {
 public:
  explicit ReferenceChecker(const Json& root) : root_(root) {}

  std::vector<std::string> Run() {
    Walk();
    FindInPlaceCycle();
    return std::move(problems_);
  }

 private:
  // Every schema position reachable from the root, through any applicator
  // or reference; records the in-place edges of each.
  void Walk() {
    std::vector<const Json*> pending = {&root_};
    while (!pending.empty()) {
      const Json* node = pending.back();
      pending.pop_back();
      if (!node->is_object() || edges_.count(node)) continue;
      std::vector<const Json*>& in_place = edges_[node];
      if (auto ref = node->find("$ref"); ref != node->end()) {
        // valijson follows the reference and ignores the keywords beside it.
        const Json* target = ref->is_string() ? ResolveLocal(root_, ref->get<std::string>()) : nullptr;
        if (!target) {
          problems_.push_back("reference " + ref->dump() + " does not point into this document");
          continue;
        }
        in_place.push_back(target);
        pending.push_back(target);
        continue;
      }
      for (const char* key : kInPlaceLists) {
        if (auto it = node->find(key); it != node->end() && it->is_array()) {
          for (const Json& member : *it) in_place.push_back(&member);
        }
      }
      for (const char* key : kInPlaceSingles) {
        if (auto it = node->find(key); it != node->end()) in_place.push_back(&*it);
      }
      if (auto deps = node->find("dependencies"); deps != node->end() && deps->is_object()) {
        for (const Json& dep : *deps) {
          if (dep.is_object()) in_place.push_back(&dep);  // schema form: same object
        }
      }
      pending.insert(pending.end(), in_place.begin(), in_place.end());
      for (const char* key : kMaps) {
        if (auto it = node->find(key); it != node->end() && it->is_object()) {
          for (const Json& sub : *it) pending.push_back(&sub);
        }
      }
      for (const char* key : kDescending) {
        if (auto it = node->find(key); it == node->end()) {
          continue;
        } else if (it->is_array()) {
          for (const Json& sub : *it) pending.push_back(&sub);
        } else {
          pending.push_back(&*it);
        }
      }
    }
  }

  // Iterative depth-first search over in-place edges; reports the first cycle.
  void FindInPlaceCycle() {
    enum class Mark { kNew, kOnPath, kDone };
    std::map<const Json*, Mark> marks;
    for (const auto& [start, unused] : edges_) {
      if (marks[start] != Mark::kNew) continue;
      std::vector<std::pair<const Json*, size_t>> path = {{start, 0}};
      marks[start] = Mark::kOnPath;
      while (!path.empty()) {
        auto& [node, next] = path.back();
        const std::vector<const Json*>& out = edges_[node];
        if (next == out.size()) {
          marks[node] = Mark::kDone;
          path.pop_back();
          continue;
        }
        const Json* child = out[next++];
        if (!child->is_object()) continue;
        Mark& mark = marks[child];
        if (mark == Mark::kOnPath) {
          problems_.push_back(
              "a schema reaches itself through \"$ref\", \"allOf\", \"anyOf\", \"oneOf\", \"not\", "
              "\"if\"/\"then\"/\"else\" or \"dependencies\" without descending into the value, so "
              "validation would never end");
          return;
        }
        if (mark == Mark::kNew) {
          mark = Mark::kOnPath;
          path.emplace_back(child, 0);
        }
      }
    }
  }

  const Json& root_;
  std::map<const Json*, std::vector<const Json*>> edges_;  // schema -> schemas applied in place
  std::vector<std::string> problems_;
};

}  // namespace

std::vector<std::string> CheckSchemaReferences(const Json& document) {
  return ReferenceChecker(document).Run();
}

}  // namespace weft
