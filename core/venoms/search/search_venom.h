// The search venom: ripgrep-backed content search (search_code) and file
// finding by glob or name (search_files) over a workspace's namespace.
#pragma once

#include <chrono>
#include <string>

#include "core/ns/workspace.h"
#include "core/venoms/registry.h"

namespace weft::proc {
class Spawner;
}

namespace weft::venoms {

// How the search ops run ripgrep; the defaults suit a server.
struct SearchOptions {
  // Runs rg; null means proc::SystemSpawner(). Not owned; must outlive the registry.
  proc::Spawner* spawner = nullptr;
  // The rg binary; empty means $WEFT_RG when set, else `rg` on PATH.
  std::string rg;
  // How often a running search reports progress.
  std::chrono::milliseconds progress_interval{1000};
  // Wall-clock limit of one rg run; what was found by then is returned.
  std::chrono::milliseconds timeout{120'000};
};

// Registers search_code, then search_files. Handlers keep a reference to
// `workspaces`, which must outlive the registry's use.
void RegisterSearchVenom(Registry& registry, const ns::Workspaces& workspaces);
void RegisterSearchVenom(Registry& registry, const ns::Workspaces& workspaces, SearchOptions options);

}  // namespace weft::venoms
