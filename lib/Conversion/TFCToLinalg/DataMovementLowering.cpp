//===- DataMovementLowering.cpp - transpose, concat, split, slice, gather -===//
#include "LoweringUtils.h"
#include "tfc/Dialect/TFC/IR/TFC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::tfc;

namespace {

using utils::IteratorType;

struct TransposeLowering : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    SmallVector<OpFoldResult> in = mixedDims(b, op.getInput()), sizes;
    for (int64_t p : op.getPermutation())
      sizes.push_back(in[p]);
    Value init = emptyTensor(b, sizes, op.getType().getElementType());
    auto t = linalg::TransposeOp::create(b, op.getInput(), init,
                                         op.getPermutation());
    rewriter.replaceOp(op, castTo(b, t.getResult()[0], op.getType()));
    return success();
  }
};

struct ConcatLowering : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    int64_t axis = op.getAxis(), rank = op.getType().getRank();
    SmallVector<OpFoldResult> sizes = mixedDims(b, op.getInputs().front());
    Value total = indexConst(b, 0);
    for (Value v : op.getInputs())
      total = arith::AddIOp::create(b, total, dimValue(b, v, axis));
    sizes[axis] = total;
    Value acc = emptyTensor(b, sizes, op.getType().getElementType());
    Value offset = indexConst(b, 0);
    for (Value v : op.getInputs()) {
      SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
      offsets[axis] = offset;
      SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
      acc = tensor::InsertSliceOp::create(b, v, acc, offsets, mixedDims(b, v),
                                          strides);
      offset = arith::AddIOp::create(b, offset, dimValue(b, v, axis));
    }
    rewriter.replaceOp(op, castTo(b, acc, op.getType()));
    return success();
  }
};

struct SplitLowering : OpRewritePattern<SplitOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SplitOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    int64_t axis = op.getAxis(), rank = op.getInput().getType().getRank();
    SmallVector<Value> results;
    int64_t offset = 0;
    for (auto [r, size] : llvm::zip(op.getResults(), op.getSizes())) {
      SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
      offsets[axis] = b.getIndexAttr(offset);
      SmallVector<OpFoldResult> sizes = mixedDims(b, op.getInput());
      sizes[axis] = b.getIndexAttr(size);
      SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
      Value s = tensor::ExtractSliceOp::create(b, op.getInput(), offsets, sizes,
                                               strides);
      results.push_back(castTo(b, s, r.getType()));
      offset += size;
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

/// Element `i` of a 1-D integer tensor as an i64 value.
Value extractI64(ImplicitLocOpBuilder &b, Value t, int64_t i) {
  Value v = tensor::ExtractOp::create(b, t, ValueRange{indexConst(b, i)});
  Type et = v.getType();
  if (et.isInteger(64))
    return v;
  return convertScalar(b, b.getLoc(), toSignless(b, b.getLoc(), v), et,
                       b.getI64Type());
}

Value i64Const(ImplicitLocOpBuilder &b, int64_t v) {
  return arith::ConstantIntOp::create(b, b.getI64Type(), v);
}
Value clampI64(ImplicitLocOpBuilder &b, Value v, Value lo, Value hi) {
  return arith::MinSIOp::create(b, arith::MaxSIOp::create(b, v, lo), hi);
}
Value toIndex(ImplicitLocOpBuilder &b, Value v) {
  return arith::IndexCastOp::create(b, b.getIndexType(), v);
}
Value toI64(ImplicitLocOpBuilder &b, Value v) {
  return arith::IndexCastOp::create(b, b.getI64Type(), v);
}

/// ONNX Slice: per listed axis, clamp start/end for the step's sign and read
/// input[start + i * step] with a linalg.generic (steps may be negative).
struct SliceLowering : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    DenseIntElementsAttr axesAttr;
    if (!matchPattern(op.getAxes(), m_Constant(&axesAttr)))
      return rewriter.notifyMatchFailure(op, "slice axes must be constant");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    MLIRContext *ctx = b.getContext();
    Value x = op.getInput();
    int64_t rank = op.getType().getRank();
    SmallVector<Value> starts, steps;
    SmallVector<OpFoldResult> sizes = mixedDims(b, x);
    for (int64_t d = 0; d < rank; ++d) {
      starts.push_back(i64Const(b, 0));
      steps.push_back(i64Const(b, 1));
    }
    for (auto [p, axisAP] : llvm::enumerate(axesAttr.getValues<APInt>())) {
      int64_t axis = normAxis(axisAP.getSExtValue(), rank);
      Value dim = toI64(b, dimValue(b, x, axis));
      Value start = extractI64(b, op.getStarts(), p);
      Value end = extractI64(b, op.getEnds(), p);
      Value step = extractI64(b, op.getSteps(), p);
      Value zero = i64Const(b, 0), one = i64Const(b, 1), minusOne = i64Const(b, -1);
      auto wrap = [&](Value v) -> Value {
        Value neg = arith::CmpIOp::create(b, arith::CmpIPredicate::slt, v, zero);
        return arith::SelectOp::create(b, neg, arith::AddIOp::create(b, v, dim), v);
      };
      Value ws = wrap(start), we = wrap(end);
      Value positive = arith::CmpIOp::create(b, arith::CmpIPredicate::sgt, step, zero);
      Value dimM1 = arith::SubIOp::create(b, dim, one);
      Value s = arith::SelectOp::create(b, positive, clampI64(b, ws, zero, dim),
                                        clampI64(b, ws, zero, dimM1));
      Value e = arith::SelectOp::create(b, positive, clampI64(b, we, zero, dim),
                                        clampI64(b, we, minusOne, dimM1));
      // count = max(0, ceil((e - s) / step))
      Value diff = arith::SubIOp::create(b, e, s);
      Value count = arith::CeilDivSIOp::create(b, diff, step);
      count = arith::MaxSIOp::create(b, count, zero);
      starts[axis] = s;
      steps[axis] = step;
      sizes[axis] = toIndex(b, count);
    }
    Type elem = op.getType().getElementType();
    Value init = emptyTensor(b, sizes, elem);
    auto g = linalg::GenericOp::create(
        b, TypeRange{init.getType()}, ValueRange{}, ValueRange{init},
        {AffineMap::getMultiDimIdentityMap(rank, ctx)},
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &nb, Location loc, ValueRange) {
          SmallVector<Value> idx;
          for (int64_t d = 0; d < rank; ++d) {
            Value i = arith::IndexCastOp::create(
                nb, loc, nb.getI64Type(), linalg::IndexOp::create(nb, loc, d));
            Value src = arith::AddIOp::create(
                nb, loc, starts[d], arith::MulIOp::create(nb, loc, i, steps[d]));
            idx.push_back(
                arith::IndexCastOp::create(nb, loc, nb.getIndexType(), src));
          }
          Value v = tensor::ExtractOp::create(nb, loc, x, idx);
          linalg::YieldOp::create(nb, loc, v);
        });
    rewriter.replaceOp(op, castTo(b, g.getResult(0), op.getType()));
    return success();
  }
};

