//===- ThreadsOption.h - the tools' --threads T option -----------*- C++ -*-===//
//
// Parsed by hand before llvm::cl: libLLVM already registers a cl::opt named
// "threads".
//
//===----------------------------------------------------------------------===//
#ifndef TFC_TOOLS_THREADSOPTION_H
#define TFC_TOOLS_THREADSOPTION_H

#include "llvm/ADT/StringRef.h"

#include <string>

/// The most --threads accepted: more than any machine's hardware threads
/// (libomp would otherwise try to start a team of that size).
inline constexpr unsigned kMaxThreads = 1024;

/// Removes --threads[=]T from argv into `threads`; returns false on a
/// missing value or one outside 1..kMaxThreads.
inline bool takeThreadsOption(int &argc, char **argv, unsigned &threads) {
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef a(argv[i]);
    llvm::StringRef value;
    if (a == "--threads" || a == "-threads") {
      if (i + 1 >= argc)
        return false;
      value = argv[++i];
    } else if (a.consume_front("--threads=") || a.consume_front("-threads=")) {
      value = a;
    } else {
      argv[out++] = argv[i];
      continue;
    }
    if (value.getAsInteger(10, threads) || threads == 0 ||
        threads > kMaxThreads)
      return false;
  }
  argc = out;
  return true;
}

/// The accepted range as the tools' messages give it: "1 to 1024".
inline std::string threadsRange() {
  return "1 to " + std::to_string(kMaxThreads);
}

#endif
