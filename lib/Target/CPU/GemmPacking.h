//===- GemmPacking.h - operand layouts of the GEMM microkernels -*- C++ -*-===//
//
// Constant weights are repacked at compile time into column panels the
// microkernel reads one contiguous vector at a time: f32 panels
// [ceil(N/cols), K, cols], or for the bf16 kernels panels of k pairs
// [ceil(N/cols), K/2, cols, 2] (what AVX512-BF16's vdpbf16ps multiplies).
// In bf16 mode the run-time operand A is rounded to bf16 pairs, one i32
// per pair, once before the kernel. A run-time weight is read in place, or
// its panel copied where its rows would crowd a few L2 sets.
//
//===----------------------------------------------------------------------===//
#ifndef TFC_LIB_TARGET_CPU_GEMMPACKING_H
#define TFC_LIB_TARGET_CPU_GEMMPACKING_H

#include "mlir/IR/ImplicitLocOpBuilder.h"

#include <cstdint>

namespace mlir::tfc {
class WeightReleaser;
} // namespace mlir::tfc

namespace mlir::tfc::cpu {

/// A constant weight: `w` holds n x k floats, as [N, K] when `nk`, else
/// as [K, N].
struct WeightView {
  const float *w;
  int64_t n, k;
  bool nk;
  float at(int64_t j, int64_t kk) const {
    return nk ? w[j * k + kk] : w[kk * n + j];
  }
};

/// f32 panels [ceil(N/cols), K, cols]; columns past N are zero.
void packPanels(const WeightView &w, int64_t cols, float *out);

/// The seven weights of Strassen's products (see GemmMicrokernels.cpp's
/// buildStrassen) from w (K and N even, N/2 a multiple of cols), each
/// [K/2, N/2], packed into panels [7 * N/2/cols, K/2, cols]: panel 7p + i
/// is panel p of product i's weight.
void packStrassenPanels(const WeightView &w, int64_t cols, float *out);

/// bf16 pair panels [ceil(N/cols), K/2, cols, 2] (K even); columns past N
/// are zero.
void packPairPanels(const WeightView &w, int64_t cols, uint16_t *out);

/// A constant weight packed into f32 panels of `cols` columns.
struct PackedWeight {
  /// The weight's constant, [N, K] when `nk`, else [K, N] (its bytes may
  /// have been freed: only the panels are read).
  Attribute source;
  int64_t n, k;
  bool nk;
  int64_t cols;
  Value panels; // [ceil(N/cols), K, cols]
};

/// Before packing: constant [N, K] tables under `root` read only by
/// tensor.extract (a lowered Gather) that are the transpose of one of
/// `weights` (constant [K, N] GEMM weights: a tied LM head) read that
/// weight instead; the tables are erased, and their bytes freed through
/// `releaser` when there is one (TiedTables.cpp).
void readTablesFromWeights(Operation *root, ArrayRef<Value> weights,
                           tfc::WeightReleaser *releaser);

/// After packing: constant [N, K] tables under `root` read only by
/// tensor.extract whose elements equal a packed weight's (a tied embedding
/// and LM head), or that are a packed weight's own constant, read from its
/// panels instead; the tables' copies are erased (TiedTables.cpp).
void readTablesFromPanels(Operation *root, ArrayRef<PackedWeight> packed);

/// Columns [col, col + width) of the run-time weight `w` ([K, N]). With
/// `m` (the rows of A; top-level kernels), when m reaches 4 register blocks
/// of `rows` rows and the panel's K rows, N apart, crowd the L2 sets they
/// map to, both known at compile time, a copy into a [K, `cols`] buffer of
/// its own: each row block reads the panel again, and in place those reads
/// missed L1 and L2 (8 KiB apart for the keys of a 2048-token Q K^T). The
/// copy costs one pass of the panel; it was a few percent slower where the
/// rows spread well.
Value runTimePanel(ImplicitLocOpBuilder &b, Value w, Value col,
                   OpFoldResult width, bool even, OpFoldResult m, int64_t rows,
                   int64_t cols);

/// f32 -> bf16, rounding to nearest even (NaN stays a quiet NaN); the same
/// rounding as `buildPairPacking`'s code.
uint16_t roundToBF16(float x);

/// A ([m..., K] f32, K static and even) as [m..., K/2] i32: element p holds
/// bf16(A[..., 2p]) in its low and bf16(A[..., 2p+1]) in its high half.
Value buildPairPacking(ImplicitLocOpBuilder &b, Value a);

} // namespace mlir::tfc::cpu

#endif
