#!/usr/bin/env bash
# Installs what tfc needs on Debian bookworm (idempotent) and builds it.
# Usage: scripts/setup.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${1:-build}
PKGS="llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22 libomp-22-dev
  cmake ninja-build ccache libprotobuf-dev protobuf-compiler libonnx-dev
  libonnx-testdata libflatbuffers-dev flatbuffers-compiler
  python3-numpy python3-onnx python3-torch"
missing=$(dpkg-query -W -f='${Package} ${Status}\n' $PKGS 2>/dev/null |
          awk '$4 != "installed" {print $1}'; for p in $PKGS; do
          dpkg-query -W "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $PKGS >/dev/null
fi
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  CC=clang-22 CXX=clang++-22 cmake -G Ninja -S . -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld \
    ${CMAKE_EXTRA_ARGS:-}
fi
# TARGETS (optional): build only these targets.
ninja -C "$BUILD_DIR" -j"${JOBS:-2}" ${TARGETS:-}
