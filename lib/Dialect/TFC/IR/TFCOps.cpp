//===- TFCOps.cpp - tfc op verifiers and folders --------------------------===//
//
// Each verifier names the constraint (Cn) from the op's description that
// failed; test/Dialect/TFC/invalid.mlir has one case per constraint.
//
//===----------------------------------------------------------------------===//
#include "tfc/Dialect/TFC/IR/TFC.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::tfc;

#define GET_OP_CLASSES
#include "tfc/Dialect/TFC/IR/TFCOps.cpp.inc"

static RankedTensorType rt(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// True when a static `actual` size disagrees with a static `expected` size.
static bool conflicts(int64_t actual, int64_t expected) {
  return !ShapedType::isDynamic(actual) && !ShapedType::isDynamic(expected) &&
         actual != expected;
}

static bool isI1(Type t) { return t.isInteger(1); }

/// Checks the numpy-broadcast result shape; `what` names the constraint.
static LogicalResult verifyBroadcastResult(Operation *op, ValueRange inputs,
                                           RankedTensorType result,
                                           StringRef shapeConstraint,
                                           StringRef resultConstraint) {
  SmallVector<int64_t> shape;
  for (Value v : inputs) {
    SmallVector<int64_t> next;
    if (failed(broadcastShapes(shape, rt(v).getShape(), next)))
      return op->emitOpError(shapeConstraint)
             << ": operand shapes do not broadcast";
    shape = next;
  }
  if (result.getRank() != (int64_t)shape.size())
    return op->emitOpError(resultConstraint)
           << ": result rank " << result.getRank()
           << " is not the broadcast rank " << shape.size();
  for (auto [r, b] : llvm::zip(result.getShape(), shape))
    if (conflicts(r, b))
      return op->emitOpError(resultConstraint)
             << ": result shape does not match the broadcast shape";
  return success();
}

static LogicalResult verifyBinary(Operation *op, bool isCompare,
                                  bool anyRhsType, bool boolOnly) {
  Type l = rt(op->getOperand(0)).getElementType();
  Type r = rt(op->getOperand(1)).getElementType();
  if (!anyRhsType && l != r)
    return op->emitOpError("C1: operand element types differ: ")
           << l << " vs " << r;
  if (boolOnly && !isI1(l))
    return op->emitOpError("C1: operands must have element type i1");
  auto result = cast<RankedTensorType>(op->getResult(0).getType());
  Type expected = isCompare ? IntegerType::get(op->getContext(), 1) : l;
  if (result.getElementType() != expected)
    return op->emitOpError("C3: result element type must be ") << expected;
  return verifyBroadcastResult(op, op->getOperands(), result, "C2", "C3");
}

#define TFC_BINARY_VERIFIER(Op, compare, anyRhs, boolOnly)                     \
  LogicalResult Op::verify() {                                                 \
    return verifyBinary(*this, compare, anyRhs, boolOnly);                     \
  }
TFC_BINARY_VERIFIER(AddOp, false, false, false)
TFC_BINARY_VERIFIER(SubOp, false, false, false)
TFC_BINARY_VERIFIER(MulOp, false, false, false)
TFC_BINARY_VERIFIER(DivOp, false, false, false)
TFC_BINARY_VERIFIER(PowOp, false, true, false)
TFC_BINARY_VERIFIER(MaxOp, false, false, false)
TFC_BINARY_VERIFIER(MinOp, false, false, false)
TFC_BINARY_VERIFIER(EqualOp, true, false, false)
TFC_BINARY_VERIFIER(LessOp, true, false, false)
TFC_BINARY_VERIFIER(GreaterOp, true, false, false)
TFC_BINARY_VERIFIER(AndOp, false, false, true)
TFC_BINARY_VERIFIER(OrOp, false, false, true)
#undef TFC_BINARY_VERIFIER

LogicalResult NotOp::verify() {
  if (!isI1(getInput().getType().getElementType()))
    return emitOpError("C1: element type must be i1");
  return success();
}

LogicalResult GeluOp::verify() {
  if (!isa<FloatType>(getInput().getType().getElementType()))
    return emitOpError("C1: element type must be a float type");
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError("C2: approximate must be \"none\" or \"tanh\", got \"")
           << getApproximate() << "\"";
  return success();
}

LogicalResult WhereOp::verify() {
  if (!isI1(getCondition().getType().getElementType()))
    return emitOpError("C1: condition must have element type i1");
  Type t = getOnTrue().getType().getElementType();
  if (getOnFalse().getType().getElementType() != t ||
      getType().getElementType() != t)
    return emitOpError("C2: on_true, on_false and result element types differ");
  return verifyBroadcastResult(*this, getOperands(), getType(), "C3", "C3");
}

LogicalResult CastOp::verify() {
  auto in = getInput().getType(), out = getType();
  if (in.getRank() != out.getRank())
    return emitOpError("C1: input and result shapes differ");
  for (auto [a, b] : llvm::zip(in.getShape(), out.getShape()))
    if (conflicts(a, b))
      return emitOpError("C1: input and result shapes differ");
  return success();
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

LogicalResult MatmulOp::verify() {
  auto l = getLhs().getType(), r = getRhs().getType(), res = getType();
  if (l.getRank() < 2 || r.getRank() < 2)
    return emitOpError("C1: operands must have rank >= 2");
  if (l.getElementType() != r.getElementType() ||
      res.getElementType() != l.getElementType())
    return emitOpError("C2: element types differ");
  int64_t lr = l.getRank(), rr = r.getRank();
  int64_t m = l.getDimSize(getTransposeLhs() ? lr - 1 : lr - 2);
  int64_t kl = l.getDimSize(getTransposeLhs() ? lr - 2 : lr - 1);
  int64_t kr = r.getDimSize(getTransposeRhs() ? rr - 1 : rr - 2);
  int64_t n = r.getDimSize(getTransposeRhs() ? rr - 2 : rr - 1);
  if (conflicts(kl, kr))
    return emitOpError("C3: contraction sizes differ: ") << kl << " vs " << kr;
  SmallVector<int64_t> batch;
  if (failed(broadcastShapes(l.getShape().drop_back(2),
                             r.getShape().drop_back(2), batch)))
    return emitOpError("C4: batch dimensions do not broadcast");
  batch.push_back(m);
  batch.push_back(n);
  if (res.getRank() != (int64_t)batch.size())
    return emitOpError("C5: result rank must be ") << batch.size();
  for (auto [a, b] : llvm::zip(res.getShape(), batch))
    if (conflicts(a, b))
      return emitOpError("C5: result shape does not match operands");
  return success();
}

LogicalResult LinearOp::verify() {
  auto x = getInput().getType(), w = getWeight().getType(), res = getType();
  if (w.getRank() != 2 || x.getRank() < 1)
    return emitOpError("C1: weight must have rank 2 and input rank >= 1");
  StringRef layout = getWeightLayout();
  if (layout != "nk" && layout != "kn")
    return emitOpError("C7: unknown weight_layout '")
           << layout << "' (nk: [N, K], kn: [K, N])";
  int64_t n = w.getDimSize(getWeightNDim()), k = w.getDimSize(getWeightKDim());
  Type et = x.getElementType();
  if (w.getElementType() != et || res.getElementType() != et ||
      (getBias() && getBias().getType().getElementType() != et))
    return emitOpError("C2: element types differ");
  if (conflicts(x.getShape().back(), k))
    return emitOpError("C3: input feature size ")
           << x.getShape().back() << " does not match the weight's K size "
           << k;
  if (getBias()) {
    auto b = getBias().getType();
    if (b.getRank() != 1 || conflicts(b.getDimSize(0), n))
      return emitOpError("C4: bias must be 1-D with the weight's N size");
  }
  if (res.getRank() != x.getRank())
    return emitOpError("C5: result rank must equal input rank");
  for (int64_t i = 0; i + 1 < x.getRank(); ++i)
    if (conflicts(res.getDimSize(i), x.getDimSize(i)))
      return emitOpError("C5: result shape does not match input");
  if (conflicts(res.getShape().back(), n))
    return emitOpError("C5: result feature size must be the weight's N size");
  StringRef act = getActivation();
  if (!llvm::is_contained(
          ArrayRef<StringRef>{"none", "relu", "gelu", "gelu_tanh", "silu"},
          act) ||
      (act != "none" && !isa<FloatType>(res.getElementType())))
    return emitOpError("C6: unknown activation '")
           << act << "' (none, relu, gelu, gelu_tanh, silu; float only)";
  return success();
}

LogicalResult EinsumOp::verify() {
  StringRef eq = getEquation();
  auto arrow = eq.find("->");
  if (arrow == StringRef::npos)
    return emitOpError("C1: equation needs an explicit '->' output term");
  SmallVector<StringRef> terms;
  eq.substr(0, arrow).split(terms, ',');
  if (terms.size() != getInputs().size())
    return emitOpError("C1: equation has ")
           << terms.size() << " input terms for " << getInputs().size()
           << " operands";
  SmallVector<StringRef> all(terms);
  all.push_back(eq.substr(arrow + 2));
  for (StringRef term : all) {
    std::string rest = term.trim().str();
    if (size_t dots = rest.find("..."); dots != std::string::npos)
      rest.erase(dots, 3);
    if (!llvm::all_of(rest, llvm::isAlpha))
      return emitOpError("C1: term '")
             << term << "' is not letters with at most one '...'";
  }
  for (auto [term, v] : llvm::zip(terms, getInputs())) {
    StringRef t = term.trim();
    bool ellipsis = t.contains("...");
    int64_t letters = (int64_t)t.size() - (ellipsis ? 3 : 0);
    int64_t rank = rt(v).getRank();
    if (ellipsis ? letters > rank : letters != rank)
      return emitOpError("C2: term '") << t << "' does not fit rank " << rank;
  }
  for (Value v : getInputs())
    if (rt(v).getElementType() != getType().getElementType())
      return emitOpError("C3: element types differ");
  return success();
}

LogicalResult ConvOp::verify() {
  auto x = getInput().getType(), w = getWeight().getType();
  if (x.getRank() != w.getRank() || x.getRank() < 3 ||
      (getBias() && getBias().getType().getRank() != 1))
    return emitOpError("C1: input and weight need equal rank >= 3, bias rank 1");
  size_t spatial = x.getRank() - 2;
  if (getStrides().size() != spatial || getDilations().size() != spatial ||
      getPads().size() != 2 * spatial ||
      llvm::any_of(getStrides(), [](int64_t s) { return s <= 0; }) ||
      llvm::any_of(getDilations(), [](int64_t s) { return s <= 0; }) ||
      llvm::any_of(getPads(), [](int64_t s) { return s < 0; }))
    return emitOpError("C2: bad strides, dilations or pads for ")
           << spatial << " spatial dimensions";
  int64_t g = getGroup();
  int64_t c = x.getDimSize(1), f = w.getDimSize(0), cg = w.getDimSize(1);
  if (g < 1 || (!ShapedType::isDynamic(c) && c % g) ||
      (!ShapedType::isDynamic(f) && f % g) ||
      (!ShapedType::isDynamic(c) && conflicts(cg, c / g)))
    return emitOpError("C3: group ") << g << " does not fit channels";
  Type et = x.getElementType();
  if (w.getElementType() != et || getType().getElementType() != et ||
      (getBias() && getBias().getType().getElementType() != et))
    return emitOpError("C4: element types differ");
  return success();
}

static LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank,
                                StringRef constraint) {
  if (axis < -rank || axis >= rank)
    return op->emitOpError(constraint)
           << ": axis " << axis << " is out of range for rank " << rank;
  return success();
}

static LogicalResult verifySoftmax(Operation *op, RankedTensorType t,
                                   int64_t axis) {
  if (!isa<FloatType>(t.getElementType()))
    return op->emitOpError("C1: element type must be a float type");
  return verifyAxis(op, axis, t.getRank(), "C2");
}
LogicalResult SoftmaxOp::verify() {
  return verifySoftmax(*this, getType(), getAxis());
}
LogicalResult LogSoftmaxOp::verify() {
  return verifySoftmax(*this, getType(), getAxis());
}

/// Shared checks of layer_norm and rms_norm.
static LogicalResult verifyNorm(Operation *op, RankedTensorType in,
                                RankedTensorType res, int64_t axis,
                                ValueRange params, float epsilon) {
  if (!isa<FloatType>(in.getElementType()) || in != res)
    return op->emitOpError(
        "C1: element type must be float and result type equal input type");
  if (failed(verifyAxis(op, axis, in.getRank(), "C2")))
    return failure();
  int64_t a = axis < 0 ? axis + in.getRank() : axis;
  ArrayRef<int64_t> normShape = in.getShape().drop_front(a);
  for (Value p : params) {
    SmallVector<int64_t> b;
    auto pt = rt(p);
    if (pt.getElementType() != in.getElementType() ||
        pt.getRank() > (int64_t)normShape.size() ||
        failed(broadcastShapes(normShape, pt.getShape(), b)) ||
        llvm::any_of(llvm::zip(b, normShape), [](auto pair) {
          return conflicts(std::get<0>(pair), std::get<1>(pair));
        }))
      return op->emitOpError("C3: parameter of type ")
             << pt << " does not broadcast to the normalized shape";
  }
  if (epsilon < 0)
    return op->emitOpError("C4: epsilon must be >= 0");
  return success();
}

LogicalResult LayerNormOp::verify() {
  SmallVector<Value> params;
  if (getScale())
    params.push_back(getScale());
  if (getBias())
    params.push_back(getBias());
  if (getResidual() && getResidual().getType() != getInput().getType())
    return emitOpError("C5: residual must have the input's type ")
           << getInput().getType();
  return verifyNorm(*this, getInput().getType(), getType(), getAxis(), params,
                    getEpsilon().convertToFloat());
}

LogicalResult RmsNormOp::verify() {
  SmallVector<Value> params;
  if (getScale())
    params.push_back(getScale());
  return verifyNorm(*this, getInput().getType(), getType(), getAxis(), params,
                    getEpsilon().convertToFloat());
}

AttentionOp::Dims AttentionOp::getDims() {
  auto q = getQuery().getType(), k = getKey().getType(),
       v = getValue().getType();
  const int64_t dyn = ShapedType::kDynamic;
  if (!getNumHeads())
    return {q.getDimSize(0), q.getDimSize(1), q.getDimSize(2),
            k.getDimSize(2),  q.getDimSize(3), v.getDimSize(3),
            k.getDimSize(1)};
  int64_t h = *getNumHeads();
  auto div = [&](int64_t a, int64_t b) {
    return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || b <= 0
               ? dyn
               : a / b;
  };
  int64_t d = div(q.getDimSize(2), h);
  int64_t hkv = div(k.getDimSize(2), d);
  return {q.getDimSize(0), h, q.getDimSize(1), k.getDimSize(1),
          d,               div(v.getDimSize(2), hkv), hkv};
}

LogicalResult AttentionOp::verify() {
  auto q = getQuery().getType(), k = getKey().getType(),
       v = getValue().getType();
  Type et = q.getElementType();
  int64_t rank = getNumHeads() ? 3 : 4;
  if (q.getRank() != rank || k.getRank() != rank || v.getRank() != rank ||
      !isa<FloatType>(et) || k.getElementType() != et ||
      v.getElementType() != et || getType().getElementType() != et ||
      (getMask() && getMask().getType().getElementType() != et))
    return emitOpError("C1: query, key, value need rank ")
           << rank << " and one float element type";
  if (getNumHeads()) {
    int64_t h = *getNumHeads();
    int64_t eq = q.getDimSize(2), ek = k.getDimSize(2), ev = v.getDimSize(2);
    if (h < 1 || ShapedType::isDynamic(eq) || ShapedType::isDynamic(ek) ||
        ShapedType::isDynamic(ev) || eq % h || ek % (eq / h) ||
        ek / (eq / h) == 0 || ev % (ek / (eq / h)))
      return emitOpError("C6: num_heads ")
             << h << " does not split the query/key/value widths " << eq
             << "/" << ek << "/" << ev;
  }
  Dims d = getDims();
  int64_t kb = k.getDimSize(0), vb = v.getDimSize(0);
  int64_t vsk = v.getDimSize(rank == 4 ? 2 : 1);
  int64_t vhkv = rank == 4 ? v.getDimSize(1) : d.hkv;
  int64_t kd = rank == 4 ? k.getDimSize(3) : d.d;
  if (conflicts(d.b, kb) || conflicts(d.d, kd) || conflicts(kb, vb) ||
      conflicts(d.sk, vsk) || conflicts(d.hkv, vhkv))
    return emitOpError("C2: query/key/value sizes disagree");
  if (!ShapedType::isDynamic(d.h) && !ShapedType::isDynamic(d.hkv) &&
      (d.hkv == 0 || d.h % d.hkv))
    return emitOpError("C3: key/value heads ")
           << d.hkv << " do not divide query heads " << d.h;
  SmallVector<int64_t> scores = {d.b, d.h, d.sq, d.sk};
  if (getMask()) {
    auto m = getMask().getType();
    SmallVector<int64_t> b;
    if (m.getRank() > 4 || failed(broadcastShapes(scores, m.getShape(), b)) ||
        llvm::any_of(llvm::zip(b, scores), [](auto pair) {
          return conflicts(std::get<0>(pair), std::get<1>(pair));
        }))
      return emitOpError("C4: mask of type ")
             << m << " does not broadcast to the score shape";
  }
  auto res = getType();
  SmallVector<int64_t> expected =
      rank == 4 ? SmallVector<int64_t>{d.b, d.h, d.sq, d.dv}
                : SmallVector<int64_t>{d.b, d.sq,
                                       ShapedType::isDynamic(d.dv)
                                           ? ShapedType::kDynamic
                                           : d.h * d.dv};
  if (res.getRank() != rank ||
      llvm::any_of(llvm::zip(res.getShape(), expected), [](auto pair) {
        return conflicts(std::get<0>(pair), std::get<1>(pair));
      }))
    return emitOpError(rank == 4 ? "C5: result shape must be [B, H, Sq, Dv]"
                                 : "C5: result shape must be [B, Sq, H*Dv]");
  return success();
}

static LogicalResult verifyReduce(Operation *op, ArrayRef<int64_t> axes,
                                  bool keepdims) {
  auto in = rt(op->getOperand(0));
  auto res = cast<RankedTensorType>(op->getResult(0).getType());
  int64_t rank = in.getRank();
  llvm::SmallDenseSet<int64_t> seen;
  for (int64_t a : axes) {
    if (a < -rank || a >= rank || !seen.insert(a < 0 ? a + rank : a).second)
      return op->emitOpError("C1: bad or repeated axis ") << a;
  }
  int64_t reduced = axes.empty() ? rank : (int64_t)axes.size();
  int64_t expected = keepdims ? rank : rank - reduced;
  if (res.getElementType() != in.getElementType() || res.getRank() != expected)
    return op->emitOpError("C2: result must have element type ")
           << in.getElementType() << " and rank " << expected;
  return success();
}
LogicalResult ReduceSumOp::verify() {
  return verifyReduce(*this, getAxes(), getKeepdims());
}
LogicalResult ReduceMeanOp::verify() {
  return verifyReduce(*this, getAxes(), getKeepdims());
}
LogicalResult ReduceMaxOp::verify() {
  return verifyReduce(*this, getAxes(), getKeepdims());
}
LogicalResult ReduceMinOp::verify() {
  return verifyReduce(*this, getAxes(), getKeepdims());
}

LogicalResult TransposeOp::verify() {
  auto in = getInput().getType(), res = getType();
  ArrayRef<int64_t> perm = getPermutation();
  SmallVector<bool> seen(in.getRank(), false);
  if ((int64_t)perm.size() != in.getRank())
    return emitOpError("C1: permutation is not a permutation of [0, rank)");
  for (int64_t p : perm) {
    if (p < 0 || p >= in.getRank() || seen[p])
      return emitOpError("C1: permutation is not a permutation of [0, rank)");
    seen[p] = true;
  }
  if (res.getElementType() != in.getElementType() ||
      res.getRank() != in.getRank())
    return emitOpError("C2: result type does not match permuted input");
  for (auto [i, p] : llvm::enumerate(perm))
    if (conflicts(res.getDimSize(i), in.getDimSize(p)))
      return emitOpError("C2: result type does not match permuted input");
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  for (auto [i, p] : llvm::enumerate(getPermutation()))
    if ((int64_t)i != p)
      return {};
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

/// C1 of reshape, expand, constant_of_shape: a 1-D integer shape tensor of
/// static length.
static LogicalResult verifyShapeOperand(Operation *op, Value shape,
                                        StringRef constraint) {
  auto t = rt(shape);
  if (t.getRank() != 1 || t.isDynamicDim(0) ||
      !t.getElementType().isInteger(64))
    return op->emitOpError(constraint)
           << ": shape must be a 1-D i64 tensor of static length, got "
           << t;
  return success();
}

LogicalResult ReshapeOp::verify() {
  if (failed(verifyShapeOperand(*this, getShape(), "C1")))
    return failure();
  if (getShape().getType().getDimSize(0) != getType().getRank())
    return emitOpError("C1: shape length must equal result rank");
  if (getType().getElementType() != getInput().getType().getElementType())
    return emitOpError("C2: element types differ");
  if (getType().hasStaticShape() && getInput().getType().hasStaticShape() &&
      getType().getNumElements() != getInput().getType().getNumElements())
    return emitOpError("C3: element counts differ");
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType() && getType().hasStaticShape())
    return getInput();
  return {};
}

LogicalResult ExpandOp::verify() {
  if (failed(verifyShapeOperand(*this, getShape(), "C1")))
    return failure();
  int64_t rank = std::max<int64_t>(getInput().getType().getRank(),
                                   getShape().getType().getDimSize(0));
  if (getType().getRank() != rank ||
      getType().getElementType() != getInput().getType().getElementType())
    return emitOpError("C2: result must have rank ")
           << rank << " and the input element type";
  return success();
}

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError("C1: needs at least one input");
  auto res = getType();
  int64_t rank = res.getRank();
  for (Value v : getInputs())
    if (rt(v).getRank() != rank ||
        rt(v).getElementType() != res.getElementType())
      return emitOpError("C1: inputs and result need equal rank and element type");
  int64_t axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError("C2: axis ") << axis << " out of range [0, " << rank
                                    << ")";
  int64_t sum = 0;
  for (Value v : getInputs()) {
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && conflicts(rt(v).getDimSize(d), res.getDimSize(d)))
        return emitOpError("C3: sizes along dimension ")
               << d << " disagree";
    int64_t s = rt(v).getDimSize(axis);
    sum = ShapedType::isDynamic(s) || ShapedType::isDynamic(sum)
              ? ShapedType::kDynamic
              : sum + s;
  }
  if (conflicts(res.getDimSize(axis), sum))
    return emitOpError("C3: result size along the axis must be ") << sum;
  return success();
}

