//===- LoweringUtils.cpp - shared helpers of the tfc -> linalg lowering ---===//
#include "LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "tfc/Dialect/TFC/Transforms/ShapeUtils.h"

#include <limits>

using namespace mlir;
using namespace mlir::tfc;

Value mlir::tfc::indexConst(ImplicitLocOpBuilder &b, int64_t v) {
  return arith::ConstantIndexOp::create(b, v);
}

Value mlir::tfc::dimValue(ImplicitLocOpBuilder &b, Value t, int64_t d) {
  auto type = cast<RankedTensorType>(t.getType());
  if (!type.isDynamicDim(d))
    return indexConst(b, type.getDimSize(d));
  return tensor::DimOp::create(b, t, d);
}

SmallVector<OpFoldResult> mlir::tfc::mixedDims(ImplicitLocOpBuilder &b,
                                               Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  SmallVector<OpFoldResult> out;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (type.isDynamicDim(d))
      out.push_back(tensor::DimOp::create(b, t, d).getResult());
    else
      out.push_back(b.getIndexAttr(type.getDimSize(d)));
  }
  return out;
}

SmallVector<OpFoldResult> mlir::tfc::broadcastDims(ImplicitLocOpBuilder &b,
                                                   ValueRange operands,
                                                   RankedTensorType result) {
  int64_t rank = result.getRank();
  SmallVector<OpFoldResult> out;
  for (int64_t j = 0; j < rank; ++j) {
    std::optional<int64_t> known;
    if (!result.isDynamicDim(j))
      known = result.getDimSize(j);
    SmallVector<Value> dynamic;
    for (Value v : operands) {
      auto t = cast<RankedTensorType>(v.getType());
      int64_t i = j - (rank - t.getRank());
      if (i < 0)
        continue;
      if (t.isDynamicDim(i))
        dynamic.push_back(tensor::DimOp::create(b, v, i));
      else if (t.getDimSize(i) != 1 && !known)
        known = t.getDimSize(i);
    }
    Value size;
    if (known) {
      size = indexConst(b, *known);
      out.push_back(b.getIndexAttr(*known));
    } else if (!dynamic.empty()) {
      size = dynamic.front();
      for (Value d : ArrayRef(dynamic).drop_front())
        size = arith::MaxSIOp::create(b, size, d);
      out.push_back(size);
    } else {
      out.push_back(b.getIndexAttr(1));
    }
    // A dynamic operand size must equal the result size: it can only be
    // broadcast when it is statically 1.
    for (Value d : dynamic) {
      if (d == size)
        continue;
      Value ok = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, d, size);
      cf::AssertOp::create(
          b, ok,
          "tfc: operand sizes do not broadcast (a dynamic size that is 1 at "
          "run time is not broadcast)");
    }
  }
  return out;
}

AffineMap mlir::tfc::broadcastMap(RankedTensorType operand, int64_t outRank,
                                  MLIRContext *ctx,
                                  ArrayRef<int64_t> outShape) {
  SmallVector<AffineExpr> exprs;
  int64_t r = operand.getRank();
  for (int64_t i = 0; i < r; ++i) {
    int64_t loop = i + outRank - r;
    bool loopIsOne = !outShape.empty() && outShape[loop] == 1;
    if (!operand.isDynamicDim(i) && operand.getDimSize(i) == 1 && !loopIsOne)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(loop, ctx));
  }
  return AffineMap::get(outRank, 0, exprs, ctx);
}

Value mlir::tfc::emptyTensor(ImplicitLocOpBuilder &b,
                             ArrayRef<OpFoldResult> sizes, Type elementType) {
  return tensor::EmptyOp::create(b, sizes, elementType);
}

Value mlir::tfc::filledTensor(ImplicitLocOpBuilder &b,
                              ArrayRef<OpFoldResult> sizes, Type elementType,
                              TypedAttr value) {
  Value empty = emptyTensor(b, sizes, elementType);
  Value scalar = arith::ConstantOp::create(b, value);
  return linalg::FillOp::create(b, scalar, empty).getResult(0);
}

Value mlir::tfc::castTo(ImplicitLocOpBuilder &b, Value v, Type type) {
  if (v.getType() == type)
    return v;
  return tensor::CastOp::create(b, type, v);
}

Type mlir::tfc::signlessType(Type t) {
  if (auto i = dyn_cast<IntegerType>(t); i && !i.isSignless())
    return IntegerType::get(t.getContext(), i.getWidth());
  return t;
}

Value mlir::tfc::toSignless(OpBuilder &b, Location loc, Value v) {
  Type s = signlessType(v.getType());
  if (s == v.getType())
    return v;
  return UnrealizedConversionCastOp::create(b, loc, s, v).getResult(0);
}

