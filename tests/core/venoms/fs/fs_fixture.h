// A temporary workspace with the fs venom registered, and a call helper that
// goes through the registry's checked Call (input and output schemas enforced).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "core/venoms/fs/fs_venom.h"
#include "tests/core/venoms/venom_fixture.h"

namespace weft::venoms {

class FsVenomTest : public VenomTest {
 protected:
  FsVenomTest() : VenomTest("fs") {}

  // The workspace is tmp_/ws, bound at "/"; tmp_/outside is a sibling that
  // nothing may reach. Subclasses may call Rebind before the first Call.
  void SetUp() override {
    std::filesystem::create_directories(tmp_.Join("ws"));
    tmp_.WriteFile("outside/secret", "secret");
    Rebind({{"/", tmp_.Join("ws")}}, false);
  }

  // Replaces the workspace: `binds` maps namespace paths to host specs
  // ("/abs/dir" or "/abs/dir:ro").
  void Rebind(const std::vector<std::pair<std::string, std::string>>& binds, bool read_only) {
    MakeWorkspace(binds, read_only);
    RegisterFsVenom(*registry_, *workspaces_);
  }
};

}  // namespace weft::venoms
