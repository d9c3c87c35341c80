//===- AotCompiler.h - a lowered model as a shared library ------*- C++ -*-===//
#ifndef TFC_RUNTIME_AOTCOMPILER_H
#define TFC_RUNTIME_AOTCOMPILER_H

#include "tfc/Runtime/ModelLowering.h"

namespace tfc::runtime {

struct AotOptions {
  std::string libraryPath; ///< the shared library to write
  std::string headerPath;  ///< its C header ("" = none)
  std::string cc;          ///< C compiler driver that links the library
  bool keepTemps = false;  ///< keep the object, glue and weight files
  int optLevel = 3;        ///< LLVM optimization level
  unsigned threads = 1;    ///< links libomp when > 1
  /// The CPU to compile for ("" or "host", or an x86-64 CPU name of
  /// LLVM's); the library checks that the CPU it runs on has its features.
  std::string cpu;
};

/// Writes `lowered` (see lowerToLLVMDialect) as a shared library exporting
/// the C API of tfc-c/Model.h: the model's machine code for the host CPU,
/// its weights (read-only data) and the C runtime. Appends its phases to
/// `lowered.phases`. Returns false with `error` set on failure.
bool writeSharedLibrary(LoweredModel &lowered, const AotOptions &options,
                        std::string &error);

/// The C compiler the build used (the default of AotOptions::cc).
const char *defaultHostCompiler();

} // namespace tfc::runtime

#endif
