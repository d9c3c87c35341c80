//===- FuseResidualNorm.cpp - the tfc-fuse-residual-norm pass -------------===//
//
// layer_norm(a + b) -> layer_norm(a) residual(b) when the sum feeds nothing
// else (post-norm blocks: BERT's LayerNorm(x + Attention(x))). In pre-norm
// blocks the sum is also the residual stream, so it stays an add.
//
//===----------------------------------------------------------------------===//
#include "RaisingUtils.h"
#include "tfc/Dialect/TFC/Transforms/Passes.h"

namespace mlir::tfc {
#define GEN_PASS_DEF_FUSERESIDUALNORMPASS
#include "tfc/Dialect/TFC/Transforms/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;
using namespace mlir::tfc;

namespace {

struct FuseResidualNormPass
    : tfc::impl::FuseResidualNormPassBase<FuseResidualNormPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](LayerNormOp ln) {
      auto add = ln.getInput().getDefiningOp<AddOp>();
      if (ln.getResidual() || !add || !add.getResult().hasOneUse())
        return;
      Type t = ln.getInput().getType();
      if (add.getLhs().getType() != t || add.getRhs().getType() != t)
        return; // a broadcasting add is not a residual
      rewriter.modifyOpInPlace(ln, [&] {
        ln.getInputMutable().assign(add.getLhs());
        ln.getResidualMutable().assign(add.getRhs());
      });
      rewriter.eraseOp(add);
    });
  }
};

} // namespace
