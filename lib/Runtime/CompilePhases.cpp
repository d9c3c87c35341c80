//===- CompilePhases.cpp - wall time and memory of each compile phase -----===//
#include "tfc/Runtime/CompilePhases.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

using namespace ::tfc::runtime;

/// VmRSS and VmHWM of /proc/self/status, in bytes (0 where absent).
static void readMemory(size_t &resident, size_t &peak) {
  resident = peak = 0;
  FILE *f = std::fopen("/proc/self/status", "r");
  if (!f)
    return;
  char line[256];
  unsigned long kb;
  while (std::fgets(line, sizeof line, f)) {
    if (std::sscanf(line, "VmRSS: %lu kB", &kb) == 1)
      resident = (size_t)kb << 10;
    else if (std::sscanf(line, "VmHWM: %lu kB", &kb) == 1)
      peak = (size_t)kb << 10;
  }
  std::fclose(f);
}

CompilePhase
tfc::runtime::endPhase(std::string name,
                       std::chrono::steady_clock::time_point start) {
  CompilePhase p;
  p.name = std::move(name);
  p.ms = std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - start)
             .count();
  readMemory(p.residentBytes, p.peakBytes);
  return p;
}

void tfc::runtime::printCompilePhases(llvm::raw_ostream &os,
                                      const std::vector<CompilePhase> &phases) {
  size_t width = 5; // "total"
  for (const CompilePhase &p : phases)
    width = std::max(width, p.name.size());
  auto mib = [](size_t bytes) { return bytes / (1024.0 * 1024.0); };
  double total = 0;
  size_t peak = 0;
  for (const CompilePhase &p : phases) {
    os << llvm::format("compile time: %-*s %9.1f ms", (int)width,
                       p.name.c_str(), p.ms);
    if (p.peakBytes)
      os << llvm::format(", %6.0f MiB resident, %6.0f MiB peak",
                         mib(p.residentBytes), mib(p.peakBytes));
    os << "\n";
    total += p.ms;
    peak = std::max(peak, p.peakBytes);
  }
  os << llvm::format("compile time: %-*s %9.1f ms", (int)width, "total", total);
  if (peak)
    os << llvm::format(", %6.0f MiB peak", mib(peak));
  os << "\n";
}
