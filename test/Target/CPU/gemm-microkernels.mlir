// RUN: tfc-opt %s -split-input-file -tfc-cpu-gemm-microkernels="rows=2 cols=4" -canonicalize -cse | FileCheck %s
// RUN: tfc-opt %s -split-input-file -tfc-cpu-gemm-microkernels="rows=2 cols=4 kc=2" -canonicalize -cse | FileCheck %s --check-prefix=SLICES
// RUN: tfc-opt %s -split-input-file -tfc-cpu-gemm-microkernels="rows=2 cols=16 bf16=1" -canonicalize -cse | FileCheck %s --check-prefix=BF16
// RUN: tfc-opt %s -split-input-file -tfc-cpu-gemm-microkernels="rows=4 cols=4" -canonicalize -cse | FileCheck %s --check-prefix=ROWS4
// RUN: tfc-opt %s -split-input-file -tfc-cpu-gemm-microkernels="rows=2 cols=4" | FileCheck %s --check-prefix=SHARED
// RUN: tfc-opt %s -split-input-file -tfc-cpu-gemm-microkernels="rows=2 cols=32" -canonicalize -cse | FileCheck %s --check-prefix=HALF
// RUN: tfc-opt %s -split-input-file -tfc-cpu-gemm-microkernels="rows=2 cols=12" -canonicalize -cse | FileCheck %s --check-prefix=CHUNKS --implicit-check-not="vector<12xf32>"

