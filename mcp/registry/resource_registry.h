// ResourceRegistry: fixed resources (by URI) and URI templates (RFC 6570
// "{var}" and "{+var}" expressions), with the readers behind them.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base/result.h"
#include "mcp/registry/change_feed.h"
#include "mcp/registry/request_context.h"

namespace weft::mcp {

// Returns the `contents` array of a ReadResourceResult: [{uri, mimeType, text|blob}].
// kNotFound becomes the protocol's resource-not-found error (-32002 legacy,
// -32602 with data.uri modern). Never return an empty array.
using ResourceReader = std::function<Result<Json>(RequestContext& ctx, const std::string& uri)>;
// Template reader: `vars` maps each {var} of the template to its value.
using TemplateReader = std::function<Result<Json>(RequestContext& ctx, const std::string& uri,
                                                  const std::map<std::string, std::string>& vars)>;
// Completion for an argument: candidate values for `value` (prefix typed so far);
// `context_args` holds already-resolved arguments (completion/complete context).
using Completer = std::function<std::vector<std::string>(
    const std::string& argument, const std::string& value, const Json& context_args)>;

struct ResourceSpec {
  std::string uri;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  Json meta = nullptr;
  ResourceReader reader;
};

struct ResourceTemplateSpec {
  std::string uri_template;  // e.g. "test://template/{id}/data"
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  TemplateReader reader;
  Completer completer;  // optional: completion/complete for ref/resource
};

// Thread-safe.
class ResourceRegistry {
 public:
  Status Add(ResourceSpec spec);
  void AddOrDie(ResourceSpec spec);
  // Removes the resource with this URI, or else the template whose
  // uri_template is exactly `uri`; kNotFound when there is neither.
  Status Remove(const std::string& uri);
  Status AddTemplate(ResourceTemplateSpec spec);
  void AddTemplateOrDie(ResourceTemplateSpec spec);

  std::vector<std::shared_ptr<const ResourceSpec>> List() const;
  std::vector<std::shared_ptr<const ResourceTemplateSpec>> ListTemplates() const;

  // The resources/list entry for a resource; the templates/list entry for a template.
  static Json Descriptor(const ResourceSpec& spec);
  static Json Descriptor(const ResourceTemplateSpec& spec);

  // Reads `uri`: an exact resource first, then the first matching template.
  // kNotFound when nothing matches.
  Result<Json> Read(RequestContext& ctx, const std::string& uri) const;
  // True when `uri` names a resource or matches a template.
  bool Exists(const std::string& uri) const;
  // Completion for ref/resource: the template with this exact uri_template.
  std::shared_ptr<const ResourceTemplateSpec> FindTemplate(const std::string& uri_template) const;

  // Resources listed beyond the fixed ones (resources/list): `lister` returns
  // descriptors ({uri, name, …}) computed when a client lists, after the
  // fixed resources and earlier listers. Called unlocked, on the session's
  // thread; it may block briefly (a directory read).
  using Lister = std::function<std::vector<Json>()>;
  void AddLister(Lister lister);
  // The fixed resources' descriptors followed by every lister's.
  std::vector<Json> ListDescriptors() const;

  // Interest in updates of a URI (resources/subscribe, subscriptions/listen),
  // counted per URI across sessions. The hook learns when a URI gains its
  // first subscriber (true) and loses its last (false), so a provider can
  // start and stop watching what backs it. Hook calls are serialised; the
  // hook must not call AddInterest/DropInterest. Sessions call these without
  // holding their own locks.
  using InterestHook = std::function<void(const std::string& uri, bool interested)>;
  void SetInterestHook(InterestHook hook);
  void AddInterest(const std::string& uri);
  void DropInterest(const std::string& uri);

  // Publishes kResourceUpdated for `uri` (subscribers get resources/updated).
  void NotifyUpdated(const std::string& uri) { changes_.Publish({ChangeKind::kResourceUpdated, uri}); }
  ChangeFeed& changes() { return changes_; }

 private:
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<const ResourceSpec>> resources_;           // guarded by mu_
  std::vector<std::shared_ptr<const ResourceTemplateSpec>> templates_;  // guarded by mu_
  std::vector<Lister> listers_;                                         // guarded by mu_
  std::mutex interest_mu_;
  InterestHook interest_hook_;                   // guarded by interest_mu_
  std::map<std::string, int> interest_counts_;  // guarded by interest_mu_
  ChangeFeed changes_;
};

// Matches `uri` against a template of "{var}" and "{+var}" expressions
// (RFC 6570 levels 1 and 2); fills `vars` on success. "{var}" matches one or
// more characters other than '/', "{+var}" (reserved expansion) one or more
// of any; values are taken as they appear in the URI, without
// percent-decoding. Where a split is ambiguous, an earlier variable takes the
// longest run that lets the rest match.
bool MatchUriTemplate(const std::string& tmpl, const std::string& uri,
                      std::map<std::string, std::string>* vars);

}  // namespace weft::mcp
