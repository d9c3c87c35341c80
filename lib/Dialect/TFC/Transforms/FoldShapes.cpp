//===- FoldShapes.cpp - the tfc-fold-shapes pass --------------------------===//
//
// Folds the Shape/Gather/Concat chains that feed reshapes into constant
// shapes (0 = copy the input size) and refines the reshape result types, and
// evaluates tfc elementwise ops on small constant scalars.
//
//===----------------------------------------------------------------------===//
#include "RaisingUtils.h"
#include "tfc/Dialect/TFC/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::tfc {
#define GEN_PASS_DEF_FOLDSHAPESPASS
#include "tfc/Dialect/TFC/Transforms/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;
using namespace mlir::tfc;

namespace {

/// Gives `v` the more static type `refined`; users outside the tfc dialect
/// (which may need the old type) read it through a tensor.cast.
void refineType(PatternRewriter &rewriter, Value v, RankedTensorType refined) {
  Type old = v.getType();
  if (old == refined)
    return;
  v.setType(refined);
  Value back;
  for (OpOperand &use : llvm::make_early_inc_range(v.getUses())) {
    if (isa<TFCDialect>(use.getOwner()->getDialect()))
      continue;
    if (!back) {
      rewriter.setInsertionPointAfterValue(v);
      back = tensor::CastOp::create(rewriter, v.getLoc(), old, v);
    }
    if (use.getOwner() != back.getDefiningOp())
      rewriter.modifyOpInPlace(use.getOwner(), [&] { use.set(back); });
  }
}

struct FoldReshapeShape : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getAllowzero() || constantValues(op.getShape(), 64))
      return failure();
    auto elems = evaluateShape(op.getShape());
    if (!elems || (int64_t)elems->size() != op.getType().getRank())
      return failure();
    Value in = op.getInput();
    auto inType = cast<RankedTensorType>(in.getType());
    SmallVector<int64_t> shape, refined(op.getType().getShape());
    for (auto [i, e] : llvm::enumerate(*elems)) {
      if (e.isConstant()) {
        shape.push_back(e.constant);
        if (e.constant > 0)
          refined[i] = e.constant;
        else if (e.constant == 0 && (int64_t)i < inType.getRank())
          refined[i] = inType.getDimSize(i);
        continue;
      }
      if (!isSizeOf(e, in, i))
        return failure();
      shape.push_back(0);
    }
    auto shapeType =
        RankedTensorType::get({(int64_t)shape.size()}, rewriter.getI64Type());
    Value cst = arith::ConstantOp::create(
        rewriter, op.getLoc(), DenseIntElementsAttr::get(shapeType, shape));
    rewriter.modifyOpInPlace(op, [&] { op.getShapeMutable().assign(cst); });
    refineType(rewriter, op.getResult(),
               RankedTensorType::get(refined, op.getType().getElementType()));
    return success();
  }
};

/// Evaluates a tfc elementwise op whose operands are all splat constants.
template <typename OpT>
struct FoldScalarElementwise : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!type || !type.hasStaticShape() || type.getNumElements() > 16 ||
        !isa<FloatType>(type.getElementType()))
      return failure();
    SmallVector<double> args;
    for (Value v : op->getOperands()) {
      auto s = scalarConstant(v);
      if (!s || !isa<FloatType>(cast<ShapedType>(v.getType()).getElementType()))
        return failure();
      args.push_back(*s);
    }
    double r = evaluate(args);
    auto ft = cast<FloatType>(type.getElementType());
    APFloat f(r);
    bool lost;
    f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    auto attr = DenseElementsAttr::get(type, f);
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, type, attr);
    return success();
  }

  static double evaluate(ArrayRef<double> a) {
    if constexpr (std::is_same_v<OpT, AddOp>) return a[0] + a[1];
    if constexpr (std::is_same_v<OpT, SubOp>) return a[0] - a[1];
    if constexpr (std::is_same_v<OpT, MulOp>) return a[0] * a[1];
    if constexpr (std::is_same_v<OpT, DivOp>) return a[0] / a[1];
    if constexpr (std::is_same_v<OpT, PowOp>) return std::pow(a[0], a[1]);
    if constexpr (std::is_same_v<OpT, SqrtOp>) return std::sqrt(a[0]);
    if constexpr (std::is_same_v<OpT, NegOp>) return -a[0];
    if constexpr (std::is_same_v<OpT, ReciprocalOp>) return 1.0 / a[0];
    return 0;
  }
};

/// Evaluates trilu of a constant (masks built as triu(full(-inf), 1)), up to
/// 2^20 elements.
struct FoldConstantTrilu : OpRewritePattern<TriluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TriluOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getType();
    if (!type.hasStaticShape() || type.getRank() < 2 ||
        type.getNumElements() > (1 << 20))
      return failure();
    auto input = constantValues(op.getInput(), 1 << 20);
    if (!input)
      return failure();
    int64_t k = 0;
    if (op.getK()) {
      auto kv = constantValues(op.getK(), 1);
      if (!kv)
        return failure();
      k = (int64_t)(*kv)[0];
    }
    int64_t rows = type.getDimSize(type.getRank() - 2);
    int64_t cols = type.getDimSize(type.getRank() - 1);
    Type et = type.getElementType();
    SmallVector<Attribute> values;
    for (int64_t e = 0, n = input->size(); e < n; ++e) {
      int64_t i = (e / cols) % rows, j = e % cols;
      bool keep = op.getUpper() ? j >= i + k : j <= i + k;
      double v = keep ? (*input)[e] : 0.0;
      if (isa<FloatType>(et))
        values.push_back(rewriter.getFloatAttr(et, v));
      else
        values.push_back(rewriter.getIntegerAttr(et, (int64_t)v));
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, type, DenseElementsAttr::get(type, values));
    return success();
  }
};

struct FoldShapesPass : tfc::impl::FoldShapesPassBase<FoldShapesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldReshapeShape, FoldConstantTrilu, FoldScalarElementwise<AddOp>,
                 FoldScalarElementwise<SubOp>, FoldScalarElementwise<MulOp>,
                 FoldScalarElementwise<DivOp>, FoldScalarElementwise<PowOp>,
                 FoldScalarElementwise<SqrtOp>, FoldScalarElementwise<NegOp>,
                 FoldScalarElementwise<ReciprocalOp>>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
