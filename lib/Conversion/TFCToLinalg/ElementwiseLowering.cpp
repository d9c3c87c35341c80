//===- ElementwiseLowering.cpp - tfc elementwise ops -> linalg.generic ----===//
//
// Every elementwise tfc op becomes one linalg.generic over the numpy broadcast
// of its operands; only the scalar body differs per op.
//
//===----------------------------------------------------------------------===//
#include "LoweringUtils.h"
#include "tfc/Dialect/TFC/IR/TFC.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace mlir::tfc;

namespace {

Type elemOf(Value v) { return cast<ShapedType>(v.getType()).getElementType(); }
bool isUnsigned(Type t) {
  auto i = dyn_cast<IntegerType>(t);
  return i && i.isUnsigned();
}

/// Runs `fn` on `x` in f32 when x is a narrower float (libm and the
/// polynomial approximations work on f32 and f64).
Value inWideFloat(OpBuilder &b, Location loc, Value x,
                  function_ref<Value(Value)> fn) {
  auto ft = cast<FloatType>(x.getType());
  if (ft.getWidth() >= 32)
    return fn(x);
  Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
  return arith::TruncFOp::create(b, loc, ft, fn(wide));
}

/// Scalar body of each op: `in` is the element type of the first operand in
/// tfc's types (so unsigned-ness is known), `args` are signless scalars.
struct Body {
  Operation *op;
  Type in;
  OpBuilder &b;
  Location loc;

  bool isFloat() const { return isa<FloatType>(in); }
  Value cst(double v) const { return scalarConst(b, loc, signlessType(in), v); }