LogicalResult SplitOp::verify() {
  auto in = getInput().getType();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= in.getRank() ||
      getSizes().size() != getResults().size())
    return emitOpError("C1: axis out of range or sizes/results count differ");
  int64_t sum = 0;
  for (int64_t s : getSizes()) {
    if (s < 0)
      return emitOpError("C2: negative split size");
    sum += s;
  }
  if (conflicts(in.getDimSize(axis), sum))
    return emitOpError("C2: split sizes sum to ")
           << sum << ", input size is " << in.getDimSize(axis);
  for (auto [r, s] : llvm::zip(getResults(), getSizes())) {
    auto t = rt(r);
    if (t.getRank() != in.getRank() ||
        t.getElementType() != in.getElementType() ||
        conflicts(t.getDimSize(axis), s))
      return emitOpError("C3: result type ") << t << " does not fit its piece";
    for (int64_t d = 0; d < in.getRank(); ++d)
      if (d != axis && conflicts(t.getDimSize(d), in.getDimSize(d)))
        return emitOpError("C3: result type ") << t << " does not fit its piece";
  }
  return success();
}

LogicalResult SliceOp::verify() {
  int64_t n = -1;
  for (Value v : {getStarts(), getEnds(), getAxes(), getSteps()}) {
    auto t = rt(v);
    if (t.getRank() != 1 || t.isDynamicDim(0) ||
        !isa<IntegerType>(t.getElementType()) ||
        (n >= 0 && t.getDimSize(0) != n))
      return emitOpError(
          "C1: starts, ends, axes and steps must be 1-D integer tensors of "
          "one static length");
    n = t.getDimSize(0);
  }
  if (getType().getRank() != getInput().getType().getRank() ||
      getType().getElementType() != getInput().getType().getElementType())
    return emitOpError("C2: result rank and element type must equal input's");
  return success();
}

