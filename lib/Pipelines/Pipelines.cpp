//===- Pipelines.cpp - tfc's registered pipelines, by phase ---------------===//
#include "tfc/Pipelines/Pipelines.h"

#include "tfc/Conversion/Passes.h"
#include "tfc/Dialect/TFC/Transforms/Passes.h"
#include "tfc/Target/CPU/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

static bool remarksByDefault = false;

void tfc::setOptimizeRemarksDefault(bool remarks) { remarksByDefault = remarks; }

void tfc::buildOptimizePipeline(OpPassManager &pm) {
  buildOptimizePipeline(pm, remarksByDefault);
}

void tfc::buildOptimizePipeline(OpPassManager &pm, bool remarks,
                                bool releaseWeights) {
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(tfc::createFoldShapesPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  OpPassManager &fn = pm.nest<func::FuncOp>();
  fn.addPass(tfc::createRaiseNormsPass({remarks}));
  fn.addPass(tfc::createRaiseGeluPass({remarks}));
  fn.addPass(tfc::createRaiseAttentionPass({remarks}));
  fn.addPass(createCanonicalizerPass());
  fn.addPass(tfc::createRaiseLinearPass({remarks}));
  fn.addPass(tfc::createMergeQKVPass({remarks, releaseWeights}));
  fn.addPass(tfc::createFuseResidualNormPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void tfc::buildLowerToLinalgPipeline(OpPassManager &pm) {
  pm.addNestedPass<func::FuncOp>(tfc::createConvertTFCToLinalgPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

namespace {
/// Fails the pipeline with `message` (an option that names no CPU).
struct InvalidOptionPass
    : PassWrapper<InvalidOptionPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(InvalidOptionPass)
  explicit InvalidOptionPass(std::string message)
      : message(std::move(message)) {}
  StringRef getArgument() const override { return "tfc-invalid-option"; }
  void runOnOperation() override {
    getOperation().emitError(message);
    signalPassFailure();
  }
  std::string message;
};
} // namespace

void tfc::buildCPUKernelsPipeline(OpPassManager &pm, const CPUOptions &o) {
  std::string error;
  std::optional<tfc::TargetCPU> cpu = tfc::resolveTargetCPU(o.cpu, error);
  if (!cpu) {
    pm.addPass(std::make_unique<InvalidOptionPass>(error));
    return;
  }
  tfc::GemmBlocking host = tfc::gemmBlockingFor(*cpu);
  tfc::GemmMicrokernelsPassOptions gemm;
  gemm.rows = o.gemmRows ? o.gemmRows : host.rows;
  gemm.cols = o.gemmCols ? o.gemmCols : host.cols;
  gemm.kc = o.gemmKc ? o.gemmKc : o.bf16 ? host.kcBF16 : host.kc;
  gemm.bf16 = o.bf16;
  gemm.strassen = o.strassen;
  gemm.releaseWeights = o.releaseWeights;
  pm.addNestedPass<func::FuncOp>(tfc::createGemmMicrokernelsPass(gemm));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(tfc::createExternalizeWeightsPass());
}

void tfc::buildLinalgToLLVMPipeline(OpPassManager &pm, unsigned threads,
                                    bool bufferCache, StringRef cpuName) {
  std::string error;
  std::optional<tfc::TargetCPU> cpu = tfc::resolveTargetCPU(cpuName, error);
  if (!cpu) {
    pm.addPass(std::make_unique<InvalidOptionPass>(error));
    return;
  }
  // With threads, the contraction tiles are an scf.forall that becomes an
  // OpenMP parallel loop after bufferization.
  tfc::TileContractionsPassOptions tiling;
  tiling.forall = threads > 1;
  pm.addNestedPass<func::FuncOp>(tfc::createTileContractionsPass(tiling));
  if (threads > 1) {
    tfc::ParallelizeElementwisePassOptions split;
    split.threads = threads;
    pm.addNestedPass<func::FuncOp>(
        tfc::createParallelizeElementwisePass(split));
  }
  pm.addPass(createCanonicalizerPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Loop-carried tensors (the flash-attention running max/sum/accumulator)
  // may be yielded as new buffers; the deallocation pipeline frees them.
  bufferize.allowReturnAllocsFromLoops = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // A tile computed in place and then inserted back becomes a copy of a
  // subview onto an identical subview; CSE makes the two one value and the
  // canonicalizer drops the self-copy (ViT-B/16: 249 -> 113 copies).
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  bufferization::BufferDeallocationPipelineOptions dealloc;
  bufferization::buildBufferDeallocationPipeline(pm, dealloc);
  pm.addPass(createConvertBufferizationToMemRefPass());
  // One function per distinct kernel: identical layers compile once.
  pm.addPass(tfc::createOutlineKernelsPass());
  // Failed size asserts report through the run, not abort the process.
  pm.addPass(tfc::createAssertsToRuntimePass());
  if (threads > 1) {
    // The kernels' loops share their iterations by work stealing (see
    // ForallToOpenMP.cpp); a loop it leaves takes upstream's way, a static
    // omp.wsloop.
    tfc::ForallToOpenMPPassOptions steal;
    steal.threads = threads;
    pm.addPass(tfc::createForallToOpenMPPass(steal));
    pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
    ConvertSCFToOpenMPPassOptions omp;
    omp.numThreads = threads;
    pm.addPass(createConvertSCFToOpenMPPass(omp));
    // Inlines the memref.alloca_scope around each parallel body (no allocas
    // in it): the CFG lowering below needs a single-block region otherwise.
    pm.addPass(createCanonicalizerPass());
  } else {
    pm.addNestedPass<func::FuncOp>(createForallToForLoopPass());
  }
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(tfc::createApproximateMathPass());
  // Without AVX512-BF16, LLVM lowers an f32 -> bf16 truncation to a call
  // of compiler-rt's __truncsfbf2, which a library from tfc-compile does
  // not link (it failed to load): here it becomes integer code (round to
  // nearest even, NaN kept quiet). With it, LLVM's vcvtneps2bf16 stays.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = !tfc::hasBF16(*cpu);
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createConvertMathToFuncs());
  pm.addPass(createConvertMathToLibmPass());
  if (bufferCache) {
    // Before the OpenMP and convert-to-llvm lowerings, whose memref patterns
    // would call malloc/free (also inside parallel bodies).
    FinalizeMemRefToLLVMConversionPassOptions memref;
    memref.useGenericFunctions = true;
    pm.addPass(createFinalizeMemRefToLLVMConversionPass(memref));
  }
  if (threads > 1)
    pm.addPass(createConvertOpenMPToLLVMPass());
  // The microkernels' 1-D transfers become (masked) vector loads and stores.
  // x86vector: the bf16 kernels' vdpbf16ps (llvm.call_intrinsic).
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.x86Vector = true;
  // The attention's 16x16 key blocks (AttentionKeyTranspose.cpp) as
  // register shuffles, not element by element.
  vectorToLLVM.vectorTransposeLowering =
      vector::VectorTransposeLowering::Shuffle16x16;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void tfc::buildLowerToCPUPipeline(OpPassManager &pm, const CPUOptions &o) {
  buildLowerToLinalgPipeline(pm);
  buildCPUKernelsPipeline(pm, o);
  buildLinalgToLLVMPipeline(pm, o.threads, o.bufferCache, o.cpu);
}

void tfc::registerPipelines() {
  PassPipelineRegistration<OptimizeOptions>(
      "tfc-optimize",
      "optimize phase: shape folding, canonicalization, CSE and raising to "
      "transformer ops (norms, gelu, attention, linear, merged QKV); "
      "remarks=1 (or a tool's --tfc-remarks) reports near-misses",
      [](OpPassManager &pm, const OptimizeOptions &o) {
        buildOptimizePipeline(pm, o.remarks || remarksByDefault);
      });
  PassPipelineRegistration<>(
      "tfc-lower-to-linalg",
      "target phase (first half): tfc -> linalg on tensors",
      buildLowerToLinalgPipeline);
  PassPipelineRegistration<CPUOptions>(
      "tfc-linalg-to-llvm",
      "target phase (second half): GEMM microkernels with packed weights, "
      "weights as arguments, bufferize and lower to the LLVM dialect "
      "(threads=T: OpenMP-parallel kernels; gemm-rows/gemm-cols: register "
      "blocking; bf16=1: bf16 linear layers; cpu=NAME: the CPU to generate "
      "code for (default host); buffer-cache=0: malloc/free instead of the "
      "tfc runtime's buffer cache)",
      [](OpPassManager &pm, const CPUOptions &o) {
        buildCPUKernelsPipeline(pm, o);
        buildLinalgToLLVMPipeline(pm, o.threads, o.bufferCache, o.cpu);
      });
  PassPipelineRegistration<CPUOptions>(
      "tfc-lower-to-cpu",
      "target phase: tfc -> LLVM dialect for the CPU (threads=T, "
      "gemm-rows=R, gemm-cols=C, bf16=0|1, cpu=NAME, buffer-cache=0|1)",
      [](OpPassManager &pm, const CPUOptions &o) {
        buildLowerToCPUPipeline(pm, o);
      });
}
