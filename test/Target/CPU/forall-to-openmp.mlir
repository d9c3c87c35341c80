// RUN: tfc-opt %s -split-input-file -tfc-cpu-forall-to-openmp=threads=2 | FileCheck %s
// RUN: tfc-opt %s -split-input-file -tfc-cpu-forall-to-openmp=threads=3 | FileCheck %s --check-prefix=THREE
// RUN: not tfc-opt %s -split-input-file -tfc-cpu-forall-to-openmp=threads=0 2>&1 | FileCheck %s --check-prefix=ZERO
// ZERO: tfc-cpu-forall-to-openmp: threads must be positive

// A 1-D loop of 24 iterations: two ranges [0, 12) and [12, 24), each with
// a counter in its own 128-byte row of a stack buffer at the function's
// entry. Each thread takes from its own counter, then from the other's.
// CHECK: func.func private @omp_get_thread_num() -> i32
// CHECK-LABEL: func @panels
// CHECK: %[[CTR:.*]] = memref.alloca() {alignment = 128 : i64} : memref<2x16xi64>
// CHECK: memref.store %{{.*}}, %[[CTR]][%{{.*}}, %{{.*}}] : memref<2x16xi64>
// CHECK: memref.store %{{.*}}, %[[CTR]][%{{.*}}, %{{.*}}] : memref<2x16xi64>
// CHECK: omp.parallel num_threads(%{{.*}} : i32) {
// CHECK:   %[[TID:.*]] = func.call @omp_get_thread_num() : () -> i32
// CHECK:   scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step
// CHECK:     arith.remui
// CHECK:     scf.while : () -> i64 {
// CHECK:       %[[I:.*]] = memref.atomic_rmw addi %{{.*}}, %[[CTR]][%{{.*}}, %{{.*}}] : (i64, memref<2x16xi64>) -> i64
// CHECK:       %[[MORE:.*]] = arith.cmpi slt, %[[I]]
// CHECK:       scf.condition(%[[MORE]]) %[[I]] : i64
// CHECK:     } do {
// CHECK:       memref.load %{{.*}} : memref<24x4xf32>
// CHECK:       memref.store
// CHECK:   omp.terminator
// CHECK-NOT: scf.forall
// THREE-LABEL: func @panels
// THREE: memref.alloca() {alignment = 128 : i64} : memref<3x16xi64>
func.func @panels(%a: memref<24x4xf32>) {
  %c0 = arith.constant 0 : index
  scf.forall (%j) in (24) {
    %x = memref.load %a[%j, %c0] : memref<24x4xf32>
    %y = arith.addf %x, %x : f32
    memref.store %y, %a[%j, %c0] : memref<24x4xf32>
  }
  return
}

// -----

// Two dimensions with bounds, steps and a dynamic size: the iteration
// number is delinearized into positions (p, q) with q fastest, over
// (ceil(n / 3), 3) iterations; i = 0 + p * 3 and j = 1 + q * 2 for the 3
// values of j in [1, 7) step 2.
// CHECK-LABEL: func @nest
// CHECK: %[[DI:.*]] = arith.ceildivsi %{{.*}}, %c3 : index
// CHECK: %[[COUNT_I:.*]] = arith.maxsi %[[DI]], %{{.*}} : index
// CHECK: %[[DJ:.*]] = arith.ceildivsi %{{.*}}, %c2 : index
// CHECK: %[[COUNT_J:.*]] = arith.maxsi %[[DJ]], %{{.*}} : index
// CHECK: omp.parallel
// CHECK: } do {
// CHECK: ^bb0(%[[N:.*]]: i64):
// CHECK:   %[[NI:.*]] = arith.index_cast %[[N]] : i64 to index
// CHECK:   %[[POS:.*]]:2 = affine.delinearize_index %[[NI]] into (%[[COUNT_I]], %[[COUNT_J]]) : index, index
// CHECK:   %[[IS:.*]] = arith.muli %[[POS]]#0, %c3 : index
// CHECK:   %[[I:.*]] = arith.addi %c0{{.*}}, %[[IS]] : index
// CHECK:   %[[JS:.*]] = arith.muli %[[POS]]#1, %c2 : index
// CHECK:   %[[J:.*]] = arith.addi %c1{{.*}}, %[[JS]] : index
// CHECK:   memref.load %{{.*}}[%[[I]], %[[J]]]
func.func @nest(%a: memref<?x7xf32>, %n: index) {
  scf.forall (%i, %j) = (0, 1) to (%n, 7) step (3, 2) {
    %x = memref.load %a[%i, %j] : memref<?x7xf32>
    %y = arith.addf %x, %x : f32
    memref.store %y, %a[%i, %j] : memref<?x7xf32>
  }
  return
}

// -----

// Left for upstream's lowering: a loop with stack allocations in its body
// and a loop on tensors (shared outputs).
// CHECK-LABEL: func @left
// CHECK-NOT: omp.parallel
// CHECK: scf.forall
// CHECK: memref.alloca
// CHECK: scf.forall
// CHECK: tensor.parallel_insert_slice
func.func @left(%a: memref<8xf32>, %t: tensor<8xf32>) -> tensor<8xf32> {
  scf.forall (%i) in (8) {
    %s = memref.alloca() : memref<1xf32>
    %x = memref.load %a[%i] : memref<8xf32>
    %c0 = arith.constant 0 : index
    memref.store %x, %s[%c0] : memref<1xf32>
  }
  %r = scf.forall (%i) in (8) shared_outs(%o = %t) -> tensor<8xf32> {
    %e = tensor.extract_slice %o[%i] [1] [1] : tensor<8xf32> to tensor<1xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %e into %o[%i] [1] [1] : tensor<1xf32> into tensor<8xf32>
    }
  }
  return %r : tensor<8xf32>
}
