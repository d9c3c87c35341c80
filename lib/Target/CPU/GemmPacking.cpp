//===- GemmPacking.cpp - operand layouts of the GEMM microkernels ---------===//
#include "GemmPacking.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>
#include <cstring>

using namespace mlir;
using namespace mlir::tfc::cpu;

/// Panels are written in blocks of 64 k, which keep the strided side of
/// the transpose in L1.
static constexpr int64_t kBlock = 64;

/// Zeroes the last panel's columns past N (of `panels` panels of k x cols
/// elements) and calls put(panel, column, k, W[j][k]) for every weight: in
/// the order of the source's rows for [K, N], in blocks of kBlock k for
/// [N, K].
template <typename T, typename Put>
static void forEachPanelWeight(const WeightView &w, int64_t cols, T *out,
                               Put put) {
  int64_t panels = (w.n + cols - 1) / cols;
  if (w.n % cols)
    std::fill(out + (panels - 1) * w.k * cols, out + panels * w.k * cols,
              T(0));
  if (!w.nk) { // [K, N]: the source row by row, `cols` weights per panel
    for (int64_t kk = 0; kk < w.k; ++kk)
      for (int64_t p = 0; p < panels; ++p) {
        const float *row = w.w + kk * w.n + p * cols;
        int64_t width = std::min(cols, w.n - p * cols);
        for (int64_t jj = 0; jj < width; ++jj)
          put(p, jj, kk, row[jj]);
      }
    return;
  }
  for (int64_t p = 0; p < panels; ++p)
    for (int64_t k0 = 0; k0 < w.k; k0 += kBlock) {
      int64_t k1 = std::min(w.k, k0 + kBlock);
      for (int64_t jj = 0; jj < cols && p * cols + jj < w.n; ++jj)
        for (int64_t kk = k0; kk < k1; ++kk)
          put(p, jj, kk, w.at(p * cols + jj, kk));
    }
}

void tfc::cpu::packPanels(const WeightView &w, int64_t cols, float *out) {
  forEachPanelWeight(w, cols, out,
                     [&](int64_t p, int64_t jj, int64_t kk, float v) {
                       out[(p * w.k + kk) * cols + jj] = v;
                     });
}

uint16_t tfc::cpu::roundToBF16(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) // NaN
    return static_cast<uint16_t>((bits >> 16) | 0x40);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

void tfc::cpu::packPairPanels(const WeightView &w, int64_t cols,
                              uint16_t *out) {
  // Panel p holds K/2 rows of `cols` (k even, k odd) pairs: as many
  // elements as an f32 panel.
  forEachPanelWeight(w, cols, out,
                     [&](int64_t p, int64_t jj, int64_t kk, float v) {
                       out[(p * w.k + kk / 2 * 2) * cols + jj * 2 + kk % 2] =
                           roundToBF16(v);
                     });
}

/// bf16(x)'s bits in the low half of an i32, rounded as roundToBF16.
static Value roundedBits(OpBuilder &b, Location loc, Value x) {
  Type i32 = b.getI32Type();
  auto c = [&](uint32_t v) {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  };
  Value bits = arith::BitcastOp::create(b, loc, i32, x);
  Value lsb = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, bits, c(16)), c(1));
  Value rounded = arith::AddIOp::create(
      b, loc, bits, arith::AddIOp::create(b, loc, lsb, c(0x7fff)));
  Value nearest = arith::ShRUIOp::create(b, loc, rounded, c(16));
  Value quiet = arith::OrIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, bits, c(16)), c(0x40));
  Value isNan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
  return arith::SelectOp::create(b, loc, isNan, quiet, nearest);
}

Value tfc::cpu::buildPairPacking(ImplicitLocOpBuilder &b, Value a) {
  auto type = cast<RankedTensorType>(a.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, b.getLoc(), a);
  sizes.back() = b.getIndexAttr(type.getShape().back() / 2);
  Value empty = tensor::EmptyOp::create(b, sizes, b.getI32Type());
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> even, odd;
  for (int64_t i = 0; i < rank; ++i) {
    AffineExpr d = getAffineDimExpr(i, ctx);
    even.push_back(i + 1 < rank ? d : d * 2);
    odd.push_back(i + 1 < rank ? d : d * 2 + 1);
  }
  SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, even, ctx),
                                 AffineMap::get(rank, 0, odd, ctx),
                                 AffineMap::getMultiDimIdentityMap(rank, ctx)};
  return linalg::GenericOp::create(
             b, TypeRange{empty.getType()}, ValueRange{a, a}, ValueRange{empty},
             maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [](OpBuilder &nb, Location loc, ValueRange args) {
               Value lo = roundedBits(nb, loc, args[0]);
               Value hi = roundedBits(nb, loc, args[1]);
               Value sixteen = arith::ConstantOp::create(
                   nb, loc, nb.getI32IntegerAttr(16));
               Value pair = arith::OrIOp::create(
                   nb, loc, lo, arith::ShLIOp::create(nb, loc, hi, sixteen));
               linalg::YieldOp::create(nb, loc, pair);
             })
      .getResult(0);
}
