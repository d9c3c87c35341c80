//===- onnx_compile_fuzzer.cpp - ONNX model bytes -> the LLVM dialect -----===//
//
// Imports arbitrary bytes as an ONNX model like onnx_import_fuzzer and
// compiles every model that imports through all of tfc's pipelines
// (optimize, lower to linalg, CPU kernels, lower to the LLVM dialect):
// a model the importer accepts may fail to compile with an error, never
// crash a pass. Each input gets a context of its own, so that no weights
// or state carry over from one input to the next. Inputs of odd length
// compile with --strassen (its GEMM kernels), the others without. No
// machine code is made.
//
//===----------------------------------------------------------------------===//
#include "FuzzContext.h"

#include "tfc/Import/ONNX.h"
#include "tfc/Runtime/ModelLowering.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::unique_ptr<mlir::MLIRContext> ctx = tfc::fuzz::newContext();
  mlir::tfc::OnnxImportOptions options;
  options.maxTensorElements = 1 << 16;
  options.maxNodes = 1 << 10;
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::tfc::importOnnxBytes(
      ctx.get(), llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "fuzz.onnx", "/nonexistent-tfc-fuzz-dir", options);
  if (!module)
    return 0;
  tfc::runtime::CompileOptions compile;
  compile.ownsWeights = true;
  compile.strassen = size % 2;
  tfc::runtime::LoweredModel lowered;
  std::string error;
  (void)tfc::runtime::lowerToLLVMDialect(std::move(module), compile, lowered,
                                         error);
  return 0;
}
