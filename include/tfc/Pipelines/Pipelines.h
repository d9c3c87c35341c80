//===- Pipelines.h - tfc's registered pipelines, by phase -------*- C++ -*-===//
#ifndef TFC_PIPELINES_PIPELINES_H
#define TFC_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::tfc {
/// optimize phase: shape folding, canonicalization, CSE and the raising
/// passes (tfc-raise-norms, -gelu, -attention, -linear, tfc-merge-qkv).
/// `remarks` makes the raising passes report near-misses; the first form
/// uses the default set by setOptimizeRemarksDefault.
void buildOptimizePipeline(OpPassManager &pm);
void buildOptimizePipeline(OpPassManager &pm, bool remarks);
/// The remarks default of --tfc-optimize (tools set it from --tfc-remarks).
void setOptimizeRemarksDefault(bool remarks);

struct OptimizeOptions : public PassPipelineOptions<OptimizeOptions> {
  Option<bool> remarks{*this, "remarks",
                       llvm::cl::desc("Report near-misses of the raising "
                                      "passes as remarks"),
                       llvm::cl::init(false)};
};
/// target phase, first half: tfc -> linalg on tensors, weights become
/// entry-function arguments (see tfc-externalize-weights).
void buildLowerToLinalgPipeline(OpPassManager &pm);
/// target phase, second half: bufferization and lowering to the LLVM dialect.
/// With `threads` > 1 the contraction tiles run as OpenMP parallel loops on
/// that many threads (the code then needs libomp at run time).
void buildLinalgToLLVMPipeline(OpPassManager &pm, unsigned threads = 1);
/// Both halves of the CPU target phase.
void buildLowerToCPUPipeline(OpPassManager &pm, unsigned threads = 1);

struct CPUOptions : public PassPipelineOptions<CPUOptions> {
  Option<unsigned> threads{*this, "threads",
                           llvm::cl::desc("Worker threads of the generated code"),
                           llvm::cl::init(1)};
};
/// Registers all of the above with the pass registry (tfc-opt flags).
void registerPipelines();
} // namespace mlir::tfc

#endif