Value mlir::tfc::fromSignless(OpBuilder &b, Location loc, Value v,
                              Type target) {
  if (v.getType() == target)
    return v;
  return UnrealizedConversionCastOp::create(b, loc, target, v).getResult(0);
}

static bool isUnsignedInt(Type t) {
  auto i = dyn_cast<IntegerType>(t);
  return i && i.isUnsigned();
}

Value mlir::tfc::convertScalar(OpBuilder &b, Location loc, Value v, Type from,
                               Type to) {
  Type sto = signlessType(to);
  if (signlessType(from) == sto)
    return v;
  bool fromU = isUnsignedInt(from) || from.isInteger(1);
  if (sto.isInteger(1)) {
    if (isa<FloatType>(from)) {
      Value zero = arith::ConstantOp::create(b, loc, b.getFloatAttr(from, 0));
      return arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, v, zero);
    }
    Value zero =
        arith::ConstantOp::create(b, loc, b.getIntegerAttr(v.getType(), 0));
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, v, zero);
  }
  if (auto ft = dyn_cast<FloatType>(sto)) {
    if (auto ff = dyn_cast<FloatType>(from)) {
      if (ff.getWidth() == ft.getWidth()) // f16 <-> bf16 goes through f32
        return arith::TruncFOp::create(
            b, loc, ft, arith::ExtFOp::create(b, loc, b.getF32Type(), v));
      if (ff.getWidth() < ft.getWidth())
        return arith::ExtFOp::create(b, loc, ft, v);
      return arith::TruncFOp::create(b, loc, ft, v);
    }
    if (fromU)
      return arith::UIToFPOp::create(b, loc, ft, v);
    return arith::SIToFPOp::create(b, loc, ft, v);
  }
  auto it = cast<IntegerType>(sto);
  if (isa<FloatType>(from)) {
    if (isUnsignedInt(to))
      return arith::FPToUIOp::create(b, loc, it, v);
    return arith::FPToSIOp::create(b, loc, it, v);
  }
  unsigned fw = cast<IntegerType>(signlessType(from)).getWidth();
  if (fw > it.getWidth())
    return arith::TruncIOp::create(b, loc, it, v);
  if (fromU)
    return arith::ExtUIOp::create(b, loc, it, v);
  return arith::ExtSIOp::create(b, loc, it, v);
}

Value mlir::tfc::scalarConst(OpBuilder &b, Location loc, Type t, double v) {
  if (isa<FloatType>(t))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(t, v));
  return arith::ConstantOp::create(b, loc,
                                   b.getIntegerAttr(t, (int64_t)v));
}

TypedAttr mlir::tfc::lowestValue(Type t, bool isUnsigned) {
  if (auto f = dyn_cast<FloatType>(t))
    return FloatAttr::get(
        f, APFloat::getInf(f.getFloatSemantics(), /*Negative=*/true));
  unsigned w = t.getIntOrFloatBitWidth();
  return IntegerAttr::get(t, isUnsigned ? APInt::getMinValue(w)
                                        : APInt::getSignedMinValue(w));
}

TypedAttr mlir::tfc::highestValue(Type t, bool isUnsigned) {
  if (auto f = dyn_cast<FloatType>(t))
    return FloatAttr::get(f, APFloat::getInf(f.getFloatSemantics()));
  unsigned w = t.getIntOrFloatBitWidth();
  return IntegerAttr::get(t, isUnsigned ? APInt::getMaxValue(w)
                                        : APInt::getSignedMaxValue(w));
}

Value mlir::tfc::buildElementwise(
    ImplicitLocOpBuilder &b, ValueRange inputs, RankedTensorType result,
    function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  MLIRContext *ctx = b.getContext();
  int64_t rank = result.getRank();
  SmallVector<OpFoldResult> sizes = broadcastDims(b, inputs, result);
  Value init = emptyTensor(b, sizes, result.getElementType());
  SmallVector<AffineMap> maps;
  for (Value v : inputs)
    maps.push_back(
        broadcastMap(cast<RankedTensorType>(v.getType()), rank, ctx));
  maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  Type outElem = result.getElementType();
  auto generic = linalg::GenericOp::create(
      b, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location loc, ValueRange args) {
        SmallVector<Value> scalars;
        for (Value a : args.drop_back())
          scalars.push_back(toSignless(nb, loc, a));
        Value r = fn(nb, loc, scalars);
        linalg::YieldOp::create(nb, loc, fromSignless(nb, loc, r, outElem));
      });
  return castTo(b, generic.getResult(0), result);
}

