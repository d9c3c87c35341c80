// RUN: tfc-opt %s -split-input-file -tfc-cpu-gemm-microkernels="rows=2 cols=4 strassen=1" -canonicalize -cse | FileCheck %s
// RUN: tfc-opt %s -split-input-file -tfc-cpu-gemm-microkernels="rows=2 cols=4" -canonicalize -cse | FileCheck %s --check-prefix=OFF

// tfc-cpu-gemm-microkernels' strassen option: one level of Strassen's
// algorithm. The weight's seven half-size sums are packed into one
// constant (panel 7p + i: panel p of product i); A's seven operands come
// from one pass over its quarters; per column panel of N/2 a loop over
// the seven products runs the kernel and adds its blocks into the four
// output blocks (partial sums in a [4, M/2, cols] scratch; the bias row
// on a block's first contribution, its last one writes the output).
// check_gemm_kernel.py --strassen checks the numbers.

// CHECK-LABEL: func @strassen_bias
// CHECK-DAG: %[[LAST:.*]] = arith.constant dense<[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]> : tensor<14xindex>
// CHECK-DAG: %[[FIRST:.*]] = arith.constant dense<[1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]> : tensor<14xindex>
// CHECK-DAG: %[[SIGN:.*]] = arith.constant dense<[1, 1, 1, 1, -1, 0, 0, 1, -1, 1, 1, 1, 1, 1]> : tensor<14xindex>
// CHECK-DAG: %[[QUAD:.*]] = arith.constant dense<[0, 2, 1, 0, 0, -1, -1, 3, 3, 3, 2, 1, 3, 0]> : tensor<14xindex>
// CHECK-DAG: %[[W:.*]] = arith.constant dense_resource<{{.*}}> : tensor<14x64x4xf32>
// CHECK-COUNT-7: bufferization.alloc_tensor() : tensor<4x64xf32>
// CHECK: %[[A11:.*]] = tensor.extract_slice %arg0[0, 0] [4, 64] [1, 1]
// CHECK: %[[A12:.*]] = tensor.extract_slice %arg0[0, 64] [4, 64] [1, 1]
// CHECK: %[[A21:.*]] = tensor.extract_slice %arg0[4, 0] [4, 64] [1, 1]
// CHECK: %[[A22:.*]] = tensor.extract_slice %arg0[4, 64] [4, 64] [1, 1]
// CHECK: %[[OPS:.*]]:7 = linalg.generic
// CHECK-SAME: ins(%[[A11]], %[[A12]], %[[A21]], %[[A22]] :
// CHECK: %[[S1:.*]] = arith.addf %[[A11:.*]], %[[A22:.*]] : f32
// CHECK: %[[S2:.*]] = arith.addf %[[A21:.*]], %[[A22]] : f32
// CHECK: %[[S5:.*]] = arith.addf %[[A11]], %[[A12:.*]] : f32
// CHECK: %[[S6:.*]] = arith.subf %[[A21]], %[[A11]] : f32
// CHECK: %[[S7:.*]] = arith.subf %[[A12]], %[[A22]] : f32
// CHECK: linalg.yield %[[S1]], %[[S2]], %[[A11]], %[[A22]], %[[S5]], %[[S6]], %[[S7]]
// CHECK: %[[OUT:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [8, 2, 8]
// CHECK: scf.forall (%[[P:.*]]) in (2) shared_outs(%[[SH:.*]] = %[[OUT]])
// CHECK: %[[PANEL:.*]] = tensor.extract_slice %[[SH]][0, 0, %{{.*}}] [8, 2, 4] [1, 1, 1]
// CHECK: %[[SCRATCH:.*]] = tensor.empty() : tensor<4x4x4xf32>
// CHECK: scf.for %[[I:.*]] = %c0 to %c7 step %c1 iter_args(%{{.*}} = %[[SCRATCH]], %{{.*}} = %[[PANEL]])
// CHECK: scf.index_switch %[[I]] -> tensor<4x64xf32>
// CHECK: scf.yield %[[OPS]]#0
// CHECK: default
// CHECK-NEXT: scf.yield %[[OPS]]#6
// CHECK: vector.transfer_read %[[W]]
// CHECK: vector.fma
// CHECK: tensor.extract %[[SIGN]]
// CHECK: vector.transfer_read %arg1
// CHECK: arith.select
// CHECK: vector.fma
// CHECK: scf.if
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[SH]][0, 0, %{{.*}}] [8, 2, 4] [1, 1, 1]
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<8x2x8xf32> into tensor<8x16xf32>
// OFF-LABEL: func @strassen_bias
// OFF-NOT: scf.index_switch
// OFF: tensor<4x128x4xf32>
func.func @strassen_bias(%x: tensor<8x128xf32>, %bias: tensor<16xf32>) -> tensor<8x16xf32> {
  %w = arith.constant dense<0.5> : tensor<16x128xf32>
  %e = tensor.empty() : tensor<8x16xf32>
  %c = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%bias : tensor<16xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  } -> tensor<8x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<8x128xf32>, tensor<16x128xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}

