// ResourceRegistry: fixed resources and level-1 URI templates, and the
// matching of a requested URI to the reader that serves it.
#include "mcp/registry/resource_registry.h"

#include "mcp/registry/registration_failure.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "core/base/log.h"

namespace weft::mcp {
namespace {

// One piece of a template: literal text, or a {variable} (text is its name;
// `reserved` for {+variable}, whose value may hold '/').
struct Segment {
  bool is_var = false;
  std::string text;
  bool reserved = false;
};

bool IsVarChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ':'.
bool HasScheme(const std::string& uri) {
  size_t colon = uri.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(uri[0])) return false;
  return std::all_of(uri.begin() + 1, uri.begin() + static_cast<std::ptrdiff_t>(colon), [&](char c) {
    return alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
  });
}

// Parses a template of "{var}" and "{+var}" (RFC 6570 §1.2 levels 1 and 2).
// Variables are refused when they touch (their split would be ambiguous) or
// repeat.
Status ParseTemplate(const std::string& tmpl, std::vector<Segment>* out) {
  out->clear();
  size_t pos = 0;
  while (pos < tmpl.size()) {
    size_t open = tmpl.find_first_of("{}", pos);
    if (open == std::string::npos) {
      out->push_back({false, tmpl.substr(pos)});
      break;
    }
    if (tmpl[open] == '}') return Status::InvalidArgument("a '}' without its '{'");
    if (open > pos) out->push_back({false, tmpl.substr(pos, open - pos)});
    size_t close = tmpl.find('}', open);
    if (close == std::string::npos) return Status::InvalidArgument("a '{' without its '}'");
    std::string name = tmpl.substr(open + 1, close - open - 1);
    bool reserved = !name.empty() && name[0] == '+';
    if (reserved) name.erase(0, 1);
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsVarChar)) {
      return Status::InvalidArgument("variable \"{" + name + "}\" must be a name of letters, digits and _");
    }
    if (!out->empty() && out->back().is_var) {
      return Status::InvalidArgument("variables {" + out->back().text + "} and {" + name +
                                     "} need literal text between them");
    }
    for (const Segment& s : *out) {
      if (s.is_var && s.text == name) return Status::InvalidArgument("variable {" + name + "} appears twice");
    }
    out->push_back({true, name, reserved});
    pos = close + 1;
  }
  return Status::Ok();
}

// Matches segments against a URI in O(segments x length): reach[s][p] says
// whether segments s.. match uri[p..], filled from the end. A variable then
// takes the longest run of non-'/' characters (of any, when reserved) that
// lets the rest match.
class TemplateMatcher {
 public:
  TemplateMatcher(const std::vector<Segment>& segments, const std::string& uri)
      : segments_(segments), uri_(uri) {}

  bool Match(std::map<std::string, std::string>* vars) {
    const size_t n = uri_.size();
    const size_t k = segments_.size();
    std::vector<size_t> run_end(n + 1, n);  // end of the non-'/' run starting at p
    for (size_t p = n; p-- > 0;) run_end[p] = uri_[p] == '/' ? p : run_end[p + 1];
    reach_.assign(k + 1, std::vector<char>(n + 1, 0));
    latest_.assign(k, {});
    reach_[k][n] = 1;
    for (size_t s = k; s-- > 0;) {
      if (segments_[s].is_var) FillVar(s, run_end);
      else FillLiteral(s);
    }
    if (!reach_[0][0]) return false;
    size_t pos = 0;
    for (size_t s = 0; s < k; ++s) {
      const Segment& seg = segments_[s];
      size_t stop = seg.is_var ? latest_[s][seg.reserved ? uri_.size() : run_end[pos]] : pos + seg.text.size();
      if (seg.is_var) (*vars)[seg.text] = uri_.substr(pos, stop - pos);
      pos = stop;
    }
    return true;
  }

 private:
  void FillLiteral(size_t s) {
    const std::string& text = segments_[s].text;
    for (size_t p = 0; p + text.size() <= uri_.size(); ++p) {
      reach_[s][p] = reach_[s + 1][p + text.size()] && uri_.compare(p, text.size(), text) == 0;
    }
  }

