//===- RaiseAttention.cpp - the tfc-raise-attention pass ------------------===//
//
// softmax(scale * Q K^T + mask) V -> tfc.attention, whichever side the
// exporter scaled, however it spelled the mask, and with the head
// split/merge Reshape/Transpose pairs folded into the op when present.
//
//===----------------------------------------------------------------------===//
#include "RaisingUtils.h"
#include "tfc/Dialect/TFC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"

#include <cmath>

namespace mlir::tfc {
#define GEN_PASS_DEF_RAISEATTENTIONPASS
#include "tfc/Dialect/TFC/Transforms/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;
using namespace mlir::tfc;

namespace {

constexpr StringLiteral kPass = "tfc-raise-attention";

/// A scalar multiplier of `v`: v = x * c or x / c with c a scalar constant.
std::optional<std::pair<Value, double>> peelScale(Value v) {
  if (auto m = v.getDefiningOp<MulOp>()) {
    if (auto c = scalarConstant(m.getRhs()))
      return std::make_pair(m.getLhs(), *c);
    if (auto c = scalarConstant(m.getLhs()))
      return std::make_pair(m.getRhs(), *c);
  }
  if (auto d = v.getDefiningOp<DivOp>())
    if (auto c = scalarConstant(d.getRhs()))
      return std::make_pair(d.getLhs(), 1.0 / *c);
  return std::nullopt;
}

/// Whether `v` reaches a matmul through the ops a score chain is made of.
bool isScoreChain(Value v, int depth = 0) {
  Operation *def = v.getDefiningOp();
  if (!def || depth > 8)
    return false;
  if (isa<MatmulOp>(def))
    return true;
  if (auto s = peelScale(v))
    return isScoreChain(s->first, depth + 1);
  if (auto a = dyn_cast<AddOp>(def))
    return isScoreChain(a.getLhs(), depth + 1) ||
           isScoreChain(a.getRhs(), depth + 1);
  if (auto w = dyn_cast<WhereOp>(def))
    return isScoreChain(w.getOnTrue(), depth + 1) ||
           isScoreChain(w.getOnFalse(), depth + 1);
  return false;
}

/// For a constant of shape [1.., Sq, Sk]: true when `visible(i, j)` holds
/// exactly for j <= i + (Sk - Sq), i.e. it is the causal pattern.
bool isCausalPattern(Value v, function_ref<std::optional<bool>(double)> visible) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getRank() < 2 || !t.hasStaticShape())
    return false;
  for (int64_t d = 0; d + 2 < t.getRank(); ++d)
    if (t.getDimSize(d) != 1)
      return false;
  int64_t sq = t.getDimSize(t.getRank() - 2), sk = t.getDimSize(t.getRank() - 1);
  if (sq < 2 || sk < 2)
    return false;
  auto values = constantValues(v);
  if (!values)
    return false;
  for (int64_t i = 0; i < sq; ++i)
    for (int64_t j = 0; j < sk; ++j) {
      auto vis = visible((*values)[i * sk + j]);
      if (!vis || *vis != (j <= i + sk - sq))
        return false;
    }
  return true;
}

/// Composes `transpose(src, perm)` (or src) with a swap of the last two
/// axes, folding into one transpose (or none).
Value swapLastTwo(RewriterBase &rewriter, Location loc, Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  int64_t r = t.getRank();
  Value src = v;
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, r));
  if (auto tr = v.getDefiningOp<TransposeOp>()) {
    src = tr.getInput();
    perm = llvm::to_vector(tr.getPermutation());
  }
  std::swap(perm[r - 2], perm[r - 1]);
  if (llvm::equal(perm, llvm::seq<int64_t>(0, r)))
    return src;
  auto st = cast<RankedTensorType>(src.getType());
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(st.getDimSize(p));
  return TransposeOp::create(rewriter, loc,
                             RankedTensorType::get(shape, st.getElementType()),
                             src, rewriter.getDenseI64ArrayAttr(perm));
}

struct HeadSplit {
  Value source;
  int64_t heads, dim;
  ReshapeOp split;
  /// The leading [B, S] sizes the split pins where the source's are dynamic.
  bool pinsSizes;
};

