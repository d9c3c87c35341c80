//===- ImportLimitOptions.cpp - the importer's limits as tool flags -------===//
#include "tfc/Import/ONNX.h"

#include "llvm/Support/CommandLine.h"

#include <memory>

using namespace mlir;

namespace {
struct LimitOptions {
  llvm::cl::opt<int64_t> maxTensorElements{
      "max-tensor-elements",
      llvm::cl::desc("refuse models with a tensor or declared value of more "
                     "elements (default 2^34)"),
      llvm::cl::init(tfc::OnnxImportOptions().maxTensorElements)};
  llvm::cl::opt<int64_t> maxNodes{
      "max-nodes",
      llvm::cl::desc("refuse models with more nodes (default 2^20)"),
      llvm::cl::init(tfc::OnnxImportOptions().maxNodes)};
  llvm::cl::opt<int64_t> maxModelBytes{
      "max-model-bytes",
      llvm::cl::desc("refuse model files larger than this (default 2 GiB)"),
      llvm::cl::init(tfc::OnnxImportOptions().maxModelBytes)};
};
std::unique_ptr<LimitOptions> &limitOptions() {
  static std::unique_ptr<LimitOptions> options;
  return options;
}
} // namespace

void tfc::registerOnnxImportLimitOptions() {
  if (!limitOptions())
    limitOptions() = std::make_unique<LimitOptions>();
}

tfc::OnnxImportOptions tfc::onnxImportOptionsFromCommandLine() {
  OnnxImportOptions options;
  if (LimitOptions *l = limitOptions().get()) {
    options.maxTensorElements = l->maxTensorElements;
    options.maxNodes = l->maxNodes;
    options.maxModelBytes = l->maxModelBytes;
  }
  return options;
}
