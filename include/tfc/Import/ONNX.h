//===- ONNX.h - ONNX model importer -----------------------------*- C++ -*-===//
#ifndef TFC_IMPORT_ONNX_H
#define TFC_IMPORT_ONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinTypes.h"

#include <functional>
#include <map>
#include <string>

namespace mlir::tfc {

/// Knobs of the ONNX importer. Limits protect against hostile models.
struct OnnxImportOptions {
  /// Initializers with at least this many elements become dense_resource
  /// blobs (weights); smaller ones stay inline (shape constants, scalars).
  int64_t resourceThreshold = 64;
  /// Pin symbolic dimensions by name (e.g. {"batch": 1}).
  std::map<std::string, int64_t> pinnedDims;
  /// Refuse models with more elements in one tensor or more nodes, or a
  /// model file larger than maxModelBytes (external data not included).
  int64_t maxTensorElements = int64_t(1) << 34;
  int64_t maxNodes = 1 << 20;
  int64_t maxModelBytes = int64_t(1) << 31;
  /// Called for every graph input (initializers excluded), in order, so a
  /// caller can map positional input files to names.
  std::function<void(const std::string &name, unsigned position)> onGraphInput;
  /// Shape specialization: for a graph input that is used directly as a shape
  /// operand (Reshape/Expand shape, Slice parameters, Squeeze/Unsqueeze/
  /// ReduceSum axes, Split sizes, ConstantOfShape shape), a non-null value
  /// returned here compiles the input as that constant instead of an
  /// argument (a JIT knows the values; result ranks may depend on them).
  std::function<ElementsAttr(const std::string &name, RankedTensorType declared)>
      shapeInputValue;
};

/// Imports an ONNX model file into a module with one public function
/// `@main`, whose arguments are the graph inputs (attribute
/// `tfc.input_names`) and results the graph outputs (`tfc.output_names`).
/// External data files are resolved next to the model. Errors are emitted
/// through the context's diagnostic engine, naming node, op type and opset.
OwningOpRef<ModuleOp> importOnnxFile(MLIRContext *context, StringRef path,
                                     const OnnxImportOptions &options = {});
/// As above, from bytes already in memory; `baseDir` resolves external data.
OwningOpRef<ModuleOp> importOnnxBytes(MLIRContext *context, StringRef bytes,
                                      StringRef sourceName, StringRef baseDir,
                                      const OnnxImportOptions &options = {});

/// Registers the `--import-onnx` translation (for tfc-translate); `options`
/// (when given) supplies the import options of each translation, e.g. the
/// limits given on the command line.
void registerOnnxImportTranslation(
    std::function<OnnxImportOptions()> options = {});

} // namespace mlir::tfc

#endif
