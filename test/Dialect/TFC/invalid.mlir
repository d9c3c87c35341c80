// One case per verifier constraint (see dialects/TFC/README.md).
// RUN: tfc-opt %s -split-input-file -verify-diagnostics

// add C1
func.func @add_c1(%a: tensor<2xf32>, %b: tensor<2xi32>) {
  // expected-error @+1 {{C1: operand element types differ}}
  %r = tfc.add %a, %b : (tensor<2xf32>, tensor<2xi32>) -> tensor<2xf32>
  return
}

// -----

// add C2
func.func @add_c2(%a: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{C2: operand shapes do not broadcast}}
  %r = tfc.add %a, %b : (tensor<2xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

// add C3 shape
func.func @add_c3_shape(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{C3: result shape does not match the broadcast shape}}
  %r = tfc.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  return
}

// -----

// less C3 type
func.func @less_c3_type(%a: tensor<2xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{C3: result element type must be 'i1'}}
  %r = tfc.less %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

// and C1
func.func @and_c1(%a: tensor<2xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{C1: operands must have element type i1}}
  %r = tfc.and %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

// not C1
func.func @not_c1(%a: tensor<2xf32>) {
  // expected-error @+1 {{C1: element type must be i1}}
  %r = tfc.not %a : tensor<2xf32>
  return
}

// -----

// gelu C1
func.func @gelu_c1(%a: tensor<2xi32>) {
  // expected-error @+1 {{C1: element type must be a float type}}
  %r = tfc.gelu %a : tensor<2xi32>
  return
}

// -----

// gelu C2
func.func @gelu_c2(%a: tensor<2xf32>) {
  // expected-error @+1 {{C2: approximate must be}}
  %r = tfc.gelu %a {approximate = "fast"} : tensor<2xf32>
  return
}

// -----

