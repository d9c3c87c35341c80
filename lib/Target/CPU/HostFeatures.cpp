//===- HostFeatures.cpp - CPU kernel parameters from the CPU's features ---===//
#include "tfc/Target/CPU/Passes.h"

#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/X86TargetParser.h"

using namespace mlir::tfc;

std::optional<TargetCPU> mlir::tfc::resolveTargetCPU(llvm::StringRef name,
                                                     std::string &error) {
  TargetCPU cpu;
  if (name.empty() || name == "host") {
    cpu.name = llvm::sys::getHostCPUName().str();
    cpu.host = true;
    for (const auto &f : llvm::sys::getHostCPUFeatures())
      if (f.second)
        cpu.features.insert(f.first());
    return cpu;
  }
  if (llvm::X86::parseArchX86(name, /*Only64Bit=*/true) == llvm::X86::CK_None) {
    error = "unknown CPU '" + name.str() +
            "': --cpu takes 'host' or an x86-64 CPU name of LLVM's, such as "
            "x86-64, x86-64-v2, x86-64-v3, x86-64-v4, haswell, "
            "skylake-avx512, sapphirerapids, znver3, znver4 or znver5";
    return std::nullopt;
  }
  cpu.name = name.str();
  // The CPU's own features, then those they imply (x86-64-v4 lists
  // avx512bw, which implies avx512f and avx2).
  llvm::SmallVector<llvm::StringRef> own;
  llvm::X86::getFeaturesForCPU(name, own);
  llvm::StringMap<bool> all;
  for (llvm::StringRef f : own) {
    all[f] = true;
    llvm::X86::updateImpliedFeatures(f, /*Enabled=*/true, all);
  }
  for (const auto &f : all)
    if (f.second)
      cpu.features.insert(f.first());
  return cpu;
}

GemmBlocking mlir::tfc::gemmBlockingFor(const TargetCPU &cpu) {
  // kc: on Zen 5 (AVX-512) BERT-base ran faster with f32 slices of 512
  // than 256, 384 or 768 (1 thread, 8 alternating rounds: 117.3 against
  // 121.3, 120.3 ms; 2 threads 59.7 against 60.9), ViT-B/16 191.2 against
  // 195.0, GPT-2 level; bf16 stayed best at 256 (62.1 against 62.9 ms).
  if (cpu.has("avx512f"))
    return {8, 32, 512, 256};
  // AVX2 (16 ymm registers): 6 x 16 keeps 12 accumulators in flight, enough
  // to cover the FMA latency of two pipes, where 4 x 16's 8 left none to
  // spare. On Zen 3 (1 thread, median of 2 x 100 runs) the linears of 197
  // rows went from 10.36 to 9.47 ms (768->3072) and 10.73 to 9.62 ms
  // (3072->768) with k slices of 768 instead of 256; 512 was in between,
  // 1024 level. Models: BERT-base 253 -> 242 ms, GPT-2 376 -> 355 ms,
  // ViT-B/16 425 -> 382 ms. kcBF16 is unused: bf16 needs AVX-512.
  if (cpu.has("avx"))
    return {6, 16, 768, 256};
  // SSE only (16 xmm registers of 4 floats): 6 x 8 is the same 12
  // accumulator registers.
  return {6, 8, 768, 256};
}

bool mlir::tfc::hasBF16(const TargetCPU &cpu) {
  return cpu.has("avx512bf16") && cpu.has("avx512f");
}
