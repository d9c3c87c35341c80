//===- Passes.td - tfc conversion passes ------------------*- tablegen -*-===//
#ifndef TFC_CONVERSION_PASSES
#define TFC_CONVERSION_PASSES

include "mlir/Pass/PassBase.td"

def ConvertTFCToLinalgPass : Pass<"convert-tfc-to-linalg", "func::FuncOp"> {
  let summary = "Lower tfc ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every tfc op into upstream ops on tensors: elementwise ops into
    one `linalg.generic` over the numpy broadcast of their operands,
    contractions (matmul, linear, einsum, conv) into `linalg.generic` with
    reduction iterators, reductions likewise, data movement into
    `linalg.transpose`, `tensor.insert_slice`/`extract_slice`, `tensor.reshape`
    and index-computing generics. softmax and the norms are first
    expanded into the tfc reductions and elementwise ops they are made of.
    Attention becomes a flash-style kernel: scf loops over batch, head and
    query tiles around a key-tile loop with an online softmax, so the
    Sq x Sk scores are never materialized, and causal attention skips the key
    tiles past the diagonal.

    Precondition: ops verify. Postcondition: no tfc op is left; an op that
    cannot be lowered (for example grouped-query attention with dynamic head
    counts) is reported with an error naming it and the pass fails.
    Where a dynamic size that is 1 at run time would have to broadcast, a
    `cf.assert` stops the program instead of computing a wrong result.
    A gather by run-time indices reads clamped indices (0 where the axis,
    of a run-time size, is empty) and reports any index outside
    [-size, size), and an integer division by a run-time divisor divides by
    1 where the divisor is 0 (and computes x / -1 as -x, so that INT_MIN / -1
    wraps instead of trapping) and reports the zero, through a status
    argument `memref<2xi64> {tfc.run_status}` that the pass appends to the
    function (after its inputs), with one message per check in the function
    attribute `tfc.run_checks`; the model runtime passes the status in and
    fails the run with that message (see tfc-c/ModelABI.h).

    Example:
    ```mlir
    %r = tfc.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    // becomes
    %e = tensor.empty() : tensor<2x3xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
           affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], ...}
           ins(%a, %b : ...) outs(%e : tensor<2x3xf32>) { arith.addf ... }
    ```
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::cf::ControlFlowDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

#endif // TFC_CONVERSION_PASSES
