//===- CompilePhases.h - wall time and memory of each compile phase -*- C++
//-*-===//
//
// What `--timing` prints (tfc-run, tfc-compile): per phase its wall time,
// and the process's resident memory when it ended and at its peak so far,
// so that a phase that holds weights twice shows where.
//
//===----------------------------------------------------------------------===//
#ifndef TFC_RUNTIME_COMPILEPHASES_H
#define TFC_RUNTIME_COMPILEPHASES_H

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace llvm {
class raw_ostream;
}

namespace tfc::runtime {

struct CompilePhase {
  std::string name;
  double ms = 0;
  /// The resident set at the end of the phase and the peak of the process
  /// up to then, in bytes (0 where the system does not say).
  size_t residentBytes = 0, peakBytes = 0;
};

/// The phase `name` that began at `start`, ending now.
CompilePhase endPhase(std::string name,
                      std::chrono::steady_clock::time_point start);

/// One line per phase ("compile time: NAME  MS ms, RESIDENT MiB resident,
/// PEAK MiB peak"), then the total time and the peak.
void printCompilePhases(llvm::raw_ostream &os,
                        const std::vector<CompilePhase> &phases);

} // namespace tfc::runtime

#endif // TFC_RUNTIME_COMPILEPHASES_H
