//===- TFCOps.td - tfc dialect operations -----------------*- tablegen -*-===//
//
// Every op lists numbered constraints (C1, C2, ...) in its description; the
// verifier names the constraint it checks and test/Dialect/TFC/invalid.mlir has
// one case per constraint. The same list is in dialects/TFC/README.md.
//
//===----------------------------------------------------------------------===//

#ifndef TFC_OPS_TD
#define TFC_OPS_TD

include "TFC/TFCDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/CommonAttrConstraints.td"

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class TFC_UnaryOp<string mnemonic, string what, list<Trait> traits = []> :
    TFC_Op<mnemonic, !listconcat([Pure, SameOperandsAndResultType], traits)> {
  let summary = "elementwise " # what;
  let description = "Computes " # what # [{ of every element of `input`.
    The result has the input's type.

    Constraints: C1 result type equals input type (checked by the trait).

    Example:
    ```mlir
    %r = tfc.}] # mnemonic # [{ %x : tensor<2x?xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def TFC_NegOp : TFC_UnaryOp<"neg", "the negation">;
def TFC_AbsOp : TFC_UnaryOp<"abs", "the absolute value">;
def TFC_SqrtOp : TFC_UnaryOp<"sqrt", "the square root">;
def TFC_ReciprocalOp : TFC_UnaryOp<"reciprocal", "1/x">;
def TFC_ExpOp : TFC_UnaryOp<"exp", "e^x">;
def TFC_LogOp : TFC_UnaryOp<"log", "the natural logarithm">;
def TFC_TanhOp : TFC_UnaryOp<"tanh", "the hyperbolic tangent">;
def TFC_ErfOp : TFC_UnaryOp<"erf", "the Gauss error function">;
def TFC_SinOp : TFC_UnaryOp<"sin", "the sine (of radians)">;
def TFC_CosOp : TFC_UnaryOp<"cos", "the cosine (of radians)">;
def TFC_ReluOp : TFC_UnaryOp<"relu", "max(x, 0)">;
def TFC_SigmoidOp : TFC_UnaryOp<"sigmoid", "1 / (1 + e^-x)">;
def TFC_NotOp : TFC_UnaryOp<"not", "the logical negation (i1 only)"> {
  let description = [{
    Computes the logical negation of every element of `input`.

    Constraints:
    - C1: the element type is i1.

    Example:
    ```mlir
    %r = tfc.not %mask : tensor<4x4xi1>
    ```
  }];
  let hasVerifier = 1;
}

def TFC_GeluOp : TFC_Op<"gelu", [Pure, SameOperandsAndResultType]> {
  let summary = "Gaussian error linear unit";
  let description = [{
    `x * 0.5 * (1 + erf(x / sqrt(2)))` when `approximate = "none"` (the
    default), or the tanh form `0.5 * x * (1 + tanh(sqrt(2/pi) * (x +
    0.044715 x^3)))` when `approximate = "tanh"`.

    Constraints:
    - C1: the element type is a float type.
    - C2: `approximate` is "none" or "tanh".

    Example:
    ```mlir
    %y = tfc.gelu %x {approximate = "tanh"} : tensor<1x128x3072xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       DefaultValuedStrAttr<StrAttr, "none">:$approximate);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

