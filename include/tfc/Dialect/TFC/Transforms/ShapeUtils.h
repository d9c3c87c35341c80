//===- ShapeUtils.h - reshaping tensors the pipeline can lower -*- C++ -*-===//
//
// Shared by the lowering to linalg and the target passes.
//
//===----------------------------------------------------------------------===//
#ifndef TFC_DIALECT_TFC_TRANSFORMS_SHAPEUTILS_H
#define TFC_DIALECT_TFC_TRANSFORMS_SHAPEUTILS_H

#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::tfc {

/// `src` expanded to `type` by `groups` (a tensor.expand_shape to `sizes`),
/// or by a tensor.reshape where a group has two or more dynamic sizes:
/// expand-strided-metadata (LLVM 22) crashes on the memref.expand_shape of
/// such a group. The reshape is no copy when `src` bufferizes to an
/// identity-layout buffer, such as a fresh result.
Value expandShapeOrReshape(OpBuilder &b, Location loc, RankedTensorType type,
                           Value src, ArrayRef<ReassociationIndices> groups,
                           ArrayRef<OpFoldResult> sizes);

} // namespace mlir::tfc

#endif
