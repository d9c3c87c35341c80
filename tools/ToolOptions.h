//===- ToolOptions.h - the option category of tfc's tools -------*- C++ -*-===//
//
// tfc-run and tfc-compile list only their own options under --help: the
// hundreds that libLLVM and libMLIR register (backends, passes) stay
// accepted but unlisted. Each of the tools' options names this category.
//
//===----------------------------------------------------------------------===//
#ifndef TFC_TOOLS_TOOLOPTIONS_H
#define TFC_TOOLS_TOOLOPTIONS_H

#include "llvm/Support/CommandLine.h"

namespace tfc_tools {

inline llvm::cl::OptionCategory toolOptions("Options");

/// Hides every option outside toolOptions (and --help, --version) from
/// --help; call before parsing.
inline void listOnlyToolOptions() {
  llvm::cl::HideUnrelatedOptions(toolOptions);
}

} // namespace tfc_tools

#endif
