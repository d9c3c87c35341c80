//===- GemmStrassen.cpp - GEMM kernels by Strassen's algorithm -----------===//
//
// One level of Strassen's algorithm for a GEMM by a constant weight
// (tfc-cpu-gemm-microkernels' strassen option): seven products of half
// the size instead of eight, 12.5 % fewer multiply-adds, each run by the
// usual register-blocked kernel (GemmKernelBuilder.h).
//
//===----------------------------------------------------------------------===//
#include "GemmStrassen.h"
#include "GemmKernelBuilder.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::tfc::cpu;

bool mlir::tfc::cpu::strassenApplies(int64_t m, int64_t k, int64_t n,
                                     int64_t rows, int64_t cols) {
  // Halves of at least two register blocks of rows (an odd m runs as
  // m + 1) and 64 of k: smaller ones gain less than the sums and the
  // extra passes cost.
  return !ShapedType::isDynamic(m) && m >= 4 * rows - 1 && k % 2 == 0 &&
         k >= 128 && n % 2 == 0 && (n / 2) % cols == 0;
}

/// One level of Strassen's algorithm: with A and W
/// split into halves, A11..A22 and B11..B22,
///   P1 = (A11 + A22)(B11 + B22)  P2 = (A21 + A22) B11
///   P3 = A11 (B12 - B22)         P4 = A22 (B21 - B11)
///   P5 = (A11 + A12) B22         P6 = (A21 - A11)(B11 + B12)
///   P7 = (A12 - A22)(B21 + B22)
///   C11 = P1 + P4 - P5 + P7      C12 = P3 + P5
///   C21 = P2 + P4                C22 = P1 - P2 + P3 + P6
/// The seven A operands, [M/2, K/2] each, are computed once; the weight
/// sums at compile time (packStrassenPanels). Per column panel p of N/2 (one
/// scf.forall iteration) a loop over the products runs the usual kernel
/// over its operand, in one k slice, and adds each row block's
/// accumulators into the blocks of C it contributes to (per product one
/// or two, looked up by its index): partial sums in a [4, M/2, cols]
/// scratch, and on a block's last contribution the init, the epilogue
/// and the one write of the output. One loop body instead of seven keeps
/// the code (and its compile time) near the plain kernel's.
Value mlir::tfc::cpu::buildStrassenGemm(ImplicitLocOpBuilder &b, Value a,
                                        Value weights, int64_t n, int64_t k,
                                        int64_t rows, int64_t cols,
                                        const GemmInit &init,
                                        const GemmEpilogue &epilogue,
                                        Value out) {
  int64_t rowsM = cast<RankedTensorType>(a.getType()).getDimSize(0);
  // An odd M (ViT's 197 tokens) runs as M + 1 rows, as if A had a zero
  // row more; the lower blocks' last row, past the output, is computed but
  // not written.
  int64_t h = (rowsM + 1) / 2, kh = k / 2, nh = n / 2;
  bool padded = rowsM % 2;
  auto packedType = cast<RankedTensorType>(weights.getType());
  Value buffer = bufferization::ToBufferOp::create(
      b, MemRefType::get(packedType.getShape(), packedType.getElementType()),
      weights, /*readOnly=*/true);
  Value flat = memref::CollapseShapeOp::create(
      b, buffer, ArrayRef<ReassociationIndices>{{0, 1, 2}});
  Type f32 = b.getF32Type();
  auto idx = [](ImplicitLocOpBuilder &lb, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(lb, v);
  };
  MLIRContext *ctx = b.getContext();

  // The seven operands [M/2, K/2] in one pass over A: A11 + A22,
  // A21 + A22, A11, A22, A11 + A12, A21 - A11, A12 - A22. A11 and A22 are
  // copied too, so that the product loop below picks among seven buffers
  // of one type.
  auto operandType = RankedTensorType::get({h, kh}, f32);
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  SmallVector<OpFoldResult> unit(2, b.getIndexAttr(1));
  auto slice = [&](Value src, int64_t row, int64_t rowCount, int64_t col) {
    return tensor::ExtractSliceOp::create(
               b, RankedTensorType::get({rowCount, kh}, f32), src,
               ArrayRef<OpFoldResult>{b.getIndexAttr(row), b.getIndexAttr(col)},
               ArrayRef<OpFoldResult>{b.getIndexAttr(rowCount),
                                      b.getIndexAttr(kh)},
               unit)
        .getResult();
  };
  auto insertRows = [&](Value part, Value into, int64_t row) {
    auto type = cast<RankedTensorType>(part.getType());
    return tensor::InsertSliceOp::create(
               b, part, into,
               ArrayRef<OpFoldResult>{b.getIndexAttr(row), b.getIndexAttr(0)},
               ArrayRef<OpFoldResult>{b.getIndexAttr(type.getDimSize(0)),
                                      b.getIndexAttr(kh)},
               unit)
        .getResult();
  };
  // Rows of the seven operands into `dest`, from the same rows of A's
  // quarters `x`: A11, A12, A21, A22, or only A11 and A12 for the row
  // past A's last one (A21 and A22 zero there).
  auto sumsOf = [&](ValueRange x, ArrayRef<Value> dest) {
    SmallVector<AffineMap> maps(x.size() + 7, id);
    SmallVector<Type> types;
    for (Value d : dest)
      types.push_back(d.getType());
    bool lower = x.size() == 4;
    return linalg::GenericOp::create(
               b, types, x, dest, maps,
               SmallVector<utils::IteratorType>(2,
                                                utils::IteratorType::parallel),
               [lower](OpBuilder &nb, Location loc, ValueRange v) {
                 auto add = [&](Value p, Value q) -> Value {
                   return arith::AddFOp::create(nb, loc, p, q);
                 };
                 auto sub = [&](Value p, Value q) -> Value {
                   return arith::SubFOp::create(nb, loc, p, q);
                 };
                 Value a11 = v[0], a12 = v[1];
                 if (lower) {
                   Value a21 = v[2], a22 = v[3];
                   linalg::YieldOp::create(
                       nb, loc,
                       ValueRange{add(a11, a22), add(a21, a22), a11, a22,
                                  add(a11, a12), sub(a21, a11), sub(a12, a22)});
                   return;
                 }
                 Value zero =
                     arith::ConstantOp::create(nb, loc, nb.getF32FloatAttr(0));
                 linalg::YieldOp::create(
                     nb, loc,
                     ValueRange{a11, zero, a11, zero, add(a11, a12),
                                arith::NegFOp::create(nb, loc, a11), a12});
               })
        .getResults();
  };
  // The rows every quarter has, then for an odd M the upper quarters'
  // last row (the lower ones' is the zero row past A).
  int64_t both = padded ? h - 1 : h;
  SmallVector<Value> operands, dest;
  for (int64_t i = 0; i < 7; ++i) {
    // Seven allocations (tensor.empty ops of one type would be CSE'd into
    // one, whose slices bufferization then copied).
    operands.push_back(
        bufferization::AllocTensorOp::create(b, operandType, ValueRange{}));
    dest.push_back(padded ? slice(operands[i], 0, both, 0) : operands[i]);
  }
  SmallVector<Value> quarters{slice(a, 0, both, 0), slice(a, 0, both, kh),
                              slice(a, h, both, 0), slice(a, h, both, kh)};
  SmallVector<Value> upper(sumsOf(quarters, dest));
  for (int64_t i = 0; i < 7; ++i)
    operands[i] = padded ? insertRows(upper[i], operands[i], 0) : upper[i];
  if (padded) {
    dest.clear();
    for (int64_t i = 0; i < 7; ++i)
      dest.push_back(slice(operands[i], h - 1, 1, 0));
    SmallVector<Value> lastRow(sumsOf(
        ValueRange{slice(a, h - 1, 1, 0), slice(a, h - 1, 1, kh)}, dest));
    for (int64_t i = 0; i < 7; ++i)
      operands[i] = insertRows(lastRow[i], operands[i], h - 1);
  }

  // Per product, its contributions: slot 0 (products 1-5) is never a
  // block's last; slot 1 is, for products 4-7. Encoded as
  // quadrant (0 C11, 1 C12, 2 C21, 3 C22; -1 none), sign, first, last.
  static const int64_t slots[2][7][4] = {{{0, 1, 1, 0},
                                          {2, 1, 1, 0},
                                          {1, 1, 1, 0},
                                          {0, 1, 0, 0},
                                          {0, -1, 0, 0},
                                          {-1, 0, 0, 0},
                                          {-1, 0, 0, 0}},
                                         {{3, 1, 1, 0},
                                          {3, -1, 0, 0},
                                          {3, 1, 0, 0},
                                          {2, 1, 0, 1},
                                          {1, 1, 0, 1},
                                          {3, 1, 0, 1},
                                          {0, 1, 0, 1}}};
  // The tables as constants the loop body reads at slot * 7 + product.
  auto table = [&](int64_t field) -> Value {
    SmallVector<int64_t> values;
    for (int64_t slot = 0; slot < 2; ++slot)
      for (int64_t i = 0; i < 7; ++i)
        values.push_back(slots[slot][i][field]);
    auto type = RankedTensorType::get({14}, b.getIndexType());
    return arith::ConstantOp::create(
        b, type, DenseIntElementsAttr::get(type, ArrayRef(values)));
  };
  Value quadrantOf = table(0), signOf = table(1), firstOf = table(2),
        lastOf = table(3);

  // The output as [M, 2, N/2]: panel p's four blocks are one slice
  // [M, 2, cols] of it (four slices of the shared output were each
  // copied in and out by bufferization, which cannot tell that they are
  // disjoint).
  auto outType = cast<RankedTensorType>(out.getType());
  SmallVector<ReassociationIndices> halves{{0}, {1, 2}};
  Value outHalves = tensor::ExpandShapeOp::create(
      b, RankedTensorType::get({rowsM, 2, nh}, f32), out, halves);
  auto loop = scf::ForallOp::create(
      b, ArrayRef<OpFoldResult>{b.getIndexAttr(nh / cols)},
      ValueRange{outHalves}, std::nullopt);
  b.setInsertionPointToStart(loop.getBody());
  Value shared = loop.getRegionIterArgs()[0];
  Value p = loop.getInductionVars()[0];
  Value col = arith::MulIOp::create(b, p, idx(b, cols));
  SmallVector<OpFoldResult> panelOffsets{b.getIndexAttr(0), b.getIndexAttr(0),
                                         col};
  SmallVector<OpFoldResult> panelSizes{b.getIndexAttr(rowsM), b.getIndexAttr(2),
                                       b.getIndexAttr(cols)};
  SmallVector<OpFoldResult> strides3(3, b.getIndexAttr(1));
  Value panelBlock = tensor::ExtractSliceOp::create(
      b, RankedTensorType::get({rowsM, 2, cols}, f32), shared, panelOffsets,
      panelSizes, strides3);
  // Partial sums of the four blocks until their last contribution: the
  // output panel's rows lie N floats apart (a multiple of 4 KiB for
  // BERT's feed-forward: all in the same L1 sets), and repeated updates
  // in place missed L1 on every row.
  Value scratch =
      tensor::EmptyOp::create(b, ArrayRef<int64_t>{4, h, cols}, f32);
  Value hSize = idx(b, h), kEnd = idx(b, kh);
  auto products = scf::ForOp::create(
      b, idx(b, 0), idx(b, 7), idx(b, 1), ValueRange{scratch, panelBlock},
      [&](OpBuilder &nb, Location loc, Value i, ValueRange carried) {
        ImplicitLocOpBuilder pb(loc, nb);
        auto pick =
            scf::IndexSwitchOp::create(pb, TypeRange{operandType}, i,
                                       ArrayRef<int64_t>{0, 1, 2, 3, 4, 5}, 6);
        for (int64_t c = 0; c < 7; ++c) {
          Region &region =
              c < 6 ? pick.getCaseRegions()[c] : pick.getDefaultRegion();
          OpBuilder rb = OpBuilder::atBlockEnd(&region.emplaceBlock());
          scf::YieldOp::create(rb, loc, operands[c]);
        }
        Value operand = pick.getResult(0);
        KernelSpec spec{rows, cols,  kh,   weights, true,
                        kEnd, false, flat, init,    epilogue};
        KernelBuilder kb{pb, spec, operand, {}};
        Value panel = arith::AddIOp::create(
            pb, arith::MulIOp::create(pb, p, idx(pb, 7)), i);
        Value shareInv = kb.shareReciprocal(hSize);
        auto at = [&](ImplicitLocOpBuilder &lb, Value t, Value where) {
          return tensor::ExtractOp::create(lb, t, ValueRange{where})
              .getResult();
        };
        Value isLast = arith::CmpIOp::create(
            pb, arith::CmpIPredicate::ne,
            at(pb, lastOf, arith::AddIOp::create(pb, i, idx(pb, 7))),
            idx(pb, 0));
        // Slot 1's quadrant, where the last contribution goes.
        Value lastQuadrant =
            at(pb, quadrantOf, arith::AddIOp::create(pb, i, idx(pb, 7)));
        auto blockFn = [&](KernelBuilder &k, int64_t r, Value row0, Value j,
                           ValueRange ts) -> SmallVector<Value> {
          ImplicitLocOpBuilder &lb = k.b;
          SmallVector<Value> rowIdx = k.rowIndices(r, row0);
          Value zero = arith::ConstantOp::create(lb, lb.getF32FloatAttr(0));
          Value zeros = vector::BroadcastOp::create(lb, k.vecType(), zero);
          SmallVector<Value> acc(r * k.chunks(), zeros);
          acc = k.accumulate(rowIdx, j, panel, true, idx(lb, 0), kEnd, shareInv,
                             acc);
          auto readAt = [&](ImplicitLocOpBuilder &rb, Value t,
                            ValueRange where) {
            return vector::TransferReadOp::create(rb, k.vecType(), t, where,
                                                  zero, ArrayRef<bool>{true})
                .getResult();
          };
          // Slot s's quadrant: its rows and columns in the output.
          auto place = [&](ImplicitLocOpBuilder &sb, Value quadrant) {
            Value qr = arith::DivUIOp::create(sb, quadrant, idx(sb, 2));
            Value qc = arith::RemUIOp::create(sb, quadrant, idx(sb, 2));
            Value rowOff = arith::MulIOp::create(sb, qr, idx(sb, h));
            Value absCol = arith::AddIOp::create(
                sb, col, arith::MulIOp::create(sb, qc, idx(sb, nh)));
            return std::make_tuple(rowOff, qc, absCol);
          };
          // sign * acc + (first ? the init : the partial sum), into the
          // scratch.
          auto partial = [&](ImplicitLocOpBuilder &sb, Value quadrant,
                             Value sign, Value first, Value part,
                             Value outBlock) {
            KernelBuilder kk = k.on(sb);
            auto [rowOff, qc, absCol] = place(sb, quadrant);
            Value sgn = vector::BroadcastOp::create(sb, kk.vecType(), sign);
            SmallVector<Value> initRow;
            if (init.kind == GemmInit::Row)
              initRow = kk.read(init.value, {absCol}, true);
            for (int64_t q = 0; q < r; ++q) {
              Value outRow = arith::AddIOp::create(sb, rowIdx[q], rowOff);
              for (int64_t c = 0; c < kk.chunks(); ++c) {
                Value lane = idx(sb, c * kk.lanes());
                SmallVector<Value> inPart{quadrant, rowIdx[q], lane};
                Value start = zeros;
                if (init.kind == GemmInit::Load)
                  // (The padded row reads the last one: never written.)
                  start = readAt(
                      sb, outBlock,
                      ValueRange{padded ? (Value)arith::MinUIOp::create(
                                              sb, outRow, idx(sb, rowsM - 1))
                                        : outRow,
                                 qc, lane});
                else if (init.kind == GemmInit::Row)
                  start = initRow[c];
                else if (!matchPattern(init.value, m_AnyZeroFloat()))
                  start =
                      vector::BroadcastOp::create(sb, kk.vecType(), init.value);
                Value base = arith::SelectOp::create(sb, first, start,
                                                     readAt(sb, part, inPart));
                Value v = vector::FMAOp::create(sb, sgn,
                                                acc[q * kk.chunks() + c], base);
                part = vector::TransferWriteOp::create(sb, v, part, inPart,
                                                       ArrayRef<bool>{true})
                           .getResult();
              }
            }
            return part;
          };
          // The block's last contribution: the partial sum plus acc,
          // the epilogue, the output.
          auto finish = [&](ImplicitLocOpBuilder &sb, Value part,
                            Value outBlock) {
            Value rowOff, qc, absCol;
            std::tie(rowOff, qc, absCol) = place(sb, lastQuadrant);
            // Row q of the block into `blockIn`, built by `rb`.
            auto finishRow = [&](ImplicitLocOpBuilder &rb, int64_t q,
                                 Value outRow, Value blockIn) {
              KernelBuilder kk = k.on(rb);
              Value outBlock = blockIn;
              ImplicitLocOpBuilder &sb = rb;
              SmallVector<Value> v;
              for (int64_t c = 0; c < kk.chunks(); ++c)
                v.push_back(arith::AddFOp::create(
                    sb,
                    readAt(sb, part,
                           ValueRange{lastQuadrant, rowIdx[q],
                                      idx(sb, c * kk.lanes())}),
                    acc[q * kk.chunks() + c]));
              if (!epilogue.empty()) {
                SmallVector<Value> sources;
                for (const EpilogueOperand &op : epilogue.operands)
                  sources.push_back(op.source);
                v = kk.withEpilogue(v, sources, absCol, {outRow, absCol}, true);
              }
              for (int64_t c = 0; c < kk.chunks(); ++c)
                outBlock = vector::TransferWriteOp::create(
                               sb, v[c], outBlock,
                               ValueRange{outRow, qc, idx(sb, c * kk.lanes())},
                               ArrayRef<bool>{true})
                               .getResult();
              return outBlock;
            };
            for (int64_t q = 0; q < r; ++q) {
              Value outRow = arith::AddIOp::create(sb, rowIdx[q], rowOff);
              if (!padded) {
                outBlock = finishRow(sb, q, outRow, outBlock);
                continue;
              }
              Value inside = arith::CmpIOp::create(
                  sb, arith::CmpIPredicate::ult, outRow, idx(sb, rowsM));
              Value current = outBlock;
              outBlock = scf::IfOp::create(
                             sb, inside,
                             [&](OpBuilder &ob, Location l) {
                               ImplicitLocOpBuilder ib(l, ob);
                               scf::YieldOp::create(
                                   ib, finishRow(ib, q, outRow, current));
                             },
                             [&](OpBuilder &ob, Location l) {
                               scf::YieldOp::create(ob, l, current);
                             })
                             .getResult(0);
            }
            return outBlock;
          };
          Value part = ts[0], outBlock = ts[1];
          // The partial sums of both slots (slot 1's unless it is the
          // block's last), then the last contribution.
          auto slotLoop = scf::ForOp::create(
              lb, idx(lb, 0), idx(lb, 2), idx(lb, 1), ValueRange{part},
              [&](OpBuilder &ob, Location l, Value slot, ValueRange cur) {
                ImplicitLocOpBuilder sb(l, ob);
                Value where = arith::AddIOp::create(
                    sb, i, arith::MulIOp::create(sb, slot, idx(sb, 7)));
                Value quadrant = at(sb, quadrantOf, where);
                Value sign = arith::SIToFPOp::create(
                    sb, f32,
                    arith::IndexCastOp::create(sb, sb.getI64Type(),
                                               at(sb, signOf, where)));
                Value first =
                    arith::CmpIOp::create(sb, arith::CmpIPredicate::ne,
                                          at(sb, firstOf, where), idx(sb, 0));
                Value valid = arith::CmpIOp::create(
                    sb, arith::CmpIPredicate::sge, quadrant, idx(sb, 0));
                Value lastSlot = arith::AndIOp::create(
                    sb,
                    arith::CmpIOp::create(sb, arith::CmpIPredicate::eq, slot,
                                          idx(sb, 1)),
                    isLast);
                Value run = arith::AndIOp::create(
                    sb, valid,
                    arith::XOrIOp::create(
                        sb, lastSlot,
                        arith::ConstantOp::create(sb, sb.getBoolAttr(true))));
                auto ifOp = scf::IfOp::create(
                    sb, run,
                    [&](OpBuilder &tb, Location tl) {
                      ImplicitLocOpBuilder ib(tl, tb);
                      scf::YieldOp::create(
                          ib,
                          partial(ib, quadrant, sign, first, cur[0], outBlock));
                    },
                    [&](OpBuilder &tb, Location tl) {
                      scf::YieldOp::create(tb, tl, cur[0]);
                    });
                scf::YieldOp::create(sb, ifOp.getResult(0));
              });
          part = slotLoop.getResult(0);
          auto lastIf = scf::IfOp::create(
              lb, isLast,
              [&](OpBuilder &ob, Location l) {
                ImplicitLocOpBuilder sb(l, ob);
                scf::YieldOp::create(sb, finish(sb, part, outBlock));
              },
              [&](OpBuilder &ob, Location l) {
                scf::YieldOp::create(ob, l, outBlock);
              });
          return SmallVector<Value>{part, lastIf.getResult(0)};
        };
        scf::YieldOp::create(pb, kb.rowBlocks(hSize, carried, blockFn));
      });
  b.setInsertionPointToStart(loop.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, products.getResult(1), shared,
                                        panelOffsets, panelSizes, strides3);
  b.setInsertionPointAfter(loop);
  return tensor::CollapseShapeOp::create(b, outType, loop.getResult(0), halves);
}
