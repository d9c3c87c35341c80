//===- ConstantFolding.cpp - small integer subgraphs evaluated at import --===//
//
// Models exported from torch compute shapes in the graph: Shape -> Slice ->
// Concat -> Reshape for a flatten, ConstantOfShape -> Mul -> Equal -> Where
// -> Expand for `x.expand(B, -1, -1)`. When the model's input shapes are
// static those chains are constants. Evaluating each node's integer result
// as it is imported lets the handlers of the nodes after it read constant
// shape operands and give static result types, so a ViT's tokens are
// tensor<1x197x768xf32> from the patch embedding on instead of
// tensor<?x197x768xf32> (whose residual adds then did not fuse into the
// GEMM before them).
//
// Only integer and i1 results of static shape and at most kMaxElements
// elements are evaluated, from constant operands (or, for Shape, from the
// static sizes of its input); anything else (an index out of range, a
// division by zero) is left to the op, which reports it or evaluates it at
// run time as before.
//
//===----------------------------------------------------------------------===//
#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::tfc;
using namespace mlir::tfc::onnx_import;

namespace {

constexpr int64_t kMaxElements = 4096;

/// A small integer tensor: row-major values, each held sign- or
/// zero-extended to 64 bits as its element type reads.
struct IntTensor {
  SmallVector<int64_t> shape;
  SmallVector<int64_t> data;
};

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> s(shape.size(), 1);
  for (int64_t d = (int64_t)shape.size() - 2; d >= 0; --d)
    s[d] = s[d + 1] * shape[d + 1];
  return s;
}

/// The element of `t` that numpy broadcasting reads for position `idx` of a
/// result of rank `idx.size()` (t's dimensions aligned to the right).
int64_t broadcastRead(const IntTensor &t, ArrayRef<int64_t> idx) {
  int64_t lead = (int64_t)idx.size() - (int64_t)t.shape.size(), lin = 0;
  SmallVector<int64_t> st = stridesOf(t.shape);
  for (int64_t d = 0; d < (int64_t)t.shape.size(); ++d)
    if (t.shape[d] != 1)
      lin += idx[lead + d] * st[d];
  return t.data[lin];
}

/// Calls f(index) for every position of `shape`, in row-major order.
void forEachIndex(ArrayRef<int64_t> shape,
                  function_ref<void(ArrayRef<int64_t>)> f) {
  int64_t n = 1;
  for (int64_t s : shape)
    n *= s;
  SmallVector<int64_t> idx(shape.size(), 0);
  for (int64_t e = 0; e < n; ++e) {
    f(idx);
    for (int64_t d = (int64_t)shape.size() - 1; d >= 0; --d) {
      if (++idx[d] < shape[d])
        break;
      idx[d] = 0;
    }
  }
}

/// `v` as its element type `et` holds it (wrapped to the width, read with
/// the type's signedness).
int64_t wrapTo(Type et, int64_t v) {
  auto it = cast<IntegerType>(et);
  unsigned w = it.getWidth();
  if (w >= 64)
    return v;
  APInt a(64, (uint64_t)v);
  a = a.trunc(w);
  return it.isUnsigned() || w == 1 ? (int64_t)a.getZExtValue()
                                   : a.getSExtValue();
}

std::optional<IntTensor> readConstant(Value v) {
  auto t = v ? dyn_cast<RankedTensorType>(v.getType()) : RankedTensorType();
  if (!t || !t.hasStaticShape() || t.getNumElements() > kMaxElements)
    return std::nullopt;
  auto values = Importer::constInts(v);
  if (!values)
    return std::nullopt;
  return IntTensor{SmallVector<int64_t>(t.getShape()), std::move(*values)};
}

/// The static shape of `type` if it is a small integer tensor type.
std::optional<SmallVector<int64_t>> smallIntegerShape(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t || !t.hasStaticShape() || !isa<IntegerType>(t.getElementType()) ||
      t.getNumElements() > kMaxElements)
    return std::nullopt;
  return SmallVector<int64_t>(t.getShape());
}

