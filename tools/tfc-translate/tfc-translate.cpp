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

/// False (the error printed) when an MLIR input named on the command line
/// holds text that the upstream parser crashes on (MLIRInputGuard.h): the
/// translations from MLIR parse it inside mlirTranslateMain. The input is
/// the one argument that is neither an option nor -o's value.
static bool checkMLIRInput(int argc, char **argv) {
  llvm::StringRef input;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    if (arg == "--import-onnx" || arg == "-import-onnx")
      return true; // a model, not MLIR text
    if (arg == "-o")
      ++i;
    else if (!arg.starts_with("-"))
      input = arg;
  }
  if (input.empty())
    return true;
  auto buf = llvm::MemoryBuffer::getFile(input);
  return !buf || tfc_tools::checkParsableMLIR(**buf);
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