  void FillVar(size_t s, const std::vector<size_t>& run_end) {
    const size_t n = uri_.size();
    // latest[q]: the largest r <= q from which the rest matches, or npos.
    std::vector<size_t>& latest = latest_[s];
    latest.assign(n + 1, std::string::npos);
    for (size_t q = 0; q <= n; ++q) {
      latest[q] = reach_[s + 1][q] ? q : (q > 0 ? latest[q - 1] : std::string::npos);
    }
    const bool reserved = segments_[s].reserved;
    for (size_t p = 0; p < n; ++p) {
      size_t stop = latest[reserved ? n : run_end[p]];
      reach_[s][p] = (reserved || uri_[p] != '/') && stop != std::string::npos && stop > p;
    }
  }

  const std::vector<Segment>& segments_;
  const std::string& uri_;
  std::vector<std::vector<char>> reach_;
  std::vector<std::vector<size_t>> latest_;
};

// A reader's result must be a non-empty `contents` array of ResourceContents
// ({uri, text|blob}, 2025-06-18 server/resources); anything else is a bug in
// the reader, reported instead of passed to the client.
Status CheckContents(const std::string& uri, const Json& contents) {
  const std::string who = "the reader for \"" + uri + "\"";
  if (!contents.is_array()) return Status::Internal(who + " returned " + contents.type_name() + ", not an array");
  if (contents.empty()) return Status::Internal(who + " returned no contents");
  for (const Json& item : contents) {
    bool ok = item.is_object() && item.contains("uri") && item["uri"].is_string() &&
              ((item.contains("text") && item["text"].is_string()) ||
               (item.contains("blob") && item["blob"].is_string()));
    if (!ok) return Status::Internal(who + " returned an entry without a string uri and text or blob");
  }
  return Status::Ok();
}

Status CheckCommon(const std::string& what, const std::string& name, bool has_reader) {
  if (name.empty()) return Status::InvalidArgument(what + " has no name");
  if (!has_reader) return Status::InvalidArgument(what + " has no reader");
  return Status::Ok();
}

}  // namespace

bool MatchUriTemplate(const std::string& tmpl, const std::string& uri,
                      std::map<std::string, std::string>* vars) {
  std::vector<Segment> segments;
  if (!ParseTemplate(tmpl, &segments).ok()) return false;
  std::map<std::string, std::string> found;
  if (!TemplateMatcher(segments, uri).Match(&found)) return false;
  if (vars) *vars = std::move(found);
  return true;
}

Status ResourceRegistry::Add(ResourceSpec spec) {
  const std::string what = "resource \"" + spec.uri + "\"";
  if (!HasScheme(spec.uri)) return Status::InvalidArgument(what + " is not an absolute URI (scheme:...)");
  WEFT_RETURN_IF_ERROR(CheckCommon(what, spec.name, static_cast<bool>(spec.reader)));
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& r : resources_) {
      if (r->uri == spec.uri) return Status::AlreadyExists(what + " is already registered");
    }
    resources_.push_back(std::make_shared<const ResourceSpec>(std::move(spec)));
  }
  changes_.Publish({ChangeKind::kResourcesChanged, ""});
  return Status::Ok();
}

void ResourceRegistry::AddOrDie(ResourceSpec spec) {
  std::string what = "resource \"" + spec.uri + "\"";
  AbortUnlessRegistered(Add(std::move(spec)), what);
}

Status ResourceRegistry::Remove(const std::string& uri) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto r = std::find_if(resources_.begin(), resources_.end(), [&](const auto& s) { return s->uri == uri; });
    if (r != resources_.end()) {
      resources_.erase(r);
    } else {
      auto t = std::find_if(templates_.begin(), templates_.end(),
                            [&](const auto& s) { return s->uri_template == uri; });
      if (t == templates_.end()) return Status::NotFound("no resource or template \"" + uri + "\"");
      templates_.erase(t);
    }
  }
  changes_.Publish({ChangeKind::kResourcesChanged, ""});
  return Status::Ok();
}

Status ResourceRegistry::AddTemplate(ResourceTemplateSpec spec) {
  const std::string what = "resource template \"" + spec.uri_template + "\"";
  std::vector<Segment> segments;
  Status parsed = ParseTemplate(spec.uri_template, &segments);
  if (!parsed.ok()) return parsed.WithContext(what + " is not a URI template of {var} and {+var}");
  if (segments.empty() || segments[0].is_var || !HasScheme(segments[0].text)) {
    return Status::InvalidArgument(what + " must start with a URI scheme (scheme:...)");
  }
  WEFT_RETURN_IF_ERROR(CheckCommon(what, spec.name, static_cast<bool>(spec.reader)));
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& t : templates_) {
      if (t->uri_template == spec.uri_template) return Status::AlreadyExists(what + " is already registered");
    }
    templates_.push_back(std::make_shared<const ResourceTemplateSpec>(std::move(spec)));
  }
  changes_.Publish({ChangeKind::kResourcesChanged, ""});
  return Status::Ok();
}

