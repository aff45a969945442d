#!/usr/bin/env bash
# Configures (once) and builds weft with Ninja and warnings as errors, on all
# cores. Quiet on success; on failure prints the compiler's errors.
#   scripts/build.sh [TARGET...]     (default: everything)
# Build directory: $WEFT_BUILD_DIR, default build/ in the source tree.
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

dir=$WEFT_BUILD_DIR
mkdir -p "$dir"
# One build at a time per directory (an editor may start scripts/serve while
# scripts/test is building).
exec 9>"$dir/.weft-build.lock"
flock 9

cache=$dir/CMakeCache.txt
configure_args=(-S "$WEFT_ROOT" -B "$dir" -G Ninja -DWEFT_WERROR=ON)
log=$dir/.weft-build.log

run_logged() {
  if ! "$@" >"$log" 2>&1; then
    # Ninja's "[n/m] ..." progress lines hide the errors; drop them.
    grep -v '^\[[0-9]*/[0-9]*\] ' "$log" >&2 || true
    weft_die "failed: $* (full log: $log)"
  fi
}

if [ -f "$cache" ] && ! grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$cache"; then
  weft_say "reconfiguring $dir from scratch for Ninja"
  run_logged cmake --fresh "${configure_args[@]}"
elif [ ! -f "$cache" ] || [ ! -f "$dir/build.ninja" ]; then
  weft_say "configuring $dir (Ninja, -DWEFT_WERROR=ON)"
  run_logged cmake "${configure_args[@]}"
elif ! grep -qx 'WEFT_WERROR:BOOL=ON' "$cache"; then
  weft_say "reconfiguring $dir with -DWEFT_WERROR=ON"
  run_logged cmake "${configure_args[@]}"
fi
# Later CMakeLists.txt edits re-run CMake from inside Ninja.

# Ninja's no-op run takes milliseconds; announce only a build that takes a while.
start=$SECONDS
ninja -C "$dir" -j "$(nproc)" "$@" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null' INT TERM EXIT
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
  weft_say "building ${*:-everything} in $dir with $(nproc) jobs (log: $log)"
fi
rc=0
wait "$pid" || rc=$?
trap - INT TERM EXIT
if [ "$rc" -ne 0 ]; then
  # Ninja's "[n/m] ..." progress lines hide the errors; drop them.
  grep -v '^\[[0-9]*/[0-9]*\] ' "$log" >&2 || true
  weft_die "build failed (full log: $log)"
fi
if [ $((SECONDS - start)) -ge 10 ]; then
  weft_say "built in $((SECONDS - start)) s"
fi
