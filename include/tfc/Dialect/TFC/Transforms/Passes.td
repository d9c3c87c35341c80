//===- Passes.td - tfc dialect transformation passes ------*- tablegen -*-===//
#ifndef TFC_DIALECT_TFC_TRANSFORMS_PASSES
#define TFC_DIALECT_TFC_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def ExternalizeWeightsPass : Pass<"tfc-externalize-weights", "ModuleOp"> {
  let summary = "Turn weight constants into entry-function arguments";
  let description = [{
    Weights never travel through LLVM IR (compile time must not grow with
    model size): every `arith.constant` of tensor type whose value is a
    `dense_resource` blob, or a dense value of at least `min-bytes` bytes, used
    in a public function becomes a new trailing argument of that function.
    The function gets a `tfc.weights` array attribute listing the constant
    values in argument order, so that a runtime passes each blob (mmap'd
    from the model) at call time.

    Precondition: tensor-level IR (before bufferization). Postcondition: no
    such constants remain in public functions; private functions are left
    alone.

    Example:
    ```mlir
    func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
      %w = arith.constant dense_resource<w0> : tensor<4xf32>
      ...
    // becomes
    func.func @main(%x: tensor<4xf32>, %w: tensor<4xf32>) -> tensor<4xf32>
        attributes {tfc.weights = [dense_resource<w0> : tensor<4xf32>]}
    ```
  }];
  let options = [
    Option<"minBytes", "min-bytes", "int64_t", "64",
           "Dense constants of at least this many bytes become arguments">
  ];
}

#endif // TFC_DIALECT_TFC_TRANSFORMS_PASSES
