//===- tfc-translate.cpp - tfc's translation driver
//------------------------===//
//
// `tfc-translate --import-onnx model.onnx` prints the model in the tfc
// dialect; the upstream translations (e.g. --mlir-to-llvmir) are available too.
//
//===----------------------------------------------------------------------===//
#include "tfc/Import/ONNX.h"
#include "tfc/Pipelines/Registration.h"

#include "../CrashReport.h"
#include "../ImportLimitOptions.h"
#include "../MLIRInputGuard.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <fcntl.h>
#include <unistd.h>

/// Makes `text` what the process reads as standard input: a temporary
/// file, already unlinked, on file descriptor 0.
static bool replaceStdin(llvm::StringRef text) {
  llvm::SmallString<128> path;
  int fd;
  if (llvm::sys::fs::createTemporaryFile("tfc-translate-stdin", "mlir", fd,
                                         path))
    return false;
  bool ok;
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << text;
    os.close();
    ok = !os.has_error();
  }
  int in = ok ? ::open(path.c_str(), O_RDONLY) : -1;
  llvm::sys::fs::remove(path);
  if (in < 0)
    return false;
  ok = ::dup2(in, 0) == 0;
  ::close(in);
  return ok;
}

/// False (the error printed) when the MLIR input holds text that the
/// upstream parser crashes on (MLIRInputGuard.h): the translations from
/// MLIR parse it inside mlirTranslateMain. The input is the one argument
/// that is neither an option nor -o's value, or standard input when there
/// is none or it is "-": that is read here, checked, and handed on to
/// mlirTranslateMain as its standard input.
static bool checkMLIRInput(int argc, char **argv) {
  llvm::StringRef input;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    if (arg == "--import-onnx" || arg == "-import-onnx")
      return true; // a model, not MLIR text
    if (arg == "-o")
      ++i;
    else if (arg == "-" || !arg.starts_with("-"))
      input = arg;
  }
  if (!input.empty() && input != "-") {
    auto buf = llvm::MemoryBuffer::getFile(input);
    return !buf || tfc_tools::checkParsableMLIR(**buf);
  }
  auto buf = llvm::MemoryBuffer::getSTDIN();
  if (!buf) {
    llvm::errs() << "tfc-translate: cannot read standard input: "
                 << buf.getError().message() << "\n";
    return false;
  }
  if (!tfc_tools::checkParsableMLIR(**buf))
    return false;
  if (!replaceStdin((*buf)->getBuffer())) {
    llvm::errs() << "tfc-translate: cannot pass standard input on\n";
    return false;
  }
  return true;
}

int main(int argc, char **argv) {
  tfc_tools::setCrashReportMessage();
  if (!checkMLIRInput(argc, argv))
    return 1;
  mlir::registerAllTranslations();
  mlir::tfc::registerOnnxImportTranslation(
      tfc_tools::importOptionsFromCommandLine);
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "tfc translation driver"));
}
