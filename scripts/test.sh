#!/usr/bin/env bash
# Installs, builds and runs the whole test suite (lit: dialect, lowering,
# importer, tools, ONNX conformance, end-to-end models). This is what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
start=$(date +%s)
scripts/setup.sh "$BUILD_DIR"
built=$(date +%s)
/usr/lib/llvm-22/bin/lit -sv "$BUILD_DIR/test" "$@"
echo "build $((built - start)) s, tests $(( $(date +%s) - built )) s"
