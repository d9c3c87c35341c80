// RUN: tfc-opt %s -tfc-cpu-outline-kernels | FileCheck %s

// Two layers' copies of the same kernel (different buffers, the same code)
// share one function; a kernel with another constant gets its own. The
// constants used inside are cloned into the functions, the buffers are
// arguments, and the functions are noinline for LLVM.
// CHECK-LABEL: func.func private @tfc_kernel_0(%{{.*}}: memref<8xf32>, %{{.*}}: memref<8xf32>)
// CHECK-SAME: passthrough = ["noinline"]
// CHECK-DAG: arith.constant 2.000000e+00 : f32
// CHECK-DAG: arith.constant 8 : index
// CHECK: scf.for
// CHECK: return
// The third kernel comes from an ONNX node (its location's name): the
// function is named after it, its '/' and '.' written as '_'.
// CHECK-LABEL: func.func private @tfc_kernel_1__layer_0_fc_1_Mul(
// CHECK: arith.constant 3.000000e+00 : f32
// CHECK-LABEL: func.func @main
// CHECK: call @tfc_kernel_0(%arg0, %arg1)
// CHECK-NEXT: call @tfc_kernel_0(%arg1, %arg2)
// CHECK-NEXT: call @tfc_kernel_1__layer_0_fc_1_Mul(%arg2, %arg0)
// CHECK-NEXT: return
func.func @main(%a: memref<8xf32>, %b: memref<8xf32>, %c: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %two = arith.constant 2.0 : f32
  %three = arith.constant 3.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %a[%i] : memref<8xf32>
    %y = arith.mulf %x, %two : f32
    memref.store %y, %b[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %b[%i] : memref<8xf32>
    %y = arith.mulf %x, %two : f32
    memref.store %y, %c[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %c[%i] : memref<8xf32>
    %y = arith.mulf %x, %three : f32
    memref.store %y, %a[%i] : memref<8xf32>
  } loc("/layer.0/fc.1/Mul")
  return
}
