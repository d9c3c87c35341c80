// A lookup in a run-time table: its row count (the gathered axis) is only
// known when the model runs, and may be 0.
func.func @main(%table: tensor<?x3xf32>, %ids: tensor<2xi64>) -> tensor<2x3xf32> {
  %0 = tfc.gather %table, %ids {axis = 0 : i64} : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<2x3xf32> loc("lookup")
  return %0 : tensor<2x3xf32>
}