// A linear by a constant [N, K] weight: W is packed into [ceil(N/4), K, 4]
// column panels (zero-padded: N = 5). The weight is the same for every
// batch index, so the batch and row dimensions are one row dimension of
// ? x 5 rows (collapsed before, expanded after) and the loop runs over the
// panels only. Each k step is one panel-row load, a broadcast of x and an
// FMA per row. The accumulators start from the bias row, so the broadcast
// that filled the output before is gone. A panel that fits in N reads the
// bias and writes the output unmasked, the ragged one masked.
// Each k step also prefetches (locality 1: into L2) packed weights of the
// next kc slice in the flat panel layout; the start is clamped once per row
// block so that the slice's span ends inside the buffer (16 - 2 * 4 = 8).
// The row blocks share that span in order: block i/2 of nb = ceil(M/2)
// walks through elements [8 (i/2), 8 (i/2 + 1)) / nb as its k steps go,
// x / nb computed as (x * floor(2^20 / nb)) >> 20.
// CHECK-LABEL: func @linear
// CHECK-DAG: %[[P:.*]] = arith.constant dense<{{\[\[\[}}1.000000e+00, 3.000000e+00, 5.000000e+00, 7.000000e+00], [2.000000e+00, 4.000000e+00, 6.000000e+00, 8.000000e+00]], {{\[\[}}9.000000e+00, 0.000000e+00, 0.000000e+00, 0.000000e+00], [1.000000e+01, 0.000000e+00, 0.000000e+00, 0.000000e+00]]]> : tensor<2x2x4xf32>
// CHECK-DAG: %[[BIAS:.*]] = arith.constant dense<[5.000000e-01, {{.*}}]> : tensor<5xf32>
// CHECK: %[[BATCH:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[INIT:.*]] = tensor.empty
// CHECK: %[[XR:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<?x5x2xf32> into tensor<?x2xf32>
// CHECK: %[[INITR:.*]] = tensor.collapse_shape %[[INIT]] {{\[\[}}0, 1], [2]] : tensor<?x5x5xf32> into tensor<?x5xf32>
// CHECK: %[[BUF:.*]] = bufferization.to_buffer %[[P]] read_only : tensor<2x2x4xf32> to memref<2x2x4xf32>
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %[[BUF]] {{\[\[}}0, 1, 2]] : memref<2x2x4xf32> into memref<16xf32>
// CHECK: %[[M:.*]] = tensor.dim %[[XR]], %c0 : tensor<?x2xf32>
// CHECK-NOT: linalg.generic
// CHECK: %[[R:.*]] = scf.forall (%[[J:.*]]) in (2) shared_outs(%[[OUT:.*]] = %[[INITR]])
// CHECK: %[[COL:.*]] = arith.muli %[[J]], %c4
// CHECK: %[[X:.*]] = tensor.extract_slice %[[XR]][0, 0] [%[[M]], 2] [1, 1] : tensor<?x2xf32> to tensor<?x2xf32>
// CHECK: %[[C:.*]] = tensor.extract_slice %[[OUT]][0, %[[COL]]] [%{{.*}}, %{{.*}}] [1, 1] : tensor<?x5xf32> to tensor<?x?xf32>
// CHECK: %[[END:.*]] = arith.addi %[[COL]], %c4
// CHECK: %[[FITS:.*]] = arith.cmpi sle, %[[END]], %c5
// CHECK: scf.if %[[FITS]]
// CHECK: %[[NB:.*]] = arith.ceildivui %[[M]], %c2
// CHECK: %[[NB1:.*]] = arith.maxui %[[NB]], %c1
// CHECK: %[[INV:.*]] = arith.divui %c1048576, %[[NB1]]
// M is dynamic: at least rows (rows - 2) + 1 rows (here 1) split into
// ceil(M / 2) blocks, M - ceil(M / 2) of two rows and the others of one,
// counted at run time; fewer run M / 2 two-row blocks, then blocks of one
// row take what is left.
// CHECK: %[[BIG:.*]] = arith.cmpi uge, %[[M]], %c1
// CHECK: %[[TWOS:.*]] = arith.subi %[[M]], %[[NB]]
// CHECK: %[[PAIRS:.*]] = arith.divui %[[M]], %c2
// CHECK: %[[COUNT:.*]] = arith.select %[[BIG]], %[[TWOS]], %[[PAIRS]]
// CHECK: %[[ONES:.*]] = arith.subi %[[NB]], %[[TWOS]]
// CHECK: %[[COUNT1:.*]] = arith.select %[[BIG]], %[[ONES]], %c0
// CHECK: %[[FULL:.*]] = arith.muli %[[COUNT]], %c2
// CHECK: scf.for %[[I:.*]] = %c0 to %[[FULL]] step %c2 iter_args(%[[T:.*]] = %[[C]])
// CHECK: %[[BLK:.*]] = arith.divui %[[I]], %c2
// CHECK: %[[A0:.*]] = vector.transfer_read %[[BIAS]][%[[COL]]], %{{.*}} {in_bounds = [true]} : tensor<5xf32>, vector<4xf32>
// CHECK: %[[PANEL:.*]] = arith.muli %[[J]], %c8
// CHECK: %[[NEXT:.*]] = arith.addi %[[PANEL]], %c1024
// CHECK: %[[START:.*]] = arith.minsi %[[NEXT]], %c8
// CHECK: %[[SHARE:.*]] = arith.muli %[[BLK]], %c8
// CHECK: scf.for %[[K:.*]] = %c0 to %c2 step %c1 iter_args(%[[ACC0:.*]] = %[[A0]], %[[ACC1:.*]] = %[[A0]]) -> (vector<4xf32>, vector<4xf32>)
// CHECK: %[[ROW:.*]] = arith.muli %[[K]], %c4
// CHECK: %[[POS:.*]] = arith.addi %[[SHARE]], %[[ROW]]
// CHECK: %[[SCALED:.*]] = arith.muli %[[POS]], %[[INV]]
// CHECK: %[[ELEM:.*]] = arith.shrui %[[SCALED]], %c20
// CHECK: %[[LINE:.*]] = arith.addi %[[START]], %[[ELEM]]
// CHECK: memref.prefetch %[[FLAT]][%[[LINE]]], read, locality<1>, data : memref<16xf32>
// CHECK: %[[W:.*]] = vector.transfer_read %[[P]][%[[J]], %[[K]], %c0], %{{.*}} {in_bounds = [true]}
// CHECK: %[[XE:.*]] = tensor.extract %[[X]][%[[I]], %[[K]]]
// CHECK: %[[XB:.*]] = vector.broadcast %[[XE]] : f32 to vector<4xf32>
// CHECK: vector.fma %[[XB]], %[[W]], %[[ACC0]] : vector<4xf32>
// CHECK: vector.transfer_write %{{.*}} {in_bounds = [true]}
// CHECK: %[[SPLIT:.*]] = arith.addi %[[FULL]], %[[COUNT1]]
// CHECK: scf.for %{{.*}} = %[[FULL]] to %[[SPLIT]] step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<4xf32>)
// CHECK: scf.for %{{.*}} = %[[SPLIT]] to %[[M]] step %c1
// CHECK: scf.for %{{.*}} = %c0 to %c2 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (vector<4xf32>)
// The ragged panel: the same blocks with masked bias reads and stores.
// CHECK: } else {
// CHECK: vector.transfer_read %[[BIAS]][%[[COL]]], %{{.*}} : tensor<5xf32>, vector<4xf32>
// CHECK: vector.transfer_write %{{.*}} : vector<4xf32>, tensor<?x?xf32>
// CHECK: tensor.parallel_insert_slice %{{.*}} into %[[OUT]][0, %[[COL]]] [%{{.*}}, %{{.*}}]
// CHECK: %[[E:.*]] = tensor.expand_shape %[[R]] {{\[\[}}0, 1], [2]] output_shape [%[[BATCH]], 5, 5] : tensor<?x5xf32> into tensor<?x5x5xf32>
// CHECK-NOT: linalg.generic
// CHECK: return %[[E]]
func.func @linear(%x: tensor<?x5x2xf32>) -> tensor<?x5x5xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [9.0, 10.0]]> : tensor<5x2xf32>
  %b = arith.constant dense<[0.5, 0.25, 0.125, 1.0, 2.0]> : tensor<5xf32>
  %c0 = arith.constant 0 : index
  %d = tensor.dim %x, %c0 : tensor<?x5x2xf32>
  %e = tensor.empty(%d) : tensor<?x5x5xf32>
  %init = linalg.generic {indexing_maps = [affine_map<(a, m, n) -> (n)>, affine_map<(a, m, n) -> (a, m, n)>],
                          iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%b : tensor<5xf32>) outs(%e : tensor<?x5x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<?x5x5xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a, m, n, k) -> (a, m, k)>, affine_map<(a, m, n, k) -> (n, k)>, affine_map<(a, m, n, k) -> (a, m, n)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x5x2xf32>, tensor<5x2xf32>) outs(%init : tensor<?x5x5xf32>) {
  ^bb0(%a: f32, %bb: f32, %c: f32):
    %p = arith.mulf %a, %bb : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x5x5xf32>
  return %r : tensor<?x5x5xf32>
}

