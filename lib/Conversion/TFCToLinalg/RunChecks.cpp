//===- RunChecks.cpp - checks of run-time values that report an error ----===//
//
// Some errors depend on run-time values: a Gather index outside its axis
// (a token id at or above the vocabulary size), an integer division by zero.
// Compiled code must not read out of bounds or trap, and must not hand back
// a wrong answer either, nor abort the caller's process. So such an op
// computes on safe values (clamped indices, a divisor of 1) and records the
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
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::tfc;

static constexpr StringLiteral kStatusAttr = "tfc.run_status";
static constexpr StringLiteral kChecksAttr = "tfc.run_checks";
static constexpr StringLiteral kCheckAttr = "tfc.check";

void mlir::tfc::prepareRunChecks(func::FuncOp func) {
  if (func.isExternal())
    return;
  SmallVector<Attribute> messages;
  if (auto old = func->getAttrOfType<ArrayAttr>(kChecksAttr))
    messages.assign(old.begin(), old.end());
  MLIRContext *ctx = func.getContext();
  auto add = [&](Operation *op, StringRef onnxOp, const std::string &what) {
    std::string name = onnxNodeName(op->getLoc());
    std::string text =
        (name.empty() ? "a " + onnxOp.str()
                      : "node '" + name + "' (" + onnxOp.str() + ")") +
        ": " + what;
    messages.push_back(StringAttr::get(ctx, text));
    op->setAttr(kCheckAttr,
                IntegerAttr::get(IntegerType::get(ctx, 64), messages.size()));
  };
  func.walk([&](Operation *op) {
    if (op->hasAttr(kCheckAttr))
      return;
    if (auto g = dyn_cast<GatherOp>(op)) {
      if (matchPattern(g.getIndices(), m_Constant()))
        return;
      int64_t size = g.getData().getType().getDimSize(g.getAxis());
      add(op, "Gather",
          "an index is outside the axis of " +
              (ShapedType::isDynamic(size)
                   ? std::string("its data")
                   : std::to_string(size) + " entries") +
              " (indices count from -size to size - 1)");
    } else if (auto d = dyn_cast<DivOp>(op)) {
      // Integer division by zero (which traps); a constant divisor without
      // a zero needs no check.
      DenseIntElementsAttr c;
      if (!isa<IntegerType>(d.getType().getElementType()) ||
          (matchPattern(d.getRhs(), m_Constant(&c)) &&
           llvm::none_of(c.getValues<APInt>(),
                         [](const APInt &x) { return x.isZero(); })))
        return;
      add(op, "Div", "an integer divisor is 0");
    }
  });
  if (messages.empty())
    return;
  func->setAttr(kChecksAttr, ArrayAttr::get(ctx, messages));
  if (runStatus(func))
    return;
  auto type = MemRefType::get({2}, IntegerType::get(ctx, 64));
  unsigned pos = func.getNumArguments();
  (void)func.insertArgument(
      pos, type,
      DictionaryAttr::get(ctx,
                          {NamedAttribute(StringAttr::get(ctx, kStatusAttr),
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

void mlir::tfc::checkEach(
    ImplicitLocOpBuilder &b, Operation *op, Value values,
    function_ref<std::pair<Value, Value>(OpBuilder &, Location, Value)> test) {
  Value status = runStatus(op);
  std::optional<int64_t> check = checkNumber(op);
  if (!status || !check)
    return;
  MLIRContext *ctx = b.getContext();
  int64_t rank = cast<RankedTensorType>(values.getType()).getRank();
  Value last = filledTensor(b, {}, b.getI64Type(), b.getI64IntegerAttr(0));
  Value any = filledTensor(b, {}, b.getI1Type(), b.getBoolAttr(false));
  auto scalar = AffineMap::get(rank, 0, {}, ctx);
  auto scan = linalg::GenericOp::create(
      b, TypeRange{last.getType(), any.getType()}, ValueRange{values},
      ValueRange{last, any},
      {AffineMap::getMultiDimIdentityMap(rank, ctx), scalar, scalar},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::reduction),
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        auto [bad, detail] = test(nb, loc, args[0]);
        // The first offending value (in row-major order) is the one kept.
        Value first = arith::AndIOp::create(
            nb, loc, bad,
            arith::XOrIOp::create(
                nb, loc, args[2],
                arith::ConstantIntOp::create(nb, loc, nb.getI1Type(), 1)));
        linalg::YieldOp::create(
            nb, loc,
            ValueRange{arith::SelectOp::create(nb, loc, first, detail, args[1]),
                       arith::OrIOp::create(nb, loc, bad, args[2])});
      });
  Value failed = tensor::ExtractOp::create(b, scan.getResult(1), ValueRange{});
  Value detail = tensor::ExtractOp::create(b, scan.getResult(0), ValueRange{});
  reportIf(b, failed, detail, status, *check);
}
