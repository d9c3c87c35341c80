//===- ShapeLowering.cpp - reshape, expand, shape, constant_of_shape, range ===//
//
// Shape-carrying ops read their shape operands at run time (after folding
// they are usually constants, and the arithmetic folds away).
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "tfc/Dialect/TFC/IR/TFC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::tfc;

namespace {

using utils::IteratorType;

Value i64Const(ImplicitLocOpBuilder &b, int64_t v) {
  return arith::ConstantIntOp::create(b, b.getI64Type(), v);
}

/// Entry `i` of a 1-D i64 shape tensor.
Value shapeEntry(ImplicitLocOpBuilder &b, Value shape, int64_t i) {
  return tensor::ExtractOp::create(b, shape, ValueRange{indexConst(b, i)});
}

/// Sizes from a shape tensor, preferring the result type's static sizes.
SmallVector<OpFoldResult> sizesFromShape(ImplicitLocOpBuilder &b, Value shape,
                                         RankedTensorType result) {
  SmallVector<OpFoldResult> sizes;
  for (int64_t d = 0; d < result.getRank(); ++d) {
    if (!result.isDynamicDim(d)) {
      sizes.push_back(b.getIndexAttr(result.getDimSize(d)));
      continue;
    }
    sizes.push_back(arith::IndexCastOp::create(b, b.getIndexType(),
                                               shapeEntry(b, shape, d))
                        .getResult());
  }
  return sizes;
}

/// True when `result` is static, has `in`'s rank and sizes, and `in` has at
/// most one dynamic dim: with the element count equal, that dim can only be
/// the result's size.
bool isRefiningCast(RankedTensorType in, RankedTensorType result) {
  if (!result.hasStaticShape() || in.getRank() != result.getRank())
    return false;
  int64_t dynamic = 0;
  for (int64_t d = 0; d < in.getRank(); ++d) {
    if (in.isDynamicDim(d))
      ++dynamic;
    else if (in.getDimSize(d) != result.getDimSize(d))
      return false;
  }
  return dynamic <= 1;
}

struct ReshapeLowering : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value x = op.getInput();
    auto in = op.getInput().getType();
    int64_t rank = op.getType().getRank();
    Value total = i64Const(b, 1);
    for (int64_t d = 0; d < in.getRank(); ++d)
      total = arith::MulIOp::create(
          b, total, arith::IndexCastOp::create(b, b.getI64Type(), dimValue(b, x, d)));
    // Resolve 0 (copy) entries, then the -1 entry.
    SmallVector<Value> dims;
    Value known = i64Const(b, 1);
    Value zero = i64Const(b, 0), minusOne = i64Const(b, -1), one = i64Const(b, 1);
    for (int64_t d = 0; d < rank; ++d) {
      Value v = shapeEntry(b, op.getShape(), d);
      if (!op.getAllowzero() && d < in.getRank()) {
        Value isZero = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, v, zero);
        Value inDim = arith::IndexCastOp::create(b, b.getI64Type(), dimValue(b, x, d));
        v = arith::SelectOp::create(b, isZero, inDim, v);
      }
      Value isInfer = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, v, minusOne);
      known = arith::MulIOp::create(b, known,
                                    arith::SelectOp::create(b, isInfer, one, v));
      dims.push_back(v);
    }
    Value safeKnown = arith::MaxSIOp::create(b, known, one);
    Value inferred = arith::DivSIOp::create(b, total, safeKnown);
    Value product = one;
    for (Value &v : dims) {
      Value isInfer = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, v, minusOne);
      v = arith::SelectOp::create(b, isInfer, inferred, v);
      product = arith::MulIOp::create(b, product, v);
    }
    Value ok = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, product, total);
    cf::AssertOp::create(b, ok, "tfc: reshape changes the number of elements");
    auto shapeType = RankedTensorType::get({rank}, b.getI64Type());
    Value shape = tensor::FromElementsOp::create(b, shapeType, dims);
    // Static result sizes must hold at run time too.
    for (int64_t d = 0; d < rank; ++d) {
      if (op.getType().isDynamicDim(d))
        continue;
      Value eq = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, dims[d],
                                       i64Const(b, op.getType().getDimSize(d)));
      cf::AssertOp::create(b, eq, "tfc: reshape result differs from its type");
    }
    // A reshape that only refines one dynamic dim to the result's static
    // size (the asserts above pin it) is a cast: no copy of a strided input.
    if (isRefiningCast(in, op.getType())) {
      rewriter.replaceOpWithNewOp<tensor::CastOp>(op, op.getType(), x);
      return success();
    }
    Value r = tensor::ReshapeOp::create(b, op.getType(), x, shape);
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct ExpandLowering : OpRewritePattern<ExpandOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ExpandOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    MLIRContext *ctx = b.getContext();
    auto res = op.getType();
    auto in = op.getInput().getType();
    int64_t rank = res.getRank(), n = op.getShape().getType().getDimSize(0);
    SmallVector<OpFoldResult> sizes;
    for (int64_t j = 0; j < rank; ++j) {
      int64_t i = j - (rank - in.getRank()), s = j - (rank - n);
      if (!res.isDynamicDim(j)) {
        sizes.push_back(b.getIndexAttr(res.getDimSize(j)));
        continue;
      }
      Value fromShape =
          s >= 0 ? (Value)arith::IndexCastOp::create(
                       b, b.getIndexType(), shapeEntry(b, op.getShape(), s))
                 : indexConst(b, 1);
      if (i < 0 || (!in.isDynamicDim(i) && in.getDimSize(i) == 1)) {
        sizes.push_back(fromShape);
        continue;
      }
      // out = in == 1 ? shape : in
      Value inDim = dimValue(b, op.getInput(), i);
      Value isOne =
          arith::CmpIOp::create(b, arith::CmpIPredicate::eq, inDim, indexConst(b, 1));
      sizes.push_back(
          arith::SelectOp::create(b, isOne, fromShape, inDim).getResult());
    }
    // Input dims that are dynamic must not be a run-time 1 being broadcast.
    for (int64_t i = 0; i < in.getRank(); ++i) {
      if (!in.isDynamicDim(i))
        continue;
      Value size = getValueOrCreateConstantIndexOp(b, b.getLoc(),
                                                   sizes[i + rank - in.getRank()]);
      Value eq = arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                       dimValue(b, op.getInput(), i), size);
      cf::AssertOp::create(b, eq, "tfc: expand of a dynamic size-1 dimension");
    }
    Value init = emptyTensor(b, sizes, res.getElementType());
    auto g = linalg::GenericOp::create(
        b, TypeRange{init.getType()}, ValueRange{op.getInput()}, ValueRange{init},
        {broadcastMap(in, rank, ctx), AffineMap::getMultiDimIdentityMap(rank, ctx)},
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [](OpBuilder &nb, Location loc, ValueRange args) {
          linalg::YieldOp::create(nb, loc, args[0]);
        });
    rewriter.replaceOp(op, castTo(b, g.getResult(0), res));
    return success();
  }
};

