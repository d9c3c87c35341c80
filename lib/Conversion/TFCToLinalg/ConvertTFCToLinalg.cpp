//===- ConvertTFCToLinalg.cpp - the convert-tfc-to-linalg pass ------------===//
#include "LoweringUtils.h"
#include "tfc/Conversion/Passes.h"
#include "tfc/Dialect/TFC/IR/TFC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::tfc {
#define GEN_PASS_DEF_CONVERTTFCTOLINALGPASS
#include "tfc/Conversion/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;
using namespace mlir::tfc;

void mlir::tfc::populateTFCToLinalgPatterns(RewritePatternSet &patterns) {
  populateElementwiseLoweringPatterns(patterns);
  populateContractionLoweringPatterns(patterns);
  populateNormalizationLoweringPatterns(patterns);
  populateAttentionLoweringPatterns(patterns);
  populateDataMovementLoweringPatterns(patterns);
  populateShapeLoweringPatterns(patterns);
  populateCumSumLoweringPatterns(patterns);
}

namespace {
struct ConvertTFCToLinalgPass
    : tfc::impl::ConvertTFCToLinalgPassBase<ConvertTFCToLinalgPass> {
  void runOnOperation() override {
    prepareRunChecks(getOperation());
    RewritePatternSet patterns(&getContext());
    populateTFCToLinalgPatterns(patterns);
    // Expansions create tfc ops that are lowered in turn, so a greedy driver
    // (rather than a one-shot dialect conversion) runs to a fixpoint.
    GreedyRewriteConfig config;
    config.setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    (void)applyPatternsGreedily(getOperation(), std::move(patterns), config);
    bool failed = false;
    getOperation().walk([&](Operation *op) {
      if (isa<TFCDialect>(op->getDialect())) {
        op->emitError("tfc: cannot lower '")
            << op->getName() << "' to linalg (unsupported form of this op)";
        failed = true;
      }
    });
    if (failed)
      signalPassFailure();
  }
};
} // namespace
