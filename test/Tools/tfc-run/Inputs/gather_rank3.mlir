// Rows of a rank-3 table (run-errors.test reads the table from a
// Fortran-ordered .npy).
func.func @main(%table: tensor<2x3x4xf32>, %ids: tensor<2xi64>) -> tensor<2x3x4xf32> {
  %0 = tfc.gather %table, %ids {axis = 0 : i64} : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}
