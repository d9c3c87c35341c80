//===- AttentionKeyTranspose.cpp - a head's K^T in 16x16 vector blocks ----===//
//
// The flash-attention kernel (AttentionLowering.cpp) transposes each head's
// keys once, [Sk, D] -> [D, Sk], so that its q k^T tile products read rows
// of K^T in place. As a linalg.transpose that became scalar loops, which
// LLVM vectorized into one vgatherdps per 16 elements: 15 % of ViT-B/16's
// attention time. Here f32 keys with D a multiple of 16 move in 16x16
// blocks: 16 row loads, one vector.transpose (the CPU pipeline lowers it to
// register shuffles) and 16 row stores, masked at Sk only in a last
// partial block of keys.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::tfc;

namespace {
constexpr int64_t kBlock = 16;
} // namespace

Value mlir::tfc::buildKeyTranspose(ImplicitLocOpBuilder &b, Value keys,
                                   Value init) {
  auto type = cast<RankedTensorType>(keys.getType());
  int64_t d = type.getDimSize(1);
  if (!type.getElementType().isF32() || ShapedType::isDynamic(d) ||
      d % kBlock != 0)
    return linalg::TransposeOp::create(b, keys, init, ArrayRef<int64_t>{1, 0})
        .getResult()[0];
  Type f32 = b.getF32Type();
  auto rowType = VectorType::get({kBlock}, f32);
  auto blockType = VectorType::get({kBlock, kBlock}, f32);
  Value c0 = indexConst(b, 0), c1 = indexConst(b, 1);
  Value step = indexConst(b, kBlock);
  Value sk = tensor::DimOp::create(b, keys, 0);
  // Rows past Sk in the last block re-read row Sk - 1: their columns of
  // K^T are masked off when written.
  Value lastRow = arith::SubIOp::create(b, sk, c1);
  Value pad = arith::ConstantOp::create(b, b.getF32FloatAttr(0));
  Value zeros = arith::ConstantOp::create(
      b, DenseElementsAttr::get(blockType, b.getF32FloatAttr(0).getValue()));
  // Whole blocks of keys write K^T unmasked; a last partial block masks
  // its columns at Sk.
  ValueRange kt = forVectors(
      b, sk, kBlock, ValueRange{init},
      [&](ImplicitLocOpBuilder &lb, Value j0, bool inBounds,
          ValueRange outer) -> SmallVector<Value> {
        auto dimBlocks = scf::ForOp::create(
            lb, c0, indexConst(lb, d), step, ValueRange{outer[0]},
            [&](OpBuilder &ib, Location iloc, Value d0, ValueRange inner) {
              ImplicitLocOpBuilder nb(iloc, ib);
              Value block = zeros;
              for (int64_t r = 0; r < kBlock; ++r) {
                Value row = arith::MinSIOp::create(
                    nb, arith::AddIOp::create(nb, j0, indexConst(nb, r)),
                    lastRow);
                Value v = vector::TransferReadOp::create(
                    nb, rowType, keys, ValueRange{row, d0}, pad,
                    ArrayRef<bool>{true});
                block = vector::InsertOp::create(nb, v, block, r);
              }
              Value t = vector::TransposeOp::create(nb, block,
                                                    ArrayRef<int64_t>{1, 0});
              Value out = inner[0];
              for (int64_t c = 0; c < kBlock; ++c) {
                Value col = vector::ExtractOp::create(nb, t, c);
                out = vector::TransferWriteOp::create(
                          nb, col, out,
                          ValueRange{
                              arith::AddIOp::create(nb, d0, indexConst(nb, c)),
                              j0},
                          ArrayRef<bool>{inBounds})
                          .getResult();
              }
              scf::YieldOp::create(nb, out);
            });
        return {dimBlocks.getResult(0)};
      });
  return kt[0];
}