class TFC_BinaryOp<string mnemonic, string what, list<Trait> traits = []> :
    TFC_Op<mnemonic, !listconcat([Pure], traits)> {
  let summary = "elementwise " # what # " with numpy broadcasting";
  let description = "Computes " # what # [{ of `lhs` and `rhs`, broadcast
    against each other by numpy rules (shapes aligned on the right, a size-1
    dimension stretches).

    Constraints:
    - C1: the operand element types are equal (`pow` allows any exponent type).
    - C2: the operand shapes broadcast: each aligned pair of static sizes is
      equal or one of them is 1.
    - C3: the result rank is the larger operand rank, each static result size
      agrees with the broadcast size, and the element type is the operand
      element type (i1 for comparisons).

    Example:
    ```mlir
    %r = tfc.}] # mnemonic # [{ %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def TFC_AddOp : TFC_BinaryOp<"add", "the sum", [Commutative]>;
def TFC_SubOp : TFC_BinaryOp<"sub", "the difference">;
def TFC_MulOp : TFC_BinaryOp<"mul", "the product", [Commutative]>;
def TFC_DivOp : TFC_BinaryOp<"div", "the quotient (integer division truncates; by 0 it is an error of the run)">;
def TFC_PowOp : TFC_BinaryOp<"pow", "lhs raised to the power rhs">;
def TFC_MaxOp : TFC_BinaryOp<"max", "the maximum", [Commutative]>;
def TFC_MinOp : TFC_BinaryOp<"min", "the minimum", [Commutative]>;
def TFC_EqualOp : TFC_BinaryOp<"equal", "the equality comparison", [Commutative]>;
def TFC_LessOp : TFC_BinaryOp<"less", "the less-than comparison">;
def TFC_GreaterOp : TFC_BinaryOp<"greater", "the greater-than comparison">;
def TFC_AndOp : TFC_BinaryOp<"and", "the logical and (i1)", [Commutative]>;
def TFC_OrOp : TFC_BinaryOp<"or", "the logical or (i1)", [Commutative]>;

def TFC_WhereOp : TFC_Op<"where", [Pure]> {
  let summary = "elementwise select with numpy broadcasting";
  let description = [{
    `result = condition ? on_true : on_false`, all three broadcast together.

    Constraints:
    - C1: `condition` has element type i1.
    - C2: `on_true`, `on_false` and the result have the same element type.
    - C3: the three shapes broadcast and the result shape is the broadcast shape.

    Example:
    ```mlir
    %r = tfc.where %c, %a, %b : (tensor<4x4xi1>, tensor<f32>, tensor<4x4xf32>) -> tensor<4x4xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$condition, AnyRankedTensor:$on_true,
                       AnyRankedTensor:$on_false);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat =
      "$condition `,` $on_true `,` $on_false attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def TFC_CastOp : TFC_Op<"cast", [Pure]> {
  let summary = "elementwise element type conversion";
  let description = [{
    Converts every element to the result element type: floats round to
    nearest even, float to integer truncates toward zero, integer widths
    extend by their signedness (unsigned types `ui8`..`ui64` zero-extend),
    anything to i1 compares with zero.

    Constraints:
    - C1: the input and result shapes are equal.

    Example:
    ```mlir
    %r = tfc.cast %x : tensor<4xf32> to tensor<4xi64>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def TFC_MatmulOp : TFC_Op<"matmul", [Pure]> {
  let summary = "batched matrix product with broadcasting batch dimensions";
  let description = [{
    `result[..., m, n] = sum_k lhs'[..., m, k] * rhs'[..., k, n]` where
    `lhs'` is `lhs` with its last two dimensions swapped if `transpose_lhs`,
    and likewise `rhs'`. Leading (batch) dimensions broadcast by numpy rules.

    Constraints:
    - C1: both operands have rank >= 2.
    - C2: lhs, rhs and result element types are equal.
    - C3: the contraction sizes agree (when static).
    - C4: the batch dimensions broadcast.
    - C5: the result has rank max(lhs rank, rhs rank) and its static sizes
      agree with the batch, m and n sizes.

    Example:
    ```mlir
    %s = tfc.matmul %q, %k {transpose_rhs} : (tensor<1x12x128x64xf32>, tensor<1x12x128x64xf32>) -> tensor<1x12x128x128xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def TFC_LinearOp : TFC_Op<"linear", [Pure]> {
  let summary = "fully connected layer: input * weight^T + bias";
  let description = [{
    `result[..., n] = sum_k input[..., k] * W[n, k] + bias[n]`, the layout
    of torch's `nn.Linear`, where W is `weight` as stored
    (`weight_layout = "nk"`, the default: [N, K]) or its transpose
    (`weight_layout = "kn"`: [K, N], the right-hand operand of ONNX's MatMul
    as the model stores it; raising keeps those bytes where they are rather
    than copying hundreds of megabytes into the other layout). The weight is
    2-D so that it can be packed, quantized (per output channel) or pruned
    (N:M along k) without re-deriving the contraction.

    Constraints:
    - C1: `weight` has rank 2 and `input` has rank >= 1.
    - C2: input, weight, bias and result element types are equal.
    - C3: the last input size equals the weight's K size (when static).
    - C4: `bias`, when present, has rank 1 and the weight's N size.
    - C5: the result has the input's shape with the last size replaced by
      the weight's N size.
    - C6: `activation`, applied to the biased result, is one of "none"
      (the default), "relu", "gelu" (erf form), "gelu_tanh" or "silu"
      (x * sigmoid(x)), and needs a float element type unless "none".
    - C7: `weight_layout` is "nk" (N is the weight's first size, K its
      second) or "kn" (the other way round).

    Example:
    ```mlir
    %y = tfc.linear %x, %w, %b : (tensor<1x128x768xf32>, tensor<3072x768xf32>, tensor<3072xf32>) -> tensor<1x128x3072xf32>
    %g = tfc.linear %x, %w, %b {activation = "gelu"} : (tensor<1x128x768xf32>, tensor<3072x768xf32>, tensor<3072xf32>) -> tensor<1x128x3072xf32>
    %k = tfc.linear %x, %wkn {weight_layout = "kn"} : (tensor<1x128x768xf32>, tensor<768x3072xf32>) -> tensor<1x128x3072xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                       Optional<AnyRankedTensor>:$bias,
                       DefaultValuedStrAttr<StrAttr, "none">:$activation,
                       DefaultValuedStrAttr<StrAttr, "nk">:$weight_layout);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat =
      "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
  let extraClassDeclaration = [{
    /// Whether the weight is stored [K, N] (`weight_layout = "kn"`).
    bool isWeightKN() { return getWeightLayout() == "kn"; }
    /// The weight dimension of the output features (N).
    unsigned getWeightNDim() { return isWeightKN() ? 1 : 0; }
    /// The weight dimension of the reduction (K).
    unsigned getWeightKDim() { return isWeightKN() ? 0 : 1; }
  }];
  let hasVerifier = 1;
}

