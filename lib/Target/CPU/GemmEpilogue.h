//===- GemmEpilogue.h - what a GEMM microkernel fuses around it -*- C++ -*-===//
//
// The GEMM microkernels start their accumulators from a fill or a bias row
// instead of reading a pre-initialised output, and apply the elementwise
// ops that follow a GEMM (activation, residual add) to the register blocks
// after the last k slice instead of in separate passes over the output.
//
//===----------------------------------------------------------------------===//
#ifndef TFC_LIB_TARGET_CPU_GEMMEPILOGUE_H
#define TFC_LIB_TARGET_CPU_GEMMEPILOGUE_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mlir::tfc::cpu {

/// Where a GEMM's accumulators start.
struct GemmInit {
  enum Kind {
    Load,   // read from the output tensor (whatever it holds)
    Scalar, // a linalg.fill of `value`
    Row,    // a broadcast of the [N] tensor `value` over the rows (bias)
  } kind = Load;
  Value value;
  Value dest; // what the fill or broadcast wrote into (for Scalar and Row)
};

/// Classifies the init operand `c` of a GEMM with output [m..., N].
GemmInit matchGemmInit(Value c);

/// An operand of an epilogue stage other than the GEMM's value.
struct EpilogueOperand {
  enum Kind {
    Full,   // the output's full shape
    Row,    // [N], broadcast over the rows
    Scalar, // a rank-0 tensor, broadcast everywhere (a scale)
  };
  Value source;
  Kind kind;
  /// Whether the kernel cuts it like the output.
  bool isFull() const { return kind == Full; }
};

/// A chain of elementwise linalg.generics, each the only user of the one
/// before, starting at the GEMM's result.
struct GemmEpilogue {
  struct Stage {
    linalg::GenericOp op;
    unsigned chained; // the input that is the previous stage's value
  };
  SmallVector<Stage> stages;
  /// Every stage's other inputs, in stage order.
  SmallVector<EpilogueOperand> operands;

  bool empty() const { return stages.empty(); }
};

/// The longest fusible chain after `gemm` (f32 throughout, same shape as the
/// GEMM's result, bodies of elementwise arith/math ops only).
GemmEpilogue matchGemmEpilogue(linalg::GenericOp gemm);

/// Applies the chain to one register vector `acc` of the GEMM's value;
/// `operands[i]` is the vector of `e.operands[i]` at the same place.
Value applyGemmEpilogue(ImplicitLocOpBuilder &b, const GemmEpilogue &e,
                        Value acc, ArrayRef<Value> operands);

} // namespace mlir::tfc::cpu

#endif
