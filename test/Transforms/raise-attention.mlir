// RUN: tfc-opt %s -split-input-file -tfc-raise-attention=remarks=1 -canonicalize -verify-diagnostics | FileCheck %s

// Scale on the scores (div), additive padding mask, head split/merge folded.
// CHECK-LABEL: func @bert_style
// CHECK-NOT: tfc.transpose
// CHECK: %[[A:.+]] = tfc.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {num_heads = 4 : i64, scale = 2.500000e-01 : f32} : (tensor<2x8x64xf32>, tensor<2x8x64xf32>, tensor<2x8x64xf32>, tensor<2x1x1x8xf32>) -> tensor<2x8x64xf32>
// CHECK-NOT: tfc.softmax
// CHECK: return %[[A]]
func.func @bert_style(%q: tensor<2x8x64xf32>, %k: tensor<2x8x64xf32>, %v: tensor<2x8x64xf32>, %m: tensor<2x1x1x8xf32>) -> tensor<2x8x64xf32> {
  %split = arith.constant dense<[2, 8, 4, 16]> : tensor<4xi64>
  %merge = arith.constant dense<[0, 0, 64]> : tensor<3xi64>
  %c4 = arith.constant dense<4.0> : tensor<f32>
  %q1 = tfc.reshape %q, %split : (tensor<2x8x64xf32>, tensor<4xi64>) -> tensor<2x8x4x16xf32>
  %q2 = tfc.transpose %q1 {permutation = array<i64: 0, 2, 1, 3>} : (tensor<2x8x4x16xf32>) -> tensor<2x4x8x16xf32>
  %k1 = tfc.reshape %k, %split : (tensor<2x8x64xf32>, tensor<4xi64>) -> tensor<2x8x4x16xf32>
  %kt = tfc.transpose %k1 {permutation = array<i64: 0, 2, 3, 1>} : (tensor<2x8x4x16xf32>) -> tensor<2x4x16x8xf32>
  %v1 = tfc.reshape %v, %split : (tensor<2x8x64xf32>, tensor<4xi64>) -> tensor<2x8x4x16xf32>
  %v2 = tfc.transpose %v1 {permutation = array<i64: 0, 2, 1, 3>} : (tensor<2x8x4x16xf32>) -> tensor<2x4x8x16xf32>
  %s = tfc.matmul %q2, %kt : (tensor<2x4x8x16xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x8x8xf32>
  %d = tfc.div %s, %c4 : (tensor<2x4x8x8xf32>, tensor<f32>) -> tensor<2x4x8x8xf32>
  %a = tfc.add %d, %m : (tensor<2x4x8x8xf32>, tensor<2x1x1x8xf32>) -> tensor<2x4x8x8xf32>
  %p = tfc.softmax %a {axis = 3 : i64} : tensor<2x4x8x8xf32>
  %o = tfc.matmul %p, %v2 : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
  %o1 = tfc.transpose %o {permutation = array<i64: 0, 2, 1, 3>} : (tensor<2x4x8x16xf32>) -> tensor<2x8x4x16xf32>
  %o2 = tfc.reshape %o1, %merge : (tensor<2x8x4x16xf32>, tensor<3xi64>) -> tensor<2x8x64xf32>
  return %o2 : tensor<2x8x64xf32>
}

// -----

// Scale split over Q and K (torch's SDPA export), the mask added before a
// second scale (it is scaled along), K given already transposed.
// CHECK-LABEL: func @scale_on_q_and_k
// CHECK-DAG: %[[HALF:.+]] = arith.constant dense<5.000000e-01> : tensor<f32>
// CHECK: %[[M:.+]] = tfc.mul %{{.*}}, %[[HALF]]
// CHECK: tfc.attention %arg0, %arg1, %arg2, %[[M]] {scale = 1.250000e-01 : f32}
func.func @scale_on_q_and_k(%q: tensor<1x2x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %m: tensor<8x8xf32>) -> tensor<1x2x8x16xf32> {
  %c = arith.constant dense<0.5> : tensor<f32>
  %qs = tfc.mul %q, %c : (tensor<1x2x8x16xf32>, tensor<f32>) -> tensor<1x2x8x16xf32>
  %kt = tfc.transpose %k {permutation = array<i64: 0, 1, 3, 2>} : (tensor<1x2x8x16xf32>) -> tensor<1x2x16x8xf32>
  %ks = tfc.mul %kt, %c : (tensor<1x2x16x8xf32>, tensor<f32>) -> tensor<1x2x16x8xf32>
  %s = tfc.matmul %qs, %ks : (tensor<1x2x8x16xf32>, tensor<1x2x16x8xf32>) -> tensor<1x2x8x8xf32>
  %a = tfc.add %s, %m : (tensor<1x2x8x8xf32>, tensor<8x8xf32>) -> tensor<1x2x8x8xf32>
  %d = tfc.mul %a, %c : (tensor<1x2x8x8xf32>, tensor<f32>) -> tensor<1x2x8x8xf32>
  %p = tfc.softmax %d {axis = -1 : i64} : tensor<1x2x8x8xf32>
  %o = tfc.matmul %p, %v : (tensor<1x2x8x8xf32>, tensor<1x2x8x16xf32>) -> tensor<1x2x8x16xf32>
  return %o : tensor<1x2x8x16xf32>
}

// -----

// A constant 0/-inf lower-triangular mask becomes `causal`.
// CHECK-LABEL: func @causal_constant_mask
// CHECK: tfc.attention %arg0, %arg1, %arg2 {causal, scale = 1.000000e+00 : f32}
func.func @causal_constant_mask(%q: tensor<1x1x4x8xf32>, %k: tensor<1x1x4x8xf32>, %v: tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32> {
  %m = arith.constant dense<[[0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf32>
  %s = tfc.matmul %q, %k {transpose_rhs} : (tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>) -> tensor<1x1x4x4xf32>
  %a = tfc.add %s, %m : (tensor<1x1x4x4xf32>, tensor<4x4xf32>) -> tensor<1x1x4x4xf32>
  %p = tfc.softmax %a {axis = 3 : i64} : tensor<1x1x4x4xf32>
  %o = tfc.matmul %p, %v : (tensor<1x1x4x4xf32>, tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32>
  return %o : tensor<1x1x4x8xf32>
}

// -----

// where(tril, s, -inf) with a constant condition is causal too; a where with
// any other condition and a -inf fill becomes an additive mask.
// CHECK-LABEL: func @where_masks
// CHECK: %[[W:.+]] = tfc.where %arg3, %{{.*}}, %{{.*}} : (tensor<1x1x1x4xi1>, tensor<f32>, tensor<f32>) -> tensor<1x1x1x4xf32>
// CHECK: tfc.attention %arg0, %arg1, %arg2, %[[W]] {causal, scale = 1.000000e+00 : f32}
func.func @where_masks(%q: tensor<1x1x4x8xf32>, %k: tensor<1x1x4x8xf32>, %v: tensor<1x1x4x8xf32>, %pad: tensor<1x1x1x4xi1>) -> tensor<1x1x4x8xf32> {
  %tril = arith.constant dense<[[true, false, false, false], [true, true, false, false], [true, true, true, false], [true, true, true, true]]> : tensor<4x4xi1>
  %ninf = arith.constant dense<0xFF800000> : tensor<f32>
  %s = tfc.matmul %q, %k {transpose_rhs} : (tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>) -> tensor<1x1x4x4xf32>
  %w = tfc.where %tril, %s, %ninf : (tensor<4x4xi1>, tensor<1x1x4x4xf32>, tensor<f32>) -> tensor<1x1x4x4xf32>
  %w2 = tfc.where %pad, %w, %ninf : (tensor<1x1x1x4xi1>, tensor<1x1x4x4xf32>, tensor<f32>) -> tensor<1x1x4x4xf32>
  %p = tfc.softmax %w2 {axis = 3 : i64} : tensor<1x1x4x4xf32>
  %o = tfc.matmul %p, %v : (tensor<1x1x4x4xf32>, tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32>
  return %o : tensor<1x1x4x8xf32>
}

// -----

// nn.MultiheadAttention's [B*H, S, D] batched products attend with B = 1.
// CHECK-LABEL: func @rank3_bmm
// CHECK: %[[Q:.+]] = tensor.expand_shape %arg0 {{\[\[}}0, 1], [2], [3]]
// CHECK: %[[A:.+]] = tfc.attention %[[Q]], %{{.*}}, %{{.*}} {scale = 2.500000e-01 : f32} : (tensor<1x6x5x16xf32>, tensor<1x6x5x16xf32>, tensor<1x6x5x16xf32>) -> tensor<1x6x5x16xf32>
// CHECK: tensor.collapse_shape %[[A]]
func.func @rank3_bmm(%q: tensor<6x5x16xf32>, %k: tensor<6x5x16xf32>, %v: tensor<6x5x16xf32>) -> tensor<6x5x16xf32> {
  %c = arith.constant dense<4.0> : tensor<f32>
  %qs = tfc.div %q, %c : (tensor<6x5x16xf32>, tensor<f32>) -> tensor<6x5x16xf32>
  %kt = tfc.transpose %k {permutation = array<i64: 0, 2, 1>} : (tensor<6x5x16xf32>) -> tensor<6x16x5xf32>
  %s = tfc.matmul %qs, %kt : (tensor<6x5x16xf32>, tensor<6x16x5xf32>) -> tensor<6x5x5xf32>
  %p = tfc.softmax %s {axis = 2 : i64} : tensor<6x5x5xf32>
  %o = tfc.matmul %p, %v : (tensor<6x5x5xf32>, tensor<6x5x16xf32>) -> tensor<6x5x16xf32>
  return %o : tensor<6x5x16xf32>
}

// -----

// Near-miss: the probabilities are also returned (need_weights).
// CHECK-LABEL: func @probs_used_twice
// CHECK-NOT: tfc.attention
func.func @probs_used_twice(%q: tensor<1x1x4x8xf32>, %k: tensor<1x1x4x8xf32>) -> (tensor<1x1x4x8xf32>, tensor<1x1x4x4xf32>) {
  %s = tfc.matmul %q, %k {transpose_rhs} : (tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>) -> tensor<1x1x4x4xf32>
  // expected-remark @+1 {{tfc-raise-attention: not fused: the softmax result has more than one user}}
  %p = tfc.softmax %s {axis = 3 : i64} : tensor<1x1x4x4xf32>
  %o = tfc.matmul %p, %k : (tensor<1x1x4x4xf32>, tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32>
  return %o, %p : tensor<1x1x4x8xf32>, tensor<1x1x4x4xf32>
}

// -----

// Near-miss: a finite fill that is not a causal pattern.
// CHECK-LABEL: func @finite_where_fill
// CHECK-NOT: tfc.attention
func.func @finite_where_fill(%q: tensor<1x1x4x8xf32>, %k: tensor<1x1x4x8xf32>, %pad: tensor<1x1x1x4xi1>) -> tensor<1x1x4x8xf32> {
  %fill = arith.constant dense<-1.0e4> : tensor<f32>
  %s = tfc.matmul %q, %k {transpose_rhs} : (tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>) -> tensor<1x1x4x4xf32>
  // expected-remark @+1 {{not fused: masked scores are filled with -10000.000000, not -inf}}
  %w = tfc.where %pad, %s, %fill : (tensor<1x1x1x4xi1>, tensor<1x1x4x4xf32>, tensor<f32>) -> tensor<1x1x4x4xf32>
  %p = tfc.softmax %w {axis = 3 : i64} : tensor<1x1x4x4xf32>
  %o = tfc.matmul %p, %k : (tensor<1x1x4x4xf32>, tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32>
  return %o : tensor<1x1x4x8xf32>
}

// -----

// Near-miss: a per-position (non-scalar) scale.
// CHECK-LABEL: func @vector_scale
// CHECK-NOT: tfc.attention
func.func @vector_scale(%q: tensor<1x1x4x8xf32>, %k: tensor<1x1x4x8xf32>, %c: tensor<4xf32>) -> tensor<1x1x4x8xf32> {
  %s = tfc.matmul %q, %k {transpose_rhs} : (tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>) -> tensor<1x1x4x4xf32>
  // expected-remark @+1 {{not fused: the scores come from 'tfc.mul', not from a Q K^T matmul}}
  %d = tfc.mul %s, %c : (tensor<1x1x4x4xf32>, tensor<4xf32>) -> tensor<1x1x4x4xf32>
  %p = tfc.softmax %d {axis = 3 : i64} : tensor<1x1x4x4xf32>
  %o = tfc.matmul %p, %k : (tensor<1x1x4x4xf32>, tensor<1x1x4x8xf32>) -> tensor<1x1x4x8xf32>
  return %o : tensor<1x1x4x8xf32>
}

// -----

// Near-miss: a mask that widens the batch (it does not broadcast to the
// scores, it broadcasts them).
// CHECK-LABEL: func @mask_widens_batch
// CHECK-NOT: tfc.attention
func.func @mask_widens_batch(%q: tensor<1x1x4x8xf32>, %k: tensor<1x1x4x8xf32>, %m: tensor<2x1x1x4xf32>) -> tensor<2x1x4x8xf32> {
  %s = tfc.matmul %q, %k {transpose_rhs} : (tensor<1x1x4x8xf32>, tensor<1x1x4x8xf32>) -> tensor<1x1x4x4xf32>
  %a = tfc.add %s, %m : (tensor<1x1x4x4xf32>, tensor<2x1x1x4xf32>) -> tensor<2x1x4x4xf32>
  // expected-remark @+1 {{not fused: the mask of type tensor<2x1x1x4xf32> does not broadcast to the scores [1x1x4x4]}}
  %p = tfc.softmax %a {axis = 3 : i64} : tensor<2x1x4x4xf32>
  %o = tfc.matmul %p, %k : (tensor<2x1x4x4xf32>, tensor<1x1x4x8xf32>) -> tensor<2x1x4x8xf32>
  return %o : tensor<2x1x4x8xf32>
}
