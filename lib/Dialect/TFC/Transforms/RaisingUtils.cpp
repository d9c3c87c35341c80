//===- RaisingUtils.cpp - matchers shared by the raising passes -----------===//
#include "RaisingUtils.h"
#include "tfc/Dialect/TFC/IR/WeightStorage.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::tfc;

/// Element `p` of a raw little-endian buffer of int or float type `t`,
/// decoded through APInt/APFloat (every width and float format alike).
static double readElement(const char *p, Type t) {
  unsigned bits = t.getIntOrFloatBitWidth();
  APInt raw(bits, 0);
  llvm::LoadIntFromMemory(raw, reinterpret_cast<const uint8_t *>(p), bits / 8);
  if (auto ft = dyn_cast<FloatType>(t))
    return APFloat(ft.getFloatSemantics(), raw).convertToDouble();
  return t.isUnsignedInteger() ? (double)raw.getZExtValue()
                               : (double)raw.getSExtValue();
}

std::optional<SmallVector<double>> mlir::tfc::constantValues(
    Value v, int64_t maxElements) {
  auto c = v ? v.getDefiningOp<arith::ConstantOp>() : nullptr;
  if (!c)
    return std::nullopt;
  auto type = dyn_cast<RankedTensorType>(c.getType());
  if (!type || !type.hasStaticShape() ||
      type.getNumElements() > maxElements)
    return std::nullopt;
  Type et = type.getElementType();
  SmallVector<double> out;
  if (auto d = dyn_cast<DenseElementsAttr>(c.getValue())) {
    if (isa<FloatType>(et)) {
      for (const APFloat &f : d.getValues<APFloat>())
        out.push_back(f.convertToDouble());
    } else if (et.isInteger(1)) {
      for (bool f : d.getValues<bool>())
        out.push_back(f ? 1 : 0);
    } else if (isa<IntegerType>(et)) {
      for (const APInt &i : d.getValues<APInt>())
        out.push_back(et.isUnsignedInteger() ? (double)i.getZExtValue()
                                             : (double)i.getSExtValue());
    } else {
      return std::nullopt;
    }
    return out;
  }
  auto r = dyn_cast<DenseResourceElementsAttr>(c.getValue());
  if (!r || et.isInteger(1) || !et.isIntOrFloat())
    return std::nullopt;
  AsmResourceBlob *blob = r.getRawHandle().getBlob();
  if (!blob)
    return std::nullopt;
  ArrayRef<char> data = blob->getData();
  size_t bytes = et.getIntOrFloatBitWidth() / 8;
  if (data.size() != bytes * type.getNumElements())
    return std::nullopt;
  for (int64_t i = 0, e = type.getNumElements(); i < e; ++i)
    out.push_back(readElement(data.data() + i * bytes, et));
  return out;
}

std::optional<double> mlir::tfc::scalarConstant(Value v) {
  auto values = constantValues(v, 4096);
  if (!values || values->empty())
    return std::nullopt;
  for (double x : *values)
    if (!(x == values->front()) &&
        !(std::isnan(x) && std::isnan(values->front())))
      return std::nullopt;
  return values->front();
}

void mlir::tfc::productFactors(Value v, double &constant,
                               SmallVectorImpl<Value> &factors, bool root) {
  if (auto c = scalarConstant(v)) {
    constant *= *c;
    return;
  }
  if (root || v.hasOneUse()) {
    if (auto m = v.getDefiningOp<MulOp>()) {
      productFactors(m.getLhs(), constant, factors, false);
      productFactors(m.getRhs(), constant, factors, false);
      return;
    }
    if (auto d = v.getDefiningOp<DivOp>())
      if (auto c = scalarConstant(d.getRhs())) {
        constant /= *c;
        productFactors(d.getLhs(), constant, factors, false);
        return;
      }
  }
  factors.push_back(v);
}

bool mlir::tfc::nearlyEqual(double a, double b, double rel) {
  return std::fabs(a - b) <= rel * std::fabs(b);
}

Value mlir::tfc::otherOperand(Operation *op, Value v) {
  if (!op || op->getNumOperands() != 2)
    return nullptr;
  if (op->getOperand(0) == v)
    return op->getOperand(1);
  if (op->getOperand(1) == v)
    return op->getOperand(0);
  return nullptr;
}

