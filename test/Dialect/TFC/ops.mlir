// Round trip: parse, print, parse again, also through the generic form.
// RUN: tfc-opt %s | tfc-opt | FileCheck %s
// RUN: tfc-opt %s --mlir-print-op-generic | tfc-opt | FileCheck %s

// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x3xi1>, %u: tensor<4xui8>) -> tensor<2x3xf32> {
  // CHECK: tfc.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = tfc.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = tfc.sub %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = tfc.mul %1, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = tfc.div %2, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: tfc.pow
  %4 = tfc.pow %3, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %5 = tfc.max %4, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %6 = tfc.min %5, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: tfc.less {{.*}} -> tensor<2x3xi1>
  %7 = tfc.less %6, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  %8 = tfc.equal %6, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  %9 = tfc.greater %6, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  %10 = tfc.and %7, %8 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  %11 = tfc.or %10, %9 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  %12 = tfc.not %11 : tensor<2x3xi1>
  // CHECK: tfc.where
  %13 = tfc.where %12, %6, %a : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %14 = tfc.neg %13 : tensor<2x3xf32>
  %15 = tfc.abs %14 : tensor<2x3xf32>
  %16 = tfc.sqrt %15 : tensor<2x3xf32>
  %17 = tfc.reciprocal %16 : tensor<2x3xf32>
  %18 = tfc.exp %17 : tensor<2x3xf32>
  %19 = tfc.log %18 : tensor<2x3xf32>
  %20 = tfc.tanh %19 : tensor<2x3xf32>
  %21 = tfc.erf %20 : tensor<2x3xf32>
  // CHECK: tfc.sin
  // CHECK: tfc.cos
  %sn = tfc.sin %21 : tensor<2x3xf32>
  %cs = tfc.cos %sn : tensor<2x3xf32>
  // CHECK: tfc.cumsum %{{.*}} {axis = 1 : i64, exclusive, reverse} : tensor<2x3xf32>
  %cu = tfc.cumsum %cs {axis = 1 : i64, exclusive, reverse} : tensor<2x3xf32>
  %22 = tfc.relu %cu : tensor<2x3xf32>
  %23 = tfc.sigmoid %22 : tensor<2x3xf32>
  // CHECK: tfc.gelu %{{.*}} {approximate = "tanh"}
  %24 = tfc.gelu %23 {approximate = "tanh"} : tensor<2x3xf32>
  // CHECK: tfc.cast %{{.*}} : tensor<4xui8> to tensor<4xf32>
  %25 = tfc.cast %u : tensor<4xui8> to tensor<4xf32>
  return %24 : tensor<2x3xf32>
}

