//===- HostFeatures.cpp - CPU kernel parameters from the host's features --===//
#include "tfc/Target/CPU/Passes.h"

#include "llvm/TargetParser/Host.h"

mlir::tfc::GemmBlocking mlir::tfc::hostGemmBlocking() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (features.lookup("avx512f"))
    return {8, 32, 256};
  return {4, 16, 256};
}

bool mlir::tfc::hostHasBF16() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  return features.lookup("avx512bf16") && features.lookup("avx512f");
}
