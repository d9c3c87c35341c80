// With threads=2 the contraction tiles become an OpenMP parallel region on
// two threads that share the tiles by work stealing (an atomic counter per
// thread, tfc-cpu-forall-to-openmp); everything else is lowered as usual. Each kernel (the zero fill,
// the tiled contraction) is its own noinline function that @main calls
// (tfc-cpu-outline-kernels).
// RUN: tfc-opt %s --tfc-lower-to-cpu=threads=2 | FileCheck %s

// CHECK-LABEL: llvm.func @tfc_kernel_0
// CHECK-SAME: passthrough = ["noinline"]
// CHECK-LABEL: llvm.func @tfc_kernel_1
// CHECK: omp.parallel num_threads
// CHECK: llvm.call @omp_get_thread_num()
// CHECK: llvm.atomicrmw add
// CHECK-NOT: omp.wsloop
// CHECK-LABEL: llvm.func @main
// CHECK: llvm.call @tfc_kernel_0
// CHECK: llvm.call @tfc_kernel_1
// CHECK-NOT: tfc.
// CHECK-NOT: scf.
func.func @main(%x: tensor<64x48xf32>, %w: tensor<96x48xf32>) -> tensor<64x96xf32> attributes {llvm.emit_c_interface} {
  %y = tfc.linear %x, %w : (tensor<64x48xf32>, tensor<96x48xf32>) -> tensor<64x96xf32>
  return %y : tensor<64x96xf32>
}