// A block of 12 columns, not a power of two, is three vectors of 4 per row
// (LLVM scalarized a vector<12xf32> after widening it to 16): the bias row
// is read in three chunks, each k step reads the panel row in three chunks
// and issues three FMAs per row with one broadcast of x, and each row is
// written back in three chunks.
// CHUNKS-LABEL: func @linear
// CHUNKS: %[[B0:.*]] = vector.transfer_read %{{.*}}[%c0], %{{.*}} {in_bounds = [true]} : tensor<5xf32>, vector<4xf32>
// CHUNKS: %[[B1:.*]] = vector.transfer_read %{{.*}}[%c4], %{{.*}} : tensor<5xf32>, vector<4xf32>
// CHUNKS: %[[B2:.*]] = vector.transfer_read %{{.*}}[%c8], %{{.*}} : tensor<5xf32>, vector<4xf32>
// CHUNKS: %[[ACC:.*]]:6 = scf.for %{{.*}} iter_args(%[[A0:.*]] = %[[B0]], %[[A1:.*]] = %[[B1]], %[[A2:.*]] = %[[B2]], %[[A3:.*]] = %[[B0]], %{{.*}} = %[[B1]], %{{.*}} = %[[B2]]) -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// CHUNKS: %[[W0:.*]] = vector.transfer_read %{{.*}}[%c0, %{{.*}}, %c0], %{{.*}} {in_bounds = [true]} : tensor<1x2x12xf32>, vector<4xf32>
// CHUNKS: %[[W1:.*]] = vector.transfer_read %{{.*}}[%c0, %{{.*}}, %c4], %{{.*}} {in_bounds = [true]} : tensor<1x2x12xf32>, vector<4xf32>
// CHUNKS: %[[W2:.*]] = vector.transfer_read %{{.*}}[%c0, %{{.*}}, %c8], %{{.*}} {in_bounds = [true]} : tensor<1x2x12xf32>, vector<4xf32>
// CHUNKS: %[[X:.*]] = vector.broadcast %{{.*}} : f32 to vector<4xf32>
// CHUNKS-NEXT: vector.fma %[[X]], %[[W0]], %[[A0]] : vector<4xf32>
// CHUNKS-NEXT: vector.fma %[[X]], %[[W1]], %[[A1]] : vector<4xf32>
// CHUNKS-NEXT: vector.fma %[[X]], %[[W2]], %[[A2]] : vector<4xf32>
// CHUNKS: vector.fma %{{.*}}, %[[W0]], %[[A3]] : vector<4xf32>
// CHUNKS: %[[T0:.*]] = vector.transfer_write %[[ACC]]#0, %{{.*}}[%[[ROW:.*]], %c0] {in_bounds = [true]}
// CHUNKS-NEXT: %[[T1:.*]] = vector.transfer_write %[[ACC]]#1, %[[T0]][%[[ROW]], %c4]
// CHUNKS-NEXT: vector.transfer_write %[[ACC]]#2, %[[T1]][%[[ROW]], %c8]

// -----

// A matmul by a constant [K, N] weight packs the same panels (here two,
// N = 8: no padding, so the output panels are static 4 wide).
// CHECK-LABEL: func @matmul_kn
// CHECK: arith.constant dense<{{\[\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]], {{\[\[}}5.000000e+00, 6.000000e+00, 7.000000e+00, 8.000000e+00]]]> : tensor<2x1x4xf32>
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: tensor.extract_slice {{.*}} : tensor<6x8xf32> to tensor<6x4xf32>
// CHECK: vector.fma
func.func @matmul_kn(%x: tensor<6x1xf32>, %init: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]]> : tensor<1x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<6x1xf32>, tensor<1x8xf32>) outs(%init : tensor<6x8xf32>) {
  ^bb0(%a: f32, %bb: f32, %c: f32):
    %p = arith.mulf %a, %bb : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<6x8xf32>
  return %r : tensor<6x8xf32>
}

// -----

// A run-time weight in [N, K] layout is transposed into [K, N] once, then
// read in place like one stored [K, N].
// CHECK-LABEL: func @runtime_weight_nk
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<8x4xf32>
// CHECK: %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<8x4xf32>) outs(%{{.*}} : tensor<4x8xf32>) permutation = [1, 0]
// CHECK: scf.forall
// CHECK: %[[P:.*]] = tensor.extract_slice %[[WT]][0, %{{.*}}] [4, 4] [1, 1]
// CHECK: vector.transfer_read %[[P]][
// CHECK: vector.fma
// CHECK-NOT: linalg.generic
func.func @runtime_weight_nk(%x: tensor<6x4xf32>, %w: tensor<8x4xf32>, %init: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<6x4xf32>, tensor<8x4xf32>) outs(%init : tensor<6x8xf32>) {
  ^bb0(%a: f32, %bb: f32, %c: f32):
    %p = arith.mulf %a, %bb : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<6x8xf32>
  return %r : tensor<6x8xf32>
}

