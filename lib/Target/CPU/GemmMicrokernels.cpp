//===- GemmMicrokernels.cpp - the tfc-cpu-gemm-microkernels pass ----------===//
//
// Contractions by a constant weight become register-blocked vector kernels
// over a weight repacked at compile time (see Passes.td for the layout).
// Written here rather than through linalg vectorization: the kernel is a
// few dozen ops, its register blocking is explicit, and the packing needs
// the constant's bytes anyway.
//
//===----------------------------------------------------------------------===//
#include "tfc/Dialect/TFC/Transforms/ConstantData.h"
#include "tfc/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"

namespace mlir::tfc {
#define GEN_PASS_DEF_GEMMMICROKERNELSPASS
#include "tfc/Target/CPU/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;

namespace {

/// A contraction C[m..., n] += A[m..., k] * W(n, k) with a constant W.
struct ConstantWeightGemm {
  Value a, c;
  std::vector<float> w; // [N, K], row-major
  int64_t n = 0, k = 0;
  int64_t outerRank = 0; // the m... dimensions
};

std::optional<ConstantWeightGemm> match(linalg::GenericOp g) {
  if (g.getNumDpsInputs() != 2 || g.getNumDpsInits() != 1 ||
      !linalg::isaContractionOpInterface(g))
    return std::nullopt;
  for (Value v : g->getOperands()) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || !t.getElementType().isF32())
      return std::nullopt;
  }
  int64_t r = g.getNumLoops();
  if (r < 3 || g.getNumReductionLoops() != 1 ||
      g.getIteratorTypesArray().back() != utils::IteratorType::reduction)
    return std::nullopt;
  MLIRContext *ctx = g.getContext();
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> outer;
  for (int64_t i = 0; i < r - 2; ++i)
    outer.push_back(d(i));
  SmallVector<AffineExpr> aExprs(outer), cExprs(outer);
  aExprs.push_back(d(r - 1));
  cExprs.push_back(d(r - 2));
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  if (maps[0] != AffineMap::get(r, 0, aExprs, ctx) ||
      maps[2] != AffineMap::get(r, 0, cExprs, ctx))
    return std::nullopt;
  bool nk = maps[1] == AffineMap::get(r, 0, {d(r - 2), d(r - 1)}, ctx);
  bool kn = maps[1] == AffineMap::get(r, 0, {d(r - 1), d(r - 2)}, ctx);
  if (!nk && !kn)
    return std::nullopt;
  std::vector<char> storage;
  ArrayRef<char> raw = tfc::constantBytes(g.getDpsInputs()[1], storage);
  if (raw.empty())
    return std::nullopt;
  auto wt = cast<RankedTensorType>(g.getDpsInputs()[1].getType());
  ConstantWeightGemm m;
  m.a = g.getDpsInputs()[0];
  m.c = g.getDpsInits()[0];
  m.outerRank = r - 2;
  m.n = wt.getDimSize(nk ? 0 : 1);
  m.k = wt.getDimSize(nk ? 1 : 0);
  const float *src = reinterpret_cast<const float *>(raw.data());
  m.w.resize(m.n * m.k);
  for (int64_t i = 0; i < m.n; ++i)
    for (int64_t j = 0; j < m.k; ++j)
      m.w[i * m.k + j] = nk ? src[i * m.k + j] : src[j * m.n + i];
  return m;
}

