//===- ExternalizeWeights.cpp - weight constants -> function arguments ----===//
#include "tfc/Dialect/TFC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

namespace mlir::tfc {
#define GEN_PASS_DEF_EXTERNALIZEWEIGHTSPASS
#include "tfc/Dialect/TFC/Transforms/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;

namespace {
struct ExternalizeWeightsPass
    : tfc::impl::ExternalizeWeightsPassBase<ExternalizeWeightsPass> {
  using Base::Base;

  bool isWeight(arith::ConstantOp c) const {
    auto type = dyn_cast<RankedTensorType>(c.getType());
    if (!type || !type.hasStaticShape())
      return false;
    if (isa<DenseResourceElementsAttr>(c.getValue()))
      return true;
    auto dense = dyn_cast<DenseElementsAttr>(c.getValue());
    // i1 is bit-packed in DenseElementsAttr; bool masks stay in the code.
    if (!dense || dense.isSplat() || !type.getElementType().isIntOrFloat() ||
        type.getElementTypeBitWidth() < 8)
      return false;
    int64_t bytes =
        type.getNumElements() * (type.getElementTypeBitWidth() / 8);
    return bytes >= minBytes;
  }

  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isPrivate() || func.isExternal())
        continue;
      SmallVector<arith::ConstantOp> weights;
      func.walk([&](arith::ConstantOp c) {
        if (isWeight(c))
          weights.push_back(c);
      });
      if (weights.empty())
        continue;
      // One argument per distinct value, in first-use order.
      llvm::MapVector<Attribute, SmallVector<arith::ConstantOp>> byValue;
      for (auto c : weights)
        byValue[c.getValue()].push_back(c);
      SmallVector<Attribute> values;
      for (auto &[value, ops] : byValue) {
        unsigned index = func.getNumArguments();
        if (failed(func.insertArgument(index, ops.front().getType(), nullptr,
                                       ops.front().getLoc()))) {
          signalPassFailure();
          return;
        }
        for (auto c : ops) {
          c.replaceAllUsesWith(func.getArgument(index));
          c.erase();
        }
        values.push_back(value);
      }
      SmallVector<Attribute> all;
      if (auto old = func->getAttrOfType<ArrayAttr>("tfc.weights"))
        all.append(old.begin(), old.end());
      all.append(values);
      func->setAttr("tfc.weights", ArrayAttr::get(&getContext(), all));
    }
  }
};
} // namespace