// -----

// A run-time [K, N] whose rows are 8 KiB apart (N = 2048: 8 L2 sets for
// the panel's rows) is copied panel by panel before the row blocks read it,
// when there are at least 4 register blocks of rows (8 here); with 7 rows
// the panel is read in place.
// CHECK-LABEL: func @runtime_packed
// CHECK-SAME: %{{[a-z0-9]+}}: tensor<8x40xf32>, %[[W:[a-z0-9]+]]: tensor<40x2048xf32>
// CHECK: scf.forall (%{{.*}}) in (512)
// CHECK: %[[PANEL:.*]] = tensor.extract_slice %[[W]][0, %{{.*}}] [40, 4] [1, 1] : tensor<40x2048xf32> to tensor<40x4xf32>
// CHECK: %[[BUF:.*]] = tensor.empty() : tensor<40x4xf32>
// CHECK: %[[COPY:.*]] = linalg.copy ins(%[[PANEL]] : tensor<40x4xf32>) outs(%[[BUF]] : tensor<40x4xf32>)
// CHECK: vector.transfer_read %[[COPY]][%{{.*}}, %c0]
// CHECK: scf.forall (%{{.*}}) in (512)
// CHECK: %[[PANEL2:.*]] = tensor.extract_slice %[[W]][0, %{{.*}}] [40, 4] [1, 1]
// CHECK-NOT: linalg.copy
// CHECK: vector.transfer_read %[[PANEL2]][%{{.*}}, %c0]
func.func @runtime_packed(%x: tensor<8x40xf32>, %w: tensor<40x2048xf32>, %x2: tensor<7x40xf32>) -> (tensor<8x2048xf32>, tensor<7x2048xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x2048xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<8x2048xf32>) -> tensor<8x2048xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<8x40xf32>, tensor<40x2048xf32>) outs(%init : tensor<8x2048xf32>) {
  ^bb0(%a: f32, %bb: f32, %c: f32):
    %p = arith.mulf %a, %bb : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x2048xf32>
  %e2 = tensor.empty() : tensor<7x2048xf32>
  %init2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<7x2048xf32>) -> tensor<7x2048xf32>
  %r2 = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x2, %w : tensor<7x40xf32>, tensor<40x2048xf32>) outs(%init2 : tensor<7x2048xf32>) {
  ^bb0(%a: f32, %bb: f32, %c: f32):
    %p = arith.mulf %a, %bb : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<7x2048xf32>
  return %r, %r2 : tensor<8x2048xf32>, tensor<7x2048xf32>
}

// -----

// A transposed A, or a body that is not exactly c + a * b (here -a * b,
// which linalg's contraction check accepts), is left for
// tfc-cpu-tile-contractions.
// CHECK-LABEL: func @not_a_kernel
// CHECK-NOT: scf.forall
// CHECK: linalg.generic
// CHECK: arith.negf
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
func.func @not_a_kernel(%x: tensor<6x4xf32>, %xt: tensor<4x6xf32>, %w: tensor<4x8xf32>, %init: tensor<6x8xf32>) -> (tensor<6x8xf32>, tensor<6x8xf32>) {
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<6x4xf32>, tensor<4x8xf32>) outs(%init : tensor<6x8xf32>) {
  ^bb0(%a: f32, %bb: f32, %c: f32):
    %n = arith.negf %a : f32
    %p = arith.mulf %n, %bb : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<6x8xf32>
  %t = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xt, %w : tensor<4x6xf32>, tensor<4x8xf32>) outs(%init : tensor<6x8xf32>) {
  ^bb0(%a: f32, %bb: f32, %c: f32):
    %p = arith.mulf %a, %bb : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<6x8xf32>
  return %r, %t : tensor<6x8xf32>, tensor<6x8xf32>
}

// -----

// Batch dimensions that broadcast: A [1, 6, 4] reads index 0 of its batch
// dimension for all of C's, B [3, 4, 8] reads its own; a B of lower rank
// lacks them.
// CHECK-LABEL: func @runtime_broadcast
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<1x6x4xf32>, %[[W:[a-z0-9]+]]: tensor<3x4x8xf32>
// CHECK: scf.forall (%[[I:.*]], %{{.*}}) in (3, 2)
// CHECK-DAG: tensor.extract_slice %[[W]][%[[I]], 0, 0] [1, 4, 8]
// CHECK-DAG: tensor.extract_slice %[[X]][0, 0, 0] [1, 6, 4]
// CHECK: vector.fma
// CHECK-NOT: linalg.generic
func.func @runtime_broadcast(%x: tensor<1x6x4xf32>, %w: tensor<3x4x8xf32>, %init: tensor<3x6x8xf32>) -> tensor<3x6x8xf32> {
  %r = linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (0, m, k)>, affine_map<(b, m, n, k) -> (b, k, n)>, affine_map<(b, m, n, k) -> (b, m, n)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x6x4xf32>, tensor<3x4x8xf32>) outs(%init : tensor<3x6x8xf32>) {
  ^bb0(%a: f32, %bb: f32, %c: f32):
    %p = arith.mulf %a, %bb : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x6x8xf32>
  return %r : tensor<3x6x8xf32>
}

