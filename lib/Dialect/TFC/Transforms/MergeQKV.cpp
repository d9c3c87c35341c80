//===- MergeQKV.cpp - the tfc-merge-qkv pass ------------------------------===//
//
// Linears that read the same input with constant weights (the Q, K and V
// projections) become one linear over the concatenated weights, followed by
// a split of its last axis: one GEMM streams the input once.
//
//===----------------------------------------------------------------------===//
#include "RaisingUtils.h"
#include "tfc/Dialect/TFC/IR/WeightStorage.h"
#include "tfc/Dialect/TFC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/RegionUtils.h"

#include <cstring>

namespace mlir::tfc {
#define GEN_PASS_DEF_MERGEQKVPASS
#include "tfc/Dialect/TFC/Transforms/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;
using namespace mlir::tfc;

namespace {

bool mergeable(LinearOp op) {
  auto wt = op.getWeight().getType();
  std::vector<char> s1, s2;
  return op.getActivation() == "none" && wt.hasStaticShape() &&
         !constantBytes(op.getWeight(), s1).empty() &&
         (!op.getBias() || !constantBytes(op.getBias(), s2).empty());
}

struct MergeQKVPass : tfc::impl::MergeQKVPassBase<MergeQKVPass> {
  using Base::Base;

  void runOnOperation() override {
    if (releaseWeights) {
      // Ops the raising passes left dead (a linear's matmul and add) still
      // read the weights until the next canonicalization.
      IRRewriter rewriter(&getContext());
      (void)runRegionDCE(rewriter, getOperation()->getRegions());
      releaser.emplace(getOperation());
    }
    // Group by input, in program order.
    llvm::MapVector<Value, SmallVector<LinearOp>> groups;
    getOperation().walk([&](LinearOp op) {
      if (mergeable(op))
        groups[op.getInput()].push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (auto &[input, ops] : groups) {
      // One element type, one weight layout and one K; at least two.
      LinearOp first = ops.front();
      auto wt0 = first.getWeight().getType();
      llvm::erase_if(ops, [&](LinearOp op) {
        auto wt = op.getWeight().getType();
        return wt.getElementType() != wt0.getElementType() ||
               op.getWeightLayout() != first.getWeightLayout() ||
               wt.getDimSize(op.getWeightKDim()) !=
                   wt0.getDimSize(first.getWeightKDim());
      });
      if (ops.size() < 2)
        continue;
      merge(rewriter, input, ops);
    }
  }

  void merge(IRRewriter &rewriter, Value input, SmallVector<LinearOp> ops) {
    LinearOp first = ops.front();
    auto wt0 = first.getWeight().getType();
    Type et = wt0.getElementType();
    int64_t k = wt0.getDimSize(first.getWeightKDim());
    bool kn = first.isWeightKN();
    size_t e = et.getIntOrFloatBitWidth() / 8;
    bool anyBias = llvm::any_of(ops, [](LinearOp op) { return op.getBias(); });
    SmallVector<int64_t> sizes;
    for (LinearOp op : ops)
      sizes.push_back(op.getWeight().getType().getDimSize(op.getWeightNDim()));
    int64_t total = 0;
    for (int64_t n : sizes)
      total += n;
    // The first linear comes first in its block; its input dominates it.
    rewriter.setInsertionPoint(ops.front());
    Location loc = ops.front().getLoc();
    // Each operand's bytes straight into the merged constant (no growing
    // buffer: BERT-base's Q, K and V weights are 7 MB a layer): N-blocks
    // one after the other ([N, K], and biases), or side by side in each of
    // the K rows ([K, N]).
    auto concat = [&](MutableArrayRef<char> out, bool bias) {
      bool sideBySide = kn && !bias;
      int64_t rows = sideBySide ? k : 1;
      // Elements per output feature within one row.
      int64_t perFeature = bias || sideBySide ? 1 : k;
      size_t rowBytes = total * perFeature * e;
      size_t offset = 0;
      for (auto [op, n] : llvm::zip(ops, sizes)) {
        Value v = bias ? op.getBias() : op.getWeight();
        size_t bytes = n * perFeature * e; // of one row
        std::vector<char> storage;
        ArrayRef<char> data = v ? constantBytes(v, storage) : ArrayRef<char>();
        for (int64_t r = 0; r < rows; ++r) {
          char *at = out.data() + r * rowBytes + offset;
          if (data.size() == bytes * rows)
            std::memcpy(at, data.data() + r * bytes, bytes);
          else
            std::memset(at, 0, bytes); // no bias: zeros
        }
        offset += bytes;
      }
    };
    auto wType = kn ? RankedTensorType::get({k, total}, et)
                    : RankedTensorType::get({total, k}, et);
    Value w =
        createConstant(rewriter, loc, wType,
                       [&](MutableArrayRef<char> out) { concat(out, false); });
    Value b;
    if (anyBias)
      b = createConstant(rewriter, loc, RankedTensorType::get({total}, et),
                         [&](MutableArrayRef<char> out) { concat(out, true); });
    auto rt = ops.front().getType();
    SmallVector<int64_t> shape(rt.getShape());
    shape.back() = total;
    auto lin = LinearOp::create(rewriter, loc, RankedTensorType::get(shape, et),
                                input, w, b, "none", first.getWeightLayout());
    SmallVector<Type> types;
    for (LinearOp op : ops)
      types.push_back(op.getType());
    int64_t axis = rt.getRank() - 1;
    auto split = SplitOp::create(rewriter, loc, types, lin.getResult(),
                                 rewriter.getI64IntegerAttr(axis),
                                 rewriter.getDenseI64ArrayAttr(sizes));
    SetVector<Operation *> parts;
    for (LinearOp op : ops)
      for (Value v : {op.getWeight(), op.getBias()})
        if (auto def = v ? v.getDefiningOp<arith::ConstantOp>() : nullptr)
          parts.insert(def);
    for (auto [op, r] : llvm::zip(ops, split.getResults()))
      rewriter.replaceOp(op, r);
    // The weights and biases merged, when nothing else reads them.
    if (releaser)
      for (Operation *def : parts)
        if (def->use_empty()) {
          releaser->dropReferences(def);
          rewriter.eraseOp(def);
        }
  }

  std::optional<tfc::WeightReleaser> releaser;
};

} // namespace