// where C1
func.func @where_c1(%c: tensor<2xf32>, %a: tensor<2xf32>) {
  // expected-error @+1 {{C1: condition must have element type i1}}
  %r = tfc.where %c, %a, %a : (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

// where C2
func.func @where_c2(%c: tensor<2xi1>, %a: tensor<2xf32>, %b: tensor<2xf16>) {
  // expected-error @+1 {{C2: on_true, on_false and result element types differ}}
  %r = tfc.where %c, %a, %b : (tensor<2xi1>, tensor<2xf32>, tensor<2xf16>) -> tensor<2xf32>
  return
}

// -----

// where C3
func.func @where_c3(%c: tensor<3xi1>, %a: tensor<2xf32>) {
  // expected-error @+1 {{C3: operand shapes do not broadcast}}
  %r = tfc.where %c, %a, %a : (tensor<3xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

// cast C1
func.func @cast_c1(%a: tensor<2xf32>) {
  // expected-error @+1 {{C1: input and result shapes differ}}
  %r = tfc.cast %a : tensor<2xf32> to tensor<3xi32>
  return
}

// -----

// matmul C1
func.func @matmul_c1(%a: tensor<2xf32>) {
  // expected-error @+1 {{C1: operands must have rank >= 2}}
  %r = tfc.matmul %a, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

// matmul C2
func.func @matmul_c2(%a: tensor<2x2xf32>, %b: tensor<2x2xf16>) {
  // expected-error @+1 {{C2: element types differ}}
  %r = tfc.matmul %a, %b : (tensor<2x2xf32>, tensor<2x2xf16>) -> tensor<2x2xf32>
  return
}

// -----

// matmul C3
func.func @matmul_c3(%a: tensor<2x3xf32>, %b: tensor<4x2xf32>) {
  // expected-error @+1 {{C3: contraction sizes differ}}
  %r = tfc.matmul %a, %b : (tensor<2x3xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  return
}

// -----

// matmul C4
func.func @matmul_c4(%a: tensor<2x2x3xf32>, %b: tensor<3x3x2xf32>) {
  // expected-error @+1 {{C4: batch dimensions do not broadcast}}
  %r = tfc.matmul %a, %b : (tensor<2x2x3xf32>, tensor<3x3x2xf32>) -> tensor<2x2x2xf32>
  return
}

// -----

// matmul C5
func.func @matmul_c5(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{C5: result shape does not match operands}}
  %r = tfc.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x5xf32>
  return
}

// -----

// linear C1
func.func @linear_c1(%x: tensor<2x3xf32>, %w: tensor<3xf32>) {
  // expected-error @+1 {{C1: weight must have rank 2}}
  %r = tfc.linear %x, %w : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

// linear C2
func.func @linear_c2(%x: tensor<2x3xf32>, %w: tensor<4x3xf16>) {
  // expected-error @+1 {{C2: element types differ}}
  %r = tfc.linear %x, %w : (tensor<2x3xf32>, tensor<4x3xf16>) -> tensor<2x4xf32>
  return
}

// -----

// linear C3
func.func @linear_c3(%x: tensor<2x3xf32>, %w: tensor<4x5xf32>) {
  // expected-error @+1 {{C3: input feature size 3 does not match the weight's K size 5}}
  %r = tfc.linear %x, %w : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x4xf32>
  return
}

// -----

// linear C4
func.func @linear_c4(%x: tensor<2x3xf32>, %w: tensor<4x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{C4: bias must be 1-D with the weight's N size}}
  %r = tfc.linear %x, %w, %b : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<5xf32>) -> tensor<2x4xf32>
  return
}

// -----

// linear C5
func.func @linear_c5(%x: tensor<2x3xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{C5: result feature size must be the weight's N size}}
  %r = tfc.linear %x, %w : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x5xf32>
  return
}

// -----

// linear C6
func.func @linear_c6(%x: tensor<2x3xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{C6: unknown activation 'swish'}}
  %r = tfc.linear %x, %w {activation = "swish"} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  return
}

// -----

// linear C3 with the [K, N] layout: K is the weight's first size
func.func @linear_c3_kn(%x: tensor<2x3xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{C3: input feature size 3 does not match the weight's K size 4}}
  %r = tfc.linear %x, %w {weight_layout = "kn"} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

// linear C7
func.func @linear_c7(%x: tensor<2x3xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{C7: unknown weight_layout 'nkk' (nk: [N, K], kn: [K, N])}}
  %r = tfc.linear %x, %w {weight_layout = "nkk"} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  return
}

// -----

// einsum C1
func.func @einsum_c1(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{C1: equation needs an explicit '->' output term}}
  %r = tfc.einsum %a {equation = "ij"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

// einsum C1: a term of other characters (a fuzzed model's 'i,%') would
// index dimensions that do not exist.
func.func @einsum_c1_chars(%a: tensor<2xf32>, %b: tensor<f32>) {
  // expected-error @+1 {{C1: term '%' is not letters with at most one '...'}}
  %r = tfc.einsum %a, %b {equation = "i,%->i"} : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  return
}

// -----

// einsum C2
func.func @einsum_c2(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{C2: term 'ijk' does not fit rank 2}}
  %r = tfc.einsum %a {equation = "ijk->i"} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

// einsum C3
func.func @einsum_c3(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{C3: element types differ}}
  %r = tfc.einsum %a {equation = "ij->i"} : (tensor<2x3xf32>) -> tensor<2xf16>
  return
}

// -----

// conv C1
func.func @conv_c1(%x: tensor<1x3x8xf32>, %w: tensor<4x3x2x2xf32>) {
  // expected-error @+1 {{C1: input and weight need equal rank >= 3}}
  %r = tfc.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 1>, pads = array<i64: 0, 0>} : (tensor<1x3x8xf32>, tensor<4x3x2x2xf32>) -> tensor<1x4x7xf32>
  return
}

// -----

// conv C2
func.func @conv_c2(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x2x2xf32>) {
  // expected-error @+1 {{C2: bad strides, dilations or pads}}
  %r = tfc.conv %x, %w {strides = array<i64: 0, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x2x2xf32>) -> tensor<1x4x7x7xf32>
  return
}

// -----

// conv C3
func.func @conv_c3(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x2x2xf32>) {
  // expected-error @+1 {{C3: group 2 does not fit channels}}
  %r = tfc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, group = 2} : (tensor<1x3x8x8xf32>, tensor<4x3x2x2xf32>) -> tensor<1x4x7x7xf32>
  return
}

// -----

// conv C4
func.func @conv_c4(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x2x2xf16>) {
  // expected-error @+1 {{C4: element types differ}}
  %r = tfc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x2x2xf16>) -> tensor<1x4x7x7xf32>
  return
}

// -----

// softmax C1
func.func @softmax_c1(%a: tensor<2xi32>) {
  // expected-error @+1 {{C1: element type must be a float type}}
  %r = tfc.softmax %a : tensor<2xi32>
  return
}

// -----

// softmax C2
func.func @softmax_c2(%a: tensor<2xf32>) {
  // expected-error @+1 {{C2: axis 1 is out of range for rank 1}}
  %r = tfc.softmax %a {axis = 1 : i64} : tensor<2xf32>
  return
}

// -----

// log_softmax C2
func.func @log_softmax_c2(%a: tensor<2xf32>) {
  // expected-error @+1 {{C2: axis -2 is out of range for rank 1}}
  %r = tfc.log_softmax %a {axis = -2 : i64} : tensor<2xf32>
  return
}

// -----

// layer_norm C1
func.func @layer_norm_c1(%a: tensor<2x4xi32>) {
  // expected-error @+1 {{C1: element type must be float}}
  %r = tfc.layer_norm %a : (tensor<2x4xi32>) -> tensor<2x4xi32>
  return
}

// -----

// layer_norm C2
func.func @layer_norm_c2(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{C2: axis 2 is out of range}}
  %r = tfc.layer_norm %a {axis = 2 : i64} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

// layer_norm C3
func.func @layer_norm_c3(%a: tensor<2x4xf32>, %g: tensor<5xf32>) {
  // expected-error @+1 {{C3: parameter of type 'tensor<5xf32>' does not broadcast}}
  %r = tfc.layer_norm %a, %g : (tensor<2x4xf32>, tensor<5xf32>) -> tensor<2x4xf32>
  return
}

// -----

// layer_norm C4
func.func @layer_norm_c4(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{C4: epsilon must be >= 0}}
  %r = tfc.layer_norm %a {epsilon = -1.0 : f32} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

// layer_norm C5
func.func @layer_norm_c5(%a: tensor<2x4xf32>, %r: tensor<4xf32>) {
  // expected-error @+1 {{C5: residual must have the input's type 'tensor<2x4xf32>'}}
  %y = tfc.layer_norm %a residual(%r) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return
}

// -----

// rms_norm C1
func.func @rms_norm_c1(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{C1: element type must be float and result type equal input type}}
  %r = tfc.rms_norm %a : (tensor<2x4xf32>) -> tensor<2x5xf32>
  return
}

// -----

// rms_norm C2
func.func @rms_norm_c2(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{C2: axis -3 is out of range}}
  %r = tfc.rms_norm %a {axis = -3 : i64} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

// rms_norm C3
func.func @rms_norm_c3(%a: tensor<2x4xf32>, %g: tensor<4xf16>) {
  // expected-error @+1 {{C3: parameter of type}}
  %r = tfc.rms_norm %a, %g : (tensor<2x4xf32>, tensor<4xf16>) -> tensor<2x4xf32>
  return
}

// -----

// rms_norm C4
func.func @rms_norm_c4(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{C4: epsilon must be >= 0}}
  %r = tfc.rms_norm %a {epsilon = -1.0 : f32} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

// attention C1
func.func @attention_c1(%q: tensor<4x8x16xf32>) {
  // expected-error @+1 {{C1: query, key, value need rank 4}}
  %r = tfc.attention %q, %q, %q : (tensor<4x8x16xf32>, tensor<4x8x16xf32>, tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return
}

// -----

// attention C2
func.func @attention_c2(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x32xf32>) {
  // expected-error @+1 {{C2: query/key/value sizes disagree}}
  %r = tfc.attention %q, %k, %k : (tensor<1x4x8x16xf32>, tensor<1x4x8x32xf32>, tensor<1x4x8x32xf32>) -> tensor<1x4x8x32xf32>
  return
}

// -----

// attention C3
func.func @attention_c3(%q: tensor<1x4x8x16xf32>, %k: tensor<1x3x8x16xf32>) {
  // expected-error @+1 {{C3: key/value heads 3 do not divide query heads 4}}
  %r = tfc.attention %q, %k, %k : (tensor<1x4x8x16xf32>, tensor<1x3x8x16xf32>, tensor<1x3x8x16xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

// attention C4
func.func @attention_c4(%q: tensor<1x4x8x16xf32>, %m: tensor<1x1x1x7xf32>) {
  // expected-error @+1 {{C4: mask of type 'tensor<1x1x1x7xf32>' does not broadcast}}
  %r = tfc.attention %q, %q, %q, %m : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x1x1x7xf32>) -> tensor<1x4x8x16xf32>
  return
}

// -----

// attention C5
func.func @attention_c5(%q: tensor<1x4x8x16xf32>) {
  // expected-error @+1 {{C5: result shape must be [B, H, Sq, Dv]}}
  %r = tfc.attention %q, %q, %q : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x9x16xf32>
  return
}

// -----

// attention C5 (packed)
func.func @attention_c5_packed(%q: tensor<1x8x64xf32>) {
  // expected-error @+1 {{C5: result shape must be [B, Sq, H*Dv]}}
  %r = tfc.attention %q, %q, %q {num_heads = 4 : i64} : (tensor<1x8x64xf32>, tensor<1x8x64xf32>, tensor<1x8x64xf32>) -> tensor<1x8x32xf32>
  return
}

// -----

// attention C6
func.func @attention_c6(%q: tensor<1x8x64xf32>) {
  // expected-error @+1 {{C6: num_heads 5 does not split the query/key/value widths 64/64/64}}
  %r = tfc.attention %q, %q, %q {num_heads = 5 : i64} : (tensor<1x8x64xf32>, tensor<1x8x64xf32>, tensor<1x8x64xf32>) -> tensor<1x8x64xf32>
  return
}

// -----

// attention C6 (dynamic width)
func.func @attention_c6_dynamic(%q: tensor<1x8x?xf32>) {
  // expected-error @+1 {{C6: num_heads 4 does not split}}
  %r = tfc.attention %q, %q, %q {num_heads = 4 : i64} : (tensor<1x8x?xf32>, tensor<1x8x?xf32>, tensor<1x8x?xf32>) -> tensor<1x8x?xf32>
  return
}

// -----

// reduce C1
func.func @reduce_c1(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{C1: bad or repeated axis -1}}
  %r = tfc.reduce_sum %a {axes = array<i64: 1, -1>} : (tensor<2x4xf32>) -> tensor<2xf32>
  return
}

// -----

// reduce C2
func.func @reduce_c2(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{C2: result must have element type 'f32' and rank 1}}
  %r = tfc.reduce_max %a {axes = array<i64: 1>} : (tensor<2x4xf32>) -> tensor<2x1xf32>
  return
}

// -----

// transpose C1
func.func @transpose_c1(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{C1: permutation is not a permutation}}
  %r = tfc.transpose %a {permutation = array<i64: 0, 0>} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

// transpose C2
func.func @transpose_c2(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{C2: result type does not match permuted input}}
  %r = tfc.transpose %a {permutation = array<i64: 1, 0>} : (tensor<2x4xf32>) -> tensor<2x4xf32>
  return
}

// -----

// reshape C1
func.func @reshape_c1(%a: tensor<2x4xf32>, %s: tensor<2xi32>) {
  // expected-error @+1 {{C1: shape must be a 1-D i64 tensor of static length}}
  %r = tfc.reshape %a, %s : (tensor<2x4xf32>, tensor<2xi32>) -> tensor<4x2xf32>
  return
}

// -----

// reshape C2
func.func @reshape_c2(%a: tensor<2x4xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{C2: element types differ}}
  %r = tfc.reshape %a, %s : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<4x2xf16>
  return
}

// -----

// reshape C3
func.func @reshape_c3(%a: tensor<2x4xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{C3: element counts differ}}
  %r = tfc.reshape %a, %s : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<4x3xf32>
  return
}

