//===- NormalizationLowering.cpp - reductions, softmax, norms, attention --===//
//
// Reductions become linalg.generic with reduction iterators. Softmax, the
// norms and attention are expanded here into the reductions and elementwise
// tfc ops they are made of (numerically stable forms); RowNormKernel.cpp
// replaces the norm expansions where its fused row kernel applies.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "tfc/Dialect/TFC/IR/TFC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::tfc;

namespace {

using utils::IteratorType;

bool isUnsignedType(Type t) {
  auto i = dyn_cast<IntegerType>(t);
  return i && i.isUnsigned();
}

/// Reduces `input` over `axes` (empty = all) with `combine`, starting from
/// `initValue`; returns a tensor of `resultType`.
Value buildReduction(ImplicitLocOpBuilder &b, Value input,
                     ArrayRef<int64_t> axesIn, bool keepdims,
                     RankedTensorType resultType, TypedAttr initValue,
                     function_ref<Value(OpBuilder &, Location, Value, Value)>
                         combine) {
  MLIRContext *ctx = b.getContext();
  auto t = cast<RankedTensorType>(input.getType());
  int64_t rank = t.getRank();
  SmallVector<bool> reduced(rank, axesIn.empty());
  for (int64_t a : axesIn)
    reduced[normAxis(a, rank)] = true;
  SmallVector<OpFoldResult> dims = mixedDims(b, input), outSizes;
  SmallVector<AffineExpr> outExprs;
  SmallVector<IteratorType> iters;
  for (int64_t d = 0; d < rank; ++d) {
    iters.push_back(reduced[d] ? IteratorType::reduction
                               : IteratorType::parallel);
    if (!reduced[d]) {
      outExprs.push_back(getAffineDimExpr(d, ctx));
      outSizes.push_back(dims[d]);
    } else if (keepdims) {
      outExprs.push_back(getAffineConstantExpr(0, ctx));
      outSizes.push_back(b.getIndexAttr(1));
    }
  }
  Type elem = t.getElementType();
  Type s = signlessType(elem);
  Value init = filledTensor(b, outSizes, s, initValue);
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx),
                                 AffineMap::get(rank, 0, outExprs, ctx)};
  auto g = linalg::GenericOp::create(
      b, TypeRange{init.getType()}, ValueRange{input}, ValueRange{init}, maps,
      iters, [&](OpBuilder &nb, Location loc, ValueRange args) {
        Value x = toSignless(nb, loc, args[0]);
        linalg::YieldOp::create(nb, loc, combine(nb, loc, x, args[1]));
      });
  Value r = g.getResult(0);
  if (s != elem)
    r = tensor::BitcastOp::create(
        b,
        RankedTensorType::get(cast<RankedTensorType>(r.getType()).getShape(),
                              elem),
        r);
  return castTo(b, r, resultType);
}

template <typename OpT>
struct ReduceLowering : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Type elem = op.getInput().getType().getElementType();
    Type s = signlessType(elem);
    bool isFloat = isa<FloatType>(s), u = isUnsignedType(elem);
    TypedAttr init;
    std::function<Value(OpBuilder &, Location, Value, Value)> combine;
    if constexpr (std::is_same_v<OpT, ReduceMaxOp>) {
      init = lowestValue(s, u);
      combine = [&](OpBuilder &nb, Location l, Value x, Value acc) -> Value {
        if (isFloat)
          return arith::MaximumFOp::create(nb, l, x, acc);
        return u ? (Value)arith::MaxUIOp::create(nb, l, x, acc)
                 : arith::MaxSIOp::create(nb, l, x, acc);
      };
    } else if constexpr (std::is_same_v<OpT, ReduceMinOp>) {
      init = highestValue(s, u);
      combine = [&](OpBuilder &nb, Location l, Value x, Value acc) -> Value {
        if (isFloat)
          return arith::MinimumFOp::create(nb, l, x, acc);
        return u ? (Value)arith::MinUIOp::create(nb, l, x, acc)
                 : arith::MinSIOp::create(nb, l, x, acc);
      };
    } else {
      init = isFloat ? (TypedAttr)b.getFloatAttr(s, 0) : b.getIntegerAttr(s, 0);
      combine = [&](OpBuilder &nb, Location l, Value x, Value acc) -> Value {
        if (isFloat)
          return arith::AddFOp::create(nb, l, x, acc);
        return arith::AddIOp::create(nb, l, x, acc);
      };
    }
    Value r = buildReduction(b, op.getInput(), op.getAxes(), op.getKeepdims(),
                             op.getType(), init, combine);
    if constexpr (std::is_same_v<OpT, ReduceMeanOp>) {
      // Divide by the number of reduced elements.
      auto t = op.getInput().getType();
      Value count = indexConst(b, 1);
      SmallVector<int64_t> axes(op.getAxes());
      if (axes.empty())
        for (int64_t d = 0; d < t.getRank(); ++d)
          axes.push_back(d);
      for (int64_t a : axes)
        count = arith::MulIOp::create(
            b, count, dimValue(b, op.getInput(), normAxis(a, t.getRank())));
      Value c64 = arith::IndexCastOp::create(b, b.getI64Type(), count);
      auto scalarType = RankedTensorType::get({}, elem);
      Value countTensor = tensor::FromElementsOp::create(
          b, scalarType,
          ValueRange{convertScalar(b, b.getLoc(), c64, b.getI64Type(), elem)});
      r = DivOp::create(b, op.getType(), r, countTensor);
    }
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// The input's type with the dimensions from `axis` on set to 1.
RankedTensorType keptType(RankedTensorType t, int64_t axis, bool toEnd) {
  SmallVector<int64_t> shape(t.getShape());
  for (int64_t d = axis; d < (toEnd ? t.getRank() : axis + 1); ++d)
    shape[d] = 1;
  return RankedTensorType::get(shape, t.getElementType());
}

