//===- tfc-run.cpp - compile (JIT) and run a model on the CPU -------------===//
//
//   tfc-run MODEL.onnx|MODEL.mlir|MODEL.so [--input NAME=FILE.npy|FILE.pb]...
//           [--output-dir DIR] [--bench N] [--threads T] [--no-optimize]
//
// MODEL may also be a shared library written by tfc-compile (model.so).
// Writes each graph output as DIR/<output name>.npy. Exit status 1 on any
// error, with a message naming the model, input or node at fault.
//
//===----------------------------------------------------------------------===//
#include "tfc/Import/ONNX.h"
#include "tfc/Pipelines/Registration.h"
#include "tfc/Runtime/JitRunner.h"

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
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

#include <algorithm>
#include <map>
#include <set>
#include <chrono>
#include <cmath>
#include <cstdio>

using namespace llvm;
using namespace ::tfc::runtime;

static cl::opt<std::string> modelPath(cl::Positional, cl::desc("<model>"),
                                      cl::Required,
                                      cl::cat(tfc_tools::toolOptions));
static cl::list<std::string>
    inputArgs("input",
              cl::desc("NAME=FILE.npy or NAME=FILE.pb (repeatable; FILE alone "
                       "binds in input order; FILE,FILE,... runs the one "
                       "compiled model once per file, outputs in "
                       "DIR/run<k>/)"), cl::cat(tfc_tools::toolOptions));
static cl::opt<std::string> outputDir("output-dir",
                                      cl::desc("write outputs here as "
                                               "<name>.npy"),
                                      cl::init(""),
                                      cl::cat(tfc_tools::toolOptions));
static cl::opt<unsigned> bench("bench",
                               cl::desc("time N runs after a warm-up and "
                                        "print median and minimum latency"),
                               cl::init(0), cl::cat(tfc_tools::toolOptions));
// --threads T is parsed by hand (ThreadsOption.h). T > 1 runs the
// contraction tiles on T OpenMP threads. 0: not given (1 when compiling).
static unsigned threads = 0;

static cl::opt<bool> noOptimize("no-optimize",
                                cl::desc("skip the tfc-optimize pipeline"),
                                cl::init(false),
                                cl::cat(tfc_tools::toolOptions));
static cl::opt<bool> remarks(
    "tfc-remarks",
    cl::desc("report why candidates of the raising passes did not fuse"),
    cl::init(false), cl::cat(tfc_tools::toolOptions));
static cl::opt<bool> timing(
    "timing",
    cl::desc("print the wall time of each compile phase and the resident "
             "memory after it (to stderr)"),
    cl::init(false), cl::cat(tfc_tools::toolOptions));
static cl::opt<std::string> compareWith(
    "compare",
    cl::desc("also run the model through a reference and print each "
             "output's error against it: 'unoptimized' (the same model "
             "compiled with --no-optimize, in f32 also with "
             "--precision=bf16)"),
    cl::init(""), cl::cat(tfc_tools::toolOptions));
static cl::list<std::string> expectArgs(
    "expect",
    cl::desc("OUTPUT=FILE.npy|.pb (repeatable; FILE alone binds in output "
             "order): expected values of an output (e.g. ONNX test data); "
             "the error against them is printed"),
             cl::cat(tfc_tools::toolOptions));
static cl::opt<double> tolerance(
    "tolerance",
    cl::desc("with --compare/--expect: exit 1 when an output's relative "
             "error (max |got - ref| / max |ref|) exceeds this"),
    cl::init(-1), cl::cat(tfc_tools::toolOptions));