// CHECK-LABEL: func @transformer
func.func @transformer(%x: tensor<1x8x64xf32>, %w: tensor<128x64xf32>, %b: tensor<128xf32>,
                       %g: tensor<64xf32>, %q: tensor<1x4x8x16xf32>, %m: tensor<1x1x1x8xf32>, %kv: tensor<1x8x32xf32>) -> tensor<1x4x8x16xf32> {
  // CHECK: tfc.linear %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x8x64xf32>, tensor<128x64xf32>, tensor<128xf32>) -> tensor<1x8x128xf32>
  %0 = tfc.linear %x, %w, %b : (tensor<1x8x64xf32>, tensor<128x64xf32>, tensor<128xf32>) -> tensor<1x8x128xf32>
  %1 = tfc.linear %x, %w : (tensor<1x8x64xf32>, tensor<128x64xf32>) -> tensor<1x8x128xf32>
  // CHECK: tfc.linear %{{.*}}, %{{.*}} {weight_layout = "kn"} : (tensor<1x8x64xf32>, tensor<64x128xf32>) -> tensor<1x8x128xf32>
  %wkn = tfc.transpose %w {permutation = array<i64: 1, 0>} : (tensor<128x64xf32>) -> tensor<64x128xf32>
  %kn = tfc.linear %x, %wkn {weight_layout = "kn"} : (tensor<1x8x64xf32>, tensor<64x128xf32>) -> tensor<1x8x128xf32>
  // CHECK: tfc.matmul %{{.*}}, %{{.*}} {transpose_rhs}
  %2 = tfc.matmul %q, %q {transpose_rhs} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x8xf32>
  // CHECK: tfc.softmax %{{.*}} : tensor<1x4x8x8xf32>
  %3 = tfc.softmax %2 {axis = -1 : i64} : tensor<1x4x8x8xf32>
  %4 = tfc.log_softmax %2 : tensor<1x4x8x8xf32>
  // CHECK: tfc.layer_norm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x8x64xf32>, tensor<64xf32>, tensor<64xf32>)
  %5 = tfc.layer_norm %x, %g, %g {axis = -1 : i64, epsilon = 1.0e-5 : f32} : (tensor<1x8x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x8x64xf32>
  %6 = tfc.layer_norm %x : (tensor<1x8x64xf32>) -> tensor<1x8x64xf32>
  // CHECK: tfc.layer_norm %{{.*}}, %{{.*}} residual(%{{.*}}) : (tensor<1x8x64xf32>, tensor<64xf32>, tensor<1x8x64xf32>)
  %r6 = tfc.layer_norm %x, %g residual(%x) : (tensor<1x8x64xf32>, tensor<64xf32>, tensor<1x8x64xf32>) -> tensor<1x8x64xf32>
  // CHECK: tfc.rms_norm
  %7 = tfc.rms_norm %x, %g {epsilon = 1.0e-6 : f32} : (tensor<1x8x64xf32>, tensor<64xf32>) -> tensor<1x8x64xf32>
  // CHECK: tfc.attention %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {causal, scale = 2.500000e-01 : f32}
  %8 = tfc.attention %q, %q, %q, %m {causal, scale = 0.25 : f32} : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x1x1x8xf32>) -> tensor<1x4x8x16xf32>
  %9 = tfc.attention %q, %q, %q : (tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  // CHECK: tfc.attention %{{.*}}, %{{.*}}, %{{.*}} {num_heads = 4 : i64} : (tensor<1x8x64xf32>, tensor<1x8x32xf32>, tensor<1x8x32xf32>) -> tensor<1x8x64xf32>
  %p = tfc.attention %x, %kv, %kv {num_heads = 4 : i64} : (tensor<1x8x64xf32>, tensor<1x8x32xf32>, tensor<1x8x32xf32>) -> tensor<1x8x64xf32>
  // CHECK: tfc.einsum
  %10 = tfc.einsum %2, %q {equation = "bhij,bhjd->bhid"} : (tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %10 : tensor<1x4x8x16xf32>
}

// CHECK-LABEL: func @shapes
func.func @shapes(%x: tensor<?x6xf32>, %s: tensor<2xi64>, %i: tensor<3xi64>, %k: tensor<i64>, %img: tensor<1x3x8x8xf32>, %f: tensor<4x3x2x2xf32>) -> tensor<?x6xf32> {
  // CHECK: tfc.transpose %{{.*}} {permutation = array<i64: 1, 0>}
  %0 = tfc.transpose %x {permutation = array<i64: 1, 0>} : (tensor<?x6xf32>) -> tensor<6x?xf32>
  %1 = tfc.reshape %x, %s {allowzero} : (tensor<?x6xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %2 = tfc.expand %x, %s : (tensor<?x6xf32>, tensor<2xi64>) -> tensor<?x6xf32>
  // CHECK: tfc.concat
  %3 = tfc.concat %x, %x {axis = 0 : i64} : (tensor<?x6xf32>, tensor<?x6xf32>) -> tensor<?x6xf32>
  // CHECK: tfc.split %{{.*}} {axis = 1 : i64, sizes = array<i64: 2, 4>}
  %4:2 = tfc.split %x {axis = 1 : i64, sizes = array<i64: 2, 4>} : (tensor<?x6xf32>) -> (tensor<?x2xf32>, tensor<?x4xf32>)
  %5 = tfc.slice %x, %s, %s, %s, %s : (tensor<?x6xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
  %6 = tfc.gather %x, %i {axis = 1 : i64} : (tensor<?x6xf32>, tensor<3xi64>) -> tensor<?x3xf32>
  %7 = tfc.shape %x {start = 0 : i64, end = 2 : i64} : (tensor<?x6xf32>) -> tensor<2xi64>
  // CHECK: tfc.constant_of_shape %{{.*}} {value = 1.000000e+00 : f32}
  %8 = tfc.constant_of_shape %7 {value = 1.0 : f32} : (tensor<2xi64>) -> tensor<?x?xf32>
  %9 = tfc.range %k, %k, %k : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  // CHECK: tfc.trilu %{{.*}}, %{{.*}} {upper}
  %10 = tfc.trilu %x, %k {upper} : (tensor<?x6xf32>, tensor<i64>) -> tensor<?x6xf32>
  // CHECK: tfc.reduce_sum %{{.*}} {axes = array<i64: 1>, keepdims}
  %11 = tfc.reduce_sum %x {axes = array<i64: 1>, keepdims} : (tensor<?x6xf32>) -> tensor<?x1xf32>
  %12 = tfc.reduce_mean %x {axes = array<i64>} : (tensor<?x6xf32>) -> tensor<f32>
  %13 = tfc.reduce_max %x {axes = array<i64: 0>} : (tensor<?x6xf32>) -> tensor<6xf32>
  %14 = tfc.reduce_min %x {axes = array<i64: -1>} : (tensor<?x6xf32>) -> tensor<?xf32>
  // CHECK: tfc.conv
  %15 = tfc.conv %img, %f {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x2x2xf32>) -> tensor<1x4x4x4xf32>
  return %10 : tensor<?x6xf32>
}