// -----

// A run-time [K, N] operand (the attention kernel's tile products) is read
// in place, panel by panel (a [K, <= 4] slice), one row segment per k
// step; inside other loops the panels run as a sequential scf.for. A panel
// that fits in N reads the rows unmasked (in_bounds); the ragged last panel
// uses masked transfers.
// CHECK-LABEL: func @runtime_kn_in_loop
// CHECK: scf.for
// CHECK-NOT: scf.forall
// CHECK: %[[N:.*]] = tensor.dim %[[B:.*]], %c1
// CHECK: %[[PANELS:.*]] = arith.ceildivui %[[N]], %c4
// CHECK: scf.for %[[J:.*]] = %c0 to %[[PANELS]] step %c1
// CHECK: %[[COL:.*]] = arith.muli %[[J]], %c4
// CHECK: %[[P:.*]] = tensor.extract_slice %[[B]][0, %[[COL]]] [%{{.*}}, %{{.*}}] [1, 1] : tensor<?x?xf32> to tensor<?x?xf32>
// CHECK: %[[END:.*]] = arith.addi %[[COL]], %c4
// CHECK: %[[FITS:.*]] = arith.cmpi sle, %[[END]], %[[N]]
// CHECK: scf.if %[[FITS]]
// CHECK: scf.for %[[K:.*]] = %{{.*}} to %{{.*}} step %c1 iter_args
// CHECK: vector.transfer_read %[[P]][%[[K]], %c0], %{{.*}} {in_bounds = [true]} : tensor<?x?xf32>, vector<4xf32>
// CHECK: vector.fma
// CHECK: } else {
// CHECK: scf.for %[[K2:.*]] = %{{.*}} to %{{.*}} step %c1 iter_args
// CHECK: vector.transfer_read %[[P]][%[[K2]], %c0], %{{.*}} : tensor<?x?xf32>, vector<4xf32>
// CHECK: vector.fma
// CHECK: tensor.insert_slice
// With vectors of 16 or more lanes, a ragged last panel of at most half
// the width runs on half-width vectors (half the FMAs), a wider one masked.
// HALF-LABEL: func @runtime_kn_in_loop
// HALF: %[[N:.*]] = tensor.dim %{{.*}}, %c1
// HALF: scf.if
// HALF: vector.transfer_read {{.*}} {in_bounds = [true]} : tensor<?x?xf32>, vector<32xf32>
// HALF: } else {
// HALF: %[[HALF_END:.*]] = arith.addi %{{.*}}, %c16
// HALF: %[[NARROW:.*]] = arith.cmpi sle, %[[N]], %[[HALF_END]]
// HALF: scf.if %[[NARROW]]
// HALF: vector.transfer_read {{.*}} : tensor<?x?xf32>, vector<16xf32>
// HALF: vector.fma {{.*}} : vector<16xf32>
// HALF: } else {
// HALF: vector.transfer_read {{.*}} : tensor<?x?xf32>, vector<32xf32>
// HALF: vector.fma {{.*}} : vector<32xf32>
func.func @runtime_kn_in_loop(%x: tensor<6x?xf32>, %w: tensor<?x?xf32>, %init: tensor<6x?xf32>, %n: index) -> tensor<6x?xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %init) -> (tensor<6x?xf32>) {
    %g = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                         iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%x, %w : tensor<6x?xf32>, tensor<?x?xf32>) outs(%acc : tensor<6x?xf32>) {
    ^bb0(%a: f32, %bb: f32, %c: f32):
      %p = arith.mulf %a, %bb : f32
      %s = arith.addf %c, %p : f32
      linalg.yield %s : f32
    } -> tensor<6x?xf32>
    scf.yield %g : tensor<6x?xf32>
  }
  return %r : tensor<6x?xf32>
}

// -----

// A run-time B batched like the output ([b, K, N] for C[b, m, n]: Q K^T
// and P V written as plain matmuls) runs one kernel per (batch, panel),
// reading that batch's [K, N] in place, panel by panel.
// CHECK-LABEL: func @runtime_batched
// CHECK-SAME: %[[B:[a-z0-9]+]]: tensor<3x4x8xf32>
// CHECK: scf.forall (%[[I:.*]], %[[J:.*]]) in (3, 2)
// CHECK: %[[COL:.*]] = arith.muli %[[J]], %c4
// CHECK: %[[BI:.*]] = tensor.extract_slice %[[B]][%[[I]], 0, 0] [1, 4, 8] [1, 1, 1] : tensor<3x4x8xf32> to tensor<4x8xf32>
// CHECK: %[[P:.*]] = tensor.extract_slice %[[BI]][0, %[[COL]]] [4, 4] [1, 1] : tensor<4x8xf32> to tensor<4x4xf32>
// CHECK: scf.for %[[K:.*]] = %c0 to %c4 step %c1 iter_args
// CHECK: vector.transfer_read %[[P]][%[[K]], %c0], %{{.*}} {in_bounds = [true]} : tensor<4x4xf32>, vector<4xf32>
// CHECK: vector.fma
// CHECK-NOT: linalg.generic
func.func @runtime_batched(%x: tensor<3x6x4xf32>, %w: tensor<3x4x8xf32>) -> tensor<3x6x8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x6x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<3x6x8xf32>) -> tensor<3x6x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (b, k, n)>, affine_map<(b, m, n, k) -> (b, m, n)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<3x6x4xf32>, tensor<3x4x8xf32>) outs(%init : tensor<3x6x8xf32>) {
  ^bb0(%a: f32, %bb: f32, %c: f32):
    %p = arith.mulf %a, %bb : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x6x8xf32>
  return %r : tensor<3x6x8xf32>
}

