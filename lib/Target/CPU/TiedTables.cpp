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
// The transposed copy is found before packing (readTablesFromWeights): the
// Gather then reads the head's [K, N] weight, and its own table is freed
// before the panels are made, so that the compile never holds the table
// three times (GPT-2-small's peak was 150 MB higher).
//
//===----------------------------------------------------------------------===//
#include "GemmPacking.h"
#include "tfc/Dialect/TFC/IR/WeightStorage.h"
#include "tfc/Dialect/TFC/Transforms/ConstantData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>
#include <cstring>

using namespace mlir;
using namespace mlir::tfc::cpu;

/// Whether equal(j, kk) holds for every j < n, kk < k: a few spread
/// positions first (most pairs differ at once), then all, in tiles of
/// `rows` j by 64 kk (one side of each comparison is read transposed).
template <typename Equal>
static bool allEqual(int64_t n, int64_t k, int64_t rows, Equal equal) {
  for (int64_t s = 0; s < 64; ++s) {
    int64_t e = (s * 7919 * 104729) % (n * k);
    if (!equal(e / k, e % k))
      return false;
  }
  constexpr int64_t depth = 64;
  for (int64_t j0 = 0; j0 < n; j0 += rows)
    for (int64_t k0 = 0; k0 < k; k0 += depth)
      for (int64_t j = j0; j < std::min(j0 + rows, n); ++j)
        for (int64_t kk = k0; kk < std::min(k0 + depth, k); ++kk)
          if (!equal(j, kk))
            return false;
  return true;
}

/// Whether a and b hold the same float, bit for bit.
static bool sameBits(const float &a, const float &b) {
  return std::memcmp(&a, &b, sizeof(float)) == 0;
}

/// Whether table ([n, k] row-major) holds w's weights, read from its
/// panels (tiles of one panel's columns: the table's rows).
static bool sameWeights(const float *table, const PackedWeight &w,
                        const float *panels) {
  return allEqual(w.n, w.k, w.cols, [&](int64_t j, int64_t kk) {
    return sameBits(table[j * w.k + kk],
                    panels[((j / w.cols) * w.k + kk) * w.cols + j % w.cols]);
  });
}

/// Whether table ([n, k] row-major) is the transpose of w ([k, n]).
static bool isTranspose(const float *table, const float *w, int64_t n,
                        int64_t k) {
  return allEqual(n, k, 64, [&](int64_t j, int64_t kk) {
    return sameBits(table[j * k + kk], w[kk * n + j]);
  });
}

/// Constant [n, k] f32 tables under `root` read only by tensor.extract.
static llvm::SetVector<Value> extractOnlyTables(Operation *root) {
  llvm::SetVector<Value> tables;
  root->walk([&](tensor::ExtractOp x) {
    Value t = x.getTensor();
    auto type = cast<RankedTensorType>(t.getType());
    if (type.getRank() != 2 || !type.hasStaticShape() ||
        !type.getElementType().isF32() || !t.getDefiningOp<arith::ConstantOp>())
      return;
    if (llvm::all_of(t.getUses(), [&](OpOperand &use) {
          auto user = dyn_cast<tensor::ExtractOp>(use.getOwner());
          return user && user.getTensor() == t;
        }))
      tables.insert(t);
  });
  return tables;
}

/// Replaces each tensor.extract of `t` by a read of `read(b, i0, i1)`.
static void
redirectReads(Value t,
              function_ref<Value(ImplicitLocOpBuilder &, Value, Value)> read) {
  for (OpOperand &use : llvm::make_early_inc_range(t.getUses())) {
    auto x = cast<tensor::ExtractOp>(use.getOwner());
    ImplicitLocOpBuilder b(x.getLoc(), x);
    x.replaceAllUsesWith(read(b, x.getIndices()[0], x.getIndices()[1]));
    x.erase();
  }
}

void mlir::tfc::cpu::readTablesFromWeights(Operation *root,
                                           ArrayRef<Value> weights,
                                           WeightReleaser *releaser) {
  if (weights.empty())
    return;
  for (Value t : extractOnlyTables(root)) {
    std::vector<char> storage, none;
    ArrayRef<char> bytes = tfc::constantBytes(t, storage);
    if (bytes.empty() || !storage.empty())
      continue; // not a constant, or a splat
    auto type = cast<RankedTensorType>(t.getType());
    int64_t n = type.getDimSize(0), k = type.getDimSize(1);
    Value match;
    for (Value w : weights) {
      auto wType = cast<RankedTensorType>(w.getType());
      if (w == t || wType.getShape() != ArrayRef<int64_t>{k, n})
        continue;
      ArrayRef<char> wBytes = tfc::constantBytes(w, none);
      if (!wBytes.empty() &&
          isTranspose(reinterpret_cast<const float *>(bytes.data()),
                      reinterpret_cast<const float *>(wBytes.data()), n, k)) {
        match = w;
        break;
      }
    }
    if (!match)
      continue;
    // table[j, kk] = w[kk, j].
    redirectReads(t, [&](ImplicitLocOpBuilder &b, Value j, Value kk) {
      return tensor::ExtractOp::create(b, match, ValueRange{kk, j});
    });
    Operation *def = t.getDefiningOp();
    if (releaser)
      releaser->dropReferences(def);
    def->erase();
  }
}

void mlir::tfc::cpu::readTablesFromPanels(Operation *root,
                                          ArrayRef<PackedWeight> packed) {
  if (packed.empty())
    return;
  for (Value t : extractOnlyTables(root)) {
    auto type = cast<RankedTensorType>(t.getType());
    Attribute tableValue = t.getDefiningOp<arith::ConstantOp>().getValue();
    // A packed weight's own constant, also read by a Gather: [N, K] as it
    // is, or a [K, N] head weight that readTablesFromWeights gave the
    // Gather (its reads swapped to [kk, j]).
    const PackedWeight *match = nullptr;
    bool transposed = false;
    for (const PackedWeight &p : packed)
      if (p.source == tableValue) {
        match = &p;
        transposed = !p.nk;
        break;
      }
    std::vector<char> storage;
    ArrayRef<char> bytes = tfc::constantBytes(t, storage);
    if (!match && !bytes.empty() && storage.empty()) {
      const auto *table = reinterpret_cast<const float *>(bytes.data());
      for (const PackedWeight &p : packed) {
        if (p.n != type.getDimSize(0) || p.k != type.getDimSize(1))
          continue;
        std::vector<char> none;
        ArrayRef<char> panels = tfc::constantBytes(p.panels, none);
        if (!panels.empty() &&
            sameWeights(table, p,
                        reinterpret_cast<const float *>(panels.data()))) {
          match = &p;
          break;
        }
      }
    }
    if (!match)
      continue;
    // table[j, kk] = panels[j / cols, kk, j % cols].
    redirectReads(t, [&](ImplicitLocOpBuilder &b, Value i0, Value i1) {
      Value j = transposed ? i1 : i0, kk = transposed ? i0 : i1;
      Value cols = arith::ConstantIndexOp::create(b, match->cols);
      return tensor::ExtractOp::create(
          b, match->panels,
          ValueRange{arith::DivUIOp::create(b, j, cols), kk,
                     arith::RemUIOp::create(b, j, cols)});
    });
    if (Operation *def = t.getDefiningOp(); def && def->use_empty())
      def->erase();
  }
}
