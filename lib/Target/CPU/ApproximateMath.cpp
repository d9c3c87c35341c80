//===- ApproximateMath.cpp - the tfc-cpu-approximate-math pass ------------===//
//
// Upstream's polynomial approximations of f32 exp and tanh, and tfc's own
// rational erf, applied only to those ops (and what their rewrites create),
// not as a module-wide greedy rewrite.
//
//===----------------------------------------------------------------------===//
#include "tfc/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tfc {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "tfc/Target/CPU/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;

namespace {

bool approximatedUpstream(StringRef name) {
  return name == "exp" || name == "tanh" ||
         name == math::ExpOp::getOperationName() ||
         name == math::TanhOp::getOperationName();
}

/// f32 erf(x) = t * P(t^2) / Q(t^2), t = x clamped to [-3.92, 3.92]
/// (erf(3.92) rounds to 1 in f32), the result clamped to [-1, 1]: a
/// (13, 8) rational fitted here (minimax relative error on [0, 3.92] with
/// P(0) = 2/sqrt(pi), 4.9e-8 in float64; 3.7 ulp simulated in f32 with
/// FMAs). 18 ops and one division, where upstream's three intervals take
/// 37 ops (21 of them selects choosing the interval's coefficients) and
/// one division; GELU runs this once per output of BERT's first FFN
/// GEMMs. Both clamps are compare-selects that keep NaN (vmaxps order).
struct RationalErf : OpRewritePattern<math::ErfOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::ErfOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!getElementTypeOrSelf(type).isF32())
      return failure();
    static constexpr float kP[] = {1.12837923f,     0.201455474f,
                                   0.0507830717f,   0.00376771251f,
                                   0.000143453974f, -1.96394672e-06f,
                                   1.9887997e-08f};
    static constexpr float kQ[] = {1.0f, 0.511867106f, 0.115637027f,
                                   0.0144876782f, 0.000972092443f};
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    auto cst = [&](float v) -> Value {
      TypedAttr a = b.getF32FloatAttr(v);
      if (auto shaped = dyn_cast<ShapedType>(type))
        a = SplatElementsAttr::get(shaped, a);
      return arith::ConstantOp::create(b, a);
    };
    // lo < v ? lo : v, then v > hi ? hi : v: NaN stays NaN.
    auto clamp = [&](Value v, float bound) {
      Value lo = cst(-bound), hi = cst(bound);
      v = arith::SelectOp::create(
          b, arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, lo, v), lo,
          v);
      return arith::SelectOp::create(
          b, arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, v, hi), hi,
          v);
    };
    Value t = clamp(op.getOperand(), 3.92f);
    Value u = arith::MulFOp::create(b, t, t);
    auto horner = [&](ArrayRef<float> c) {
      Value acc = cst(c.back());
      for (float k : llvm::reverse(c.drop_back()))
        acc = math::FmaOp::create(b, acc, u, cst(k));
      return acc;
    };
    Value erf = arith::DivFOp::create(
        b, arith::MulFOp::create(b, t, horner(kP)), horner(kQ));
    rewriter.replaceOp(op, clamp(erf, 1.0f));
    return success();
  }
};

struct ApproximateMathPass
    : tfc::impl::ApproximateMathPassBase<ApproximateMathPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<math::ExpOp, math::ErfOp, math::TanhOp>(op) &&
          getElementTypeOrSelf(op->getResult(0).getType()).isF32())
        ops.push_back(op);
    });
    if (ops.empty())
      return;
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns, approximatedUpstream);
    patterns.add<RationalErf>(&getContext());
    GreedyRewriteConfig config;
    config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
    if (failed(applyOpPatternsGreedily(ops, std::move(patterns), config)))
      return signalPassFailure();
    // The polynomials are math.fma chains; the libm lowering would make
    // each an fmaf call, which keeps LLVM from vectorizing the loop.
    getOperation()->walk([](math::FmaOp fma) {
      OpBuilder b(fma);
      fma.replaceAllUsesWith(LLVM::FMAOp::create(b, fma.getLoc(), fma.getA(),
                                                 fma.getB(), fma.getC())
                                 .getResult());
      fma.erase();
    });
  }
};

} // namespace
