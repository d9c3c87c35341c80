//===- Passes.h - tfc conversion passes -------------------------*- C++ -*-===//
#ifndef TFC_CONVERSION_PASSES_H
#define TFC_CONVERSION_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
namespace tfc {
#define GEN_PASS_DECL
#include "tfc/Conversion/Passes.h.inc"
#define GEN_PASS_REGISTRATION
#include "tfc/Conversion/Passes.h.inc"

/// All patterns that lower tfc ops to linalg/tensor/arith/math on tensors.
void populateTFCToLinalgPatterns(RewritePatternSet &patterns);
} // namespace tfc
} // namespace mlir

#endif
