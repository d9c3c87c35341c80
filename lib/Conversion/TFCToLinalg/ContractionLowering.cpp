//===- ContractionLowering.cpp - matmul, linear, einsum, conv -> linalg ---===//
//
// Each contraction becomes one linalg.generic with a reduction iterator, so
// that later phases can tile, pack and vectorize it with upstream linalg
// transformations.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "tfc/Dialect/TFC/IR/TFC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::tfc;

using utils::IteratorType;


void mlir::tfc::macBody(OpBuilder &b, Location loc, ValueRange args, Type elem) {
  // Float sums may be reassociated (and fused into FMAs): that is what lets
  // LLVM vectorize the reduction loop; the result stays within fp32
  // rounding of the sequential sum.
  auto fm = arith::FastMathFlagsAttr::get(
      b.getContext(),
      arith::FastMathFlags::reassoc | arith::FastMathFlags::contract);
  Value acc = toSignless(b, loc, args.back());
  Value prod;
  for (Value a : args.drop_back()) {
    a = toSignless(b, loc, a);
    prod = !prod ? a
           : isa<FloatType>(a.getType())
               ? (Value)arith::MulFOp::create(b, loc, prod, a)
               : arith::MulIOp::create(b, loc, prod, a);
  }
  Value sum = isa<FloatType>(acc.getType())
                  ? (Value)arith::AddFOp::create(b, loc, acc, prod, fm)
                  : arith::AddIOp::create(b, loc, acc, prod);
  linalg::YieldOp::create(b, loc, fromSignless(b, loc, sum, elem));
}

static Value zeroFilled(ImplicitLocOpBuilder &b, ArrayRef<OpFoldResult> sizes,
                 Type elem) {
  Type s = signlessType(elem);
  TypedAttr zero = isa<FloatType>(s) ? (TypedAttr)b.getFloatAttr(s, 0)
                                     : b.getIntegerAttr(s, 0);
  Value init = filledTensor(b, sizes, s, zero);
  if (s == elem)
    return init;
  // Unsigned results: the zero pattern is the same, reinterpret the tensor.
  return tensor::BitcastOp::create(
      b, RankedTensorType::get(cast<RankedTensorType>(init.getType()).getShape(), elem),
      init);
}

Value mlir::tfc::accumulatorInit(ImplicitLocOpBuilder &b, ArrayRef<OpFoldResult> sizes,
                      Type elem, Value bias, int64_t biasDim) {
  if (!bias)
    return zeroFilled(b, sizes, elem);
  MLIRContext *ctx = b.getContext();
  int64_t rank = sizes.size();
  Value empty = emptyTensor(b, sizes, elem);
  SmallVector<AffineMap> maps = {
      AffineMap::get(rank, 0, {getAffineDimExpr(biasDim, ctx)}, ctx),
      AffineMap::getMultiDimIdentityMap(rank, ctx)};
  return linalg::GenericOp::create(
             b, TypeRange{empty.getType()}, ValueRange{bias},
             ValueRange{empty}, maps,
             SmallVector<IteratorType>(rank, IteratorType::parallel),
             [](OpBuilder &nb, Location loc, ValueRange args) {
               linalg::YieldOp::create(nb, loc, args[0]);
             })
      .getResult(0);
}

