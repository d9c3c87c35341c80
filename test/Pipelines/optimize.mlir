// RUN: tfc-opt %s --tfc-optimize | FileCheck %s

// CHECK-LABEL: func @main
func.func @main(%a: tensor<2x3xf32>) -> tensor<2xi64> {
  // CHECK-NOT: tfc.shape
  // CHECK-NOT: tfc.cast
  // CHECK: arith.constant dense<[2, 3]>
  %0 = tfc.cast %a : tensor<2x3xf32> to tensor<2x3xf32>
  %1 = tfc.shape %0 {start = 0 : i64, end = 2 : i64} : (tensor<2x3xf32>) -> tensor<2xi64>
  return %1 : tensor<2xi64>
}
