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

namespace mlir::tfc {
#define GEN_PASS_DECL
#include "tfc/Target/CPU/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "tfc/Target/CPU/Passes.h.inc"

/// GEMM register blocking for tfc-cpu-gemm-microkernels.
struct GemmBlocking {
  int64_t rows, cols, kc, kcBF16;
};
/// The blocking that suits the host CPU: 8 x 32 (16 zmm accumulators) with
/// AVX-512, else 6 x 16 (12 ymm accumulators, AVX2); k slices of kc (f32)
/// or kcBF16 (bf16 mode).
GemmBlocking hostGemmBlocking();
/// Whether the host CPU has AVX512-BF16 (the bf16 GEMM kernels' vdpbf16ps).
bool hostHasBF16();
} // namespace mlir::tfc

#endif
