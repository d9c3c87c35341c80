//===- Passes.td - tfc CPU target passes ------------------*- tablegen -*-===//
#ifndef TFC_TARGET_CPU_PASSES
#define TFC_TARGET_CPU_PASSES

include "mlir/Pass/PassBase.td"

def ApproximateMathPass : Pass<"tfc-cpu-approximate-math"> {
  let summary = "Inline f32 polynomial approximations of exp, erf and tanh";
  let description = [{
    Rewrites f32 (scalar or vector) `math.exp` and `math.tanh` into upstream
    MLIR's polynomial approximations, and `math.erf` into tfc's rational
    approximation (one interval, 10 FMAs and a division: half the ops of
    upstream's three intervals). All are plain arith ops, so that
    LLVM vectorizes the loops around them instead of calling libm once per
    element (GELU, softmax, attention). The approximations handle the
    special values (exp(-inf) = 0, overflow to +inf, NaN in, NaN out);
    `test/Target/CPU/approximate-math.test` measures their error against
    float64 references (a few float ulp, same order as libm's).
    Other types and functions are left to the libm lowering. The
    polynomials' `math.fma` ops become `llvm.intr.fma` here (the libm
    lowering would make each an `fmaf` call and block vectorization).

    Example:
    ```mlir
    %y = math.erf %x : f32
    // becomes %x clamped to [-3.92, 3.92], %x * P(%x^2) / Q(%x^2), and the
    // result clamped to [-1, 1]
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::vector::VectorDialect"];
}

def GemmMicrokernelsPass : Pass<"tfc-cpu-gemm-microkernels", "func::FuncOp"> {
  let summary = "Register-blocked vector GEMM kernels (weights packed at compile time, run-time operands read in place)";
  let description = [{
    Rewrites each f32 contraction `C[b..., m, n] += A[.., m, k] * W` whose
    body is exactly `c + a * b` into a microkernel, where `W` is either

    * a constant, `[N, K]` (a lowered `tfc.linear`) or `[K, N]` (a lowered
      `tfc.matmul` by a constant): it is repacked at compile time into
      column panels `[ceil(N/cols), K, cols]`, zero-padded, so that the
      kernel reads one contiguous vector of `cols` weights per k step (one
      packed constant per weight, shared by every GEMM that uses it); or
    * a tensor computed at run time (the attention kernel's tile products,
      or attention's Q K^T and P V written as plain matmuls), `[.., K, N]`,
      or `[.., N, K]` transposed into that once by a `linalg.transpose`: the
      kernel reads `cols` floats of its row k in place, panel by panel
      (masked at a ragged edge; a ragged last panel of at most `cols`/2
      columns runs on vectors of `cols`/2 lanes, half the FMAs, when that
      is a multiple of 8). A top-level kernel of at least 4 row blocks first
      copies a panel whose rows, N apart, crowd a few L2 sets (known at
      compile time: N a multiple of 16 with a large power-of-two factor,
      e.g. 2048, and K large enough).

    The leading dimensions of `A` and of a run-time `W` each read one batch
    dimension of `C` in order, or index 0 (a size-1 dimension that
    broadcasts), or are absent (an operand of lower rank); the kernel cuts
    each operand's matrix per batch index. Contractions with a static size
    of 0 are left alone.

    With a constant weight the leading m dimensions are collapsed into one
    row dimension (`tensor.collapse_shape` before, `tensor.expand_shape`
    after): the weight is the same for every leading index, and a
    sequence-first `[S, 1, K]` input becomes one GEMM of S rows rather than
    S kernels of one row (with two dynamic leading sizes the result is
    expanded back by a `tensor.reshape`: LLVM 22's expand-strided-metadata
    crashes on such an expand_shape). A run-time weight keeps the leading
    dimensions but the last as loop dimensions.
    For every panel (and every index of those loop dimensions: one
    `scf.forall` for top-level contractions, which the pipeline makes an
    OpenMP loop with threads; a sequential `scf.for` nest inside other
    loops), k runs in slices of `kc`, and blocks of `rows` rows of `A`
    keep `rows` accumulator vectors of `cols` floats in registers through
    the slice: per k step one weight vector load, `rows` broadcasts of
    `A[m, k]` and `rows` vector FMAs. A static row count is split into
    the fewest blocks, of sizes within one of each other (128 rows by 6:
    18 x 6 + 4 x 5, not 21 x 6 + 2); a dynamic one runs blocks of `rows`,
    then of rows/2, rows/4, ... 1. A row of `cols` floats is held as
    vectors of the largest power of two dividing `cols` (one vector when
    `cols` is a power of two; 24 as three of 8): LLVM widens other vector
    lengths and scalarizes the kernel. With a packed weight each k step also prefetches into
    L2 (`memref.prefetch`, locality 1) weights of the next slice, so that
    it streams in from memory while the rows reuse this one: the row blocks
    share the next slice in order, each walking through its part as its k
    steps go (a steady stream, not each block asking for all of it).

    Fusion: when K is static and `C` is a `linalg.fill` or the broadcast
    of a `[N]` bias over the rows, the first slice starts its accumulators
    from that scalar or bias row, and the fill or broadcast disappears (also
    for the attention's zero-filled q k^T tiles). For constant weights and
    top-level kernels by a run-time weight, a chain of elementwise
    `linalg.generic`s after the GEMM
    (each the only user of the value before it; bodies of elementwise
    arith and math ops; other inputs of the output's shape, such as a
    residual, `[N]` rows or rank-0 scalars) runs on the accumulator vectors
    after the last slice, before they are stored: GELU, a residual add or a
    scale cost no pass over the output. Otherwise the accumulators start
    from `C`.

    Strassen (option `strassen`, off by default): a top-level f32 GEMM by
    a constant weight with a static row count M of at least 4 `rows` - 1
    (an odd M runs as M + 1, as if A had a zero row more, the output's
    row past M not written), an even K of at least 128 and N/2 a multiple
    of `cols` runs one level
    of Strassen's algorithm (GemmStrassen.cpp): the weight's seven
    half-size sums are packed at compile time into one constant
    `[7 * N/2/cols, K/2, cols]` (panel 7p + i is panel p of product i), A's
    seven half-size operands come from one `linalg.generic` over its
    quarters (and one over its middle row for an odd M), and an `scf.forall` over the panels of N/2 runs, per panel,
    an `scf.for` over the products (the operand picked by an
    `scf.index_switch`) with the usual row blocks in one k slice, adding
    each block's accumulators into the output blocks the product
    contributes to (partial sums in a `[4, M/2, cols]` scratch; a block's
    first contribution adds the init, its last one applies the epilogue
    and writes the output, viewed as `[M, 2, N/2]`).

    Tied tables: a constant `[N, K]` f32 table read only by
    `tensor.extract` (a lowered Gather) whose elements equal, bit for bit,
    those of a weight packed into f32 panels (a language model's token
    table and its tied LM head, which torch exports as a second,
    transposed initializer) reads `T[j, k]` as `P[j / cols, k, j % cols]`
    and is dropped: the model stores the table once (TiedTables.cpp).

    Precondition: linalg on tensors before weight externalization (weights
    are still `arith.constant`s). Other contractions (f16, a transposed
    `A`, other bodies) are left for `tfc-cpu-tile-contractions`. Defaults: 8 rows x 32 columns (16 zmm
    accumulators on AVX-512); tools pick 6 x 16 (k slices of 768) when the host lacks AVX-512.

    Example:
    ```mlir
    %w = arith.constant dense_resource<w> : tensor<768x768xf32>
    %y = linalg.generic {indexing_maps = [(d0, d1, d2) -> (d0, d2),
                                          (d0, d1, d2) -> (d1, d2),
                                          (d0, d1, d2) -> (d0, d1)], ...}
        ins(%x, %w : tensor<?x768xf32>, tensor<768x768xf32>) ...
    // becomes
    %p = arith.constant dense_resource<packed> : tensor<24x768x32xf32>
    %y = scf.forall (%j) in (24) shared_outs(%c = %init) ... {
      scf.for %i = ... step %c8 {
        %acc = scf.for %k ... iter_args(%c0 = ..., ... %c7 = ...)
            -> (vector<32xf32>, ...) {
          %b = vector.transfer_read %p[%j, %k, %c0] ...
          %a = tensor.extract %x[%i, %k]
          %ab = vector.broadcast %a : f32 to vector<32xf32>
          %n0 = vector.fma %ab, %b, %c0 : vector<32xf32>
          ...
    ```
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::x86vector::X86VectorDialect"];
  let options = [
    Option<"rows", "rows", "int64_t", "8", "Rows of A per register block">,
    Option<"bf16", "bf16", "bool", "false",
           "Constant-weight GEMMs multiply in bf16 (AVX512-BF16 dot products of k pairs, f32 accumulation); needs cols % 16 == 0 and an even K, else f32">,
    Option<"cols", "cols", "int64_t", "32", "Output columns per register block (the vector length)">,
    Option<"kc", "kc", "int64_t", "256", "Reduction slice per pass over the rows (kc x cols weights of the panel stay in L1 or L2; the pipelines pick it per host)">,
    Option<"strassen", "strassen", "bool", "false",
           "GEMMs by a constant weight with a static row count run one level of Strassen's algorithm (7 half-size products instead of 8, the weight's seven half-size sums packed at compile time: 1.75 times the weight's bytes)">,
    Option<"releaseWeights", "release-weights", "bool", "false",
           "Free a weight's bytes once it is packed and no op of the function refers to it (its dense_resource blob becomes empty). Only where nothing outside the function refers to its weights (the compile drivers set it for a module they own)">
  ];
}

def AssertsToRuntimePass : Pass<"tfc-cpu-asserts-to-runtime", "ModuleOp"> {
  let summary = "Failed cf.assert ops report through the runtime instead of aborting";
  let description = [{
    Each `cf.assert` (run-time relations between dynamic sizes, such as two
    sizes that must broadcast) becomes a conditional branch to a block that
    calls `tfc_assert_failed(message)` (the message as a private global
    string) and ends in `llvm.unreachable`. The runtime's
    `tfc_assert_failed` returns to the `tfc_model_run` in progress
    (longjmp), which then fails with the message as its error, where
    upstream's lowering would print it and abort the caller's process.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect", "::mlir::cf::ControlFlowDialect"];
}

def OutlineKernelsPass : Pass<"tfc-cpu-outline-kernels", "ModuleOp"> {
  let summary = "Outline each top-level kernel into a function, one per distinct kernel";
  let description = [{
    On bufferized code (memrefs), every top-level loop (`scf.for`,
    `scf.forall`, `scf.parallel`) or linalg op of a function with a body
    becomes a call to a private function that holds it: the values it uses
    from above are the arguments, except constants, which are cloned in.
    Kernels whose functions are the same code (printed alike: same
    argument types, same ops, same constants) share one function, so the
    GEMM, norm and attention kernels of a transformer's identical layers are
    compiled once, not once per layer, and `@main` becomes a short sequence
    of calls. The functions are `noinline` for LLVM. Each is named
    `tfc_kernel_<k>_<node>` after the ONNX node of its first kernel
    (letters, digits and `_`; `tfc_kernel_<k>` without one), so that a
    profile of a compiled model names what each kernel computes, e.g.
    `tfc_kernel_10__blocks_0_ff_ff_0_MatMul` in `perf report`.

    Example:
    ```mlir
    func.func @main(%x: memref<128x768xf32>, %w1: memref<24x768x32xf32>, ...) {
      scf.forall (%j) in (24) { ... %w1 ... }
      scf.forall (%j) in (24) { ... %w2 ... }   // the next layer's copy
    // becomes
    func.func private @tfc_kernel_0(%a: memref<128x768xf32>, %w: memref<24x768x32xf32>, ...)
    func.func @main(...) {
      call @tfc_kernel_0(%x, %w1, ...)
      call @tfc_kernel_0(%y, %w2, ...)
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

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


def ParallelizeElementwisePass
    : Pass<"tfc-cpu-parallelize-elementwise", "func::FuncOp"> {
  let summary = "Split large elementwise linalg.generic ops over threads";
  let description = [{
    Tiles each top-level all-parallel `linalg.generic` (GELU, residual adds,
    casts, mask arithmetic) of at least `min-elements` elements into
    `threads` chunks of one `scf.forall` along its outermost dimension that
    has at least `threads` elements (dynamic dims are not split), which the
    multithreaded CPU pipeline runs as an OpenMP parallel loop. Each chunk
    stays a generic the loop lowering and LLVM vectorize as before.
    Generics inside loops (kernels already split) are left alone.

    Example (threads=2):
    ```mlir
    %g = linalg.generic {iterator_types = ["parallel", "parallel", "parallel"]}
         ... -> tensor<1x128x3072xf32>
    // becomes
    %g = scf.forall (%i) = (0) to (128) step (64) shared_outs(%o = ...) {
      %t = linalg.generic ... -> tensor<1x64x3072xf32>
      scf.forall.in_parallel { tensor.parallel_insert_slice %t into %o ... }
    ```
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::tensor::TensorDialect"];
  let options = [
    Option<"threads", "threads", "int64_t", "2", "Number of chunks (the thread count)">,
    Option<"minElements", "min-elements", "int64_t", "16384",
           "Smaller generics stay on one thread (the fork costs more)">
  ];
}

def ForallToOpenMPPass : Pass<"tfc-cpu-forall-to-openmp", "ModuleOp"> {
  let summary = "Run top-level scf.forall loops on OpenMP threads with work stealing";
  let description = [{
    On bufferized code, each top-level `scf.forall` without shared outputs
    or stack allocations becomes an `omp.parallel` region of `threads`
    threads. The iterations (the loop nest linearized, last dimension
    fastest) are split into `threads` contiguous ranges, one atomic counter
    each in a stack buffer of the function. Thread t takes the iterations of
    range t in order from its counter, then the leftovers of ranges t+1,
    t+2, ... from theirs, so a thread slowed by the host or woken late
    leaves its last iterations to the others instead of making them wait.
    Each iteration costs one atomic add; with `threads` = 1 the loop runs in
    order on the calling thread. Other loops are left for upstream's
    `scf.forall` -> `scf.parallel` -> OpenMP lowering.

    Example (threads=2):
    ```mlir
    scf.forall (%j) in (24) { ... }
    // becomes
    %ctr = memref.alloca() : memref<2x16xi64>   // at the function's entry
    memref.store %c0, %ctr[0, 0]
    memref.store %c12, %ctr[1, 0]
    omp.parallel num_threads(%c2_i32 : i32) {
      %t = func.call @omp_get_thread_num() : () -> i32
      scf.for %k = %c0 to %c2 step %c1 {
        %v = (%t + %k) mod 2, %end = 12 * (%v + 1)
        scf.while : () -> i64 {
          %i = memref.atomic_rmw addi %c1_i64, %ctr[%v, 0]
          scf.condition(%i < %end) %i
        } do { ^bb0(%i: i64):  ... the body at %j = %i ... }
      }
      omp.terminator
    }
    ```
  }];
  let dependentDialects = ["::mlir::omp::OpenMPDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::func::FuncDialect"];
  let options = [
    Option<"threads", "threads", "int64_t", "2", "Number of OpenMP threads">
  ];
}

#endif // TFC_TARGET_CPU_PASSES