struct KernelBuilder {
  ImplicitLocOpBuilder &b;
  int64_t rows, cols, n, k, kc;
  Value a, packed; // A as [M, K]; the packed weight [panels, K, cols]

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }

  VectorType vecType() { return VectorType::get({cols}, b.getF32Type()); }

  /// Rows [i, i+r) of the panel block `t` ([M, width]) after the k loop.
  Value rowBlock(int64_t r, Value i, Value panel, Value t, bool inBounds,
                 Value k0, Value k1) {
    Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0));
    SmallVector<Value> rowIdx, acc;
    for (int64_t q = 0; q < r; ++q) {
      rowIdx.push_back(q ? (Value)arith::AddIOp::create(b, i, idx(q)) : i);
      acc.push_back(vector::TransferReadOp::create(
          b, vecType(), t, ValueRange{rowIdx[q], idx(0)}, zero,
          ArrayRef<bool>{inBounds}));
    }
    auto loop = scf::ForOp::create(
        b, k0, k1, idx(1), acc,
        [&](OpBuilder &nb, Location loc, Value kk, ValueRange cur) {
          ImplicitLocOpBuilder lb(loc, nb);
          Value w = vector::TransferReadOp::create(
              lb, vecType(), packed, ValueRange{panel, kk, idx(0)}, zero,
              ArrayRef<bool>{true});
          SmallVector<Value> next;
          for (int64_t q = 0; q < r; ++q) {
            Value x = tensor::ExtractOp::create(lb, a, ValueRange{rowIdx[q], kk});
            Value xs = vector::BroadcastOp::create(lb, vecType(), x);
            next.push_back(vector::FMAOp::create(lb, xs, w, cur[q]));
          }
          scf::YieldOp::create(lb, next);
        });
    for (int64_t q = 0; q < r; ++q)
      t = vector::TransferWriteOp::create(b, loop.getResult(q), t,
                                          ValueRange{rowIdx[q], idx(0)},
                                          ArrayRef<bool>{inBounds})
              .getResult();
    return t;
  }

  /// The panel `panel` of the output block `t` ([M, width]) computed:
  /// k in slices of `kc` (one slice of the panel stays in L1 while every
  /// row block uses it), rows in blocks of rows, rows/2, ... 1.
  Value panelBlock(Value panel, Value t, bool inBounds) {
    Value m = tensor::DimOp::create(b, a, 0);
    auto kLoop = scf::ForOp::create(
        b, idx(0), idx(k), idx(kc), ValueRange{t},
        [&](OpBuilder &nb, Location loc, Value k0, ValueRange cur) {
          ImplicitLocOpBuilder lb(loc, nb);
          KernelBuilder inner{lb, rows, cols, n, k, kc, a, packed};
          Value k1 = arith::MinSIOp::create(
              lb, arith::AddIOp::create(lb, k0, inner.idx(kc)), inner.idx(k));
          scf::YieldOp::create(
              lb, inner.rowBlocks(panel, cur[0], inBounds, m, k0, k1));
        });
    return kLoop.getResult(0);
  }

  Value rowBlocks(Value panel, Value t, bool inBounds, Value m, Value k0,
                  Value k1) {
    Value start = idx(0);
    for (int64_t r = rows; r >= 1; r /= 2) {
      // As many blocks of r rows as fit in what is left.
      Value left = arith::SubIOp::create(b, m, start);
      Value end = arith::AddIOp::create(
          b, start,
          arith::MulIOp::create(b, arith::DivUIOp::create(b, left, idx(r)),
                                idx(r)));
      auto loop = scf::ForOp::create(
          b, start, end, idx(r), ValueRange{t},
          [&](OpBuilder &nb, Location loc, Value i, ValueRange cur) {
            ImplicitLocOpBuilder lb(loc, nb);
            KernelBuilder inner{lb, rows, cols, n, k, kc, a, packed};
            scf::YieldOp::create(
                lb, inner.rowBlock(r, i, panel, cur[0], inBounds, k0, k1));
          });
      t = loop.getResult(0);
      start = end;
    }
    return t;
  }
};

/// Packs W [N, K] into [ceil(N/cols), K, cols], zero-padded.
std::vector<float> pack(const ConstantWeightGemm &g, int64_t cols) {
  int64_t panels = (g.n + cols - 1) / cols;
  std::vector<float> p(panels * g.k * cols, 0.0f);
  for (int64_t j = 0; j < g.n; ++j)
    for (int64_t kk = 0; kk < g.k; ++kk)
      p[((j / cols) * g.k + kk) * cols + j % cols] = g.w[j * g.k + kk];
  return p;
}

