//===- GemmStrassen.h - GEMM kernels by Strassen's algorithm ---*- C++ -*-===//
#ifndef TFC_LIB_TARGET_CPU_GEMMSTRASSEN_H
#define TFC_LIB_TARGET_CPU_GEMMSTRASSEN_H

#include "GemmEpilogue.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::tfc::cpu {

/// Whether a GEMM of m rows (ShapedType::kDynamic: unknown), depth k and
/// n columns runs as one level of Strassen's algorithm with register
/// blocks of rows x cols: m static with halves of at least two blocks (an
/// odd m runs as m + 1), k even and at least 128, n/2 a whole number of
/// panels.
bool strassenApplies(int64_t m, int64_t k, int64_t n, int64_t rows,
                     int64_t cols);

/// The kernel of out = init + a * W (then the epilogue) for a ([M, K],
/// strassenApplies) by the constant W ([K, N] or [N, K]) whose products'
/// weights packStrassenPanels packed into `weights` ([7 * N/2/cols, K/2,
/// cols]), in an scf.forall over the column panels of N/2.
Value buildStrassenGemm(ImplicitLocOpBuilder &b, Value a, Value weights,
                        int64_t n, int64_t k, int64_t rows, int64_t cols,
                        const GemmInit &init, const GemmEpilogue &epilogue,
                        Value out);

} // namespace mlir::tfc::cpu

#endif
