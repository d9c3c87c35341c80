#!/usr/bin/env bash
# Builds tfc with AddressSanitizer + UBSan (build-asan/, TFC_SANITIZE=ON) and
# runs the whole lit suite against those binaries. Any sanitizer report makes
# the tool abort, so the failing test names the problem. MLIR/LLVM and the
# JIT-compiled model code are not instrumented.
#   scripts/test-sanitized.sh [lit args...]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${SANITIZE_BUILD_DIR:-build-asan}
start=$(date +%s)
CMAKE_EXTRA_ARGS="-DTFC_SANITIZE=ON" scripts/setup.sh "$BUILD_DIR"
built=$(date +%s)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
/usr/lib/llvm-22/bin/lit -sv "$BUILD_DIR/test" "$@"
echo "sanitized build $((built - start)) s, tests $(( $(date +%s) - built )) s"
