//===- CrashReport.h - what tfc's tools print on a crash -------*- C++ -*-===//
//
// LLVM's signal handlers print a stack dump on a crash, headed by a request
// to report it to LLVM's issue tracker; a crash of a tfc tool is tfc's to
// fix, so the tools ask for a report to tfc with what reproduces it.
//
//===----------------------------------------------------------------------===//
#ifndef TFC_TOOLS_CRASHREPORT_H
#define TFC_TOOLS_CRASHREPORT_H

#include "llvm/Support/PrettyStackTrace.h"

namespace tfc_tools {

/// Call first thing in main.
inline void setCrashReportMessage() {
  llvm::setBugReportMsg(
      "PLEASE report this to the tfc maintainers with the model, the command "
      "line and the stack dump below.\n");
}

} // namespace tfc_tools

#endif