std::optional<int64_t> binary(Operation *op, int64_t l, int64_t r) {
  if (isa<AddOp>(op))
    return (int64_t)((uint64_t)l + (uint64_t)r);
  if (isa<SubOp>(op))
    return (int64_t)((uint64_t)l - (uint64_t)r);
  if (isa<MulOp>(op))
    return (int64_t)((uint64_t)l * (uint64_t)r);
  if (isa<DivOp>(op)) {
    if (r == 0 || (l == INT64_MIN && r == -1))
      return std::nullopt;
    return l / r;
  }
  if (isa<MaxOp>(op))
    return std::max(l, r);
  if (isa<MinOp>(op))
    return std::min(l, r);
  if (isa<EqualOp>(op))
    return l == r;
  if (isa<LessOp>(op))
    return l < r;
  if (isa<GreaterOp>(op))
    return l > r;
  if (isa<AndOp>(op))
    return l && r;
  if (isa<OrOp>(op))
    return l || r;
  return std::nullopt;
}

/// The values of `op`'s single result, if it is a small integer tensor that
/// its operands determine.
std::optional<IntTensor> evaluate(Operation *op) {
  if (op->getNumResults() != 1)
    return std::nullopt;
  auto shape = smallIntegerShape(op->getResult(0).getType());
  if (!shape)
    return std::nullopt;
  Type et = cast<RankedTensorType>(op->getResult(0).getType()).getElementType();
  IntTensor out{*shape, {}};
  auto fill = [&](function_ref<std::optional<int64_t>(ArrayRef<int64_t>)> f)
      -> std::optional<IntTensor> {
    bool ok = true;
    forEachIndex(out.shape, [&](ArrayRef<int64_t> idx) {
      std::optional<int64_t> x = ok ? f(idx) : std::nullopt;
      ok = x.has_value();
      out.data.push_back(ok ? wrapTo(et, *x) : 0);
    });
    return ok ? std::optional<IntTensor>(out) : std::nullopt;
  };

  if (auto s = dyn_cast<ShapeOp>(op)) {
    auto in = cast<RankedTensorType>(s.getInput().getType());
    for (int64_t d = s.getStart(); d < (int64_t)s.getEnd(); ++d) {
      if (in.isDynamicDim(d))
        return std::nullopt;
      out.data.push_back(in.getDimSize(d));
    }
    return out;
  }
  if (auto c = dyn_cast<ConstantOfShapeOp>(op)) {
    auto v = dyn_cast<IntegerAttr>(c.getValue());
    if (!v)
      return std::nullopt;
    int64_t x = v.getType().isUnsignedInteger() || v.getType().isInteger(1)
                    ? (int64_t)v.getValue().getZExtValue()
                    : v.getValue().getSExtValue();
    return fill([&](ArrayRef<int64_t>) { return x; });
  }

  // Every other op reads constant operands.
  SmallVector<IntTensor> in;
  for (Value v : op->getOperands()) {
    auto t = readConstant(v);
    if (!t)
      return std::nullopt;
    in.push_back(std::move(*t));
  }
  if (isa<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, EqualOp, LessOp, GreaterOp,
          AndOp, OrOp>(op))
    return fill([&](ArrayRef<int64_t> idx) {
      return binary(op, broadcastRead(in[0], idx), broadcastRead(in[1], idx));
    });
  if (isa<WhereOp>(op))
    return fill([&](ArrayRef<int64_t> idx) -> std::optional<int64_t> {
      return broadcastRead(in[0], idx) ? broadcastRead(in[1], idx)
                                       : broadcastRead(in[2], idx);
    });
  if (isa<NegOp, AbsOp, NotOp, CastOp>(op))
    return fill([&](ArrayRef<int64_t> idx) -> std::optional<int64_t> {
      int64_t x = broadcastRead(in[0], idx);
      if (isa<NegOp>(op))
        return (int64_t)(0 - (uint64_t)x);
      if (isa<AbsOp>(op))
        return x < 0 ? (int64_t)(0 - (uint64_t)x) : x;
      if (isa<NotOp>(op))
        return !x;
      return et.isInteger(1) ? (int64_t)(x != 0) : x;
    });
  if (isa<ExpandOp>(op))
    return fill([&](ArrayRef<int64_t> idx) -> std::optional<int64_t> {
      return broadcastRead(in[0], idx);
    });
  if (isa<ReshapeOp, tensor::ExpandShapeOp, tensor::CollapseShapeOp>(op)) {
    out.data = in[0].data;
    return out;
  }
  if (auto c = dyn_cast<ConcatOp>(op)) {
    int64_t axis = c.getAxis();
    return fill([&](ArrayRef<int64_t> idx) -> std::optional<int64_t> {
      SmallVector<int64_t> at(idx);
      for (const IntTensor &t : in) {
        if (at[axis] < t.shape[axis])
          return broadcastRead(t, at);
        at[axis] -= t.shape[axis];
      }
      return std::nullopt;
    });
  }
  if (auto g = dyn_cast<GatherOp>(op)) {
    const IntTensor &data = in[0], &indices = in[1];
    int64_t axis = g.getAxis(), r = indices.shape.size();
    int64_t dim = data.shape[axis];
    SmallVector<int64_t> ist = stridesOf(indices.shape);
    return fill([&](ArrayRef<int64_t> idx) -> std::optional<int64_t> {
      int64_t lin = 0;
      for (int64_t d = 0; d < r; ++d)
        lin += idx[axis + d] * ist[d];
      int64_t k = indices.data[lin];
      if (k < 0)
        k += dim;
      if (k < 0 || k >= dim)
        return std::nullopt;
      SmallVector<int64_t> at(idx.take_front(axis));
      at.push_back(k);
      at.append(idx.begin() + axis + r, idx.end());
      return broadcastRead(data, at);
    });
  }
  if (isa<SliceOp>(op)) {
    const IntTensor &x = in[0];
    int64_t rank = x.shape.size();
    SmallVector<int64_t> start(rank, 0), step(rank, 1);
    for (size_t p = 0; p < in[1].data.size(); ++p) {
      if (p >= in[2].data.size() || p >= in[3].data.size() ||
          p >= in[4].data.size())
        return std::nullopt;
      int64_t a = in[3].data[p], s = in[1].data[p], st = in[4].data[p];
      if (a < 0)
        a += rank;
      if (a < 0 || a >= rank || st == 0)
        return std::nullopt;
      int64_t dim = x.shape[a];
      if (s < 0)
        s += dim;
      s = st > 0 ? std::clamp<int64_t>(s, 0, dim)
                 : std::clamp<int64_t>(s, 0, dim - 1);
      start[a] = s;
      step[a] = st;
    }
    return fill([&](ArrayRef<int64_t> idx) -> std::optional<int64_t> {
      SmallVector<int64_t> at;
      for (int64_t d = 0; d < rank; ++d) {
        int64_t i = start[d] + idx[d] * step[d];
        if (i < 0 || i >= x.shape[d])
          return std::nullopt;
        at.push_back(i);
      }
      return broadcastRead(x, at);
    });
  }
  if (isa<RangeOp>(op))
    return fill([&](ArrayRef<int64_t> idx) -> std::optional<int64_t> {
      return in[0].data[0] + idx[0] * in[2].data[0];
    });
  return std::nullopt;
}

Value createConstant(OpBuilder &b, Location loc, RankedTensorType type,
                     const IntTensor &t) {
  unsigned w = type.getElementType().getIntOrFloatBitWidth();
  SmallVector<APInt> values;
  for (int64_t x : t.data)
    values.push_back(APInt(64, (uint64_t)x).trunc(w));
  return arith::ConstantOp::create(b, loc, type,
                                   DenseElementsAttr::get(type, values));
}

} // namespace

Value Importer::foldSmallInteger(Value v) {
  Operation *op = v ? v.getDefiningOp() : nullptr;
  if (!op || isa<arith::ConstantOp>(op))
    return v;
  auto t = evaluate(op);
  auto type = cast<RankedTensorType>(v.getType());
  // A reshape whose constant shape does not hold its input's elements is
  // left for the op's checks.
  if (!t || (int64_t)t->data.size() != type.getNumElements())
    return v;
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointAfter(op);
  Value c = createConstant(b, op->getLoc(), type, *t);
  v.replaceAllUsesWith(c);
  if (op->use_empty())
    op->erase();
  return c;
}
