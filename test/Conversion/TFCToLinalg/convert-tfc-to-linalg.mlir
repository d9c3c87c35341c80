// RUN: tfc-opt %s -convert-tfc-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func @add_broadcast
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]]
  // CHECK: arith.addf
  %0 = tfc.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @dynamic_sizes_checked
func.func @dynamic_sizes_checked(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  // Two dynamic sizes must agree at run time (no silent broadcast of a 1).
  // CHECK: cf.assert
  // CHECK: linalg.generic
  %0 = tfc.mul %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func @unsigned_div
func.func @unsigned_div(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  // CHECK: arith.divui
  %0 = tfc.div %a, %b : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// A batch dimension of size 1 on both sides keeps its loop index (no
// broadcast: the GEMM kernels match the plain projection); one of size 1
// against a larger one reads index 0.
// CHECK-DAG: #[[A1:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[B1:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d4, d3)>
// CHECK-LABEL: func @matmul_batch_of_one
// CHECK: linalg.generic {indexing_maps = [#[[A1]], #[[B1]],
func.func @matmul_batch_of_one(%a: tensor<1x3x4x8xf32>, %b: tensor<1x1x8x5xf32>) -> tensor<1x3x4x5xf32> {
  %0 = tfc.matmul %a, %b : (tensor<1x3x4x8xf32>, tensor<1x1x8x5xf32>) -> tensor<1x3x4x5xf32>
  return %0 : tensor<1x3x4x5xf32>
}

// -----

// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-LABEL: func @matmul_transposed_rhs
func.func @matmul_transposed_rhs(%a: tensor<2x4x8xf32>, %b: tensor<2x5x8xf32>) -> tensor<2x4x5xf32> {
  // CHECK: linalg.fill
  // CHECK: linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]],
  // CHECK-SAME: iterator_types = ["parallel", "parallel", "parallel", "reduction"]
  // CHECK: arith.mulf
  // CHECK: arith.addf
  %0 = tfc.matmul %a, %b {transpose_rhs} : (tensor<2x4x8xf32>, tensor<2x5x8xf32>) -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// -----

// A linear's weight map follows its layout: [N, K] by default, [K, N]
// with weight_layout "kn" (the output size comes from the weight's N).
// CHECK-DAG: #[[NK:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[KN:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-LABEL: func @linear_layouts
func.func @linear_layouts(%x: tensor<4x8xf32>, %wnk: tensor<5x8xf32>, %wkn: tensor<8x5xf32>) -> (tensor<4x5xf32>, tensor<4x5xf32>) {
  // CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[NK]], #{{.+}}]
  // CHECK-SAME: outs(%{{.*}} : tensor<4x5xf32>)
  // CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[KN]], #{{.+}}]
  // CHECK-SAME: ins(%{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8x5xf32>) outs(%{{.*}} : tensor<4x5xf32>)
  %0 = tfc.linear %x, %wnk : (tensor<4x8xf32>, tensor<5x8xf32>) -> tensor<4x5xf32>
  %1 = tfc.linear %x, %wkn {weight_layout = "kn"} : (tensor<4x8xf32>, tensor<8x5xf32>) -> tensor<4x5xf32>
  return %0, %1 : tensor<4x5xf32>, tensor<4x5xf32>
}

// -----

// A softmax over another axis than the last expands into max, exp, sum
// and divide generics.
// CHECK-LABEL: func @softmax_expands
func.func @softmax_expands(%a: tensor<2x8xf32>) -> tensor<2x8xf32> {
  // CHECK: arith.maximumf
  // CHECK: math.exp
  // CHECK: arith.addf
  // CHECK: arith.divf
  // CHECK-NOT: tfc.
  %0 = tfc.softmax %a {axis = 0 : i64} : tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// Over the last axis: one row kernel (RowSoftmaxKernel.cpp; numerics in
// row-softmax-kernel.test): per row the max, exp and sum, then the scale by
// 1 / sum, each a loop of whole vectors and a masked tail (here 2 x 16 of
// 40, then 8).
// CHECK-LABEL: func @softmax_rows
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<2x3x40xf32> into tensor<6x40xf32>
// CHECK: scf.forall
// CHECK: scf.for %{{.*}} = %c0 to %c32 step %c16
// CHECK: arith.cmpf ogt, {{.*}} : vector<16xf32>
// CHECK: scf.if
// CHECK: vector.transfer_read {{.*}} : tensor<6x40xf32>, vector<16xf32>
// CHECK: math.exp {{.*}} : vector<16xf32>
// CHECK: vector.reduction <add>
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: tensor.parallel_insert_slice
// CHECK: tensor.expand_shape
// CHECK-NOT: linalg.generic
func.func @softmax_rows(%a: tensor<2x3x40xf32>) -> tensor<2x3x40xf32> {
  %0 = tfc.softmax %a {axis = -1 : i64} : tensor<2x3x40xf32>
  return %0 : tensor<2x3x40xf32>
}

// -----

// CHECK-LABEL: func @transpose
func.func @transpose(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // CHECK: linalg.transpose
  %0 = tfc.transpose %a {permutation = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// A Gather by run-time indices gets a run-time check (RunChecks.cpp): the
// function takes the status buffer, the indices are scanned for one outside
// [-5, 5), a failure stores (check 1, the index), and the read is clamped.
// CHECK-LABEL: func @gather_checked
// CHECK-SAME: (%[[T:.+]]: tensor<5x3xf32>, %[[IDS:.+]]: tensor<4xi64>, %[[ST:.+]]: memref<2xi64> {tfc.run_status})
// CHECK-SAME: tfc.run_checks = ["node 'embed' (Gather): an index is outside the axis of 5 entries (indices count from -size to size - 1)"]
// CHECK: %[[SCAN:.+]]:2 = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[IDS]] : tensor<4xi64>)
// CHECK: %[[BAD:.+]] = tensor.extract %[[SCAN]]#1[]
// CHECK: %[[VALUE:.+]] = tensor.extract %[[SCAN]]#0[]
// CHECK: scf.if %[[BAD]] {
// CHECK-NEXT: memref.store %{{.*}}, %[[ST]][%{{.*}}] : memref<2xi64>
// CHECK-NEXT: memref.store %[[VALUE]], %[[ST]][%{{.*}}] : memref<2xi64>
// CHECK: linalg.generic
// CHECK: arith.minsi
// CHECK: arith.maxsi
// CHECK: tensor.extract %[[T]]
func.func @gather_checked(%t: tensor<5x3xf32>, %ids: tensor<4xi64>) -> tensor<4x3xf32> {
  %0 = tfc.gather %t, %ids {axis = 0 : i64} : (tensor<5x3xf32>, tensor<4xi64>) -> tensor<4x3xf32> loc("embed")
  return %0 : tensor<4x3xf32>
}

// -----

// A gathered axis whose size is only known at run time may be empty: the
// read is guarded (an empty axis reads 0, not the clamped index 0).
// CHECK-LABEL: func @gather_dynamic_axis
// CHECK: %[[Z:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: linalg.generic
// CHECK: %[[NONEMPTY:.+]] = arith.cmpi sgt
// CHECK-NEXT: %[[V:.+]] = scf.if %[[NONEMPTY]] -> (f32) {
// CHECK-NEXT: %[[E:.+]] = tensor.extract %arg0
// CHECK-NEXT: scf.yield %[[E]]
// CHECK-NEXT: } else {
// CHECK-NEXT: scf.yield %[[Z]]
// CHECK: linalg.yield %[[V]]
func.func @gather_dynamic_axis(%t: tensor<?x3xf32>, %ids: tensor<2xi64>) -> tensor<2x3xf32> {
  %0 = tfc.gather %t, %ids {axis = 0 : i64} : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Constant indices need no check: no status argument.
// CHECK-LABEL: func @gather_constant_indices
// CHECK-SAME: (%{{.+}}: tensor<5x3xf32>) -> tensor<2x3xf32> {
// CHECK-NOT: scf.if
func.func @gather_constant_indices(%t: tensor<5x3xf32>) -> tensor<2x3xf32> {
  %ids = arith.constant dense<[1, -1]> : tensor<2xi64>
  %0 = tfc.gather %t, %ids {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Integer division by a run-time divisor: zeros are reported, the division
// uses a divisor that cannot trap (0 -> 1; -1 computes -x).
// CHECK-LABEL: func @div_checked
// CHECK-SAME: %{{.+}}: memref<2xi64> {tfc.run_status}
// CHECK-SAME: tfc.run_checks = ["node 'ratio' (Div): an integer divisor is 0"]
// CHECK: iterator_types = ["reduction"]
// CHECK: scf.if
// CHECK: linalg.generic
// CHECK: %[[ZERO:.+]] = arith.cmpi eq, %[[D:.+]], %c0_i32
// CHECK: %[[NZ:.+]] = arith.select %[[ZERO]], %c1_i32, %[[D]]
// CHECK: %[[M1:.+]] = arith.cmpi eq, %[[NZ]], %c-1_i32
// CHECK: %[[SAFE:.+]] = arith.select %[[M1]], %c1_i32, %[[NZ]]
// CHECK: arith.divsi %{{.+}}, %[[SAFE]]
func.func @div_checked(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = tfc.div %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32> loc("ratio")
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func @reshape_runtime_shape
func.func @reshape_runtime_shape(%a: tensor<2x6xf32>, %s: tensor<2xi64>) -> tensor<?x?xf32> {
  // CHECK: cf.assert {{.*}} "tfc: reshape changes the number of elements"
  // CHECK: tensor.reshape
  %0 = tfc.reshape %a, %s : (tensor<2x6xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// A reshape that only fixes one dynamic dim (ViT's [?, 197, 768] ->
// [1, 197, 768] of a slice of the fused QKV result) is a checked cast: no
// tensor.reshape, whose bufferization would copy a strided input. Two
// dynamic dims could trade sizes, so that stays a reshape.
// CHECK-LABEL: func @reshape_refining_cast
// CHECK: cf.assert {{.*}} "tfc: reshape result differs from its type"
// CHECK-NOT: tensor.reshape
// CHECK: tensor.cast %{{.*}} : tensor<?x4x8xf32> to tensor<1x4x8xf32>
// CHECK-LABEL: func @reshape_two_dynamic
// CHECK: tensor.reshape
func.func @reshape_refining_cast(%a: tensor<?x4x8xf32>) -> tensor<1x4x8xf32> {
  %s = arith.constant dense<[1, 4, 8]> : tensor<3xi64>
  %0 = tfc.reshape %a, %s : (tensor<?x4x8xf32>, tensor<3xi64>) -> tensor<1x4x8xf32>
  return %0 : tensor<1x4x8xf32>
}
func.func @reshape_two_dynamic(%a: tensor<?x?xf32>) -> tensor<2x3xf32> {
  %s = arith.constant dense<[2, 3]> : tensor<2xi64>
  %0 = tfc.reshape %a, %s : (tensor<?x?xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Attention is a flash-style loop nest (a parallel forall over (batch, head)
// writing [Sq, Dv] slabs; the head's K^T once, then 64-row query tiles, then
// key tiles of up to 256 columns of K^T with the online softmax); no
// 128x128 score tensor exists, and no transpose runs per tile.
// CHECK-LABEL: func @attention_flash
// CHECK: scf.forall ({{.*}}, {{.*}}) in (1, 4) shared_outs
// K^T's rows are 128 + 16 elements long (one cache line more than Sk, so
// that reads down its columns spread over the L1 sets).
// CHECK: %[[KT:.*]] = tensor.empty(%c144) : tensor<16x?xf32>
// CHECK: tensor.extract_slice %[[KT]][0, 0] [16, %{{.*}}] [1, 1] : tensor<16x?xf32> to tensor<16x?xf32>
// K^T (f32, D = 16) in 16x16 blocks: 16 key rows read, transposed in
// registers, written as 16 rows of K^T; whole blocks of keys unmasked, a
// last partial one masked at Sk.
// CHECK: %[[KW:.*]] = arith.muli %{{.*}}, %c16 : index
// CHECK: scf.for %{{.*}} = %c0 to %[[KW]] step %c16 iter_args({{.*}}) -> (tensor<16x?xf32>)
// CHECK: arith.minsi
// CHECK: vector.transfer_read {{.*}} {in_bounds = [true]} : tensor<?x16xf32>, vector<16xf32>
// CHECK: vector.transpose %{{.*}}, [1, 0] : vector<16x16xf32> to vector<16x16xf32>
// CHECK: vector.transfer_write {{.*}} {in_bounds = [true]} : vector<16xf32>, tensor<16x?xf32>
// CHECK: scf.if
// CHECK: vector.transpose
// CHECK: vector.transfer_write %{{[^{]*}} : vector<16xf32>, tensor<16x?xf32>
// V of the head copied into rows of 16 + 16 elements.
// CHECK: %[[VROWS:.*]] = tensor.empty(%c32) : tensor<128x?xf32>
// CHECK: %[[VINIT:.*]] = tensor.extract_slice %[[VROWS]][0, 0] [128, 16] [1, 1]
// CHECK: linalg.copy ins(%{{.*}} : tensor<?x16xf32>) outs(%[[VINIT]] : tensor<128x16xf32>)
// CHECK: scf.for {{.*}} step %c64
// CHECK: scf.for {{.*}} step %c256 iter_args({{.*}}) -> (tensor<?xf32>, tensor<?xf32>, tensor<?x16xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: tensor.extract_slice %{{.*}}[0, %{{.*}}] [16, %{{.*}}] [1, 1] : tensor<16x?xf32> to tensor<16x?xf32>
// The f32 online-softmax step runs row by row on vector<16xf32>: the row
// max as compare-selects (one vmaxps each; halves down to one lane), then
// exp(s - max) written and summed in one pass (tail lanes read -inf). The
// scores come from the q k^T products as each pass reads them: scaled, and
// the keys a causal row cannot see set to -inf lane by lane.
// CHECK: vector.transfer_read {{.*}} : tensor<?x?xf32>, vector<16xf32>
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: vector.step : vector<16xindex>
// CHECK: arith.cmpi sle, {{.*}} : vector<16xi64>
// CHECK: %[[S:.*]] = arith.select {{.*}} : vector<16xi1>, vector<16xf32>
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[S]], %[[ACC:.*]] : vector<16xf32>
// CHECK: arith.select %[[GT]], %[[S]], %[[ACC]] : vector<16xi1>, vector<16xf32>
// CHECK: vector.extract_strided_slice {{.*}} {offsets = [8], sizes = [8], strides = [1]}
// CHECK: arith.cmpf ogt, {{.*}} : vector<8xf32>
// CHECK: arith.cmpf ogt, {{.*}} : vector<4xf32>
// CHECK: arith.cmpf ogt, {{.*}} : vector<2xf32>
// CHECK: arith.cmpf ogt, {{.*}} : vector<1xf32>
// CHECK: arith.cmpf ogt, {{.*}} : f32
// CHECK: vector.transfer_read {{.*}} : tensor<?x?xf32>, vector<16xf32>
// CHECK: vector.step
// CHECK: math.exp {{.*}} : vector<16xf32>
// CHECK: vector.transfer_write
// CHECK: vector.reduction <add>, {{.*}} fastmath<reassoc>
// CHECK: math.exp
// CHECK-NOT: tensor<1x4x128x128xf32>
// The output tile is acc * (1 / l): one division per row.
// CHECK: arith.divf %cst{{.*}}, %{{.*}} : f32
// CHECK-NEXT: linalg.yield
// CHECK-NEXT: } -> tensor<?xf32>
// CHECK-NEXT: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<?x16xf32>, tensor<?xf32>)
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.mulf
// CHECK: tensor.parallel_insert_slice {{.*}} [1, 1, %{{.*}}, 16]
// CHECK: return
func.func @attention_flash(%q: tensor<1x4x128x16xf32>, %k: tensor<1x4x128x16xf32>) -> tensor<1x4x128x16xf32> {
  %0 = tfc.attention %q, %k, %k {causal} : (tensor<1x4x128x16xf32>, tensor<1x4x128x16xf32>, tensor<1x4x128x16xf32>) -> tensor<1x4x128x16xf32>
  return %0 : tensor<1x4x128x16xf32>
}

// -----

// An additive mask joins the scores in the row code too: one FMA per vector
// of products, the [1, 1, 1, S] mask read as a row of keys.
// CHECK-LABEL: func @attention_mask_in_rows
// CHECK: scf.for {{.*}} step %c256
// CHECK-NOT: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// Each pass runs its whole vectors of keys in bounds (plain loads and
// stores) and the rest in one masked step: masked stores are slow on AVX2.
// CHECK: %[[W:.*]] = arith.muli %{{.*}}, %c16 : index
// CHECK: scf.for %{{.*}} = %c0 to %[[W]] step %c16
// CHECK: vector.transfer_read {{.*}} {in_bounds = [true]} : tensor<?x?xf32>, vector<16xf32>
// CHECK: %[[M:.*]] = vector.transfer_read {{.*}} {in_bounds = [true]} : tensor<1x?xf32>, vector<16xf32>
// CHECK: vector.fma %{{.*}}, %{{.*}}, %[[M]] : vector<16xf32>
// CHECK: arith.cmpi ult, %[[W]], %{{.*}} : index
// CHECK: scf.if
// CHECK: vector.transfer_read %{{[^{]*}} : tensor<?x?xf32>, vector<16xf32>
// CHECK: vector.transfer_read %{{[^{]*}} : tensor<1x?xf32>, vector<16xf32>
// CHECK: %[[W2:.*]] = arith.muli %{{.*}}, %c16 : index
// CHECK: scf.for %{{.*}} = %c0 to %[[W2]] step %c16
// CHECK: math.exp
// CHECK: vector.transfer_write {{.*}} {in_bounds = [true]} : vector<16xf32>, tensor<?x?xf32>
// CHECK: scf.if
// CHECK: math.exp
// CHECK: vector.transfer_write %{{[^{]*}} : vector<16xf32>, tensor<?x?xf32>
func.func @attention_mask_in_rows(%q: tensor<1x2x40x16xf32>, %m: tensor<1x1x1x40xf32>) -> tensor<1x2x40x16xf32> {
  %0 = tfc.attention %q, %q, %q, %m : (tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>, tensor<1x1x1x40xf32>) -> tensor<1x2x40x16xf32>
  return %0 : tensor<1x2x40x16xf32>
}

// -----

// A scale that is not positive would turn the -inf padding of the row reads
// into +inf or NaN: the scores are then a tile of their own.
// CHECK-LABEL: func @attention_negative_scale
// CHECK: scf.for {{.*}} step %c256
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: arith.mulf
// CHECK: linalg.yield
// CHECK-NOT: vector.fma
// CHECK: math.exp
func.func @attention_negative_scale(%q: tensor<1x2x40x16xf32>) -> tensor<1x2x40x16xf32> {
  %0 = tfc.attention %q, %q, %q {scale = -0.5 : f32} : (tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>, tensor<1x2x40x16xf32>) -> tensor<1x2x40x16xf32>
  return %0 : tensor<1x2x40x16xf32>
}

// -----

// A head size that is not a multiple of 16 keeps K^T a linalg.transpose.
// CHECK-LABEL: func @attention_key_transpose_d8
// CHECK: linalg.transpose ins(%{{.*}} : tensor<?x8xf32>) outs(%{{.*}} : tensor<8x?xf32>) permutation = [1, 0]
// CHECK-NOT: vector.transpose
// CHECK: return
func.func @attention_key_transpose_d8(%q: tensor<1x2x40x8xf32>) -> tensor<1x2x40x8xf32> {
  %0 = tfc.attention %q, %q, %q : (tensor<1x2x40x8xf32>, tensor<1x2x40x8xf32>, tensor<1x2x40x8xf32>) -> tensor<1x2x40x8xf32>
  return %0 : tensor<1x2x40x8xf32>
}
