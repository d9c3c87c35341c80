//===- LoweringUtils.h - shared helpers of the tfc -> linalg lowering -----===//
#ifndef TFC_LIB_CONVERSION_TFCTOLINALG_LOWERINGUTILS_H
#define TFC_LIB_CONVERSION_TFCTOLINALG_LOWERINGUTILS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::tfc {

/// Size `d` of tensor `t` as an index value (constant when static).
Value dimValue(ImplicitLocOpBuilder &b, Value t, int64_t d);
/// All sizes of `t` as fold results (attributes when static).
SmallVector<OpFoldResult> mixedDims(ImplicitLocOpBuilder &b, Value t);
/// An index constant.
Value indexConst(ImplicitLocOpBuilder &b, int64_t v);

/// Numpy-broadcast result sizes of `operands` for a result of type `result`;
/// inserts run-time checks where two dynamic sizes must agree (tfc does not
/// broadcast a size that is only known to be 1 at run time).
SmallVector<OpFoldResult> broadcastDims(ImplicitLocOpBuilder &b,
                                        ValueRange operands,
                                        RankedTensorType result);
/// Indexing map that reads `operand` (right-aligned) inside a loop nest of
/// `outRank` dimensions, pinning its static size-1 dimensions to 0. With
/// `outShape` (the loop sizes), a dimension whose loop size is a static 1
/// too keeps its loop index: no broadcast there, and the map stays a plain
/// projection (what the GEMM kernels match).
AffineMap broadcastMap(RankedTensorType operand, int64_t outRank,
                       MLIRContext *ctx, ArrayRef<int64_t> outShape = {});

/// An empty tensor of the given sizes, or a zero/identity-filled one.
Value emptyTensor(ImplicitLocOpBuilder &b, ArrayRef<OpFoldResult> sizes,
                  Type elementType);
Value filledTensor(ImplicitLocOpBuilder &b, ArrayRef<OpFoldResult> sizes,
                   Type elementType, TypedAttr value);

/// Casts `v` to `type` with tensor.cast when their static information
/// differs (both must describe the same run-time shape).
Value castTo(ImplicitLocOpBuilder &b, Value v, Type type);

/// Scalar helpers inside linalg bodies. Unsigned integer types (ui8...) are
/// carried as signless values through unrealized casts, which the LLVM
/// lowering erases (ui8 and i8 both become i8).
Type signlessType(Type t);
Value toSignless(OpBuilder &b, Location loc, Value v);
Value fromSignless(OpBuilder &b, Location loc, Value v, Type target);
/// Converts a signless scalar from `from` to `to` (both in tfc's types, so
/// signedness is known) with ONNX Cast semantics.
Value convertScalar(OpBuilder &b, Location loc, Value v, Type from, Type to);
/// A scalar constant of a signless or float type.
Value scalarConst(OpBuilder &b, Location loc, Type t, double v);
/// Largest/smallest value of a type, for max/min reductions.
TypedAttr lowestValue(Type t, bool isUnsigned);
TypedAttr highestValue(Type t, bool isUnsigned);

/// Builds a linalg.generic over the numpy broadcast of `inputs` with body
/// `fn(b, loc, scalars)` returning the result scalar of `result`'s element
/// type; scalars arrive signless. Returns the result, cast to `result`.
Value buildElementwise(
    ImplicitLocOpBuilder &b, ValueRange inputs, RankedTensorType result,
    function_ref<Value(OpBuilder &, Location, ValueRange)> fn);

/// Multiply-accumulate body shared by all contractions: acc + prod(args).
void macBody(OpBuilder &b, Location loc, ValueRange args, Type elem);
/// The accumulator a contraction starts from: `bias` (1-D) broadcast along
/// result dimension `biasDim`, or zeros when there is no bias.
Value accumulatorInit(ImplicitLocOpBuilder &b, ArrayRef<OpFoldResult> sizes,
                      Type elem, Value bias, int64_t biasDim);

/// `step` over [0, n) in steps of `lanes` with loop-carried values `init`:
/// an scf.for over the whole steps, whose accesses are in bounds (plain
/// loads and stores), then, when `lanes` does not divide n, one step at the
/// rest (inBounds false: masked accesses) under an scf.if. A loop of masked
/// steps is slow on AVX2, where a masked store is microcoded. Returns the
/// final values.
ValueRange
forVectors(ImplicitLocOpBuilder &b, Value n, int64_t lanes, ValueRange init,
           function_ref<SmallVector<Value>(ImplicitLocOpBuilder &, Value j,
                                           bool inBounds, ValueRange acc)>
               step);

