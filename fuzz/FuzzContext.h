//===- FuzzContext.h - shared set-up of tfc's libFuzzer targets -*- C++ -*-===//
//
// One MLIRContext per process with every tfc dialect loaded, threading off
// and diagnostics swallowed (bad input is expected; only crashes, hangs and
// sanitizer reports count), or a new one of the same set-up per input
// (newContext). A new target is one .cpp defining
// LLVMFuzzerTestOneInput plus one line in CMakeLists.txt.
//
//===----------------------------------------------------------------------===//
#ifndef TFC_FUZZ_FUZZCONTEXT_H
#define TFC_FUZZ_FUZZCONTEXT_H

#include "tfc/Pipelines/Registration.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include <memory>

namespace tfc::fuzz {

/// A new context with every tfc dialect registered, threading off and
/// diagnostics swallowed (for a target that wants one per input).
inline std::unique_ptr<mlir::MLIRContext> newContext() {
  mlir::DialectRegistry registry;
  mlir::tfc::registerAllDialects(registry);
  auto c = std::make_unique<mlir::MLIRContext>(
      registry, mlir::MLIRContext::Threading::DISABLED);
  c->getDiagEngine().registerHandler([](mlir::Diagnostic &) {});
  return c;
}

/// The process's shared context, with the dialects loaded up front.
inline mlir::MLIRContext &context() {
  static mlir::MLIRContext *ctx = [] {
    mlir::MLIRContext *c = newContext().release();
    c->loadAllAvailableDialects();
    return c;
  }();
  return *ctx;
}

} // namespace tfc::fuzz

#endif
