//===- AttentionSoftmaxRows.cpp - the online-softmax step as vector rows --===//
//
// One key tile of the flash-attention kernel (AttentionLowering.cpp) needs,
// per score row, the new running max, p = exp(s - max) and the row sum of p.
// As linalg generics those are a max reduction, an elementwise exp and a sum
// reduction: three passes, with the two reductions left scalar by LLVM
// (strict FP order; the accumulator stored each step). Here each row is two
// passes of vector<16xf32> code: the max, then exp, write and sum together.
// Lanes past the tile's end read -inf, which adds exp(-inf) = 0. The
// caller may pass the raw q k^T products with the score function (scale,
// mask, causal) applied to each vector as it is read, in both passes: a
// separate pass writing the scores cost more than computing them twice.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <limits>

using namespace mlir;
using namespace mlir::tfc;

namespace {
constexpr int64_t kLanes = 16;
} // namespace

Value mlir::tfc::TileScores::apply(ImplicitLocOpBuilder &b, Value row,
                                   Value col, Value raw, bool inBounds) const {
  auto vecType = cast<VectorType>(raw.getType());
  Value x, scaleVec = vector::BroadcastOp::create(b, vecType, scale);
  if (!mask) {
    x = arith::MulFOp::create(b, raw, scaleVec);
  } else {
    // Row and column of the mask tile; a size-1 dimension is broadcast.
    auto mt = cast<RankedTensorType>(mask.getType());
    int64_t rank = mt.getRank();
    Value c0 = indexConst(b, 0);
    bool rowBcast = rank < 2 || mt.getDimSize(0) == 1;
    bool colBcast = mt.getDimSize(rank - 1) == 1;
    SmallVector<Value> at;
    if (rank == 2)
      at.push_back(rowBcast ? c0 : row);
    at.push_back(colBcast ? c0 : col);
    Type et = mt.getElementType();
    auto maskVecType = VectorType::get(vecType.getShape(), et);
    Value m;
    if (colBcast) {
      m = vector::BroadcastOp::create(b, maskVecType,
                                      tensor::ExtractOp::create(b, mask, at));
    } else {
      Value zero = arith::ConstantOp::create(b, b.getZeroAttr(et));
      m = vector::TransferReadOp::create(b, maskVecType, mask, at, zero,
                                         ArrayRef<bool>{inBounds});
    }
    if (m.getType() != vecType)
      m = arith::ExtFOp::create(b, vecType, m);
    x = vector::FMAOp::create(b, raw, scaleVec, m);
  }
  if (!causal)
    return x;
  // Lane l is key kj + col + l; it is seen when that is at most
  // qi + row + offset, i.e. when l <= qi + row + offset - kj - col.
  Value limit = arith::SubIOp::create(
      b, arith::AddIOp::create(b, arith::AddIOp::create(b, qi, row), offset),
      arith::AddIOp::create(b, kj, col));
  auto laneType = VectorType::get(vecType.getShape(), b.getI64Type());
  Value limitVec = vector::BroadcastOp::create(
      b, laneType, arith::IndexCastOp::create(b, b.getI64Type(), limit));
  Value lanes = vector::StepOp::create(
      b, VectorType::get(vecType.getShape(), b.getIndexType()));
  lanes = arith::IndexCastOp::create(b, laneType, lanes);
  Value seen =
      arith::CmpIOp::create(b, arith::CmpIPredicate::sle, lanes, limitVec);
  Value ninf = arith::ConstantOp::create(
      b, DenseElementsAttr::get(
             vecType, b.getF32FloatAttr(-std::numeric_limits<float>::infinity())
                          .getValue()));
  return arith::SelectOp::create(b, seen, x, ninf);
}

