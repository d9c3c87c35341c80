//===- RunChecks.cpp - checks of run-time values that report an error ----===//
//
// Some errors depend on run-time values: a Gather index outside its axis
// (a token id at or above the vocabulary size). Compiled code must not read
// out of bounds, and must not hand back a wrong answer either, nor abort the
// caller's process. So such an op clamps what it reads and records the
// failure in a status buffer, memref<2xi64> (check number from 1, and the
// offending value), that the runtime passes in right after the inputs and
// reads after the run: tfc_model_run then fails with the check's message.
//
// The function gets that argument (attribute tfc.run_status) before the
// patterns run, when it holds an op that needs a check; the messages, one
// per check, are its attribute tfc.run_checks, and each checked op carries
// its number as tfc.check.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "tfc/Dialect/TFC/IR/TFC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::tfc;

static constexpr StringLiteral kStatusAttr = "tfc.run_status";
static constexpr StringLiteral kChecksAttr = "tfc.run_checks";
static constexpr StringLiteral kCheckAttr = "tfc.check";

/// The node name of `loc` (the ONNX node), or "".
static std::string nodeName(Location loc) {
  if (auto n = dyn_cast<NameLoc>(loc))
    return n.getName().str();
  if (auto f = dyn_cast<FusedLoc>(loc))
    for (Location l : f.getLocations())
      if (auto n = dyn_cast<NameLoc>(l))
        return n.getName().str();
  return "";
}

void mlir::tfc::prepareRunChecks(func::FuncOp func) {
  if (func.isExternal())
    return;
  SmallVector<Attribute> messages;
  if (auto old = func->getAttrOfType<ArrayAttr>(kChecksAttr))
    messages.assign(old.begin(), old.end());
  MLIRContext *ctx = func.getContext();
  func.walk([&](GatherOp g) {
    if (g->hasAttr(kCheckAttr) || matchPattern(g.getIndices(), m_Constant()))
      return;
    std::string name = nodeName(g.getLoc());
    int64_t size = g.getData().getType().getDimSize(g.getAxis());
    std::string text =
        (name.empty() ? std::string("a Gather")
                      : "node '" + name + "' (Gather)") +
        ": an index is outside the axis of " +
        (ShapedType::isDynamic(size) ? std::string("its data")
                                     : std::to_string(size) + " entries") +
        " (indices count from -size to size - 1)";
    messages.push_back(StringAttr::get(ctx, text));
    g->setAttr(kCheckAttr,
               IntegerAttr::get(IntegerType::get(ctx, 64), messages.size()));
  });
  if (messages.empty())
    return;
  func->setAttr(kChecksAttr, ArrayAttr::get(ctx, messages));
  if (runStatus(func))
    return;
  auto type = MemRefType::get({2}, IntegerType::get(ctx, 64));
  unsigned pos = func.getNumArguments();
  (void)func.insertArgument(pos, type,
                            DictionaryAttr::get(ctx, {NamedAttribute(
                                                         StringAttr::get(ctx, kStatusAttr),
                                                         UnitAttr::get(ctx))}),
                            func.getLoc());
}

Value mlir::tfc::runStatus(Operation *op) {
  auto func = isa<func::FuncOp>(op) ? cast<func::FuncOp>(op)
                                    : op->getParentOfType<func::FuncOp>();
  if (!func || func.isExternal())
    return {};
  for (unsigned i = 0, n = func.getNumArguments(); i < n; ++i)
    if (func.getArgAttr(i, kStatusAttr))
      return func.getArgument(i);
  return {};
}

std::optional<int64_t> mlir::tfc::checkNumber(Operation *op) {
  if (auto a = op->getAttrOfType<IntegerAttr>(kCheckAttr))
    return a.getInt();
  return std::nullopt;
}

void mlir::tfc::reportIf(ImplicitLocOpBuilder &b, Value failed, Value detail,
                         Value status, int64_t check) {
  scf::IfOp::create(b, failed, [&](OpBuilder &nb, Location loc) {
    Value code = arith::ConstantIntOp::create(nb, loc, nb.getI64Type(), check);
    Value c0 = arith::ConstantIndexOp::create(nb, loc, 0);
    Value c1 = arith::ConstantIndexOp::create(nb, loc, 1);
    memref::StoreOp::create(nb, loc, code, status, ValueRange{c0});
    memref::StoreOp::create(nb, loc, detail, status, ValueRange{c1});
    scf::YieldOp::create(nb, loc);
  });
}
