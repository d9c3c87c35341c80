//===- GemmEpilogue.cpp - what a GEMM microkernel fuses around it ---------===//
#include "GemmEpilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::tfc::cpu;

/// The map (d0, ..., dn) -> (dn) of a [N] operand broadcast over the rows.
static bool isRowMap(AffineMap map) {
  return map.getNumResults() == 1 && map.getNumSymbols() == 0 &&
         map.getResult(0) == getAffineDimExpr(map.getNumDims() - 1,
                                              map.getContext());
}

/// Whether `map` reads an operand of type `t` at the output's own index
/// over the iteration domain of output type `out`: the identity, where
/// a unit dimension may also be read at the constant 0 (how the elementwise
/// lowering broadcasts batch 1).
static bool isElementwiseMap(AffineMap map, RankedTensorType t,
                             RankedTensorType out) {
  if (map.getNumResults() != (unsigned)out.getRank() ||
      t.getRank() != out.getRank() || map.getNumSymbols())
    return false;
  for (auto [i, e] : llvm::enumerate(map.getResults())) {
    if (e == getAffineDimExpr(i, map.getContext()))
      continue;
    auto c = dyn_cast<AffineConstantExpr>(e);
    if (!c || c.getValue() != 0 || t.getDimSize(i) != 1 ||
        out.getDimSize(i) != 1)
      return false;
  }
  return true;
}

static bool allParallel(linalg::GenericOp g) {
  return g.getNumLoops() == g.getNumParallelLoops();
}

GemmInit tfc::cpu::matchGemmInit(Value c) {
  GemmInit init;
  auto type = cast<RankedTensorType>(c.getType());
  if (auto fill = c.getDefiningOp<linalg::FillOp>()) {
    if (fill.getDpsInits()[0].getType() == type &&
        fill.getInputs()[0].getType() == type.getElementType()) {
      init.kind = GemmInit::Scalar;
      init.value = fill.getInputs()[0];
      init.dest = fill.getDpsInits()[0];
    }
    return init;
  }
  auto g = c.getDefiningOp<linalg::GenericOp>();
  if (!g || g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1 ||
      !allParallel(g) || g.getDpsInits()[0].getType() != type)
    return init;
  auto bias = dyn_cast<RankedTensorType>(g.getDpsInputs()[0].getType());
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  Block &body = g.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (!bias || bias.getRank() != 1 || bias.getElementType() !=
      type.getElementType() || !isRowMap(maps[0]) ||
      !maps[1].isIdentity() || body.getOperations().size() != 1 ||
      yield.getValues()[0] != body.getArgument(0))
    return init;
  init.kind = GemmInit::Row;
  init.value = g.getDpsInputs()[0];
  init.dest = g.getDpsInits()[0];
  return init;
}

/// Ops the epilogue can apply to vectors: elementwise arith and math ops
/// on scalars, and scalar constants.
static bool isVectorizable(Operation &op) {
  if (op.getNumRegions() || op.getNumResults() != 1 ||
      !op.getResult(0).getType().isIntOrFloat())
    return false;
  if (isa<arith::ConstantOp>(op))
    return true;
  return isa<arith::ArithDialect, math::MathDialect>(op.getDialect()) &&
         op.hasTrait<OpTrait::Elementwise>() &&
         llvm::all_of(op.getOperandTypes(),
                      [](Type t) { return t.isIntOrFloat(); });
}

/// The stage that `v` (of type `type`) feeds, if it is fusible.
static std::optional<GemmEpilogue::Stage>
matchStage(Value v, RankedTensorType type, SmallVector<EpilogueOperand> &ops) {
  if (!v.hasOneUse())
    return std::nullopt;
  auto g = dyn_cast<linalg::GenericOp>(*v.getUsers().begin());
  if (!g || !allParallel(g) || g.getNumDpsInits() != 1 ||
      g.getResult(0).getType() != type ||
      !g.getIndexingMapsArray().back().isIdentity() ||
      g.payloadUsesValueFromOperand(g.getDpsInitOperand(0)))
    return std::nullopt;
  std::optional<unsigned> chained;
  SmallVector<EpilogueOperand> others;
  for (OpOperand *in : g.getDpsInputOperands()) {
    AffineMap map = g.getMatchingIndexingMap(in);
    auto t = dyn_cast<RankedTensorType>(in->get().getType());
    if (!t || !t.getElementType().isF32())
      return std::nullopt;
    if (in->get() == v) {
      if (chained || !isElementwiseMap(map, t, type))
        return std::nullopt;
      chained = in->getOperandNumber();
    } else if (isElementwiseMap(map, t, type)) {
      others.push_back({in->get(), EpilogueOperand::Full});
    } else if (isRowMap(map) && t.getRank() == 1) {
      others.push_back({in->get(), EpilogueOperand::Row});
    } else if (t.getRank() == 0 && map.getNumResults() == 0) {
      others.push_back({in->get(), EpilogueOperand::Scalar});
    } else {
      return std::nullopt;
    }
  }
  Block &body = g.getRegion().front();
  if (!chained ||
      !llvm::all_of(body.without_terminator(), isVectorizable))
    return std::nullopt;
  ops.append(others);
  return GemmEpilogue::Stage{g, *chained};
}

GemmEpilogue tfc::cpu::matchGemmEpilogue(linalg::GenericOp gemm) {
  GemmEpilogue e;
  auto type = cast<RankedTensorType>(gemm.getResult(0).getType());
  if (!type.getElementType().isF32())
    return e;
  Value v = gemm.getResult(0);
  while (std::optional<GemmEpilogue::Stage> s =
             matchStage(v, type, e.operands)) {
    e.stages.push_back(*s);
    v = s->op.getResult(0);
  }
  return e;
}

Value tfc::cpu::applyGemmEpilogue(ImplicitLocOpBuilder &b,
                                  const GemmEpilogue &e, Value acc,
                                  ArrayRef<Value> operands) {
  int64_t width = cast<VectorType>(acc.getType()).getNumElements();
  auto vecOf = [&](Type t) { return VectorType::get({width}, t); };
  const Value *next = operands.begin();
  for (GemmEpilogue::Stage s : e.stages) {
    Block &body = s.op.getRegion().front();
    IRMapping map;
    for (OpOperand *in : s.op.getDpsInputOperands())
      map.map(body.getArgument(in->getOperandNumber()),
              in->getOperandNumber() == s.chained ? acc : *next++);
    for (Operation &op : body.without_terminator()) {
      // Scalars from outside the body, and constants, are broadcast.
      for (Value o : op.getOperands())
        if (!map.contains(o))
          map.map(o, vector::BroadcastOp::create(b, vecOf(o.getType()), o));
      if (isa<arith::ConstantOp>(op)) {
        Value c = b.clone(op)->getResult(0);
        map.map(op.getResult(0),
                vector::BroadcastOp::create(b, vecOf(c.getType()), c));
        continue;
      }
      Operation *v = b.clone(op, map);
      v->getResult(0).setType(vecOf(op.getResult(0).getType()));
    }
    Value y = body.getTerminator()->getOperand(0);
    acc = map.contains(y) ? map.lookup(y)
                          : vector::BroadcastOp::create(b, vecOf(y.getType()), y)
                                .getResult();
  }
  return acc;
}
