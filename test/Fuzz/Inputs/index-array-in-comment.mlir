// array<index: 1> in a comment, and in a string below, is no dense array.
func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> attributes {note = "array<index: 2>", sizes = array<i64: 1, 2>} {
  return %x : tensor<4xf32>
}
