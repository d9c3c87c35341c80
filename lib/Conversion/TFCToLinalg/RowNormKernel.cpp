//===- RowNormKernel.cpp - fused row kernels for layer_norm and rms_norm --===//
//
// An f32 norm over trailing dimensions of static size D (a multiple of the
// vector width) becomes one kernel over the rows [R, D]: each row is read
// from L1 in vector<16xf32> steps for its sums (mean and variance of the
// centred values, or the mean square), then normalized, scaled, shifted and
// written once. Rows are split into chunks of an scf.forall, so the CPU
// pipeline runs them on its threads. The generic expansion in
// NormalizationLowering.cpp makes five full passes with four temporaries and
// scalar reductions; it remains for every other form.
//
// The vector accumulators reassociate the row sums (as the contraction
// kernels do); the result differs from a sequential sum by rounding only.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "tfc/Dialect/TFC/IR/TFC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::tfc;

namespace {

constexpr int64_t kLanes = 16;
constexpr int64_t kRowsPerChunk = 8;

/// The operands of one row kernel, with `x` as [R, D] and the optional
/// scale/bias as [D].
struct RowNorm {
  Value x, residual, scale, bias;
  int64_t d;
  float eps;
  bool centred; // layer_norm (true) or rms_norm (false)
};

/// True when `p` (scale or bias) is absent or its static shape is the
/// normalized dimensions with any leading 1s (no broadcast inside them).
bool isRowVector(Value p, ArrayRef<int64_t> normalized) {
  if (!p)
    return true;
  auto t = cast<RankedTensorType>(p.getType());
  if (!t.hasStaticShape() || t.getRank() < (int64_t)normalized.size())
    return false;
  int64_t lead = t.getRank() - normalized.size();
  for (int64_t i = 0; i < t.getRank(); ++i)
    if (t.getDimSize(i) != (i < lead ? 1 : normalized[i - lead]))
      return false;
  return true;
}

/// A row vector `p` as [D].
Value asRowVector(ImplicitLocOpBuilder &b, Value p) {
  auto t = cast<RankedTensorType>(p.getType());
  if (t.getRank() == 1)
    return p;
  SmallVector<ReassociationIndices> all(1);
  for (int64_t i = 0; i < t.getRank(); ++i)
    all[0].push_back(i);
  return tensor::CollapseShapeOp::create(b, p, all);
}

/// Checks the form the kernel covers and builds the [R, D] operands.
FailureOr<RowNorm> matchRowNorm(ImplicitLocOpBuilder &b, Value input,
                                Value residual, Value scale, Value bias,
                                int64_t axisAttr, float eps, bool centred) {
  auto t = cast<RankedTensorType>(input.getType());
  int64_t rank = t.getRank(), axis = normAxis(axisAttr, rank);
  if (!t.getElementType().isF32() || axis < 1 || axis >= rank)
    return failure();
  ArrayRef<int64_t> normalized = t.getShape().drop_front(axis);
  if (ShapedType::isDynamicShape(normalized))
    return failure();
  int64_t d = ShapedType::getNumElements(normalized);
  if (d == 0 || d % kLanes != 0) // width 0: nothing to normalize
    return failure();
  if (!isRowVector(scale, normalized) || !isRowVector(bias, normalized))
    return failure();
  // Nothing is built before this point: a failed match leaves no IR.
  RowNorm n;
  n.x = asRows(b, input, axis);
  n.residual = residual ? asRows(b, residual, axis) : Value();
  n.scale = scale ? asRowVector(b, scale) : Value();
  n.bias = bias ? asRowVector(b, bias) : Value();
  n.d = d;
  n.eps = eps;
  n.centred = centred;
  return n;
}

/// Emits the kernel; returns the [R, D] result.
Value buildRowNorm(ImplicitLocOpBuilder &b, const RowNorm &n) {
  Type f32 = b.getF32Type();
  auto vecType = VectorType::get({kLanes}, f32);
  Value c0 = indexConst(b, 0);
  Value lanes = indexConst(b, kLanes), dim = indexConst(b, n.d);
  Value rows = dimValue(b, n.x, 0);
  Value pad = arith::ConstantOp::create(b, b.getF32FloatAttr(0));
  Value zeroVec = arith::ConstantOp::create(
      b, DenseElementsAttr::get(vecType, b.getF32FloatAttr(0)));
  SmallVector<bool> inBounds = {true};

  // The row's input x (+ residual) at column j.
  auto load = [&](ImplicitLocOpBuilder &lb, Value row, Value j) -> Value {
    Value v = vector::TransferReadOp::create(lb, vecType, n.x,
                                             ValueRange{row, j}, pad, inBounds);
    if (n.residual)
      v = arith::AddFOp::create(
          lb, v,
          vector::TransferReadOp::create(lb, vecType, n.residual,
                                         ValueRange{row, j}, pad, inBounds));
    return v;
  };
  auto param = [&](ImplicitLocOpBuilder &lb, Value p, Value j) -> Value {
    return vector::TransferReadOp::create(lb, vecType, p, ValueRange{j}, pad,
                                          inBounds);
  };
  // Sum over the row of f(x) as a vector accumulator, then across lanes.
  auto rowSum = [&](ImplicitLocOpBuilder &lb, Value row,
                    function_ref<Value(ImplicitLocOpBuilder &, Value)> f) {
    auto loop = scf::ForOp::create(
        lb, c0, dim, lanes, ValueRange{zeroVec},
        [&](OpBuilder &ob, Location loc, Value j, ValueRange acc) {
          ImplicitLocOpBuilder ib(loc, ob);
          Value v = f(ib, load(ib, row, j));
          scf::YieldOp::create(ib, ValueRange{arith::AddFOp::create(ib, acc[0], v)});
        });
    // A tree across lanes (reassoc), not a chain of 16 dependent adds.
    return vector::ReductionOp::create(lb, vector::CombiningKind::ADD,
                                       loop.getResult(0),
                                       arith::FastMathFlags::reassoc);
  };

  return forEachRow(
      b, rows, b.getIndexAttr(n.d), kRowsPerChunk,
      [&](ImplicitLocOpBuilder &rb, Value row, Value i, Value tile) -> Value {
        Value invD = arith::ConstantOp::create(
            rb, rb.getF32FloatAttr(1.0f / static_cast<float>(n.d)));
        Value mean = arith::ConstantOp::create(rb, rb.getF32FloatAttr(0));
        Value meanVec = zeroVec;
        if (n.centred) {
          Value sum = rowSum(rb, row, [](ImplicitLocOpBuilder &, Value v) {
            return v;
          });
          mean = arith::MulFOp::create(rb, sum, invD);
          meanVec = vector::BroadcastOp::create(rb, vecType, mean);
        }
        Value sq = rowSum(rb, row, [&](ImplicitLocOpBuilder &ib, Value v) {
          Value c = n.centred ? arith::SubFOp::create(ib, v, meanVec) : v;
          return arith::MulFOp::create(ib, c, c);
        });
        Value var = arith::MulFOp::create(rb, sq, invD);
        Value eps = arith::ConstantOp::create(rb, rb.getF32FloatAttr(n.eps));
        // 1 / sqrt (math.rsqrt would become a call to a libm function that
        // does not exist).
        Value rstd = arith::DivFOp::create(
            rb, arith::ConstantOp::create(rb, rb.getF32FloatAttr(1)),
            math::SqrtOp::create(rb, arith::AddFOp::create(rb, var, eps)));
        Value rstdVec = vector::BroadcastOp::create(rb, vecType, rstd);
        auto write = scf::ForOp::create(
            rb, c0, dim, lanes, ValueRange{tile},
            [&](OpBuilder &ob2, Location loc2, Value j, ValueRange t) {
              ImplicitLocOpBuilder ib(loc2, ob2);
              Value y = load(ib, row, j);
              if (n.centred)
                y = arith::SubFOp::create(ib, y, meanVec);
              y = arith::MulFOp::create(ib, y, rstdVec);
              if (n.scale)
                y = arith::MulFOp::create(ib, y, param(ib, n.scale, j));
              if (n.bias)
                y = arith::AddFOp::create(ib, y, param(ib, n.bias, j));
              Value w = vector::TransferWriteOp::create(
                            ib, y, t[0], ValueRange{i, j}, inBounds)
                            .getResult();
              scf::YieldOp::create(ib, ValueRange{w});
            });
        return write.getResult(0);
      });
}

struct LayerNormRowKernel : OpRewritePattern<LayerNormOp> {
  LayerNormRowKernel(MLIRContext *ctx)
      : OpRewritePattern<LayerNormOp>(ctx, /*benefit=*/2) {}
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    if (op.getResidual() && op.getResidual().getType() != op.getInput().getType())
      return failure();
    FailureOr<RowNorm> n = matchRowNorm(
        b, op.getInput(), op.getResidual(), op.getScale(), op.getBias(),
        op.getAxis(), op.getEpsilon().convertToFloat(), /*centred=*/true);
    if (failed(n))
      return rewriter.notifyMatchFailure(op, "not a row-kernel layer_norm");
    int64_t axis = normAxis(op.getAxis(), op.getType().getRank());
    rewriter.replaceOp(op, fromRows(b, buildRowNorm(b, *n), op.getInput(),
                                    axis, op.getType()));
    return success();
  }
};

struct RmsNormRowKernel : OpRewritePattern<RmsNormOp> {
  RmsNormRowKernel(MLIRContext *ctx)
      : OpRewritePattern<RmsNormOp>(ctx, /*benefit=*/2) {}
  LogicalResult matchAndRewrite(RmsNormOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    FailureOr<RowNorm> n = matchRowNorm(
        b, op.getInput(), Value(), op.getScale(), Value(), op.getAxis(),
        op.getEpsilon().convertToFloat(), /*centred=*/false);
    if (failed(n))
      return rewriter.notifyMatchFailure(op, "not a row-kernel rms_norm");
    int64_t axis = normAxis(op.getAxis(), op.getType().getRank());
    rewriter.replaceOp(op, fromRows(b, buildRowNorm(b, *n), op.getInput(),
                                    axis, op.getType()));
    return success();
  }
};

} // namespace

void mlir::tfc::populateRowNormKernelPatterns(RewritePatternSet &patterns) {
  patterns.add<LayerNormRowKernel, RmsNormRowKernel>(patterns.getContext());
}
