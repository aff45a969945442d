#!/usr/bin/env bash
# Installs the Debian 12 packages weft needs to build and test. Idempotent: when
# every package is present it only asks dpkg and exits (no apt-get, no network).
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

PACKAGES=(
  g++ cmake ninja-build pkg-config git
  nlohmann-json3-dev libcpp-httplib-dev libvalijson-dev
  libsqlite3-dev libfuse3-dev libssl-dev libseccomp-dev
  libgtest-dev libgmock-dev
  ripgrep fuse3 bubblewrap
)

mapfile -t missing < <(weft_missing_packages "${PACKAGES[@]}")
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
weft_apt_install "${missing[@]}"

mapfile -t still < <(weft_missing_packages "${PACKAGES[@]}")
[ "${#still[@]}" -eq 0 ] || weft_die "still missing after apt-get install: ${still[*]}"
