//===- ShapeUtils.cpp - reshaping tensors the pipeline can lower ---------===//
#include "tfc/Dialect/TFC/Transforms/ShapeUtils.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;

Value tfc::expandShapeOrReshape(OpBuilder &b, Location loc,
                                RankedTensorType type, Value src,
                                ArrayRef<ReassociationIndices> groups,
                                ArrayRef<OpFoldResult> sizes) {
  bool crashes = llvm::any_of(groups, [&](const ReassociationIndices &g) {
    return llvm::count_if(g, [&](int64_t d) { return type.isDynamicDim(d); }) >
           1;
  });
  if (!crashes)
    return tensor::ExpandShapeOp::create(b, loc, type, src, groups, sizes);
  SmallVector<Value> shape;
  for (OpFoldResult s : sizes)
    shape.push_back(getValueOrCreateConstantIndexOp(b, loc, s));
  Value shapeTensor = tensor::FromElementsOp::create(
      b, loc, RankedTensorType::get({type.getRank()}, b.getIndexType()), shape);
  return tensor::ReshapeOp::create(b, loc, type, src, shapeTensor);
}
