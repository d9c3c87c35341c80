//===- TiedTables.cpp - tables read from a GEMM weight's packed panels ----===//
//
// A language model with tied embeddings multiplies by the transpose of its
// token table in the LM head, and exporters write the table twice: torch
// folds the head's transpose into a second initializer ([K, N] next to the
// Gather's [N, K]). After packing, the head's weight lives in panels and the
// Gather still read the other copy: GPT-2-small would store its 154 MB
// table twice. Tables whose only uses are element reads (tensor.extract,
// the lowered Gather) and that equal a packed f32 weight, transposed or as
// it is, read from the panels instead, and the copy is dropped.
//
//===----------------------------------------------------------------------===//
#include "GemmPacking.h"
#include "tfc/Dialect/TFC/Transforms/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>
#include <cstring>

using namespace mlir;
using namespace mlir::tfc::cpu;

/// Whether table ([n, k] row-major) holds w's weights, bit for bit
/// (read from its panels): a few spread positions first (most pairs
/// differ at once), then all.
static bool sameWeights(const float *table, const PackedWeight &w,
                        const float *panels) {
  auto equal = [&](int64_t j, int64_t kk) {
    float a = table[j * w.k + kk];
    float b = panels[((j / w.cols) * w.k + kk) * w.cols + j % w.cols];
    return std::memcmp(&a, &b, sizeof a) == 0;
  };
  int64_t count = w.n * w.k;
  for (int64_t s = 0; s < 64; ++s) {
    int64_t e = (s * 7919 * 104729) % count;
    if (!equal(e / w.k, e % w.k))
      return false;
  }
  // In tiles of one panel's columns: the table's rows are the panel's
  // columns.
  constexpr int64_t depth = 64;
  for (int64_t j0 = 0; j0 < w.n; j0 += w.cols)
    for (int64_t k0 = 0; k0 < w.k; k0 += depth)
      for (int64_t j = j0; j < std::min(j0 + w.cols, w.n); ++j)
        for (int64_t kk = k0; kk < std::min(k0 + depth, w.k); ++kk)
          if (!equal(j, kk))
            return false;
  return true;
}

void mlir::tfc::cpu::readTablesFromPanels(Operation *root,
                                          ArrayRef<PackedWeight> packed) {
  if (packed.empty())
    return;
  // Constant [n, k] f32 tables read only by tensor.extract.
  llvm::SetVector<Value> tables;
  root->walk([&](tensor::ExtractOp x) {
    Value t = x.getTensor();
    auto type = cast<RankedTensorType>(t.getType());
    if (type.getRank() != 2 || !type.hasStaticShape() ||
        !type.getElementType().isF32() || !t.getDefiningOp())
      return;
    if (llvm::all_of(t.getUses(), [&](OpOperand &use) {
          auto user = dyn_cast<tensor::ExtractOp>(use.getOwner());
          return user && user.getTensor() == t;
        }))
      tables.insert(t);
  });
  for (Value t : tables) {
    std::vector<char> storage;
    ArrayRef<char> bytes = tfc::constantBytes(t, storage);
    auto type = cast<RankedTensorType>(t.getType());
    if (bytes.empty() || !storage.empty())
      continue; // not a constant, or a splat (no storage to save)
    const auto *table = reinterpret_cast<const float *>(bytes.data());
    Attribute tableValue = t.getDefiningOp<arith::ConstantOp>().getValue();
    const PackedWeight *match = nullptr;
    for (const PackedWeight &p : packed) {
      if (p.n != type.getDimSize(0) || p.k != type.getDimSize(1))
        continue;
      std::vector<char> none;
      ArrayRef<char> panels = tfc::constantBytes(p.panels, none);
      if ((p.nk && p.source == tableValue) ||
          (!panels.empty() &&
           sameWeights(table, p,
                       reinterpret_cast<const float *>(panels.data())))) {
        match = &p;
        break;
      }
    }
    if (!match)
      continue;
    // table[j, kk] = panels[j / cols, kk, j % cols].
    for (OpOperand &use : llvm::make_early_inc_range(t.getUses())) {
      auto x = cast<tensor::ExtractOp>(use.getOwner());
      ImplicitLocOpBuilder b(x.getLoc(), x);
      Value cols = arith::ConstantIndexOp::create(b, match->cols);
      Value j = x.getIndices()[0], kk = x.getIndices()[1];
      Value read = tensor::ExtractOp::create(
          b, match->panels,
          ValueRange{arith::DivUIOp::create(b, j, cols), kk,
                     arith::RemUIOp::create(b, j, cols)});
      x.replaceAllUsesWith(read);
      x.erase();
    }
    if (Operation *def = t.getDefiningOp(); def && def->use_empty())
      def->erase();
  }
}
