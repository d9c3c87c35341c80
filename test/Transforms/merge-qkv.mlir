// RUN: tfc-opt %s -split-input-file -tfc-merge-qkv -canonicalize | FileCheck %s
// RUN: tfc-opt %s -split-input-file -tfc-merge-qkv=release-weights=1 -canonicalize | FileCheck %s
// (The second also frees the merged weights at once: the same IR.)

// Three projections of one input become one GEMM and a split; a missing
// bias is zero-filled.
// CHECK-LABEL: func @qkv
// CHECK-DAG: %[[W:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 1.000000e+00], [2.000000e+00, 2.000000e+00], [3.000000e+00, 3.000000e+00], [4.000000e+00, 4.000000e+00]]> : tensor<4x2xf32>
// CHECK-DAG: %[[B:.+]] = arith.constant dense<[5.000000e-01, 0.000000e+00, 0.000000e+00, 7.000000e+00]> : tensor<4xf32>
// CHECK: %[[L:.+]] = tfc.linear %arg0, %[[W]], %[[B]] : (tensor<3x2xf32>, tensor<4x2xf32>, tensor<4xf32>) -> tensor<3x4xf32>
// CHECK: %[[S:.+]]:3 = tfc.split %[[L]] {axis = 1 : i64, sizes = array<i64: 1, 2, 1>}
// CHECK: return %[[S]]#0, %[[S]]#1, %[[S]]#2
func.func @qkv(%x: tensor<3x2xf32>) -> (tensor<3x1xf32>, tensor<3x2xf32>, tensor<3x1xf32>) {
  %wq = arith.constant dense<[[1.0, 1.0]]> : tensor<1x2xf32>
  %bq = arith.constant dense<[0.5]> : tensor<1xf32>
  %wk = arith.constant dense<[[2.0, 2.0], [3.0, 3.0]]> : tensor<2x2xf32>
  %wv = arith.constant dense<[[4.0, 4.0]]> : tensor<1x2xf32>
  %bv = arith.constant dense<[7.0]> : tensor<1xf32>
  %q = tfc.linear %x, %wq, %bq : (tensor<3x2xf32>, tensor<1x2xf32>, tensor<1xf32>) -> tensor<3x1xf32>
  %k = tfc.linear %x, %wk : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %v = tfc.linear %x, %wv, %bv : (tensor<3x2xf32>, tensor<1x2xf32>, tensor<1xf32>) -> tensor<3x1xf32>
  return %q, %k, %v : tensor<3x1xf32>, tensor<3x2xf32>, tensor<3x1xf32>
}

// -----

// Not merged: run-time weights, an activation, or a single linear.
// CHECK-LABEL: func @no_merge
// CHECK-COUNT-3: tfc.linear
// CHECK-NOT: tfc.split
func.func @no_merge(%x: tensor<3x2xf32>, %w: tensor<1x2xf32>) -> (tensor<3x1xf32>, tensor<3x1xf32>, tensor<3x1xf32>) {
  %c = arith.constant dense<[[1.0, 1.0]]> : tensor<1x2xf32>
  %a = tfc.linear %x, %w : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
  %b = tfc.linear %x, %c {activation = "relu"} : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
  %d = tfc.linear %x, %c : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %a, %b, %d : tensor<3x1xf32>, tensor<3x1xf32>, tensor<3x1xf32>
}

// -----

// Weights stored [K, N] (weight_layout "kn") merge side by side in each of
// the K rows; a linear of the other layout is left alone.
// CHECK-LABEL: func @qkv_kn
// CHECK-DAG: %[[W:.+]] = arith.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00, 4.000000e+00, 7.000000e+00], [2.000000e+00, 5.000000e+00, 6.000000e+00, 8.000000e+00]]> : tensor<2x4xf32>
// CHECK-DAG: %[[B:.+]] = arith.constant dense<[0.000000e+00, 9.000000e+00, 1.000000e+01, 0.000000e+00]> : tensor<4xf32>
// CHECK: %[[L:.+]] = tfc.linear %arg0, %[[W]], %[[B]] {weight_layout = "kn"} : (tensor<3x2xf32>, tensor<2x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
// CHECK: tfc.split %[[L]] {axis = 1 : i64, sizes = array<i64: 1, 2, 1>}
// CHECK: tfc.linear %arg0, %{{.*}} : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
func.func @qkv_kn(%x: tensor<3x2xf32>) -> (tensor<3x1xf32>, tensor<3x2xf32>, tensor<3x1xf32>, tensor<3x1xf32>) {
  %wq = arith.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %wk = arith.constant dense<[[3.0, 4.0], [5.0, 6.0]]> : tensor<2x2xf32>
  %bk = arith.constant dense<[9.0, 10.0]> : tensor<2xf32>
  %wv = arith.constant dense<[[7.0], [8.0]]> : tensor<2x1xf32>
  %wo = arith.constant dense<[[1.5, 2.5]]> : tensor<1x2xf32>
  %q = tfc.linear %x, %wq {weight_layout = "kn"} : (tensor<3x2xf32>, tensor<2x1xf32>) -> tensor<3x1xf32>
  %k = tfc.linear %x, %wk, %bk {weight_layout = "kn"} : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %v = tfc.linear %x, %wv {weight_layout = "kn"} : (tensor<3x2xf32>, tensor<2x1xf32>) -> tensor<3x1xf32>
  %o = tfc.linear %x, %wo : (tensor<3x2xf32>, tensor<1x2xf32>) -> tensor<3x1xf32>
  return %q, %k, %v, %o : tensor<3x1xf32>, tensor<3x2xf32>, tensor<3x1xf32>, tensor<3x1xf32>
}