def TFC_EinsumOp : TFC_Op<"einsum", [Pure]> {
  let summary = "Einstein summation";
  let description = [{
    Evaluates an explicit einsum `equation` ("ij,jk->ik"; "..." for
    broadcast dimensions) over the operands.

    Constraints:
    - C1: the equation has one comma-separated term per operand and an
      explicit `->` output term; every term is letters with at most one
      "...".
    - C2: each term has as many letters as its operand has dimensions (with
      "..." standing for the rest).
    - C3: all operand and result element types are equal.

    Example:
    ```mlir
    %r = tfc.einsum %a, %b {equation = "bij,bjk->bik"} : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, StrAttr:$equation);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def TFC_ConvOp : TFC_Op<"conv", [Pure]> {
  let summary = "N-d convolution in NC[D]HW layout";
  let description = [{
    ONNX `Conv` semantics: `input` [N, C, spatial...], `weight`
    [F, C/group, kernel...], optional `bias` [F]; explicit `pads` (begin
    values for each spatial dimension, then end values), `strides` and
    `dilations`.

    Constraints:
    - C1: input and weight have the same rank, >= 3; bias has rank 1.
    - C2: `strides` and `dilations` have one positive entry per spatial
      dimension and `pads` two non-negative entries per spatial dimension.
    - C3: `group` >= 1 divides the channel count and the filter count, and
      C / group equals weight's second size (when static).
    - C4: the element types are equal.

    Example:
    ```mlir
    %y = tfc.conv %x, %w, %b {strides = array<i64: 16, 16>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 1}
        : (tensor<1x3x224x224xf32>, tensor<768x3x16x16xf32>, tensor<768xf32>) -> tensor<1x768x14x14xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                       Optional<AnyRankedTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat =
      "$input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Transformer ops
//===----------------------------------------------------------------------===//

class TFC_SoftmaxBase<string mnemonic, string what> :
    TFC_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = what # " along one axis";
  let description = "Computes " # what # [{ of `input` along `axis`
    (negative counts from the back), in a numerically stable way (the
    maximum is subtracted first).

    Constraints:
    - C1: the element type is a float type.
    - C2: `axis` is in [-rank, rank).

    Example:
    ```mlir
    %p = tfc.}] # mnemonic # [{ %s {axis = -1 : i64} : tensor<1x12x128x128xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def TFC_SoftmaxOp : TFC_SoftmaxBase<"softmax", "softmax">;
def TFC_LogSoftmaxOp : TFC_SoftmaxBase<"log_softmax", "log(softmax)">;

def TFC_LayerNormOp : TFC_Op<"layer_norm", [Pure, AttrSizedOperandSegments]> {
  let summary = "layer normalization over the trailing dimensions";
  let description = [{
    Normalizes `input` over dimensions [axis, rank): `(x - mean) /
    sqrt(var + epsilon) * scale + bias` with the biased variance. `scale` and
    `bias` are optional and broadcast against the normalized dimensions.
    With `residual`, x is `input + residual` (a residual add and its norm as
    one unit, so that a fused kernel reads both once).

    Constraints:
    - C1: the element type is a float type and the result type equals the
      input type.
    - C2: `axis` is in [-rank, rank).
    - C3: `scale` and `bias`, when present, have the input's element type and
      a shape that broadcasts to the normalized dimensions.
    - C4: `epsilon` >= 0.
    - C5: `residual`, when present, has the input's type.

    Example:
    ```mlir
    %y = tfc.layer_norm %x, %g, %b {axis = -1 : i64, epsilon = 1.0e-5 : f32}
        : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
    %z = tfc.layer_norm %x, %g, %b residual(%r) {axis = -1 : i64}
        : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>, tensor<1x128x768xf32>) -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       Optional<AnyRankedTensor>:$scale,
                       Optional<AnyRankedTensor>:$bias,
                       Optional<AnyRankedTensor>:$residual,
                       DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat =
      "$input (`,` $scale^)? (`,` $bias^)? (`residual` `(` $residual^ `)`)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def TFC_RmsNormOp : TFC_Op<"rms_norm", [Pure]> {
  let summary = "root-mean-square normalization over the trailing dimensions";
  let description = [{
    `x / sqrt(mean(x^2 over [axis, rank)) + epsilon) * scale`.

    Constraints:
    - C1: the element type is a float type and the result type equals the
      input type.
    - C2: `axis` is in [-rank, rank).
    - C3: `scale`, when present, has the input's element type and a shape that
      broadcasts to the normalized dimensions.
    - C4: `epsilon` >= 0.

    Example:
    ```mlir
    %y = tfc.rms_norm %x, %g {epsilon = 1.0e-6 : f32} : (tensor<1x16x512xf32>, tensor<512xf32>) -> tensor<1x16x512xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       Optional<AnyRankedTensor>:$scale,
                       DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$epsilon);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat =
      "$input (`,` $scale^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def TFC_AttentionOp : TFC_Op<"attention", [Pure]> {
  let summary = "multi-head scaled dot-product attention";
  let description = [{
    `softmax(scale * Q K^T + mask [+ causal]) V` per batch and head.
    Layout: `query` [B, H, Sq, D], `key` [B, Hkv, Sk, D], `value`
    [B, Hkv, Sk, Dv], result [B, H, Sq, Dv]. Hkv divides H (grouped-query
    attention shares each key/value head among H/Hkv query heads). The optional
    additive `mask` broadcasts to [B, H, Sq, Sk]. With `causal`, query i
    (aligned to the end of the keys: position i + Sk - Sq) sees keys j <= that
    position. `scale` defaults to 1/sqrt(D).

    With `num_heads` = H the head split and merge are folded into the op
    (the "packed" layout exporters produce before their Reshape/Transpose
    pairs): `query` [B, Sq, H*D], `key` [B, Sk, Hkv*D], `value`
    [B, Sk, Hkv*Dv], result [B, Sq, H*Dv]; head h owns columns
    [h*D, (h+1)*D). D = (H*D)/H, Hkv = (Hkv*D)/D and Dv = (Hkv*Dv)/Hkv.

    Constraints:
    - C1: query, key and value have rank 4 (rank 3 with `num_heads`) and a
      float element type shared by the result (and mask).
    - C2: B and D agree between query and key; B and Sk agree between key and
      value; Hkv is equal for key and value (all when static).
    - C3: Hkv divides H (when static).
    - C4: the mask, when present, has rank <= 4 and broadcasts to
      [B, H, Sq, Sk].
    - C5: the result shape is [B, H, Sq, Dv] ([B, Sq, H*Dv] with
      `num_heads`).
    - C6: with `num_heads`, it is >= 1 and the last sizes of query, key and
      value are static multiples of the head sizes as above.

    Example:
    ```mlir
    %o = tfc.attention %q, %k, %v, %m {causal, scale = 0.125 : f32}
        : (tensor<1x12x128x64xf32>, tensor<1x12x128x64xf32>, tensor<1x12x128x64xf32>, tensor<1x1x1x128xf32>) -> tensor<1x12x128x64xf32>
    %p = tfc.attention %x, %y, %z {num_heads = 12 : i64}
        : (tensor<1x128x768xf32>, tensor<1x128x768xf32>, tensor<1x128x768xf32>) -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$query, AnyRankedTensor:$key,
                       AnyRankedTensor:$value, Optional<AnyRankedTensor>:$mask,
                       OptionalAttr<F32Attr>:$scale, UnitAttr:$causal,
                       OptionalAttr<I64Attr>:$num_heads);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat =
      "$query `,` $key `,` $value (`,` $mask^)? attr-dict `:` functional-type(operands, results)";
  let extraClassDeclaration = [{
    /// Sizes in the [B, H, Sq, Sk, D, Dv, Hkv] sense, whatever the layout
    /// (kDynamic where unknown).
    struct Dims { int64_t b, h, sq, sk, d, dv, hkv; };
    Dims getDims();
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class TFC_ReduceOp<string mnemonic, string what> : TFC_Op<mnemonic, [Pure]> {
  let summary = "reduces with " # what # " over axes";
  let description = "Reduces `input` with " # what # [{ over `axes`
    (negative counts from the back; empty means all axes). With `keepdims`
    the reduced dimensions stay with size 1.

    Constraints:
    - C1: every axis is in [-rank, rank) and no axis repeats.
    - C2: the result element type equals the input element type, and its rank
      is the input rank (keepdims) or the input rank minus the number of axes.

    Example:
    ```mlir
    %m = tfc.}] # mnemonic # [{ %x {axes = array<i64: -1>, keepdims} : (tensor<2x8xf32>) -> tensor<2x1xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$axes,
                       UnitAttr:$keepdims);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def TFC_CumSumOp : TFC_Op<"cumsum", [Pure, SameOperandsAndResultType]> {
  let summary = "cumulative sum along one dimension";
  let description = [{
    `result[..., i, ...]` (i at dimension `axis`) is the sum of
    `input[..., j, ...]` over j <= i; over j < i with `exclusive` (0 at the
    first position); with `reverse` over j >= i (j > i when also
    `exclusive`). ONNX CumSum with a constant axis (position ids computed
    from an attention mask, as RoBERTa's are). Integers wrap.

    Constraints:
    - C1: the result type equals the input type (trait); the element type
      is a float or an integer of 8 or more bits.
    - C2: 0 <= `axis` < the input's rank.

    Example:
    ```mlir
    %p = tfc.cumsum %m {axis = 1 : i64} : tensor<1x128xi64>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis,
                       UnitAttr:$exclusive, UnitAttr:$reverse);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def TFC_ReduceSumOp : TFC_ReduceOp<"reduce_sum", "addition">;
def TFC_ReduceMeanOp : TFC_ReduceOp<"reduce_mean", "the arithmetic mean">;
def TFC_ReduceMaxOp : TFC_ReduceOp<"reduce_max", "the maximum">;
def TFC_ReduceMinOp : TFC_ReduceOp<"reduce_min", "the minimum">;

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

def TFC_TransposeOp : TFC_Op<"transpose", [Pure]> {
  let summary = "permutes dimensions";
  let description = [{
    `result[i_perm[0], ...] = input[i_0, ...]`: result dimension d is input
    dimension `permutation[d]`.

    Constraints:
    - C1: `permutation` is a permutation of [0, rank).
    - C2: result element type equals the input's and each static result size
      equals the permuted input size.

    Example:
    ```mlir
    %t = tfc.transpose %x {permutation = array<i64: 0, 2, 1, 3>} : (tensor<1x128x12x64xf32>) -> tensor<1x12x128x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def TFC_ReshapeOp : TFC_Op<"reshape", [Pure]> {
  let summary = "reshape to a shape given as a tensor (ONNX semantics)";
  let description = [{
    Reinterprets `input` with the dimensions held in the 1-D `shape`: an entry
    0 copies the input size at that position (unless `allowzero`), one entry
    may be -1 and is inferred from the element count.

    Constraints:
    - C1: `shape` is a 1-D i64 tensor of static length equal to the result rank.
    - C2: the result element type equals the input element type.
    - C3: when input and result are fully static their element counts agree.

    Example:
    ```mlir
    %r = tfc.reshape %x, %s : (tensor<1x128x768xf32>, tensor<4xi64>) -> tensor<1x128x12x64xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$shape,
                       UnitAttr:$allowzero);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def TFC_ExpandOp : TFC_Op<"expand", [Pure]> {
  let summary = "broadcast to a shape given as a tensor";
  let description = [{
    Broadcasts `input` by numpy rules against the dimensions in the 1-D
    `shape` (ONNX `Expand`: the result shape is the broadcast of both).

    Constraints:
    - C1: `shape` is a 1-D i64 tensor of static length.
    - C2: the result rank is max(input rank, shape length) and the element
      type equals the input's.

    Example:
    ```mlir
    %r = tfc.expand %x, %s : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$shape);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $shape attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def TFC_ConcatOp : TFC_Op<"concat", [Pure]> {
  let summary = "concatenates along an axis";
  let description = [{
    Joins the inputs along `axis` (non-negative after import).

    Constraints:
    - C1: at least one input; all inputs and the result have the same rank
      and element type.
    - C2: `axis` is in [0, rank).
    - C3: sizes other than `axis` agree where static, and a static result size
      along `axis` equals the sum of static input sizes.

    Example:
    ```mlir
    %r = tfc.concat %a, %b {axis = 0 : i64} : (tensor<1xi64>, tensor<3xi64>) -> tensor<4xi64>
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def TFC_SplitOp : TFC_Op<"split", [Pure]> {
  let summary = "splits along an axis into pieces of given sizes";
  let description = [{
    Result i is the slice [offset_i, offset_i + sizes[i]) of `input` along
    `axis`, where offset_i is the sum of the sizes before it.

    Constraints:
    - C1: `axis` is in [0, rank) and there is one result per entry of `sizes`.
    - C2: sizes are non-negative and sum to the input size along `axis`
      (when static).
    - C3: each result has the input's element type and shape, with sizes[i]
      along `axis`.

    Example:
    ```mlir
    %a, %b = tfc.split %x {axis = 1 : i64, sizes = array<i64: 2, 4>} : (tensor<2x6xf32>) -> (tensor<2x2xf32>, tensor<2x4xf32>)
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis,
                       DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def TFC_SliceOp : TFC_Op<"slice", [Pure]> {
  let summary = "strided slice (ONNX semantics, steps may be negative)";
  let description = [{
    For each position p, along axis `axes[p]`, takes elements
    `starts[p], starts[p] + steps[p], ...` up to but excluding `ends[p]`,
    after ONNX clamping (negative starts/ends count from the back; out of
    range values clamp). Axes not listed are taken whole.

    Constraints:
    - C1: `starts`, `ends`, `axes` and `steps` are 1-D integer tensors of the
      same static length.
    - C2: the result rank and element type equal the input's.

    Example:
    ```mlir
    %r = tfc.slice %x, %starts, %ends, %axes, %steps : (tensor<20x10xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3x10xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$starts,
                       AnyRankedTensor:$ends, AnyRankedTensor:$axes,
                       AnyRankedTensor:$steps);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input `,` $starts `,` $ends `,` $axes `,` $steps attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def TFC_GatherOp : TFC_Op<"gather", [Pure]> {
  let summary = "gathers slices along an axis by index";
  let description = [{
    ONNX `Gather`: `result[i..., j..., k...] = data[i..., indices[j...], k...]`
    with `axis` choosing the indexed dimension of `data`; negative indices
    count from the back. This is also an embedding lookup. An index outside
    [-size, size) is an error of the run (the compiled model reports it
    with the op's location and reads nothing out of bounds).

    Constraints:
    - C1: `axis` is in [0, rank(data)).
    - C2: `indices` has an integer element type.
    - C3: the result rank is rank(data) + rank(indices) - 1 and its element
      type equals data's.

    Example:
    ```mlir
    %e = tfc.gather %table, %ids {axis = 0 : i64} : (tensor<30522x768xf32>, tensor<1x128xi64>) -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$data, AnyRankedTensor:$indices,
                       I64Attr:$axis);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def TFC_ShapeOp : TFC_Op<"shape", [Pure]> {
  let summary = "the dimensions of a tensor as a 1-D i64 tensor";
  let description = [{
    Returns sizes [start, end) of `input` (ONNX `Shape` with its clamping of
    start and end already applied by the importer).

    Constraints:
    - C1: 0 <= start <= end <= rank.
    - C2: the result is tensor<(end - start) x i64>.

    Example:
    ```mlir
    %s = tfc.shape %x {start = 0 : i64, end = 2 : i64} : (tensor<?x?x768xf32>) -> tensor<2xi64>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$start, I64Attr:$end);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def TFC_ConstantOfShapeOp : TFC_Op<"constant_of_shape", [Pure]> {
  let summary = "a tensor of the given shape filled with one value";
  let description = [{
    Constraints:
    - C1: `shape` is a 1-D integer tensor whose static length is the result rank.
    - C2: `value` has the result element type.

    Example:
    ```mlir
    %z = tfc.constant_of_shape %s {value = 0.0 : f32} : (tensor<2xi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$shape, TypedAttrInterface:$value);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$shape attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def TFC_RangeOp : TFC_Op<"range", [Pure]> {
  let summary = "1-D arithmetic sequence";
  let description = [{
    `result[i] = start + i * delta` for i < max(ceil((limit - start) / delta), 0).

    Constraints:
    - C1: start, limit and delta are 0-d tensors with the result's element type.
    - C2: the result is 1-D.

    Example:
    ```mlir
    %r = tfc.range %a, %b, %c : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$start, AnyRankedTensor:$limit,
                       AnyRankedTensor:$delta);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$start `,` $limit `,` $delta attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def TFC_TriluOp : TFC_Op<"trilu", [Pure]> {
  let summary = "keeps the upper or lower triangle of the last two dimensions";
  let description = [{
    With `upper`, keeps elements with column - row >= k and zeroes the rest;
    otherwise keeps column - row <= k. `k` is an optional 0-d i64 tensor
    (default 0).

    Constraints:
    - C1: the input has rank >= 2 and the result type equals the input type.
    - C2: `k`, when present, is a 0-d or 1-element i64 tensor.

    Example:
    ```mlir
    %m = tfc.trilu %x {upper} : (tensor<128x128xf32>) -> tensor<128x128xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, Optional<AnyRankedTensor>:$k,
                       UnitAttr:$upper);
  let results = (outs AnyRankedTensor:$result);
  let assemblyFormat = "$input (`,` $k^)? attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

#endif // TFC_OPS_TD
