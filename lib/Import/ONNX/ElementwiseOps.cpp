//===- ElementwiseOps.cpp - ONNX elementwise ops -> tfc -------------------===//
#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::tfc;
using namespace mlir::tfc::onnx_import;

bool mlir::tfc::onnx_import::isElementwiseOp(StringRef op) {
  return llvm::is_contained(
      {"Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Reciprocal", "Erf", "Tanh",
       "Sin", "Cos", "Exp", "Log", "Relu", "Sigmoid", "Neg", "Abs", "Where", "Equal", "Less",
       "Greater", "Not", "And", "Or", "Cast", "Clip", "Max", "Min", "Identity"},
      op);
}

FailureOr<Value> Importer::broadcastBinary(StringRef op, Value l, Value r,
                                           bool compare) {
  auto lt = rt(l), rtp = rt(r);
  SmallVector<int64_t> shape;
  if (failed(broadcastShapes(lt.getShape(), rtp.getShape(), shape))) {
    error() << "operand shapes " << lt << " and " << rtp << " do not broadcast";
    return failure();
  }
  if (op != "Pow" && lt.getElementType() != rtp.getElementType()) {
    error() << "operand element types differ: " << lt.getElementType()
            << " vs " << rtp.getElementType();
    return failure();
  }
  Type et = compare ? b.getI1Type() : lt.getElementType();
  auto type = RankedTensorType::get(shape, et);
  OperationState state(loc, "tfc." + op.lower());
  state.addOperands({l, r});
  state.addTypes(type);
  return b.create(state)->getResult(0);
}

/// Unary ops whose tfc name is the ONNX name in lower case.
static bool isSimpleUnary(StringRef op) {
  return llvm::is_contained({"Sqrt", "Reciprocal", "Erf", "Tanh", "Sin", "Cos",
                             "Exp", "Log",
                             "Relu", "Sigmoid", "Neg", "Abs", "Not"},
                            op);
}

LogicalResult Importer::importElementwise(StringRef op) {
  for (unsigned i = 0; i < numInputs(); ++i)
    if (!input(i) && !(op == "Clip" && i > 0))
      return error() << "input " << i << " is missing";
  if (op == "Identity") {
    setOutput(0, input(0));
    return success();
  }
  if (isSimpleUnary(op)) {
    Value x = input(0);
    Type et = rt(x).getElementType();
    bool isFloat = isa<FloatType>(et);
    bool floatOnly = op != "Neg" && op != "Abs" && op != "Relu" && op != "Not";
    if ((floatOnly && !isFloat) || (op == "Not" && !et.isInteger(1)))
      return error() << "element type " << et << " is not supported by "
                     << op;
    OperationState state(loc, "tfc." + op.lower());
    state.addOperands(x);
    state.addTypes(x.getType());
    setOutput(0, b.create(state)->getResult(0));
    return success();
  }
  if (op == "Cast") {
    auto *to = attr("to");
    if (!to)
      return error() << "missing attribute 'to'";
    auto et = elementType(to->i());
    if (failed(et))
      return failure();
    auto t = rt(input(0));
    setOutput(0, CastOp::create(b, loc, RankedTensorType::get(t.getShape(), *et),
                                input(0)));
    return success();
  }
  if (op == "Where") {
    Value c = input(0), x = input(1), y = input(2);
    SmallVector<int64_t> s1, s2;
    if (failed(broadcastShapes(rt(c).getShape(), rt(x).getShape(), s1)) ||
        failed(broadcastShapes(s1, rt(y).getShape(), s2)))
      return error() << "operand shapes do not broadcast";
    if (!rt(c).getElementType().isInteger(1) ||
        rt(x).getElementType() != rt(y).getElementType())
      return error() << "condition must be bool and both branches one type";
    setOutput(0, WhereOp::create(
                     b, loc, RankedTensorType::get(s2, rt(x).getElementType()),
                     c, x, y));
    return success();
  }
  if (op == "Max" || op == "Min") {
    if (numInputs() == 0)
      return error() << "needs at least one input";
    Value acc = input(0);
    for (unsigned i = 1; i < numInputs(); ++i) {
      auto r = broadcastBinary(op, acc, input(i), false);
      if (failed(r))
        return failure();
      acc = *r;
    }
    setOutput(0, acc);
    return success();
  }
  if (op == "Clip") {
    Value x = input(0), lo = input(1), hi = input(2);
    if (opset < 11) {
      lo = attr("min") ? scalarLike(x, attrFloat("min", 0)) : nullptr;
      hi = attr("max") ? scalarLike(x, attrFloat("max", 0)) : nullptr;
    }
    if (lo) {
      auto r = broadcastBinary("Max", x, lo, false);
      if (failed(r))
        return failure();
      x = *r;
    }
    if (hi) {
      auto r = broadcastBinary("Min", x, hi, false);
      if (failed(r))
        return failure();
      x = *r;
    }
    setOutput(0, x);
    return success();
  }
  // Binary ops.
  if (numInputs() != 2)
    return error() << "expects 2 inputs, got " << numInputs();
  bool compare = op == "Equal" || op == "Less" || op == "Greater";
  if ((op == "And" || op == "Or") && !rt(input(0)).getElementType().isInteger(1))
    return error() << "operands must be bool";
  auto r = broadcastBinary(op, input(0), input(1), compare);
  if (failed(r))
    return failure();
  setOutput(0, *r);
  return success();
}