/// Prints "<label>: <output> max abs error A, rel error R" and returns R
/// (infinity when the shapes or dtypes differ).
static double reportError(StringRef label, StringRef output,
                          const HostTensor &got, const HostTensor &refIn) {
  if (got.shape != refIn.shape) {
    outs() << label << ": " << output << " has a different shape\n";
    return INFINITY;
  }
  // Floating-point values compare across types (a bf16 output against
  // the float32 .npy tfc-run writes for it), integers and booleans too;
  // a float against an integer does not. ONNX's test data stores
  // bfloat16 outputs as uint16 bit patterns: those are read as bfloat16.
  auto isFloat = [](DType t) {
    return t == DType::f32 || t == DType::f64 || t == DType::f16 ||
           t == DType::bf16;
  };
  HostTensor bits;
  const HostTensor *refp = &refIn;
  if (got.dtype == DType::bf16 && refIn.dtype == DType::u16) {
    bits = refIn;
    bits.dtype = DType::bf16;
    refp = &bits;
    outs() << label << ": " << output
           << ": the expected uint16 values are read as bfloat16 bits\n";
  } else if (isFloat(got.dtype) != isFloat(refIn.dtype)) {
    outs() << label << ": " << output << " is " << dtypeName(got.dtype)
           << ", the expected values are " << dtypeName(refIn.dtype) << "\n";
    return INFINITY;
  }
  const HostTensor &ref = *refp;
  double maxDiff = 0, maxRef = 0;
  // NaNs and infinities must sit where the reference has them (the same
  // infinities); the error is measured over the finite values.
  bool nanMismatch = false, infMismatch = false;
  for (int64_t i = 0, n = got.numElements(); i < n; ++i) {
    double a = got.at(i), r = ref.at(i);
    if (std::isnan(a) || std::isnan(r)) {
      nanMismatch |= std::isnan(a) != std::isnan(r);
      continue;
    }
    if (std::isinf(a) || std::isinf(r)) {
      infMismatch |= a != r;
      continue;
    }
    maxDiff = std::max(maxDiff, std::fabs(a - r));
    maxRef = std::max(maxRef, std::fabs(r));
  }
  double rel = nanMismatch || infMismatch ? INFINITY
               : maxRef > 0               ? maxDiff / maxRef
                                          : (maxDiff > 0 ? INFINITY : 0);
  outs() << format("%s: %s max abs error %.3g, rel error %.3g%s%s\n",
                   label.str().c_str(), output.str().c_str(), maxDiff, rel,
                   nanMismatch ? " (NaN where the reference has none)" : "",
                   infMismatch ? " (an infinity where the reference has "
                                 "another value)"
                               : "");
  return rel;
}

static cl::opt<bool> dumpLLVM("dump-llvm-dialect",
                              cl::desc("print the module after lowering"),
                              cl::init(false), cl::cat(tfc_tools::toolOptions));
static cl::opt<bool> perfJitDump(
    "perf-jitdump",
    cl::desc("write a jitdump of the compiled code for perf, under "
             "$JITDUMPDIR (else $HOME)/.debug/jit: perf record -k mono "
             "tfc-run --perf-jitdump ..., then perf inject --jit -i "
             "perf.data -o jit.data; perf report -i jit.data names each "
             "kernel"),
    cl::init(false), cl::cat(tfc_tools::toolOptions));

/// A "Key:   N kB" field of /proc/self/status in KiB (-1 if unavailable).
static long procStatusKiB(StringRef key) {
  auto buf = MemoryBuffer::getFileAsStream("/proc/self/status");
  if (!buf)
    return -1;
  SmallVector<StringRef> lines;
  (*buf)->getBuffer().split(lines, '\n');
  for (StringRef line : lines) {
    if (!line.consume_front(key) || !line.consume_front(":"))
      continue;
    long kib = -1;
    line.trim().split(' ').first.getAsInteger(10, kib);
    return kib;
  }
  return -1;
}

/// Resets the peak resident set size (VmHWM) to the current one.
static bool resetPeakRss() {
  std::error_code ec;
  raw_fd_ostream f("/proc/self/clear_refs", ec);
  if (ec)
    return false;
  f << "5";
  return !f.has_error();
}

/// The first option given that only matters when tfc-run compiles the
/// model ("" if none): a library from tfc-compile would silently ignore it.
static std::string compileOnlyOptionGiven() {
  const cl::Option *options[] = {&noOptimize,
                                 &remarks,
                                 &timing,
                                 &dumpLLVM,
                                 &perfJitDump,
                                 &tfc_tools::optLevel,
                                 &tfc_tools::precision,
                                 &tfc_tools::gemmBlock,
                                 &tfc_tools::strassen,
                                 &tfc_tools::passTiming,
                                 &tfc_tools::maxNodes,
                                 &tfc_tools::maxTensorElements,
                                 &tfc_tools::maxModelBytes};
  for (const cl::Option *o : options)
    if (o->getNumOccurrences())
      return "--" + o->ArgStr.str();
  return "";
}

