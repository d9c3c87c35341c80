//===- ConstantData.h - reading and making weight constants -----*- C++ -*-===//
//
// Shared by the raising passes (which fold constants) and the target passes
// (which repack weights at compile time).
//
//===----------------------------------------------------------------------===//
#ifndef TFC_DIALECT_TFC_TRANSFORMS_CONSTANTDATA_H
#define TFC_DIALECT_TFC_TRANSFORMS_CONSTANTDATA_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include <vector>

namespace mlir::tfc {

/// A new constant op of type `type` holding `rawData`, as a dense_resource
/// blob when it has at least 64 elements (weights stay out of textual IR).
Value createConstant(OpBuilder &b, Location loc, RankedTensorType type,
                     ArrayRef<char> rawData);

/// The same, with the bytes written by `fill` into the (uninitialized)
/// storage of the constant: large weights get no intermediate copy.
/// `readAtRunTime`: compiled code will read the bytes in place (see
/// allocateWeightBlob).
Value createConstant(OpBuilder &b, Location loc, RankedTensorType type,
                     function_ref<void(MutableArrayRef<char>)> fill,
                     bool readAtRunTime = false);

/// The raw bytes of a constant tensor (dense or dense_resource, splats
/// expanded into `storage`); empty when `v` is not such a constant.
ArrayRef<char> constantBytes(Value v, std::vector<char> &storage);

} // namespace mlir::tfc

#endif
