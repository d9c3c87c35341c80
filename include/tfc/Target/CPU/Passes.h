//===- Passes.h - tfc CPU target passes -------------------------*- C++ -*-===//
#ifndef TFC_TARGET_CPU_PASSES_H
#define TFC_TARGET_CPU_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::tfc {
#define GEN_PASS_DECL
#include "tfc/Target/CPU/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "tfc/Target/CPU/Passes.h.inc"
} // namespace mlir::tfc

#endif