  Value compute(ValueRange a) {
    bool u = isUnsigned(in) || in.isInteger(1);
    if (isa<AddOp>(op))
      return isFloat() ? (Value)arith::AddFOp::create(b, loc, a[0], a[1])
                       : arith::AddIOp::create(b, loc, a[0], a[1]);
    if (isa<SubOp>(op))
      return isFloat() ? (Value)arith::SubFOp::create(b, loc, a[0], a[1])
                       : arith::SubIOp::create(b, loc, a[0], a[1]);
    if (isa<MulOp>(op))
      return isFloat() ? (Value)arith::MulFOp::create(b, loc, a[0], a[1])
                       : arith::MulIOp::create(b, loc, a[0], a[1]);
    if (isa<DivOp>(op)) {
      if (isFloat())
        return arith::DivFOp::create(b, loc, a[0], a[1]);
      // x / 0 (reported, RunChecks.cpp) divides by 1 instead of trapping;
      // INT_MIN / -1, which traps too, wraps to INT_MIN as -x does.
      Value zero =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, a[1], cst(0));
      Value d = arith::SelectOp::create(b, loc, zero, cst(1), a[1]);
      if (u)
        return arith::DivUIOp::create(b, loc, a[0], d);
      Value minusOne =
          arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, d, cst(-1));
      Value safe = arith::SelectOp::create(b, loc, minusOne, cst(1), d);
      return arith::SelectOp::create(
          b, loc, minusOne, arith::SubIOp::create(b, loc, cst(0), a[0]),
          arith::DivSIOp::create(b, loc, a[0], safe));
    }
    if (isa<MaxOp>(op)) {
      if (isFloat())
        return arith::MaximumFOp::create(b, loc, a[0], a[1]);
      return u ? (Value)arith::MaxUIOp::create(b, loc, a[0], a[1])
               : arith::MaxSIOp::create(b, loc, a[0], a[1]);
    }
    if (isa<MinOp>(op)) {
      if (isFloat())
        return arith::MinimumFOp::create(b, loc, a[0], a[1]);
      return u ? (Value)arith::MinUIOp::create(b, loc, a[0], a[1])
               : arith::MinSIOp::create(b, loc, a[0], a[1]);
    }
    if (isa<EqualOp, LessOp, GreaterOp>(op)) {
      if (isFloat()) {
        auto pred = isa<EqualOp>(op)  ? arith::CmpFPredicate::OEQ
                    : isa<LessOp>(op) ? arith::CmpFPredicate::OLT
                                      : arith::CmpFPredicate::OGT;
        return arith::CmpFOp::create(b, loc, pred, a[0], a[1]);
      }
      auto pred = isa<EqualOp>(op) ? arith::CmpIPredicate::eq
                  : isa<LessOp>(op)
                      ? (u ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt)
                      : (u ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt);
      return arith::CmpIOp::create(b, loc, pred, a[0], a[1]);
    }
    if (isa<AndOp>(op))
      return arith::AndIOp::create(b, loc, a[0], a[1]);
    if (isa<OrOp>(op))
      return arith::OrIOp::create(b, loc, a[0], a[1]);
    if (isa<NotOp>(op))
      return arith::XOrIOp::create(b, loc, a[0], cst(1));
    if (isa<PowOp>(op))
      return pow(a[0], a[1]);
    if (isa<NegOp>(op))
      return isFloat() ? (Value)arith::NegFOp::create(b, loc, a[0])
                       : arith::SubIOp::create(b, loc, cst(0), a[0]);
    if (isa<AbsOp>(op)) {
      if (isFloat())
        return math::AbsFOp::create(b, loc, a[0]);
      return u ? a[0] : (Value)math::AbsIOp::create(b, loc, a[0]);
    }
    if (isa<ReluOp>(op))
      return isFloat() ? (Value)arith::MaximumFOp::create(b, loc, a[0], cst(0))
                       : arith::MaxSIOp::create(b, loc, a[0], cst(0));
    if (isa<ReciprocalOp>(op))
      return arith::DivFOp::create(b, loc, cst(1), a[0]);
    return transcendental(a[0]);
  }

  Value transcendental(Value x) {
    return inWideFloat(b, loc, x, [&](Value v) -> Value {
      Type t = v.getType();
      auto c = [&](double d) { return scalarConst(b, loc, t, d); };
      if (isa<SqrtOp>(op))
        return math::SqrtOp::create(b, loc, v);
      if (isa<ExpOp>(op))
        return math::ExpOp::create(b, loc, v);
      if (isa<LogOp>(op))
        return math::LogOp::create(b, loc, v);
      if (isa<TanhOp>(op))
        return math::TanhOp::create(b, loc, v);
      if (isa<ErfOp>(op))
        return math::ErfOp::create(b, loc, v);
      if (isa<SinOp>(op))
        return math::SinOp::create(b, loc, v);
      if (isa<CosOp>(op))
        return math::CosOp::create(b, loc, v);
      if (isa<SigmoidOp>(op)) {
        Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, v));
        return arith::DivFOp::create(b, loc, c(1),
                                     arith::AddFOp::create(b, loc, c(1), e));
      }
      auto gelu = cast<GeluOp>(op);
      Value inner;
      if (gelu.getApproximate() == "tanh") {
        // tanh(sqrt(2/pi) * (x + 0.044715 x^3))
        Value x3 = arith::MulFOp::create(
            b, loc, v, arith::MulFOp::create(b, loc, v, v));
        Value s = arith::AddFOp::create(
            b, loc, v, arith::MulFOp::create(b, loc, c(0.044715), x3));
        inner = math::TanhOp::create(
            b, loc, arith::MulFOp::create(b, loc, c(std::sqrt(2.0 / M_PI)), s));
      } else {
        inner = math::ErfOp::create(
            b, loc, arith::MulFOp::create(b, loc, v, c(M_SQRT1_2)));
      }
      Value half = arith::MulFOp::create(b, loc, v, c(0.5));
      return arith::MulFOp::create(b, loc, half,
                                   arith::AddFOp::create(b, loc, c(1), inner));
    });
  }

  /// ONNX Pow: the result has the base's type; integer bases are computed in
  /// f64 and truncated, integer exponents of float bases are converted.
  Value pow(Value base, Value exp) {
    Type et = elemOf(op->getOperand(1));
    if (isFloat()) {
      if (isa<IntegerType>(et)) // exact for negative bases
        return inWideFloat(b, loc, base, [&](Value v) -> Value {
          Value ei = convertScalar(b, loc, exp, et, b.getI32Type());
          return math::FPowIOp::create(b, loc, v, ei);
        });
      return inWideFloat(b, loc, base, [&](Value v) -> Value {
        Value ev = convertScalar(b, loc, exp, et, v.getType());
        return math::PowFOp::create(b, loc, v, ev);
      });
    }
    Type f64 = b.getF64Type();
    Value bf = convertScalar(b, loc, base, in, f64);
    Value ef = convertScalar(b, loc, exp, et, f64);
    return convertScalar(b, loc, math::PowFOp::create(b, loc, bf, ef), f64, in);
  }
};

