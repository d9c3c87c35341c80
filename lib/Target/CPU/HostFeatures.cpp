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
  return {4, 16, 256, 256};
}

bool mlir::tfc::hostHasBF16() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  return features.lookup("avx512bf16") && features.lookup("avx512f");
}
