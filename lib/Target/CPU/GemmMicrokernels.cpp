//===- GemmMicrokernels.cpp - the tfc-cpu-gemm-microkernels pass ----------===//
//
// Contractions by a constant weight become register-blocked vector kernels
// over a weight repacked at compile time (see Passes.td for the layout).
// Written here rather than through linalg vectorization: the kernel is a
// few dozen ops, its register blocking is explicit, and the packing needs
// the constant's bytes anyway.
//
//===----------------------------------------------------------------------===//
#include "GemmEpilogue.h"
#include "GemmKernelBuilder.h"
#include "GemmPacking.h"
#include "GemmStrassen.h"
#include "tfc/Dialect/TFC/IR/WeightStorage.h"
#include "tfc/Dialect/TFC/Transforms/ConstantData.h"
#include "tfc/Dialect/TFC/Transforms/ShapeUtils.h"
#include "tfc/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"

#include <functional>
#include <map>

namespace mlir::tfc {
#define GEN_PASS_DEF_GEMMMICROKERNELSPASS
#include "tfc/Target/CPU/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;
namespace cpu = mlir::tfc::cpu;
using cpu::KernelBuilder;
using cpu::KernelSpec;

namespace {

/// A contraction C[b..., m, n] += A[.., m, k] * B: either B is a constant
/// [N, K] or [K, N] (packed at compile time, `raw` holds it) for every
/// leading index of C, or B is a tensor computed at run time, [.., K, N]
/// read in place, or [.., N, K] transposed into that first (attention's
/// Q K^T and P V written as plain matmuls). The leading dimensions of A and
/// of a run-time B each read one batch dimension of C, in order, or index
/// 0 (a size-1 dimension that broadcasts); an operand of lower rank lacks
/// the first ones (numpy broadcasting).
struct Gemm {
  Value a, c, b;             // b: the run-time operand (null when constant)
  std::vector<char> storage; // backs `raw` when the constant is a splat
  ArrayRef<char> raw;        // the constant weight's bytes
  bool nk = false;           // raw, or b, is [.., N, K] (else [.., K, N])
  int64_t n = ShapedType::kDynamic, k = ShapedType::kDynamic;
  int64_t outerRank = 0; // C's leading dimensions and m
  /// Per leading dimension of A and of a run-time B: the batch dimension
  /// of C it reads, or -1 for index 0.
  SmallVector<int64_t> aBatch, bBatch;
  bool isConstant() const { return !b; }
};

/// Whether `map` reads `trailing` last and, before that, batch dimensions
/// among the first `batchDims` loops in increasing order or the constant 0;
/// those go to `dims` (-1 for 0).
bool matchLeading(AffineMap map, ArrayRef<AffineExpr> trailing,
                  int64_t batchDims, SmallVector<int64_t> &dims) {
  dims.clear();
  int64_t lead = map.getNumResults() - trailing.size();
  if (lead < 0 || map.getNumSymbols() ||
      map.getResults().take_back(trailing.size()) != trailing)
    return false;
  int64_t last = -1;
  for (AffineExpr e : map.getResults().take_front(lead)) {
    if (auto c = dyn_cast<AffineConstantExpr>(e)) {
      if (c.getValue() != 0)
        return false;
      dims.push_back(-1);
      continue;
    }
    auto d = dyn_cast<AffineDimExpr>(e);
    if (!d || (int64_t)d.getPosition() >= batchDims ||
        (int64_t)d.getPosition() <= last)
      return false;
    last = d.getPosition();
    dims.push_back(last);
  }
  return true;
}

/// Whether the body is exactly c + a * b (either operand order): what the
/// kernel computes. linalg's contraction check also passes bodies with
/// unary ops on the operands (a negation, say), which the kernel would
/// drop.
bool isMultiplyAdd(linalg::GenericOp g) {
  Block &body = g.getRegion().front();
  if (body.getOperations().size() != 3)
    return false;
  auto mul = dyn_cast<arith::MulFOp>(body.front());
  auto add = dyn_cast<arith::AddFOp>(*std::next(body.begin()));
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  auto is = [](Value v, Value x, Value y) { return v == x || v == y; };
  Value a = body.getArgument(0), b = body.getArgument(1),
        c = body.getArgument(2);
  return mul && add && yield.getValues().size() == 1 &&
         yield.getValues()[0] == add.getResult() && a != b &&
         is(mul.getLhs(), a, b) && is(mul.getRhs(), a, b) &&
         mul.getLhs() != mul.getRhs() && is(add.getLhs(), c, mul.getResult()) &&
         is(add.getRhs(), c, mul.getResult()) && add.getLhs() != add.getRhs();
}

std::optional<Gemm> match(linalg::GenericOp g) {
  if (g.getNumDpsInputs() != 2 || g.getNumDpsInits() != 1 || !isMultiplyAdd(g))
    return std::nullopt;
  // A static size of 0 leaves nothing to compute (the generic op's loops
  // run zero times) and would make the kernel's slices out of bounds.
  for (Value v : g->getOperands()) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || !t.getElementType().isF32() ||
        llvm::is_contained(t.getShape(), 0))
      return std::nullopt;
  }
  int64_t r = g.getNumLoops();
  if (r < 3 || g.getNumReductionLoops() != 1 ||
      g.getIteratorTypesArray().back() != utils::IteratorType::reduction)
    return std::nullopt;
  MLIRContext *ctx = g.getContext();
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  int64_t batchDims = r - 3; // loops: batch..., m, n, k
  AffineExpr mDim = d(r - 3), nDim = d(r - 2), kDim = d(r - 1);
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  SmallVector<AffineExpr> cExprs;
  for (int64_t i = 0; i < r - 1; ++i)
    cExprs.push_back(d(i)); // batch..., m, n
  if (maps[2] != AffineMap::get(r, 0, cExprs, ctx))
    return std::nullopt;
  Gemm m;
  m.a = g.getDpsInputs()[0];
  m.c = g.getDpsInits()[0];
  m.outerRank = r - 2;
  if (!matchLeading(maps[0], {mDim, kDim}, batchDims, m.aBatch))
    return std::nullopt;
  bool kn = matchLeading(maps[1], {kDim, nDim}, batchDims, m.bBatch);
  bool nk = !kn && matchLeading(maps[1], {nDim, kDim}, batchDims, m.bBatch);
  if (!kn && !nk)
    return std::nullopt;
  Value weight = g.getDpsInputs()[1];
  auto wt = cast<RankedTensorType>(weight.getType());
  int64_t wr = wt.getRank();
  m.nk = nk;
  m.n = wt.getDimSize(nk ? wr - 2 : wr - 1);
  m.k = wt.getDimSize(nk ? wr - 1 : wr - 2);
  // A constant weight of one [N, K] for every row of an A batched like C
  // is packed; every other weight is read at run time, batch by batch
  // (packing is for one weight shared by all rows).
  bool aLikeC = (int64_t)m.aBatch.size() == batchDims &&
                llvm::all_of(llvm::enumerate(m.aBatch), [](auto e) {
                  return e.value() == (int64_t)e.index();
                });
  if (m.bBatch.empty() && aLikeC) {
    m.raw = tfc::constantBytes(weight, m.storage);
    if (!m.storage.empty())
      m.raw = m.storage;
  }
  if (m.raw.empty())
    m.b = weight;
  return m;
}

