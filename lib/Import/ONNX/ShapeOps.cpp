//===- ShapeOps.cpp - ONNX shape and data-movement ops -> tfc -------------===//
//
// Result types are inferred here; shape operands that are constants give
// static result sizes, others leave the sizes dynamic (resolved at run time).
//
//===----------------------------------------------------------------------===//
#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::tfc;
using namespace mlir::tfc::onnx_import;

bool mlir::tfc::onnx_import::isShapeOp(StringRef op) {
  return llvm::is_contained(
      {"Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Concat",
       "Split", "Slice", "Gather", "Expand", "Shape", "ConstantOfShape",
       "Range", "Constant", "Trilu"},
      op);
}

static constexpr int64_t kDyn = ShapedType::kDynamic;

/// The static ONNX reshape result, or dynamic sizes where unknown.
static SmallVector<int64_t> reshapeSizes(RankedTensorType in,
                                         ArrayRef<int64_t> shape,
                                         bool allowzero) {
  SmallVector<int64_t> out;
  int64_t known = 1, infer = -1;
  for (auto [i, s] : llvm::enumerate(shape)) {
    int64_t v = s;
    if (v == 0 && !allowzero)
      v = (int64_t)i < in.getRank() ? in.getDimSize(i) : kDyn;
    if (v == -1)
      infer = i;
    else if (ShapedType::isDynamic(v))
      known = kDyn;
    else if (!ShapedType::isDynamic(known))
      known *= v;
    out.push_back(v);
  }
  if (infer >= 0) {
    out[infer] = kDyn;
    if (in.hasStaticShape() && !ShapedType::isDynamic(known) && known > 0)
      out[infer] = in.getNumElements() / known;
  }
  return out;
}

