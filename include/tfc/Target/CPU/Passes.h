//===- Passes.h - tfc CPU target passes -------------------------*- C++ -*-===//
#ifndef TFC_TARGET_CPU_PASSES_H
#define TFC_TARGET_CPU_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Pass/Pass.h"
#include "llvm/ADT/StringSet.h"

#include <optional>
#include <string>

namespace mlir::tfc {
#define GEN_PASS_DECL
#include "tfc/Target/CPU/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "tfc/Target/CPU/Passes.h.inc"

/// The CPU that code is generated for: the host's, or one named by LLVM's
/// x86-64 CPU names (tfc-compile --cpu), with its features (LLVM's names:
/// "avx2", "avx512f", ...).
struct TargetCPU {
  std::string name;
  bool host = false;
  llvm::StringSet<> features;
  bool has(llvm::StringRef feature) const { return features.contains(feature); }
};
/// The host CPU for "" or "host", else the named x86-64 CPU; nullopt with
/// `error` set for a name LLVM does not know.
std::optional<TargetCPU> resolveTargetCPU(llvm::StringRef name,
                                          std::string &error);

/// GEMM register blocking for tfc-cpu-gemm-microkernels.
struct GemmBlocking {
  int64_t rows, cols, kc, kcBF16;
};
/// The blocking that suits `cpu`: 8 x 32 (16 zmm accumulators) with
/// AVX-512, 6 x 16 (12 ymm accumulators) with AVX, else 6 x 8 (12 xmm);
/// k slices of kc (f32) or kcBF16 (bf16 mode).
GemmBlocking gemmBlockingFor(const TargetCPU &cpu);
/// Whether `cpu` has AVX512-BF16 (the bf16 GEMM kernels' vdpbf16ps).
bool hasBF16(const TargetCPU &cpu);
} // namespace mlir::tfc

#endif
