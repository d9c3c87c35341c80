//===- ApproximateMath.cpp - the tfc-cpu-approximate-math pass ------------===//
//
// Upstream's polynomial approximations, applied only to the f32 exp, erf and
// tanh ops (and what their rewrites create), not as a module-wide greedy
// rewrite.
//
//===----------------------------------------------------------------------===//
#include "tfc/Target/CPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tfc {
#define GEN_PASS_DEF_APPROXIMATEMATHPASS
#include "tfc/Target/CPU/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;

namespace {

bool approximated(StringRef name) {
  return name == "exp" || name == "erf" || name == "tanh" ||
         name == math::ExpOp::getOperationName() ||
         name == math::ErfOp::getOperationName() ||
         name == math::TanhOp::getOperationName();
}

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
    populateMathPolynomialApproximationPatterns(patterns, approximated);
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