SoftmaxRows mlir::tfc::buildSoftmaxRows(ImplicitLocOpBuilder &b, Value s,
                                        Value mOld, Value tq, Value tk,
                                        const TileScores *scores) {
  Type f32 = b.getF32Type();
  auto vecType = VectorType::get({kLanes}, f32);
  Value c0 = indexConst(b, 0), c1 = indexConst(b, 1);
  auto ninfAttr = b.getF32FloatAttr(-std::numeric_limits<float>::infinity());
  Value ninf = arith::ConstantOp::create(b, ninfAttr);
  Value ninfVec = arith::ConstantOp::create(
      b, DenseElementsAttr::get(vecType, ninfAttr.getValue()));
  Value zeroVec = arith::ConstantOp::create(
      b, DenseElementsAttr::get(vecType, b.getF32FloatAttr(0).getValue()));
  // The largest negative float: a row that is all -inf (fully masked) keeps
  // exp(s - max) at 0 instead of NaN, as the generic form does.
  Value lowest = arith::ConstantOp::create(
      b, b.getF32FloatAttr(APFloat::getLargest(APFloat::IEEEsingle(),
                                               /*Negative=*/true)
                               .convertToFloat()));

  Value p0 = emptyTensor(b, {getAsOpFoldResult(tq), getAsOpFoldResult(tk)}, f32);
  Value m0 = emptyTensor(b, {getAsOpFoldResult(tq)}, f32);
  Value sum0 = emptyTensor(b, {getAsOpFoldResult(tq)}, f32);
  // mOld is only read (the caller still needs it for the rescale factor).
  auto rows = scf::ForOp::create(
      b, c0, tq, c1, ValueRange{m0, p0, sum0},
      [&](OpBuilder &ob, Location loc, Value i, ValueRange it) {
        ImplicitLocOpBuilder rb(loc, ob);
        auto read = [&](ImplicitLocOpBuilder &lb, Value j,
                        bool inBounds) -> Value {
          Value v = vector::TransferReadOp::create(
              lb, vecType, s, ValueRange{i, j}, ninf, ArrayRef<bool>{inBounds});
          return scores ? scores->apply(lb, i, j, v, inBounds) : v;
        };
        Value old = tensor::ExtractOp::create(rb, mOld, ValueRange{i});
        ValueRange maxes =
            forVectors(rb, tk, kLanes, ValueRange{ninfVec},
                       [&](ImplicitLocOpBuilder &lb, Value j, bool inBounds,
                           ValueRange acc) -> SmallVector<Value> {
                         return {greater(lb, read(lb, j, inBounds), acc[0])};
                       });
        // Across lanes, then against the old maximum.
        Value mNew = greater(rb, greatestLane(rb, maxes[0]), old);
        Value shift = vector::BroadcastOp::create(
            rb, vecType, arith::MaximumFOp::create(rb, mNew, lowest));
        ValueRange exps = forVectors(
            rb, tk, kLanes, ValueRange{it[1], zeroVec},
            [&](ImplicitLocOpBuilder &lb, Value j, bool inBounds,
                ValueRange acc) -> SmallVector<Value> {
              Value e = math::ExpOp::create(
                  lb, arith::SubFOp::create(lb, read(lb, j, inBounds), shift));
              Value p =
                  vector::TransferWriteOp::create(
                      lb, e, acc[0], ValueRange{i, j}, ArrayRef<bool>{inBounds})
                      .getResult();
              return {p, arith::AddFOp::create(lb, acc[1], e)};
            });
        // Across lanes as a tree (reassoc): in lane order it was a chain of
        // 16 dependent scalar adds per row, 4 % of ViT's attention.
        Value rowSum =
            vector::ReductionOp::create(rb, vector::CombiningKind::ADD, exps[1],
                                        arith::FastMathFlags::reassoc);
        Value m = tensor::InsertOp::create(rb, mNew, it[0], ValueRange{i});
        Value sum = tensor::InsertOp::create(rb, rowSum, it[2], ValueRange{i});
        scf::YieldOp::create(rb, ValueRange{m, exps[0], sum});
      });
  return {rows.getResult(0), rows.getResult(1), rows.getResult(2)};
}