LogicalResult GatherOp::verify() {
  auto d = getData().getType(), i = getIndices().getType();
  if (getAxis() < 0 || (int64_t)getAxis() >= d.getRank())
    return emitOpError("C1: axis ") << getAxis() << " out of range";
  if (!isa<IntegerType>(i.getElementType()))
    return emitOpError("C2: indices must be integers");
  if (getType().getRank() != d.getRank() + i.getRank() - 1 ||
      getType().getElementType() != d.getElementType())
    return emitOpError("C3: result must have rank ")
           << d.getRank() + i.getRank() - 1 << " and data's element type";
  return success();
}

LogicalResult ShapeOp::verify() {
  int64_t s = getStart(), e = getEnd(), r = getInput().getType().getRank();
  if (s < 0 || s > e || e > r)
    return emitOpError("C1: need 0 <= start <= end <= rank");
  auto res = getType();
  if (res.getRank() != 1 || res.getDimSize(0) != e - s ||
      !res.getElementType().isInteger(64))
    return emitOpError("C2: result must be tensor<") << e - s << "xi64>";
  return success();
}

OpFoldResult ShapeOp::fold(FoldAdaptor) {
  auto in = getInput().getType();
  SmallVector<int64_t> dims;
  for (int64_t d = getStart(); d < (int64_t)getEnd(); ++d) {
    if (in.isDynamicDim(d))
      return {};
    dims.push_back(in.getDimSize(d));
  }
  return DenseElementsAttr::get(getType(), ArrayRef<int64_t>(dims));
}

