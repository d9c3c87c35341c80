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
#include "GemmPacking.h"
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

#include <map>

namespace mlir::tfc {
#define GEN_PASS_DEF_GEMMMICROKERNELSPASS
#include "tfc/Target/CPU/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;
namespace cpu = mlir::tfc::cpu;

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

/// What every register block of one GEMM shares.
struct KernelSpec {
  int64_t rows, cols, kc;
  Value weights; // packed [panels, K, cols], or the run-time panel [K, <=cols]
  bool packed;
  Value kSize;   // K, or K/2 pairs with bf16
  bool bf16;     // bf16 pair panels [panels, K/2, 2*cols] and A as pairs
  /// The packed constant as a flat memref, for the prefetches (null for a
  /// run-time weight).
  Value flatWeights;
  cpu::GemmInit init;
  const cpu::GemmEpilogue &epilogue;
};

struct KernelBuilder {
  ImplicitLocOpBuilder &b;
  const KernelSpec &s;
  Value a; // A as [M, K]
  /// Per epilogue operand: the [M, width] block of a full operand, or the
  /// whole [N] row operand.
  ArrayRef<Value> epilogueBlocks;

  KernelBuilder on(ImplicitLocOpBuilder &nb) const {
    return {nb, s, a, epilogueBlocks};
  }

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }

  /// A row of the block is held as `chunks()` vectors of `lanes()` columns
  /// each: the largest power of two that divides the block's columns (all
  /// of them when that is a power of two). LLVM widens a vector of another
  /// length to the next power of two and then scalarized the kernel: a
  /// 4x24 block ran 19 times slower than 6x16 on an AVX2 host.
  int64_t lanes() const { return s.cols & -s.cols; }
  int64_t chunks() const { return s.cols / lanes(); }
  VectorType vecType() { return VectorType::get({lanes()}, b.getF32Type()); }

  /// The row's chunks at `at`, whose last index is the first column.
  SmallVector<Value> read(Value t, ValueRange at, bool inBounds) {
    Value zero = arith::ConstantOp::create(b, b.getF32FloatAttr(0));
    SmallVector<Value> parts;
    for (int64_t c = 0; c < chunks(); ++c) {
      SmallVector<Value> where(at);
      if (c)
        where.back() = arith::AddIOp::create(b, at.back(), idx(c * lanes()));
      parts.push_back(vector::TransferReadOp::create(
          b, vecType(), t, where, zero, ArrayRef<bool>{inBounds}));
    }
    return parts;
  }

