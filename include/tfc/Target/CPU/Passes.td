//===- Passes.td - tfc CPU target passes ------------------*- tablegen -*-===//
#ifndef TFC_TARGET_CPU_PASSES
#define TFC_TARGET_CPU_PASSES

include "mlir/Pass/PassBase.td"

def TileContractionsPass : Pass<"tfc-cpu-tile-contractions", "func::FuncOp"> {
  let summary = "Cache-block linalg contractions for the CPU";
  let description = [{
    Tiles each top-level `linalg.generic` with a reduction and at least two
    parallel loops (the lowered linear, matmul, conv and einsum ops): the
    last two parallel loops get tiles of `rows` x `cols` (32 x 32: on a
    128x768x3072 linear 8x64, 16x64 and 4x128 were within 10%), earlier parallel
    loops tiles of 1, reductions stay whole. Inside a tile the rows reuse a
    block of the right-hand operand from cache, and the innermost reduction
    (summed with reassociation) vectorizes. Generics already inside loops
    (the flash-attention kernel's tiles) are left alone. With `forall` the
    tile loops are one `scf.forall`, which the multithreaded pipeline turns
    into an OpenMP parallel loop.

    Example:
    ```mlir
    %y = linalg.generic {iterator_types = ["parallel", "parallel", "reduction"]} ...
         : tensor<128x3072xf32>
    // becomes
    scf.for %i = %c0 to %c128 step %c8 ... {
      scf.for %j = %c0 to %c3072 step %c64 ... {
        %t = linalg.generic ... : tensor<8x64xf32>
    ```
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::tensor::TensorDialect"];
  let options = [
    Option<"rows", "rows", "int64_t", "32", "Tile size of the second-to-last parallel loop">,
    Option<"cols", "cols", "int64_t", "32", "Tile size of the last parallel loop">,
    Option<"forall", "forall", "bool", "false",
           "Make the tile loops one scf.forall (for multithreading)">
  ];
}

#endif // TFC_TARGET_CPU_PASSES
