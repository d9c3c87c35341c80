// RUN: tfc-opt %s -split-input-file -tfc-cpu-parallelize-elementwise=threads=2 | FileCheck %s
// RUN: tfc-opt %s -split-input-file -tfc-cpu-parallelize-elementwise=threads=1 | FileCheck %s --check-prefix=ONE

// A large elementwise generic is split in two along its first dim with at
// least two elements (the batch of 1 is skipped).
// CHECK-LABEL: func @gelu_like
// CHECK: scf.forall (%[[I:.*]]) = (0) to (128) step (64) shared_outs
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<1x64x3072xf32>) outs(%{{.*}} : tensor<1x64x3072xf32>)
// CHECK: math.erf
// CHECK: tensor.parallel_insert_slice
// ONE-LABEL: func @gelu_like
// ONE-NOT: scf.forall
func.func @gelu_like(%x: tensor<1x128x3072xf32>) -> tensor<1x128x3072xf32> {
  %e = tensor.empty() : tensor<1x128x3072xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a, b, c) -> (a, b, c)>, affine_map<(a, b, c) -> (a, b, c)>],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x128x3072xf32>) outs(%e : tensor<1x128x3072xf32>) {
  ^bb0(%a: f32, %o: f32):
    %y = math.erf %a : f32
    linalg.yield %y : f32
  } -> tensor<1x128x3072xf32>
  return %r : tensor<1x128x3072xf32>
}

// -----

// Small generics, reductions and dynamic-only shapes stay whole; an odd
// static size gets chunks of ceil(n / 2).
// CHECK-LABEL: func @untouched
// CHECK-NOT: scf.forall
// CHECK-LABEL: func @odd
// CHECK: scf.forall (%{{.*}}) = (0) to (197) step (99)
func.func @untouched(%x: tensor<64x64xf32>, %d: tensor<?x?xf32>, %acc: tensor<64xf32>) -> (tensor<64x64xf32>, tensor<?x?xf32>, tensor<64xf32>) {
  %small = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<64x64xf32>) outs(%x : tensor<64x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %y = arith.addf %a, %a : f32
    linalg.yield %y : f32
  } -> tensor<64x64xf32>
  %dyn = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%d : tensor<?x?xf32>) outs(%d : tensor<?x?xf32>) {
  ^bb0(%a: f32, %o: f32):
    %y = arith.addf %a, %a : f32
    linalg.yield %y : f32
  } -> tensor<?x?xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                       iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<64x64xf32>) outs(%acc : tensor<64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %y = arith.addf %a, %o : f32
    linalg.yield %y : f32
  } -> tensor<64xf32>
  return %small, %dyn, %sum : tensor<64x64xf32>, tensor<?x?xf32>, tensor<64xf32>
}

func.func @odd(%x: tensor<197x768xf32>) -> tensor<197x768xf32> {
  %e = tensor.empty() : tensor<197x768xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<197x768xf32>) outs(%e : tensor<197x768xf32>) {
  ^bb0(%a: f32, %o: f32):
    %y = arith.negf %a : f32
    linalg.yield %y : f32
  } -> tensor<197x768xf32>
  return %r : tensor<197x768xf32>
}
