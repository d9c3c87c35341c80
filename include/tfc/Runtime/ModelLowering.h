//===- ModelLowering.h - a tfc module down to the LLVM dialect ---*- C++ -*-===//
#ifndef TFC_RUNTIME_MODELLOWERING_H
#define TFC_RUNTIME_MODELLOWERING_H

#include "tfc/Runtime/Model.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace llvm {
class TargetMachine;
}

namespace tfc::runtime {

struct CompileOptions {
  bool optimize = true; ///< run the tfc-optimize pipeline first
  bool remarks = false;  ///< report the raising passes' near-misses
  int optLevel = 3;     ///< LLVM optimization level
  unsigned threads = 1; ///< worker threads of the generated code (OpenMP)
  bool bf16 = false;    ///< linear layers in bf16 (needs AVX512-BF16)
  /// The GEMM microkernels' register block and k slice depth (0: chosen
  /// from the host CPU).
  int64_t gemmRows = 0, gemmCols = 0, gemmKc = 0;
  bool strassen = false; ///< one level of Strassen's algorithm in the GEMMs
  /// The CPU to generate code for: "" or "host", or an x86-64 CPU name of
  /// LLVM's (tfc-compile --cpu; the JIT runs on the host).
  std::string cpu;
  /// The module is the only one of its context that holds weights (a
  /// tool's own import): weights the compile replaces (packed, fused) are
  /// freed as it goes instead of staying in the context. Leave it false
  /// where another module (a clone, say) shares them.
  bool ownsWeights = false;
  bool dumpLLVMDialect = false;
  /// Print each MLIR pass's wall time, nested under its pipeline, to
  /// stderr when the lowering ends (MLIR's DefaultTimingManager).
  bool passTiming = false;
  /// JIT only: write a jitdump of the compiled code for perf (MLIR's
  /// default writes one on every compile).
  bool perfJitDump = false;
};

/// One weight of the lowered `@main` (a trailing argument): its bytes stay
/// in the module's context.
struct WeightBlob {
  const void *data;
  size_t bytes;
  std::vector<int64_t> shape;
};

/// A model lowered to the LLVM dialect with what running it needs. `@main`
/// has the C interface described in tfc-c/ModelABI.h.
struct LoweredModel {
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::vector<TensorSpec> inputs, outputs;
  std::vector<WeightBlob> weights;
  /// Messages of the run-time checks (tfc_model_info::checks).
  std::vector<std::string> checks;
  /// Each phase so far (wall time and memory).
  std::vector<CompilePhase> phases;
};

/// Runs tfc's pipelines on `module` (its public `@main`): optimize (unless
/// disabled), lower to linalg, CPU kernels and weight packing, lower to the
/// LLVM dialect. Returns false with `error` set on failure.
bool lowerToLLVMDialect(mlir::OwningOpRef<mlir::ModuleOp> module,
                        const CompileOptions &options, LoweredModel &out,
                        std::string &error);

/// A target machine for `cpu` ("" or "host": the host CPU, else an x86-64
/// CPU name of LLVM's; its features decide the vector code), position
/// independent when `pic`.
std::unique_ptr<llvm::TargetMachine>
createTargetMachine(llvm::StringRef cpu, bool pic, std::string &error);

/// KMP_BLOCKTIME (ms) that JIT and AOT models with threads set unless the
/// user did: idle OpenMP workers spin that long between parallel regions
/// (about a hundred per inference; waking a sleeping worker costs tens of
/// microseconds each time), then sleep, instead of libomp's default 200 ms
/// of spinning after the run (two vCPUs may share a core).
inline constexpr const char *kOpenMPBlockTimeMs = "1";

} // namespace tfc::runtime

#endif
