// RUN: tfc-opt %s -split-input-file -tfc-raise-gelu=remarks=1 -canonicalize -verify-diagnostics | FileCheck %s

// torch's erf export: x * (1 + erf(x / sqrt 2)) * 0.5.
// CHECK-LABEL: func @erf_form
// CHECK: %[[G:.+]] = tfc.gelu %arg0 : tensor<2x16xf32>
// CHECK-NEXT: return %[[G]]
func.func @erf_form(%x: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %sqrt2 = arith.constant dense<1.41421354> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %half = arith.constant dense<0.5> : tensor<f32>
  %a = tfc.div %x, %sqrt2 : (tensor<2x16xf32>, tensor<f32>) -> tensor<2x16xf32>
  %e = tfc.erf %a : tensor<2x16xf32>
  %b = tfc.add %e, %one : (tensor<2x16xf32>, tensor<f32>) -> tensor<2x16xf32>
  %c = tfc.mul %x, %b : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  %d = tfc.mul %c, %half : (tensor<2x16xf32>, tensor<f32>) -> tensor<2x16xf32>
  return %d : tensor<2x16xf32>
}

// -----

// The erf form with 0.5 on x first and x * 0.70710678 inside.
// CHECK-LABEL: func @erf_form_half_first
// CHECK: tfc.gelu %arg0 : tensor<2x16xf32>
func.func @erf_form_half_first(%x: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %rsqrt2 = arith.constant dense<0.707106769> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %half = arith.constant dense<0.5> : tensor<f32>
  %h = tfc.mul %half, %x : (tensor<f32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  %a = tfc.mul %x, %rsqrt2 : (tensor<2x16xf32>, tensor<f32>) -> tensor<2x16xf32>
  %e = tfc.erf %a : tensor<2x16xf32>
  %b = tfc.add %one, %e : (tensor<f32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  %d = tfc.mul %h, %b : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  return %d : tensor<2x16xf32>
}

// -----

// The tanh form with x * x * x (torch's approximate="tanh" export).
// CHECK-LABEL: func @tanh_form_product
// CHECK: tfc.gelu %arg0 {approximate = "tanh"} : tensor<2x16xf32>
func.func @tanh_form_product(%x: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %half = arith.constant dense<0.5> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %k = arith.constant dense<0.797884583> : tensor<f32>
  %a = arith.constant dense<4.471500e-02> : tensor<f32>
  %x2 = tfc.mul %x, %x : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  %x3 = tfc.mul %x, %x2 : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  %ax3 = tfc.mul %x3, %a : (tensor<2x16xf32>, tensor<f32>) -> tensor<2x16xf32>
  %in = tfc.add %x, %ax3 : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  %u = tfc.mul %in, %k : (tensor<2x16xf32>, tensor<f32>) -> tensor<2x16xf32>
  %t = tfc.tanh %u : tensor<2x16xf32>
  %t1 = tfc.add %t, %one : (tensor<2x16xf32>, tensor<f32>) -> tensor<2x16xf32>
  %y = tfc.mul %x, %t1 : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  %z = tfc.mul %y, %half : (tensor<2x16xf32>, tensor<f32>) -> tensor<2x16xf32>
  return %z : tensor<2x16xf32>
}

// -----

// The tanh form with pow(x, 3) and sqrt(2/pi) spelled as a computation.
// CHECK-LABEL: func @tanh_form_pow
// CHECK: tfc.gelu %arg0 {approximate = "tanh"} : tensor<2x16xf32>
func.func @tanh_form_pow(%x: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %half = arith.constant dense<0.5> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %three = arith.constant dense<3.0> : tensor<f32>
  %k = arith.constant dense<0.797884583> : tensor<f32>
  %a = arith.constant dense<4.471500e-02> : tensor<f32>
  %hx = tfc.mul %half, %x : (tensor<f32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  %x3 = tfc.pow %x, %three : (tensor<2x16xf32>, tensor<f32>) -> tensor<2x16xf32>
  %ax3 = tfc.mul %a, %x3 : (tensor<f32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  %in = tfc.add %ax3, %x : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  %u = tfc.mul %k, %in : (tensor<f32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  %t = tfc.tanh %u : tensor<2x16xf32>
  %t1 = tfc.add %one, %t : (tensor<f32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  %y = tfc.mul %hx, %t1 : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  return %y : tensor<2x16xf32>
}

// -----

// Near-miss: a coefficient that is not GELU's.
// CHECK-LABEL: func @wrong_coefficient
// CHECK-NOT: tfc.gelu
func.func @wrong_coefficient(%x: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %half = arith.constant dense<0.5> : tensor<f32>
  %one = arith.constant dense<1.0> : tensor<f32>
  %k = arith.constant dense<0.8> : tensor<f32>
  %a = arith.constant dense<4.471500e-02> : tensor<f32>
  %x2 = tfc.mul %x, %x : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  %x3 = tfc.mul %x, %x2 : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  %ax3 = tfc.mul %x3, %a : (tensor<2x16xf32>, tensor<f32>) -> tensor<2x16xf32>
  %in = tfc.add %x, %ax3 : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  %u = tfc.mul %in, %k : (tensor<2x16xf32>, tensor<f32>) -> tensor<2x16xf32>
  %t = tfc.tanh %u : tensor<2x16xf32>
  %t1 = tfc.add %t, %one : (tensor<2x16xf32>, tensor<f32>) -> tensor<2x16xf32>
  %y = tfc.mul %x, %t1 : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  // expected-remark @+1 {{tfc-raise-gelu: not fused: tanh form with constants 0.800000, 0.044715, 0.500000 (need sqrt(2/pi) = 0.79788, 0.044715, 0.5)}}
  %z = tfc.mul %y, %half : (tensor<2x16xf32>, tensor<f32>) -> tensor<2x16xf32>
  return %z : tensor<2x16xf32>
}

// -----

// Not a GELU at all: x * (1 + erf(x)) has no 1/sqrt(2); reported, not fused.
// CHECK-LABEL: func @erf_without_scale
// CHECK-NOT: tfc.gelu
func.func @erf_without_scale(%x: tensor<2x16xf32>) -> tensor<2x16xf32> {
  %one = arith.constant dense<1.0> : tensor<f32>
  %e = tfc.erf %x : tensor<2x16xf32>
  %b = tfc.add %e, %one : (tensor<2x16xf32>, tensor<f32>) -> tensor<2x16xf32>
  // expected-remark @+1 {{not fused: erf form with constants 1.000000 and 1.000000}}
  %c = tfc.mul %x, %b : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
  return %c : tensor<2x16xf32>
}