// -----

// expand C1
func.func @expand_c1(%a: tensor<2x1xf32>, %s: tensor<?xi64>) {
  // expected-error @+1 {{C1: shape must be a 1-D i64 tensor of static length}}
  %r = tfc.expand %a, %s : (tensor<2x1xf32>, tensor<?xi64>) -> tensor<2x4xf32>
  return
}

// -----

// expand C2
func.func @expand_c2(%a: tensor<2x1xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{C2: result must have rank 2}}
  %r = tfc.expand %a, %s : (tensor<2x1xf32>, tensor<2xi64>) -> tensor<1x2x4xf32>
  return
}

// -----

// concat C1
func.func @concat_c1(%a: tensor<2xf32>, %b: tensor<2x1xf32>) {
  // expected-error @+1 {{C1: inputs and result need equal rank and element type}}
  %r = tfc.concat %a, %b {axis = 0 : i64} : (tensor<2xf32>, tensor<2x1xf32>) -> tensor<4xf32>
  return
}

// -----

// concat C2
func.func @concat_c2(%a: tensor<2xf32>) {
  // expected-error @+1 {{C2: axis 1 out of range [0, 1)}}
  %r = tfc.concat %a, %a {axis = 1 : i64} : (tensor<2xf32>, tensor<2xf32>) -> tensor<4xf32>
  return
}