  /// The accumulators of rows `rowIdx` before the slice at `k0`, row by
  /// row, each row's chunks in order: the block `t`'s values, or on the
  /// first slice the fill or bias row when the kernel starts from those.
  SmallVector<Value> initial(ArrayRef<Value> rowIdx, Value col, Value t,
                             bool inBounds, Value k0) {
    auto loadAll = [&](KernelBuilder k) {
      SmallVector<Value> acc;
      for (Value row : rowIdx)
        llvm::append_range(acc, k.read(t, {row, k.idx(0)}, inBounds));
      return acc;
    };
    if (s.init.kind == cpu::GemmInit::Load)
      return loadAll(*this);
    Value first = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, k0,
                                        idx(0));
    auto ifOp = scf::IfOp::create(
        b, first,
        [&](OpBuilder &nb, Location loc) {
          ImplicitLocOpBuilder lb(loc, nb);
          KernelBuilder k = on(lb);
          SmallVector<Value> row =
              s.init.kind == cpu::GemmInit::Scalar
                  ? SmallVector<Value>(
                        k.chunks(), vector::BroadcastOp::create(lb, k.vecType(),
                                                                s.init.value))
                  : k.read(s.init.value, {col}, inBounds);
          SmallVector<Value> all;
          for (size_t q = 0; q < rowIdx.size(); ++q)
            llvm::append_range(all, row);
          scf::YieldOp::create(lb, all);
        },
        [&](OpBuilder &nb, Location loc) {
          ImplicitLocOpBuilder lb(loc, nb);
          scf::YieldOp::create(lb, loadAll(on(lb)));
        });
    return SmallVector<Value>(ifOp.getResults());
  }

  /// `acc` (rows `rowIdx`) written into the block `t`; after the last slice
  /// (`k1` = K) with the epilogue applied. The epilogue runs one row at a
  /// time, each row stored before the next: applied to every row before
  /// the stores, its temporaries and all the accumulators were live at
  /// once and spilled (BERT's erf GELU on 16 accumulator vectors).
  Value store(ArrayRef<Value> rowIdx, Value col, ValueRange acc, Value t,
              bool inBounds, Value k1) {
    int64_t n = chunks();
    // Chunk `c` of row `q`.
    auto write = [&](ImplicitLocOpBuilder &lb, Value v, int64_t q, int64_t c,
                     Value t) {
      Value first = arith::ConstantIndexOp::create(lb, c * lanes());
      return vector::TransferWriteOp::create(lb, v, t,
                                             ValueRange{rowIdx[q], first},
                                             ArrayRef<bool>{inBounds})
          .getResult();
    };
    auto writeAll = [&](ImplicitLocOpBuilder &lb, Value t) {
      for (size_t q = 0; q < rowIdx.size(); ++q)
        for (int64_t c = 0; c < n; ++c)
          t = write(lb, acc[q * n + c], q, c, t);
      return t;
    };
    if (s.epilogue.empty())
      return writeAll(b, t);
    Value last = arith::CmpIOp::create(b, arith::CmpIPredicate::eq, k1,
                                       s.kSize);
    auto ifOp = scf::IfOp::create(
        b, last,
        [&](OpBuilder &nb, Location loc) {
          ImplicitLocOpBuilder lb(loc, nb);
          KernelBuilder k = on(lb);
          Value cur = t;
          for (size_t q = 0; q < rowIdx.size(); ++q) {
            // Per operand, its chunks of this row.
            SmallVector<SmallVector<Value>> operands;
            for (auto [op, blk] :
                 llvm::zip(s.epilogue.operands, epilogueBlocks))
              operands.push_back(
                  op.kind == cpu::EpilogueOperand::Scalar
                      ? SmallVector<Value>(n, vector::BroadcastOp::create(
                                                  lb, k.vecType(),
                                                  tensor::ExtractOp::create(
                                                      lb, blk, ValueRange{})))
                  : op.kind == cpu::EpilogueOperand::Row
                      ? k.read(blk, {col}, inBounds)
                      : k.read(blk, {rowIdx[q], k.idx(0)}, inBounds));
            for (int64_t c = 0; c < n; ++c) {
              SmallVector<Value> chunkOperands;
              for (ArrayRef<Value> parts : operands)
                chunkOperands.push_back(parts[c]);
              cur = write(lb,
                          cpu::applyGemmEpilogue(lb, s.epilogue, acc[q * n + c],
                                                 chunkOperands),
                          q, c, cur);
            }
          }
          scf::YieldOp::create(lb, cur);
        },
        [&](OpBuilder &nb, Location loc) {
          ImplicitLocOpBuilder lb(loc, nb);
          scf::YieldOp::create(lb, writeAll(lb, t));
        });
    return ifOp.getResult(0);
  }

  /// Rows [i, i+r) of the output block `t` ([M, width]) after k in [k0, k1):
  /// r accumulator vectors stay in registers through the k loop. `col` is
  /// the block's first column (for a run-time weight, bias and row
  /// operands); `j` the block's place among the panel's row blocks.
  Value rowBlock(int64_t r, Value i, Value j, Value panel, Value col, Value t,
                 bool inBounds, Value k0, Value k1, Value shareInv) {
    SmallVector<Value> rowIdx;
    for (int64_t q = 0; q < r; ++q)
      rowIdx.push_back(q ? (Value)arith::AddIOp::create(b, i, idx(q)) : i);
    SmallVector<Value> acc = initial(rowIdx, col, t, inBounds, k0);
    SlicePrefetch ahead;
    if (s.flatWeights)
      ahead = prefetchPlan(panel, j, k0, k1);
    auto loop = scf::ForOp::create(
        b, k0, k1, idx(1), acc,
        [&](OpBuilder &nb, Location loc, Value kk, ValueRange cur) {
          ImplicitLocOpBuilder lb(loc, nb);
          KernelBuilder k = on(lb);
          if (s.flatWeights)
            k.prefetchNextSlice(ahead, shareInv, k0, kk);
          if (s.bf16) {
            scf::YieldOp::create(lb, k.pairStep(rowIdx, panel, kk, cur));
            return;
          }
          SmallVector<Value> w =
              s.packed ? k.read(s.weights, {panel, kk, k.idx(0)}, true)
                       : k.read(s.weights, {kk, k.idx(0)}, inBounds);
          SmallVector<Value> next;
          for (int64_t q = 0; q < r; ++q) {
            Value x = tensor::ExtractOp::create(lb, a, ValueRange{rowIdx[q], kk});
            Value xs = vector::BroadcastOp::create(lb, k.vecType(), x);
            for (int64_t c = 0; c < k.chunks(); ++c)
              next.push_back(
                  vector::FMAOp::create(lb, xs, w[c], cur[q * k.chunks() + c]));
          }
          scf::YieldOp::create(lb, next);
        });
    return store(rowIdx, col, loop.getResults(), t, inBounds, k1);
  }

  /// Elements per k step of the packed weights.
  int64_t weightStep() {
    return cast<RankedTensorType>(s.weights.getType()).getDimSize(2);
  }
  /// Bits of the fixed-point fraction of the prefetch positions.
  static constexpr int64_t kShareBits = 20;

  /// 2^kShareBits / nb for the nb row blocks of the panel's `m` rows: the
  /// blocks of a slice share its prefetches (once per panel, not per row
  /// block: it is a division).
  Value shareReciprocal(Value m) {
    Value blocks = arith::CeilDivUIOp::create(b, m, idx(s.rows));
    return arith::DivUIOp::create(b, idx(int64_t(1) << kShareBits),
                                  arith::MaxUIOp::create(b, blocks, idx(1)));
  }

  /// What the row block at row `i` prefetches while it runs k in [k0, k1).
  struct SlicePrefetch {
    /// Where the next slice starts in the flat weights: the panel's next
    /// slice (or the next panel's first), moved back so that the whole span
    /// stays inside the buffer (the last slice of the last panel prefetches
    /// itself). Clamping once here instead of per line keeps six scalar ops
    /// out of the k loop.
    Value start;
    /// The block's part of it, j * span for block j (prefetchNextSlice
    /// divides by the number of blocks): the blocks of a slice share its
    /// prefetches in order, block j of nb taking the j-th nb-th.
    Value share;
  };
  SlicePrefetch prefetchPlan(Value panel, Value j, Value k0, Value k1) {
    auto type = cast<MemRefType>(s.flatWeights.getType());
    int64_t step = weightStep();
    int64_t perPanel = cast<RankedTensorType>(s.weights.getType())
                           .getDimSize(1) * step;
    Value next = arith::AddIOp::create(
        b, arith::MulIOp::create(b, panel, idx(perPanel)),
        arith::MulIOp::create(b, arith::AddIOp::create(b, k0, idx(s.kc)),
                              idx(step)));
    Value span = arith::MulIOp::create(
        b, arith::SubIOp::create(b, k1, k0), idx(step));
    Value start = arith::MinSIOp::create(
        b, next, arith::SubIOp::create(b, idx(type.getNumElements()), span));
    return {start, arith::MulIOp::create(b, j, span)};
  }

  /// Prefetches into L2 packed weights of the next slice (`plan`, with
  /// `shareInv` from shareReciprocal): while the row blocks run through
  /// this slice, they walk through the next one at the pace that spreads
  /// it over all of them (block j of nb, k step s of the slice's ks: the elements at
  /// (j * ks + s) * step / nb). One request every few k steps keeps a
  /// steady stream from DRAM, with the whole slice's time as lead, where
  /// each block asking for all of the next slice sent the first block's
  /// requests in a burst. The weights of a model come from DRAM on every
  /// run, and the hardware prefetchers stop at each 4 KiB page.
  /// prefetcht2 measured better than t0, t1 or nta.
  void prefetchNextSlice(const SlicePrefetch &plan, Value shareInv, Value k0,
                         Value kk) {
    int64_t step = weightStep(); // elements per k step
    auto packed = cast<RankedTensorType>(s.weights.getType());
    int64_t perLine = 64 / (packed.getElementTypeBitWidth() / 8);
    Value pos = arith::AddIOp::create(
        b, plan.share,
        arith::MulIOp::create(b, arith::SubIOp::create(b, kk, k0),
                              idx(step)));
    for (int64_t e = 0; e < step; e += perLine) {
      Value elem = arith::ShRUIOp::create(
          b,
          arith::MulIOp::create(
              b, e ? (Value)arith::AddIOp::create(b, pos, idx(e)) : pos,
              shareInv),
          idx(kShareBits));
      memref::PrefetchOp::create(
          b, s.flatWeights,
          ValueRange{arith::AddIOp::create(b, plan.start, elem)},
          /*isWrite=*/false, /*localityHint=*/1, /*isDataCache=*/true);
    }
  }

  /// One k-pair step of the bf16 kernel: per 16 columns one vdpbf16ps
  /// of the pair (A[m, 2p], A[m, 2p+1]), broadcast, by the weight pairs.
  SmallVector<Value> pairStep(ArrayRef<Value> rowIdx, Value panel, Value kk,
                              ValueRange cur) {
    constexpr int64_t lanes = 16;
    auto pairsType = VectorType::get({2 * lanes}, b.getBF16Type());
    Value zero = arith::ConstantOp::create(b, b.getZeroAttr(b.getBF16Type()));
    SmallVector<Value> w;
    for (int64_t c = 0; c < s.cols; c += lanes)
      w.push_back(vector::TransferReadOp::create(
          b, pairsType, s.weights, ValueRange{panel, kk, idx(2 * c)}, zero,
          ArrayRef<bool>{true}));
    // Each accumulator chunk is a whole number of 16-lane dot products
    // (pairs need 16 | cols, so lanes() is a multiple of 16).
    int64_t width = this->lanes();
    SmallVector<Value> next;
    for (auto [q, row] : llvm::enumerate(rowIdx)) {
      Value x = tensor::ExtractOp::create(b, a, ValueRange{row, kk});
      Value xs = vector::BitCastOp::create(
          b, pairsType,
          vector::BroadcastOp::create(
              b, VectorType::get({lanes}, b.getI32Type()), x));
      for (int64_t ch = 0; ch < chunks(); ++ch) {
        Value acc = cur[q * chunks() + ch];
        Value v = acc;
        for (int64_t c = 0; c < width; c += lanes) {
          Value part = vector::ExtractStridedSliceOp::create(
              b, acc, ArrayRef<int64_t>{c}, ArrayRef<int64_t>{lanes},
              ArrayRef<int64_t>{1});
          part = x86vector::DotBF16Op::create(b, part, xs,
                                              w[(ch * width + c) / lanes]);
          v = vector::InsertStridedSliceOp::create(
              b, part, v, ArrayRef<int64_t>{c}, ArrayRef<int64_t>{1});
        }
        next.push_back(v);
      }
    }
    return next;
  }

  /// The output block `t` ([M, width]) of panel `panel` computed: k in
  /// slices of `kc` (one slice of the panel stays in cache while every row
  /// block uses it), rows in blocks (see rowBlocks).
  Value panelBlock(Value panel, Value col, Value t, bool inBounds) {
    Value m = tensor::DimOp::create(b, a, 0);
    Value shareInv = s.flatWeights ? shareReciprocal(m) : Value();
    auto kLoop = scf::ForOp::create(
        b, idx(0), s.kSize, idx(s.kc), ValueRange{t},
        [&](OpBuilder &nb, Location loc, Value k0, ValueRange cur) {
          ImplicitLocOpBuilder lb(loc, nb);
          KernelBuilder inner = on(lb);
          Value k1 = arith::MinSIOp::create(
              lb, arith::AddIOp::create(lb, k0, inner.idx(s.kc)), s.kSize);
          scf::YieldOp::create(
              lb, inner.rowBlocks(panel, col, cur[0], inBounds, m, k0, k1,
                                  shareInv));
        });
    return kLoop.getResult(0);
  }

  /// Rows in blocks of at most `rows`. With a static row count the fewest
  /// blocks, of sizes that differ by at most one (BERT's 128 = 18 x 6 +
  /// 4 x 5, ViT's 197 = 32 x 6 + 5): a block of two rows, as 21 x 6 + 2
  /// left, keeps four accumulators, too few to cover the FMA latency, and
  /// runs at half the FMA rate. A dynamic row count M of at least
  /// rows (rows - 2) + 1 splits the same way, which then takes only blocks
  /// of rows and rows - 1 (their counts computed at run time: a model
  /// exported with dynamic axes ran its 128-row GEMMs 4 % slower as
  /// 21 x 6 + 2 x 1); fewer rows run blocks of rows, then rows/2, rows/4,
  /// ... 1.
  Value rowBlocks(Value panel, Value col, Value t, bool inBounds, Value m,
                  Value k0, Value k1, Value shareInv) {
    int64_t staticM = cast<RankedTensorType>(a.getType()).getDimSize(0);
    int64_t rows = s.rows;
    // Block sizes, each with its number of blocks (null: as many as fit in
    // what is left).
    SmallVector<std::pair<int64_t, Value>> groups;
    if (!ShapedType::isDynamic(staticM) && staticM > 0) {
      int64_t blocks = llvm::divideCeil(staticM, rows);
      int64_t base = staticM / blocks, larger = staticM % blocks;
      if (larger)
        groups.push_back({base + 1, idx(larger)});
      groups.push_back({base, idx(blocks - larger)});
    } else if (rows >= 2) {
      // With M >= rows (rows - 2) + 1 the balanced split's blocks are of
      // rows and rows - 1 only: of ceil(M / rows) blocks, M - (rows - 1) *
      // blocks have rows. Below, M / rows blocks of rows and no others; the
      // rest of M runs in halving blocks.
      Value blocks = arith::CeilDivUIOp::create(b, m, idx(rows));
      Value balanced = arith::CmpIOp::create(b, arith::CmpIPredicate::uge, m,
                                             idx(rows * (rows - 2) + 1));
      Value full = arith::SubIOp::create(
          b, m, arith::MulIOp::create(b, blocks, idx(rows - 1)));
      Value countFull = arith::SelectOp::create(
          b, balanced, full, arith::DivUIOp::create(b, m, idx(rows)));
      Value countSmaller = arith::SelectOp::create(
          b, balanced, arith::SubIOp::create(b, blocks, full), idx(0));
      groups.push_back({rows, countFull});
      groups.push_back({rows - 1, countSmaller});
      for (int64_t r = rows / 2; r >= 1; r /= 2)
        groups.push_back({r, Value()});
    } else {
      groups.push_back({1, Value()});
    }
    Value start = idx(0), before = idx(0);
    for (auto [size, fixed] : groups) {
      int64_t r = size; // captured below
      Value count = fixed ? fixed
                          : (Value)arith::DivUIOp::create(
                                b, arith::SubIOp::create(b, m, start), idx(r));
      Value end = arith::AddIOp::create(
          b, start, arith::MulIOp::create(b, count, idx(r)));
      auto loop = scf::ForOp::create(
          b, start, end, idx(r), ValueRange{t},
          [&](OpBuilder &nb, Location loc, Value i, ValueRange cur) {
            ImplicitLocOpBuilder lb(loc, nb);
            KernelBuilder k = on(lb);
            Value j = arith::AddIOp::create(
                lb, before,
                arith::DivUIOp::create(lb, arith::SubIOp::create(lb, i, start),
                                       k.idx(r)));
            scf::YieldOp::create(lb, k.rowBlock(r, i, j, panel, col, cur[0],
                                                inBounds, k0, k1, shareInv));
          });
      t = loop.getResult(0);
      before = arith::AddIOp::create(b, before, count);
      start = end;
    }
    return t;
  }
};

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
