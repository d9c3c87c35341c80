//===- Importer.h - ONNX importer internals ---------------------*- C++ -*-===//
#ifndef TFC_LIB_IMPORT_ONNX_IMPORTER_H
#define TFC_LIB_IMPORT_ONNX_IMPORTER_H

#include "onnx.pb.h"
#include "tfc/Dialect/TFC/IR/TFC.h"
#include "tfc/Import/ONNX.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"

#include <optional>

namespace mlir::tfc::onnx_import {

/// Imports one ONNX graph. Node handlers live in Ops*.cpp, one file per op
/// family; each reads the node's inputs, computes result types and records
/// the node's outputs.
class Importer {
public:
  Importer(MLIRContext *ctx, const OnnxImportOptions &options,
           StringRef sourceName, StringRef baseDir)
      : ctx(ctx), b(ctx), options(options), sourceName(sourceName.str()),
        baseDir(baseDir.str()) {}

  /// Moves the initializers' raw bytes out of `model` into the constants.
  OwningOpRef<ModuleOp> importModel(onnx::ModelProto &model);

  // --- used by the op handlers -------------------------------------------
  MLIRContext *ctx;
  OpBuilder b;
  const OnnxImportOptions &options;
  std::string sourceName, baseDir;
  int64_t opset = 0;
  const onnx::NodeProto *node = nullptr;
  Location loc = UnknownLoc::get(ctx);
  llvm::StringMap<Value> values;

  /// An error at the current node, naming it, its op type and the opset.
  InFlightDiagnostic error();
  /// "<what> must be a constant" for input `i` of the current node; where
  /// that input is a graph input, says so and how to give its value.
  InFlightDiagnostic notConstant(int i, StringRef what);
  /// Input `i` of the current node (null if absent or empty name).
  Value input(int i);
  unsigned numInputs() const;
  bool hasOutput(int i) const;
  void setOutput(int i, Value v);

  // Attributes (with defaults).
  const onnx::AttributeProto *attr(StringRef name) const;
  int64_t attrInt(StringRef name, int64_t dflt) const;
  float attrFloat(StringRef name, float dflt) const;
  std::string attrString(StringRef name, StringRef dflt) const;
  std::optional<SmallVector<int64_t>> attrInts(StringRef name) const;

  // Types and constants.
  FailureOr<Type> elementType(int onnxType);
  /// The constant of `t`. A weight blob takes over the bytes it reads
  /// (external data, typed fields, or `movableRawData`: t's own raw_data,
  /// of an initializer); other raw_data is copied.
  FailureOr<ElementsAttr> tensorAttr(const onnx::TensorProto &t,
                                     std::string *movableRawData = nullptr);
  Value constI64(ArrayRef<int64_t> values);
  Value scalarLike(Value like, double v);
  /// Integer values of a constant tensor, if `v` is one (i1 as 0 or 1).
  static std::optional<SmallVector<int64_t>> constInts(Value v);
  static RankedTensorType rt(Value v) {
    return cast<RankedTensorType>(v.getType());
  }

  /// `v` as a constant when it is a small integer tensor that constants
  /// determine (ConstantFolding.cpp); otherwise `v`.
  Value foldSmallInteger(Value v);

  // Shape helpers used by several handlers.
  Value expandDims(Value v, ArrayRef<int64_t> sortedNewAxes);
  Value squeezeDims(Value v, ArrayRef<int64_t> sortedAxes);
  FailureOr<Value> broadcastBinary(StringRef opName, Value l, Value r,
                                   bool compare);
  /// Normalizes `axis` against `rank`, erroring at the node if out of range.
  /// Sizes read from a constant shape operand: each >= 0 (or -1 where
  /// `allowInfer`), each and their product within maxTensorElements.
  LogicalResult checkSizes(ArrayRef<int64_t> sizes, StringRef what,
                           bool allowInfer = false);
  FailureOr<int64_t> axisIn(int64_t axis, int64_t rank);

  // Handlers by family; each returns failure after emitting an error.
  LogicalResult importElementwise(StringRef op);
  LogicalResult importLinalg(StringRef op);
  LogicalResult importNormalization(StringRef op);
  LogicalResult importShape(StringRef op);
  LogicalResult importNode(const onnx::NodeProto &n);
  LogicalResult dispatchNode(StringRef op);
  LogicalResult checkAttributes(StringRef op);

private:
  LogicalResult importGraph(onnx::GraphProto &g, ModuleOp module);
  FailureOr<RankedTensorType> valueInfoType(const onnx::ValueInfoProto &vi);
  FailureOr<std::string> readExternalData(const onnx::TensorProto &t);
};

bool isElementwiseOp(StringRef op);
bool isLinalgOp(StringRef op);
bool isNormalizationOp(StringRef op);
bool isShapeOp(StringRef op);
/// Whether one of the families above imports `op`.
bool isSupportedOp(StringRef op);

} // namespace mlir::tfc::onnx_import

#endif
