// RUN: tfc-opt %s -tfc-cpu-approximate-math | FileCheck %s

// f32 exp, erf and tanh (scalar or vector) become arith polynomials; other
// element types and functions stay math ops for the libm lowering.
// CHECK-LABEL: func @approximated
// CHECK-NOT: math.exp
// CHECK-NOT: math.erf
// CHECK-NOT: math.tanh
// CHECK: arith.mulf
// CHECK: return
func.func @approximated(%x: f32, %v: vector<16xf32>) -> (f32, f32, vector<16xf32>) {
  %a = math.exp %x : f32
  %b = math.erf %x : f32
  %c = math.tanh %v : vector<16xf32>
  return %a, %b, %c : f32, f32, vector<16xf32>
}

// erf: x clamped to [-3.92, 3.92] by compare-selects (NaN passes), then
// t * P(t^2) / Q(t^2) with 6 + 4 FMAs and one division, clamped to [-1, 1].
// CHECK-LABEL: func @erf
// CHECK-SAME: (%[[X:.*]]: vector<16xf32>)
// CHECK: %[[LO:.*]] = arith.constant dense<-3.920000e+00>
// CHECK: %[[HI:.*]] = arith.constant dense<3.920000e+00>
// CHECK: %[[BELOW:.*]] = arith.cmpf ogt, %[[LO]], %[[X]]
// CHECK: %[[T0:.*]] = arith.select %[[BELOW]], %[[LO]], %[[X]]
// CHECK: %[[ABOVE:.*]] = arith.cmpf ogt, %[[T0]], %[[HI]]
// CHECK: %[[T:.*]] = arith.select %[[ABOVE]], %[[HI]], %[[T0]]
// CHECK: %[[U:.*]] = arith.mulf %[[T]], %[[T]]
// CHECK-COUNT-6: llvm.intr.fma
// CHECK: %[[TP:.*]] = arith.mulf %[[T]], %{{.*}}
// CHECK-COUNT-4: llvm.intr.fma
// CHECK: %[[E:.*]] = arith.divf %[[TP]], %{{.*}}
// CHECK-COUNT-2: arith.select
// CHECK-NOT: arith.divf
// CHECK: return
func.func @erf(%x: vector<16xf32>) -> vector<16xf32> {
  %r = math.erf %x : vector<16xf32>
  return %r : vector<16xf32>
}

// CHECK-LABEL: func @kept
// CHECK: math.exp %{{.*}} : f64
// CHECK: math.log %{{.*}} : f32
func.func @kept(%x: f64, %y: f32) -> (f64, f32) {
  %a = math.exp %x : f64
  %b = math.log %y : f32
  return %a, %b : f64, f32
}