static int fail(const std::string &msg) {
  outs().flush(); // what was printed so far comes first
  errs() << "tfc-run: error: " << msg << "\n";
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
      "tfc-run: compile and run a model\n\n"
      "  --threads=<T>  worker threads of the generated code (" +
          threadsRange() +
          ", default 1; the contractions run in parallel; a library from "
          "tfc-compile runs on the threads it was compiled for)\n");
  // A library ignores compile options: say so before judging them against
  // this host (--precision=bf16 on a host without AVX512-BF16, say).
  bool library = StringRef(modelPath).ends_with(".so");
  if (std::string option = compileOnlyOptionGiven(); library && !option.empty())
    return fail(option + " applies when tfc-run compiles the model; '" +
                modelPath + "' is already compiled (give it to tfc-compile)");
  CompileOptions opts; // checked before any model work
  if (std::string e; !tfc_tools::codegenOptionsFromCommandLine(opts, e))
    return fail(e);
  mlir::DialectRegistry registry;
  mlir::tfc::registerAllDialects(registry);
  mlir::MLIRContext ctx(registry);
  ctx.loadAllAvailableDialects();

  // Input files, by name (NAME=FILE) or by graph-input position (FILE).
  std::map<std::string, std::string> namedFiles;
  std::vector<std::string> positionalFiles;
  for (const std::string &arg : inputArgs) {
    size_t eq = arg.find('=');
    if (eq == std::string::npos) {
      positionalFiles.push_back(arg);
      continue;
    }
    std::string name = arg.substr(0, eq);
    if (!namedFiles.emplace(name, arg.substr(eq + 1)).second)
      return fail("input '" + name + "' is given twice");
  }
  std::string error;
  // FILE[,FILE...]: several files give several runs of one compiled model.
  auto filesOf = [&](const std::string &name) {
    SmallVector<StringRef> files;
    auto f = namedFiles.find(name);
    if (f != namedFiles.end())
      StringRef(f->second).split(files, ',');
    return files;
  };
  auto readTensor = [&](StringRef file, HostTensor &t) {
    return file.ends_with(".pb") ? readTensorProto(file.str(), t, error)
                                 : readNpy(file.str(), t, error);
  };
  std::map<std::string, HostTensor> specializedValues;
  auto load = [&](const std::string &name) -> const HostTensor * {
    auto files = filesOf(name);
    if (files.empty())
      return nullptr;
    if (files.size() > 1) {
      error = "input '" + name + "' determines shapes and is compiled in as "
              "a constant: give one file for it";
      return nullptr;
    }
    HostTensor t;
    if (!readTensor(files[0], t))
      return nullptr;
    return &specializedValues.emplace(name, std::move(t)).first->second;
  };

  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::set<std::string> graphInputs, specialized;
  auto importStart = std::chrono::steady_clock::now();
  if (library) {
    // Compiled by tfc-compile: nothing to import or compile.
  } else if (StringRef(modelPath).ends_with(".onnx")) {
    mlir::tfc::OnnxImportOptions importOptions =
        tfc_tools::importOptionsFromCommandLine();
    importOptions.onGraphInput = [&](const std::string &name, unsigned pos) {
      graphInputs.insert(name);
      if (pos < positionalFiles.size() && !namedFiles.count(name))
        namedFiles[name] = positionalFiles[pos];
    };
    importOptions.shapeInputValue =
        [&](const std::string &name,
            mlir::RankedTensorType) -> mlir::ElementsAttr {
      const HostTensor *t = load(name);
      if (!t)
        return nullptr;
      specialized.insert(name);
      return toElementsAttr(*t, &ctx);
    };
    module = mlir::tfc::importOnnxFile(&ctx, modelPath, importOptions);
    if (!error.empty())
      return fail(error);
    if (positionalFiles.size() > graphInputs.size())
      return fail(std::to_string(positionalFiles.size()) +
                  " positional inputs for a model with " +
                  std::to_string(graphInputs.size()) + " inputs");
  } else {
    std::string readError;
    module = tfc_tools::parseMLIRFile(modelPath, ctx, readError);
    if (!readError.empty())
      return fail(readError);
  }
  if (!module && !library)
    return 1;
  CompilePhase import = endPhase("import (parse)", importStart);

  opts.optimize = !noOptimize;
  opts.remarks = remarks;
  opts.threads = std::max(threads, 1u);
  opts.dumpLLVMDialect = dumpLLVM;
  opts.perfJitDump = perfJitDump;
  if (!compareWith.empty() && compareWith != "unoptimized")
    return fail("--compare takes 'unoptimized', not '" + compareWith + "'");
  // The reference is compiled from a copy taken before any pass runs.
  mlir::OwningOpRef<mlir::ModuleOp> refModule;
  if (!compareWith.empty() && library)
    return fail("--compare needs the model itself (.onnx or .mlir), not a "
                "compiled library");
  if (!compareWith.empty())
    refModule = module->clone();
  // A clone shares the weights' blobs: neither compile may free them.
  opts.ownsWeights = !refModule;
  std::unique_ptr<Model> model;
  if (library) {
    model = SharedLibraryModel::load(modelPath, error);
    if (model && threads && (int)threads != model->threads())
      return fail("'" + modelPath + "' was compiled for " +
                  std::to_string(model->threads()) + " thread(s); running it "
                  "on " + std::to_string(threads) + " needs tfc-compile "
                  "--threads=" + std::to_string(threads));
  } else
    model = JitModel::compile(std::move(module), opts, error);
  if (!model)
    return fail(error);
  std::unique_ptr<Model> refModel;
  if (refModule) {
    CompileOptions refOpts = opts;
    refOpts.optimize = false;
    refOpts.bf16 = false; // the reference is plain f32
    refOpts.dumpLLVMDialect = false;
    refModel = JitModel::compile(std::move(refModule), refOpts, error);
    if (!refModel)
      return fail("reference (unoptimized) compilation: " + error);
  }
  // Expected outputs, by name or in output order.
  std::map<std::string, std::string> expected;
  for (auto [i, arg] : llvm::enumerate(expectArgs)) {
    size_t eq = arg.find('=');
    std::string name, file = arg;
    if (eq != std::string::npos) {
      name = arg.substr(0, eq);
      file = arg.substr(eq + 1);
    } else if (i < model->outputs().size()) {
      name = model->outputs()[i].name;
    } else {
      return fail("more --expect files than the model has outputs");
    }
    if (std::none_of(model->outputs().begin(), model->outputs().end(),
                     [&](const TensorSpec &o) { return o.name == name; }))
      return fail("--expect: the model has no output named '" + name + "'");
    expected[name] = file;
  }
  if (timing) {
    std::vector<CompilePhase> phases = model->compilePhases();
    phases.insert(phases.begin(), import);
    printCompilePhases(errs(), phases);
  }

  const auto &specs = model->inputs();
  // .mlir models bind positional files to their arguments in order.
  for (size_t i = 0; i < positionalFiles.size() && graphInputs.empty(); ++i) {
    if (i >= specs.size())
      return fail("too many inputs: the model has " +
                  std::to_string(specs.size()));
    namedFiles.emplace(specs[i].name, positionalFiles[i]);
  }
  for (auto &entry : namedFiles) {
    const std::string &name = entry.first;
    bool known = specialized.count(name) ||
                 std::any_of(specs.begin(), specs.end(),
                             [&](const TensorSpec &s) { return s.name == name; });
    if (!known) {
      std::string all;
      for (auto &s : specs)
        all += (all.empty() ? "" : ", ") + s.name;
      return fail("the model has no input named '" + name + "' (inputs: " +
                  all + ")");
    }
  }
  size_t runs = 1;
  for (const TensorSpec &sp : specs) {
    size_t n = filesOf(sp.name).size();
    if (n == 0)
      return fail("missing input '" + sp.name + "' (pass --input " + sp.name +
                  "=FILE.npy)");
    if (n > 1 && runs > 1 && n != runs)
      return fail("input '" + sp.name + "' has " + std::to_string(n) +
                  " files, another input has " + std::to_string(runs));
    runs = std::max(runs, n);
  }
  for (size_t run = 0; run < runs; ++run) {
    std::vector<HostTensor> inputs(specs.size());
    for (size_t i = 0; i < specs.size(); ++i) {
      auto files = filesOf(specs[i].name);
      if (!readTensor(files[files.size() == 1 ? 0 : run], inputs[i]))
        return fail(error);
    }
    // Memory a run needs (temporaries and outputs): the peak resident set
    // from here on, above the resident set with the model and inputs loaded.
    long base = bench > 0 ? procStatusKiB("VmRSS") : -1;
    bool peakOk = bench > 0 && base >= 0 && resetPeakRss();
    std::vector<HostTensor> outputs;
    if (!model->run(inputs, outputs, error))
      return fail(error);
    if (bench > 0) {
      // Each timed run is what a program using the C API waits for
      // (tfc_model_set_input, tfc_model_run); the outputs, which the model
      // hands out in place, are copied into `outputs` once afterwards
      // (copying GPT-2's 25 MB of logits each run cost it 3.6 %: 179.9
      // against 173.5 ms).
      std::vector<double> ms;
      for (unsigned i = 0; i < bench; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        if (!model->run(inputs, error))
          return fail(error);
        ms.push_back(std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - t0)
                         .count());
      }
      if (!model->readOutputs(outputs, error))
        return fail(error);
      std::sort(ms.begin(), ms.end());
      outs() << format("latency: median %.3f ms, min %.3f ms over %u runs\n",
                       ms[ms.size() / 2], ms.front(), (unsigned)bench);
      long peak = procStatusKiB("VmHWM");
      if (peakOk && peak >= 0)
        outs() << format("run memory: peak %.1f MiB above the resident set "
                         "with the model and inputs loaded\n",
                         std::max(0L, peak - base) / 1024.0);
    }
    SmallString<256> dir(outputDir);
    if (runs > 1 && !dir.empty())
      sys::path::append(dir, "run" + std::to_string(run));
    if (!dir.empty()) {
      if (auto ec = sys::fs::create_directories(dir))
        return fail("cannot create '" + std::string(dir) + "': " + ec.message());
      for (size_t i = 0; i < outputs.size(); ++i) {
        std::string name = model->outputs()[i].name;
        for (char &c : name)
          if (c == '/' || c == '\\')
            c = '_';
        SmallString<256> path(dir);
        sys::path::append(path, name + ".npy");
        if (!writeNpy(std::string(path), outputs[i], error))
          return fail(error);
      }
    }
    bool tooFar = false;
    auto judge = [&](double rel) {
      tooFar |= tolerance >= 0 && !(rel <= tolerance);
    };
    if (refModel) {
      std::vector<HostTensor> refOutputs;
      if (!refModel->run(inputs, refOutputs, error))
        return fail("reference run: " + error);
      for (size_t i = 0; i < outputs.size(); ++i)
        judge(reportError("compare with unoptimized", model->outputs()[i].name,
                          outputs[i], refOutputs[i]));
    }
    for (size_t i = 0; i < outputs.size(); ++i) {
      auto e = expected.find(model->outputs()[i].name);
      if (e == expected.end())
        continue;
      HostTensor want;
      if (!readTensor(e->second, want))
        return fail(error);
      judge(reportError("compare with " + e->second, e->first, outputs[i],
                        want));
    }
    if (tooFar)
      return fail("an output's relative error exceeds --tolerance " +
                  std::to_string(tolerance));
    if (runs > 1)
      outs() << "run " << run << ":\n";
    for (size_t i = 0; i < outputs.size(); ++i) {
      outs() << model->outputs()[i].name << ": "
             << dtypeName(outputs[i].dtype) << "[";
      for (size_t d = 0; d < outputs[i].shape.size(); ++d)
        outs() << (d ? ", " : "") << outputs[i].shape[d];
      outs() << "]\n";
    }
  }
  return 0;
}
