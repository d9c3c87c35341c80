// RUN: tfc-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @cast_to_same_type
func.func @cast_to_same_type(%a: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK-NOT: tfc.cast
  // CHECK: return %arg0
  %0 = tfc.cast %a : tensor<4xf32> to tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func @negative_cast_changes_type
func.func @negative_cast_changes_type(%a: tensor<4xf32>) -> tensor<4xf16> {
  // CHECK: tfc.cast
  %0 = tfc.cast %a : tensor<4xf32> to tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// CHECK-LABEL: func @identity_transpose
func.func @identity_transpose(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK-NOT: tfc.transpose
  %0 = tfc.transpose %a {permutation = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @negative_real_transpose
func.func @negative_real_transpose(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // CHECK: tfc.transpose
  %0 = tfc.transpose %a {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func @static_shape_folds
func.func @static_shape_folds(%a: tensor<2x3xf32>) -> tensor<2xi64> {
  // CHECK: %[[C:.+]] = arith.constant dense<[2, 3]> : tensor<2xi64>
  // CHECK: return %[[C]]
  %0 = tfc.shape %a {start = 0 : i64, end = 2 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// CHECK-LABEL: func @negative_dynamic_shape
func.func @negative_dynamic_shape(%a: tensor<?x3xf32>) -> tensor<2xi64> {
  // CHECK: tfc.shape
  %0 = tfc.shape %a {start = 0 : i64, end = 2 : i64} : (tensor<?x3xf32>) -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// CHECK-LABEL: func @reshape_to_same_static_type
func.func @reshape_to_same_static_type(%a: tensor<2x3xf32>, %s: tensor<2xi64>) -> tensor<2x3xf32> {
  // CHECK-NOT: tfc.reshape
  %0 = tfc.reshape %a, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @unused_op_is_removed
func.func @unused_op_is_removed(%a: tensor<2x3xf32>) {
  // CHECK-NOT: tfc.exp
  %0 = tfc.exp %a : tensor<2x3xf32>
  return
}
