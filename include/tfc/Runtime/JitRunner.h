//===- JitRunner.h - compile a tfc module and run it on the CPU -*- C++ -*-===//
#ifndef TFC_RUNTIME_JITRUNNER_H
#define TFC_RUNTIME_JITRUNNER_H

#include "tfc/Runtime/ModelLowering.h"

#include "tfc-c/ModelABI.h"

#include "mlir/IR/BuiltinAttributeInterfaces.h"

namespace mlir {
class ExecutionEngine;
}

namespace tfc::runtime {

/// The tensor as a constant attribute (for shape specialization).
mlir::ElementsAttr toElementsAttr(const HostTensor &t, mlir::MLIRContext *ctx);

/// A model compiled for the host CPU through tfc's pipelines and MLIR's
/// ExecutionEngine. Weights are bound at call time from the module's
/// dense_resource blobs, never compiled into code.
class JitModel : public Model {
public:
  /// Compiles `module` (its public `@main`). Errors go to the context's
  /// diagnostic handler; returns null on failure.
  static std::unique_ptr<JitModel> compile(mlir::OwningOpRef<mlir::ModuleOp> module,
                                           const CompileOptions &options,
                                           std::string &error);
  ~JitModel() override;

private:
  JitModel() = default;
  LoweredModel lowered; // its module keeps the weight blobs alive
  std::unique_ptr<mlir::ExecutionEngine> engine;
  // What tfc_model_info points into.
  std::vector<std::vector<const char *>> dimNamePtrs;
  std::vector<const char *> checkPtrs; // the run-time checks' messages
  std::vector<tfc_tensor_info> inputInfos, outputInfos;
  std::vector<tfc_weight_info> weightInfos;
  tfc_model_info info{};
};

} // namespace tfc::runtime

#endif
