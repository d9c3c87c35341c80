//===- GemmKernelBuilder.h - the GEMM microkernels' loop nest --*- C++ -*-===//
//
// Builds a GEMM kernel's loops on tensors: per column panel, k slices, row
// blocks whose accumulators stay in vector registers through a slice (see
// tfc-cpu-gemm-microkernels in Passes.td). Shared by the plain kernels
// (GemmMicrokernels.cpp) and the Strassen ones (GemmStrassen.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef TFC_LIB_TARGET_CPU_GEMMKERNELBUILDER_H
#define TFC_LIB_TARGET_CPU_GEMMKERNELBUILDER_H

#include "GemmEpilogue.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <functional>

namespace mlir::tfc::cpu {

/// What every register block of one GEMM shares.
struct KernelSpec {
  int64_t rows, cols, kc;
  Value weights; // packed [panels, K, cols], or the run-time panel [K, <=cols]
  bool packed;
  Value kSize; // K, or K/2 pairs with bf16
  bool bf16;   // bf16 pair panels [panels, K/2, 2*cols] and A as pairs
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
    Value first =
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, k0, idx(0));
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
    Value last =
        arith::CmpIOp::create(b, arith::CmpIPredicate::eq, k1, s.kSize);
    auto ifOp = scf::IfOp::create(
        b, last,
        [&](OpBuilder &nb, Location loc) {
          ImplicitLocOpBuilder lb(loc, nb);
          KernelBuilder k = on(lb);
          Value cur = t;
          for (size_t q = 0; q < rowIdx.size(); ++q) {
            SmallVector<Value> row =
                k.withEpilogue(acc.slice(q * n, n), epilogueBlocks, col,
                               {rowIdx[q], k.idx(0)}, inBounds);
            for (int64_t c = 0; c < n; ++c)
              cur = write(lb, row[c], q, c, cur);
          }
          scf::YieldOp::create(lb, cur);
        },
        [&](OpBuilder &nb, Location loc) {
          ImplicitLocOpBuilder lb(loc, nb);
          scf::YieldOp::create(lb, writeAll(lb, t));
        });
    return ifOp.getResult(0);
  }

  /// One row's chunks `acc` with the epilogue applied. `blocks` holds per
  /// epilogue operand what to read it from (a full operand at `fullAt`,
  /// whose last index is the row's first column; a row operand at column
  /// `col`; a scalar).
  SmallVector<Value> withEpilogue(ValueRange acc, ArrayRef<Value> blocks,
                                  Value col, ValueRange fullAt, bool inBounds) {
    // Per operand, its chunks of this row.
    SmallVector<SmallVector<Value>> operands;
    for (auto [op, blk] : llvm::zip(s.epilogue.operands, blocks))
      operands.push_back(
          op.kind == cpu::EpilogueOperand::Scalar
              ? SmallVector<Value>(chunks(), vector::BroadcastOp::create(
                                                 b, vecType(),
                                                 tensor::ExtractOp::create(
                                                     b, blk, ValueRange{})))
          : op.kind == cpu::EpilogueOperand::Row ? read(blk, {col}, inBounds)
                                                 : read(blk, fullAt, inBounds));
    SmallVector<Value> out;
    for (auto [c, v] : llvm::enumerate(acc)) {
      SmallVector<Value> chunkOperands;
      for (ArrayRef<Value> parts : operands)
        chunkOperands.push_back(parts[c]);
      out.push_back(cpu::applyGemmEpilogue(b, s.epilogue, v, chunkOperands));
    }
    return out;
  }

  /// Rows [i, i+r) of the output block `t` ([M, width]) after k in [k0, k1):
  /// r accumulator vectors stay in registers through the k loop. `col` is
  /// the block's first column (for a run-time weight, bias and row
  /// operands); `j` the block's place among the panel's row blocks.
  Value rowBlock(int64_t r, Value i, Value j, Value panel, Value col, Value t,
                 bool inBounds, Value k0, Value k1, Value shareInv) {
    SmallVector<Value> rowIdx = rowIndices(r, i);
    SmallVector<Value> acc = initial(rowIdx, col, t, inBounds, k0);
    acc = accumulate(rowIdx, j, panel, inBounds, k0, k1, shareInv, acc);
    return store(rowIdx, col, acc, t, inBounds, k1);
  }

  /// Rows i, i + 1, ..., i + r - 1.
  SmallVector<Value> rowIndices(int64_t r, Value i) {
    SmallVector<Value> rowIdx;
    for (int64_t q = 0; q < r; ++q)
      rowIdx.push_back(q ? (Value)arith::AddIOp::create(b, i, idx(q)) : i);
    return rowIdx;
  }

  /// The accumulators `acc` of rows `rowIdx` (row block `j`) after adding
  /// A[rows, k] * W[k, panel's columns] for k in [k0, k1).
  SmallVector<Value> accumulate(ArrayRef<Value> rowIdx, Value j, Value panel,
                                bool inBounds, Value k0, Value k1,
                                Value shareInv, ValueRange acc) {
    int64_t r = rowIdx.size();
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
            Value x =
                tensor::ExtractOp::create(lb, a, ValueRange{rowIdx[q], kk});
            Value xs = vector::BroadcastOp::create(lb, k.vecType(), x);
            for (int64_t c = 0; c < k.chunks(); ++c)
              next.push_back(
                  vector::FMAOp::create(lb, xs, w[c], cur[q * k.chunks() + c]));
          }
          scf::YieldOp::create(lb, next);
        });
    return SmallVector<Value>(loop.getResults());
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
    int64_t perPanel =
        cast<RankedTensorType>(s.weights.getType()).getDimSize(1) * step;
    Value next = arith::AddIOp::create(
        b, arith::MulIOp::create(b, panel, idx(perPanel)),
        arith::MulIOp::create(b, arith::AddIOp::create(b, k0, idx(s.kc)),
                              idx(step)));
    Value span =
        arith::MulIOp::create(b, arith::SubIOp::create(b, k1, k0), idx(step));
    Value start = arith::MinSIOp::create(
        b, next, arith::SubIOp::create(b, idx(type.getNumElements()), span));
    return {start, arith::MulIOp::create(b, j, span)};
  }

  /// Prefetches into L2 packed weights of the next slice (`plan`, with
  /// `shareInv` from shareReciprocal): while the row blocks run through
  /// this slice, they walk through the next one at the pace that spreads
  /// it over all of them (block j of nb, k step s of the slice's ks: the
  /// elements at (j * ks + s) * step / nb). One request every few k steps keeps
  /// a steady stream from DRAM, with the whole slice's time as lead, where each
  /// block asking for all of the next slice sent the first block's requests in
  /// a burst. The weights of a model come from DRAM on every run, and the
  /// hardware prefetchers stop at each 4 KiB page. prefetcht2 measured better
  /// than t0, t1 or nta.
  void prefetchNextSlice(const SlicePrefetch &plan, Value shareInv, Value k0,
                         Value kk) {
    int64_t step = weightStep(); // elements per k step
    auto packed = cast<RankedTensorType>(s.weights.getType());
    int64_t perLine = 64 / (packed.getElementTypeBitWidth() / 8);
    Value pos = arith::AddIOp::create(
        b, plan.share,
        arith::MulIOp::create(b, arith::SubIOp::create(b, kk, k0), idx(step)));
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
          scf::YieldOp::create(lb, inner.rowBlocks(panel, col, cur[0], inBounds,
                                                   m, k0, k1, shareInv));
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
  /// What a row block of r rows at row i (the j-th block) makes of the
  /// tensors `ts` it updates.
  using BlockFn = std::function<SmallVector<Value>(
      KernelBuilder &, int64_t r, Value i, Value j, ValueRange ts)>;

  Value rowBlocks(Value panel, Value col, Value t, bool inBounds, Value m,
                  Value k0, Value k1, Value shareInv) {
    return rowBlocks(
        m, ValueRange{t},
        [&](KernelBuilder &k, int64_t r, Value i, Value j, ValueRange ts) {
          return SmallVector<Value>{k.rowBlock(r, i, j, panel, col, ts[0],
                                               inBounds, k0, k1, shareInv)};
        })[0];
  }

  SmallVector<Value> rowBlocks(Value m, ValueRange carried,
                               const BlockFn &blockFn) {
    SmallVector<Value> t(carried);
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
          b, start, end, idx(r), t,
          [&](OpBuilder &nb, Location loc, Value i, ValueRange cur) {
            ImplicitLocOpBuilder lb(loc, nb);
            KernelBuilder k = on(lb);
            Value j = arith::AddIOp::create(
                lb, before,
                arith::DivUIOp::create(lb, arith::SubIOp::create(lb, i, start),
                                       k.idx(r)));
            scf::YieldOp::create(lb, blockFn(k, r, i, j, cur));
          });
      t = SmallVector<Value>(loop.getResults());
      before = arith::AddIOp::create(b, before, count);
      start = end;
    }
    return t;
  }
};

} // namespace mlir::tfc::cpu

#endif
