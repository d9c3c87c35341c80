
// concat // RUN: tfc-opt %s -split-input-file -tfc-raise-norms=remarks=1 -canonicalize -verify-diagnostics | FileCheck %s

// LayerNorm decomposition (Pow 2, Div) with gamma and beta.
// CHECK-LABEL: func @layer_norm
// CHECK: %[[N:.+]] = tfc.layer_norm %arg0, %arg1, %arg2 {axis = 2 : C3
fui