// The fs venom's registration, in the order tools/list shows the ops.
#include "core/venoms/fs/fs_venom.h"

namespace weft::venoms {

void RegisterFsVenom(Registry& registry, const ns::Workspaces& workspaces) {
  RegisterFsReadOps(registry, workspaces);
  RegisterFsWriteOps(registry, workspaces);
}

}  // namespace weft::venoms
