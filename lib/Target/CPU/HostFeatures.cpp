//===- HostFeatures.cpp - CPU kernel parameters from the host's features --===//
#include "tfc/Target/CPU/Passes.h"

#include "llvm/TargetParser/Host.h"

mlir::tfc::GemmBlocking mlir::tfc::hostGemmBlocking() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  // kc: on Zen 5 (AVX-512) BERT-base ran faster with f32 slices of 512
  // than 256, 384 or 768 (1 thread, 8 alternating rounds: 117.3 against
  // 121.3, 120.3 ms; 2 threads 59.7 against 60.9), ViT-B/16 191.2 against
  // 195.0, GPT-2 level; bf16 stayed best at 256 (62.1 against 62.9 ms).
  if (features.lookup("avx512f"))
    return {8, 32, 512, 256};
  // AVX2 (16 ymm registers): 6 x 16 keeps 12 accumulators in flight, enough
  // to cover the FMA latency of two pipes, where 4 x 16's 8 left none to
  // spare. On Zen 3 (1 thread, median of 2 x 100 runs) the linears of 197
  // rows went from 10.36 to 9.47 ms (768->3072) and 10.73 to 9.62 ms
  // (3072->768) with k slices of 768 instead of 256; 512 was in between,
  // 1024 level. Models: BERT-base 253 -> 242 ms, GPT-2 376 -> 355 ms,
  // ViT-B/16 425 -> 382 ms. kcBF16 is unused: bf16 needs AVX-512.
  return {6, 16, 768, 256};
}

bool mlir::tfc::hostHasBF16() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  return features.lookup("avx512bf16") && features.lookup("avx512f");
}