namespace {

struct MatmulLowering : OpRewritePattern<MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatmulOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    MLIRContext *ctx = b.getContext();
    auto res = op.getType();
    int64_t rank = res.getRank(), nb = rank - 2;
    // Loop dims: batch..., m, n, k.
    AffineExpr m = getAffineDimExpr(nb, ctx), n = getAffineDimExpr(nb + 1, ctx),
               k = getAffineDimExpr(nb + 2, ctx);
    auto operandMap = [&](Value v, bool transposed, AffineExpr rows,
                          AffineExpr cols) {
      auto t = cast<RankedTensorType>(v.getType());
      AffineMap batch = broadcastMap(
          RankedTensorType::get(t.getShape().drop_back(2), t.getElementType()),
          nb, ctx, res.getShape().take_front(nb));
      SmallVector<AffineExpr> exprs(batch.getResults());
      exprs.push_back(transposed ? cols : rows);
      exprs.push_back(transposed ? rows : cols);
      return AffineMap::get(nb + 3, 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps = {
        operandMap(op.getLhs(), op.getTransposeLhs(), m, k),
        operandMap(op.getRhs(), op.getTransposeRhs(), k, n)};
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < rank; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    maps.push_back(AffineMap::get(nb + 3, 0, outExprs, ctx));

    // Result sizes: broadcast batch sizes, then m and n.
    auto lt = op.getLhs().getType(), rt = op.getRhs().getType();
    SmallVector<OpFoldResult> sizes;
    {
      // Batch sizes: static from the result type, else from an operand whose
      // size there is not a static 1.
      for (int64_t j = 0; j < nb; ++j) {
        OpFoldResult size = b.getIndexAttr(1);
        if (!res.isDynamicDim(j)) {
          size = b.getIndexAttr(res.getDimSize(j));
        } else {
          for (auto [v, t] : {std::pair{op.getLhs(), lt}, {op.getRhs(), rt}}) {
            int64_t i = j - (nb - (t.getRank() - 2));
            if (i >= 0 && (t.isDynamicDim(i) || t.getDimSize(i) != 1))
              size = mixedDims(b, v)[i];
          }
        }
        sizes.push_back(size);
      }
      int64_t lr = lt.getRank(), rr = rt.getRank();
      sizes.push_back(mixedDims(b, op.getLhs())[op.getTransposeLhs() ? lr - 1 : lr - 2]);
      sizes.push_back(mixedDims(b, op.getRhs())[op.getTransposeRhs() ? rr - 2 : rr - 1]);
    }
    Value init = zeroFilled(b, sizes, res.getElementType());
    SmallVector<IteratorType> iters(nb + 2, IteratorType::parallel);
    iters.push_back(IteratorType::reduction);
    Type elem = res.getElementType();
    auto g = linalg::GenericOp::create(
        b, TypeRange{init.getType()}, ValueRange{op.getLhs(), op.getRhs()},
        ValueRange{init}, maps, iters,
        [&](OpBuilder &nb2, Location loc, ValueRange args) {
          macBody(nb2, loc, args, elem);
        });
    rewriter.replaceOp(op, castTo(b, g.getResult(0), res));
    return success();
  }
};

struct LinearLowering : OpRewritePattern<LinearOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LinearOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    MLIRContext *ctx = b.getContext();
    auto res = op.getType();
    int64_t rank = res.getRank();
    // Loop dims: outer..., n, k.
    SmallVector<AffineExpr> xExprs, outExprs;
    for (int64_t i = 0; i + 1 < rank; ++i) {
      xExprs.push_back(getAffineDimExpr(i, ctx));
      outExprs.push_back(getAffineDimExpr(i, ctx));
    }
    AffineExpr n = getAffineDimExpr(rank - 1, ctx),
               k = getAffineDimExpr(rank, ctx);
    xExprs.push_back(k);
    outExprs.push_back(n);
    // The weight as stored: [N, K], or [K, N] with weight_layout "kn".
    AffineMap wMap = op.isWeightKN() ? AffineMap::get(rank + 1, 0, {k, n}, ctx)
                                     : AffineMap::get(rank + 1, 0, {n, k}, ctx);
    SmallVector<AffineMap> maps = {AffineMap::get(rank + 1, 0, xExprs, ctx),
                                   wMap,
                                   AffineMap::get(rank + 1, 0, outExprs, ctx)};
    SmallVector<OpFoldResult> sizes = mixedDims(b, op.getInput());
    sizes.back() = mixedDims(b, op.getWeight())[op.getWeightNDim()];
    Type elem = res.getElementType();
    Value init = accumulatorInit(b, sizes, elem, op.getBias(), rank - 1);
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    iters.push_back(IteratorType::reduction);
    auto g = linalg::GenericOp::create(
        b, TypeRange{init.getType()}, ValueRange{op.getInput(), op.getWeight()},
        ValueRange{init}, maps, iters,
        [&](OpBuilder &nb, Location loc, ValueRange args) {
          macBody(nb, loc, args, elem);
        });
    Value y = castTo(b, g.getResult(0), res);
    // The activation is an elementwise epilogue, lowered in turn.
    StringRef act = op.getActivation();
    if (act == "relu")
      y = ReluOp::create(b, y);
    else if (act == "gelu" || act == "gelu_tanh")
      y = GeluOp::create(b, y, act == "gelu" ? "none" : "tanh");
    else if (act == "silu")
      y = MulOp::create(b, res, y, SigmoidOp::create(b, y));
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct EinsumLowering : OpRewritePattern<EinsumOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(EinsumOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    MLIRContext *ctx = b.getContext();
    StringRef eq = op.getEquation();
    size_t arrow = eq.find("->");
    SmallVector<StringRef> terms;
    eq.substr(0, arrow).split(terms, ',');
    std::string out = eq.substr(arrow + 2).trim().str();
    // Ellipsis dims: as many as the largest operand needs, right-aligned.
    int64_t numEllipsis = 0;
    for (auto [term, v] : llvm::zip(terms, op.getInputs())) {
      StringRef t = term.trim();
      if (t.contains("..."))
        numEllipsis =
            std::max<int64_t>(numEllipsis,
                              cast<RankedTensorType>(v.getType()).getRank() -
                                  ((int64_t)t.size() - 3));
    }
    // Loop dims: ellipsis dims, output letters, then reduction letters.
    std::string letters;
    for (char c : out)
      if (c != '.' && letters.find(c) == std::string::npos)
        letters.push_back(c);
    size_t numParallelLetters = letters.size();
    for (StringRef term : terms)
      for (char c : term.trim())
        if (c != '.' && letters.find(c) == std::string::npos)
          letters.push_back(c);
    int64_t numLoops = numEllipsis + letters.size();
    auto termMap = [&](StringRef t, int64_t rank) {
      SmallVector<AffineExpr> exprs;
      int64_t e = t.contains("...") ? rank - ((int64_t)t.size() - 3) : 0;
      for (size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '.') {
          for (int64_t j = 0; j < e; ++j)
            exprs.push_back(getAffineDimExpr(numEllipsis - e + j, ctx));
          i += 2;
          continue;
        }
        exprs.push_back(
            getAffineDimExpr(numEllipsis + letters.find(t[i]), ctx));
      }
      return AffineMap::get(numLoops, 0, exprs, ctx);
    };
    SmallVector<AffineMap> maps;
    // Loop sizes come from the first operand dimension each loop indexes;
    // ellipsis dims that are static 1 in some operand read index 0 there.
    SmallVector<OpFoldResult> loopSizes(numLoops, b.getIndexAttr(1));
    for (auto [term, v] : llvm::zip(terms, op.getInputs())) {
      auto t = cast<RankedTensorType>(v.getType());
      AffineMap map = termMap(term.trim(), t.getRank());
      SmallVector<AffineExpr> exprs(map.getResults());
      for (auto [i, e] : llvm::enumerate(exprs)) {
        int64_t loop = cast<AffineDimExpr>(e).getPosition();
        bool isStaticOne = !t.isDynamicDim(i) && t.getDimSize(i) == 1;
        if (loop < numEllipsis && isStaticOne) {
          exprs[i] = getAffineConstantExpr(0, ctx);
          continue;
        }
        if (!isStaticOne || loop >= numEllipsis)
          loopSizes[loop] = mixedDims(b, v)[i];
      }
      maps.push_back(AffineMap::get(numLoops, 0, exprs, ctx));
    }
    AffineMap outMap = termMap(out, numEllipsis + (out.size() -
                                    (StringRef(out).contains("...") ? 3 : 0)));
    maps.push_back(outMap);
    SmallVector<OpFoldResult> outSizes;
    for (AffineExpr e : outMap.getResults())
      outSizes.push_back(loopSizes[cast<AffineDimExpr>(e).getPosition()]);
    Type elem = op.getType().getElementType();
    Value init = zeroFilled(b, outSizes, elem);
    SmallVector<IteratorType> iters(numEllipsis + numParallelLetters,
                                    IteratorType::parallel);
    iters.append(letters.size() - numParallelLetters, IteratorType::reduction);
    auto g = linalg::GenericOp::create(
        b, TypeRange{init.getType()}, op.getInputs(), ValueRange{init}, maps,
        iters, [&](OpBuilder &nb, Location loc, ValueRange args) {
          macBody(nb, loc, args, elem);
        });
    rewriter.replaceOp(op, castTo(b, g.getResult(0), op.getType()));
    return success();
  }
};

