//===- ImportLimitOptions.h - the importer's limits as tool flags -*- C++ -*-===//
//
// --max-model-bytes, --max-nodes and --max-tensor-elements, shared by
// tfc-opt, tfc-translate, tfc-run and tfc-compile (each includes this once).
//
//===----------------------------------------------------------------------===//
#ifndef TFC_TOOLS_IMPORTLIMITOPTIONS_H
#define TFC_TOOLS_IMPORTLIMITOPTIONS_H

#include "tfc/Import/ONNX.h"

#include "ToolOptions.h"

#include "llvm/Support/CommandLine.h"

namespace tfc_tools {

inline llvm::cl::opt<int64_t> maxTensorElements(
    "max-tensor-elements",
    llvm::cl::desc("refuse models with a tensor or declared value of more "
                   "elements (default 2^34)"),
    llvm::cl::init(mlir::tfc::OnnxImportOptions().maxTensorElements),
    llvm::cl::cat(toolOptions));
inline llvm::cl::opt<int64_t>
    maxNodes("max-nodes",
             llvm::cl::desc("refuse models with more nodes (default 2^20)"),
             llvm::cl::init(mlir::tfc::OnnxImportOptions().maxNodes),
             llvm::cl::cat(toolOptions));
inline llvm::cl::opt<int64_t> maxModelBytes(
    "max-model-bytes",
    llvm::cl::desc("refuse model files larger than this (default 2 GiB)"),
    llvm::cl::init(mlir::tfc::OnnxImportOptions().maxModelBytes),
    llvm::cl::cat(toolOptions));

/// Default import options with the limits given on the command line.
inline mlir::tfc::OnnxImportOptions importOptionsFromCommandLine() {
  mlir::tfc::OnnxImportOptions options;
  options.maxTensorElements = maxTensorElements;
  options.maxNodes = maxNodes;
  options.maxModelBytes = maxModelBytes;
  return options;
}

} // namespace tfc_tools

#endif