// -----

// The elementwise ops after a GEMM (a GELU-like chain, then a residual add
// and a [N] row scale) run on the register blocks after the last k slice;
// a zero fill starts the first slice. With kc=2 and K=4 the first and the
// last slice are tested at run time.
// CHECK-LABEL: func @epilogue
// CHECK-NOT: linalg.generic
// CHECK: scf.forall
// CHECK: vector.fma
// CHECK: math.erf %{{.*}} : vector<4xf32>
// CHECK: return
// SLICES-LABEL: func @epilogue
// SLICES: scf.forall (%{{.*}}) in (2) shared_outs(%[[OUT:.*]] = %[[EMPTY:.*]]) -> (tensor<6x8xf32>)
// SLICES: %[[R:.*]] = tensor.extract_slice %arg1[0, %[[COL:.*]]] [6, 4] [1, 1] : tensor<6x8xf32> to tensor<6x4xf32>
// SLICES: scf.for %[[K0:.*]] = %c0 to %c4 step %c2
// SLICES: %[[FIRST:.*]] = arith.cmpi eq, %[[K0]], %c0
// SLICES: scf.if %[[FIRST]] -> (vector<4xf32>, vector<4xf32>) {
// SLICES-NEXT: scf.yield %[[ZERO:.*]], %[[ZERO]]
// SLICES: } else {
// SLICES: vector.transfer_read
// SLICES: vector.fma
// SLICES: %[[LAST:.*]] = arith.cmpi eq, %{{.*}}, %c4
// The epilogue runs one row at a time, each row stored before the next.
// SLICES: scf.if %[[LAST]] -> (tensor<6x4xf32>) {
// SLICES: %[[RV:.*]] = vector.transfer_read %[[R]][%[[ROW0:.*]], %c0]
// SLICES: %[[SC:.*]] = vector.transfer_read %{{.*}}[%[[COL]]], %{{.*}} {in_bounds = [true]} : tensor<8xf32>, vector<4xf32>
// SLICES: math.erf %{{.*}} : vector<4xf32>
// SLICES: %[[S:.*]] = arith.addf %{{.*}}, %[[RV]] : vector<4xf32>
// SLICES: %[[V0:.*]] = arith.mulf %[[S]], %[[SC]] : vector<4xf32>
// SLICES: %[[T0:.*]] = vector.transfer_write %[[V0]], %{{.*}}[%[[ROW0]], %c0]
// SLICES: vector.transfer_read %[[R]][%[[ROW1:.*]], %c0]
// SLICES: math.erf %{{.*}} : vector<4xf32>
// SLICES: %[[V1:.*]] = arith.mulf %{{.*}}, %[[SC]] : vector<4xf32>
// SLICES: %[[T1:.*]] = vector.transfer_write %[[V1]], %[[T0]][%[[ROW1]], %c0]
// SLICES: scf.yield %[[T1]]
// SLICES: } else {
// SLICES: vector.transfer_write
// SLICES-NOT: linalg.generic
// SLICES: return
// With bf16, W is packed as bf16 pairs [panels, K/2, 2*cols] (one panel of
// 16 columns, 8 of them past N = 8 are zero), A is rounded to bf16 pairs,
// one i32 per pair, once before the kernel, and each k-pair step is a
// broadcast of the pair and one vdpbf16ps per 16 columns; the epilogue is
// the same.
// BF16-LABEL: func @epilogue
// BF16: %[[W:.*]] = arith.constant dense_resource<{{.*}}> : tensor<1x2x32xbf16>
// BF16: %[[AP:.*]] = linalg.generic {{.*}} ins(%arg0, %arg0 : tensor<6x4xf32>, tensor<6x4xf32>) outs(%{{.*}} : tensor<6x2xi32>)
// BF16: arith.cmpf uno
// BF16: scf.for %[[P:.*]] = %c0 to %c2 step %c1 iter_args(%[[ACC:.*]] = %{{.*}}, %{{.*}} = %{{.*}}) -> (vector<16xf32>, vector<16xf32>)
// BF16: memref.prefetch %{{.*}}[%{{.*}}], read, locality<1>, data : memref<64xbf16>
// BF16: %[[WV:.*]] = vector.transfer_read %[[W]][%c0, %[[P]], %c0]{{.*}} : tensor<1x2x32xbf16>, vector<32xbf16>
// BF16: %[[X:.*]] = tensor.extract %[[AP]][%{{.*}}, %[[P]]] : tensor<6x2xi32>
// BF16: %[[XB:.*]] = vector.broadcast %[[X]] : i32 to vector<16xi32>
// BF16: %[[XV:.*]] = vector.bitcast %[[XB]] : vector<16xi32> to vector<32xbf16>
// BF16: x86vector.avx512.dot %[[ACC]], %[[XV]], %[[WV]] : vector<32xbf16> -> vector<16xf32>
// BF16: math.erf %{{.*}} : vector<16xf32>
#id = affine_map<(m, n) -> (m, n)>
#row = affine_map<(m, n) -> (n)>
func.func @epilogue(%x: tensor<6x4xf32>, %r: tensor<6x8xf32>) -> tensor<6x8xf32> {
  %w = arith.constant dense<0.25> : tensor<8x4xf32>
  %s = arith.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]> : tensor<8xf32>
  %zero = arith.constant 0.0 : f32
  %half = arith.constant 0.5 : f32
  %e = tensor.empty() : tensor<6x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<6x8xf32>) -> tensor<6x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<6x4xf32>, tensor<8x4xf32>) outs(%init : tensor<6x8xf32>) {
  ^bb0(%a: f32, %bb: f32, %c: f32):
    %p = arith.mulf %a, %bb : f32
    %q = arith.addf %c, %p : f32
    linalg.yield %q : f32
  } -> tensor<6x8xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<6x8xf32>) outs(%e : tensor<6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %t = math.erf %in : f32
    %one = arith.constant 1.0 : f32
    %u = arith.addf %t, %one : f32
    %v = arith.mulf %in, %half : f32
    %o = arith.mulf %v, %u : f32
    linalg.yield %o : f32
  } -> tensor<6x8xf32>
  %z = linalg.generic {indexing_maps = [#id, #id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%g, %r, %s : tensor<6x8xf32>, tensor<6x8xf32>, tensor<8xf32>) outs(%e : tensor<6x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %out: f32):
    %t = arith.addf %a, %b : f32
    %o = arith.mulf %t, %c : f32
    linalg.yield %o : f32
  } -> tensor<6x8xf32>
  return %z : tensor<6x8xf32>
}

