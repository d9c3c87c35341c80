//===- GemmPacking.cpp - operand layouts of the GEMM microkernels ---------===//
#include "GemmPacking.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <algorithm>
#include <cstring>
#include <vector>

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
    std::fill(out + (panels - 1) * w.k * cols, out + panels * w.k * cols, T(0));
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

void tfc::cpu::packStrassenPanels(const WeightView &w, int64_t cols,
                                  float *out) {
  int64_t kh = w.k / 2, nh = w.n / 2, panels = nh / cols;
  // The weight as [K, N] rows (an [N, K] one transposed in blocks that
  // keep the strided side in L1).
  std::vector<float> transposed;
  const float *kn = w.w;
  if (w.nk) {
    transposed.resize(w.n * w.k);
    for (int64_t j0 = 0; j0 < w.n; j0 += kBlock)
      for (int64_t k0 = 0; k0 < w.k; k0 += kBlock)
        for (int64_t j = j0; j < std::min(w.n, j0 + kBlock); ++j)
          for (int64_t kk = k0; kk < std::min(w.k, k0 + kBlock); ++kk)
            transposed[kk * w.n + j] = w.w[j * w.k + kk];
    kn = transposed.data();
  }
  // Product i's weight is block `first` plus `sign` times block `second`
  // (blocks 0 B11, 1 B12, 2 B21, 3 B22; sign 0: `first` alone).
  struct Sum {
    int first, second;
    float sign;
  };
  static const Sum sums[7] = {{0, 3, 1}, {0, 0, 0}, {1, 3, -1}, {2, 0, -1},
                              {3, 0, 0}, {0, 1, 1}, {2, 3, 1}};
  // Row kk of block b: K/2 rows down for the lower blocks, N/2 columns
  // right for the right ones.
  auto row = [&](int block, int64_t kk) {
    return kn + (block / 2 * kh + kk) * w.n + block % 2 * nh;
  };
  for (int64_t kk = 0; kk < kh; ++kk)
    for (int i = 0; i < 7; ++i) {
      const Sum &sum = sums[i];
      const float *x = row(sum.first, kk), *y = row(sum.second, kk);
      for (int64_t p = 0; p < panels; ++p) {
        float *dst = out + ((p * 7 + i) * kh + kk) * cols;
        const float *xp = x + p * cols, *yp = y + p * cols;
        if (sum.sign == 0)
          std::copy(xp, xp + cols, dst);
        else
          for (int64_t jj = 0; jj < cols; ++jj)
            dst[jj] = xp[jj] + sum.sign * yp[jj];
      }
    }
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
  forEachPanelWeight(
      w, cols, out, [&](int64_t p, int64_t jj, int64_t kk, float v) {
        out[(p * w.k + kk / 2 * 2) * cols + jj * 2 + kk % 2] = roundToBF16(v);
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
               Value sixteen =
                   arith::ConstantOp::create(nb, loc, nb.getI32IntegerAttr(16));
               Value pair = arith::OrIOp::create(
                   nb, loc, lo, arith::ShLIOp::create(nb, loc, hi, sixteen));
               linalg::YieldOp::create(nb, loc, pair);
             })
      .getResult(0);
}

/// Rows that a top-level kernel's row count must reach before it copies
/// a run-time weight's panel (a register block's rows times this).
static constexpr int64_t kPackBlocks = 4;
/// The L2 geometry the copy decision assumes (Zen 3 to 5 and recent Intel
/// cores have 1024 or more sets of 8 or more ways, of 64-byte lines).
static constexpr int64_t kL2Sets = 1024, kL2Ways = 8, kLineBytes = 64;

