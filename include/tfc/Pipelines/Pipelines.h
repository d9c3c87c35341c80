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
/// With `releaseWeights`, merged weights are freed once nothing reads them
/// (tfc-merge-qkv's release-weights: only for a module that shares no
/// weights with another module of its context).
void buildOptimizePipeline(OpPassManager &pm, bool remarks,
                           bool releaseWeights = false);
/// The remarks default of --tfc-optimize (tools set it from --tfc-remarks).
void setOptimizeRemarksDefault(bool remarks);

struct OptimizeOptions : public PassPipelineOptions<OptimizeOptions> {
  Option<bool> remarks{*this, "remarks",
                       llvm::cl::desc("Report near-misses of the raising "
                                      "passes as remarks"),
                       llvm::cl::init(false)};
};
struct CPUOptions : public PassPipelineOptions<CPUOptions> {
  Option<unsigned> threads{*this, "threads",
                           llvm::cl::desc("Worker threads of the generated code"),
                           llvm::cl::init(1)};
  Option<int64_t> gemmRows{
      *this, "gemm-rows",
      llvm::cl::desc("Rows per GEMM register block (0: chosen from the cpu "
                     "option's CPU: 8 with AVX-512, else 6)"),
      llvm::cl::init(0)};
  Option<int64_t> gemmCols{
      *this, "gemm-cols",
      llvm::cl::desc("Columns per GEMM register block (0: chosen from the "
                     "cpu option's CPU: 32 with AVX-512, 16 with AVX, else 8)"),
      llvm::cl::init(0)};
  Option<int64_t> gemmKc{
      *this, "gemm-kc",
      llvm::cl::desc(
          "Depth of a GEMM k slice (0: chosen from the cpu option's CPU: "
          "512 with AVX-512 in f32, 256 in bf16, else 768)"),
      llvm::cl::init(0)};
  Option<bool> bf16{
      *this, "bf16",
      llvm::cl::desc("Linear layers multiply in bf16 (weights packed as "
                     "bf16, activations rounded to bf16, AVX512-BF16 dot "
                     "products, f32 accumulation); the cpu option's CPU "
                     "needs AVX512-BF16"),
      llvm::cl::init(false)};
  Option<bool> strassen{
      *this, "strassen",
      llvm::cl::desc("GEMMs by a constant weight with a static row count "
                     "run one level of Strassen's algorithm (7 "
                     "half-size products instead of 8; the weight's sums "
                     "take 1.75 times its bytes)"),
      llvm::cl::init(false)};
  Option<std::string> cpu{
      *this, "cpu",
      llvm::cl::desc("CPU to generate code for: host (default), or an "
                     "x86-64 CPU name of LLVM's (x86-64-v3, znver4, ...); "
                     "its features pick the GEMM blocking"),
      llvm::cl::init("host")};
  Option<bool> releaseWeights{
      *this, "release-weights",
      llvm::cl::desc("Free each weight's bytes once it is packed and no op "
                     "refers to it (tfc-cpu-gemm-microkernels' "
                     "release-weights): only for a module that no other "
                     "module of its context shares weights with"),
      llvm::cl::init(false)};
  Option<bool> bufferCache{
      *this, "buffer-cache",
      llvm::cl::desc("Buffers are allocated and freed through the tfc "
                     "runtime's buffer cache (MLIR's generic "
                     "_mlir_memref_to_llvm_alloc/free); 0: malloc and free"),
      llvm::cl::init(true)};
};

/// target phase, first half: tfc -> linalg on tensors (target-independent;
/// weights are still constants).
void buildLowerToLinalgPipeline(OpPassManager &pm);
/// target phase, CPU kernels: GEMMs by constant weights become
/// register-blocked microkernels over weights packed at compile time
/// (tfc-cpu-gemm-microkernels), then weights become entry-function
/// arguments (tfc-externalize-weights).
void buildCPUKernelsPipeline(OpPassManager &pm, const CPUOptions &options);
/// target phase, last part: bufferization and lowering to the LLVM dialect.
/// With `threads` > 1 the contraction tiles run as OpenMP parallel loops on
/// that many threads (the code then needs libomp at run time). With
/// `bufferCache`, buffers come from the tfc runtime's buffer cache
/// (lib/Runtime/BufferCache.c), which runs must then link.
/// `cpu` ("" or "host", or an x86-64 CPU name) decides how bf16 conversions
/// lower.
void buildLinalgToLLVMPipeline(OpPassManager &pm, unsigned threads = 1,
                               bool bufferCache = true,
                               llvm::StringRef cpu = "host");
/// The whole CPU target phase.
void buildLowerToCPUPipeline(OpPassManager &pm, const CPUOptions &options);

/// Registers all of the above with the pass registry (tfc-opt flags).
void registerPipelines();
} // namespace mlir::tfc

#endif
