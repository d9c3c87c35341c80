//===- RaisingUtils.h - matchers shared by the raising passes ---*- C++ -*-===//
#ifndef TFC_LIB_DIALECT_TFC_TRANSFORMS_RAISINGUTILS_H
#define TFC_LIB_DIALECT_TFC_TRANSFORMS_RAISINGUTILS_H

#include "tfc/Dialect/TFC/IR/TFC.h"
#include "tfc/Dialect/TFC/Transforms/ConstantData.h"

#include "mlir/IR/PatternMatch.h"
#include <optional>

namespace mlir::tfc {

/// The elements of a constant tensor (dense or dense_resource, any float or
/// integer type) as doubles; nullopt when `v` is not a constant or has more
/// than `maxElements` elements.
std::optional<SmallVector<double>> constantValues(Value v,
                                                  int64_t maxElements = 1 << 24);

/// The value of a constant whose elements are all equal (a scalar, a splat,
/// or a small constant holding one repeated value).
std::optional<double> scalarConstant(Value v);

/// A possibly negative axis as a non-negative one.
inline int64_t normalizedAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

/// Flattens a product tree rooted at `v` (mul ops, and div by constants)
/// into its constant factor and its non-constant factors; inner products
/// are entered only when they have no other user.
void productFactors(Value v, double &constant, SmallVectorImpl<Value> &factors,
                    bool root = true);

/// True when |a - b| <= rel * |b|.
bool nearlyEqual(double a, double b, double rel = 1e-4);

/// The operand of a commutative binary op that is not `v`, when the other
/// one is `v` (nullptr otherwise).
Value otherOperand(Operation *op, Value v);

/// One element of a shape vector: a constant, or size `dim` of `source`.
struct ShapeElement {
  int64_t constant = 0;
  Value source;
  int64_t dim = 0;
  bool isConstant() const { return !source; }
};

/// Evaluates a 1-D i64 shape vector built from constants and
/// Shape/Gather/Concat/Unsqueeze/Slice ops; nullopt when some element is
/// neither a constant nor a tensor size.
std::optional<SmallVector<ShapeElement>> evaluateShape(Value shape);

/// True when size `dim` of `v` is known to be `e`.
bool isSizeOf(const ShapeElement &e, Value v, int64_t dim);

/// Emits "<pass>: <message>" as a remark on `op` when `enabled`.
void nearMiss(bool enabled, Operation *op, StringRef pass, const Twine &msg);

} // namespace mlir::tfc

#endif
