// RUN: tfc-opt %s -split-input-file -tfc-raise-norms=remarks=1 -canonicalize -verify-diagnostics | FileCheck %s

// LayerNorm decomposition (Pow 2, Div) with gamma and beta.
// CHECK-LABEL: func @layer_norm
// CHECK: %[[N:.+]] = tfc.layer_norm %arg0, %arg1, %arg2 {axis = 2 : i64, epsilon = 9.99999996E-13 : f32}
// CHECK-NEXT: return %[[N]]
func.func @layer_norm(%x: tensor<2x8x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>) -> tensor<2x8x64xf32> {
  %two = arith.constant dense<2.0> : tensor<f32>
  %eps = arith.constant dense<1.0e-12> : tensor<f32>
  %m = tfc.reduce_mean %x {axes = array<i64: -1>, keepdims} : (tensor<2x8x64xf32>) -> tensor<2x8x1xf32>
  %d = tfc.sub %x, %m : (tensor<2x8x64xf32>, tensor<2x8x1xf32>) -> tensor<2x8x64xf32>
  %sq = tfc.pow %d, %two : (tensor<2x8x64xf32>, tensor<f32>) -> tensor<2x8x64xf32>
  %v = tfc.reduce_mean %sq {axes = array<i64: -1>, keepdims} : (tensor<2x8x64xf32>) -> tensor<2x8x1xf32>
  %ve = tfc.add %v, %eps : (tensor<2x8x1xf32>, tensor<f32>) -> tensor<2x8x1xf32>
  %s = tfc.sqrt %ve : tensor<2x8x1xf32>
  %n = tfc.div %d, %s : (tensor<2x8x64xf32>, tensor<2x8x1xf32>) -> tensor<2x8x64xf32>
  %y = tfc.mul %n, %g : (tensor<2x8x64xf32>, tensor<64xf32>) -> tensor<2x8x64xf32>
  %z = tfc.add %y, %b : (tensor<2x8x64xf32>, tensor<64xf32>) -> tensor<2x8x64xf32>
  return %z : tensor<2x8x64xf32>
}

// -----

// RMSNorm as Llama writes it: x * reciprocal(sqrt(mean(x*x) + eps)), then
// weight * that.
// CHECK-LABEL: func @rms_norm
// CHECK: %[[N:.+]] = tfc.rms_norm %arg0, %arg1 {axis = 2 : i64}
// CHECK-NEXT: return %[[N]]
func.func @rms_norm(%x: tensor<1x8x64xf32>, %g: tensor<64xf32>) -> tensor<1x8x64xf32> {
  %eps = arith.constant dense<1.0e-6> : tensor<f32>
  %sq = tfc.mul %x, %x : (tensor<1x8x64xf32>, tensor<1x8x64xf32>) -> tensor<1x8x64xf32>
  %v = tfc.reduce_mean %sq {axes = array<i64: 2>, keepdims} : (tensor<1x8x64xf32>) -> tensor<1x8x1xf32>
  %ve = tfc.add %eps, %v : (tensor<f32>, tensor<1x8x1xf32>) -> tensor<1x8x1xf32>
  %s = tfc.sqrt %ve : tensor<1x8x1xf32>
  %r = tfc.reciprocal %s : tensor<1x8x1xf32>
  %n = tfc.mul %x, %r : (tensor<1x8x64xf32>, tensor<1x8x1xf32>) -> tensor<1x8x64xf32>
  %y = tfc.mul %g, %n : (tensor<64xf32>, tensor<1x8x64xf32>) -> tensor<1x8x64xf32>
  return %y : tensor<1x8x64xf32>
}

// -----

// Near-miss: a cube instead of a square.
// CHECK-LABEL: func @cube_variance
// CHECK-NOT: tfc.rms_norm
func.func @cube_variance(%x: tensor<1x8x64xf32>) -> tensor<1x8x64xf32> {
  %three = arith.constant dense<3.0> : tensor<f32>
  %eps = arith.constant dense<1.0e-6> : tensor<f32>
  %sq = tfc.pow %x, %three : (tensor<1x8x64xf32>, tensor<f32>) -> tensor<1x8x64xf32>
  %v = tfc.reduce_mean %sq {axes = array<i64: 2>, keepdims} : (tensor<1x8x64xf32>) -> tensor<1x8x1xf32>
  %ve = tfc.add %v, %eps : (tensor<1x8x1xf32>, tensor<f32>) -> tensor<1x8x1xf32>
  %s = tfc.sqrt %ve : tensor<1x8x1xf32>
  // expected-remark @+1 {{tfc-raise-norms: not fused: the variance raises to the power 3.000000, not 2}}
  %n = tfc.div %x, %s : (tensor<1x8x64xf32>, tensor<1x8x1xf32>) -> tensor<1x8x64xf32>
  return %n : tensor<1x8x64xf32>
}

// -----

// Near-miss: statistics over a leading axis.
// CHECK-LABEL: func @leading_axis
// CHECK-NOT: tfc.rms_norm
func.func @leading_axis(%x: tensor<4x64xf32>) -> tensor<4x64xf32> {
  %eps = arith.constant dense<1.0e-6> : tensor<f32>
  %sq = tfc.mul %x, %x : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %v = tfc.reduce_mean %sq {axes = array<i64: 0>, keepdims} : (tensor<4x64xf32>) -> tensor<1x64xf32>
  %ve = tfc.add %v, %eps : (tensor<1x64xf32>, tensor<f32>) -> tensor<1x64xf32>
  %s = tfc.sqrt %ve : tensor<1x64xf32>
  // expected-remark @+1 {{not fused: the variance does not reduce trailing axes with keepdims}}
  %n = tfc.div %x, %s : (tensor<4x64xf32>, tensor<1x64xf32>) -> tensor<4x64xf32>
  return %n : tensor<4x64xf32>
}

// -----

// Near-miss: epsilon is a run-time value.
// CHECK-LABEL: func @dynamic_eps
// CHECK-NOT: tfc.rms_norm
func.func @dynamic_eps(%x: tensor<4x64xf32>, %eps: tensor<f32>) -> tensor<4x64xf32> {
  %sq = tfc.mul %x, %x : (tensor<4x64xf32>, tensor<4x64xf32>) -> tensor<4x64xf32>
  %v = tfc.reduce_mean %sq {axes = array<i64: 1>, keepdims} : (tensor<4x64xf32>) -> tensor<4x1xf32>
  %ve = tfc.add %v, %eps : (tensor<4x1xf32>, tensor<f32>) -> tensor<4x1xf32>
  %s = tfc.sqrt %ve : tensor<4x1xf32>
  // expected-remark @+1 {{not fused: epsilon is not a non-negative scalar constant}}
  %n = tfc.div %x, %s : (tensor<4x64xf32>, tensor<4x1xf32>) -> tensor<4x64xf32>
  return %n : tensor<4x64xf32>
}
