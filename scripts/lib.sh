# Shared helpers for the scripts in this folder; sourced, never run.
# Everything here writes to stderr: scripts/serve hands stdout to the MCP protocol.

WEFT_ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
WEFT_BUILD_DIR=${WEFT_BUILD_DIR:-$WEFT_ROOT/build}
export WEFT_BUILD_DIR

weft_say() { printf 'weft: %s\n' "$*" >&2; }
weft_die() { printf 'weft: error: %s\n' "$*" >&2; exit 1; }

# weft_apt_install PACKAGE...: one `apt-get update`, then installs the packages
# without recommends. Runs as root directly, otherwise through sudo.
weft_apt_install() {
  local -a run=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      run=(sudo)
    else
      weft_die "missing Debian packages: $*
  Not root and no sudo. As root, run:
    apt-get update && apt-get install -y --no-install-recommends $*"
    fi
  fi
  command -v apt-get >/dev/null 2>&1 ||
    weft_die "missing packages: $* (apt-get not found; weft targets Debian 12)"
  weft_say "installing missing Debian packages: $*"
  "${run[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q </dev/null >&2 ||
    weft_die "apt-get update failed"
  "${run[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "$@" </dev/null >&2 ||
    weft_die "apt-get install failed for: $*"
}

# weft_missing_packages PACKAGE...: prints the ones dpkg does not list as installed.
weft_missing_packages() {
  command -v dpkg-query >/dev/null 2>&1 ||
    weft_die "dpkg-query not found; weft targets Debian 12 (install these by hand: $*)"
  local installed
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null |
    awk '$2 == "ii" { print $1 }')
  local p
  for p in "$@"; do
    grep -qxF "$p" <<<"$installed" || printf '%s\n' "$p"
  done
}