struct GemmMicrokernelsPass
    : tfc::impl::GemmMicrokernelsPassBase<GemmMicrokernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (rows < 1 || cols < 1 || kc < 1) {
      getOperation().emitError("tfc-cpu-gemm-microkernels: rows, cols and kc "
                               "must be positive");
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk([&](linalg::GenericOp g) {
      if (!g->getParentOfType<LoopLikeOpInterface>())
        candidates.push_back(g);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp g : candidates) {
      std::optional<ConstantWeightGemm> m = match(g);
      if (!m)
        continue;
      rewriter.setInsertionPoint(g);
      rewriter.replaceOp(g, build(rewriter, g, *m));
    }
  }

  Value build(IRRewriter &rewriter, linalg::GenericOp g,
              const ConstantWeightGemm &m) {
    ImplicitLocOpBuilder b(g.getLoc(), rewriter);
    int64_t panels = (m.n + cols - 1) / cols;
    std::vector<float> p = pack(m, cols);
    auto packedType =
        RankedTensorType::get({panels, m.k, cols}, b.getF32Type());
    Value packed = tfc::createConstant(
        b, b.getLoc(), packedType,
        ArrayRef<char>(reinterpret_cast<const char *>(p.data()),
                       p.size() * sizeof(float)));
    bool even = m.n % cols == 0;

    // One iteration per (batch..., panel): the leading m dimensions are
    // loop dimensions (no reshapes), the last one is the kernel's rows.
    int64_t batchRank = m.outerRank - 1;
    SmallVector<OpFoldResult> cSizes = tensor::getMixedSizes(b, b.getLoc(), m.c);
    SmallVector<OpFoldResult> ubs(cSizes.begin(), cSizes.begin() + batchRank);
    ubs.push_back(b.getIndexAttr(panels));
    auto loop = scf::ForallOp::create(b, ubs, ValueRange{m.c}, std::nullopt);
    b.setInsertionPointToStart(loop.getBody());
    ValueRange ivs = loop.getInductionVars();
    Value j = ivs.back();
    Value out = loop.getRegionIterArgs()[0];
    KernelBuilder kb{b, rows, cols, m.n, m.k, kc, Value(), packed};
    Value col = arith::MulIOp::create(b, j, kb.idx(cols));
    OpFoldResult width = b.getIndexAttr(cols);
    if (!even)
      width = (Value)arith::MinSIOp::create(
          b, kb.idx(cols), arith::SubIOp::create(b, kb.idx(m.n), col));
    auto slice = [&](ArrayRef<OpFoldResult> full, OpFoldResult lastOffset,
                     OpFoldResult lastSize) {
      SmallVector<OpFoldResult> offsets, sizes;
      for (int64_t d = 0; d < batchRank; ++d) {
        offsets.push_back(ivs[d]);
        sizes.push_back(b.getIndexAttr(1));
      }
      offsets.append({b.getIndexAttr(0), lastOffset});
      sizes.append({full[batchRank], lastSize});
      return std::make_pair(offsets, sizes);
    };
    SmallVector<OpFoldResult> strides(m.outerRank + 1, b.getIndexAttr(1));
    auto rowsType = [&](RankedTensorType t, int64_t last) {
      return RankedTensorType::get({t.getDimSize(batchRank), last},
                                   t.getElementType());
    };
    auto aType = cast<RankedTensorType>(m.a.getType());
    auto [aOffsets, aSizes] =
        slice(tensor::getMixedSizes(b, b.getLoc(), m.a), b.getIndexAttr(0),
              b.getIndexAttr(m.k));
    kb.a = tensor::ExtractSliceOp::create(b, rowsType(aType, m.k), m.a,
                                          aOffsets, aSizes, strides);
    auto [cOffsets, cSizes2] = slice(cSizes, col, width);
    auto cType = cast<RankedTensorType>(m.c.getType());
    Value blk = tensor::ExtractSliceOp::create(
        b, rowsType(cType, even ? cols : ShapedType::kDynamic), out, cOffsets,
        cSizes2, strides);
    blk = kb.panelBlock(j, blk, even);
    b.setInsertionPointToStart(loop.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(b, blk, out, cOffsets, cSizes2,
                                          strides);
    return loop.getResult(0);
  }
};

} // namespace
