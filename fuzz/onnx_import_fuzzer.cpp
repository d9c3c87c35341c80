//===- onnx_import_fuzzer.cpp - ONNX model bytes -> tfc module ------------===//
//
// Feeds arbitrary bytes to the ONNX importer as a whole model file, then
// verifies whatever module comes out. External data resolves against a
// folder that does not exist, and the limits are small so that a fuzzed
// dimension cannot ask for gigabytes.
//
//===----------------------------------------------------------------------===//
#include "FuzzContext.h"

#include "tfc/Import/ONNX.h"

#include "mlir/IR/Verifier.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext &ctx = tfc::fuzz::context();
  mlir::tfc::OnnxImportOptions options;
  options.maxTensorElements = 1 << 20;
  options.maxNodes = 1 << 12;
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::tfc::importOnnxBytes(
      &ctx, llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "fuzz.onnx", "/nonexistent-tfc-fuzz-dir", options);
  if (module)
    (void)mlir::verify(*module);
  return 0;
}
