//===- NormalizationOps.cpp - ONNX softmax, norms, reductions -> tfc ------===//
#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::tfc;
using namespace mlir::tfc::onnx_import;

bool mlir::tfc::onnx_import::isNormalizationOp(StringRef op) {
  return llvm::is_contained({"Softmax", "LogSoftmax", "LayerNormalization",
                             "ReduceMean", "ReduceSum", "ReduceMax",
                             "ReduceMin", "CumSum"},
                            op);
}

/// The type of reducing `t` over `axes` (normalized, may be empty = all).
static RankedTensorType reducedType(RankedTensorType t,
                                    ArrayRef<int64_t> axes, bool keepdims) {
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < t.getRank(); ++d) {
    bool reduced = axes.empty() || llvm::is_contained(axes, d);
    if (!reduced)
      shape.push_back(t.getDimSize(d));
    else if (keepdims)
      shape.push_back(1);
  }
  return RankedTensorType::get(shape, t.getElementType());
}

LogicalResult Importer::importNormalization(StringRef op) {
  Value x = input(0);
  if (!x)
    return error() << "input 0 is missing";
  auto t = rt(x);
  int64_t rank = t.getRank();
  if (op == "Softmax" || op == "LogSoftmax") {
    if (!isa<FloatType>(t.getElementType()))
      return error() << "input must be a float tensor";
    auto axis = axisIn(attrInt("axis", opset < 13 ? 1 : -1), rank);
    if (failed(axis))
      return failure();
    if (opset < 13 && *axis != rank - 1)
      return error() << "opset < 13 softmax over the flattened trailing "
                        "dimensions is only supported for the last axis";
    Value r;
    if (op == "Softmax")
      r = SoftmaxOp::create(b, loc, x, b.getI64IntegerAttr(*axis));
    else
      r = LogSoftmaxOp::create(b, loc, x, b.getI64IntegerAttr(*axis));
    setOutput(0, r);
    return success();
  }
  if (op == "CumSum") {
    Type e = t.getElementType();
    if (rank == 0)
      return error() << "input must have rank >= 1";
    if (!isa<FloatType>(e) &&
        !(isa<IntegerType>(e) && e.getIntOrFloatBitWidth() >= 8))
      return error() << "element type " << e << " is not supported by CumSum";
    if (!input(1))
      return error() << "input 1 (axis) is missing";
    auto axes = constInts(input(1));
    if (!axes)
      return notConstant(1, "axis");
    if (axes->size() != 1 || rt(input(1)).getRank() > 1)
      return error() << "axis must be a scalar, not " << rt(input(1));
    auto axis = axisIn((*axes)[0], rank);
    if (failed(axis))
      return failure();
    setOutput(0, CumSumOp::create(b, loc, t, x, *axis,
                                  attrInt("exclusive", 0) != 0,
                                  attrInt("reverse", 0) != 0));
    return success();
  }
  if (op == "LayerNormalization") {
    if (!isa<FloatType>(t.getElementType()))
      return error() << "input must be a float tensor";
    auto axis = axisIn(attrInt("axis", -1), rank);
    if (failed(axis))
      return failure();
    float eps = attrFloat("epsilon", 1e-5f);
    Value scale = input(1), bias = input(2);
    if (!scale)
      return error() << "input 'Scale' is missing";
    if (!hasOutput(1) && !hasOutput(2)) {
      auto ln = LayerNormOp::create(b, loc, t, x, scale, bias, Value(),
                                    b.getI64IntegerAttr(*axis),
                                    b.getF32FloatAttr(eps));
      setOutput(0, ln);
      return success();
    }
    // Mean and InvStdDev are requested: spell the normalization out.
    SmallVector<int64_t> axes;
    for (int64_t d = *axis; d < rank; ++d)
      axes.push_back(d);
    auto kept = reducedType(t, axes, true);
    auto axesAttr = b.getDenseI64ArrayAttr(axes);
    Value mean = ReduceMeanOp::create(b, loc, kept, x, axesAttr, true);
    Value d = SubOp::create(b, loc, t, x, mean);
    Value var = ReduceMeanOp::create(b, loc, kept,
                                     MulOp::create(b, loc, t, d, d), axesAttr,
                                     true);
    Value veps = AddOp::create(b, loc, kept, var, scalarLike(var, eps));
    Value inv = ReciprocalOp::create(b, loc, SqrtOp::create(b, loc, veps));
    Value y = MulOp::create(b, loc, t, d, inv);
    auto r = broadcastBinary("Mul", y, scale, false);
    if (failed(r))
      return failure();
    y = *r;
    if (bias) {
      r = broadcastBinary("Add", y, bias, false);
      if (failed(r))
        return failure();
      y = *r;
    }
    setOutput(0, y);
    setOutput(1, mean);
    setOutput(2, inv);
    return success();
  }
  // Reductions: axes come from an attribute, or (ReduceSum >= 13) an input.
  std::optional<SmallVector<int64_t>> axes;
  if (op == "ReduceSum" && opset >= 13) {
    if (Value a = input(1)) {
      axes = constInts(a);
      if (!axes)
        return notConstant(1, "axes");
    }
  } else {
    axes = attrInts("axes");
  }
  bool keepdims = attrInt("keepdims", 1);
  SmallVector<int64_t> norm;
  if (axes && !axes->empty()) {
    for (int64_t a : *axes) {
      auto n = axisIn(a, rank);
      if (failed(n))
        return failure();
      if (llvm::is_contained(norm, *n))
        return error() << "axis " << a << " repeats";
      norm.push_back(*n);
    }
    llvm::sort(norm);
  } else if (attrInt("noop_with_empty_axes", 0)) {
    setOutput(0, x);
    return success();
  }
  auto type = reducedType(t, norm, keepdims);
  auto axesAttr = b.getDenseI64ArrayAttr(norm);
  Value r;
  if (op == "ReduceMean")
    r = ReduceMeanOp::create(b, loc, type, x, axesAttr, keepdims);
  else if (op == "ReduceSum")
    r = ReduceSumOp::create(b, loc, type, x, axesAttr, keepdims);
  else if (op == "ReduceMax")
    r = ReduceMaxOp::create(b, loc, type, x, axesAttr, keepdims);
  else
    r = ReduceMinOp::create(b, loc, type, x, axesAttr, keepdims);
  setOutput(0, r);
  return success();
}
