//===- CodegenOptions.h - code generation flags of tfc-run/compile -*- C++
//-*-===//
//
// --opt-level, --precision, --gemm-block and --pass-timing, shared by
// tfc-run and tfc-compile (each includes this once).
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
inline llvm::cl::opt<std::string> gemmBlock(
    "gemm-block",
    llvm::cl::desc(
        "register block of the GEMM microkernels as ROWSxCOLUMNS, and "
        "optionally the depth of their k slices as ROWSxCOLUMNSxDEPTH "
        "(default: from the host CPU, 8x32x512 with AVX-512 (depth 256 in "
        "bf16), else 6x16x768). Another ISA's block runs on any host, "
        "slower (e.g. 8x32x512 on an AVX2 host, to test its code): rows "
        "1-16, columns a multiple of 8 up to 64 (of 16 with "
        "--precision=bf16), depth 1-65536 (even with --precision=bf16)"),
    llvm::cl::value_desc("RxC[xK]"), llvm::cl::cat(toolOptions));
inline llvm::cl::opt<bool> strassen(
    "strassen",
    llvm::cl::desc(
        "linear layers with a static number of rows (the tokens) run one "
        "level of Strassen's algorithm: 7 half-size products "
        "instead of 8 (12.5 % fewer multiply-adds), at the price of 1.75 "
        "times their weights' memory and a slightly larger rounding "
        "error. Off by default"),
    llvm::cl::init(false), llvm::cl::cat(toolOptions));
inline llvm::cl::opt<bool> passTiming(
    "pass-timing",
    llvm::cl::desc("print the wall time of each MLIR pass of the compile, "
                   "as a tree under its pipeline (to stderr, after the "
                   "lowering to the LLVM dialect)"),
    llvm::cl::init(false), llvm::cl::cat(toolOptions));

/// Fills `options`' code generation fields from the command line for the
/// CPU `cpu` ("": the host; tfc-compile --cpu); false with `error` set when
/// a flag is invalid or that CPU cannot run it.
inline bool
codegenOptionsFromCommandLine(::tfc::runtime::CompileOptions &options,
                              std::string &error, const std::string &cpu = "") {
  std::optional<mlir::tfc::TargetCPU> target =
      mlir::tfc::resolveTargetCPU(cpu, error);
  if (!target)
    return false;
  options.cpu = cpu;
  if (optLevel > 3) {
    error = "--opt-level must be 0, 1, 2 or 3";
    return false;
  }
  if (precision != "f32" && precision != "bf16") {
    error = "--precision must be f32 or bf16, not '" + precision + "'";
    return false;
  }
  options.bf16 = precision == "bf16";
  if (options.bf16 && !mlir::tfc::hasBF16(*target)) {
    error = target->host ? "--precision=bf16 needs a CPU with AVX512-BF16, "
                           "which this host lacks"
                         : "--precision=bf16 needs a CPU with AVX512-BF16, "
                           "which '" +
                               target->name + "' lacks";
    return false;
  }
  options.optLevel = optLevel;
  options.passTiming = passTiming;
  options.strassen = strassen;
  if (!gemmBlock.empty()) {
    llvm::SmallVector<llvm::StringRef, 3> parts;
    llvm::StringRef(gemmBlock).split(parts, 'x');
    unsigned rows = 0, cols = 0, depth = 0;
    if (parts.size() < 2 || parts.size() > 3 ||
        parts[0].getAsInteger(10, rows) || parts[1].getAsInteger(10, cols) ||
        rows < 1 || rows > 16 || cols < 8 || cols > 64 || cols % 8 ||
        (parts.size() == 3 &&
         (parts[2].getAsInteger(10, depth) || depth < 1 || depth > 65536))) {
      error = "--gemm-block must be ROWSxCOLUMNS[xDEPTH] with rows 1-16, "
              "columns a multiple of 8 up to 64 and depth 1-65536 (e.g. 6x16 "
              "or 6x16x768), not '" +
              gemmBlock + "'";
      return false;
    }
    if (options.bf16 && depth % 2) {
      error = "--gemm-block with --precision=bf16 needs an even depth "
              "(k pairs), not " +
              std::to_string(depth);
      return false;
    }
    if (options.bf16 && cols % 16) {
      error = "--gemm-block with --precision=bf16 needs columns that are a "
              "multiple of 16 (whole 16-lane bf16 dot products), not " +
              std::to_string(cols);
      return false;
    }
    options.gemmRows = rows;
    options.gemmCols = cols;
    options.gemmKc = depth;
  }
  return true;
}

} // namespace tfc_tools

#endif
