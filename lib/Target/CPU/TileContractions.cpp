//===- TileContractions.cpp - the tfc-cpu-tile-contractions pass ----------===//
//
// Cache blocking of the lowered contractions with upstream's TilingInterface
// (scf::tileUsingSCF); the inner tile is then lowered to loops whose
// reduction LLVM vectorizes.
//
//===----------------------------------------------------------------------===//
#include "tfc/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace mlir::tfc {
#define GEN_PASS_DEF_TILECONTRACTIONSPASS
#include "tfc/Target/CPU/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;

namespace {

struct TileContractionsPass
    : tfc::impl::TileContractionsPassBase<TileContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> candidates;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op->getParentOfType<LoopLikeOpInterface>())
        return; // already inside a kernel's loops
      auto iters = op.getIteratorTypesArray();
      int parallel = llvm::count(iters, utils::IteratorType::parallel);
      // A static size of 0 leaves nothing to tile (and crashed upstream's
      // tile size computation).
      bool empty = llvm::any_of(op->getOperandTypes(), [](Type t) {
        auto shaped = dyn_cast<ShapedType>(t);
        return shaped && llvm::is_contained(shaped.getShape(), 0);
      });
      if (parallel >= 2 && parallel < (int)iters.size() && !empty)
        candidates.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : candidates) {
      auto iters = op.getIteratorTypesArray();
      SmallVector<int64_t> parallelDims;
      for (auto [i, it] : llvm::enumerate(iters))
        if (it == utils::IteratorType::parallel)
          parallelDims.push_back(i);
      SmallVector<OpFoldResult> sizes(iters.size(), rewriter.getIndexAttr(0));
      for (int64_t d : parallelDims)
        sizes[d] = rewriter.getIndexAttr(1);
      sizes[parallelDims[parallelDims.size() - 2]] = rewriter.getIndexAttr(rows);
      sizes[parallelDims.back()] = rewriter.getIndexAttr(cols);
      scf::SCFTilingOptions options;
      options.setTileSizes(sizes);
      if (forall)
        options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue; // leave it untiled: still correct
      rewriter.replaceOp(op, tiled->replacements);
    }
  }
};

} // namespace