// -----

// A GEMM result with a second user keeps the elementwise op as its own
// generic (the GEMM's value is needed in memory anyway).
// CHECK-LABEL: func @two_users
// CHECK: scf.forall
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
func.func @two_users(%x: tensor<6x4xf32>) -> (tensor<6x8xf32>, tensor<6x8xf32>) {
  %w = arith.constant dense<0.25> : tensor<8x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<6x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<6x8xf32>) -> tensor<6x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<6x4xf32>, tensor<8x4xf32>) outs(%init : tensor<6x8xf32>) {
  ^bb0(%a: f32, %bb: f32, %c: f32):
    %p = arith.mulf %a, %bb : f32
    %q = arith.addf %c, %p : f32
    linalg.yield %q : f32
  } -> tensor<6x8xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(m, n) -> (m, n)>, affine_map<(m, n) -> (m, n)>], iterator_types = ["parallel", "parallel"]}
      ins(%y : tensor<6x8xf32>) outs(%e : tensor<6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %o = math.exp %in : f32
    linalg.yield %o : f32
  } -> tensor<6x8xf32>
  return %y, %g : tensor<6x8xf32>, tensor<6x8xf32>
}

// -----

// Batch 1: the elementwise lowering reads the unit batch dimension at the
// constant 0, which is the same element; the GELU-like op still fuses.
// CHECK-LABEL: func @unit_batch_epilogue
// CHECK-NOT: linalg.generic
// CHECK: scf.forall
// CHECK: math.tanh %{{.*}} : vector<4xf32>
// CHECK: return
func.func @unit_batch_epilogue(%x: tensor<1x6x4xf32>) -> tensor<1x6x8xf32> {
  %w = arith.constant dense<0.25> : tensor<8x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x6x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<1x6x8xf32>) -> tensor<1x6x8xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(b, m, n, k) -> (b, m, k)>, affine_map<(b, m, n, k) -> (n, k)>, affine_map<(b, m, n, k) -> (b, m, n)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<1x6x4xf32>, tensor<8x4xf32>) outs(%init : tensor<1x6x8xf32>) {
  ^bb0(%a: f32, %bb: f32, %c: f32):
    %p = arith.mulf %a, %bb : f32
    %q = arith.addf %c, %p : f32
    linalg.yield %q : f32
  } -> tensor<1x6x8xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(b, m, n) -> (0, m, n)>, affine_map<(b, m, n) -> (b, m, n)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%y : tensor<1x6x8xf32>) outs(%e : tensor<1x6x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %o = math.tanh %in : f32
    linalg.yield %o : f32
  } -> tensor<1x6x8xf32>
  return %g : tensor<1x6x8xf32>
}

// -----

