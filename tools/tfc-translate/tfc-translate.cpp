//===- tfc-translate.cpp - tfc's translation driver ------------------------===//
//
// `tfc-translate --import-onnx model.onnx` prints the model in the tfc
// dialect; the upstream translations (e.g. --mlir-to-llvmir) are available too.
//
//===----------------------------------------------------------------------===//
#include "tfc/Import/ONNX.h"
#include "tfc/Pipelines/Registration.h"

#include "../CrashReport.h"
#include "../ImportLimitOptions.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  tfc_tools::setCrashReportMessage();
  mlir::registerAllTranslations();
  mlir::tfc::registerOnnxImportTranslation(
      tfc_tools::importOptionsFromCommandLine);
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "tfc translation driver"));
}
