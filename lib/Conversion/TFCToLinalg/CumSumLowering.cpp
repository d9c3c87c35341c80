//===- CumSumLowering.cpp - tfc.cumsum as a loop over its axis ------------===//
//
// tfc.cumsum walks its axis once: an scf.for over the positions (backwards
// with `reverse`) carries the running sum as a tensor of the input's shape
// with a size of 1 at the axis; each step adds the input's slice at that
// position to it and writes the sum (with `exclusive` the sum before the
// add) into the result's slice. Linear in the axis length, where a
// linalg.generic over (i, j <= i) would be quadratic.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "tfc/Dialect/TFC/IR/TFC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::tfc;

namespace {

struct CumSumLowering : OpRewritePattern<CumSumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CumSumOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value x = op.getInput();
    auto type = op.getType();
    Type elem = type.getElementType();
    int64_t rank = type.getRank(), axis = op.getAxis();
    bool exclusive = op.getExclusive(), reverse = op.getReverse();

    SmallVector<OpFoldResult> sizes = mixedDims(b, x);
    Value n = getValueOrCreateConstantIndexOp(b, b.getLoc(), sizes[axis]);
    SmallVector<OpFoldResult> sliceSizes(sizes);
    sliceSizes[axis] = b.getIndexAttr(1);
    SmallVector<int64_t> sliceShape(type.getShape());
    sliceShape[axis] = 1;
    auto sliceType = RankedTensorType::get(sliceShape, elem);
    // Zeros, written by a generic: a fill cannot take an unsigned scalar
    // (ui32 values are signless in the bodies, see LoweringUtils.h).
    AffineMap identity =
        AffineMap::getMultiDimIdentityMap(rank, b.getContext());
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    Value zeros = emptyTensor(b, sliceSizes, elem);
    zeros = linalg::GenericOp::create(
                b, TypeRange{zeros.getType()}, ValueRange{}, ValueRange{zeros},
                {identity}, parallel,
                [&](OpBuilder &nb, Location loc, ValueRange) {
                  Value zero = scalarConst(nb, loc, signlessType(elem), 0);
                  linalg::YieldOp::create(nb, loc,
                                          fromSignless(nb, loc, zero, elem));
                })
                .getResult(0);
    Value sum = castTo(b, zeros, sliceType);
    Value out = emptyTensor(b, sizes, elem);
    SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
    auto offsetsAt = [&](Value pos) {
      SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
      offsets[axis] = pos;
      return offsets;
    };
    bool isFloat = isa<FloatType>(elem);
    auto loop = scf::ForOp::create(
        b, indexConst(b, 0), n, indexConst(b, 1), ValueRange{out, sum},
        [&](OpBuilder &nb, Location loc, Value k, ValueRange carried) {
          ImplicitLocOpBuilder lb(loc, nb);
          Value pos = k;
          if (reverse)
            pos = arith::SubIOp::create(lb, arith::SubIOp::create(lb, n, k),
                                        indexConst(lb, 1));
          SmallVector<OpFoldResult> offsets = offsetsAt(pos);
          Value slice = tensor::ExtractSliceOp::create(
              lb, sliceType, x, offsets, sliceSizes, strides);
          Value before = carried[1];
          // Same shapes by construction: no broadcast, and so none of
          // buildElementwise's run-time size checks, whose branches an
          // scf.for body cannot hold.
          Value after =
              linalg::GenericOp::create(
                  lb, TypeRange{sliceType}, ValueRange{before, slice},
                  ValueRange{emptyTensor(lb, sliceSizes, elem)},
                  SmallVector<AffineMap>(3, identity), parallel,
                  [&](OpBuilder &eb, Location el, ValueRange args) {
                    Value l = toSignless(eb, el, args[0]);
                    Value r = toSignless(eb, el, args[1]);
                    Value v = isFloat
                                  ? (Value)arith::AddFOp::create(eb, el, l, r)
                                  : arith::AddIOp::create(eb, el, l, r);
                    linalg::YieldOp::create(eb, el,
                                            fromSignless(eb, el, v, elem));
                  })
                  .getResult(0);
          Value written = tensor::InsertSliceOp::create(
              lb, exclusive ? before : after, carried[0], offsets, sliceSizes,
              strides);
          scf::YieldOp::create(lb, ValueRange{written, after});
        });
    rewriter.replaceOp(op, castTo(b, loop.getResult(0), type));
    return success();
  }
};

} // namespace

void mlir::tfc::populateCumSumLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<CumSumLowering>(patterns.getContext());
}
