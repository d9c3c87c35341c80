// The CPU target phase takes tfc ops all the way to the LLVM dialect.
// RUN: tfc-opt %s --tfc-lower-to-cpu | FileCheck %s

// CHECK-LABEL: llvm.func @main
// CHECK-NOT: tfc.
// CHECK-NOT: linalg.
// CHECK: llvm.func @_mlir_ciface_main
func.func @main(%a: tensor<?x8xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> attributes {llvm.emit_c_interface} {
  %0 = tfc.add %a, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %1 = tfc.softmax %0 : tensor<?x8xf32>
  return %1 : tensor<?x8xf32>
}
