//===- tfc-compile.cpp - compile a model ahead of time --------------------===//
//
//   tfc-compile MODEL.onnx|MODEL.mlir --target=cpu -o model.so [--threads T]
//
// Writes a shared library exporting the C API of tfc-c/Model.h and, next to
// it, its C header (model.h). `tfc-run model.so ...` runs the library. Exit
// status 1 on any error, with a message naming the model, node or step.
//
//===----------------------------------------------------------------------===//
#include "tfc/Import/ONNX.h"
#include "tfc/Pipelines/Registration.h"
#include "tfc/Runtime/AotCompiler.h"

#include "../CodegenOptions.h"
#include "../CrashReport.h"
#include "../ImportLimitOptions.h"
#include "../MLIRInputGuard.h"
#include "../ThreadsOption.h"
#include "../ToolOptions.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <chrono>

using namespace llvm;
using namespace ::tfc::runtime;

static cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model>"),
                                      cl::Required,
                                      cl::cat(tfc_tools::toolOptions));
static cl::opt<std::string> outputPath("o", cl::desc("the shared library to "
                                                     "write (model.so)"),
                                       cl::value_desc("file"), cl::Required,
                                       cl::cat(tfc_tools::toolOptions));
static cl::opt<std::string> target("target",
                                   cl::desc("code generation target: cpu "
                                            "(the host CPU)"),
                                   cl::init("cpu"),
                                   cl::cat(tfc_tools::toolOptions));
static cl::opt<std::string> cpu(
    "cpu",
    cl::desc("the CPU to compile for: host (default: this machine's CPU and "
             "all its features), or an x86-64 CPU name of LLVM's, such as "
             "x86-64-v3 (AVX2 and FMA: any CPU since Haswell and Zen), "
             "x86-64-v4 (AVX-512), znver4 or sapphirerapids. Its features "
             "pick the GEMM blocking; the library refuses to run, with a "
             "message, on a CPU that lacks them"),
    cl::value_desc("name"), cl::init("host"), cl::cat(tfc_tools::toolOptions));
static cl::opt<std::string> headerPath(
    "header",
    cl::desc("the C header to write (default: the library's path with .h "
             "for .so)"),
    cl::init(""), cl::cat(tfc_tools::toolOptions));
static cl::opt<std::string> cc(
    "cc", cl::desc("C compiler driver that links the library"),
    cl::init(defaultHostCompiler()), cl::cat(tfc_tools::toolOptions));
static cl::opt<bool> noOptimize("no-optimize",
                                cl::desc("skip the tfc-optimize pipeline"),
                                cl::init(false),
                                cl::cat(tfc_tools::toolOptions));
static cl::opt<bool>
    timing("timing",
           cl::desc("print the wall time of each phase and the resident memory "
                    "after it (to stderr)"),
           cl::init(false), cl::cat(tfc_tools::toolOptions));
static cl::opt<bool> keepTemps(
    "keep-temps",
    cl::desc("keep the object, generated C and weight files (their folder "
             "is printed)"),
    cl::init(false), cl::cat(tfc_tools::toolOptions));
static unsigned threads = 1;

static int fail(const std::string &msg) {
  errs() << "tfc-compile: error: " << msg << "\n";
  return 1;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  tfc_tools::setCrashReportMessage();
  if (!takeThreadsOption(argc, argv, threads))
    return fail("--threads needs an integer from " + threadsRange());
  tfc_tools::listOnlyToolOptions();
  cl::ParseCommandLineOptions(
      argc, argv,
      "tfc-compile: compile a model to a shared library with a C API\n\n"
      "  --threads=<T>  worker threads of the generated code (" +
          threadsRange() + ", default 1)\n");
  if (target != "cpu")
    return fail("unknown --target '" + target + "' (supported: cpu)");
  CompileOptions options;
  if (std::string e; !tfc_tools::codegenOptionsFromCommandLine(options, e, cpu))
    return fail(e);
  std::string header = headerPath;
  if (header.empty()) {
    SmallString<256> h(outputPath);
    if (sys::path::extension(h) == ".so")
      sys::path::replace_extension(h, ".h");
    else
      h += ".h";
    header = std::string(h);
  }

  mlir::DialectRegistry registry;
  mlir::tfc::registerAllDialects(registry);
  mlir::MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();
  auto t0 = std::chrono::steady_clock::now();
  mlir::OwningOpRef<mlir::ModuleOp> module;
  if (StringRef(modelPath).ends_with(".onnx")) {
    module = mlir::tfc::importOnnxFile(
        &ctx, modelPath, tfc_tools::importOptionsFromCommandLine());
  } else {
    std::string readError;
    module = tfc_tools::parseMLIRFile(modelPath, ctx, readError);
    if (!readError.empty())
      return fail(readError);
  }
  if (!module)
    return 1;
  CompilePhase import = endPhase("import (parse)", t0);

  options.optimize = !noOptimize;
  options.threads = threads;
  options.ownsWeights = true;
  LoweredModel lowered;
  std::string error;
  if (!lowerToLLVMDialect(std::move(module), options, lowered, error))
    return fail(error);
  AotOptions aot;
  aot.libraryPath = outputPath;
  aot.headerPath = header;
  aot.cc = cc;
  aot.keepTemps = keepTemps;
  aot.optLevel = options.optLevel;
  aot.threads = threads;
  aot.cpu = options.cpu;
  if (!writeSharedLibrary(lowered, aot, error))
    return fail(error);
  if (timing) {
    lowered.phases.insert(lowered.phases.begin(), import);
    printCompilePhases(errs(), lowered.phases);
  }
  return 0;
}