void ResourceRegistry::AddTemplateOrDie(ResourceTemplateSpec spec) {
  std::string what = "resource template \"" + spec.uri_template + "\"";
  AbortUnlessRegistered(AddTemplate(std::move(spec)), what);
}

std::vector<std::shared_ptr<const ResourceSpec>> ResourceRegistry::List() const {
  std::lock_guard<std::mutex> lock(mu_);
  return resources_;
}

std::vector<std::shared_ptr<const ResourceTemplateSpec>> ResourceRegistry::ListTemplates() const {
  std::lock_guard<std::mutex> lock(mu_);
  return templates_;
}

void ResourceRegistry::AddLister(Lister lister) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    listers_.push_back(std::move(lister));
  }
  changes_.Publish({ChangeKind::kResourcesChanged, ""});
}

std::vector<Json> ResourceRegistry::ListDescriptors() const {
  std::vector<Json> out;
  std::vector<Lister> listers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& r : resources_) out.push_back(Descriptor(*r));
    listers = listers_;
  }
  for (const Lister& lister : listers) {
    for (Json& d : lister()) out.push_back(std::move(d));
  }
  return out;
}

void ResourceRegistry::SetInterestHook(InterestHook hook) {
  std::lock_guard<std::mutex> lock(interest_mu_);
  interest_hook_ = std::move(hook);
}

void ResourceRegistry::AddInterest(const std::string& uri) {
  std::lock_guard<std::mutex> lock(interest_mu_);
  if (++interest_counts_[uri] == 1 && interest_hook_) interest_hook_(uri, true);
}

void ResourceRegistry::DropInterest(const std::string& uri) {
  std::lock_guard<std::mutex> lock(interest_mu_);
  auto it = interest_counts_.find(uri);
  if (it == interest_counts_.end()) return;
  if (--it->second == 0) {
    interest_counts_.erase(it);
    if (interest_hook_) interest_hook_(uri, false);
  }
}

Json ResourceRegistry::Descriptor(const ResourceSpec& spec) {
  Json d = {{"uri", spec.uri}, {"name", spec.name}};
  if (!spec.title.empty()) d["title"] = spec.title;
  if (!spec.description.empty()) d["description"] = spec.description;
  if (!spec.mime_type.empty()) d["mimeType"] = spec.mime_type;
  if (!spec.meta.is_null()) d["_meta"] = spec.meta;
  return d;
}

Json ResourceRegistry::Descriptor(const ResourceTemplateSpec& spec) {
  Json d = {{"uriTemplate", spec.uri_template}, {"name", spec.name}};
  if (!spec.title.empty()) d["title"] = spec.title;
  if (!spec.description.empty()) d["description"] = spec.description;
  if (!spec.mime_type.empty()) d["mimeType"] = spec.mime_type;
  return d;
}

Result<Json> ResourceRegistry::Read(RequestContext& ctx, const std::string& uri) const {
  std::shared_ptr<const ResourceSpec> resource;
  std::shared_ptr<const ResourceTemplateSpec> tmpl;
  std::map<std::string, std::string> vars;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& r : resources_) {
      if (r->uri == uri) resource = r;
    }
    for (size_t i = 0; !resource && !tmpl && i < templates_.size(); ++i) {
      if (MatchUriTemplate(templates_[i]->uri_template, uri, &vars)) tmpl = templates_[i];
    }
  }
  // Readers run unlocked: they may block, and may add or remove resources.
  if (!resource && !tmpl) return Status::NotFound("no resource matches \"" + uri + "\"");
  Result<Json> contents = resource ? resource->reader(ctx, uri) : tmpl->reader(ctx, uri, vars);
  if (!contents.ok()) return contents;
  WEFT_RETURN_IF_ERROR(CheckContents(uri, *contents));
  return contents;
}

bool ResourceRegistry::Exists(const std::string& uri) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& r : resources_) {
    if (r->uri == uri) return true;
  }
  for (const auto& t : templates_) {
    if (MatchUriTemplate(t->uri_template, uri, nullptr)) return true;
  }
  return false;
}

std::shared_ptr<const ResourceTemplateSpec> ResourceRegistry::FindTemplate(
    const std::string& uri_template) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& t : templates_) {
    if (t->uri_template == uri_template) return t;
  }
  return nullptr;
}

}  // namespace weft::mcp
