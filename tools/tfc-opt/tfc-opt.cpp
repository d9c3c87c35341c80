//===- tfc-opt.cpp - tfc's optimizer driver --------------------------------===//
//
// mlir-opt with tfc's dialect, passes and pipelines; also accepts an ONNX
// model (.onnx) wherever an .mlir file is accepted: it is imported first.
//
//===----------------------------------------------------------------------===//
#include "tfc/Import/ONNX.h"

#include <limits>
#include "tfc/Pipelines/Pipelines.h"
#include "tfc/Pipelines/Registration.h"

#include "../CrashReport.h"
#include "../ImportLimitOptions.h"
#include "../MLIRInputGuard.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

static llvm::cl::opt<bool> remarks(
    "tfc-remarks",
    llvm::cl::desc("Report each near-miss of --tfc-optimize's raising passes "
                   "(why a candidate did not fuse) as a remark"),
    llvm::cl::init(false));

int main(int argc, char **argv) {
  tfc_tools::setCrashReportMessage();
  DialectRegistry registry;
  tfc::registerAllDialects(registry);
  tfc::registerAllPasses();
  auto [inputFile, outputFile] =
      registerAndParseCLIOptions(argc, argv, "tfc optimizer driver", registry);
  MlirOptMainConfig config = MlirOptMainConfig::createFromCLOptions();
  // Pipelines are built after parsing, so the default is in place in time.
  tfc::setOptimizeRemarksDefault(remarks);

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> buffer;
  if (StringRef(inputFile).ends_with(".onnx")) {
    MLIRContext ctx(registry);
    auto module = tfc::importOnnxFile(&ctx, inputFile,
                                      tfc_tools::importOptionsFromCommandLine());
    if (!module)
      return 1;
    std::string text;
    llvm::raw_string_ostream os(text);
    // The text is parsed again below: print-time elision flags given for
    // the output (--mlir-elide-*) must not drop the weights here.
    OpPrintingFlags flags;
    flags.elideLargeElementsAttrs(std::numeric_limits<int64_t>::max());
    flags.elideLargeResourceString(std::numeric_limits<int64_t>::max());
    module->print(os, flags);
    buffer = llvm::MemoryBuffer::getMemBufferCopy(text, inputFile);
  } else {
    buffer = openInputFile(inputFile, &error);
    if (!buffer) {
      llvm::errs() << "tfc-opt: " << error << "\n";
      return 1;
    }
    if (!tfc_tools::checkParsableMLIR(*buffer))
      return 1;
  }
  auto output = openOutputFile(outputFile, &error);
  if (!output) {
    llvm::errs() << "tfc-opt: " << error << "\n";
    return 1;
  }
  if (failed(MlirOptMain(output->os(), std::move(buffer), registry, config)))
    return 1;
  output->keep();
  return 0;
}
