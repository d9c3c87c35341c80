//===- MergeQKV.cpp - the tfc-merge-qkv pass ------------------------------===//
//
// Linears that read the same input with constant weights (the Q, K and V
// projections) become one linear over the concatenated weights, followed by
// a split of its last axis: one GEMM streams the input once.
//
//===----------------------------------------------------------------------===//
#include "RaisingUtils.h"
#include "tfc/Dialect/TFC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

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
    // Group by input, in program order.
    llvm::MapVector<Value, SmallVector<LinearOp>> groups;
    getOperation().walk([&](LinearOp op) {
      if (mergeable(op))
        groups[op.getInput()].push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (auto &[input, ops] : groups) {
      // One element type and one K; at least two.
      auto wt0 = ops.front().getWeight().getType();
      llvm::erase_if(ops, [&](LinearOp op) {
        auto wt = op.getWeight().getType();
        return wt.getElementType() != wt0.getElementType() ||
               wt.getDimSize(1) != wt0.getDimSize(1);
      });
      if (ops.size() < 2)
        continue;
      merge(rewriter, input, ops);
    }
  }

  void merge(IRRewriter &rewriter, Value input, SmallVector<LinearOp> ops) {
    auto wt0 = ops.front().getWeight().getType();
    Type et = wt0.getElementType();
    int64_t k = wt0.getDimSize(1);
    size_t e = et.getIntOrFloatBitWidth() / 8;
    bool anyBias = llvm::any_of(ops, [](LinearOp op) { return op.getBias(); });
    SmallVector<int64_t> sizes;
    for (LinearOp op : ops)
      sizes.push_back(op.getWeight().getType().getDimSize(0));
    int64_t total = 0;
    for (int64_t n : sizes)
      total += n;
    // The first linear comes first in its block; its input dominates it.
    rewriter.setInsertionPoint(ops.front());
    Location loc = ops.front().getLoc();
    // Each operand's bytes straight into the merged constant (no growing
    // buffer: BERT-base's Q, K and V weights are 7 MB a layer).
    auto concat = [&](MutableArrayRef<char> out, bool bias) {
      char *at = out.data();
      for (auto [op, n] : llvm::zip(ops, sizes)) {
        Value v = bias ? op.getBias() : op.getWeight();
        size_t bytes = n * (bias ? 1 : k) * e;
        std::vector<char> storage;
        ArrayRef<char> data = v ? constantBytes(v, storage) : ArrayRef<char>();
        if (data.size() == bytes)
          std::memcpy(at, data.data(), bytes);
        else
          std::memset(at, 0, bytes); // no bias: zeros
        at += bytes;
      }
    };
    Value w = createConstant(
        rewriter, loc, RankedTensorType::get({total, k}, et),
        [&](MutableArrayRef<char> out) { concat(out, false); });
    Value b;
    if (anyBias)
      b = createConstant(rewriter, loc, RankedTensorType::get({total}, et),
                         [&](MutableArrayRef<char> out) { concat(out, true); });
    auto rt = ops.front().getType();
    SmallVector<int64_t> shape(rt.getShape());
    shape.back() = total;
    auto lin = LinearOp::create(rewriter, loc, RankedTensorType::get(shape, et),
                                input, w, b, "none");
    SmallVector<Type> types;
    for (LinearOp op : ops)
      types.push_back(op.getType());
    int64_t axis = rt.getRank() - 1;
    auto split = SplitOp::create(rewriter, loc, types, lin.getResult(),
                                 rewriter.getI64IntegerAttr(axis),
                                 rewriter.getDenseI64ArrayAttr(sizes));
    for (auto [op, r] : llvm::zip(ops, split.getResults()))
      rewriter.replaceOp(op, r);
  }
};

} // namespace