/// Whether the K rows of a [K, cols] panel of a row-major [K, N] f32
/// weight, read in place, crowd the L2 sets they map to: with N a
/// multiple of 16, row r starts at line r * N / 16, so the rows use
/// kL2Sets / gcd(N / 16, kL2Sets) sets, kL2Ways lines each; half of
/// those must hold the panel's lines (the rest is for A and C). A
/// 2048-token Q K^T (N = 2048: 8 sets, 64 lines, for 64 rows) crowds
/// them; BERT's (N = 128) does not.
static Value crowdsSets(ImplicitLocOpBuilder &b, Value n, Value k,
                        int64_t cols) {
  auto c = [&](int64_t v) { return b.createOrFold<arith::ConstantIndexOp>(v); };
  int64_t perLine = kLineBytes / 4;
  Value whole = b.createOrFold<arith::CmpIOp>(
      arith::CmpIPredicate::eq, b.createOrFold<arith::RemUIOp>(n, c(perLine)),
      c(0));
  Value lines = b.createOrFold<arith::DivUIOp>(n, c(perLine));
  // The largest power of two dividing `lines` (at most kL2Sets).
  Value low = b.createOrFold<arith::AndIOp>(
      lines, b.createOrFold<arith::SubIOp>(c(0), lines));
  low = b.createOrFold<arith::MaxUIOp>(
      b.createOrFold<arith::MinUIOp>(low, c(kL2Sets)), c(1));
  Value capacity = b.createOrFold<arith::MulIOp>(
      b.createOrFold<arith::DivUIOp>(c(kL2Sets), low), c(kL2Ways));
  Value need =
      b.createOrFold<arith::MulIOp>(k, c(2 * llvm::divideCeil(cols, perLine)));
  return b.createOrFold<arith::AndIOp>(
      whole,
      b.createOrFold<arith::CmpIOp>(arith::CmpIPredicate::ugt, need, capacity));
}

Value mlir::tfc::cpu::runTimePanel(ImplicitLocOpBuilder &b, Value w, Value col,
                                   OpFoldResult width, bool even,
                                   OpFoldResult m, int64_t rows, int64_t cols) {
  auto wType = cast<RankedTensorType>(w.getType());
  OpFoldResult k = tensor::getMixedSize(b, b.getLoc(), w, 0);
  auto panelType = RankedTensorType::get(
      {wType.getDimSize(0), even ? cols : ShapedType::kDynamic},
      wType.getElementType());
  SmallVector<OpFoldResult> unit(2, b.getIndexAttr(1));
  Value panel = tensor::ExtractSliceOp::create(
      b, panelType, w, SmallVector<OpFoldResult>{b.getIndexAttr(0), col},
      SmallVector<OpFoldResult>{k, width}, unit);
  if (!m)
    return panel;
  auto copy = [&](ImplicitLocOpBuilder &cb) -> Value {
    Value buffer = tensor::EmptyOp::create(
        cb, SmallVector<OpFoldResult>{k, cb.getIndexAttr(cols)},
        wType.getElementType());
    Value dest = tensor::ExtractSliceOp::create(
        cb, panelType, buffer,
        SmallVector<OpFoldResult>{cb.getIndexAttr(0), cb.getIndexAttr(0)},
        SmallVector<OpFoldResult>{k, width}, unit);
    return linalg::CopyOp::create(cb, panel, dest).getResult(0);
  };
  auto value = [&](OpFoldResult v) {
    return getValueOrCreateConstantIndexOp(b, b.getLoc(), v);
  };
  Value pack = b.createOrFold<arith::AndIOp>(
      b.createOrFold<arith::CmpIOp>(
          arith::CmpIPredicate::uge, value(m),
          b.createOrFold<arith::ConstantIndexOp>(kPackBlocks * rows)),
      crowdsSets(b, value(tensor::getMixedSize(b, b.getLoc(), w, 1)), value(k),
                 cols));
  // Decided at compile time only: an scf.if choosing between the copy
  // and the panel in place bufferizes to a memref of dynamic inner
  // stride, which the vector reads cannot take.
  std::optional<int64_t> known = getConstantIntValue(pack);
  return known && *known ? copy(b) : panel;
}