struct GatherLowering : OpRewritePattern<GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    MLIRContext *ctx = b.getContext();
    Value data = op.getData(), indices = op.getIndices();
    int64_t axis = op.getAxis();
    auto it = op.getIndices().getType();
    int64_t ri = it.getRank(), rank = op.getType().getRank();
    SmallVector<OpFoldResult> dd = mixedDims(b, data), id = mixedDims(b, indices);
    SmallVector<OpFoldResult> sizes(dd.begin(), dd.begin() + axis);
    sizes.append(id.begin(), id.end());
    sizes.append(dd.begin() + axis + 1, dd.end());
    Value init = emptyTensor(b, sizes, op.getType().getElementType());
    SmallVector<AffineExpr> iexprs;
    for (int64_t j = 0; j < ri; ++j)
      iexprs.push_back(getAffineDimExpr(axis + j, ctx));
    Value axisSize = toI64(b, dimValue(b, data, axis));
    int64_t staticAxis =
        cast<RankedTensorType>(data.getType()).getDimSize(axis);
    bool axisMayBeEmpty = staticAxis == 0 || ShapedType::isDynamic(staticAxis);
    Type elemType = op.getType().getElementType();
    Type indexElem = it.getElementType();
    // An index as i64, counted from the front.
    auto readIndex = [&](OpBuilder &nb, Location loc, Value raw) {
      Value i = convertScalar(nb, loc, toSignless(nb, loc, raw), indexElem,
                              nb.getI64Type());
      Value zero = arith::ConstantIntOp::create(nb, loc, nb.getI64Type(), 0);
      Value neg =
          arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::slt, i, zero);
      return std::make_pair(
          i, arith::SelectOp::create(
                 nb, loc, neg, arith::AddIOp::create(nb, loc, i, axisSize), i)
                 .getResult());
    };
    // Indices outside [-size, size) are reported (RunChecks.cpp) and read
    // clamped, never out of bounds.
    checkEach(b, op, indices, [&](OpBuilder &nb, Location loc, Value v) {
      auto [raw, i] = readIndex(nb, loc, v);
      Value zero = arith::ConstantIntOp::create(nb, loc, nb.getI64Type(), 0);
      Value bad = arith::OrIOp::create(
          nb, loc,
          arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::slt, i, zero),
          arith::CmpIOp::create(nb, loc, arith::CmpIPredicate::sge, i,
                                axisSize));
      return std::make_pair(bad, raw);
    });
    auto g = linalg::GenericOp::create(
        b, TypeRange{init.getType()}, ValueRange{indices}, ValueRange{init},
        {AffineMap::get(rank, 0, iexprs, ctx),
         AffineMap::getMultiDimIdentityMap(rank, ctx)},
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &nb, Location loc, ValueRange args) {
          Value i = readIndex(nb, loc, args[0]).second;
          Value zero = arith::ConstantIntOp::create(nb, loc, nb.getI64Type(), 0);
          Value last = arith::SubIOp::create(
              nb, loc, axisSize,
              arith::ConstantIntOp::create(nb, loc, nb.getI64Type(), 1));
          i = arith::MaxSIOp::create(nb, loc, zero,
                                     arith::MinSIOp::create(nb, loc, i, last));
          SmallVector<Value> idx;
          for (int64_t d = 0; d < axis; ++d)
            idx.push_back(linalg::IndexOp::create(nb, loc, d));
          idx.push_back(arith::IndexCastOp::create(nb, loc, nb.getIndexType(), i));
          for (int64_t d = axis + ri; d < rank; ++d)
            idx.push_back(linalg::IndexOp::create(nb, loc, d));
          if (!axisMayBeEmpty) {
            linalg::YieldOp::create(
                nb, loc,
                ValueRange{tensor::ExtractOp::create(nb, loc, data, idx)});
            return;
          }
          // An empty axis has no entry to clamp to: every index was
          // reported, and the element reads as 0 instead of out of bounds.
          Value nonEmpty = arith::CmpIOp::create(
              nb, loc, arith::CmpIPredicate::sgt, axisSize, zero);
          auto read = scf::IfOp::create(
              nb, loc, nonEmpty,
              [&](OpBuilder &tb, Location tl) {
                scf::YieldOp::create(
                    tb, tl,
                    ValueRange{tensor::ExtractOp::create(tb, tl, data, idx)});
              },
              [&](OpBuilder &eb, Location el) {
                scf::YieldOp::create(eb, el,
                                     ValueRange{arith::ConstantOp::create(
                                         eb, el, eb.getZeroAttr(elemType))});
              });
          linalg::YieldOp::create(nb, loc, read.getResults());
        });
    rewriter.replaceOp(op, castTo(b, g.getResult(0), op.getType()));
    return success();
  }
};

