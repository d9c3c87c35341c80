// RUN: tfc-opt %s -tfc-fuse-residual-norm | FileCheck %s

// Post-norm: the sum only feeds the norm.
// CHECK-LABEL: func @post_norm
// CHECK-NOT: tfc.add
// CHECK: tfc.layer_norm %arg0, %arg2, %arg3 residual(%arg1) {axis = 2 : i64}
func.func @post_norm(%x: tensor<1x8x64xf32>, %a: tensor<1x8x64xf32>, %g: tensor<64xf32>, %b: tensor<64xf32>) -> tensor<1x8x64xf32> {
  %s = tfc.add %x, %a : (tensor<1x8x64xf32>, tensor<1x8x64xf32>) -> tensor<1x8x64xf32>
  %y = tfc.layer_norm %s, %g, %b {axis = 2 : i64} : (tensor<1x8x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x8x64xf32>
  return %y : tensor<1x8x64xf32>
}

// Pre-norm: the sum is the residual stream too; a broadcasting add is no
// residual.
// CHECK-LABEL: func @not_fused
// CHECK: %[[S:.+]] = tfc.add %arg0, %arg1
// CHECK: tfc.layer_norm %[[S]] {axis = 2 : i64}
// CHECK: %[[B:.+]] = tfc.add %arg0, %arg2
// CHECK: tfc.layer_norm %[[B]] {axis = 2 : i64}
func.func @not_fused(%x: tensor<1x8x64xf32>, %a: tensor<1x8x64xf32>, %c: tensor<64xf32>) -> (tensor<1x8x64xf32>, tensor<1x8x64xf32>, tensor<1x8x64xf32>) {
  %s = tfc.add %x, %a : (tensor<1x8x64xf32>, tensor<1x8x64xf32>) -> tensor<1x8x64xf32>
  %y = tfc.layer_norm %s {axis = 2 : i64} : (tensor<1x8x64xf32>) -> tensor<1x8x64xf32>
  %t = tfc.add %x, %c : (tensor<1x8x64xf32>, tensor<64xf32>) -> tensor<1x8x64xf32>
  %z = tfc.layer_norm %t {axis = 2 : i64} : (tensor<1x8x64xf32>) -> tensor<1x8x64xf32>
  return %y, %s, %z : tensor<1x8x64xf32>, tensor<1x8x64xf32>, tensor<1x8x64xf32>
}
