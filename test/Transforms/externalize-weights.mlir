// RUN: tfc-opt %s -tfc-externalize-weights -split-input-file | FileCheck %s

// CHECK-LABEL: func @main
// CHECK-SAME: (%[[X:.+]]: tensor<32xf32>, %[[W:.+]]: tensor<32xf32>) -> tensor<32xf32>
// CHECK-SAME: tfc.weights = [dense_resource<w0> : tensor<32xf32>]
func.func @main(%x: tensor<32xf32>) -> tensor<32xf32> {
  // CHECK-NOT: dense_resource
  // CHECK: arith.addf %[[X]], %[[W]]
  %w = arith.constant dense_resource<w0> : tensor<32xf32>
  %0 = arith.addf %x, %w : tensor<32xf32>
  return %0 : tensor<32xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w0: "0x04000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    }
  }
#-}

// -----

// Small constants stay in the code; private functions are left alone.
// CHECK-LABEL: func @negative_small_constant
// CHECK-NOT: tfc.weights
func.func @negative_small_constant(%x: tensor<2xf32>) -> tensor<2xf32> {
  // CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]>
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = arith.addf %x, %c : tensor<2xf32>
  return %0 : tensor<2xf32>
}
