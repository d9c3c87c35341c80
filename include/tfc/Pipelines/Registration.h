//===- Registration.h - register everything tfc's tools need ----*- C++ -*-===//
#ifndef TFC_PIPELINES_REGISTRATION_H
#define TFC_PIPELINES_REGISTRATION_H

#include "mlir/IR/DialectRegistry.h"

namespace mlir::tfc {
/// The tfc dialect plus all upstream dialects, extensions and the LLVM IR
/// translation interfaces (needed by the JIT and bufferization models).
void registerAllDialects(DialectRegistry &registry);
/// tfc's passes and pipelines plus all upstream passes.
void registerAllPasses();
} // namespace mlir::tfc

#endif
