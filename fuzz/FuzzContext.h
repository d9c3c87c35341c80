//===- FuzzContext.h - shared set-up of tfc's libFuzzer targets -*- C++ -*-===//
//
// One MLIRContext per process with every tfc dialect loaded, threading off
// and diagnostics swallowed (bad input is expected; only crashes, hangs and
// sanitizer reports count). A new target is one .cpp defining
// LLVMFuzzerTestOneInput plus one line in CMakeLists.txt.
//
//===----------------------------------------------------------------------===//
#ifndef TFC_FUZZ_FUZZCONTEXT_H
#define TFC_FUZZ_FUZZCONTEXT_H

#include "tfc/Pipelines/Registration.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

namespace tfc::fuzz {

inline mlir::MLIRContext &context() {
  static mlir::MLIRContext *ctx = [] {
    mlir::DialectRegistry registry;
    mlir::tfc::registerAllDialects(registry);
    auto *c = new mlir::MLIRContext(registry,
                                    mlir::MLIRContext::Threading::DISABLED);
    c->loadAllAvailableDialects();
    c->getDiagEngine().registerHandler([](mlir::Diagnostic &) {});
    return c;
  }();
  return *ctx;
}

} // namespace tfc::fuzz

#endif
