//===- RaiseLinear.cpp - the tfc-raise-linear pass ------------------------===//
//
// matmul(x, W) (+ b) (-> activation) with a constant 2-D W -> tfc.linear.
// The weight keeps its bytes: a [K, N] W (ONNX MatMul's) becomes a
// `weight_layout = "kn"` linear, a transposed one ([N, K]) an "nk" one.
//
//===----------------------------------------------------------------------===//
#include "RaisingUtils.h"
#include "tfc/Dialect/TFC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::tfc {
#define GEN_PASS_DEF_RAISELINEARPASS
#include "tfc/Dialect/TFC/Transforms/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;
using namespace mlir::tfc;

namespace {

constexpr StringLiteral kPass = "tfc-raise-linear";

struct RaiseLinearPass : tfc::impl::RaiseLinearPassBase<RaiseLinearPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<MatmulOp> candidates;
    getOperation().walk([&](MatmulOp op) { candidates.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (MatmulOp op : candidates)
      raise(rewriter, op);
  }

  void raise(IRRewriter &rewriter, MatmulOp op) {
    Value x = op.getLhs(), w = op.getRhs();
    auto wt = cast<RankedTensorType>(w.getType());
    auto xt = cast<RankedTensorType>(x.getType());
    if (!w.getDefiningOp<arith::ConstantOp>())
      return; // activations times activations (attention): not a layer
    if (wt.getRank() != 2 || xt.getRank() < 2 || op.getTransposeLhs() ||
        !wt.hasStaticShape() || !wt.getElementType().isIntOrFloat())
      return nearMiss(remarks, op, kPass,
                      "the constant operand is not a 2-D right-hand weight");
    // No copy: the packing passes read either layout (a transposed copy of
    // every weight was 12 % of BERT-base's compile time, mostly page
    // faults).
    bool nk = op.getTransposeRhs();
    StringRef layout = nk ? "nk" : "kn";
    int64_t n = wt.getDimSize(nk ? 0 : 1);

    Value out = op.getResult();
    Operation *last = op;
    Value bias;
    if (out.hasOneUse())
      if (auto add = dyn_cast<AddOp>(*out.getUsers().begin())) {
        Value b = otherOperand(add, out);
        auto bt = cast<RankedTensorType>(b.getType());
        if (b != out && add.getType() == op.getType()) {
          if (bt.getRank() == 1 && bt.getDimSize(0) == n) {
            bias = b;
            last = add;
          } else if (b.getDefiningOp<arith::ConstantOp>()) {
            nearMiss(remarks, add, kPass,
                     "the added constant is not a rank-1 bias of the output "
                     "size");
          }
        }
      }
    StringRef activation = "none";
    Value y = last->getResult(0);
    Operation *actOp = nullptr;
    if (y.hasOneUse()) {
      Operation *user = *y.getUsers().begin();
      if (auto g = dyn_cast<GeluOp>(user)) {
        activation = g.getApproximate() == "tanh" ? "gelu_tanh" : "gelu";
        actOp = g;
      } else if (isa<ReluOp>(user)) {
        activation = "relu";
        actOp = user;
      }
    } else if (std::distance(y.getUses().begin(), y.getUses().end()) == 2) {
      // silu: y * sigmoid(y)
      for (Operation *user : y.getUsers())
        if (auto s = dyn_cast<SigmoidOp>(user))
          if (s.getResult().hasOneUse())
            if (auto m = dyn_cast<MulOp>(*s.getResult().getUsers().begin()))
              if (otherOperand(m, s.getResult()) == y &&
                  m.getType() == y.getType()) {
                activation = "silu";
                actOp = m;
              }
    }
    if (actOp && !isa<FloatType>(op.getType().getElementType()))
      actOp = nullptr, activation = "none";
    Operation *replaced = actOp ? actOp : last;
    rewriter.setInsertionPoint(replaced);
    auto lin = LinearOp::create(rewriter, op.getLoc(), op.getType(), x, w, bias,
                                activation, layout);
    rewriter.replaceOp(replaced, lin.getResult());
  }
};

} // namespace