struct ShapeLowering : OpRewritePattern<ShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ShapeOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    SmallVector<Value> dims;
    for (int64_t d = op.getStart(); d < (int64_t)op.getEnd(); ++d)
      dims.push_back(arith::IndexCastOp::create(b, b.getI64Type(),
                                                dimValue(b, op.getInput(), d)));
    Value r;
    if (dims.empty())
      r = arith::ConstantOp::create(
          b, DenseElementsAttr::get(op.getType(), ArrayRef<int64_t>{}));
    else
      r = tensor::FromElementsOp::create(b, op.getType(), dims);
    rewriter.replaceOp(op, r);
    return success();
  }
};

struct ConstantOfShapeLowering : OpRewritePattern<ConstantOfShapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConstantOfShapeOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto value = cast<TypedAttr>(op.getValue());
    Type elem = op.getType().getElementType();
    Type s = signlessType(elem);
    if (s != elem)
      value = IntegerAttr::get(s, cast<IntegerAttr>(value).getValue());
    Value r = filledTensor(b, sizesFromShape(b, op.getShape(), op.getType()),
                           s, value);
    if (s != elem)
      r = tensor::BitcastOp::create(
          b,
          RankedTensorType::get(cast<RankedTensorType>(r.getType()).getShape(),
                                elem),
          r);
    rewriter.replaceOp(op, castTo(b, r, op.getType()));
    return success();
  }
};

struct RangeLowering : OpRewritePattern<RangeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RangeOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    MLIRContext *ctx = b.getContext();
    Type elem = op.getType().getElementType();
    Type f64 = b.getF64Type();
    auto scalar = [&](Value t) -> Value {
      return toSignless(b, b.getLoc(), tensor::ExtractOp::create(b, t, ValueRange{}));
    };
    Value start = scalar(op.getStart()), limit = scalar(op.getLimit()),
          delta = scalar(op.getDelta());
    // n = max(ceil((limit - start) / delta), 0), computed in f64.
    Value sf = convertScalar(b, b.getLoc(), start, elem, f64);
    Value lf = convertScalar(b, b.getLoc(), limit, elem, f64);
    Value df = convertScalar(b, b.getLoc(), delta, elem, f64);
    Value n = math::CeilOp::create(
        b, arith::DivFOp::create(b, arith::SubFOp::create(b, lf, sf), df));
    n = arith::MaximumFOp::create(b, n, arith::ConstantOp::create(b, b.getF64FloatAttr(0)));
    Value count = arith::IndexCastOp::create(
        b, b.getIndexType(), arith::FPToSIOp::create(b, b.getI64Type(), n));
    SmallVector<OpFoldResult> sizes = {count};
    if (!op.getType().isDynamicDim(0))
      sizes = {b.getIndexAttr(op.getType().getDimSize(0))};
    Value init = emptyTensor(b, sizes, elem);
    auto g = linalg::GenericOp::create(
        b, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
        {AffineMap::getMultiDimIdentityMap(1, ctx)},
        SmallVector<IteratorType>(1, IteratorType::parallel),
        [&](OpBuilder &nb, Location loc, ValueRange) {
          Value i = arith::IndexCastOp::create(nb, loc, nb.getI64Type(),
                                               linalg::IndexOp::create(nb, loc, 0));
          Value r;
          if (isa<FloatType>(elem)) {
            Value fi = arith::SIToFPOp::create(nb, loc, elem, i);
            r = arith::AddFOp::create(nb, loc, start,
                                      arith::MulFOp::create(nb, loc, fi, delta));
          } else {
            Value ii = convertScalar(nb, loc, i, nb.getI64Type(), elem);
            r = arith::AddIOp::create(nb, loc, start,
                                      arith::MulIOp::create(nb, loc, ii, delta));
          }
          linalg::YieldOp::create(nb, loc, fromSignless(nb, loc, r, elem));
        });
    rewriter.replaceOp(op, castTo(b, g.getResult(0), op.getType()));
    return success();
  }
};

} // namespace

void mlir::tfc::populateShapeLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<ReshapeLowering, ExpandLowering, ShapeLowering,
               ConstantOfShapeLowering, RangeLowering>(patterns.getContext());
}
