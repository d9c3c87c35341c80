//===- CodegenOptions.h - code generation flags of tfc-run/compile -*- C++ -*-===//
//
// --opt-level and --precision, shared by tfc-run and tfc-compile (each
// includes this once).
//
//===----------------------------------------------------------------------===//
#ifndef TFC_TOOLS_CODEGENOPTIONS_H
#define TFC_TOOLS_CODEGENOPTIONS_H

#include "tfc/Runtime/ModelLowering.h"
#include "tfc/Target/CPU/Passes.h"

#include "ToolOptions.h"

#include "llvm/Support/CommandLine.h"

#include <string>

namespace tfc_tools {

inline llvm::cl::opt<unsigned> optLevel(
    "opt-level",
    llvm::cl::desc("LLVM optimization level of the generated code (0-3)"),
    llvm::cl::init(3), llvm::cl::cat(toolOptions));
inline llvm::cl::opt<std::string> precision(
    "precision",
    llvm::cl::desc(
        "arithmetic of the linear layers: f32 (default), or bf16 (weights "
        "and activations rounded to bf16, AVX512-BF16 dot products with f32 "
        "accumulation; needs a CPU with AVX512-BF16). Everything else "
        "stays f32"),
    llvm::cl::init("f32"), llvm::cl::cat(toolOptions));

/// Fills `options`' code generation fields from the command line; false
/// with `error` set when a flag is invalid or the host cannot run it.
inline bool codegenOptionsFromCommandLine(::tfc::runtime::CompileOptions &options,
                                          std::string &error) {
  if (optLevel > 3) {
    error = "--opt-level must be 0, 1, 2 or 3";
    return false;
  }
  if (precision != "f32" && precision != "bf16") {
    error = "--precision must be f32 or bf16, not '" + precision + "'";
    return false;
  }
  options.bf16 = precision == "bf16";
  if (options.bf16 && !mlir::tfc::hostHasBF16()) {
    error = "--precision=bf16 needs a CPU with AVX512-BF16, which this host "
            "lacks";
    return false;
  }
  options.optLevel = optLevel;
  return true;
}

} // namespace tfc_tools

#endif