LogicalResult ConstantOfShapeOp::verify() {
  if (failed(verifyShapeOperand(*this, getShape(), "C1")))
    return failure();
  if (getShape().getType().getDimSize(0) != getType().getRank())
    return emitOpError("C1: shape length must equal result rank");
  if (getValue().getType() != getType().getElementType())
    return emitOpError("C2: value type must be the result element type");
  return success();
}

LogicalResult RangeOp::verify() {
  Type et = getType().getElementType();
  for (Value v : {getStart(), getLimit(), getDelta()})
    if (rt(v).getRank() != 0 || rt(v).getElementType() != et)
      return emitOpError("C1: start, limit and delta must be 0-d tensors of ")
             << et;
  if (getType().getRank() != 1)
    return emitOpError("C2: result must be 1-D");
  return success();
}

LogicalResult CumSumOp::verify() {
  auto t = getInput().getType();
  Type e = t.getElementType();
  if (!isa<FloatType>(e) &&
      !(isa<IntegerType>(e) && e.getIntOrFloatBitWidth() >= 8))
    return emitOpError("C1: element type ")
           << e << " is neither a float nor an integer of 8 or more bits";
  if (getAxis() < 0 || getAxis() >= t.getRank())
    return emitOpError("C2: axis ")
           << getAxis() << " is outside [0, " << t.getRank() << ")";
  return success();
}

LogicalResult TriluOp::verify() {
  if (getInput().getType().getRank() < 2 || getType() != getInput().getType())
    return emitOpError("C1: input needs rank >= 2 and result its type");
  if (getK()) {
    auto k = getK().getType();
    if (!k.getElementType().isInteger(64) || k.getNumElements() != 1)
      return emitOpError("C2: k must be a single i64");
  }
  return success();
}
