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
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"

namespace mlir::tfc {
#define GEN_PASS_DEF_GEMMMICROKERNELSPASS
#include "tfc/Target/CPU/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;

namespace {

/// A contraction C[m..., n] += A[m..., k] * W: either W is a constant
/// (packed at compile time, `w` holds it as [N, K]) or W is a [K, N] tensor
/// computed at run time whose rows the kernel reads in place.
struct Gemm {
  Value a, c, b;      // b: the run-time [K, N] operand (null when constant)
  std::vector<char> storage; // backs `raw` when the constant is a splat
  ArrayRef<char> raw;        // the constant weight's bytes
  bool nk = false;           // raw is [N, K] (else [K, N])
  int64_t n = ShapedType::kDynamic, k = ShapedType::kDynamic;
  int64_t outerRank = 0; // the m... dimensions
  bool isConstant() const { return !b; }
};

std::optional<Gemm> match(linalg::GenericOp g) {
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
  Value weight = g.getDpsInputs()[1];
  auto wt = cast<RankedTensorType>(weight.getType());
  Gemm m;
  m.a = g.getDpsInputs()[0];
  m.c = g.getDpsInits()[0];
  m.outerRank = r - 2;
  m.n = wt.getDimSize(nk ? 0 : 1);
  m.k = wt.getDimSize(nk ? 1 : 0);
  m.raw = tfc::constantBytes(weight, m.storage);
  if (!m.storage.empty())
    m.raw = m.storage;
  m.nk = nk;
  if (m.raw.empty()) {
    // A run-time operand: its rows must be the output's columns.
    if (!kn)
      return std::nullopt;
    m.b = weight;
    return m;
  }
  return m;
}

struct KernelBuilder {
  ImplicitLocOpBuilder &b;
  int64_t rows, cols, kc;
  Value a;       // A as [M, K]
  Value weights; // packed [panels, K, cols], or the run-time [K, N]
  bool packed;
  Value kSize;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }

  VectorType vecType() { return VectorType::get({cols}, b.getF32Type()); }

  /// Rows [i, i+r) of the output block `t` ([M, width]) after k in [k0, k1):
  /// r accumulator vectors stay in registers through the k loop. `col` is
  /// the block's first column (for a run-time weight).
  Value rowBlock(int64_t r, Value i, Value panel, Value col, Value t,
                 bool inBounds, Value k0, Value k1) {
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
          Value w =
              packed ? vector::TransferReadOp::create(
                           lb, vecType(), weights,
                           ValueRange{panel, kk, idx(0)}, zero,
                           ArrayRef<bool>{true})
                     : vector::TransferReadOp::create(
                           lb, vecType(), weights, ValueRange{kk, col}, zero,
                           ArrayRef<bool>{inBounds});
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

  /// The output block `t` ([M, width]) of panel `panel` computed: k in
  /// slices of `kc` (one slice of the panel stays in L1 while every row
  /// block uses it), rows in blocks of rows, rows/2, ... 1.
  Value panelBlock(Value panel, Value col, Value t, bool inBounds) {
    Value m = tensor::DimOp::create(b, a, 0);
    auto kLoop = scf::ForOp::create(
        b, idx(0), kSize, idx(kc), ValueRange{t},
        [&](OpBuilder &nb, Location loc, Value k0, ValueRange cur) {
          ImplicitLocOpBuilder lb(loc, nb);
          KernelBuilder inner{lb, rows, cols, kc, a, weights, packed, kSize};
          Value k1 = arith::MinSIOp::create(
              lb, arith::AddIOp::create(lb, k0, inner.idx(kc)), kSize);
          scf::YieldOp::create(
              lb, inner.rowBlocks(panel, col, cur[0], inBounds, m, k0, k1));
        });
    return kLoop.getResult(0);
  }

  Value rowBlocks(Value panel, Value col, Value t, bool inBounds, Value m,
                  Value k0, Value k1) {
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
            KernelBuilder inner{lb, rows, cols, kc, a, weights, packed, kSize};
            scf::YieldOp::create(lb, inner.rowBlock(r, i, panel, col, cur[0],
                                                    inBounds, k0, k1));
          });
      t = loop.getResult(0);
      start = end;
    }
    return t;
  }
};

