//===- mlir_parse_fuzzer.cpp - tfc dialect IR text -> verified module -----===//
//
// Parses arbitrary text as MLIR with the tfc dialects registered and runs
// the verifier (every tfc op's constraints) on what parses.
//
//===----------------------------------------------------------------------===//
#include "../tools/MLIRInputGuard.h"
#include "FuzzContext.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext &ctx = tfc::fuzz::context();
  mlir::ParserConfig config(&ctx, /*verifyAfterParse=*/false);
  // MLIR's lexer relies on a NUL after the buffer (as files read through
  // MemoryBuffer have); libFuzzer's data has none.
  std::string text(reinterpret_cast<const char *>(data), size);
  // What MLIR 22's parser crashes on the tools refuse before parsing.
  if (tfc_tools::findIndexDenseArray(text) != llvm::StringRef::npos)
    return 0;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, config);
  if (module)
    (void)mlir::verify(*module);
  return 0;
}
