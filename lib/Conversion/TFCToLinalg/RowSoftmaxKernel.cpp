//===- RowSoftmaxKernel.cpp - softmax and log_softmax as one row kernel ---===//
//
// An f32 softmax or log_softmax over the last dimension (any size, static
// or dynamic) becomes one kernel over the rows [R, D], each row in three
// vector<16xf32> passes while it is in L1: its max; exp(x - max), written
// (softmax) and summed; then the written row scaled by 1 / sum, or, for
// log_softmax, (x - max) - log(sum) written. The generic expansion in
// NormalizationLowering.cpp runs five kernels (max, subtract, exp, sum,
// divide), each a pass over the whole tensor through memory, with scalar
// reductions; it remains for other axes and element types. A softmax over
// attention scores that tfc did not raise to tfc.attention (R = heads x S
// rows of S) ran its five kernels in a third of the layer's time at
// S = 2048.
//
// Lanes past the row's end read -inf: exp(-inf - max) adds 0 to the sum.
// A row that is all -inf gives NaN (max - max), as the generic form and
// torch do. The sums reassociate (vector accumulators, a tree across
// lanes), and the scale is a multiply by 1 / sum: the results differ from
// the generic form's by rounding only.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "tfc/Dialect/TFC/IR/TFC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>
#include <type_traits>

using namespace mlir;
using namespace mlir::tfc;

namespace {

constexpr int64_t kLanes = 16;
constexpr int64_t kRowsPerChunk = 8;

/// The kernel over `x` ([R, D]); returns the [R, D] result.
Value buildRowSoftmax(ImplicitLocOpBuilder &b, Value x, bool log) {
  Type f32 = b.getF32Type();
  auto vecType = VectorType::get({kLanes}, f32);
  Value rows = dimValue(b, x, 0), dim = dimValue(b, x, 1);
  auto ninfAttr = b.getF32FloatAttr(-std::numeric_limits<float>::infinity());
  Value ninf = arith::ConstantOp::create(b, ninfAttr);
  Value ninfVec = arith::ConstantOp::create(
      b, DenseElementsAttr::get(vecType, ninfAttr.getValue()));
  Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0));
  Value zeroVec = arith::ConstantOp::create(
      b, DenseElementsAttr::get(vecType, b.getF32FloatAttr(0).getValue()));

  return forEachRow(
      b, rows, getAsOpFoldResult(dim), kRowsPerChunk,
      [&](ImplicitLocOpBuilder &rb, Value row, Value i, Value tile) -> Value {
        auto read = [&](ImplicitLocOpBuilder &lb, Value j, bool inBounds) {
          return vector::TransferReadOp::create(lb, vecType, x,
                                                ValueRange{row, j}, ninf,
                                                ArrayRef<bool>{inBounds})
              .getResult();
        };
        auto write = [&](ImplicitLocOpBuilder &lb, Value v, Value t, Value j,
                         bool inBounds) {
          return vector::TransferWriteOp::create(lb, v, t, ValueRange{i, j},
                                                 ArrayRef<bool>{inBounds})
              .getResult();
        };
        ValueRange maxes =
            forVectors(rb, dim, kLanes, ValueRange{ninfVec},
                       [&](ImplicitLocOpBuilder &lb, Value j, bool inBounds,
                           ValueRange acc) -> SmallVector<Value> {
                         return {greater(lb, read(lb, j, inBounds), acc[0])};
                       });
        Value max = vector::BroadcastOp::create(rb, vecType,
                                                greatestLane(rb, maxes[0]));
        // exp(x - max), summed (and written for softmax).
        ValueRange exps = forVectors(
            rb, dim, kLanes, ValueRange{tile, zeroVec},
            [&](ImplicitLocOpBuilder &lb, Value j, bool inBounds,
                ValueRange acc) -> SmallVector<Value> {
              Value e = math::ExpOp::create(
                  lb, arith::SubFOp::create(lb, read(lb, j, inBounds), max));
              Value t = log ? acc[0] : write(lb, e, acc[0], j, inBounds);
              return {t, arith::AddFOp::create(lb, acc[1], e)};
            });
        Value sum =
            vector::ReductionOp::create(rb, vector::CombiningKind::ADD, exps[1],
                                        arith::FastMathFlags::reassoc);
        ValueRange done;
        if (log) {
          Value logSum = vector::BroadcastOp::create(
              rb, vecType, math::LogOp::create(rb, sum));
          done = forVectors(
              rb, dim, kLanes, ValueRange{exps[0]},
              [&](ImplicitLocOpBuilder &lb, Value j, bool inBounds,
                  ValueRange acc) -> SmallVector<Value> {
                Value shifted =
                    arith::SubFOp::create(lb, read(lb, j, inBounds), max);
                return {write(lb, arith::SubFOp::create(lb, shifted, logSum),
                              acc[0], j, inBounds)};
              });
        } else {
          Value inv = vector::BroadcastOp::create(
              rb, vecType,
              arith::DivFOp::create(
                  rb, arith::ConstantOp::create(rb, rb.getF32FloatAttr(1)),
                  sum));
          done =
              forVectors(rb, dim, kLanes, ValueRange{exps[0]},
                         [&](ImplicitLocOpBuilder &lb, Value j, bool inBounds,
                             ValueRange acc) -> SmallVector<Value> {
                           Value e = vector::TransferReadOp::create(
                               lb, vecType, acc[0], ValueRange{i, j}, zero,
                               ArrayRef<bool>{inBounds});
                           return {write(lb, arith::MulFOp::create(lb, e, inv),
                                         acc[0], j, inBounds)};
                         });
        }
        return done[0];
      });
}

template <typename OpT> struct SoftmaxRowKernel : OpRewritePattern<OpT> {
  SoftmaxRowKernel(MLIRContext *ctx)
      : OpRewritePattern<OpT>(ctx, /*benefit=*/2) {}
  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    auto t = op.getType();
    int64_t rank = t.getRank();
    // A static width of 0 is left to the generic form: nothing to compute,
    // and the kernel's vector accesses at column 0 would be out of bounds.
    if (!t.getElementType().isF32() || rank < 2 ||
        normAxis(op.getAxis(), rank) != rank - 1 ||
        t.getDimSize(rank - 1) == 0)
      return rewriter.notifyMatchFailure(op, "not an f32 last-axis softmax");
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value rows = buildRowSoftmax(b, asRows(b, op.getInput(), rank - 1),
                                 std::is_same_v<OpT, LogSoftmaxOp>);
    rewriter.replaceOp(op, fromRows(b, rows, op.getInput(), rank - 1, t));
    return success();
  }
};

} // namespace

void mlir::tfc::populateRowSoftmaxKernelPatterns(RewritePatternSet &patterns) {
  patterns.add<SoftmaxRowKernel<SoftmaxOp>, SoftmaxRowKernel<LogSoftmaxOp>>(
      patterns.getContext());
}
