//===- AttentionLowering.cpp - tfc.attention as a flash-style kernel ------===//
//
// Lowers tfc.attention to a tiled loop nest with an online softmax
// (FlashAttention): an scf.forall over (batch, head) (parallel on the CPU
// with threads), and for each query tile of that head it streams key/value
// tiles and carries the running row maximum m, the running denominator l and
// the unnormalized output acc, so the Sq x Sk score matrix is never built:
// memory beyond the operands is O(tile^2 + tile * Dv) plus the head's K^T
// (D x Sk, transposed once per head rather than once per tile pair, so the
// tile products read its rows in place) and a copy of its V (Sk x Dv), both
// in rows padded by a cache line. Key tiles are 256 wide: up to that
// length (BERT, ViT) one tile holds every key and the online rescaling
// never runs. With `causal`, the key loop of a query tile stops after the
// last key tile that tile can see. In f32 the scores (scale, mask, causal)
// are computed from the q k^T products by the softmax row code as it reads
// them, not written as a tile of their own.
//
// Rows whose keys are all masked (-inf) give 0/0 = NaN, as the reference
// softmax does; the running maximum is clamped so that they never produce
// inf - inf in between.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "tfc/Dialect/TFC/IR/TFC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::tfc;

namespace {

constexpr int64_t kQueryTile = 64;
constexpr int64_t kKeyTile = 256;
/// Elements added to the rows of K^T (one 64-byte line in f32).
constexpr int64_t kKeyRowPad = 16;

/// Sizes of one attention op as index values, and slicing in its layout.
struct Layout {
  bool packed;
  Value b, h, sq, sk, d, dv, group; // group = H / Hkv