Value scalarTensor(ImplicitLocOpBuilder &b, Type elem, double v) {
  auto type = RankedTensorType::get({}, elem);
  return arith::ConstantOp::create(
      b, DenseElementsAttr::get(type, b.getFloatAttr(elem, v)));
}

template <typename OpT>
struct SoftmaxLowering : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto t = op.getType();
    int64_t axis = normAxis(op.getAxis(), t.getRank());
    auto kept = keptType(t, axis, false);
    auto axes = b.getDenseI64ArrayAttr({axis});
    Value x = op.getInput();
    Value m = ReduceMaxOp::create(b, kept, x, axes, true);
    Value shifted = SubOp::create(b, t, x, m);
    Value e = ExpOp::create(b, shifted);
    Value s = ReduceSumOp::create(b, kept, e, axes, true);
    Value r;
    if constexpr (std::is_same_v<OpT, SoftmaxOp>)
      r = DivOp::create(b, t, e, s);
    else
      r = SubOp::create(b, t, shifted, LogOp::create(b, s));
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// x / sqrt(meanOf + eps) with meanOf reduced over [axis, rank).
Value normalizeBy(ImplicitLocOpBuilder &b, Value x, Value meanOf, int64_t axis,
                  float eps) {
  auto t = cast<RankedTensorType>(x.getType());
  auto kept = keptType(t, axis, true);
  SmallVector<int64_t> axes;
  for (int64_t d = axis; d < t.getRank(); ++d)
    axes.push_back(d);
  Value var = ReduceMeanOp::create(b, kept, meanOf,
                                   b.getDenseI64ArrayAttr(axes), true);
  Value denom = SqrtOp::create(
      b, AddOp::create(b, kept, var, scalarTensor(b, t.getElementType(), eps)));
  return DivOp::create(b, t, x, denom);
}

struct LayerNormLowering : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto t = op.getType();
    int64_t axis = normAxis(op.getAxis(), t.getRank());
    SmallVector<int64_t> axes;
    for (int64_t d = axis; d < t.getRank(); ++d)
      axes.push_back(d);
    Value x = op.getInput();
    if (op.getResidual())
      x = AddOp::create(b, t, x, op.getResidual());
    Value mean = ReduceMeanOp::create(b, keptType(t, axis, true), x,
                                      b.getDenseI64ArrayAttr(axes), true);
    Value centered = SubOp::create(b, t, x, mean);
    Value sq = MulOp::create(b, t, centered, centered);
    Value y = normalizeBy(b, centered, sq, axis,
                          op.getEpsilon().convertToFloat());
    if (op.getScale())
      y = MulOp::create(b, t, y, op.getScale());
    if (op.getBias())
      y = AddOp::create(b, t, y, op.getBias());
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct RmsNormLowering : OpRewritePattern<RmsNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RmsNormOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto t = op.getType();
    int64_t axis = normAxis(op.getAxis(), t.getRank());
    Value sq = MulOp::create(b, t, op.getInput(), op.getInput());
    Value y = normalizeBy(b, op.getInput(), sq, axis,
                          op.getEpsilon().convertToFloat());
    if (op.getScale())
      y = MulOp::create(b, t, y, op.getScale());
    rewriter.replaceOp(op, y);
    return success();
  }
};

} // namespace

void mlir::tfc::populateNormalizationLoweringPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp>, ReduceLowering<ReduceMeanOp>,
               ReduceLowering<ReduceMaxOp>, ReduceLowering<ReduceMinOp>,
               SoftmaxLowering<SoftmaxOp>, SoftmaxLowering<LogSoftmaxOp>,
               LayerNormLowering, RmsNormLowering>(
      patterns.getContext());
  populateRowNormKernelPatterns(patterns);
  populateRowSoftmaxKernelPatterns(patterns);
}
