// The grant model: JSON forms, denials, and Derive.
#include "core/grants/grant.h"

#include <algorithm>
#include <utility>

#include "core/base/strings.h"
#include "core/grants/glob.h"
#include "core/ns/mount_table.h"
#include "core/schema/schema.h"

namespace weft::grants {
namespace {

constexpr std::string_view kDenialNames[] = {"permission_denied", "revoked", "expired", "budget_exceeded"};

Json OptionalInt(const std::optional<int64_t>& v) { return v ? Json(*v) : Json(nullptr); }

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += StrCat({out.empty() ? "" : ", ", s});
  return out.empty() ? "none" : out;
}

// A path rule in canonical form: "src" and "/src/" both give "/src".
Result<std::string> CanonicalRule(std::string_view path, std::string_view field) {
  std::string absolute = !path.empty() && path.front() == '/' ? std::string(path) : StrCat({"/", path});
  Result<std::string> canonical = ns::NormalizeNsPath(absolute);
  if (!canonical.ok()) {
    return Status::InvalidArgument(StrCat({field, " '", path, "' is not a namespace path: ",
                                           canonical.status().message(), " (name the place directly, e.g. /src)"}));
  }
  return canonical;
}

Result<std::vector<std::string>> CanonicalRules(const std::vector<std::string>& paths, std::string_view field) {
  std::vector<std::string> out;
  out.reserve(paths.size());
  for (const std::string& p : paths) {
    WEFT_ASSIGN_OR_RETURN(std::string c, CanonicalRule(p, field));
    out.push_back(std::move(c));
  }
  return out;
}

Status CheckGlobs(const std::vector<std::string>& globs) {
  for (const std::string& g : globs) WEFT_RETURN_IF_ERROR(CheckToolGlob(g));
  return Status::Ok();
}

// Drops duplicates and entries that `within` says lie inside another, keeping order.
template <typename Within>
std::vector<std::string> Minimal(std::vector<std::string> items, Within within) {
  std::vector<std::string> out;
  for (size_t i = 0; i < items.size(); ++i) {
    bool covered = false;
    for (size_t j = 0; j < items.size() && !covered; ++j) {
      if (i == j) continue;
      // Of two equal entries the first stays.
      bool equal = items[i] == items[j];
      covered = equal ? j < i : within(items[i], items[j]);
    }
    if (!covered) out.push_back(items[i]);
  }
  return out;
}

bool PathWithinRule(const std::string& path, const std::string& rule) { return ns::PathWithin(path, rule); }
bool GlobWithinRule(const std::string& narrow, const std::string& wide) { return GlobWithin(narrow, wide); }

// What `asked` and `have` share, as entries of one or the other: an asked
// entry within one of `have` stays, and so does each of `have` within an
// asked one. An asked entry that keeps nothing is an error (`what` names
// the list in it).
template <typename Within>
Result<std::vector<std::string>> Intersect(const std::vector<std::string>& asked, const std::vector<std::string>& have,
                                           Within within, std::string_view what) {
  std::vector<std::string> out;
  for (const std::string& a : asked) {
    bool kept = false;
    if (std::any_of(have.begin(), have.end(), [&](const std::string& h) { return within(a, h); })) {
      out.push_back(a);
      kept = true;
    } else {
      for (const std::string& h : have) {
        if (within(h, a)) {
          out.push_back(h);
          kept = true;
        }
      }
    }
    if (!kept) {
      return Status::InvalidArgument(StrCat({what, " '", a, "' is not within the parent grant's (", Joined(have),
                                             "); ask for one of those or something inside them"}));
    }
  }
  return Minimal(std::move(out), within);
}

// Entries of `items` within some entry of `bounds` (no error: a filter).
std::vector<std::string> WithinAny(const std::vector<std::string>& items, const std::vector<std::string>& bounds) {
  std::vector<std::string> out;
  for (const std::string& item : items) {
    for (const std::string& b : bounds) {
      if (ns::PathWithin(item, b)) {
        out.push_back(item);
        break;
      }
      if (ns::PathWithin(b, item)) out.push_back(b);
    }
  }
  return Minimal(std::move(out), PathWithinRule);
}

std::optional<int64_t> Remaining(const std::optional<int64_t>& max, int64_t used) {
  if (!max) return std::nullopt;
  return std::max<int64_t>(0, *max - used);
}

// The smaller of two limits, where nullopt is no limit.
std::optional<int64_t> Tighter(const std::optional<int64_t>& a, const std::optional<int64_t>& b) {
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

Result<std::optional<int64_t>> RequestedExpiry(const GrantRequest& request, int64_t now) {
  if (request.expires_at && request.expires_in) {
    return Status::InvalidArgument("give expires_at or expires_in, not both");
  }
  if (request.expires_in) {
    if (*request.expires_in <= 0) return Status::InvalidArgument("expires_in must be at least 1 second");
    return std::optional<int64_t>(now + *request.expires_in);
  }
  if (request.expires_at && *request.expires_at <= now) {
    return Status::InvalidArgument(StrCat({"expires_at ", std::to_string(*request.expires_at),
                                           " is not in the future (now is ", std::to_string(now), ")"}));
  }
  return request.expires_at;
}

Status CheckBudget(const std::optional<int64_t>& v, std::string_view name) {
  if (v && *v < 0) return Status::InvalidArgument(StrCat({name, " cannot be negative"}));
  return Status::Ok();
}

Result<std::vector<std::string>> DeriveWrites(const Grant& parent, const GrantRequest& request,
                                              const std::vector<std::string>& reads) {
  if (request.read_only) {
    if (request.write_paths && !request.write_paths->empty()) {
      return Status::InvalidArgument("read_only and write_paths contradict each other; drop one");
    }
    return std::vector<std::string>();
  }
  if (!request.write_paths) return WithinAny(parent.write_paths, reads);
  WEFT_ASSIGN_OR_RETURN(std::vector<std::string> asked, CanonicalRules(*request.write_paths, "write path"));
  WEFT_ASSIGN_OR_RETURN(std::vector<std::string> writes,
                        Intersect(asked, parent.write_paths, PathWithinRule, "write path"));
  for (const std::string& w : writes) {
    if (std::none_of(reads.begin(), reads.end(), [&](const std::string& r) { return ns::PathWithin(w, r); })) {
      return Status::InvalidArgument(StrCat({"write path ", w, " is not within the read paths (", Joined(reads),
                                             "); add it, or a directory above it, to read_paths"}));
    }
  }
  return writes;
}

}  // namespace

Json Grant::ToJson() const {
  return {{"id", id},
          {"parent_id", parent_id.empty() ? Json(nullptr) : Json(parent_id)},
          {"subject", subject},
          {"tools", tools},
          {"deny_tools", deny_tools},
          {"read_paths", read_paths},
          {"write_paths", write_paths},
          {"max_calls", OptionalInt(max_calls)},
          {"max_spawns", OptionalInt(max_spawns)},
          {"calls", calls},
          {"spawns", spawns},
          {"created_at", created_at},
          {"expires_at", OptionalInt(expires_at)},
          {"revoked_at", OptionalInt(revoked_at)}};
}

Json GrantRequest::ToJson() const {
  Json j = Json::object();
  if (tools) j["tools"] = *tools;
  if (!deny_tools.empty()) j["deny_tools"] = deny_tools;
  if (read_paths) j["read_paths"] = *read_paths;
  if (write_paths) j["write_paths"] = *write_paths;
  if (read_only) j["read_only"] = true;
  if (max_calls) j["max_calls"] = *max_calls;
  if (max_spawns) j["max_spawns"] = *max_spawns;
  if (expires_at) j["expires_at"] = *expires_at;
  if (expires_in) j["expires_in"] = *expires_in;
  return j;
}

Result<GrantRequest> GrantRequestFromJson(const Json& j) {
  WEFT_ASSIGN_OR_RETURN(const CompiledSchema* schema, SchemaStore::Builtin().Get(kGrantRequestSchema));
  std::vector<SchemaViolation> bad = schema->Validate(j);
  if (!bad.empty()) return Status::InvalidArgument(StrCat({"bad grant request: ", DescribeViolations(bad)}));
  auto strings = [&j](const char* key) -> std::optional<std::vector<std::string>> {
    auto it = j.find(key);
    if (it == j.end()) return std::nullopt;
    return it->get<std::vector<std::string>>();
  };
  auto integer = [&j](const char* key) -> std::optional<int64_t> {
    auto it = j.find(key);
    if (it == j.end()) return std::nullopt;
    return it->get<int64_t>();
  };
  GrantRequest r;
  r.tools = strings("tools");
  r.deny_tools = strings("deny_tools").value_or(std::vector<std::string>());
  if (r.tools) WEFT_RETURN_IF_ERROR(CheckGlobs(*r.tools));
  WEFT_RETURN_IF_ERROR(CheckGlobs(r.deny_tools));
  if (auto reads = strings("read_paths")) {
    WEFT_ASSIGN_OR_RETURN(r.read_paths, CanonicalRules(*reads, "read path"));
  }
  if (auto writes = strings("write_paths")) {
    WEFT_ASSIGN_OR_RETURN(r.write_paths, CanonicalRules(*writes, "write path"));
  }
  r.read_only = j.value("read_only", false);
  r.max_calls = integer("max_calls");
  r.max_spawns = integer("max_spawns");
  r.expires_at = integer("expires_at");
  r.expires_in = integer("expires_in");
  if (r.expires_at && r.expires_in) return Status::InvalidArgument("give expires_at or expires_in, not both");
  if (r.read_only && r.write_paths && !r.write_paths->empty()) {
    return Status::InvalidArgument("read_only and write_paths contradict each other; drop one");
  }
  return r;
}

std::string_view DenialName(Denial denial) { return kDenialNames[static_cast<int>(denial)]; }

Status DenialStatus(Denial denial, std::string_view reason) {
  StatusCode code = denial == Denial::kBudgetExceeded ? StatusCode::kResourceExhausted : StatusCode::kPermissionDenied;
  return Status(code, StrCat({DenialName(denial), ": ", reason}));
}

std::optional<Denial> DenialOf(const Status& status) {
  if (status.code() != StatusCode::kPermissionDenied && status.code() != StatusCode::kResourceExhausted) {
    return std::nullopt;
  }
  const std::string& m = status.message();
  for (int i = 0; i < 4; ++i) {
    std::string_view name = kDenialNames[i];
    if (m.size() > name.size() + 1 && m.compare(0, name.size(), name) == 0 && m[name.size()] == ':') {
      return static_cast<Denial>(i);
    }
  }
  return std::nullopt;
}

std::string_view DenialReason(const Status& status) {
  std::optional<Denial> d = DenialOf(status);
  std::string_view m = status.message();
  if (!d) return m;
  m.remove_prefix(DenialName(*d).size() + 1);
  if (!m.empty() && m.front() == ' ') m.remove_prefix(1);
  return m;
}

Grant Universal() {
  Grant g;
  g.tools = {"*"};
  g.read_paths = {"/"};
  g.write_paths = {"/"};
  return g;
}

Result<Grant> Derive(const Grant& parent, const GrantRequest& request, int64_t now) {
  if (std::optional<Status> ended = Ended(parent, now)) return *ended;
  WEFT_RETURN_IF_ERROR(CheckBudget(request.max_calls, "max_calls"));
  WEFT_RETURN_IF_ERROR(CheckBudget(request.max_spawns, "max_spawns"));
  Grant child;
  child.parent_id = parent.id;
  if (request.tools) {
    WEFT_RETURN_IF_ERROR(CheckGlobs(*request.tools));
    WEFT_ASSIGN_OR_RETURN(child.tools, Intersect(*request.tools, parent.tools, GlobWithinRule, "tool glob"));
  } else {
    child.tools = parent.tools;
  }
  WEFT_RETURN_IF_ERROR(CheckGlobs(request.deny_tools));
  child.deny_tools = parent.deny_tools;
  child.deny_tools.insert(child.deny_tools.end(), request.deny_tools.begin(), request.deny_tools.end());
  child.deny_tools = Minimal(std::move(child.deny_tools), GlobWithinRule);
  if (request.read_paths) {
    WEFT_ASSIGN_OR_RETURN(std::vector<std::string> asked, CanonicalRules(*request.read_paths, "read path"));
    WEFT_ASSIGN_OR_RETURN(child.read_paths, Intersect(asked, parent.read_paths, PathWithinRule, "read path"));
  } else {
    child.read_paths = parent.read_paths;
  }
  WEFT_ASSIGN_OR_RETURN(child.write_paths, DeriveWrites(parent, request, child.read_paths));
  child.max_calls = Tighter(request.max_calls, Remaining(parent.max_calls, parent.calls));
  child.max_spawns = Tighter(request.max_spawns, Remaining(parent.max_spawns, parent.spawns));
  WEFT_ASSIGN_OR_RETURN(std::optional<int64_t> expiry, RequestedExpiry(request, now));
  child.expires_at = Tighter(expiry, parent.expires_at);
  return child;
}

bool AllowsTool(const Grant& grant, std::string_view tool) {
  auto matches = [tool](const std::string& glob) { return GlobMatches(glob, tool); };
  return std::any_of(grant.tools.begin(), grant.tools.end(), matches) &&
         std::none_of(grant.deny_tools.begin(), grant.deny_tools.end(), matches);
}

bool CanRead(const Grant& grant, std::string_view path) {
  return std::any_of(grant.read_paths.begin(), grant.read_paths.end(),
                     [path](const std::string& p) { return ns::PathWithin(path, p); });
}

bool CanWrite(const Grant& grant, std::string_view path) {
  return std::any_of(grant.write_paths.begin(), grant.write_paths.end(),
                     [path](const std::string& p) { return ns::PathWithin(path, p); });
}

std::optional<Status> Ended(const Grant& grant, int64_t now) {
  std::string who = grant.id.empty() ? std::string("the grant") : StrCat({"grant ", grant.id});
  if (grant.revoked_at) {
    return DenialStatus(Denial::kRevoked, StrCat({who, " was revoked; ask whoever gave it for a new one"}));
  }
  if (grant.expires_at && *grant.expires_at <= now) {
    return DenialStatus(Denial::kExpired, StrCat({who, " expired at unix time ", std::to_string(*grant.expires_at),
                                                  "; ask whoever gave it for a new one"}));
  }
  return std::nullopt;
}

}  // namespace weft::grants
