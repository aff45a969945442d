// The built-in venoms.
#include "core/venoms/builtin.h"

#include "core/venoms/fs/fs_venom.h"
#include "core/venoms/search/search_venom.h"

namespace weft::venoms {

void RegisterBuiltinVenoms(Registry& registry, const ns::Workspaces& workspaces) {
  RegisterFsVenom(registry, workspaces);
  RegisterSearchVenom(registry, workspaces);
}

}  // namespace weft::venoms