// -----

// concat C3
func.func @concat_c3(%a: tensor<2xf32>) {
  // expected-error @+1 {{C3: result size along the axis must be 4}}
  %r = tfc.concat %a, %a {axis = 0 : i64} : (tensor<2xf32>, tensor<2xf32>) -> tensor<5xf32>
  return
}

// -----

// split C1
func.func @split_c1(%a: tensor<6xf32>) {
  // expected-error @+1 {{C1: axis out of range or sizes/results count differ}}
  %r:2 = tfc.split %a {axis = 1 : i64, sizes = array<i64: 2, 4>} : (tensor<6xf32>) -> (tensor<2xf32>, tensor<4xf32>)
  return
}

// -----

// split C2
func.func @split_c2(%a: tensor<6xf32>) {
  // expected-error @+1 {{C2: split sizes sum to 5, input size is 6}}
  %r:2 = tfc.split %a {axis = 0 : i64, sizes = array<i64: 2, 3>} : (tensor<6xf32>) -> (tensor<2xf32>, tensor<3xf32>)
  return
}

// -----

// split C3
func.func @split_c3(%a: tensor<6xf32>) {
  // expected-error @+1 {{C3: result type 'tensor<3xf32>' does not fit its piece}}
  %r:2 = tfc.split %a {axis = 0 : i64, sizes = array<i64: 2, 4>} : (tensor<6xf32>) -> (tensor<2xf32>, tensor<3xf32>)
  return
}

