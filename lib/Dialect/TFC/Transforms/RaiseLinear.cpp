//===- RaiseLinear.cpp - the tfc-raise-linear pass ------------------------===//
//
// matmul(x, W) (+ b) (-> activation) with a constant 2-D W -> tfc.linear.
// The weight is transposed to the [N, K] layout at compile time.
//
//===----------------------------------------------------------------------===//
#include "RaisingUtils.h"
#include "tfc/Dialect/TFC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cstring>

namespace mlir::tfc {
#define GEN_PASS_DEF_RAISELINEARPASS
#include "tfc/Dialect/TFC/Transforms/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;
using namespace mlir::tfc;

namespace {

constexpr StringLiteral kPass = "tfc-raise-linear";

/// out[j][i] = in[i][j] for a [k, n] matrix of T, in 32 x 32 blocks (both
/// sides stay in cache; the element-wise version missed on every store).
template <typename T>
void transposeBlocked(const char *inBytes, char *outBytes, int64_t k,
                      int64_t n) {
  constexpr int64_t kBlock = 32;
  for (int64_t i0 = 0; i0 < k; i0 += kBlock)
    for (int64_t j0 = 0; j0 < n; j0 += kBlock)
      for (int64_t i = i0; i < std::min(k, i0 + kBlock); ++i)
        for (int64_t j = j0; j < std::min(n, j0 + kBlock); ++j) {
          T v;
          std::memcpy(&v, inBytes + (i * n + j) * sizeof(T), sizeof(T));
          std::memcpy(outBytes + (j * k + i) * sizeof(T), &v, sizeof(T));
        }
}

/// A constant [N, K] copy of the constant [K, N] matrix `w`.
Value transposedConstant(OpBuilder &b, Location loc, Value w) {
  std::vector<char> storage;
  ArrayRef<char> raw = constantBytes(w, storage);
  auto t = cast<RankedTensorType>(w.getType());
  if (raw.empty())
    return nullptr;
  int64_t k = t.getDimSize(0), n = t.getDimSize(1);
  size_t e = t.getElementType().getIntOrFloatBitWidth() / 8;
  auto type = RankedTensorType::get({n, k}, t.getElementType());
  auto fill = [&](MutableArrayRef<char> out) {
    switch (e) {
    case 1: return transposeBlocked<uint8_t>(raw.data(), out.data(), k, n);
    case 2: return transposeBlocked<uint16_t>(raw.data(), out.data(), k, n);
    case 4: return transposeBlocked<uint32_t>(raw.data(), out.data(), k, n);
    default: return transposeBlocked<uint64_t>(raw.data(), out.data(), k, n);
    }
  };
  return createConstant(b, loc, type, fill);
}

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
    rewriter.setInsertionPoint(op);
    Value weight = op.getTransposeRhs() ? w
                                        : transposedConstant(rewriter,
                                                             op.getLoc(), w);
    if (!weight)
      return nearMiss(remarks, op, kPass, "the weight's bytes are unreadable");
    int64_t n = cast<RankedTensorType>(weight.getType()).getDimSize(0);

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
    auto lin = LinearOp::create(rewriter, op.getLoc(), op.getType(), x,
                                weight, bias, activation);
    rewriter.replaceOp(replaced, lin.getResult());
  }
};

} // namespace
