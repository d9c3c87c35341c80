// Four heads of 256 keys: the attention kernel's per-head buffers (the
// head's K^T, 64 KiB) are allocated inside its parallel loop over heads.
func.func @main(%q: tensor<1x4x256x64xf32>, %k: tensor<1x4x256x64xf32>, %v: tensor<1x4x256x64xf32>) -> tensor<1x4x256x64xf32> {
  %r = tfc.attention %q, %k, %v {} : (tensor<1x4x256x64xf32>, tensor<1x4x256x64xf32>, tensor<1x4x256x64xf32>) -> tensor<1x4x256x64xf32>
  return %r : tensor<1x4x256x64xf32>
}
