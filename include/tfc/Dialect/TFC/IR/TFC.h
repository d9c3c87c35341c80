//===- TFC.h - the tfc dialect ----------------------------------*- C++ -*-===//
#ifndef TFC_DIALECT_TFC_IR_TFC_H
#define TFC_DIALECT_TFC_IR_TFC_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "tfc/Dialect/TFC/IR/TFCDialect.h.inc"

#define GET_OP_CLASSES
#include "tfc/Dialect/TFC/IR/TFCOps.h.inc"

namespace mlir::tfc {
/// Computes the numpy broadcast of two shapes (ShapedType::kDynamic for
/// unknown sizes). Returns failure when two static sizes conflict.
LogicalResult broadcastShapes(ArrayRef<int64_t> a, ArrayRef<int64_t> b,
                              SmallVectorImpl<int64_t> &out);

/// The ONNX node name the importer put in `loc` (a NameLoc, possibly inside
/// a FusedLoc), or "" when it has none: error messages name the node.
std::string onnxNodeName(Location loc);
} // namespace mlir::tfc

#endif // TFC_DIALECT_TFC_IR_TFC_H