std::optional<SmallVector<ShapeElement>> mlir::tfc::evaluateShape(Value shape) {
  auto type = dyn_cast<RankedTensorType>(shape.getType());
  if (!type || !type.hasStaticShape() || type.getRank() > 1)
    return std::nullopt;
  if (auto values = constantValues(shape, 64)) {
    SmallVector<ShapeElement> out;
    for (double x : *values)
      out.push_back({(int64_t)x, nullptr, 0});
    return out;
  }
  Operation *def = shape.getDefiningOp();
  if (!def)
    return std::nullopt;
  if (auto s = dyn_cast<ShapeOp>(def)) {
    SmallVector<ShapeElement> out;
    int64_t rank = s.getInput().getType().getRank();
    for (int64_t d = s.getStart(); d < (int64_t)s.getEnd() && d < rank; ++d) {
      int64_t size = s.getInput().getType().getDimSize(d);
      if (ShapedType::isDynamic(size))
        out.push_back({0, s.getInput(), d});
      else
        out.push_back({size, nullptr, 0});
    }
    return out;
  }
  if (auto c = dyn_cast<ConcatOp>(def)) {
    SmallVector<ShapeElement> out;
    for (Value in : c.getInputs()) {
      auto part = evaluateShape(in);
      if (!part)
        return std::nullopt;
      out.append(*part);
    }
    return out;
  }
  if (auto g = dyn_cast<GatherOp>(def)) {
    auto src = evaluateShape(g.getData());
    auto idx = constantValues(g.getIndices(), 64);
    if (!src || !idx || g.getData().getType().getRank() != 1)
      return std::nullopt;
    SmallVector<ShapeElement> out;
    for (double i : *idx) {
      int64_t k = i < 0 ? (int64_t)i + (int64_t)src->size() : (int64_t)i;
      if (k < 0 || k >= (int64_t)src->size())
        return std::nullopt;
      out.push_back((*src)[k]);
    }
    return out;
  }
  if (auto e = dyn_cast<tensor::ExpandShapeOp>(def))
    return evaluateShape(e.getSrc());
  if (auto r = dyn_cast<ReshapeOp>(def))
    return evaluateShape(r.getInput());
  if (auto c = dyn_cast<CastOp>(def))
    if (c.getInput().getType().getElementType().isInteger(64))
      return evaluateShape(c.getInput());
  return std::nullopt;
}

bool mlir::tfc::isSizeOf(const ShapeElement &e, Value v, int64_t dim) {
  auto t = cast<RankedTensorType>(v.getType());
  if (dim < 0 || dim >= t.getRank())
    return false;
  if (e.isConstant())
    return t.getDimSize(dim) == e.constant;
  return e.source == v && e.dim == dim;
}

Value mlir::tfc::createConstant(OpBuilder &b, Location loc,
                                RankedTensorType type, ArrayRef<char> raw) {
  Attribute attr;
  if (type.getNumElements() >= 64) {
    attr = DenseResourceElementsAttr::get(
        type, "fused", copyToWeightBlob(raw, alignof(double)));
  } else {
    attr = DenseElementsAttr::getFromRawBuffer(type, raw);
  }
  return arith::ConstantOp::create(b, loc, type, cast<TypedAttr>(attr));
}

Value mlir::tfc::createConstant(
    OpBuilder &b, Location loc, RankedTensorType type,
    function_ref<void(MutableArrayRef<char>)> fill, bool readAtRunTime) {
  size_t bytes = type.getNumElements() *
                 ((type.getElementType().getIntOrFloatBitWidth() + 7) / 8);
  if (type.getNumElements() < 64) { // small: inline dense, as above
    std::vector<char> data(bytes);
    fill(data);
    return createConstant(b, loc, type, data);
  }
  AsmResourceBlob blob =
      allocateWeightBlob(bytes, alignof(double), readAtRunTime);
  fill(blob.getMutableData());
  auto attr = DenseResourceElementsAttr::get(type, "fused", std::move(blob));
  return arith::ConstantOp::create(b, loc, type, cast<TypedAttr>(attr));
}

ArrayRef<char> mlir::tfc::constantBytes(Value v, std::vector<char> &storage) {
  auto c = v ? v.getDefiningOp<arith::ConstantOp>() : nullptr;
  if (!c)
    return {};
  auto type = dyn_cast<RankedTensorType>(c.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isIntOrFloat() ||
      type.getElementType().isInteger(1))
    return {};
  size_t bytes =
      type.getNumElements() * (type.getElementType().getIntOrFloatBitWidth() / 8);
  if (auto r = dyn_cast<DenseResourceElementsAttr>(c.getValue())) {
    AsmResourceBlob *blob = r.getRawHandle().getBlob();
    if (!blob || blob->getData().size() != bytes)
      return {};
    return blob->getData();
  }
  auto d = dyn_cast<DenseElementsAttr>(c.getValue());
  if (!d)
    return {};
  if (!d.isSplat())
    return d.getRawData();
  ArrayRef<char> one = d.getRawData();
  storage.clear();
  for (int64_t i = 0; i < type.getNumElements(); ++i)
    storage.insert(storage.end(), one.begin(), one.end());
  return storage;
}

void mlir::tfc::nearMiss(bool enabled, Operation *op, StringRef pass,
                         const Twine &msg) {
  if (enabled)
    op->emitRemark() << pass << ": not fused: " << msg;
}