struct TriluLowering : OpRewritePattern<TriluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TriluOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    MLIRContext *ctx = b.getContext();
    auto t = op.getType();
    int64_t rank = t.getRank();
    Value k = i64Const(b, 0);
    if (op.getK()) {
      SmallVector<Value> zeros(op.getK().getType().getRank(), indexConst(b, 0));
      k = tensor::ExtractOp::create(b, op.getK(), zeros);
    }
    Value init = emptyTensor(b, mixedDims(b, op.getInput()), t.getElementType());
    auto id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    bool upper = op.getUpper();
    Type elem = t.getElementType();
    auto g = linalg::GenericOp::create(
        b, TypeRange{init.getType()}, ValueRange{op.getInput()}, ValueRange{init},
        {id, id}, SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &nb, Location loc, ValueRange args) {
          auto idx = [&](int64_t d) -> Value {
            return arith::IndexCastOp::create(nb, loc, nb.getI64Type(),
                                              linalg::IndexOp::create(nb, loc, d));
          };
          Value diff = arith::SubIOp::create(nb, loc, idx(rank - 1), idx(rank - 2));
          Value keep = arith::CmpIOp::create(
              nb, loc, upper ? arith::CmpIPredicate::sge : arith::CmpIPredicate::sle,
              diff, k);
          Value x = toSignless(nb, loc, args[0]);
          Value zero = scalarConst(nb, loc, x.getType(), 0);
          Value r = arith::SelectOp::create(nb, loc, keep, x, zero);
          linalg::YieldOp::create(nb, loc, fromSignless(nb, loc, r, elem));
        });
    rewriter.replaceOp(op, castTo(b, g.getResult(0), t));
    return success();
  }
};

} // namespace

void mlir::tfc::populateDataMovementLoweringPatterns(
    RewritePatternSet &patterns) {
  patterns.add<TransposeLowering, ConcatLowering, SplitLowering, SliceLowering,
               GatherLowering, TriluLowering>(patterns.getContext());
}