/// Packs W ([N, K] or [K, N]) into `out`, [ceil(N/cols), K, cols], with the
/// last panel's columns past N zero. Blocks of 64 k keep the strided side of
/// the transpose in L1.
void pack(const Gemm &g, int64_t cols, float *out) {
  int64_t panels = (g.n + cols - 1) / cols;
  if (g.n % cols)
    std::fill(out + (panels - 1) * g.k * cols, out + panels * g.k * cols, 0.0f);
  const float *w = reinterpret_cast<const float *>(g.raw.data());
  constexpr int64_t kBlock = 64;
  for (int64_t p = 0; p < panels; ++p)
    for (int64_t k0 = 0; k0 < g.k; k0 += kBlock) {
      int64_t k1 = std::min(g.k, k0 + kBlock);
      for (int64_t jj = 0; jj < cols && p * cols + jj < g.n; ++jj) {
        int64_t j = p * cols + jj;
        float *dst = out + (p * g.k) * cols + jj;
        for (int64_t kk = k0; kk < k1; ++kk)
          dst[kk * cols] = g.nk ? w[j * g.k + kk] : w[kk * g.n + j];
      }
    }
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
    SmallVector<std::pair<linalg::GenericOp, Gemm>> gemms;
    getOperation().walk([&](linalg::GenericOp g) {
      if (std::optional<Gemm> m = match(g))
        gemms.push_back({g, std::move(*m)});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[g, m] : gemms) {
      rewriter.setInsertionPoint(g);
      // Top-level GEMMs are the parallel loops; those inside other loops
      // (the attention kernel's tile products) run sequentially.
      bool parallel = !g->getParentOfType<LoopLikeOpInterface>();
      rewriter.replaceOp(g, build(rewriter, g, m, parallel));
    }
  }

  Value build(IRRewriter &rewriter, linalg::GenericOp g, const Gemm &m,
              bool parallel) {
    ImplicitLocOpBuilder b(g.getLoc(), rewriter);
    KernelBuilder kb{b, rows, cols, kc, Value(), m.b, m.isConstant(), Value()};
    OpFoldResult panels;
    bool even;
    if (m.isConstant()) {
      int64_t count = (m.n + cols - 1) / cols;
      auto packedType = RankedTensorType::get({count, m.k, cols}, b.getF32Type());
      kb.weights = tfc::createConstant(
          b, b.getLoc(), packedType, [&](MutableArrayRef<char> bytes) {
            pack(m, cols, reinterpret_cast<float *>(bytes.data()));
          });
      panels = b.getIndexAttr(count);
      even = m.n % cols == 0;
      kb.kSize = kb.idx(m.k);
    } else {
      Value n = tensor::DimOp::create(b, m.b, 1);
      panels = (Value)arith::CeilDivUIOp::create(b, n, kb.idx(cols));
      even = !ShapedType::isDynamic(m.n) && m.n % cols == 0;
      kb.kSize = tensor::DimOp::create(b, m.b, 0);
    }
    Value nSize = m.isConstant() ? kb.idx(m.n)
                                 : (Value)tensor::DimOp::create(b, m.b, 1);

    // One iteration per (batch..., panel): the leading m dimensions are
    // loop dimensions (no reshapes), the last one is the kernel's rows.
    int64_t batchRank = m.outerRank - 1;
    SmallVector<OpFoldResult> cSizes = tensor::getMixedSizes(b, b.getLoc(), m.c);
    SmallVector<OpFoldResult> aSizes = tensor::getMixedSizes(b, b.getLoc(), m.a);
    SmallVector<OpFoldResult> ubs(cSizes.begin(), cSizes.begin() + batchRank);
    ubs.push_back(panels);
    SmallVector<OpFoldResult> strides(m.outerRank + 1, b.getIndexAttr(1));
    auto rowsType = [&](Value v, int64_t last) {
      auto t = cast<RankedTensorType>(v.getType());
      return RankedTensorType::get({t.getDimSize(batchRank), last},
                                   t.getElementType());
    };
    // The body at (batch..., panel) ivs on output `out`: the computed block
    // and where it goes.
    auto body = [&](ImplicitLocOpBuilder &lb, ValueRange ivs, Value out) {
      KernelBuilder inner = kb;
      KernelBuilder k2{lb, inner.rows, inner.cols, inner.kc, Value(),
                       inner.weights, inner.packed, inner.kSize};
      Value j = ivs.back();
      Value col = arith::MulIOp::create(lb, j, k2.idx(cols));
      OpFoldResult width = lb.getIndexAttr(cols);
      if (!even)
        width = (Value)arith::MinSIOp::create(
            lb, k2.idx(cols), arith::SubIOp::create(lb, nSize, col));
      auto place = [&](ArrayRef<OpFoldResult> full, OpFoldResult lastOffset,
                       OpFoldResult lastSize) {
        SmallVector<OpFoldResult> offsets, sizes;
        for (int64_t d = 0; d < batchRank; ++d) {
          offsets.push_back(ivs[d]);
          sizes.push_back(lb.getIndexAttr(1));
        }
        offsets.append({lb.getIndexAttr(0), lastOffset});
        sizes.append({full[batchRank], lastSize});
        return std::make_pair(offsets, sizes);
      };
      auto [aOff, aSz] = place(aSizes, lb.getIndexAttr(0), aSizes.back());
      k2.a = tensor::ExtractSliceOp::create(
          lb, rowsType(m.a, cast<RankedTensorType>(m.a.getType()).getShape().back()),
          m.a, aOff, aSz, strides);
      auto [cOff, cSz] = place(cSizes, col, width);
      Value blk = tensor::ExtractSliceOp::create(
          lb, rowsType(m.c, even ? cols : ShapedType::kDynamic), out, cOff,
          cSz, strides);
      return std::make_tuple(k2.panelBlock(j, col, blk, even), cOff, cSz);
    };

    if (parallel) {
      auto loop = scf::ForallOp::create(b, ubs, ValueRange{m.c}, std::nullopt);
      b.setInsertionPointToStart(loop.getBody());
      Value out = loop.getRegionIterArgs()[0];
      auto [blk, offsets, sizes] = body(b, loop.getInductionVars(), out);
      b.setInsertionPointToStart(loop.getTerminator().getBody());
      tensor::ParallelInsertSliceOp::create(b, blk, out, offsets, sizes,
                                            strides);
      b.setInsertionPointAfter(loop);
      return loop.getResult(0);
    }
    // Sequential: a nest of scf.for with the output as iter_arg.
    SmallVector<Value> ivs;
    std::function<Value(ImplicitLocOpBuilder &, size_t, Value)> nest =
        [&](ImplicitLocOpBuilder &lb, size_t d, Value out) -> Value {
      if (d == ubs.size()) {
        auto [blk, offsets, sizes] = body(lb, ivs, out);
        return tensor::InsertSliceOp::create(lb, blk, out, offsets, sizes,
                                             strides);
      }
      Value ub = getValueOrCreateConstantIndexOp(lb, lb.getLoc(), ubs[d]);
      auto loop = scf::ForOp::create(
          lb, kb.idx(0), ub, kb.idx(1), ValueRange{out},
          [&](OpBuilder &nb, Location loc, Value iv, ValueRange cur) {
            ImplicitLocOpBuilder ib(loc, nb);
            ivs.push_back(iv);
            Value r = nest(ib, d + 1, cur[0]);
            ivs.pop_back();
            scf::YieldOp::create(ib, r);
          });
      return loop.getResult(0);
    };
    return nest(b, 0, m.c);
  }
};

} // namespace
