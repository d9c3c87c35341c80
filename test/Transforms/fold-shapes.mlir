// RUN: tfc-opt %s -split-input-file -tfc-fold-shapes -canonicalize | FileCheck %s

// Shape -> Gather -> Unsqueeze -> Concat feeding a reshape of the same tensor
// becomes a constant shape (0 copies a size) with a refined result type.
// CHECK-LABEL: func @head_split
// CHECK-DAG: %[[S:.+]] = arith.constant dense<[0, 0, 4, 16]> : tensor<4xi64>
// CHECK-NOT: tfc.shape
// CHECK: %[[R:.+]] = tfc.reshape %arg0, %[[S]] : (tensor<?x?x64xf32>, tensor<4xi64>) -> tensor<?x?x4x16xf32>
// CHECK: %[[C:.+]] = tensor.cast %[[R]] : tensor<?x?x4x16xf32> to tensor<?x?x?x?xf32>
// CHECK: return %[[C]]
func.func @head_split(%x: tensor<?x?x64xf32>) -> tensor<?x?x?x?xf32> {
  %i0 = arith.constant dense<0> : tensor<i64>
  %i1 = arith.constant dense<1> : tensor<i64>
  %c4 = arith.constant dense<4> : tensor<1xi64>
  %c16 = arith.constant dense<16> : tensor<1xi64>
  %s = tfc.shape %x {end = 3 : i64, start = 0 : i64} : (tensor<?x?x64xf32>) -> tensor<3xi64>
  %b = tfc.gather %s, %i0 {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %n = tfc.gather %s, %i1 {axis = 0 : i64} : (tensor<3xi64>, tensor<i64>) -> tensor<i64>
  %b1 = tensor.expand_shape %b [] output_shape [1] : tensor<i64> into tensor<1xi64>
  %n1 = tensor.expand_shape %n [] output_shape [1] : tensor<i64> into tensor<1xi64>
  %shape = tfc.concat %b1, %n1, %c4, %c16 {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<4xi64>
  %r = tfc.reshape %x, %shape : (tensor<?x?x64xf32>, tensor<4xi64>) -> tensor<?x?x?x?xf32>
  return %r : tensor<?x?x?x?xf32>
}

// -----

// Not folded: a size taken from another tensor, or swapped positions.
// CHECK-LABEL: func @other_tensor
// CHECK: tfc.shape
// CHECK: tfc.reshape %arg0, %{{.*}} : (tensor<?x8xf32>, tensor<2xi64>) -> tensor<?x?xf32>
func.func @other_tensor(%x: tensor<?x8xf32>, %y: tensor<?x8xf32>) -> tensor<?x?xf32> {
  %s = tfc.shape %y {end = 2 : i64, start = 0 : i64} : (tensor<?x8xf32>) -> tensor<2xi64>
  %r = tfc.reshape %x, %s : (tensor<?x8xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %r : tensor<?x?xf32>
}

// -----

// Scalar constant arithmetic (sqrt(2 / pi)) is evaluated.
// CHECK-LABEL: func @scalar_constants
// CHECK: %[[K:.+]] = arith.constant dense<0.797884523> : tensor<f32>
// CHECK: return %[[K]]
func.func @scalar_constants() -> tensor<f32> {
  %two = arith.constant dense<2.0> : tensor<f32>
  %pi = arith.constant dense<3.14159274> : tensor<f32>
  %d = tfc.div %two, %pi : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %s = tfc.sqrt %d : tensor<f32>
  return %s : tensor<f32>
}

// -----

// triu(full(-inf), 1): the causal mask becomes a constant.
// CHECK-LABEL: func @constant_trilu
// CHECK: %[[M:.+]] = arith.constant dense<{{\[\[}}0.000000e+00, 0xFF800000, 0xFF800000], [0.000000e+00, 0.000000e+00, 0xFF800000], [0.000000e+00, 0.000000e+00, 0.000000e+00]]> : tensor<3x3xf32>
// CHECK: return %[[M]]
func.func @constant_trilu() -> tensor<3x3xf32> {
  %ninf = arith.constant dense<0xFF800000> : tensor<3x3xf32>
  %k = arith.constant dense<1> : tensor<i64>
  %t = tfc.trilu %ninf, %k {upper} : (tensor<3x3xf32>, tensor<i64>) -> tensor<3x3xf32>
  return %t : tensor<3x3xf32>
}
