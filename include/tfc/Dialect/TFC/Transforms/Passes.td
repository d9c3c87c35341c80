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

class TFC_RaisingPass<string name> : Pass<name, "func::FuncOp"> {
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let options = [
    Option<"remarks", "remarks", "bool", "false",
           "Report each near-miss (why a candidate did not fuse) as a remark">
  ];
}

def FoldShapesPass : Pass<"tfc-fold-shapes", "func::FuncOp"> {
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
  let summary = "Fold shape subgraphs and refine reshape result types";
  let description = [{
    Shape inference for the Shape/Gather/Concat/Unsqueeze chains exporters
    emit around Reshape: each element of a reshape's shape operand is
    evaluated symbolically (a constant, or size i of some tensor). When every
    element is a constant or the reshape input's own size at the same
    position, the shape operand becomes a constant (0 = copy that size, ONNX
    semantics; only when `allowzero` is unset) and the result type gets every
    size that is now known. Dead Shape/Gather/Concat ops then go away with
    canonicalization. Constant tfc elementwise ops of at most 16 elements
    (scalars like sqrt(2/pi)) and trilu of a constant (causal masks built
    as triu(full(-inf), 1)) are evaluated.

    Example:
    ```mlir
    %s = tfc.shape %x : (tensor<?x?x64xf32>) -> tensor<3xi64>
    %b = tfc.gather %s, %c0 ...   // size 0 of %x
    %n = tfc.gather %s, %c1 ...   // size 1 of %x
    %shape = tfc.concat %b1, %n1, %c4, %c16 ...
    %r = tfc.reshape %x, %shape : (tensor<?x?x64xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
    // becomes
    %r = tfc.reshape %x, %cst : (tensor<?x?x64xf32>, tensor<4xi64>) -> tensor<?x?x4x16xf32>
    // with %cst = dense<[0, 0, 4, 16]>
    ```
  }];
}

def RaiseAttentionPass : TFC_RaisingPass<"tfc-raise-attention"> {
  let summary = "Raise softmax(scale * Q K^T + mask) V to tfc.attention";
  let description = [{
    Anchors on `tfc.softmax` over the last axis whose only user is a matmul
    by V, walks the scores back to the Q K^T matmul and collects:
    scalar scales (mul/div by a constant) on the scores, on Q or on K;
    additive masks; `where(cond, s, fill)` with fill -inf or <= -1e30 (as an
    additive mask); constant 0/-inf (or <= -1e4) lower-triangular masks and
    `where` with a constant lower-triangular condition become `causal`.
    Rank-3 [B*H, S, D] products (nn.MultiheadAttention) are handled as
    B = 1. When Q, K and V are head splits (Reshape [B, S, H*D] ->
    [B, S, H, D] then Transpose) and the result is merged back the same way,
    the split and merge are folded into the op (`num_heads`).

    Near-misses (with `remarks`): a softmax with other users, a mask added
    before the scale, a non-constant or non-scalar scale, a mask that does
    not broadcast to the scores, a where-fill that is not -inf.

    Example:
    ```mlir
    %s = tfc.matmul %q, %kt ...; %d = tfc.div %s, %c8 ...
    %a = tfc.add %d, %mask ...; %p = tfc.softmax %a {axis = 3}
    %o = tfc.matmul %p, %v ...
    // becomes
    %o = tfc.attention %q, %k, %v, %mask {scale = 0.125 : f32} ...
    ```
  }];
}

def RaiseNormsPass : TFC_RaisingPass<"tfc-raise-norms"> {
  let summary = "Raise decomposed layer norm and RMS norm";
  let description = [{
    `tfc.layer_norm` from ReduceMean/Sub/(Pow 2 | Mul)/ReduceMean/Add eps/
    Sqrt/(Div | Reciprocal+Mul) with optional Mul gamma / Add beta, and
    `tfc.rms_norm` from (Pow 2 | Mul)/ReduceMean/Add eps/Sqrt/(Div |
    Reciprocal+Mul) with an optional Mul gamma. The reductions must cover
    the trailing axes [axis, rank) with keepdims, both means over the same
    axes, and eps a scalar constant.

    Near-misses (with `remarks`): means over different or non-trailing axes,
    a power other than 2, eps not a scalar constant.

    Example:
    ```mlir
    %m = tfc.reduce_mean %x {axes = array<i64: -1>, keepdims = true} ...
    %d = tfc.sub %x, %m ...  ...  %y = tfc.div %d, %sqrt ...
    // becomes
    %y = tfc.layer_norm %x {axis = 2 : i64, epsilon = 1.0e-5 : f32} ...
    ```
  }];
}