// Leftover rows: a static row count is split into the fewest blocks, of
// sizes within one of each other: 7 = 4 + 3 (each block runs once, so its
// row loop folds away) and 10 = 4 + 2 x 3, not 4 + 4 + 2 (a row loop over
// the two 3-row blocks from row 4 to 10). A dynamic one runs blocks of 4,
// then 2 and 1.
// ROWS4-LABEL: func @leftover_rows
// ROWS4: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// ROWS4: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>)
// ROWS4-NOT: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>)
// ROWS4-NOT: scf.for {{.*}} -> (vector<4xf32>)
// ROWS4-LABEL: func @balanced_rows
// ROWS4: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// ROWS4: scf.for %{{.*}} = %c4 to %c10 step %c3
// ROWS4: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>)
// ROWS4-NOT: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>)
// ROWS4-NOT: scf.for {{.*}} -> (vector<4xf32>)
// ROWS4-LABEL: func @leftover_rows_dynamic
// ROWS4: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>)
// ROWS4: scf.for {{.*}} -> (vector<4xf32>, vector<4xf32>)
// ROWS4: scf.for {{.*}} -> (vector<4xf32>)
func.func @leftover_rows(%x: tensor<7x2xf32>, %c: tensor<7x4xf32>) -> tensor<7x4xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<7x2xf32>, tensor<4x2xf32>) outs(%c : tensor<7x4xf32>) {
  ^bb0(%a: f32, %bb: f32, %o: f32):
    %p = arith.mulf %a, %bb : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<7x4xf32>
  return %r : tensor<7x4xf32>
}
func.func @balanced_rows(%x: tensor<10x2xf32>, %c: tensor<10x4xf32>) -> tensor<10x4xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<10x2xf32>, tensor<4x2xf32>) outs(%c : tensor<10x4xf32>) {
  ^bb0(%a: f32, %bb: f32, %o: f32):
    %p = arith.mulf %a, %bb : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<10x4xf32>
  return %r : tensor<10x4xf32>
}
func.func @leftover_rows_dynamic(%x: tensor<?x2xf32>, %c: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0]]> : tensor<4x2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>],
                       iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x2xf32>, tensor<4x2xf32>) outs(%c : tensor<?x4xf32>) {
  ^bb0(%a: f32, %bb: f32, %o: f32):
    %p = arith.mulf %a, %bb : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}

// -----

// Two GEMMs by the same weight (two constants of one value: one layer
// applied twice) share one packed constant of 2 panels x K=4 x 4 columns,
// made once (checked without CSE, which would merge two).
// SHARED-LABEL: func @shared_weight
// SHARED: %[[P:.*]] = arith.constant dense<{{.*}}> : tensor<2x4x4xf32>
// SHARED-NOT: arith.constant dense<{{.*}}> : tensor<2x4x4xf32>
// SHARED: vector.transfer_read %[[P]]
// SHARED-NOT: arith.constant dense<{{.*}}> : tensor<2x4x4xf32>
// SHARED: vector.transfer_read %[[P]]
// SHARED-NOT: arith.constant dense<{{.*}}> : tensor<2x4x4xf32>
// SHARED: return
#nk = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
func.func @shared_weight(%x: tensor<6x4xf32>) -> (tensor<6x8xf32>, tensor<6x8xf32>) {
  %w1 = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 1.0, 2.0], [3.0, 4.0, 5.0, 6.0], [7.0, 8.0, 9.0, 1.0], [2.0, 3.0, 4.0, 5.0]]> : tensor<8x4xf32>
  %w2 = arith.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 1.0, 2.0], [3.0, 4.0, 5.0, 6.0], [7.0, 8.0, 9.0, 1.0], [2.0, 3.0, 4.0, 5.0]]> : tensor<8x4xf32>
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<6x8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<6x8xf32>) -> tensor<6x8xf32>
  %y1 = linalg.generic {indexing_maps = #nk, iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w1 : tensor<6x4xf32>, tensor<8x4xf32>) outs(%init : tensor<6x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<6x8xf32>
  %y2 = linalg.generic {indexing_maps = #nk, iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %w2 : tensor<6x4xf32>, tensor<8x4xf32>) outs(%init : tensor<6x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<6x8xf32>
  return %y1, %y2 : tensor<6x8xf32>, tensor<6x8xf32>
}

// -----

// Two dynamic leading sizes are collapsed into rows too; the result goes
// back to [?, ?, 8] through a tensor.reshape (LLVM 22's
// expand-strided-metadata crashes on an expand_shape of two dynamic sizes).
// CHECK-LABEL: func @two_dynamic_leading
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1], [2]] : tensor<?x?x2xf32> into tensor<?x2xf32>
// CHECK: %[[R:.*]] = scf.forall (%{{.*}}) in (2)
// CHECK: %[[SHAPE:.*]] = tensor.from_elements %{{.*}}, %{{.*}}, %c8 : tensor<3xindex>
// CHECK: %[[Y:.*]] = tensor.reshape %[[R]](%[[SHAPE]]) : (tensor<?x8xf32>, tensor<3xindex>) -> tensor<?x?x8xf32>
// CHECK: return %[[Y]]
func.func @two_dynamic_leading(%x: tensor<?x?x2xf32>, %init: tensor<?x?x8xf32>) -> tensor<?x?x8xf32> {
  %w = arith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [7.0, 8.0], [9.0, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]]> : tensor<8x2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(a, m, n, k) -> (a, m, k)>, affine_map<(a, m, n, k) -> (n, k)>, affine_map<(a, m, n, k) -> (a, m, n)>],
                       iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : tensor<?x?x2xf32>, tensor<8x2xf32>) outs(%init : tensor<?x?x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x?x8xf32>
  return %r : tensor<?x?x8xf32>
}
