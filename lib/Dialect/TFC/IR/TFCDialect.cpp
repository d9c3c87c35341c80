//===- TFCDialect.cpp - tfc dialect registration and helpers --------------===//
#include "tfc/Dialect/TFC/IR/TFC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mlir::tfc;

#include "tfc/Dialect/TFC/IR/TFCDialect.cpp.inc"

void TFCDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "tfc/Dialect/TFC/IR/TFCOps.cpp.inc"
      >();
}

Operation *TFCDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto typed = dyn_cast<TypedAttr>(value);
  if (!typed || typed.getType() != type)
    return nullptr;
  return arith::ConstantOp::create(builder, loc, type, typed);
}

LogicalResult mlir::tfc::broadcastShapes(ArrayRef<int64_t> a,
                                         ArrayRef<int64_t> b,
                                         SmallVectorImpl<int64_t> &out) {
  size_t rank = std::max(a.size(), b.size());
  out.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t x = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t y = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (x == 1) {
      out[i] = y;
    } else if (y == 1) {
      out[i] = x;
    } else if (ShapedType::isDynamic(x)) {
      out[i] = y;
    } else if (ShapedType::isDynamic(y) || x == y) {
      out[i] = x;
    } else {
      return failure();
    }
  }
  return success();
}

std::string mlir::tfc::onnxNodeName(Location loc) {
  if (auto n = dyn_cast<NameLoc>(loc))
    return n.getName().str();
  if (auto f = dyn_cast<FusedLoc>(loc))
    for (Location l : f.getLocations())
      if (auto n = dyn_cast<NameLoc>(l))
        return n.getName().str();
  return "";
}