// -----

// slice C1
func.func @slice_c1(%a: tensor<6xf32>, %s: tensor<1xi64>, %t: tensor<2xi64>) {
  // expected-error @+1 {{C1: starts, ends, axes and steps must be 1-D integer tensors}}
  %r = tfc.slice %a, %s, %s, %t, %s : (tensor<6xf32>, tensor<1xi64>, tensor<1xi64>, tensor<2xi64>, tensor<1xi64>) -> tensor<?xf32>
  return
}

// -----

// slice C2
func.func @slice_c2(%a: tensor<6xf32>, %s: tensor<1xi64>) {
  // expected-error @+1 {{C2: result rank and element type must equal input's}}
  %r = tfc.slice %a, %s, %s, %s, %s : (tensor<6xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

// gather C1
func.func @gather_c1(%a: tensor<6xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{C1: axis 1 out of range}}
  %r = tfc.gather %a, %i {axis = 1 : i64} : (tensor<6xf32>, tensor<2xi64>) -> tensor<2xf32>
  return
}

// -----

// gather C2
func.func @gather_c2(%a: tensor<6xf32>, %i: tensor<2xf32>) {
  // expected-error @+1 {{C2: indices must be integers}}
  %r = tfc.gather %a, %i {axis = 0 : i64} : (tensor<6xf32>, tensor<2xf32>) -> tensor<2xf32>
  return
}

// -----

// gather C3
func.func @gather_c3(%a: tensor<6x3xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{C3: result must have rank 2}}
  %r = tfc.gather %a, %i {axis = 0 : i64} : (tensor<6x3xf32>, tensor<2xi64>) -> tensor<2xf32>
  return
}

