//===- Pipelines.h - tfc's registered pipelines, by phase -------*- C++ -*-===//
#ifndef TFC_PIPELINES_PIPELINES_H
#define TFC_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace mlir::tfc {
/// optimize phase: shape folding, canonicalization, CSE and the raising
/// passes (tfc-raise-norms, -gelu, -attention, -linear, tfc-merge-qkv).
/// `remarks` makes the raising passes report near-misses; the first form
/// takes it from the --tfc-remarks command-line flag.
void buildOptimizePipeline(OpPassManager &pm);
void buildOptimizePipeline(OpPassManager &pm, bool remarks);
/// target phase, first half: tfc -> linalg on tensors, weights become
/// entry-function arguments (see tfc-externalize-weights).
void buildLowerToLinalgPipeline(OpPassManager &pm);
/// target phase, second half: bufferization and lowering to the LLVM dialect.
void buildLinalgToLLVMPipeline(OpPassManager &pm);
/// Both halves of the CPU target phase.
void buildLowerToCPUPipeline(OpPassManager &pm);
/// Registers all of the above with the pass registry (tfc-opt flags).
void registerPipelines();
} // namespace mlir::tfc

#endif