  /// The [rows, cols] tile of `src` at (batch bi, head hi, row r), head hi
  /// owning `cols` columns (packed) or its own plane (BHSD).
  SmallVector<OpFoldResult> offsets(ImplicitLocOpBuilder &b, Value bi,
                                    Value hi, Value r, Value cols) const {
    if (packed)
      return {bi, r, arith::MulIOp::create(b, hi, cols).getResult()};
    return {bi, hi, r, b.getIndexAttr(0)};
  }
  SmallVector<OpFoldResult> sizes(ImplicitLocOpBuilder &b, Value rows,
                                  Value cols) const {
    OpFoldResult c = getAsOpFoldResult(cols);
    if (packed)
      return {b.getIndexAttr(1), rows, c};
    return {b.getIndexAttr(1), b.getIndexAttr(1), rows, c};
  }
  Value extract(ImplicitLocOpBuilder &b, Value src, Value bi, Value hi,
                Value r, Value rows, Value cols) const {
    auto st = cast<RankedTensorType>(src.getType());
    auto type = RankedTensorType::get(
        {ShapedType::kDynamic,
         getConstantIntValue(cols).value_or(ShapedType::kDynamic)},
        st.getElementType());
    SmallVector<OpFoldResult> ones(st.getRank(), b.getIndexAttr(1));
    return tensor::ExtractSliceOp::create(b, type, src,
                                          offsets(b, bi, hi, r, cols),
                                          sizes(b, rows, cols), ones);
  }
};

Value extendTo(OpBuilder &b, Location loc, Value v, Type t) {
  return v.getType() == t ? v : arith::ExtFOp::create(b, loc, t, v).getResult();
}

/// max(m, -FLT_MAX): keeps exp(x - m) finite-or-zero when a whole row is -inf.
Value clampedMax(OpBuilder &b, Location loc, Value m) {
  auto ft = cast<FloatType>(m.getType());
  Value lowest = arith::ConstantOp::create(
      b, loc, b.getFloatAttr(ft, APFloat::getLargest(ft.getFloatSemantics(),
                                                     /*Negative=*/true)));
  return arith::MaximumFOp::create(b, loc, m, lowest);
}

struct AttentionLowering : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
    AttentionOp::Dims dims = op.getDims();
    Layout lay;
    lay.packed = op.getNumHeads().has_value();
    lay.b = dimValue(b, q, 0);
    if (lay.packed) {
      lay.h = indexConst(b, dims.h);
      lay.sq = dimValue(b, q, 1);
      lay.sk = dimValue(b, k, 1);
      lay.d = indexConst(b, dims.d);
      lay.dv = indexConst(b, dims.dv);
      lay.group = indexConst(b, dims.h / dims.hkv);
    } else {
      lay.h = dimValue(b, q, 1);
      lay.sq = dimValue(b, q, 2);
      lay.sk = dimValue(b, k, 2);
      lay.d = dimValue(b, q, 3);
      lay.dv = dimValue(b, v, 3);
      Value hkv = dimValue(b, k, 1);
      if (ShapedType::isDynamic(dims.h) || ShapedType::isDynamic(dims.hkv)) {
        // Hkv must divide H and be nonzero (the verifier checks static sizes).
        Value zero = indexConst(b, 0);
        Value safe = arith::MaxUIOp::create(b, hkv, indexConst(b, 1));
        Value ok = arith::AndIOp::create(
            b,
            arith::CmpIOp::create(b, arith::CmpIPredicate::ne, hkv, zero),
            arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                  arith::RemUIOp::create(b, lay.h, safe), zero));
        cf::AssertOp::create(
            b, ok, "tfc.attention: key/value heads do not divide query heads");
        hkv = safe;
      }
      lay.group = arith::DivUIOp::create(b, lay.h, hkv);
    }
    Type elem = op.getType().getElementType();
    Type acc = elem.getIntOrFloatBitWidth() < 32 ? b.getF32Type() : elem;

    Value scale;
    if (op.getScale()) {
      scale = scalarConst(b, b.getLoc(), acc, op.getScale()->convertToDouble());
    } else {
      Value d = arith::IndexCastUIOp::create(b, b.getI64Type(), lay.d);
      Value df = arith::UIToFPOp::create(b, acc, d);
      scale = arith::DivFOp::create(b, scalarConst(b, b.getLoc(), acc, 1.0),
                                    math::SqrtOp::create(b, df));
    }

    Value mask = op.getMask();
    if (mask)
      checkMaskSizes(b, mask, lay);

    Value c0 = indexConst(b, 0);
    Value tileQ = indexConst(b, kQueryTile), tileK = indexConst(b, kKeyTile);
    SmallVector<OpFoldResult> outSizes;
    if (lay.packed)
      outSizes = {lay.b, lay.sq, b.getIndexAttr(dims.h * dims.dv)};
    else
      outSizes = {lay.b, lay.h, lay.sq, lay.dv};
    for (OpFoldResult &s : outSizes)
      if (auto v = dyn_cast<Value>(s))
        s = getAsOpFoldResult(v);
    Value out = emptyTensor(b, outSizes, elem);
    // No keys: the output is 0, as the matmul/softmax/matmul it stands for
    // gives (P [Sq, 0] times V [0, Dv]); not 0/0 as a fully masked row.
    if (cast<RankedTensorType>(k.getType()).getDimSize(lay.packed ? 1 : 2) ==
        0) {
      Value zero = arith::ConstantOp::create(b, b.getZeroAttr(elem));
      Value zeros = linalg::FillOp::create(b, zero, out).getResult(0);
      rewriter.replaceOp(op, castTo(b, zeros, op.getType()));
      return success();
    }
    Value noKeys = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, lay.sk,
                                         indexConst(b, 0));
    // Causal: query i sees keys j <= i + (Sk - Sq).
    Value offset = arith::SubIOp::create(b, lay.sk, lay.sq);

    auto loop = [&](ImplicitLocOpBuilder &lb, Value ub, Value step, Value init,
                    function_ref<Value(ImplicitLocOpBuilder &, Value, Value)>
                        body) {
      auto f = scf::ForOp::create(
          lb, c0, ub, step, ValueRange{init},
          [&](OpBuilder &ob, Location loc, Value iv, ValueRange args) {
            ImplicitLocOpBuilder nb(loc, ob);
            scf::YieldOp::create(nb, body(nb, iv, args[0]));
          });
      return f.getResult(0);
    };

    // (batch, head) pairs are independent: one scf.forall over them (the
    // CPU pipeline runs it on OpenMP threads, or as loops), each computing
    // its [Sq, Dv] slab of the output tile by tile.
    auto heads = scf::ForallOp::create(
        b, ArrayRef<OpFoldResult>{getAsOpFoldResult(lay.b),
                                  getAsOpFoldResult(lay.h)},
        ValueRange{out}, std::nullopt);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(heads.getBody());
      Value bi = heads.getInductionVar(0), hi = heads.getInductionVar(1);
      Value shared = heads.getRegionIterArgs()[0];
      Value slab = lay.extract(b, shared, bi, hi, c0, lay.sq, lay.dv);
      Value hk = arith::DivUIOp::create(b, hi, lay.group);
      // K^T of this head, [D, Sk], once for all its query tiles: the
      // products q k^T read rows of it in place.
      Value kHead = lay.extract(b, k, bi, hk, c0, lay.sk, lay.d);
      SmallVector<OpFoldResult> kSizes =
          tensor::getMixedSizes(b, b.getLoc(), kHead);
      // Its rows are kKeyRowPad elements longer than Sk rounded up to a
      // multiple of kKeyRowPad: with a row stride of a power of two (Sk =
      // 512, 2048) the kernel's reads down a column of K^T, one cache line
      // per row, all fell into the same few L1 sets and missed.
      Value pad = indexConst(b, kKeyRowPad);
      Value stride = arith::AddIOp::create(
          b,
          arith::MulIOp::create(b, arith::CeilDivUIOp::create(b, lay.sk, pad),
                                pad),
          pad);
      // A [rows, cols] tensor whose rows lie `stride` elements apart.
      auto paddedRows = [&](OpFoldResult rows, OpFoldResult cols,
                            OpFoldResult stride, Type elem) -> Value {
        Value all = emptyTensor(b, {rows, stride}, elem);
        return tensor::ExtractSliceOp::create(
            b, all, SmallVector<OpFoldResult>(2, b.getIndexAttr(0)),
            SmallVector<OpFoldResult>{rows, cols},
            SmallVector<OpFoldResult>(2, b.getIndexAttr(1)));
      };
      Value kTInit =
          paddedRows(kSizes[1], kSizes[0], getAsOpFoldResult(stride),
                     cast<RankedTensorType>(kHead.getType()).getElementType());
      Value kT = buildKeyTranspose(b, kHead, kTInit);
      // V of this head, [Sk, Dv], copied into rows of Dv + kKeyRowPad
      // elements: the products p v read down its columns, and in the
      // packed layout its rows were H x Dv apart (3 KiB in BERT), again a
      // few L1 sets.
      Value vSrc = lay.extract(b, v, bi, hk, c0, lay.sk, lay.dv);
      Value vInit =
          paddedRows(getAsOpFoldResult(lay.sk), getAsOpFoldResult(lay.dv),
                     getAsOpFoldResult(arith::AddIOp::create(b, lay.dv, pad)),
                     cast<RankedTensorType>(vSrc.getType()).getElementType());
      Value vHead = linalg::CopyOp::create(b, vSrc, vInit).getResult(0);
      Value done = loop(b, lay.sq, tileQ, slab, [&](ImplicitLocOpBuilder &b3,
                                                    Value qi, Value o3) {
        Value tq = arith::MinSIOp::create(
            b3, tileQ, arith::SubIOp::create(b3, lay.sq, qi));
        Value qTile = lay.extract(b3, q, bi, hi, qi, tq, lay.d);
        Value kEnd = lay.sk;
        if (op.getCausal()) {
          Value last = arith::AddIOp::create(
              b3, arith::AddIOp::create(b3, qi, tq), offset);
          kEnd = arith::MinSIOp::create(
              b3, lay.sk, arith::MaxSIOp::create(b3, last, c0));
        }
        KeyLoopState st = keyLoop(b3, op, lay, qTile, kT, vHead, mask, scale,
                                  acc, bi, hi, hk, qi, tq, kEnd, tileK, offset);
        // The normalized tile is written straight into its rows of the
        // slab (a separate tile would be copied there element by element).
        SmallVector<OpFoldResult> ones(2, b3.getIndexAttr(1));
        SmallVector<OpFoldResult> at = {qi, b3.getIndexAttr(0)};
        SmallVector<OpFoldResult> size = {tq, getAsOpFoldResult(lay.dv)};
        Value dest = tensor::ExtractSliceOp::create(b3, o3, at, size, ones);
        Value tile = normalize(b3, st, dest, elem, noKeys);
        return tensor::InsertSliceOp::create(b3, tile, o3, at, size, ones)
            .getResult();
      });
      auto outType = cast<RankedTensorType>(out.getType());
      SmallVector<OpFoldResult> ones(outType.getRank(), b.getIndexAttr(1));
      SmallVector<OpFoldResult> offsets = lay.offsets(b, bi, hi, c0, lay.dv),
                                sizes = lay.sizes(b, lay.sq, lay.dv);
      b.setInsertionPointToStart(heads.getTerminator().getBody());
      tensor::ParallelInsertSliceOp::create(b, done, shared, offsets, sizes,
                                            ones);
    }
    Value result = heads.getResult(0);
    rewriter.replaceOp(op, castTo(b, result, op.getType()));
    return success();
  }

  struct KeyLoopState {
    Value m, l, acc;
  };

  /// Dynamic mask sizes must equal the score sizes they index (a size-1
  /// broadcast is only taken from static sizes).
  static void checkMaskSizes(ImplicitLocOpBuilder &b, Value mask,
                             const Layout &lay) {
    auto mt = cast<RankedTensorType>(mask.getType());
    Value full[4] = {lay.b, lay.h, lay.sq, lay.sk};
    for (int64_t i = 0, r = mt.getRank(); i < r; ++i) {
      if (mt.getDimSize(i) == 1)
        continue;
      Value eq = arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                       dimValue(b, mask, i), full[4 - r + i]);
      cf::AssertOp::create(
          b, eq, "tfc.attention: mask size does not match the score size");
    }
  }

  /// The [tq | 1, tk | 1] part of the mask for this tile, with the map that
  /// reads it inside a [tq, tk] iteration space.
  static std::pair<Value, AffineMap>
  maskTile(ImplicitLocOpBuilder &b, Value mask, Value bi, Value hi, Value qi,
           Value tq, Value kj, Value tk) {
    auto mt = cast<RankedTensorType>(mask.getType());
    int64_t r = mt.getRank();
    Value off[4] = {bi, hi, qi, kj};
    SmallVector<OpFoldResult> offsets, sizes, strides;
    SmallVector<int64_t> kept;
    SmallVector<AffineExpr> exprs;
    for (int64_t i = 0; i < r; ++i) {
      int64_t pos = 4 - r + i;
      bool bcast = mt.getDimSize(i) == 1;
      offsets.push_back(bcast ? OpFoldResult(b.getIndexAttr(0))
                              : OpFoldResult(off[pos]));
      Value sz = pos == 2 ? tq : pos == 3 ? tk : Value();
      sizes.push_back(bcast || !sz ? OpFoldResult(b.getIndexAttr(1))
                                   : OpFoldResult(sz));
      strides.push_back(b.getIndexAttr(1));
      if (pos >= 2) {
        kept.push_back(bcast ? 1 : ShapedType::kDynamic);
        exprs.push_back(bcast ? b.getAffineConstantExpr(0)
                              : b.getAffineDimExpr(pos - 2));
      }
    }
    auto type = RankedTensorType::get(kept, mt.getElementType());
    Value tile =
        tensor::ExtractSliceOp::create(b, type, mask, offsets, sizes, strides);
    return {tile, AffineMap::get(2, 0, exprs, b.getContext())};
  }

  static KeyLoopState keyLoop(ImplicitLocOpBuilder &b, AttentionOp op,
                              const Layout &lay, Value qTile, Value kT,
                              Value vHead, Value mask, Value scale, Type acc,
                              Value bi, Value hi, Value hk, Value qi, Value tq,
                              Value kEnd, Value tileK, Value offset) {
    MLIRContext *ctx = b.getContext();
    auto ninf = b.getFloatAttr(acc, -std::numeric_limits<double>::infinity());
    Value m0 = filledTensor(b, {tq}, acc, ninf);
    Value l0 = filledTensor(b, {tq}, acc, b.getFloatAttr(acc, 0.0));
    Value a0 = filledTensor(b, {tq, getAsOpFoldResult(lay.dv)}, acc, b.getFloatAttr(acc, 0.0));
    bool causal = op.getCausal();
    // The vector row code can compute f32 scores itself when they keep the
    // -inf padding of its reads: scale > 0 (1/sqrt(D) always is).
    bool scoresInRows =
        acc.isF32() && (!op.getScale() || op.getScale()->convertToDouble() > 0);

    auto forOp = scf::ForOp::create(
        b, indexConst(b, 0), kEnd, tileK, ValueRange{m0, l0, a0},
        [&](OpBuilder &ob, Location loc, Value kj, ValueRange it) {
          ImplicitLocOpBuilder nb(loc, ob);
          Value tk = arith::MinSIOp::create(
              nb, tileK, arith::SubIOp::create(nb, kEnd, kj));
          auto vType = cast<RankedTensorType>(vHead.getType());
          Value vTile = tensor::ExtractSliceOp::create(
              nb,
              RankedTensorType::get({ShapedType::kDynamic, vType.getDimSize(1)},
                                    vType.getElementType()),
              vHead, ArrayRef<OpFoldResult>{kj, nb.getIndexAttr(0)},
              ArrayRef<OpFoldResult>{tk, getAsOpFoldResult(lay.dv)},
              ArrayRef<OpFoldResult>{nb.getIndexAttr(1), nb.getIndexAttr(1)});
          auto d2 = [&](unsigned i) { return nb.getAffineDimExpr(i); };
          auto map = [&](ArrayRef<AffineExpr> e, unsigned n) {
            return AffineMap::get(n, 0, e, ctx);
          };
          auto par = utils::IteratorType::parallel;
          auto red = utils::IteratorType::reduction;
          // One linalg.generic into `init` whose body yields `body(args)`.
          auto generic =
              [&](ValueRange ins, Value init, ArrayRef<AffineMap> maps,
                  ArrayRef<utils::IteratorType> iters,
                  function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
                return linalg::GenericOp::create(
                           nb, TypeRange{init.getType()}, ins, ValueRange{init},
                           maps, iters,
                           [&](OpBuilder &bb, Location l, ValueRange a) {
                             linalg::YieldOp::create(bb, l,
                                                     ValueRange{body(bb, l, a)});
                           })
                    .getResult(0);
              };
          // init += lhs [rows, inner] * rhs [inner, cols], widened to `acc`.
          // f32 tile products are plain (m, n, k) contractions, which the
          // CPU target turns into register-blocked microkernels; others
          // (f16 inputs, f32 accumulation) keep the (m, k, n) loop order,
          // whose innermost loop runs along contiguous rows.
          auto tileMatmul = [&](Value lhs, Value rhs, Value init) {
            auto isF32 = [](Value v) {
              return cast<RankedTensorType>(v.getType()).getElementType().isF32();
            };
            if (isF32(lhs) && isF32(rhs))
              return generic(
                  {lhs, rhs}, init,
                  {map({d2(0), d2(2)}, 3), map({d2(2), d2(1)}, 3),
                   map({d2(0), d2(1)}, 3)},
                  {par, par, red}, [&](OpBuilder &bb, Location l, ValueRange a) {
                    Value prod = arith::MulFOp::create(bb, l, a[0], a[1]);
                    return arith::AddFOp::create(bb, l, a[2], prod).getResult();
                  });
            return generic(
                {lhs, rhs}, init,
                {map({d2(0), d2(1)}, 3), map({d2(1), d2(2)}, 3),
                 map({d2(0), d2(2)}, 3)},
                {par, red, par}, [&](OpBuilder &bb, Location l, ValueRange a) {
                  Value prod = arith::MulFOp::create(
                      bb, l, extendTo(bb, l, a[0], acc),
                      extendTo(bb, l, a[1], acc));
                  return arith::AddFOp::create(bb, l, a[2], prod).getResult();
                });
          };
          // exp(x - max), args (x, max); the max clamped against -inf rows.
          auto expMinusMax = [&](OpBuilder &bb, Location l, ValueRange a) {
            Value diff =
                arith::SubFOp::create(bb, l, a[0], clampedMax(bb, l, a[1]));
            return math::ExpOp::create(bb, l, diff).getResult();
          };
          // out * factor, args (factor, out).
          auto scaleOut = [&](OpBuilder &bb, Location l, ValueRange a) {
            return arith::MulFOp::create(bb, l, a[1], a[0]).getResult();
          };

          // q k^T of the tile; k^T's columns [kj, kj + tk) are its keys.
          Value zero = filledTensor(nb, {tq, tk}, acc, nb.getFloatAttr(acc, 0));
          auto kTType = cast<RankedTensorType>(kT.getType());
          Value kTTile = tensor::ExtractSliceOp::create(
              nb,
              RankedTensorType::get({kTType.getDimSize(0), ShapedType::kDynamic},
                                    kTType.getElementType()),
              kT, ArrayRef<OpFoldResult>{nb.getIndexAttr(0), kj},
              ArrayRef<OpFoldResult>{getAsOpFoldResult(lay.d), tk},
              ArrayRef<OpFoldResult>{nb.getIndexAttr(1), nb.getIndexAttr(1)});
          Value qk = tileMatmul(qTile, kTTile, zero);
          Value mTile;
          AffineMap mMap;
          if (mask)
            std::tie(mTile, mMap) = maskTile(nb, mask, bi, hi, qi, tq, kj, tk);
          AffineMap rowsOf2 = map({d2(0)}, 2), id2 = map({d2(0), d2(1)}, 2);
          AffineMap id1 = map({d2(0)}, 1);
          // m' = max(m, rowmax(s)); alpha = exp(m - m'); p = exp(s - m').
          Value mNew, p, rowSum;
          if (scoresInRows) {
            // f32: the vector row code (AttentionSoftmaxRows.cpp) computes
            // the scores from the products as it reads them.
            TileScores scores{scale, mTile, causal, qi, kj, offset};
            SoftmaxRows rows = buildSoftmaxRows(nb, qk, it[0], tq, tk, &scores);
            mNew = rows.max;
            p = rows.p;
            rowSum = rows.sum;
          } else {
            // s = scale * q k^T (+ mask), causal positions -inf.
            Value empty = emptyTensor(nb, {tq, tk}, acc);
            SmallVector<Value> ins = {qk};
            SmallVector<AffineMap> maps = {id2};
            if (mask) {
              ins.push_back(mTile);
              maps.push_back(mMap);
            }
            maps.push_back(id2);
            Value s = generic(
                ins, empty, maps, {par, par},
                [&](OpBuilder &bb, Location l, ValueRange a) {
                  Value x = arith::MulFOp::create(bb, l, a[0], scale);
                  if (mask)
                    x = arith::AddFOp::create(bb, l, x,
                                              extendTo(bb, l, a[1], acc));
                  if (!causal)
                    return x;
                  Value i = linalg::IndexOp::create(bb, l, 0);
                  Value j = linalg::IndexOp::create(bb, l, 1);
                  Value row = arith::AddIOp::create(
                      bb, l, arith::AddIOp::create(bb, l, i, qi), offset);
                  Value col = arith::AddIOp::create(bb, l, j, kj);
                  Value seen = arith::CmpIOp::create(
                      bb, l, arith::CmpIPredicate::sle, col, row);
                  Value minf = arith::ConstantOp::create(bb, l, ninf);
                  return arith::SelectOp::create(bb, l, seen, x, minf)
                      .getResult();
                });
            if (acc.isF32()) {
              SoftmaxRows rows = buildSoftmaxRows(nb, s, it[0], tq, tk);
              mNew = rows.max;
              p = rows.p;
              rowSum = rows.sum;
            } else {
              mNew =
                  generic({s}, it[0], {id2, rowsOf2}, {par, red},
                          [&](OpBuilder &bb, Location l, ValueRange a) {
                            return arith::MaximumFOp::create(bb, l, a[0], a[1])
                                .getResult();
                          });
              p = generic({s, mNew}, empty, {id2, rowsOf2, id2}, {par, par},
                          expMinusMax);
            }
          }
          Value alpha = generic({it[0], mNew}, emptyTensor(nb, {tq}, acc),
                                {id1, id1, id1}, {par}, expMinusMax);
          // l' = l * alpha + rowsum(p).
          Value lScaled = generic({alpha}, it[1], {id1, id1}, {par}, scaleOut);
          Value lNew =
              rowSum ? generic({rowSum}, lScaled, {id1, id1}, {par},
                               [&](OpBuilder &bb, Location l, ValueRange a) {
                                 return arith::AddFOp::create(bb, l, a[1], a[0])
                                     .getResult();
                               })
                     : generic({p}, lScaled, {id2, rowsOf2}, {par, red},
                               [&](OpBuilder &bb, Location l, ValueRange a) {
                                 return arith::AddFOp::create(bb, l, a[1], a[0])
                                     .getResult();
                               });
          // acc' = acc * alpha + p v.
          Value accScaled =
              generic({alpha}, it[2], {rowsOf2, id2}, {par, par}, scaleOut);
          Value accNew = tileMatmul(p, vTile, accScaled);
          scf::YieldOp::create(nb, ValueRange{mNew, lNew, accNew});
        });
    return {forOp.getResult(0), forOp.getResult(1), forOp.getResult(2)};
  }

  /// init = acc * (1 / l), in the result element type: one division per
  /// row rather than per element (vdivps was a tenth of BERT's attention).
  /// acc / l per row; 0 with `noKeys` (a run-time Sk of 0: acc is 0 and
  /// l is 0).
  static Value normalize(ImplicitLocOpBuilder &b, const KeyLoopState &st,
                         Value init, Type elem, Value noKeys) {
    MLIRContext *ctx = b.getContext();
    auto id = AffineMap::getMultiDimIdentityMap(2, ctx);
    auto rows = AffineMap::get(2, 0, {b.getAffineDimExpr(0)}, ctx);
    auto par = utils::IteratorType::parallel;
    Value inverse = buildElementwise(
        b, {st.l}, cast<RankedTensorType>(st.l.getType()),
        [&](OpBuilder &bb, Location l, ValueRange a) -> Value {
          Type t = a[0].getType();
          Value inv =
              arith::DivFOp::create(bb, l, scalarConst(bb, l, t, 1.0), a[0]);
          return arith::SelectOp::create(bb, l, noKeys,
                                         scalarConst(bb, l, t, 0.0), inv);
        });
    return linalg::GenericOp::create(
               b, TypeRange{init.getType()}, ValueRange{st.acc, inverse},
               ValueRange{init}, {id, rows, id}, {par, par},
               [&](OpBuilder &bb, Location l, ValueRange a) {
                 Value r = arith::MulFOp::create(bb, l, a[0], a[1]);
                 if (r.getType() != elem)
                   r = arith::TruncFOp::create(bb, l, elem, r);
                 linalg::YieldOp::create(bb, l, ValueRange{r});
               })
        .getResult(0);
  }
};

} // namespace

void mlir::tfc::populateAttentionLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<AttentionLowering>(patterns.getContext());
}
