//===- Registration.cpp - register everything tfc's tools need ------------===//
#include "tfc/Pipelines/Registration.h"

#include "tfc/Conversion/Passes.h"
#include "tfc/Dialect/TFC/IR/TFC.h"
#include "tfc/Dialect/TFC/Transforms/Passes.h"
#include "tfc/Pipelines/Pipelines.h"
#include "tfc/Target/CPU/Passes.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void mlir::tfc::registerAllDialects(DialectRegistry &registry) {
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  registry.insert<TFCDialect>();
}

void mlir::tfc::registerAllPasses() {
  mlir::registerAllPasses();
  registerTFCConversionPasses();
  registerTFCPasses();
  registerTFCCPUPasses();
  registerPipelines();
}
