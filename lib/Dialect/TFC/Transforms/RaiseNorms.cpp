//===- RaiseNorms.cpp - the tfc-raise-norms pass --------------------------===//
//
// (x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps) [* gamma] [+ beta]
//     -> tfc.layer_norm
// x / sqrt(mean(x^2) + eps) [* gamma]   -> tfc.rms_norm
//
// The division may be a multiplication by reciprocal(sqrt(...)); the square
// may be pow(., 2) or a self-product. Both means reduce the same trailing
// axes with keepdims.
//
//===----------------------------------------------------------------------===//
#include "RaisingUtils.h"
#include "tfc/Dialect/TFC/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::tfc {
#define GEN_PASS_DEF_RAISENORMSPASS
#include "tfc/Dialect/TFC/Transforms/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;
using namespace mlir::tfc;

namespace {

constexpr StringLiteral kPass = "tfc-raise-norms";

/// The first normalized axis when `m` reduces exactly [axis, rank) with
/// keepdims.
std::optional<int64_t> trailingAxis(ReduceMeanOp m) {
  int64_t rank = m.getInput().getType().getRank();
  if (!m.getKeepdims() || m.getAxes().empty())
    return std::nullopt;
  SmallVector<int64_t> axes;
  for (int64_t a : m.getAxes())
    axes.push_back(normalizedAxis(a, rank));
  llvm::sort(axes);
  for (size_t i = 0; i < axes.size(); ++i)
    if (axes[i] != rank - (int64_t)axes.size() + (int64_t)i)
      return std::nullopt;
  return axes.front();
}

/// `sq` = base^2 (pow by 2, or base * base): returns base.
Value squareBase(Value sq, std::optional<double> &badExponent) {
  if (auto p = sq.getDefiningOp<PowOp>()) {
    auto e = scalarConstant(p.getRhs());
    if (e && *e == 2.0)
      return p.getLhs();
    if (e)
      badExponent = *e;
    return nullptr;
  }
  if (auto m = sq.getDefiningOp<MulOp>())
    if (m.getLhs() == m.getRhs())
      return m.getLhs();
  return nullptr;
}

/// `v` = reciprocal(d) or 1 / d: returns d.
Value reciprocalOf(Value v) {
  if (auto r = v.getDefiningOp<ReciprocalOp>())
    return r.getInput();
  if (auto d = v.getDefiningOp<DivOp>()) {
    auto one = scalarConstant(d.getLhs());
    if (one && *one == 1.0)
      return d.getRhs();
  }
  return nullptr;
}

struct Norm {
  Value input;
  int64_t axis;
  float eps;
  bool layer; // else rms
};

class NormRaiser {
public:
  explicit NormRaiser(bool remarks) : remarks(remarks) {}

