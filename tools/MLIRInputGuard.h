//===- MLIRInputGuard.h - MLIR text input of the tools ------*- C++ -*-===//
//
// MLIR 22's parser crashes (a null dereference; an assertion in debug
// builds) on a dense array attribute of `index` elements, `array<index:
// ...>`: it asks an index type for its bit width (llvm-project issue 179045,
// fixed after 22). tfc's tools that parse MLIR text look for it first and
// report an error instead (found by mlir_parse_fuzzer); tfc-run and
// tfc-compile read their MLIR models through parseMLIRFile.
//
//===----------------------------------------------------------------------===//
#ifndef TFC_TOOLS_MLIRINPUTGUARD_H
#define TFC_TOOLS_MLIRINPUTGUARD_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <cctype>

namespace tfc_tools {

/// The offset in `text` of the first `array<index` outside comments and
/// string literals, or StringRef::npos.
inline size_t findIndexDenseArray(llvm::StringRef text) {
  auto isIdent = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
           c == '$' || c == '.';
  };
  auto skipSpace = [&](size_t i) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    return i;
  };
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '/' && text.substr(i).starts_with("//")) {
      i = text.find('\n', i);
      continue; // npos ends the loop
    }
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"' && text[i] != '\n'; ++i)
        if (text[i] == '\\')
          ++i;
      ++i;
      continue;
    }
    if (!isIdent(c)) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < text.size() && isIdent(text[i]))
      ++i;
    if (text.slice(start, i) != "array")
      continue;
    size_t j = skipSpace(i);
    if (j >= text.size() || text[j] != '<')
      continue;
    j = skipSpace(j + 1);
    size_t end = j;
    while (end < text.size() && isIdent(text[end]))
      ++end;
    if (text.slice(j, end) == "index")
      return start;
  }
  return llvm::StringRef::npos;
}

/// False, with the error printed at its place (to stderr), when `buf`
/// holds MLIR text that the upstream parser crashes on.
inline bool checkParsableMLIR(const llvm::MemoryBuffer &buf) {
  size_t at = findIndexDenseArray(buf.getBuffer());
  if (at == llvm::StringRef::npos)
    return true;
  llvm::SourceMgr sm;
  sm.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBuffer(buf.getMemBufferRef(), false),
      llvm::SMLoc());
  sm.PrintMessage(llvm::SMLoc::getFromPointer(buf.getBufferStart() + at),
                  llvm::SourceMgr::DK_Error,
                  "a dense array of index elements (array<index: ...>) is not "
                  "supported: MLIR 22's parser crashes on it; use i64");
  return false;
}

/// The module of the MLIR text file `path` ("-": stdin) parsed into `ctx`
/// once checkParsableMLIR lets it through. Null with `error` set when the
/// file cannot be read; null with the diagnostics printed when the text is
/// refused or does not parse.
inline mlir::OwningOpRef<mlir::ModuleOp> parseMLIRFile(llvm::StringRef path,
                                                       mlir::MLIRContext &ctx,
                                                       std::string &error) {
  auto buf = llvm::MemoryBuffer::getFileOrSTDIN(path);
  if (!buf) {
    error = "cannot read '" + path.str() + "'";
    return nullptr;
  }
  if (!checkParsableMLIR(**buf))
    return nullptr;
  llvm::SourceMgr sm;
  sm.AddNewSourceBuffer(std::move(*buf), llvm::SMLoc());
  return mlir::parseSourceFile<mlir::ModuleOp>(sm, &ctx);
}

} // namespace tfc_tools

#endif
