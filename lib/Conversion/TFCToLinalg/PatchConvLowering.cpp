//===- PatchConvLowering.cpp - stride-equals-kernel convolutions -> GEMM --===//
//
// A convolution whose stride equals its kernel, without padding, dilation or
// groups (a ViT patch embedding) reads each input element once: it is a
// matrix product of the patches [N, P, C*k...] by the filters
// [F, C*k...]. Lowered so, with the filters as a constant of that shape, it
// becomes a GEMM the CPU target packs and runs as a register-blocked
// microkernel; the generic convolution lowering would leave three reduction
// loops to the auto-vectorizer.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "tfc/Dialect/TFC/IR/TFC.h"
#include "tfc/Dialect/TFC/Transforms/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::tfc;

namespace {

struct PatchConvLowering : OpRewritePattern<ConvOp> {
  PatchConvLowering(MLIRContext *ctx)
      : OpRewritePattern<ConvOp>(ctx, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    auto xt = op.getInput().getType();
    auto wt = op.getWeight().getType();
    auto res = op.getType();
    int64_t s = wt.getRank() - 2;
    if (op.getGroup() != 1 || !xt.getElementType().isF32() ||
        !wt.getElementType().isF32() || !res.getElementType().isF32() ||
        !wt.hasStaticShape() || xt.isDynamicDim(1))
      return rewriter.notifyMatchFailure(op, "not a static f32 conv");
    SmallVector<int64_t> outSizes, kernel;
    for (int64_t i = 0; i < s; ++i) {
      int64_t k = wt.getDimSize(2 + i), in = xt.getDimSize(2 + i);
      if (op.getStrides()[i] != k || op.getDilations()[i] != 1 ||
          op.getPads()[i] != 0 || op.getPads()[s + i] != 0 ||
          ShapedType::isDynamic(in) || in < k)
        return rewriter.notifyMatchFailure(op, "stride is not the kernel");
      kernel.push_back(k);
      outSizes.push_back(in / k);
    }
    std::vector<char> storage;
    ArrayRef<char> raw = constantBytes(op.getWeight(), storage);
    if (!storage.empty())
      raw = storage;
    if (raw.empty())
      return rewriter.notifyMatchFailure(op, "filters are not a constant");

    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Type f32 = b.getF32Type();
    int64_t channels = xt.getDimSize(1), filters = wt.getDimSize(0);
    int64_t patchLen = channels, patches = 1;
    for (int64_t i = 0; i < s; ++i) {
      patchLen *= kernel[i];
      patches *= outSizes[i];
    }
    OpFoldResult batch = mixedDims(b, op.getInput())[0];
    int64_t batchSize = xt.getDimSize(0);

    // Drop the rows and columns no patch covers.
    Value x = op.getInput();
    SmallVector<OpFoldResult> offsets(2 + s, b.getIndexAttr(0)),
        sizes = {batch, b.getIndexAttr(channels)},
        strides(2 + s, b.getIndexAttr(1));
    SmallVector<int64_t> covered = {batchSize, channels};
    for (int64_t i = 0; i < s; ++i) {
      sizes.push_back(b.getIndexAttr(outSizes[i] * kernel[i]));
      covered.push_back(outSizes[i] * kernel[i]);
    }
    if (covered != SmallVector<int64_t>(xt.getShape()))
      x = tensor::ExtractSliceOp::create(
          b, RankedTensorType::get(covered, f32), x, offsets, sizes, strides);
    // [N, C, o1*k1, ...] -> [N, C, o1, k1, ...] -> [N, o1, ..., C, k1, ...]
    // -> [N, P, C*k1*...].
    SmallVector<int64_t> split = {batchSize, channels};
    SmallVector<ReassociationIndices> splitGroups = {{0}, {1}};
    for (int64_t i = 0; i < s; ++i) {
      splitGroups.push_back({(int64_t)split.size(), (int64_t)split.size() + 1});
      split.append({outSizes[i], kernel[i]});
    }
    x = tensor::ExpandShapeOp::create(b, RankedTensorType::get(split, f32), x,
                                      splitGroups);
    SmallVector<int64_t> perm = {0};
    for (int64_t i = 0; i < s; ++i)
      perm.push_back(2 + 2 * i);
    perm.push_back(1);
    for (int64_t i = 0; i < s; ++i)
      perm.push_back(3 + 2 * i);
    SmallVector<OpFoldResult> permSizes;
    for (int64_t p : perm)
      permSizes.push_back(p == 0 ? batch : b.getIndexAttr(split[p]));
    x = linalg::TransposeOp::create(b, x, emptyTensor(b, permSizes, f32), perm)
            .getResult()[0];
    SmallVector<ReassociationIndices> patchGroups = {{0}, {}, {}};
    for (int64_t i = 0; i < s; ++i)
      patchGroups[1].push_back(1 + i);
    for (int64_t i = 0; i <= s; ++i)
      patchGroups[2].push_back(1 + s + i);
    x = tensor::CollapseShapeOp::create(b, x, patchGroups);

    // The filters as [F, C*k1*...] (same bytes), then the GEMM.
    Value w = createConstant(
        b, b.getLoc(), RankedTensorType::get({filters, patchLen}, f32), raw);
    MLIRContext *ctx = b.getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineMap> maps = {AffineMap::get(4, 0, {d(0), d(1), d(3)}, ctx),
                                   AffineMap::get(4, 0, {d(2), d(3)}, ctx),
                                   AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx)};
    SmallVector<OpFoldResult> gemmSizes = {batch, b.getIndexAttr(patches),
                                           b.getIndexAttr(filters)};
    Value init = accumulatorInit(b, gemmSizes, f32, op.getBias(), 2);
    using utils::IteratorType;
    Value y = linalg::GenericOp::create(
                  b, TypeRange{init.getType()}, ValueRange{x, w},
                  ValueRange{init}, maps,
                  SmallVector<IteratorType>{IteratorType::parallel,
                                            IteratorType::parallel,
                                            IteratorType::parallel,
                                            IteratorType::reduction},
                  [&](OpBuilder &nb, Location loc, ValueRange args) {
                    macBody(nb, loc, args, f32);
                  })
                  .getResult(0);
    // [N, P, F] -> [N, F, P] -> [N, F, o1, ...].
    SmallVector<OpFoldResult> nfp = {batch, b.getIndexAttr(filters),
                                     b.getIndexAttr(patches)};
    y = linalg::TransposeOp::create(b, y, emptyTensor(b, nfp, f32),
                                    ArrayRef<int64_t>{0, 2, 1})
            .getResult()[0];
    SmallVector<int64_t> outShape = {batchSize, filters};
    outShape.append(outSizes);
    SmallVector<ReassociationIndices> outGroups = {{0}, {1}, {}};
    for (int64_t i = 0; i < s; ++i)
      outGroups[2].push_back(2 + i);
    y = tensor::ExpandShapeOp::create(b, RankedTensorType::get(outShape, f32),
                                      y, outGroups);
    rewriter.replaceOp(op, castTo(b, y, res));
    return success();
  }
};

} // namespace

void mlir::tfc::populatePatchConvLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<PatchConvLowering>(patterns.getContext());
}
