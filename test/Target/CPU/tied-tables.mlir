// RUN: tfc-opt %s -split-input-file -tfc-cpu-gemm-microkernels="rows=2 cols=4" -canonicalize -cse | FileCheck %s
// RUN: tfc-opt %s -split-input-file -tfc-cpu-gemm-microkernels="rows=2 cols=4 release-weights=1" -canonicalize -cse | FileCheck %s
// The second frees each packed weight once nothing else reads it: the
// tables are then compared with the panels, not with the freed weight.

// A tied embedding: the Gather's table T ([5, 2]) and the LM head's weight
// W ([2, 5], its transpose, a second constant as torch exports it). W is
// packed into panels P ([2, 2, 4], N = 5 zero-padded); the Gather then reads
// T[j, k] as P[j / 4, k, j % 4] and T is gone: the model stores the table
// once.
// CHECK-LABEL: func @tied_transposed
// CHECK: %[[P:.*]] = arith.constant dense<{{\[\[\[}}1.000000e+00, 3.000000e+00, 5.000000e+00, 7.000000e+00], [2.000000e+00, 4.000000e+00, 6.000000e+00, 8.000000e+00]], {{\[\[}}9.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [1.000000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00]]]> : tensor<2x2x4xf32>
// CHECK-NOT: tensor<5x2xf32>
// CHECK: linalg.generic
// CHECK: %[[J:.*]] = arith.index_cast
// CHECK: %[[K:.*]] = linalg.index 1
// CHECK-DAG: %[[PANEL:.*]] = arith.divui %[[J]], %c4
// CHECK-DAG: %[[COL:.*]] = arith.remui %[[J]], %c4
// CHECK: tensor.extract %[[P]][%[[PANEL]], %[[K]], %[[COL]]] : tensor<2x2x4xf32>
// CHECK: scf.forall
func.func @tied_transposed(%ids: tensor<3xi64>, %h: tensor<3x2xf32>, %init: tensor<3x5xf32>) -> (tensor<3x2xf32>, tensor<3x5xf32>) {
  %t = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [9.0, 10.0]]> : tensor<5x2xf32>
  %w = arith.constant dense<[[1.0, 3.0, 5.0, 7.0, 9.0], [2.0, 4.0, 6.0, 8.0, 10.0]]> : tensor<2x5xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(i, k) -> (i)>, affine_map<(i, k) -> (i, k)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%ids : tensor<3xi64>) outs(%e : tensor<3x2xf32>) {
  ^bb0(%id: i64, %out: f32):
    %j = arith.index_cast %id : i64 to index
    %k = linalg.index 1 : index
    %v = tensor.extract %t[%j, %k] : tensor<5x2xf32>
    linalg.yield %v : f32
  } -> tensor<3x2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%h, %w : tensor<3x2xf32>, tensor<2x5xf32>) outs(%init : tensor<3x5xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x5xf32>
  return %g, %r : tensor<3x2xf32>, tensor<3x5xf32>
}

// -----

// One constant both read by the Gather and multiplied as [N, K]: the same.
// CHECK-LABEL: func @tied_shared
// CHECK: %[[P:.*]] = arith.constant dense<{{.*}}> : tensor<2x2x4xf32>
// CHECK-NOT: tensor<5x2xf32>
// CHECK: tensor.extract %[[P]][{{.*}}] : tensor<2x2x4xf32>
func.func @tied_shared(%ids: tensor<3xi64>, %h: tensor<3x2xf32>, %init: tensor<3x5xf32>) -> (tensor<3x2xf32>, tensor<3x5xf32>) {
  %t = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [9.0, 10.0]]> : tensor<5x2xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(i, k) -> (i)>, affine_map<(i, k) -> (i, k)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%ids : tensor<3xi64>) outs(%e : tensor<3x2xf32>) {
  ^bb0(%id: i64, %out: f32):
    %j = arith.index_cast %id : i64 to index
    %k = linalg.index 1 : index
    %v = tensor.extract %t[%j, %k] : tensor<5x2xf32>
    linalg.yield %v : f32
  } -> tensor<3x2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%h, %t : tensor<3x2xf32>, tensor<5x2xf32>) outs(%init : tensor<3x5xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x5xf32>
  return %g, %r : tensor<3x2xf32>, tensor<3x5xf32>
}

// -----

// Untied: one element differs (10 against 11), so the Gather keeps its
// table.
// CHECK-LABEL: func @untied
// CHECK: %[[T:.*]] = arith.constant dense<{{.*}}> : tensor<5x2xf32>
// CHECK: tensor.extract %[[T]][{{.*}}] : tensor<5x2xf32>
func.func @untied(%ids: tensor<3xi64>, %h: tensor<3x2xf32>, %init: tensor<3x5xf32>) -> (tensor<3x2xf32>, tensor<3x5xf32>) {
  %t = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [9.0, 11.0]]> : tensor<5x2xf32>
  %w = arith.constant dense<[[1.0, 3.0, 5.0, 7.0, 9.0], [2.0, 4.0, 6.0, 8.0, 10.0]]> : tensor<2x5xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(i, k) -> (i)>, affine_map<(i, k) -> (i, k)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%ids : tensor<3xi64>) outs(%e : tensor<3x2xf32>) {
  ^bb0(%id: i64, %out: f32):
    %j = arith.index_cast %id : i64 to index
    %k = linalg.index 1 : index
    %v = tensor.extract %t[%j, %k] : tensor<5x2xf32>
    linalg.yield %v : f32
  } -> tensor<3x2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%h, %w : tensor<3x2xf32>, tensor<2x5xf32>) outs(%init : tensor<3x5xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x5xf32>
  return %g, %r : tensor<3x2xf32>, tensor<3x5xf32>
}

// -----

// A table with a use other than element reads (here returned as a whole)
// stays as it is.
// CHECK-LABEL: func @table_escapes
// CHECK: %[[T:.*]] = arith.constant dense<{{.*}}> : tensor<5x2xf32>
// CHECK: tensor.extract %[[T]][{{.*}}] : tensor<5x2xf32>
// CHECK: return %{{.*}}, %{{.*}}, %[[T]] :
func.func @table_escapes(%ids: tensor<3xi64>, %h: tensor<3x2xf32>, %init: tensor<3x5xf32>) -> (tensor<3x2xf32>, tensor<3x5xf32>, tensor<5x2xf32>) {
  %t = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [9.0, 10.0]]> : tensor<5x2xf32>
  %w = arith.constant dense<[[1.0, 3.0, 5.0, 7.0, 9.0], [2.0, 4.0, 6.0, 8.0, 10.0]]> : tensor<2x5xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(i, k) -> (i)>, affine_map<(i, k) -> (i, k)>],
                       iterator_types = ["parallel", "parallel"]}
      ins(%ids : tensor<3xi64>) outs(%e : tensor<3x2xf32>) {
  ^bb0(%id: i64, %out: f32):
    %j = arith.index_cast %id : i64 to index
    %k = linalg.index 1 : index
    %v = tensor.extract %t[%j, %k] : tensor<5x2xf32>
    linalg.yield %v : f32
  } -> tensor<3x2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%h, %w : tensor<3x2xf32>, tensor<2x5xf32>) outs(%init : tensor<3x5xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x5xf32>
  return %g, %r, %t : tensor<3x2xf32>, tensor<3x5xf32>, tensor<5x2xf32>
}