def RaiseGeluPass : TFC_RaisingPass<"tfc-raise-gelu"> {
  let summary = "Raise the erf and tanh spellings of GELU to tfc.gelu";
  let description = [{
    Matches `x * 0.5 * (1 + erf(x / sqrt(2)))` (also `x * (1/sqrt(2))`, and the
    0.5 on either factor) and `0.5 * x * (1 + tanh(sqrt(2/pi) * (x +
    0.044715 * x^3)))` with x^3 as `pow(x, 3)` or `x * x * x` and the
    constants as literals or folded expressions, within 1e-4 relative.

    Near-misses (with `remarks`): constants that differ (for example 0.0447
    or sqrt(2/pi) rounded to 0.8).

    Example:
    ```mlir
    %y = tfc.mul %x, %h ...   // the erf form
    // becomes
    %y = tfc.gelu %x : tensor<1x8x256xf32>
    ```
  }];
}

def RaiseLinearPass : TFC_RaisingPass<"tfc-raise-linear"> {
  let summary = "Raise matmul by a constant weight (+ bias, + activation) to tfc.linear";
  let description = [{
    `matmul(x, W)` with a constant 2-D W [K, N] becomes
    `tfc.linear x, W {weight_layout = "kn"}`, and with `transpose_rhs` (W
    [N, K]) a linear of the default layout: the weight keeps its bytes (no
    transposed copy; the CPU packing reads either layout, so nothing is
    transposed at run time either); a following `add` of a constant
    rank-1 [N] bias becomes its bias; a following `tfc.gelu`, `tfc.relu`,
    or `x * sigmoid(x)` (SiLU) becomes its `activation` when the linear
    has no other user.

    Near-misses (with `remarks`): a weight that is not constant, a bias of
    the wrong shape.

    Example:
    ```mlir
    %m = tfc.matmul %x, %w : (tensor<1x8x64xf32>, tensor<64x256xf32>) -> ...
    %y = tfc.add %m, %b : (..., tensor<256xf32>) -> ...
    %g = tfc.gelu %y ...
    // becomes
    %g = tfc.linear %x, %wt, %b {activation = "gelu"} ...
    ```
  }];
}

def MergeQKVPass : TFC_RaisingPass<"tfc-merge-qkv"> {
  let summary = "Merge linears of one input into one GEMM";
  let description = [{
    Two or more `tfc.linear` ops with the same input, constant weights of
    the same element type and no activation (for example the Q, K and V
    projections) become one linear with the weights (and biases) concatenated
    at compile time, followed by a `tfc.split` of the last axis.

    Example:
    ```mlir
    %q = tfc.linear %x, %wq, %bq ...; %k = tfc.linear %x, %wk, %bk ...
    // becomes
    %qkv = tfc.linear %x, %wqkv, %bqkv ...; %q, %k = tfc.split %qkv ...
    ```

    With `release-weights`, the merged weights and biases that nothing else
    reads are erased and their bytes freed at once (else their blobs stay
    in the context until it dies).
  }];
  let options = [
    Option<"remarks", "remarks", "bool", "false",
           "Report each near-miss (why a candidate did not fuse) as a remark">,
    Option<"releaseWeights", "release-weights", "bool", "false",
           "Free the bytes of weights once merged and no op of the function reads them. Only where nothing outside the function refers to its weights (the compile drivers set it for a module they own)">
  ];
}

def FuseResidualNormPass : Pass<"tfc-fuse-residual-norm", "func::FuncOp"> {
  let summary = "Make a residual add and the layer norm of its sum one op";
  let description = [{
    `tfc.layer_norm(add(a, b))` becomes `tfc.layer_norm a residual(b)` when
    the sum has no other user and neither operand broadcasts (post-norm
    blocks such as BERT's `LayerNorm(x + Attention(x))`), so that the
    lowering can read both operands once. Pre-norm blocks reuse the sum as
    the residual stream and keep their add.

    Example:
    ```mlir
    %s = tfc.add %x, %a : (tensor<1x8x64xf32>, tensor<1x8x64xf32>) -> tensor<1x8x64xf32>
    %y = tfc.layer_norm %s, %g, %b ...
    // becomes
    %y = tfc.layer_norm %x, %g, %b residual(%a) ...
    ```
  }];
}

#endif // TFC_DIALECT_TFC_TRANSFORMS_PASSES
