//===- ParallelizeElementwise.cpp - tfc-cpu-parallelize-elementwise -------===//
//
// Large all-parallel generics (GELU, adds, casts) become an scf.forall of
// `threads` chunks through upstream's TilingInterface (scf::tileUsingSCF);
// the multithreaded pipeline runs the forall on OpenMP threads.
//
//===----------------------------------------------------------------------===//
#include "tfc/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace mlir::tfc {
#define GEN_PASS_DEF_PARALLELIZEELEMENTWISEPASS
#include "tfc/Target/CPU/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;

namespace {

struct ParallelizeElementwisePass
    : tfc::impl::ParallelizeElementwisePassBase<ParallelizeElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    if (threads < 2)
      return;
    SmallVector<std::pair<linalg::GenericOp, int64_t>> candidates;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op->getParentOfType<LoopLikeOpInterface>() ||
          !op.hasPureTensorSemantics() ||
          op.getNumParallelLoops() != op.getNumLoops() || op.getNumLoops() == 0)
        return;
      SmallVector<int64_t> bounds = op.getStaticLoopRanges();
      int64_t elements = 1, split = -1;
      for (auto [d, n] : llvm::enumerate(bounds)) {
        if (ShapedType::isDynamic(n))
          continue; // counted as 1: unknown sizes are not split
        elements *= n;
        if (split < 0 && n >= threads)
          split = d;
      }
      if (split >= 0 && elements >= minElements)
        candidates.push_back({op, split});
    });
    IRRewriter rewriter(&getContext());
    for (auto [op, split] : candidates) {
      int64_t n = op.getStaticLoopRanges()[split];
      SmallVector<OpFoldResult> sizes(op.getNumLoops(),
                                      rewriter.getIndexAttr(0));
      sizes[split] = rewriter.getIndexAttr(llvm::divideCeil(n, threads));
      scf::SCFTilingOptions options;
      options.setTileSizes(sizes);
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue; // leave it on one thread: still correct
      rewriter.replaceOp(op, tiled->replacements);
    }
  }
};

} // namespace