struct GemmMicrokernelsPass
    : tfc::impl::GemmMicrokernelsPassBase<GemmMicrokernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    if (rows < 1 || cols < 1 || kc < 1) {
      getOperation().emitError("tfc-cpu-gemm-microkernels: rows, cols and kc "
                               "must be positive");
      return signalPassFailure();
    }
    // The GEMMs, and the constant [K, N] weights among theirs.
    SmallVector<linalg::GenericOp> gemms;
    SmallVector<Value> kn;
    getOperation().walk([&](linalg::GenericOp g) {
      std::optional<Gemm> m = match(g);
      if (!m)
        return;
      gemms.push_back(g);
      if (m->isConstant() && !m->nk && m->storage.empty())
        kn.push_back(g.getDpsInputs()[1]);
    });
    IRRewriter rewriter(&getContext());
    packed.clear();
    strassenPacked.clear();
    f32Packed.clear();
    std::optional<tfc::WeightReleaser> releaser;
    if (releaseWeights)
      releaser.emplace(getOperation());
    // A Gather's table that is a [K, N] weight transposed (a tied LM head)
    // reads that weight from now on: its own copy goes before packing.
    cpu::readTablesFromWeights(getOperation(), kn,
                               releaser ? &*releaser : nullptr);
    for (linalg::GenericOp g : gemms) {
      // Matched again here: an earlier GEMM's epilogue may have replaced
      // this one's operands.
      Gemm m = *match(g);
      auto weight = g.getDpsInputs()[1].getDefiningOp<arith::ConstantOp>();
      // Top-level GEMMs are the parallel loops; those inside other loops
      // (the attention kernel's tile products) run sequentially.
      bool parallel = !g->getParentOfType<LoopLikeOpInterface>();
      // A GEMM with a static, non-empty K starts from its fill or bias (the
      // attention's q k^T tiles from zero); a constant weight's (a linear
      // layer) also applies the elementwise ops after it in registers, and
      // so does a top-level one by a run-time weight (the scale of
      // attention scores written as a matmul and a divide).
      cpu::GemmInit init;
      cpu::GemmEpilogue epilogue;
      if (!ShapedType::isDynamic(m.k) && m.k > 0)
        init = cpu::matchGemmInit(m.c);
      if ((m.isConstant() || parallel) && m.k > 0)
        epilogue = cpu::matchGemmEpilogue(g);
      // The kernel writes every element of its output when it does not
      // start from the output's values.
      Value out = m.c;
      if (init.kind != cpu::GemmInit::Load)
        out = epilogue.empty()
                  ? init.dest
                  : epilogue.stages.back().op.getDpsInits()[0];
      Operation *last = g;
      if (!epilogue.empty())
        last = epilogue.stages.back().op;
      rewriter.setInsertionPoint(last);
      Value result;
      if (m.isConstant() && m.outerRank > 1) {
        // A constant weight is the same for every leading index: the
        // leading dimensions are all rows of one GEMM. Kept as loop
        // dimensions, a [S, 1, K] input (sequence-first models such as
        // torch's nn.MultiheadAttention at batch 1) would run S kernels of
        // one row each, one FMA per weight load.
        ImplicitLocOpBuilder b(g.getLoc(), rewriter);
        Gemm rows = m;
        rows.a = collapseLeading(b, m.a);
        rows.outerRank = 1;
        rows.aBatch.clear();
        cpu::GemmEpilogue flat = epilogue;
        for (cpu::EpilogueOperand &op : flat.operands)
          if (op.isFull())
            op.source = collapseLeading(b, op.source);
        Value flatResult = build(rewriter, g, rows, parallel, init, flat,
                                 collapseLeading(b, out));
        auto outType = cast<RankedTensorType>(out.getType());
        result = tfc::expandShapeOrReshape(
            b, b.getLoc(), outType, flatResult,
            leadingReassociation(outType.getRank()),
            tensor::getMixedSizes(b, b.getLoc(), out));
      } else {
        result = build(rewriter, g, m, parallel, init, epilogue, out);
      }
      rewriter.replaceOp(last, result);
      if (!epilogue.empty()) {
        for (const cpu::GemmEpilogue::Stage &st :
             llvm::reverse(ArrayRef(epilogue.stages).drop_back()))
          rewriter.eraseOp(st.op);
        rewriter.eraseOp(g);
      }
      if (Operation *def = m.c.getDefiningOp();
          def && init.kind != cpu::GemmInit::Load && def->use_empty())
        rewriter.eraseOp(def);
      // The last GEMM of a packed weight frees its bytes.
      if (releaser && m.isConstant() && weight && weight->use_empty()) {
        if (m.storage.empty())
          for (bool pairs : {false, true})
            packed.erase(PackKey{m.raw.data(), m.n, m.k, m.nk, pairs});
        if (m.storage.empty())
          strassenPacked.erase(PackKey{m.raw.data(), m.n, m.k, m.nk, false});
        releaser->dropReferences(weight);
        rewriter.eraseOp(weight);
      }
    }
    cpu::readTablesFromPanels(getOperation(), f32Packed);
  }

  /// The packed panels of `m`'s constant weight (bf16 pairs with `pairs`):
  /// one constant per weight, however many GEMMs use it (a layer shared
  /// across a model's depth, as ALBERT does, or one module called twice),
  /// created at the start of the function so that it dominates them all.
  Value packedWeights(ImplicitLocOpBuilder &b, linalg::GenericOp g,
                      const Gemm &m, bool pairs) {
    // A splat's bytes live in `m.storage`, a fresh buffer per match.
    std::optional<PackKey> key;
    if (m.storage.empty())
      key = PackKey{m.raw.data(), m.n, m.k, m.nk, pairs};
    if (key)
      if (auto it = packed.find(*key); it != packed.end())
        return it->second;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(
        &g->getParentOfType<FunctionOpInterface>().getFunctionBody().front());
    int64_t count = (m.n + cols - 1) / cols;
    cpu::WeightView view{reinterpret_cast<const float *>(m.raw.data()), m.n,
                         m.k, m.nk};
    Value v;
    if (pairs) {
      auto type =
          RankedTensorType::get({count, m.k / 2, 2 * cols}, b.getBF16Type());
      v = tfc::createConstant(
          b, b.getLoc(), type,
          [&](MutableArrayRef<char> bytes) {
            cpu::packPairPanels(view, cols,
                                reinterpret_cast<uint16_t *>(bytes.data()));
          },
          /*readAtRunTime=*/true);
    } else {
      auto type = RankedTensorType::get({count, m.k, cols}, b.getF32Type());
      v = tfc::createConstant(
          b, b.getLoc(), type,
          [&](MutableArrayRef<char> bytes) {
            cpu::packPanels(view, cols,
                            reinterpret_cast<float *>(bytes.data()));
          },
          /*readAtRunTime=*/true);
    }
    if (key)
      packed[*key] = v;
    if (key && !pairs)
      f32Packed.push_back(
          {g.getDpsInputs()[1].getDefiningOp<arith::ConstantOp>().getValue(),
           m.n, m.k, m.nk, cols, v});
    return v;
  }

  /// Where a constant weight's bytes are (the resource or attribute that
  /// holds them), its [N, K] sizes, its layout (nk) and bf16 pairs.
  using PackKey = std::tuple<const char *, int64_t, int64_t, bool, bool>;
  std::map<PackKey, Value> packed;
  /// The same for Strassen's packed weight sums.
  std::map<PackKey, Value> strassenPacked;
  /// Every f32 weight packed (not splats), for readTablesFromPanels.
  SmallVector<cpu::PackedWeight> f32Packed;

  /// [[0, ..., rank - 2], [rank - 1]]: the leading dimensions as one.
  static SmallVector<ReassociationIndices> leadingReassociation(int64_t rank) {
    ReassociationIndices leading;
    for (int64_t i = 0; i + 1 < rank; ++i)
      leading.push_back(i);
    return {leading, {rank - 1}};
  }

  /// `v` ([d0, ..., dn, X]) as [d0 * ... * dn, X]. Bufferization keeps it
  /// a view of a contiguous buffer (and copies a strided one).
  static Value collapseLeading(ImplicitLocOpBuilder &b, Value v) {
    return tensor::CollapseShapeOp::create(
        b, v,
        leadingReassociation(cast<RankedTensorType>(v.getType()).getRank()));
  }

  /// The matrix of `v` ([.., R, C], with `matrix` its sizes R and C) at the
  /// batch indices `ivs` of the output: leading dimension i of `v` at
  /// ivs[dims[i]], or at 0 where dims[i] is -1.
  static Value batchSlice(ImplicitLocOpBuilder &b, Value v,
                          ArrayRef<OpFoldResult> matrix, ArrayRef<int64_t> dims,
                          ValueRange ivs) {
    auto type = cast<RankedTensorType>(v.getType());
    int64_t rank = type.getRank();
    SmallVector<OpFoldResult> offsets, sizes;
    for (int64_t dim : dims) {
      offsets.push_back(dim < 0 ? (OpFoldResult)b.getIndexAttr(0) : ivs[dim]);
      sizes.push_back(b.getIndexAttr(1));
    }
    offsets.append(2, b.getIndexAttr(0));
    sizes.append(matrix.begin(), matrix.end());
    SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
    auto sliceType = RankedTensorType::get(type.getShape().take_back(2),
                                           type.getElementType());
    return tensor::ExtractSliceOp::create(b, sliceType, v, offsets, sizes,
                                          strides);
  }

  /// `v` ([.., N, K]) as [.., K, N].
  static Value transposeLast(ImplicitLocOpBuilder &b, Value v) {
    auto type = cast<RankedTensorType>(v.getType());
    int64_t rank = type.getRank();
    SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
    std::swap(perm[rank - 2], perm[rank - 1]);
    SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, b.getLoc(), v);
    std::swap(sizes[rank - 2], sizes[rank - 1]);
    Value init = tensor::EmptyOp::create(b, sizes, type.getElementType());
    return linalg::TransposeOp::create(b, v, init, perm)->getResult(0);
  }

  /// Whether `m` runs as one level of Strassen's algorithm (a top-level
  /// f32 GEMM by a constant weight; see strassenApplies).
  bool useStrassen(const Gemm &m, bool parallel, bool pairs) const {
    return strassen && m.isConstant() && !pairs && parallel &&
           cpu::strassenApplies(
               cast<RankedTensorType>(m.a.getType()).getDimSize(0), m.k, m.n,
               rows, cols);
  }

  /// The seven half-size weights of Strassen's products, packed into one
  /// constant [7 * N/2/cols, K/2, cols] whose panel 7p + i is panel p of
  /// product i's weight (see buildStrassen).
  Value strassenWeights(ImplicitLocOpBuilder &b, linalg::GenericOp g,
                        const Gemm &m) {
    std::optional<PackKey> key;
    if (m.storage.empty())
      key = PackKey{m.raw.data(), m.n, m.k, m.nk, false};
    if (key)
      if (auto it = strassenPacked.find(*key); it != strassenPacked.end())
        return it->second;
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(
        &g->getParentOfType<FunctionOpInterface>().getFunctionBody().front());
    int64_t kh = m.k / 2, nh = m.n / 2, panels = nh / cols;
    auto type = RankedTensorType::get({7 * panels, kh, cols}, b.getF32Type());
    Value v = tfc::createConstant(
        b, b.getLoc(), type,
        [&](MutableArrayRef<char> bytes) {
          cpu::WeightView view{reinterpret_cast<const float *>(m.raw.data()),
                               m.n, m.k, m.nk};
          cpu::packStrassenPanels(view, cols,
                                  reinterpret_cast<float *>(bytes.data()));
        },
        /*readAtRunTime=*/true);
    if (key)
      strassenPacked[*key] = v;
    return v;
  }

  /// The kernel for `g`, computed into `out` (the GEMM's own output, or
  /// what the fusion writes when the accumulators do not start from it).
  Value build(IRRewriter &rewriter, linalg::GenericOp g, const Gemm &m,
              bool parallel, const cpu::GemmInit &init,
              const cpu::GemmEpilogue &epilogue, Value out) {
    ImplicitLocOpBuilder b(g.getLoc(), rewriter);
    // bf16 pairs need whole pairs of k and whole 16-lane dot products.
    bool pairs = bf16 && m.isConstant() && m.k % 2 == 0 && cols % 16 == 0;
    KernelSpec spec{rows,          cols,    pairs ? std::max<int64_t>(kc / 2, 1)
                                                  : kc,
                    m.b,           m.isConstant(), Value(), pairs,
                    Value(),       init,    epilogue};
    if (useStrassen(m, parallel, pairs))
      return cpu::buildStrassenGemm(b, m.a, strassenWeights(b, g, m), m.n, m.k,
                                    rows, cols, init, epilogue, out);
    KernelBuilder kb{b, spec, Value(), {}};
    OpFoldResult panels;
    bool even;
    Value a = m.a; // what the kernel reads of A: f32, or i32 bf16 pairs
    Value bKN;     // the run-time weight as [.., K, N]
    if (m.isConstant()) {
      spec.weights = packedWeights(b, g, m, pairs);
      if (pairs)
        a = cpu::buildPairPacking(b, m.a);
      auto packedType = cast<RankedTensorType>(spec.weights.getType());
      panels = b.getIndexAttr(packedType.getDimSize(0));
      Value buffer = bufferization::ToBufferOp::create(
          b,
          MemRefType::get(packedType.getShape(), packedType.getElementType()),
          spec.weights, /*readOnly=*/true);
      spec.flatWeights = memref::CollapseShapeOp::create(
          b, buffer, ArrayRef<ReassociationIndices>{{0, 1, 2}});
      even = m.n % cols == 0;
      spec.kSize = kb.idx(pairs ? m.k / 2 : m.k);
    } else {
      // Read in rows of N: an [N, K] operand is transposed once (K N
      // elements against the kernel's M K N multiply-adds).
      bKN = m.nk ? transposeLast(b, m.b) : m.b;
      spec.weights = bKN;
      int64_t bRank = cast<RankedTensorType>(bKN.getType()).getRank();
      Value n = tensor::DimOp::create(b, bKN, bRank - 1);
      panels = (Value)arith::CeilDivUIOp::create(b, n, kb.idx(cols));
      even = !ShapedType::isDynamic(m.n) && m.n % cols == 0;
      spec.kSize = tensor::DimOp::create(b, bKN, bRank - 2);
    }
    Value nSize =
        m.isConstant()
            ? kb.idx(m.n)
            : (Value)tensor::DimOp::create(
                  b, bKN, cast<RankedTensorType>(bKN.getType()).getRank() - 1);

    // One iteration per (batch..., panel): the leading m dimensions are
    // loop dimensions (no reshapes), the last one is the kernel's rows.
    int64_t batchRank = m.outerRank - 1;
    SmallVector<OpFoldResult> cSizes =
        tensor::getMixedSizes(b, b.getLoc(), out);
    auto matrixSizes = [&](Value v) {
      SmallVector<OpFoldResult> all = tensor::getMixedSizes(b, b.getLoc(), v);
      return SmallVector<OpFoldResult>(ArrayRef(all).take_back(2));
    };
    SmallVector<OpFoldResult> aMatrix = matrixSizes(a), bMatrix;
    if (bKN)
      bMatrix = matrixSizes(bKN);
    SmallVector<OpFoldResult> ubs(cSizes.begin(), cSizes.begin() + batchRank);
    ubs.push_back(panels);
    SmallVector<OpFoldResult> strides(m.outerRank + 1, b.getIndexAttr(1));
    auto rowsType = [&](Value v, int64_t last) {
      auto t = cast<RankedTensorType>(v.getType());
      return RankedTensorType::get({t.getDimSize(batchRank), last},
                                   t.getElementType());
    };
    // The body at (batch..., panel) ivs on output `out`: the computed block
    // and where it goes.
    auto body = [&](ImplicitLocOpBuilder &lb, ValueRange ivs, Value dest) {
      KernelSpec batchSpec = spec;
      KernelBuilder k2{lb, batchSpec, Value(), {}};
      Value j = ivs.back();
      Value col = arith::MulIOp::create(lb, j, k2.idx(cols));
      OpFoldResult width = lb.getIndexAttr(cols);
      if (!even)
        width = (Value)arith::MinSIOp::create(
            lb, k2.idx(cols), arith::SubIOp::create(lb, nSize, col));
      if (!m.isConstant()) {
        // The panel's columns of this batch index's [K, N].
        Value w = bKN;
        if (!m.bBatch.empty())
          w = batchSlice(lb, bKN, bMatrix, m.bBatch, ivs);
        batchSpec.weights = cpu::runTimePanel(
            lb, w, col, width, even, parallel ? aMatrix[0] : OpFoldResult(),
            rows, cols);
      }
      auto place = [&](ArrayRef<OpFoldResult> full, OpFoldResult lastOffset,
                       OpFoldResult lastSize) {
        SmallVector<OpFoldResult> offsets, sizes;
        for (int64_t d = 0; d < batchRank; ++d) {
          offsets.push_back(ivs[d]);
          sizes.push_back(lb.getIndexAttr(1));
        }
        offsets.append({lb.getIndexAttr(0), lastOffset});
        sizes.append({full[batchRank], lastSize});
        return std::make_pair(offsets, sizes);
      };
      k2.a = batchSlice(lb, a, aMatrix, m.aBatch, ivs);
      // Not a structured binding: the lambda below captures them.
      std::pair<SmallVector<OpFoldResult>, SmallVector<OpFoldResult>> cPlace =
          place(cSizes, col, width);
      SmallVector<OpFoldResult> &cOff = cPlace.first, &cSz = cPlace.second;
      auto block = [&](Value full) -> Value {
        return tensor::ExtractSliceOp::create(
            lb, rowsType(full, even ? cols : ShapedType::kDynamic), full, cOff,
            cSz, strides);
      };
      // The epilogue's full-shape operands, cut like the output.
      SmallVector<Value> epilogueBlocks;
      for (const cpu::EpilogueOperand &op : epilogue.operands)
        epilogueBlocks.push_back(op.isFull() ? block(op.source) : op.source);
      k2.epilogueBlocks = epilogueBlocks;
      Value blk = block(dest);
      if (even)
        return std::make_tuple(k2.panelBlock(j, col, blk, true), cOff, cSz);
      // N does not fill the last panel: the full panels run unmasked. With
      // a constant weight that is their accumulator loads, epilogue reads
      // and stores (GPT-2's LM head, N = 50257: masked stores are
      // microcoded on Zen 3 and took 7 % of the kernel); with a run-time
      // weight (the attention's key tiles) also one masked load less per
      // k step. A run-time weight's last panel of at most half the width
      // runs on half-width vectors, half the FMAs (ViT's 197 keys: 6
      // panels of 32, then 5 columns); a packed weight is zero-padded to
      // whole panels.
      Value fits = arith::CmpIOp::create(
          lb, arith::CmpIPredicate::sle,
          arith::AddIOp::create(lb, col, k2.idx(cols)), nSize);
      KernelSpec halfSpec = batchSpec;
      halfSpec.cols = cols / 2;
      auto panelIn = [&](bool inBounds, const KernelSpec &ks) {
        return [&, inBounds](OpBuilder &nb, Location loc) {
          ImplicitLocOpBuilder ib(loc, nb);
          KernelBuilder kb2{ib, ks, k2.a, k2.epilogueBlocks};
          scf::YieldOp::create(ib, kb2.panelBlock(j, col, blk, inBounds));
        };
      };
      // Halves of whole 8-lane vectors (not 24's 12).
      bool halves = !m.isConstant() && cols % 16 == 0;
      auto tail = [&](OpBuilder &nb, Location loc) {
        if (!halves)
          return panelIn(false, batchSpec)(nb, loc);
        ImplicitLocOpBuilder ib(loc, nb);
        Value narrow = arith::CmpIOp::create(
            ib, arith::CmpIPredicate::sle, nSize,
            arith::AddIOp::create(
                ib, col, arith::ConstantIndexOp::create(ib, cols / 2)));
        auto inner = scf::IfOp::create(ib, narrow, panelIn(false, halfSpec),
                                       panelIn(false, batchSpec));
        scf::YieldOp::create(ib, inner.getResult(0));
      };
      auto split = scf::IfOp::create(lb, fits, panelIn(true, batchSpec), tail);
      return std::make_tuple(split.getResult(0), cOff, cSz);
    };

    if (parallel) {
      auto loop = scf::ForallOp::create(b, ubs, ValueRange{out}, std::nullopt);
      b.setInsertionPointToStart(loop.getBody());
      Value shared = loop.getRegionIterArgs()[0];
      auto [blk, offsets, sizes] = body(b, loop.getInductionVars(), shared);
      b.setInsertionPointToStart(loop.getTerminator().getBody());
      tensor::ParallelInsertSliceOp::create(b, blk, shared, offsets, sizes,
                                            strides);
      b.setInsertionPointAfter(loop);
      return loop.getResult(0);
    }
    // Sequential: a nest of scf.for with the output as iter_arg.
    SmallVector<Value> ivs;
    std::function<Value(ImplicitLocOpBuilder &, size_t, Value)> nest =
        [&](ImplicitLocOpBuilder &lb, size_t d, Value dest) -> Value {
      if (d == ubs.size()) {
        auto [blk, offsets, sizes] = body(lb, ivs, dest);
        return tensor::InsertSliceOp::create(lb, blk, dest, offsets, sizes,
                                             strides);
      }
      Value ub = getValueOrCreateConstantIndexOp(lb, lb.getLoc(), ubs[d]);
      auto loop = scf::ForOp::create(
          lb, kb.idx(0), ub, kb.idx(1), ValueRange{dest},
          [&](OpBuilder &nb, Location loc, Value iv, ValueRange cur) {
            ImplicitLocOpBuilder ib(loc, nb);
            ivs.push_back(iv);
            Value r = nest(ib, d + 1, cur[0]);
            ivs.pop_back();
            scf::YieldOp::create(ib, r);
          });
      return loop.getResult(0);
    };
    return nest(b, 0, out);
  }
};

} // namespace
