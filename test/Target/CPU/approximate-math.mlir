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

// CHECK-LABEL: func @kept
// CHECK: math.exp %{{.*}} : f64
// CHECK: math.log %{{.*}} : f32
func.func @kept(%x: f64, %y: f32) -> (f64, f32) {
  %a = math.exp %x : f64
  %b = math.log %y : f32
  return %a, %b : f64, f32
}
