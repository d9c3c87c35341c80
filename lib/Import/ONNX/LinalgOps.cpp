//===- LinalgOps.cpp - ONNX MatMul, Gemm, Einsum, Conv -> tfc -------------===//
#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include <map>

using namespace mlir;
using namespace mlir::tfc;
using namespace mlir::tfc::onnx_import;

bool mlir::tfc::onnx_import::isLinalgOp(StringRef op) {
  return llvm::is_contained({"MatMul", "Gemm", "Einsum", "Conv"}, op);
}

static int64_t mergeDim(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) ? b : a;
}

/// Rewrites an implicit einsum equation ("ij,jk") into explicit form and
/// drops spaces.
static std::string explicitEquation(StringRef eq) {
  std::string s;
  for (char c : eq)
    if (c != ' ')
      s.push_back(c);
  if (StringRef(s).contains("->"))
    return s;
  std::map<char, int> counts;
  bool ellipsis = StringRef(s).contains("...");
  for (char c : s)
    if (llvm::isAlpha(c))
      counts[c]++;
  std::string out = ellipsis ? "..." : "";
  for (auto [c, n] : counts)
    if (n == 1)
      out.push_back(c);
  return s + "->" + out;
}

LogicalResult Importer::importLinalg(StringRef op) {
  if (op == "MatMul") {
    Value a = input(0), w = input(1);
    if (!a || !w)
      return error() << "needs two inputs";
    auto at = rt(a), wt = rt(w);
    if (at.getRank() < 1 || wt.getRank() < 1)
      return error() << "operands must have rank >= 1";
    if (at.getElementType() != wt.getElementType())
      return error() << "operand element types differ";
    bool vecL = at.getRank() == 1, vecR = wt.getRank() == 1;
    if (vecL)
      a = expandDims(a, {0});
    if (vecR)
      w = expandDims(w, {1});
    at = rt(a);
    wt = rt(w);
    int64_t k1 = at.getShape().back(), k2 = wt.getDimSize(wt.getRank() - 2);
    if (!ShapedType::isDynamic(k1) && !ShapedType::isDynamic(k2) && k1 != k2)
      return error() << "contraction sizes differ: " << at << " x " << wt;
    SmallVector<int64_t> shape;
    if (failed(broadcastShapes(at.getShape().drop_back(2),
                               wt.getShape().drop_back(2), shape)))
      return error() << "batch dimensions of " << at << " and " << wt
                     << " do not broadcast";
    shape.push_back(at.getDimSize(at.getRank() - 2));
    shape.push_back(wt.getShape().back());
    Value r = MatmulOp::create(
        b, loc, RankedTensorType::get(shape, at.getElementType()), a, w, false,
        false);
    int64_t rank = shape.size();
    if (vecL && vecR)
      r = squeezeDims(r, {rank - 2, rank - 1});
    else if (vecL)
      r = squeezeDims(r, {rank - 2});
    else if (vecR)
      r = squeezeDims(r, {rank - 1});
    setOutput(0, r);
    return success();
  }
  if (op == "Gemm") {
    Value a = input(0), w = input(1), c = input(2);
    if (!a || !w)
      return error() << "needs inputs A and B";
    auto at = rt(a), wt = rt(w);
    if (at.getRank() != 2 || wt.getRank() != 2)
      return error() << "A and B must be 2-D";
    bool ta = attrInt("transA", 0), tb = attrInt("transB", 0);
    int64_t m = at.getDimSize(ta ? 1 : 0), k1 = at.getDimSize(ta ? 0 : 1);
    int64_t k2 = wt.getDimSize(tb ? 1 : 0), n = wt.getDimSize(tb ? 0 : 1);
    if (!ShapedType::isDynamic(k1) && !ShapedType::isDynamic(k2) && k1 != k2)
      return error() << "contraction sizes differ: " << k1 << " vs " << k2;
    auto type = RankedTensorType::get({m, n}, at.getElementType());
    Value y = MatmulOp::create(b, loc, type, a, w, ta, tb);
    float alpha = attrFloat("alpha", 1), beta = attrFloat("beta", 1);
    if (alpha != 1)
      y = MulOp::create(b, loc, type, y, scalarLike(y, alpha));
    if (c && beta != 0) {
      if (beta != 1) {
        auto r = broadcastBinary("Mul", c, scalarLike(c, beta), false);
        if (failed(r))
          return failure();
        c = *r;
      }
      auto r = broadcastBinary("Add", y, c, false);
      if (failed(r))
        return failure();
      y = *r;
    }
    setOutput(0, y);
    return success();
  }
  if (op == "Einsum") {
    std::string eq = explicitEquation(attrString("equation", ""));
    SmallVector<Value> ins;
    for (unsigned i = 0; i < numInputs(); ++i) {
      if (!input(i))
        return error() << "input " << i << " is missing";
      ins.push_back(input(i));
    }
    // Result sizes from the letters of the inputs.
    size_t arrow = eq.find("->");
    SmallVector<StringRef> terms;
    StringRef(eq).substr(0, arrow).split(terms, ',');
    // Each term is letters with at most one "..." (anything else would be
    // read as a dimension that does not exist).
    SmallVector<StringRef> all(terms);
    all.push_back(StringRef(eq).substr(arrow + 2));
    for (StringRef term : all) {
      size_t dots = term.find("...");
      std::string rest = term.str();
      if (dots != StringRef::npos)
        rest.erase(dots, 3);
      if (!llvm::all_of(rest, llvm::isAlpha))
        return error() << "equation '" << eq << "': term '" << term
                       << "' is not letters with at most one '...'";
    }
    if (terms.size() != ins.size())
      return error() << "equation '" << eq << "' has " << terms.size()
                     << " terms for " << ins.size() << " inputs";
    std::map<char, int64_t> sizes;
    SmallVector<int64_t> ellipsisShape;
    for (auto [term, v] : llvm::zip(terms, ins)) {
      auto t = rt(v);
      int64_t letters = 0;
      for (char c : term)
        letters += llvm::isAlpha(c);
      int64_t e = term.contains("...") ? t.getRank() - letters : 0;
      if (e < 0 || (!term.contains("...") && letters != t.getRank()))
        return error() << "term '" << term << "' does not fit rank "
                       << t.getRank();
      int64_t d = 0;
      for (size_t i = 0; i < term.size(); ++i) {
        if (term[i] == '.') {
          SmallVector<int64_t> part(t.getShape().slice(d, e)), merged;
          if (failed(broadcastShapes(ellipsisShape, part, merged)))
            return error() << "ellipsis dimensions do not broadcast";
          ellipsisShape = merged;
          d += e;
          i += 2;
          continue;
        }
        auto it = sizes.find(term[i]);
        int64_t s = t.getDimSize(d++);
        sizes[term[i]] = it == sizes.end() ? s : mergeDim(it->second, s);
      }
    }
    SmallVector<int64_t> shape;
    StringRef out = StringRef(eq).substr(arrow + 2);
    for (size_t i = 0; i < out.size(); ++i) {
      if (out[i] == '.') {
        shape.append(ellipsisShape);
        i += 2;
        continue;
      }
      if (!sizes.count(out[i]))
        return error() << "output letter '" << out[i]
                       << "' does not appear in an input";
      shape.push_back(sizes[out[i]]);
    }
    setOutput(0, EinsumOp::create(
                     b, loc,
                     RankedTensorType::get(shape, rt(ins[0]).getElementType()),
                     ins, b.getStringAttr(eq)));
    return success();
  }
  // Conv
  Value x = input(0), w = input(1), bias = input(2);
  if (!x || !w)
    return error() << "needs inputs X and W";
  auto xt = rt(x), wt = rt(w);
  int64_t s = xt.getRank() - 2;
  if (s < 1 || wt.getRank() != xt.getRank())
    return error() << "X and W need the same rank >= 3";
  SmallVector<int64_t> strides = attrInts("strides").value_or(
      SmallVector<int64_t>(s, 1));
  SmallVector<int64_t> dil = attrInts("dilations").value_or(
      SmallVector<int64_t>(s, 1));
  SmallVector<int64_t> pads = attrInts("pads").value_or(
      SmallVector<int64_t>(2 * s, 0));
  if ((int64_t)strides.size() != s || (int64_t)dil.size() != s ||
      (int64_t)pads.size() != 2 * s)
    return error() << "strides, dilations or pads do not match " << s
                   << " spatial dimensions";
  // Sizes are computed from these below: a zero stride would divide by
  // zero, huge values overflow.
  constexpr int64_t kMaxWindow = int64_t(1) << 31;
  auto outOfRange = [&](ArrayRef<int64_t> v, int64_t lo) {
    return llvm::any_of(v, [&](int64_t x) { return x < lo || x >= kMaxWindow; });
  };
  if (outOfRange(strides, 1) || outOfRange(dil, 1))
    return error() << "strides and dilations must be in [1, 2^31)";
  if (outOfRange(pads, 0))
    return error() << "pads must be in [0, 2^31)";
  if (auto ks = attrInts("kernel_shape"); ks && outOfRange(*ks, 1))
    return error() << "kernel_shape entries must be in [1, 2^31)";
  std::string autoPad = attrString("auto_pad", "NOTSET");
  SmallVector<int64_t> shape = {xt.getDimSize(0), wt.getDimSize(0)};
  for (int64_t i = 0; i < s; ++i) {
    int64_t in = xt.getDimSize(2 + i), k = wt.getDimSize(2 + i);
    if (auto ks = attrInts("kernel_shape"); ks && (int64_t)ks->size() == s)
      k = (*ks)[i];
    if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      if (ShapedType::isDynamic(in) || ShapedType::isDynamic(k))
        return error() << "auto_pad " << autoPad << " needs static sizes";
      int64_t outSize = (in + strides[i] - 1) / strides[i];
      int64_t total = std::max<int64_t>(
          0, (outSize - 1) * strides[i] + dil[i] * (k - 1) + 1 - in);
      pads[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pads[s + i] = total - pads[i];
    } else if (autoPad == "VALID") {
      pads[i] = pads[s + i] = 0;
    } else if (autoPad != "NOTSET") {
      return error() << "unsupported auto_pad '" << autoPad << "'";
    }
    if (ShapedType::isDynamic(in) || ShapedType::isDynamic(k)) {
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t span = in + pads[i] + pads[s + i] - dil[i] * (k - 1) - 1;
    if (span < 0)
      return error() << "kernel larger than the padded input";
    shape.push_back(span / strides[i] + 1);
  }
  auto type = RankedTensorType::get(shape, xt.getElementType());
  auto conv = ConvOp::create(b, loc, type, x, w, bias,
                             b.getDenseI64ArrayAttr(strides),
                             b.getDenseI64ArrayAttr(dil),
                             b.getDenseI64ArrayAttr(pads),
                             b.getI64IntegerAttr(attrInt("group", 1)));
  setOutput(0, conv);
  return success();
}