// -----

// shape C1
func.func @shape_c1(%a: tensor<6x3xf32>) {
  // expected-error @+1 {{C1: need 0 <= start <= end <= rank}}
  %r = tfc.shape %a {start = 1 : i64, end = 3 : i64} : (tensor<6x3xf32>) -> tensor<2xi64>
  return
}

// -----

// shape C2
func.func @shape_c2(%a: tensor<6x3xf32>) {
  // expected-error @+1 {{C2: result must be tensor<2xi64>}}
  %r = tfc.shape %a {start = 0 : i64, end = 2 : i64} : (tensor<6x3xf32>) -> tensor<2xi32>
  return
}

// -----

// constant_of_shape C1
func.func @constant_of_shape_c1(%s: tensor<2xi64>) {
  // expected-error @+1 {{C1: shape length must equal result rank}}
  %r = tfc.constant_of_shape %s {value = 0.0 : f32} : (tensor<2xi64>) -> tensor<?xf32>
  return
}

// -----

// constant_of_shape C2
func.func @constant_of_shape_c2(%s: tensor<2xi64>) {
  // expected-error @+1 {{C2: value type must be the result element type}}
  %r = tfc.constant_of_shape %s {value = 0 : i32} : (tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

// range C1
func.func @range_c1(%a: tensor<1xi64>) {
  // expected-error @+1 {{C1: start, limit and delta must be 0-d tensors}}
  %r = tfc.range %a, %a, %a : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xi64>
  return
}

// -----

// range C2
func.func @range_c2(%a: tensor<i64>) {
  // expected-error @+1 {{C2: result must be 1-D}}
  %r = tfc.range %a, %a, %a : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?x?xi64>
  return
}

// -----

// trilu C1
func.func @trilu_c1(%a: tensor<4xf32>) {
  // expected-error @+1 {{C1: input needs rank >= 2}}
  %r = tfc.trilu %a : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

// trilu C2
func.func @trilu_c2(%a: tensor<4x4xf32>, %k: tensor<i32>) {
  // expected-error @+1 {{C2: k must be a single i64}}
  %r = tfc.trilu %a, %k : (tensor<4x4xf32>, tensor<i32>) -> tensor<4x4xf32>
  return
}

// -----

// cumsum C1
func.func @cumsum_c1(%a: tensor<4xi1>) {
  // expected-error @+1 {{C1: element type 'i1' is neither a float nor an integer of 8 or more bits}}
  %r = tfc.cumsum %a {axis = 0 : i64} : tensor<4xi1>
  return
}

// -----

// cumsum C2
func.func @cumsum_c2(%a: tensor<2x4xf32>) {
  // expected-error @+1 {{C2: axis 2 is outside [0, 2)}}
  %r = tfc.cumsum %a {axis = 2 : i64} : tensor<2x4xf32>
  return
}