// -----

// Not for Strassen: rows too few for two register blocks per half, K
// below 128, N/2 not a whole number of panels.
// CHECK-LABEL: func @plain
// CHECK-NOT: scf.index_switch
// CHECK: return
func.func @plain(%x6: tensor<6x128xf32>, %x8: tensor<8x64xf32>, %x: tensor<8x128xf32>) -> (tensor<6x16xf32>, tensor<8x16xf32>, tensor<8x12xf32>) {
  %w = arith.constant dense<0.5> : tensor<16x128xf32>
  %w64 = arith.constant dense<0.5> : tensor<16x64xf32>
  %w12 = arith.constant dense<0.5> : tensor<12x128xf32>
  %zero = arith.constant 0.0 : f32
  %e6 = tensor.empty() : tensor<6x16xf32>
  %c6 = linalg.fill ins(%zero : f32) outs(%e6 : tensor<6x16xf32>) -> tensor<6x16xf32>
  %y6 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x6, %w : tensor<6x128xf32>, tensor<16x128xf32>) outs(%c6 : tensor<6x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<6x16xf32>
  %e8 = tensor.empty() : tensor<8x16xf32>
  %c8 = linalg.fill ins(%zero : f32) outs(%e8 : tensor<8x16xf32>) -> tensor<8x16xf32>
  %y8 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x8, %w64 : tensor<8x64xf32>, tensor<16x64xf32>) outs(%c8 : tensor<8x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  %e12 = tensor.empty() : tensor<8x12xf32>
  %c12 = linalg.fill ins(%zero : f32) outs(%e12 : tensor<8x12xf32>) -> tensor<8x12xf32>
  %y12 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w12 : tensor<8x128xf32>, tensor<12x128xf32>) outs(%c12 : tensor<8x12xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<8x12xf32>
  return %y6, %y8, %y12 : tensor<6x16xf32>, tensor<8x16xf32>, tensor<8x12xf32>
}

// -----

// An odd row count runs as one more: halves of 5 rows, the operands'
// first 4 rows from A's quarters, their last row from A's middle row alone
// (the lower quarters' fifth row is past A: zero), and the output row of
// the lower blocks' last row (row 9) not written.
// CHECK-LABEL: func @strassen_odd
// CHECK-COUNT-7: bufferization.alloc_tensor() : tensor<5x64xf32>
// CHECK: %[[A21:.*]] = tensor.extract_slice %arg0[5, 0] [4, 64] [1, 1]
// CHECK: %[[UP:.*]]:7 = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %[[A21]], %{{.*}} : tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>, tensor<4x64xf32>)
// CHECK-COUNT-7: tensor.insert_slice %[[UP]]#{{.}} into %{{.*}}[0, 0] [4, 64]
// CHECK: %[[MID:.*]] = tensor.extract_slice %arg0[4, 0] [1, 64] [1, 1]
// CHECK: linalg.generic {{.*}} ins(%[[MID]], %{{.*}} : tensor<1x64xf32>, tensor<1x64xf32>)
// CHECK: %[[S5:.*]] = arith.addf %[[A11:.*]], %[[A12:.*]] : f32
// CHECK: %[[S6:.*]] = arith.negf %[[A11]] : f32
// CHECK: linalg.yield %[[A11]], %[[Z:.*]], %[[A11]], %[[Z]], %[[S5]], %[[S6]], %[[A12]]
// CHECK-COUNT-7: tensor.insert_slice %{{.*}} into %{{.*}}[4, 0] [1, 64]
// CHECK: scf.forall
// CHECK: scf.index_switch
// CHECK: arith.cmpi ult, %{{.*}}, %c9 : index
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<9x2x8xf32> into tensor<9x16xf32>
func.func @strassen_odd(%x: tensor<9x128xf32>) -> tensor<9x16xf32> {
  %w = arith.constant dense<0.5> : tensor<16x128xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<9x16xf32>
  %c = linalg.fill ins(%zero : f32) outs(%e : tensor<9x16xf32>) -> tensor<9x16xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%x, %w : tensor<9x128xf32>, tensor<16x128xf32>) outs(%c : tensor<9x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<9x16xf32>
  return %y : tensor<9x16xf32>
}
