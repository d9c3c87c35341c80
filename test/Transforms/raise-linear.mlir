// RUN: tfc-opt %s -split-input-file -tfc-raise-linear=remarks=1 -canonicalize -verify-diagnostics | FileCheck %s

// matmul by a constant [K, N] weight + bias + gelu: the weight keeps its
// bytes and layout (weight_layout "kn"), no transposed copy.
// CHECK-LABEL: func @bias_gelu
// CHECK: %[[W:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-NOT: arith.constant
// CHECK: %[[Y:.+]] = tfc.linear %arg0, %[[W]], %arg1 {activation = "gelu", weight_layout = "kn"} : (tensor<4x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
// CHECK-NEXT: return %[[Y]]
func.func @bias_gelu(%x: tensor<4x3xf32>, %b: tensor<2xf32>) -> tensor<4x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %m = tfc.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %y = tfc.add %b, %m : (tensor<2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  %g = tfc.gelu %y : tensor<4x2xf32>
  return %g : tensor<4x2xf32>
}

// -----

// transpose_rhs already has the [N, K] layout (the default, not printed);
// x * sigmoid(x) is SiLU.
// CHECK-LABEL: func @silu
// CHECK: tfc.linear %arg0, %{{.*}} {activation = "silu"} : (tensor<1x4x3xf32>, tensor<2x3xf32>) -> tensor<1x4x2xf32>
func.func @silu(%x: tensor<1x4x3xf32>) -> tensor<1x4x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %m = tfc.matmul %x, %w {transpose_rhs} : (tensor<1x4x3xf32>, tensor<2x3xf32>) -> tensor<1x4x2xf32>
  %s = tfc.sigmoid %m : tensor<1x4x2xf32>
  %y = tfc.mul %m, %s : (tensor<1x4x2xf32>, tensor<1x4x2xf32>) -> tensor<1x4x2xf32>
  return %y : tensor<1x4x2xf32>
}

// -----

// Activations times activations (attention's products) are not layers;
// a bias that is not [N] stays a separate add (reported).
// CHECK-LABEL: func @not_layers
// CHECK: tfc.matmul %arg0, %arg1
// CHECK: %[[L:.+]] = tfc.linear %arg0, %{{.*}} {weight_layout = "kn"} : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
// CHECK: tfc.add %[[L]], %{{.*}}
func.func @not_layers(%x: tensor<4x3xf32>, %y: tensor<3x2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<3x2xf32>
  %b = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf32>
  %a = tfc.matmul %x, %y : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %m = tfc.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  // expected-remark @+1 {{tfc-raise-linear: not fused: the added constant is not a rank-1 bias of the output size}}
  %r = tfc.add %m, %b : (tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  return %a, %r : tensor<4x2xf32>, tensor<4x2xf32>
}