template <typename OpT>
struct ElementwiseLowering : OpRewritePattern<OpT> {
  using OpRewritePattern<OpT>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpT op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Type in = elemOf(op->getOperand(0));
    auto result = cast<RankedTensorType>(op->getResult(0).getType());
    if (isa<DivOp>(op.getOperation()))
      checkEach(b, op, op->getOperand(1),
                [&](OpBuilder &nb, Location loc, Value d) {
                  Value s = toSignless(nb, loc, d);
                  Value zero = scalarConst(nb, loc, s.getType(), 0);
                  return std::make_pair(
                      (Value)arith::CmpIOp::create(
                          nb, loc, arith::CmpIPredicate::eq, s, zero),
                      (Value)arith::ConstantIntOp::create(nb, loc,
                                                          nb.getI64Type(), 0));
                });
    Value v = buildElementwise(
        b, op->getOperands(), result,
        [&](OpBuilder &nb, Location loc, ValueRange args) {
          return Body{op, in, nb, loc}.compute(args);
        });
    rewriter.replaceOp(op, v);
    return success();
  }
};

struct WhereLowering : OpRewritePattern<WhereOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(WhereOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Value v = buildElementwise(
        b, op->getOperands(), op.getType(),
        [&](OpBuilder &nb, Location loc, ValueRange a) -> Value {
          return arith::SelectOp::create(nb, loc, a[0], a[1], a[2]);
        });
    rewriter.replaceOp(op, v);
    return success();
  }
};

struct CastLowering : OpRewritePattern<CastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CastOp op,
                                PatternRewriter &rewriter) const override {
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    Type from = op.getInput().getType().getElementType();
    Type to = op.getType().getElementType();
    Value v = buildElementwise(
        b, op.getInput(), op.getType(),
        [&](OpBuilder &nb, Location loc, ValueRange a) {
          return convertScalar(nb, loc, a[0], from, to);
        });
    rewriter.replaceOp(op, v);
    return success();
  }
};

} // namespace

void mlir::tfc::populateElementwiseLoweringPatterns(
    RewritePatternSet &patterns) {
  patterns.add<ElementwiseLowering<AddOp>, ElementwiseLowering<SubOp>,
               ElementwiseLowering<MulOp>, ElementwiseLowering<DivOp>,
               ElementwiseLowering<PowOp>, ElementwiseLowering<MaxOp>,
               ElementwiseLowering<MinOp>, ElementwiseLowering<EqualOp>,
               ElementwiseLowering<LessOp>, ElementwiseLowering<GreaterOp>,
               ElementwiseLowering<AndOp>, ElementwiseLowering<OrOp>,
               ElementwiseLowering<NotOp>, ElementwiseLowering<NegOp>,
               ElementwiseLowering<AbsOp>, ElementwiseLowering<SqrtOp>,
               ElementwiseLowering<ReciprocalOp>, ElementwiseLowering<ExpOp>,
               ElementwiseLowering<LogOp>, ElementwiseLowering<TanhOp>,
               ElementwiseLowering<ErfOp>, ElementwiseLowering<SinOp>,
               ElementwiseLowering<CosOp>, ElementwiseLowering<ReluOp>,
               ElementwiseLowering<SigmoidOp>, ElementwiseLowering<GeluOp>,
               WhereLowering, CastLowering>(patterns.getContext());
}