LogicalResult Importer::importShape(StringRef op) {
  if (op == "Constant") {
    const onnx::AttributeProto *a = attr("value");
    if (a) {
      auto v = tensorAttr(a->t());
      if (failed(v))
        return failure();
      setOutput(0, arith::ConstantOp::create(b, loc, cast<TypedAttr>(*v)));
      return success();
    }
    if ((a = attr("value_float")))
      setOutput(0, arith::ConstantOp::create(
                       b, loc, DenseElementsAttr::get(
                                   RankedTensorType::get({}, b.getF32Type()),
                                   a->f())));
    else if ((a = attr("value_int")))
      setOutput(0, arith::ConstantOp::create(
                       b, loc, DenseElementsAttr::get(
                                   RankedTensorType::get({}, b.getI64Type()),
                                   (int64_t)a->i())));
    else if ((a = attr("value_floats")))
      setOutput(0, arith::ConstantOp::create(
                       b, loc,
                       DenseElementsAttr::get(
                           RankedTensorType::get({a->floats_size()},
                                                 b.getF32Type()),
                           ArrayRef<float>(a->floats().data(),
                                           a->floats_size()))));
    else if ((a = attr("value_ints")))
      setOutput(0, constI64(SmallVector<int64_t>(a->ints().begin(),
                                                 a->ints().end())));
    else
      return error() << "unsupported Constant form (sparse or string values)";
    return success();
  }
  Value x = input(0);
  if (!x && op != "Range")
    return error() << "input 0 is missing";
  if (op == "Range") {
    Value s = input(0), l = input(1), d = input(2);
    if (!s || !l || !d)
      return error() << "needs start, limit and delta";
    Type et = rt(s).getElementType();
    if (rt(s).getRank() != 0 || rt(l).getRank() != 0 || rt(d).getRank() != 0 ||
        rt(l).getElementType() != et || rt(d).getElementType() != et)
      return error() << "start, limit and delta must be scalars of one type";
    int64_t n = kDyn;
    auto cs = constInts(s), cl = constInts(l), cd = constInts(d);
    if (cs && cl && cd && (*cd)[0] != 0) {
      double count =
          std::ceil((double((*cl)[0]) - double((*cs)[0])) / double((*cd)[0]));
      if (count > double(options.maxTensorElements))
        return error() << "the range has more elements than the limit ("
                       << options.maxTensorElements << ")";
      n = std::max<int64_t>(0, (int64_t)count);
    }
    setOutput(0, RangeOp::create(b, loc, RankedTensorType::get({n}, et), s, l, d));
    return success();
  }
  auto t = rt(x);
  int64_t rank = t.getRank();
  Type et = t.getElementType();
  if (op == "Transpose") {
    SmallVector<int64_t> perm;
    if (auto p = attrInts("perm"))
      perm = *p;
    else
      for (int64_t d = rank - 1; d >= 0; --d)
        perm.push_back(d);
    SmallVector<int64_t> shape;
    for (int64_t p : perm) {
      if (p < 0 || p >= rank)
        return error() << "perm entry " << p << " out of range";
      shape.push_back(t.getDimSize(p));
    }
    setOutput(0, TransposeOp::create(b, loc, RankedTensorType::get(shape, et),
                                     x, b.getDenseI64ArrayAttr(perm)));
    return success();
  }
  if (op == "Reshape") {
    Value shape = input(1);
    if (!shape)
      return error() << "input 'shape' is missing";
    auto st = rt(shape);
    if (st.getRank() != 1 || st.isDynamicDim(0) ||
        !st.getElementType().isInteger(64))
      return error() << "shape must be a 1-D int64 tensor of static length";
    bool allowzero = attrInt("allowzero", 0);
    SmallVector<int64_t> sizes(st.getDimSize(0), kDyn);
    if (auto c = constInts(shape)) {
      if (llvm::count(*c, -1) > 1)
        return error() << "shape has more than one -1";
      if (failed(checkSizes(*c, "shape", /*allowInfer=*/true)))
        return failure();
      sizes = reshapeSizes(t, *c, allowzero);
      int64_t n = 1;
      if (t.hasStaticShape() && llvm::none_of(sizes, ShapedType::isDynamic)) {
        for (int64_t s : sizes)
          n *= s;
        if (n != t.getNumElements())
          return error() << "cannot reshape " << t << " to the " << n
                         << "-element shape";
      }
    }
    setOutput(0, ReshapeOp::create(b, loc, RankedTensorType::get(sizes, et), x,
                                   shape, allowzero));
    return success();
  }
  if (op == "Flatten") {
    int64_t rawAxis = attrInt("axis", 1);
    if (rawAxis < -rank || rawAxis > rank)
      return error() << "axis " << rawAxis << " is out of range for rank "
                     << rank;
    auto axis = FailureOr<int64_t>(rawAxis < 0 ? rawAxis + rank : rawAxis);
    // Collapse [0, axis) and [axis, rank) (each possibly empty).
    auto product = [&](int64_t lo, int64_t hi) {
      int64_t p = 1;
      for (int64_t d = lo; d < hi; ++d)
        p = ShapedType::isDynamic(p) || t.isDynamicDim(d) ? kDyn
                                                          : p * t.getDimSize(d);
      return p;
    };
    Value flat = x;
    if (rank > 0) {
      SmallVector<ReassociationIndices> all(1);
      for (int64_t d = 0; d < rank; ++d)
        all[0].push_back(d);
      flat = tensor::CollapseShapeOp::create(
          b, loc, RankedTensorType::get({product(0, rank)}, et), x, all);
    }
    if (*axis > 0 && *axis < rank) {
      SmallVector<ReassociationIndices> groups(2);
      for (int64_t d = 0; d < rank; ++d)
        groups[d < *axis ? 0 : 1].push_back(d);
      setOutput(0, tensor::CollapseShapeOp::create(
                       b, loc,
                       RankedTensorType::get({product(0, *axis), product(*axis, rank)}, et),
                       x, groups));
      return success();
    }
    setOutput(0, expandDims(flat, {*axis == 0 ? 0 : 1}));
    return success();
  }
  if (op == "Squeeze" || op == "Unsqueeze") {
    std::optional<SmallVector<int64_t>> axes;
    if (opset >= 13) {
      if (Value a = input(1)) {
        axes = constInts(a);
        if (!axes)
          return notConstant(1, "axes");
      }
    } else {
      axes = attrInts("axes");
    }
    if (op == "Unsqueeze") {
      if (!axes)
        return error() << "axes are required";
      int64_t outRank = rank + axes->size();
      SmallVector<int64_t> norm;
      for (int64_t a : *axes) {
        auto n = axisIn(a, outRank);
        if (failed(n))
          return failure();
        if (llvm::is_contained(norm, *n))
          return error() << "axis " << a << " repeats";
        norm.push_back(*n);
      }
      llvm::sort(norm);
      setOutput(0, expandDims(x, norm));
      return success();
    }
    SmallVector<int64_t> norm;
    if (!axes) {
      for (int64_t d = 0; d < rank; ++d) {
        if (t.isDynamicDim(d))
          return error() << "squeeze without axes needs static sizes";
        if (t.getDimSize(d) == 1)
          norm.push_back(d);
      }
    } else {
      for (int64_t a : *axes) {
        auto n = axisIn(a, rank);
        if (failed(n))
          return failure();
        if (!t.isDynamicDim(*n) && t.getDimSize(*n) != 1)
          return error() << "cannot squeeze dimension " << a << " of size "
                         << t.getDimSize(*n);
        norm.push_back(*n);
      }
      llvm::sort(norm);
    }
    setOutput(0, squeezeDims(x, norm));
    return success();
  }
  if (op == "Concat") {
    if (!attr("axis"))
      return error() << "missing attribute 'axis'";
    auto axis = axisIn(attrInt("axis", 0), rank);
    if (failed(axis))
      return failure();
    SmallVector<Value> ins;
    SmallVector<int64_t> shape(t.getShape());
    shape[*axis] = 0;
    for (unsigned i = 0; i < numInputs(); ++i) {
      Value v = input(i);
      if (!v)
        return error() << "input " << i << " is missing";
      auto vt = rt(v);
      if (vt.getRank() != rank || vt.getElementType() != et)
        return error() << "input " << i << " of type " << vt
                       << " does not match " << t;
      for (int64_t d = 0; d < rank; ++d) {
        int64_t s = vt.getDimSize(d);
        if (d == *axis) {
          shape[d] = ShapedType::isDynamic(shape[d]) || ShapedType::isDynamic(s)
                         ? kDyn
                         : shape[d] + s;
        } else if (ShapedType::isDynamic(shape[d])) {
          shape[d] = s;
        } else if (!ShapedType::isDynamic(s) && s != shape[d]) {
          return error() << "input " << i << " has size " << s
                         << " in dimension " << d << ", expected " << shape[d];
        }
      }
      ins.push_back(v);
    }
    setOutput(0, ConcatOp::create(b, loc, RankedTensorType::get(shape, et),
                                  ins, b.getI64IntegerAttr(*axis)));
    return success();
  }
  if (op == "Split") {
    auto axis = axisIn(attrInt("axis", 0), rank);
    if (failed(axis))
      return failure();
    std::optional<SmallVector<int64_t>> sizes;
    if (opset >= 13) {
      if (Value s = input(1)) {
        sizes = constInts(s);
        if (!sizes)
          return notConstant(1, "split sizes");
        if (failed(checkSizes(*sizes, "split")))
          return failure();
      }
    } else {
      sizes = attrInts("split");
      if (sizes && failed(checkSizes(*sizes, "split")))
        return failure();
    }
    int64_t n = node->output_size(), dim = t.getDimSize(*axis);
    if (!sizes) {
      if (ShapedType::isDynamic(dim))
        return error() << "cannot split the dynamic size of dimension "
                       << *axis << " into " << n
                       << " equal parts (tfc needs that size static, or "
                          "the sizes given as 'split')";
      if (n == 0 || dim % n)
        return error() << "cannot split size " << dim << " into " << n
                       << " equal parts";
      sizes = SmallVector<int64_t>(n, dim / n);
    }
    if ((int64_t)sizes->size() != n)
      return error() << sizes->size() << " split sizes for " << n
                     << " outputs";
    SmallVector<Type> types;
    for (int64_t s : *sizes) {
      SmallVector<int64_t> shape(t.getShape());
      shape[*axis] = s;
      types.push_back(RankedTensorType::get(shape, et));
    }
    auto split = SplitOp::create(b, loc, types, x, b.getI64IntegerAttr(*axis),
                                 b.getDenseI64ArrayAttr(*sizes));
    for (int64_t i = 0; i < n; ++i)
      setOutput(i, split.getResult(i));
    return success();
  }
  if (op == "Slice") {
    Value starts, ends, axesV, steps;
    if (opset < 10) {
      auto s = attrInts("starts"), e = attrInts("ends");
      if (!s || !e)
        return error() << "starts and ends are required";
      starts = constI64(*s);
      ends = constI64(*e);
      if (auto a = attrInts("axes"))
        axesV = constI64(*a);
    } else {
      starts = input(1);
      ends = input(2);
      axesV = input(3);
      steps = input(4);
    }
    if (!starts || !ends)
      return error() << "starts and ends are required";
    // starts, ends, axes and steps are 1-D integer tensors of one length
    // n, which says how many axes are sliced: it must be known (a static
    // length of one of them).
    int64_t n = kDyn;
    for (Value v : {starts, ends, axesV, steps}) {
      if (!v)
        continue;
      auto vt = rt(v);
      if (vt.getRank() != 1 || !vt.getElementType().isInteger() ||
          (!vt.isDynamicDim(0) && !ShapedType::isDynamic(n) &&
           vt.getDimSize(0) != n))
        return error() << "starts, ends, axes and steps must be 1-D integer "
                       << "tensors of one length, got " << vt;
      if (!vt.isDynamicDim(0))
        n = vt.getDimSize(0);
    }
    if (ShapedType::isDynamic(n))
      return error() << "the number of sliced axes is unknown: starts, ends, "
                     << "axes and steps all have a dynamic length";
    if (!axesV) {
      SmallVector<int64_t> a;
      for (int64_t i = 0; i < n; ++i)
        a.push_back(i);
      axesV = constI64(a);
    }
    if (!steps)
      steps = constI64(SmallVector<int64_t>(n, 1));
    auto axes = constInts(axesV);
    if (!axes)
      return notConstant(3, "axes");
    SmallVector<int64_t> shape(t.getShape());
    auto cs = constInts(starts), ce = constInts(ends), cst = constInts(steps);
    for (auto [p, a] : llvm::enumerate(*axes)) {
      auto axis = axisIn(a, rank);
      if (failed(axis))
        return failure();
      int64_t dim = t.getDimSize(*axis);
      if (cst && (*cst)[p] == 0)
        return error() << "slice step is 0";
      if (!cs || !ce || !cst || ShapedType::isDynamic(dim)) {
        shape[*axis] = kDyn;
        continue;
      }
      int64_t s = (*cs)[p], e = (*ce)[p], st = (*cst)[p];
      if (s < 0)
        s += dim;
      if (e < 0)
        e += dim;
      if (st > 0) {
        s = std::clamp<int64_t>(s, 0, dim);
        e = std::clamp<int64_t>(e, 0, dim);
        shape[*axis] = std::max<int64_t>(0, (e - s + st - 1) / st);
      } else {
        s = std::clamp<int64_t>(s, 0, dim - 1);
        e = std::clamp<int64_t>(e, -1, dim - 1);
        shape[*axis] = std::max<int64_t>(0, (s - e + (-st) - 1) / (-st));
      }
    }
    setOutput(0, SliceOp::create(b, loc, RankedTensorType::get(shape, et), x,
                                 starts, ends, axesV, steps));
    return success();
  }
  if (op == "Gather") {
    Value idx = input(1);
    if (!idx)
      return error() << "input 'indices' is missing";
    auto axis = axisIn(attrInt("axis", 0), rank);
    if (failed(axis))
      return failure();
    auto it = rt(idx);
    if (!isa<IntegerType>(it.getElementType()))
      return error() << "indices must be integers";
    SmallVector<int64_t> shape(t.getShape().take_front(*axis));
    shape.append(it.getShape().begin(), it.getShape().end());
    shape.append(t.getShape().begin() + *axis + 1, t.getShape().end());
    setOutput(0, GatherOp::create(b, loc, RankedTensorType::get(shape, et), x,
                                  idx, b.getI64IntegerAttr(*axis)));
    return success();
  }
  if (op == "Expand") {
    Value shapeV = input(1);
    if (!shapeV)
      return error() << "input 'shape' is missing";
    auto st = rt(shapeV);
    if (st.getRank() != 1 || st.isDynamicDim(0))
      return error() << "shape must be 1-D of static length";
    int64_t n = st.getDimSize(0);
    SmallVector<int64_t> target(n, kDyn), shape;
    if (auto c = constInts(shapeV)) {
      if (failed(checkSizes(*c, "shape")))
        return failure();
      target = *c;
    }
    if (failed(broadcastShapes(t.getShape(), target, shape)))
      return error() << "cannot expand " << t << " to the given shape";
    // A dynamic target size of a static-1 input dimension stays dynamic.
    setOutput(0, ExpandOp::create(b, loc, RankedTensorType::get(shape, et), x,
                                  shapeV));
    return success();
  }
  if (op == "Shape") {
    int64_t start = attrInt("start", 0), end = attrInt("end", rank);
    auto clampAxis = [&](int64_t a) {
      if (a < 0)
        a += rank;
      return std::clamp<int64_t>(a, 0, rank);
    };
    start = clampAxis(start);
    end = std::max(start, clampAxis(end));
    setOutput(0, ShapeOp::create(
                     b, loc, RankedTensorType::get({end - start}, b.getI64Type()),
                     x, b.getI64IntegerAttr(start), b.getI64IntegerAttr(end)));
    return success();
  }
  if (op == "ConstantOfShape") {
    if (rank != 1 || t.isDynamicDim(0) || !et.isInteger(64))
      return error() << "shape must be a 1-D int64 tensor of static length";
    TypedAttr value = b.getF32FloatAttr(0);
    if (auto *a = attr("value")) {
      auto v = tensorAttr(a->t());
      if (failed(v))
        return failure();
      if (v->getNumElements() != 1)
        return error() << "value must hold one element";
      value = cast<TypedAttr>(*v->getValues<Attribute>().begin());
    }
    SmallVector<int64_t> shape(t.getDimSize(0), kDyn);
    if (auto c = constInts(x)) {
      for (int64_t s : *c)
        if (s < 0 || s > options.maxTensorElements)
          return error() << "bad size " << s << " in shape";
      shape = *c;
    }
    setOutput(0, ConstantOfShapeOp::create(
                     b, loc, RankedTensorType::get(shape, value.getType()), x,
                     value));
    return success();
  }
  // Trilu
  if (rank < 2)
    return error() << "input must have rank >= 2";
  setOutput(0, TriluOp::create(b, loc, t, x, input(1),
                               attrInt("upper", 1) != 0));
  return success();
}