/// `x` = transpose(reshape(X [B, S, H*D] -> [B, S, H, D]), [0, 2, 1, 3]).
std::optional<HeadSplit> matchHeadSplit(Value x) {
  auto tr = x.getDefiningOp<TransposeOp>();
  if (!tr || !llvm::equal(tr.getPermutation(), ArrayRef<int64_t>{0, 2, 1, 3}))
    return std::nullopt;
  auto rs = tr.getInput().getDefiningOp<ReshapeOp>();
  if (!rs || rs.getAllowzero())
    return std::nullopt;
  Value src = rs.getInput();
  auto st = cast<RankedTensorType>(src.getType());
  auto shape = constantValues(rs.getShape(), 8);
  if (st.getRank() != 3 || !shape || shape->size() != 4 ||
      st.isDynamicDim(2))
    return std::nullopt;
  bool pins = false;
  for (int i = 0; i < 2; ++i) {
    if ((*shape)[i] == 0 || (*shape)[i] == st.getDimSize(i))
      continue;
    if ((*shape)[i] < 0 || !st.isDynamicDim(i))
      return std::nullopt;
    pins = true;
  }
  int64_t h = (int64_t)(*shape)[2], d = (int64_t)(*shape)[3];
  if (h <= 0 || d <= 0 || h * d != st.getDimSize(2))
    return std::nullopt;
  return HeadSplit{src, h, d, rs, pins};
}

/// `attn`'s only use is transpose [0, 2, 1, 3] then a reshape to
/// [B, S, H*Dv]: returns that reshape.
ReshapeOp matchHeadMerge(Value attn, int64_t h, int64_t dv) {
  if (!attn.hasOneUse())
    return nullptr;
  auto tr = dyn_cast<TransposeOp>(*attn.getUsers().begin());
  if (!tr || !llvm::equal(tr.getPermutation(), ArrayRef<int64_t>{0, 2, 1, 3}) ||
      !tr.getResult().hasOneUse())
    return nullptr;
  auto rs = dyn_cast<ReshapeOp>(*tr.getResult().getUsers().begin());
  if (!rs || rs.getAllowzero() || rs.getType().getRank() != 3)
    return nullptr;
  auto shape = constantValues(rs.getShape(), 8);
  if (!shape || shape->size() != 3)
    return nullptr;
  auto tt = tr.getType();
  for (int i = 0; i < 2; ++i)
    if ((*shape)[i] != 0 && (*shape)[i] != tt.getDimSize(i))
      return nullptr;
  if ((*shape)[2] != h * dv && (*shape)[2] != -1) // -1: the rest, H*Dv
    return nullptr;
  return rs;
}

/// One attempt per softmax (a walk rather than a greedy driver, so that each
/// near-miss is reported once). Ops created before a late mismatch are dead
/// and go away with the next canonicalization.
struct RaiseAttention {
  bool remarks;

  LogicalResult fail(Operation *op, const Twine &why) const {
    nearMiss(remarks, op, kPass, why);
    return failure();
  }

