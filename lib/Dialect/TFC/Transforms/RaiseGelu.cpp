//===- RaiseGelu.cpp - the tfc-raise-gelu pass ----------------------------===//
//
// 0.5 * x * (1 + erf(x / sqrt(2)))                          -> tfc.gelu
// 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))   -> tfc.gelu tanh
//
// Products are flattened (productFactors), so the 0.5 may sit on either
// factor and divisions by constants count as multiplications.
//
//===----------------------------------------------------------------------===//
#include "RaisingUtils.h"
#include "tfc/Dialect/TFC/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cmath>

namespace mlir::tfc {
#define GEN_PASS_DEF_RAISEGELUPASS
#include "tfc/Dialect/TFC/Transforms/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;
using namespace mlir::tfc;

namespace {

constexpr StringLiteral kPass = "tfc-raise-gelu";

/// `v` = 1 + f(arg) (either order) with f of type OpT: returns arg.
template <typename OpT>
Value matchOnePlus(Value v) {
  auto add = v.getDefiningOp<AddOp>();
  if (!add)
    return nullptr;
  for (auto [a, b] : {std::pair(add.getLhs(), add.getRhs()),
                      std::pair(add.getRhs(), add.getLhs())}) {
    auto one = scalarConstant(b);
    if (one && *one == 1.0)
      if (auto f = a.getDefiningOp<OpT>())
        return f.getInput();
  }
  return nullptr;
}

/// `v` = x^3 as pow(x, 3) or a product x * x * x.
bool isCube(Value v, Value x, double &constant) {
  SmallVector<Value> fs;
  productFactors(v, constant, fs, /*root=*/true);
  if (fs.size() == 1)
    if (auto p = fs[0].getDefiningOp<PowOp>()) {
      auto e = scalarConstant(p.getRhs());
      return p.getLhs() == x && e && *e == 3.0;
    }
  return fs.size() == 3 && llvm::all_of(fs, [&](Value f) { return f == x; });
}

struct GeluMatch {
  Value x;
  bool tanh;
};

class GeluRaiser {
public:
  explicit GeluRaiser(bool remarks) : remarks(remarks) {}

  std::optional<GeluMatch> match(MulOp root) {
    // An inner product of a larger one is tried too, but only the outermost
    // product reports near-misses (once per candidate).
    bool inner = root.getResult().hasOneUse() &&
                 isa<MulOp>(*root.getResult().getUsers().begin());
    bool remarks = this->remarks && !inner;
    double c = 1.0;
    SmallVector<Value> fs;
    productFactors(root.getResult(), c, fs);
    if (fs.size() != 2)
      return std::nullopt;
    for (int i = 0; i < 2; ++i) {
      Value x = fs[i], t = fs[1 - i];
      if (x.getType() != root.getType())
        continue;
      if (Value z = matchOnePlus<ErfOp>(t)) {
        // z = x * (1/sqrt 2)
        double zc = 1.0;
        SmallVector<Value> zf;
        productFactors(z, zc, zf);
        if (zf.size() != 1 || zf[0] != x)
          continue;
        if (!nearlyEqual(zc, M_SQRT1_2) || !nearlyEqual(c, 0.5)) {
          nearMiss(remarks, root, kPass,
                   Twine("erf form with constants ") + std::to_string(zc) +
                       " and " + std::to_string(c) +
                       " (need 1/sqrt(2) = 0.7071 and 0.5)");
          continue;
        }
        return GeluMatch{x, false};
      }
      if (Value u = matchOnePlus<TanhOp>(t)) {
        // u = k * (x + a * x^3)
        double k = 1.0;
        SmallVector<Value> uf;
        productFactors(u, k, uf);
        if (uf.size() != 1)
          continue;
        auto inner = uf[0].getDefiningOp<AddOp>();
        if (!inner)
          continue;
        for (auto [lin, cub] : {std::pair(inner.getLhs(), inner.getRhs()),
                                std::pair(inner.getRhs(), inner.getLhs())}) {
          double a = 1.0;
          if (lin != x || !isCube(cub, x, a))
            continue;
          if (!nearlyEqual(k, std::sqrt(2.0 / M_PI)) ||
              !nearlyEqual(a, 0.044715) || !nearlyEqual(c, 0.5)) {
            nearMiss(remarks, root, kPass,
                     Twine("tanh form with constants ") + std::to_string(k) +
                         ", " + std::to_string(a) + ", " + std::to_string(c) +
                         " (need sqrt(2/pi) = 0.79788, 0.044715, 0.5)");
            continue;
          }
          return GeluMatch{x, true};
        }
      }
    }
    return std::nullopt;
  }

private:
  bool remarks;
};

struct RaiseGeluPass : tfc::impl::RaiseGeluPassBase<RaiseGeluPass> {
  using Base::Base;
  void runOnOperation() override {
    // Outermost products first: walk in post-order and skip products that
    // feed another product of the same match.
    SmallVector<MulOp> muls;
    getOperation().walk([&](MulOp op) { muls.push_back(op); });
    IRRewriter rewriter(&getContext());
    GeluRaiser raiser(remarks);
    for (MulOp op : llvm::reverse(muls)) {
      if (op.getResult().use_empty()) // an inner product of a raised gelu
        continue;
      auto m = raiser.match(op);
      if (!m || !isa<FloatType>(op.getType().getElementType()))
        continue;
      rewriter.setInsertionPoint(op);
      rewriter.replaceOpWithNewOp<GeluOp>(op, m->x,
                                          m->tanh ? "tanh" : "none");
    }
  }
};

} // namespace