ValueRange
mlir::tfc::forVectors(ImplicitLocOpBuilder &b, Value n, int64_t lanes,
                      ValueRange init,
                      function_ref<SmallVector<Value>(ImplicitLocOpBuilder &,
                                                      Value, bool, ValueRange)>
                          step) {
  Value width = indexConst(b, lanes);
  Value whole =
      arith::MulIOp::create(b, arith::DivUIOp::create(b, n, width), width);
  auto loop = scf::ForOp::create(
      b, indexConst(b, 0), whole, width, init,
      [&](OpBuilder &ob, Location loc, Value j, ValueRange acc) {
        ImplicitLocOpBuilder lb(loc, ob);
        scf::YieldOp::create(lb, step(lb, j, /*inBounds=*/true, acc));
      });
  Value rest = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, whole, n);
  auto tail = scf::IfOp::create(
      b, rest,
      [&](OpBuilder &ob, Location loc) {
        ImplicitLocOpBuilder lb(loc, ob);
        scf::YieldOp::create(
            lb, step(lb, whole, /*inBounds=*/false, loop.getResults()));
      },
      [&](OpBuilder &ob, Location loc) {
        scf::YieldOp::create(ob, loc, loop.getResults());
      });
  return tail.getResults();
}

Value mlir::tfc::asRows(ImplicitLocOpBuilder &b, Value v, int64_t axis) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<ReassociationIndices> groups(2);
  for (int64_t i = 0; i < t.getRank(); ++i)
    groups[i < axis ? 0 : 1].push_back(i);
  return tensor::CollapseShapeOp::create(b, v, groups);
}

Value mlir::tfc::fromRows(ImplicitLocOpBuilder &b, Value rows, Value input,
                          int64_t axis, RankedTensorType type) {
  SmallVector<ReassociationIndices> groups(2);
  for (int64_t i = 0; i < type.getRank(); ++i)
    groups[i < axis ? 0 : 1].push_back(i);
  return tfc::expandShapeOrReshape(b, b.getLoc(), type, rows, groups,
                                   mixedDims(b, input));
}

Value mlir::tfc::greater(ImplicitLocOpBuilder &b, Value a, Value bv) {
  return arith::SelectOp::create(
      b, arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, a, bv), a, bv);
}

Value mlir::tfc::greatestLane(ImplicitLocOpBuilder &b, Value v) {
  int64_t lanes = cast<VectorType>(v.getType()).getNumElements();
  for (int64_t n = lanes / 2; n >= 1; n /= 2)
    v = greater(b,
                vector::ExtractStridedSliceOp::create(
                    b, v, ArrayRef<int64_t>{n}, ArrayRef<int64_t>{n},
                    ArrayRef<int64_t>{1}),
                vector::ExtractStridedSliceOp::create(
                    b, v, ArrayRef<int64_t>{0}, ArrayRef<int64_t>{n},
                    ArrayRef<int64_t>{1}));
  return vector::ExtractOp::create(b, v, ArrayRef<int64_t>{0});
}

Value mlir::tfc::forEachRow(
    ImplicitLocOpBuilder &b, Value rows, OpFoldResult width,
    int64_t rowsPerChunk,
    function_ref<Value(ImplicitLocOpBuilder &, Value, Value, Value)> row) {
  Value out = emptyTensor(b, {getAsOpFoldResult(rows), width}, b.getF32Type());
  Value chunk = indexConst(b, rowsPerChunk);
  Value chunks = arith::CeilDivUIOp::create(b, rows, chunk);
  auto forall = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{getAsOpFoldResult(chunks)}, ValueRange{out},
      std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  Value shared = forall.getRegionIterArgs()[0];
  Value r0 = arith::MulIOp::create(b, forall.getInductionVar(0), chunk);
  Value count =
      arith::MinUIOp::create(b, chunk, arith::SubIOp::create(b, rows, r0));
  SmallVector<OpFoldResult> offsets = {r0, b.getIndexAttr(0)};
  SmallVector<OpFoldResult> sizes = {count, width};
  SmallVector<OpFoldResult> ones(2, b.getIndexAttr(1));
  Value tile = tensor::ExtractSliceOp::create(b, shared, offsets, sizes, ones);
  auto loop = scf::ForOp::create(
      b, indexConst(b, 0), count, indexConst(b, 1), ValueRange{tile},
      [&](OpBuilder &ob, Location loc, Value i, ValueRange iter) {
        ImplicitLocOpBuilder rb(loc, ob);
        Value r = arith::AddIOp::create(rb, r0, i);
        scf::YieldOp::create(rb, ValueRange{row(rb, r, i, iter[0])});
      });
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loop.getResult(0), shared, offsets,
                                        sizes, ones);
  return forall.getResult(0);
}