  LogicalResult matchAndRewrite(SoftmaxOp sm, RewriterBase &rewriter) const {
    auto st = sm.getType();
    int64_t rank = st.getRank();
    if (normalizedAxis(sm.getAxis(), rank) != rank - 1)
      return failure();
    if (rank != 3 && rank != 4)
      return fail(sm, Twine("scores of rank ") + Twine(rank) +
                          " (need [B, H, Sq, Sk] or [B*H, Sq, Sk])");
    if (!sm.getResult().hasOneUse())
      return fail(sm, "the softmax result has more than one user "
                      "(attention probabilities are also used elsewhere)");
    auto pv = dyn_cast<MatmulOp>(*sm.getResult().getUsers().begin());
    if (!pv || pv.getLhs() != sm.getResult() || pv.getTransposeLhs())
      return fail(sm, "the softmax result is not the left operand of a "
                      "matmul by V");
    Location loc = pv.getLoc();
    rewriter.setInsertionPoint(pv);

    // Walk the scores back to Q K^T.
    double scale = 1.0;
    bool causal = false;
    SmallVector<Value> masks; // additive, each scaled by the scale seen so far
    SmallVector<double> maskScales;
    SmallVector<std::pair<Value, double>> whereMasks; // (visible cond, fill)
    Value s = sm.getInput();
    MatmulOp qk;
    while (!qk) {
      Operation *def = s.getDefiningOp();
      if (!def)
        return fail(sm, "the scores are a function argument, not Q K^T");
      if (auto mm = dyn_cast<MatmulOp>(def)) {
        qk = mm;
        break;
      }
      if (auto sc = peelScale(s)) {
        scale *= sc->second;
        s = sc->first;
        continue;
      }
      if (auto add = dyn_cast<AddOp>(def)) {
        Value chain = add.getLhs(), mask = add.getRhs();
        if (!isScoreChain(chain))
          std::swap(chain, mask);
        if (!isScoreChain(chain))
          return fail(add, "neither addend of the scores comes from Q K^T");
        // Scales seen so far come after this add: they scale the mask too.
        masks.push_back(mask);
        maskScales.push_back(scale);
        s = chain;
        continue;
      }
      if (auto w = dyn_cast<WhereOp>(def)) {
        bool scoresOnTrue = isScoreChain(w.getOnTrue());
        Value chain = scoresOnTrue ? w.getOnTrue() : w.getOnFalse();
        Value fillV = scoresOnTrue ? w.getOnFalse() : w.getOnTrue();
        auto fill = scalarConstant(fillV);
        if (!fill)
          return fail(w, "the masked-score fill is not a scalar constant");
        if (!scoresOnTrue && !isScoreChain(chain))
          return fail(w, "neither branch of the where comes from Q K^T");
        Value cond = w.getCondition();
        auto visibleIf = [&](double c) -> std::optional<bool> {
          return scoresOnTrue ? c != 0 : c == 0;
        };
        if (*fill <= -1e4 && isCausalPattern(cond, visibleIf)) {
          causal = true;
        } else if ((std::isinf(*fill) && *fill < 0) || *fill <= -1e30) {
          if (!scoresOnTrue)
            return fail(w, "a where that keeps the scores where the condition "
                           "is false is only recognised as a causal pattern");
          // Scaled like an additive mask by the scales that follow it.
          whereMasks.push_back({cond, *fill * scale});
        } else {
          return fail(w, Twine("masked scores are filled with ") +
                             std::to_string(*fill) +
                             ", not -inf (or <= -1e30): an additive form "
                             "would change fully masked rows");
        }
        s = chain;
        continue;
      }
      return fail(def, Twine("the scores come from '") +
                           def->getName().getStringRef() +
                           "', not from a Q K^T matmul");
    }
    if (qk.getTransposeLhs())
      return fail(qk, "Q is transposed in the Q K^T matmul");

    // Scales on Q and K.
    Value q = qk.getLhs(), kt = qk.getRhs();
    while (auto sc = peelScale(q)) {
      scale *= sc->second;
      q = sc->first;
    }
    while (auto sc = peelScale(kt)) {
      scale *= sc->second;
      kt = sc->first;
    }
    Value k;
    if (qk.getTransposeRhs()) {
      k = kt;
    } else {
      if (auto tr = kt.getDefiningOp<TransposeOp>())
        if (auto sc = peelScale(tr.getInput())) {
          scale *= sc->second;
          kt = TransposeOp::create(
              rewriter, loc,
              RankedTensorType::get(
                  cast<RankedTensorType>(kt.getType()).getShape(),
                  cast<RankedTensorType>(sc->first.getType()).getElementType()),
              sc->first, tr.getPermutationAttr());
        }
      k = swapLastTwo(rewriter, loc, kt);
    }
    while (auto sc = peelScale(k)) {
      scale *= sc->second;
      k = sc->first;
    }
    Value v = pv.getRhs();
    if (pv.getTransposeRhs())
      v = swapLastTwo(rewriter, loc, v);

    auto qt = cast<RankedTensorType>(q.getType());
    auto ktype = cast<RankedTensorType>(k.getType());
    auto vt = cast<RankedTensorType>(v.getType());
    Type et = qt.getElementType();
    if (qt.getRank() != rank || ktype.getRank() != rank || vt.getRank() != rank)
      return fail(qk, "Q, K and V do not have the rank of the scores "
                      "(batch dimensions are broadcast)");

    // Masks: constants with the causal pattern become `causal`; the rest are
    // summed into one additive mask.
    Value mask;
    auto addMask = [&](Value m) {
      if (!mask) {
        mask = m;
        return;
      }
      SmallVector<int64_t> shape;
      (void)broadcastShapes(cast<RankedTensorType>(mask.getType()).getShape(),
                            cast<RankedTensorType>(m.getType()).getShape(),
                            shape);
      mask = AddOp::create(rewriter, loc, RankedTensorType::get(shape, et),
                           mask, m);
    };
    for (auto [m, ms] : llvm::zip(masks, maskScales)) {
      auto mt = cast<RankedTensorType>(m.getType());
      if (mt.getElementType() != et)
        return fail(m.getDefiningOp() ? m.getDefiningOp() : sm.getOperation(),
                    "the mask's element type differs from the scores'");
      if (isCausalPattern(m, [](double x) -> std::optional<bool> {
            if (x == 0)
              return true;
            if (x <= -1e4)
              return false;
            return std::nullopt;
          })) {
        causal = true;
        continue;
      }
      Value scaled = m;
      if (ms != 1.0) {
        Value c = arith::ConstantOp::create(
            rewriter, loc,
            DenseElementsAttr::get(RankedTensorType::get({}, et),
                                   rewriter.getFloatAttr(et, ms).getValue()));
        scaled = MulOp::create(rewriter, loc, mt, m, c);
      }
      addMask(scaled);
    }
    for (auto [cond, fill] : whereMasks) {
      auto ct = cast<RankedTensorType>(cond.getType());
      auto scalar = RankedTensorType::get({}, et);
      Value zero = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(scalar, rewriter.getFloatAttr(et, 0.0).getValue()));
      Value f = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(scalar,
                                 rewriter.getFloatAttr(et, fill).getValue()));
      addMask(WhereOp::create(rewriter, loc,
                              RankedTensorType::get(ct.getShape(), et), cond,
                              zero, f));
    }

    // Rank-3 [B*H, S, D] operands attend as B = 1.
    auto to4 = [&](Value x) -> Value {
      if (rank == 4)
        return x;
      auto t = cast<RankedTensorType>(x.getType());
      SmallVector<int64_t> shape = {1};
      shape.append(t.getShape().begin(), t.getShape().end());
      SmallVector<OpFoldResult> sizes = {rewriter.getIndexAttr(1)};
      for (int64_t d = 0; d < t.getRank(); ++d)
        sizes.push_back(
            t.isDynamicDim(d)
                ? OpFoldResult(
                      tensor::DimOp::create(rewriter, loc, x, d).getResult())
                : OpFoldResult(rewriter.getIndexAttr(t.getDimSize(d))));
      return tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get(shape, t.getElementType()), x,
          SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}}, sizes);
    };
    Value q4 = to4(q), k4 = to4(k), v4 = to4(v);
    auto pvType = pv.getType();
    SmallVector<int64_t> outShape(pvType.getShape());
    if (rank == 3)
      outShape.insert(outShape.begin(), 1);
    auto outType = RankedTensorType::get(outShape, et);
    auto q4t = cast<RankedTensorType>(q4.getType());
    auto k4t = cast<RankedTensorType>(k4.getType());
    if (mask) {
      auto mt = cast<RankedTensorType>(mask.getType());
      SmallVector<int64_t> scores = {q4t.getDimSize(0), q4t.getDimSize(1),
                                     q4t.getDimSize(2), k4t.getDimSize(2)};
      SmallVector<int64_t> b;
      bool fits = mt.getRank() <= 4 &&
                  succeeded(broadcastShapes(scores, mt.getShape(), b));
      for (auto [x, y] : llvm::zip(b, scores))
        fits &= ShapedType::isDynamic(x) || ShapedType::isDynamic(y) || x == y;
      if (!fits) {
        std::string s1, s2;
        llvm::raw_string_ostream o1(s1), o2(s2);
        o1 << mt;
        llvm::interleave(scores, o2, [&](int64_t x) {
          if (ShapedType::isDynamic(x))
            o2 << "?";
          else
            o2 << x;
        }, "x");
        return fail(sm, Twine("the mask of type ") + s1 +
                            " does not broadcast to the scores [" + s2 + "]");
      }
    }
    // Everything matched: the ops may now be created and replaced.
    auto attn = AttentionOp::create(
        rewriter, loc, outType, q4, k4, v4, mask,
        rewriter.getF32FloatAttr((float)scale),
        causal ? rewriter.getUnitAttr() : nullptr, nullptr);
    Value result = attn.getResult();
    if (rank == 3) {
      result = tensor::CollapseShapeOp::create(
          rewriter, loc, pvType, result,
          SmallVector<ReassociationIndices>{{0, 1}, {2}, {3}});
      rewriter.replaceOp(pv, result);
      return success();
    }
    rewriter.replaceOp(pv, castIfNeeded(rewriter, loc, result, pvType));
    packHeads(rewriter, attn);
    return success();
  }

  static Value castIfNeeded(RewriterBase &rewriter, Location loc, Value v,
                            Type t) {
    return v.getType() == t ? v
                            : tensor::CastOp::create(rewriter, loc, t, v)
                                  .getResult();
  }

  /// Folds head split/merge Reshape/Transpose pairs into `attn`.
  static void packHeads(RewriterBase &rewriter, AttentionOp attn) {
    auto qs = matchHeadSplit(attn.getQuery());
    auto ks = matchHeadSplit(attn.getKey());
    auto vs = matchHeadSplit(attn.getValue());
    if (!qs || !ks || !vs)
      return;
    int64_t h = qs->heads;
    if (ks->heads != vs->heads || qs->dim != ks->dim || h % ks->heads)
      return;
    ReshapeOp merge = matchHeadMerge(attn.getResult(), h, vs->dim);
    if (!merge)
      return;
    auto mt = merge.getType();
    rewriter.setInsertionPoint(merge);
    // A split that pins a dynamic B or S to a constant keeps doing so (and
    // keeps its run-time size check) as a 3-D reshape.
    auto source = [&](HeadSplit hs) -> Value {
      if (!hs.pinsSizes)
        return hs.source;
      auto shape = *constantValues(hs.split.getShape(), 8);
      auto st = cast<RankedTensorType>(hs.source.getType());
      SmallVector<int64_t> dims = {(int64_t)shape[0], (int64_t)shape[1],
                                   st.getDimSize(2)};
      SmallVector<int64_t> typeDims = dims;
      for (int i = 0; i < 2; ++i)
        if (dims[i] == 0)
          typeDims[i] = st.getDimSize(i);
      auto shapeType = RankedTensorType::get({3}, rewriter.getI64Type());
      Value c = arith::ConstantOp::create(
          rewriter, hs.split.getLoc(), DenseIntElementsAttr::get(shapeType, dims));
      return ReshapeOp::create(
          rewriter, hs.split.getLoc(),
          RankedTensorType::get(typeDims, st.getElementType()), hs.source, c,
          false);
    };
    auto packed = AttentionOp::create(
        rewriter, attn.getLoc(),
        RankedTensorType::get(mt.getShape(), mt.getElementType()), source(*qs),
        source(*ks), source(*vs), attn.getMask(), attn.getScaleAttr(),
        attn.getCausalAttr(), rewriter.getI64IntegerAttr(h));
    if (failed(mlir::verify(packed, /*verifyRecursively=*/false))) {
      rewriter.eraseOp(packed);
      return;
    }
    rewriter.replaceOp(merge, packed.getResult());
  }
};

struct RaiseAttentionPass
    : tfc::impl::RaiseAttentionPassBase<RaiseAttentionPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<SoftmaxOp> candidates;
    getOperation().walk([&](SoftmaxOp op) { candidates.push_back(op); });
    IRRewriter rewriter(&getContext());
    RaiseAttention raise{remarks};
    for (SoftmaxOp op : candidates)
      (void)raise.matchAndRewrite(op, rewriter);
  }
};

} // namespace