/// How a [tq, tk] tile of raw f32 q k^T products becomes attention scores:
/// scale * qk (+ mask), and -inf where `causal` hides a key (key kj + col
/// after query qi + row + offset). `apply` computes the 16 scores at (row,
/// col) from their raw vector; -inf products (the padding past tk) stay
/// -inf, which needs scale > 0.
struct TileScores {
  Value scale; // f32, > 0
  Value mask;  // the mask's [tq | 1, tk | 1] (or [tk | 1]) part, or null
  bool causal = false;
  Value qi, kj, offset;
  /// `inBounds`: the vector's columns all lie inside the tile.
  Value apply(ImplicitLocOpBuilder &b, Value row, Value col, Value raw,
              bool inBounds = false) const;
};

/// The online-softmax step of one [tq, tk] f32 tile `s` given the running
/// row max `mOld` [tq]: the new row max, p = exp(x - max) and the row sums
/// of p, as vector code (AttentionSoftmaxRows.cpp). x is `s` itself, or
/// with `scores` the scores of the raw products `s`, computed as the rows
/// are read.
struct SoftmaxRows {
  Value max, p, sum;
};
SoftmaxRows buildSoftmaxRows(ImplicitLocOpBuilder &b, Value s, Value mOld,
                             Value tq, Value tk,
                             const TileScores *scores = nullptr);

/// `keys` [Sk, D] transposed into `init` [D, Sk]: in 16x16 vector blocks
/// for f32 with D a multiple of 16, else a linalg.transpose
/// (AttentionKeyTranspose.cpp).
Value buildKeyTranspose(ImplicitLocOpBuilder &b, Value keys, Value init);

/// Run-time checks (RunChecks.cpp). prepareRunChecks numbers the ops of
/// `func` whose run-time values need a check and gives the function its
/// status argument; runStatus finds that argument (null without one),
/// checkNumber an op's number; reportIf stores (check, detail) into the
/// status when `failed`.
void prepareRunChecks(func::FuncOp func);
Value runStatus(Operation *op);
std::optional<int64_t> checkNumber(Operation *op);
void reportIf(ImplicitLocOpBuilder &b, Value failed, Value detail, Value status,
              int64_t check);
/// When `op` has a check: scans the tensor `values` with `test` (per element:
/// whether it fails, and the i64 to report) and reports the first failure.
void checkEach(
    ImplicitLocOpBuilder &b, Operation *op, Value values,
    function_ref<std::pair<Value, Value>(OpBuilder &, Location, Value)> test);

/// [R, D] view of `v` with the dimensions [axis, rank) folded into D (the
/// row kernels' operands), and a kernel's [R, D] result `rows` back in
/// `type`, the shape of `input`.
Value asRows(ImplicitLocOpBuilder &b, Value v, int64_t axis);
Value fromRows(ImplicitLocOpBuilder &b, Value rows, Value input, int64_t axis,
               RankedTensorType type);

/// An [R, D] f32 result (`rows` = R, `width` = D) computed row by row:
/// `row` gets the row's index in the result, its index `i` in the current
/// tile and the tile, and returns the tile with row `i` written. The rows
/// run in chunks of `rowsPerChunk`, the chunks as an scf.forall (the CPU
/// pipeline runs them on its threads).
Value forEachRow(
    ImplicitLocOpBuilder &b, Value rows, OpFoldResult width,
    int64_t rowsPerChunk,
    function_ref<Value(ImplicitLocOpBuilder &, Value row, Value i, Value tile)>
        row);

/// a > b ? a : b, which x86 computes in one vmaxps (its operand order): a
/// NaN in a row is passed over by the row's max, and still makes the row
/// NaN through exp(NaN - max) in the sum. arith.maximumf, which propagates
/// it, costs a compare and blend per vector and a long tail per row.
Value greater(ImplicitLocOpBuilder &b, Value a, Value bv);
/// The greatest lane of the vector `v` by `greater`, over halves of the
/// vector down to one lane.
Value greatestLane(ImplicitLocOpBuilder &b, Value v);

/// Normalizes a possibly negative axis.
inline int64_t normAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

void populateElementwiseLoweringPatterns(RewritePatternSet &patterns);
void populateContractionLoweringPatterns(RewritePatternSet &patterns);
/// Convolutions whose stride is their kernel (ViT's patch embedding) as a
/// GEMM over the patches (preferred to the generic convolution lowering).
void populatePatchConvLoweringPatterns(RewritePatternSet &patterns);
void populateNormalizationLoweringPatterns(RewritePatternSet &patterns);
void populateRowNormKernelPatterns(RewritePatternSet &patterns);
/// f32 softmax and log_softmax over the last dimension as one vector kernel
/// over the rows (RowSoftmaxKernel.cpp).
void populateRowSoftmaxKernelPatterns(RewritePatternSet &patterns);
void populateAttentionLoweringPatterns(RewritePatternSet &patterns);
void populateDataMovementLoweringPatterns(RewritePatternSet &patterns);
void populateShapeLoweringPatterns(RewritePatternSet &patterns);
/// tfc.cumsum as an scf.for over its axis (CumSumLowering.cpp).
void populateCumSumLoweringPatterns(RewritePatternSet &patterns);

} // namespace mlir::tfc

#endif
