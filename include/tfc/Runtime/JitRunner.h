//===- JitRunner.h - compile a tfc module and run it on the CPU -*- C++ -*-===//
#ifndef TFC_RUNTIME_JITRUNNER_H
#define TFC_RUNTIME_JITRUNNER_H

#include "tfc/Runtime/HostTensor.h"

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <memory>
#include <optional>

namespace mlir {
class ExecutionEngine;
}

namespace tfc::runtime {

/// The tensor as a constant attribute (for shape specialization).
mlir::ElementsAttr toElementsAttr(const HostTensor &t, mlir::MLIRContext *ctx);

/// Declared type of one model input or output (-1 = dynamic size).
struct TensorSpec {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  /// Symbolic name of each size ("" if none); inputs must agree on each.
  std::vector<std::string> dimNames;
};

struct CompileOptions {
  bool optimize = true; ///< run the tfc-optimize pipeline first
  bool remarks = false;  ///< report the raising passes' near-misses
  int optLevel = 3;     ///< LLVM optimization level
  unsigned threads = 1; ///< worker threads of the generated code (OpenMP)
  bool dumpLLVMDialect = false;
};

/// A model compiled for the host CPU through tfc's pipelines and MLIR's
/// ExecutionEngine. Weights are bound at call time from the module's
/// dense_resource blobs, never compiled into code.
class JitModel {
public:
  /// Compiles `module` (its public `@main`). Errors go to the context's
  /// diagnostic handler; returns null on failure.
  static std::unique_ptr<JitModel> compile(mlir::OwningOpRef<mlir::ModuleOp> module,
                                           const CompileOptions &options,
                                           std::string &error);
  ~JitModel();

  const std::vector<TensorSpec> &inputs() const { return inputSpecs; }
  const std::vector<TensorSpec> &outputs() const { return outputSpecs; }
  /// Wall time of each compile phase, in order (milliseconds).
  const std::vector<std::pair<std::string, double>> &phaseTimes() const {
    return phases;
  }

  /// Checks `inputs` (one per model input, in order) against the specs and
  /// runs the model. On error returns false with a message naming the input.
  bool run(const std::vector<HostTensor> &inputs,
           std::vector<HostTensor> &outputs, std::string &error);

private:
  JitModel() = default;
  mlir::OwningOpRef<mlir::ModuleOp> module; // keeps weight blobs alive
  std::unique_ptr<mlir::ExecutionEngine> engine;
  std::vector<TensorSpec> inputSpecs, outputSpecs;
  std::vector<std::pair<std::string, double>> phases;
  struct Weight {
    const void *data;
    std::vector<int64_t> shape;
  };
  std::vector<Weight> weights;
};

} // namespace tfc::runtime

#endif