struct ConvLowering : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    MLIRContext *ctx = b.getContext();
    auto wt = op.getWeight().getType();
    int64_t s = wt.getRank() - 2, group = op.getGroup();
    if (group > 1 && wt.isDynamicDim(0))
      return rewriter.notifyMatchFailure(op, "grouped conv needs static filters");
    Type elem = op.getType().getElementType();
    // Zero-pad the input.
    Value x = op.getInput();
    ArrayRef<int64_t> pads = op.getPads();
    if (llvm::any_of(pads, [](int64_t p) { return p != 0; })) {
      SmallVector<OpFoldResult> lo(2, b.getIndexAttr(0)), hi(2, b.getIndexAttr(0));
      for (int64_t i = 0; i < s; ++i) {
        lo.push_back(b.getIndexAttr(pads[i]));
        hi.push_back(b.getIndexAttr(pads[s + i]));
      }
      Value zero = scalarConst(b, b.getLoc(), elem, 0);
      x = tensor::PadOp::create(b, Type(), x, lo, hi, zero);
    }
    // Loop dims: n, f, out spatial (s), c, kernel spatial (s).
    int64_t numLoops = 3 + 2 * s;
    AffineExpr n = getAffineDimExpr(0, ctx), f = getAffineDimExpr(1, ctx),
               c = getAffineDimExpr(2 + s, ctx);
    int64_t cg = wt.getDimSize(1);
    AffineExpr inChannel = c;
    if (group > 1)
      inChannel = f.floorDiv(wt.getDimSize(0) / group) * cg + c;
    SmallVector<AffineExpr> xe = {n, inChannel}, we = {f, c}, oe = {n, f};
    for (int64_t i = 0; i < s; ++i) {
      AffineExpr o = getAffineDimExpr(2 + i, ctx),
                 k = getAffineDimExpr(3 + s + i, ctx);
      xe.push_back(o * op.getStrides()[i] + k * op.getDilations()[i]);
      we.push_back(k);
      oe.push_back(o);
    }
    SmallVector<AffineMap> maps = {AffineMap::get(numLoops, 0, xe, ctx),
                                   AffineMap::get(numLoops, 0, we, ctx),
                                   AffineMap::get(numLoops, 0, oe, ctx)};
    // Output sizes.
    SmallVector<OpFoldResult> sizes = {mixedDims(b, op.getInput())[0],
                                       mixedDims(b, op.getWeight())[0]};
    auto res = op.getType();
    for (int64_t i = 0; i < s; ++i) {
      if (!res.isDynamicDim(2 + i)) {
        sizes.push_back(b.getIndexAttr(res.getDimSize(2 + i)));
        continue;
      }
      // (in + pads - dilation * (k - 1) - 1) / stride + 1
      Value in = dimValue(b, x, 2 + i), k = dimValue(b, op.getWeight(), 2 + i);
      Value one = indexConst(b, 1);
      Value span = arith::MulIOp::create(
          b, indexConst(b, op.getDilations()[i]), arith::SubIOp::create(b, k, one));
      Value v = arith::SubIOp::create(b, arith::SubIOp::create(b, in, span), one);
      v = arith::DivSIOp::create(b, v, indexConst(b, op.getStrides()[i]));
      sizes.push_back(arith::AddIOp::create(b, v, one).getResult());
    }
    Value init = accumulatorInit(b, sizes, elem, op.getBias(), 1);
    SmallVector<IteratorType> iters(2 + s, IteratorType::parallel);
    iters.append(1 + s, IteratorType::reduction);
    auto g = linalg::GenericOp::create(
        b, TypeRange{init.getType()}, ValueRange{x, op.getWeight()},
        ValueRange{init}, maps, iters,
        [&](OpBuilder &nb, Location loc, ValueRange args) {
          macBody(nb, loc, args, elem);
        });
    rewriter.replaceOp(op, castTo(b, g.getResult(0), res));
    return success();
  }
};

} // namespace

void mlir::tfc::populateContractionLoweringPatterns(
    RewritePatternSet &patterns) {
  patterns.add<MatmulLowering, LinearLowering, EinsumLowering, ConvLowering>(
      patterns.getContext());
  populatePatchConvLoweringPatterns(patterns);
}
