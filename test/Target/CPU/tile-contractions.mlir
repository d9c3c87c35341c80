// RUN: tfc-opt %s -split-input-file -tfc-cpu-tile-contractions | FileCheck %s

// A linear's contraction (m, n, k) is tiled 32 x 32 over (m, n), k whole.
// CHECK-LABEL: func @linear
// CHECK: scf.for %{{.*}} = %c0 to %c64 step %c32
// CHECK: scf.for %{{.*}} = %{{.*}} to %c96 step %c32
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<32x48xf32>, tensor<32x48xf32>) outs(%{{.*}} : tensor<32x32xf32>)
func.func @linear(%x: tensor<64x48xf32>, %w: tensor<96x48xf32>, %init: tensor<64x96xf32>) -> tensor<64x96xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<64x48xf32>, tensor<96x48xf32>) outs(%init : tensor<64x96xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x96xf32>
  return %r : tensor<64x96xf32>
}

// -----

// Elementwise ops (no reduction) and generics inside loops are left alone.
// CHECK-LABEL: func @untouched
// CHECK-NOT: step %c32
func.func @untouched(%x: tensor<64x64xf32>, %n: index) -> tensor<64x64xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<64x64xf32>) outs(%x : tensor<64x64xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %a : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %e) -> tensor<64x64xf32> {
    %m = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                         iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%acc, %x : tensor<64x64xf32>, tensor<64x64xf32>) outs(%acc : tensor<64x64xf32>) {
    ^bb0(%a: f32, %b: f32, %c: f32):
      %p = arith.mulf %a, %b : f32
      %s = arith.addf %c, %p : f32
      linalg.yield %s : f32
    } -> tensor<64x64xf32>
    scf.yield %m : tensor<64x64xf32>
  }
  return %r : tensor<64x64xf32>
}

// -----

// forall=1 (multithreaded pipeline): one scf.forall over the tiles.
// RUN: tfc-opt %s -split-input-file -tfc-cpu-tile-contractions=forall=1 | FileCheck %s --check-prefix=FORALL
// FORALL-LABEL: func @linear
// FORALL: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (64, 96) step (32, 32)
// FORALL: tensor.parallel_insert_slice

// -----

// A static size of 0 (here K) leaves nothing to tile: the op stays as it is
// (upstream's tile size computation crashed on it).
// CHECK-LABEL: func @empty_reduction
// CHECK-NOT: scf.for
// CHECK: linalg.generic
func.func @empty_reduction(%a: tensor<2x3x0xf32>, %b: tensor<2x0x4xf32>, %c: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, k, n)>, affine_map<(b, m, n, k) -> (b, m, n)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<2x3x0xf32>, tensor<2x0x4xf32>) outs(%c : tensor<2x3x4xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x3x4xf32>
  return %r : tensor<2x3x4xf32>
}