  /// `op` = num / sqrt(mean(sq) + eps), or num * reciprocal(sqrt(...)).
  std::optional<Norm> match(Operation *op) {
    Value num, den;
    if (auto d = dyn_cast<DivOp>(op)) {
      if (reciprocalOf(d.getResult()))
        return std::nullopt; // 1 / sqrt(...): the multiplication is the root
      num = d.getLhs();
      den = d.getRhs();
    } else if (auto m = dyn_cast<MulOp>(op)) {
      for (auto [a, b] : {std::pair(m.getLhs(), m.getRhs()),
                          std::pair(m.getRhs(), m.getLhs())})
        if (Value r = reciprocalOf(b)) {
          num = a;
          den = r;
        }
    }
    if (!num)
      return std::nullopt;
    auto sqrt = den.getDefiningOp<SqrtOp>();
    if (!sqrt)
      return std::nullopt;
    auto add = sqrt.getInput().getDefiningOp<AddOp>();
    if (!add)
      return std::nullopt;
    ReduceMeanOp var;
    Value epsV;
    for (auto [a, b] : {std::pair(add.getLhs(), add.getRhs()),
                        std::pair(add.getRhs(), add.getLhs())})
      if (auto m = a.getDefiningOp<ReduceMeanOp>()) {
        var = m;
        epsV = b;
      }
    if (!var)
      return std::nullopt;
    // From here on the structure is a norm: mismatches are near-misses.
    auto eps = scalarConstant(epsV);
    if (!eps || *eps < 0)
      return miss(op, "epsilon is not a non-negative scalar constant");
    auto axis = trailingAxis(var);
    if (!axis)
      return miss(op, "the variance does not reduce trailing axes with "
                      "keepdims");
    std::optional<double> badExp;
    Value base = squareBase(var.getInput(), badExp);
    if (!base)
      return badExp ? miss(op, Twine("the variance raises to the power ") +
                                   std::to_string(*badExp) + ", not 2")
                    : miss(op, "the variance is not a mean of squares");
    if (base != num)
      return miss(op, "the squared value is not the normalized value");
    if (num.getType() != op->getResult(0).getType())
      return miss(op, "the normalization broadcasts its input");
    if (auto sub = num.getDefiningOp<SubOp>()) {
      if (auto mean = sub.getRhs().getDefiningOp<ReduceMeanOp>()) {
        if (mean.getInput() != sub.getLhs())
          return miss(op, "the subtracted mean is not the mean of the input");
        if (trailingAxis(mean) != axis)
          return miss(op, "the mean and the variance reduce different axes");
        return Norm{sub.getLhs(), *axis, (float)*eps, true};
      }
    }
    return Norm{num, *axis, (float)*eps, false};
  }

private:
  std::optional<Norm> miss(Operation *op, const Twine &why) {
    nearMiss(remarks, op, kPass, why);
    return std::nullopt;
  }
  bool remarks;
};

/// `v`'s only user is `OpT(v, p)` (either order) with p broadcasting only
/// over the normalized axes: returns that op and p.
template <typename OpT>
std::pair<Operation *, Value> affineUser(Value v, int64_t normalizedRank) {
  if (!v.hasOneUse())
    return {nullptr, nullptr};
  auto op = dyn_cast<OpT>(*v.getUsers().begin());
  if (!op || op.getType() != v.getType())
    return {nullptr, nullptr};
  Value p = otherOperand(op, v);
  auto pt = cast<RankedTensorType>(p.getType());
  if (p == v || pt.getRank() > normalizedRank)
    return {nullptr, nullptr};
  return {op, p};
}

struct RaiseNormsPass : tfc::impl::RaiseNormsPassBase<RaiseNormsPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<Operation *> candidates;
    getOperation().walk([&](Operation *op) {
      if (isa<DivOp, MulOp>(op))
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    NormRaiser raiser(remarks);
    llvm::SmallPtrSet<Operation *, 16> erased;
    for (Operation *op : candidates) {
      if (erased.contains(op))
        continue;
      auto n = raiser.match(op);
      if (!n)
        continue;
      Value out = op->getResult(0);
      auto type = cast<RankedTensorType>(out.getType());
      int64_t normRank = type.getRank() - n->axis;
      auto [mulOp, gamma] = affineUser<MulOp>(out, normRank);
      Operation *last = op;
      Value beta;
      if (mulOp) {
        last = mulOp;
        if (n->layer) {
          auto [addOp, b] = affineUser<AddOp>(mulOp->getResult(0), normRank);
          if (addOp) {
            last = addOp;
            beta = b;
          }
        }
      }
      rewriter.setInsertionPoint(last);
      auto axis = rewriter.getI64IntegerAttr(n->axis);
      auto eps = rewriter.getF32FloatAttr(n->eps);
      Value r;
      if (n->layer)
        r = LayerNormOp::create(rewriter, last->getLoc(), type, n->input, gamma,
                                beta, /*residual=*/nullptr, axis, eps);
      else
        r = RmsNormOp::create(rewriter, last->getLoc(), type, n->input, gamma,
                              axis, eps);
      erased.insert(last);
      rewriter.replaceOp(last, r);
    }
  }
};

} // namespace
