//===- ModelLowering.cpp - a tfc module down to the LLVM dialect ----------===//
//
// Shared by the JIT (JitRunner.cpp) and tfc-compile (AotCompiler.cpp): both
// run the same pipelines, so JIT and AOT code are the same code.
//
//===----------------------------------------------------------------------===//
#include "tfc/Runtime/ModelLowering.h"

#include "tfc/Dialect/TFC/IR/WeightStorage.h"
#include "tfc/Pipelines/Pipelines.h"
#include "tfc/Target/CPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <chrono>

using namespace mlir;
using namespace ::tfc::runtime;

static std::optional<DType> dtypeOf(Type t) {
  if (t.isF32())
    return DType::f32;
  if (t.isF64())
    return DType::f64;
  if (t.isF16())
    return DType::f16;
  if (t.isBF16())
    return DType::bf16;
  if (auto i = dyn_cast<IntegerType>(t)) {
    bool u = i.isUnsigned();
    switch (i.getWidth()) {
    case 1:
      return DType::b1;
    case 8:
      return u ? DType::u8 : DType::i8;
    case 16:
      return u ? DType::u16 : DType::i16;
    case 32:
      return u ? DType::u32 : DType::i32;
    case 64:
      return u ? DType::u64 : DType::i64;
    }
  }
  return std::nullopt;
}

static bool specOf(Type type, std::string name, TensorSpec &spec,
                   std::string &error) {
  auto t = dyn_cast<RankedTensorType>(type);
  auto d = t ? dtypeOf(t.getElementType()) : std::nullopt;
  if (!d) {
    error = "'" + name + "' has an unsupported type";
    return false;
  }
  spec.name = std::move(name);
  spec.dtype = *d;
  spec.shape.clear();
  for (int64_t s : t.getShape())
    spec.shape.push_back(ShapedType::isDynamic(s) ? -1 : s);
  return true;
}

/// Input and output specs from `@main`'s types and tfc.* name attributes.
static bool readSpecs(func::FuncOp func, LoweredModel &out, std::string &error) {
  auto names = [&](StringRef attr, unsigned n, StringRef prefix) {
    std::vector<std::string> all;
    auto a = func->getAttrOfType<ArrayAttr>(attr);
    for (unsigned i = 0; i < n; ++i)
      all.push_back(a && i < a.size() ? cast<StringAttr>(a[i]).str()
                                      : (prefix + Twine(i)).str());
    return all;
  };
  auto inNames = names("tfc.input_names", func.getNumArguments(), "input");
  auto outNames = names("tfc.output_names", func.getNumResults(), "output");
  for (auto [i, t] : llvm::enumerate(func.getArgumentTypes())) {
    TensorSpec s;
    if (!specOf(t, inNames[i], s, error))
      return false;
    out.inputs.push_back(s);
  }
  if (auto all = func->getAttrOfType<ArrayAttr>("tfc.input_dim_names"))
    for (auto [spec, names] : llvm::zip(out.inputs, all))
      for (Attribute n : cast<ArrayAttr>(names))
        spec.dimNames.push_back(cast<StringAttr>(n).str());
  for (auto [i, t] : llvm::enumerate(func.getResultTypes())) {
    TensorSpec s;
    if (!specOf(t, outNames[i], s, error))
      return false;
    out.outputs.push_back(s);
  }
  return true;
}

bool ::tfc::runtime::lowerToLLVMDialect(OwningOpRef<ModuleOp> module,
                                      const CompileOptions &options,
                                      LoweredModel &out, std::string &error) {
  auto func = module->lookupSymbol<func::FuncOp>("main");
  if (!func || func.isExternal()) {
    error = "the module has no function @main";
    return false;
  }
  if (!readSpecs(func, out, error))
    return false;
  func->setAttr("llvm.emit_c_interface", UnitAttr::get(module->getContext()));

  using Clock = std::chrono::steady_clock;
  auto phase = [&](const char *name, Clock::time_point t0) {
    out.phases.push_back(endPhase(name, t0));
  };
  // --pass-timing: one report, each pipeline a scope of its own, printed
  // when `timing` goes out of scope (after `root`, declared after it).
  DefaultTimingManager timing;
  timing.setEnabled(options.passTiming);
  timing.setDisplayMode(DefaultTimingManager::DisplayMode::Tree);
  TimingScope root = timing.getRootScope();
  auto run = [&](PassManager &pm, const char *name) {
    TimingScope scope = root.nest(name); // a no-op when disabled
    if (options.passTiming)
      pm.enableTiming(scope);
    return pm.run(*module);
  };
  // The passes that free weights count the references in one function:
  // they may only where that is all of the module.
  bool release = options.ownsWeights &&
                 llvm::hasSingleElement(module->getOps<func::FuncOp>());
  auto t0 = Clock::now();
  if (options.optimize) {
    PassManager opt(module->getContext());
    mlir::tfc::buildOptimizePipeline(opt, options.remarks, release);
    if (failed(run(opt, "tfc-optimize"))) {
      error = "optimization failed";
      return false;
    }
    // The weights that fusions replaced (merged QKV, folded transposes).
    if (options.ownsWeights)
      mlir::tfc::releaseUnreferencedWeights(*module);
    phase("optimize (tfc-optimize)", t0);
  }
  t0 = Clock::now();
  PassManager pm(module->getContext());
  mlir::tfc::buildLowerToLinalgPipeline(pm);
  if (failed(run(pm, "tfc-lower-to-linalg"))) {
    error = "lowering to linalg failed";
    return false;
  }
  phase("lower to linalg (tfc-lower-to-linalg)", t0);
  if (options.ownsWeights)
    mlir::tfc::releaseUnreferencedWeights(*module);
  // Run-time checks: their status argument follows the inputs.
  func = module->lookupSymbol<func::FuncOp>("main");
  if (auto checks = func->getAttrOfType<ArrayAttr>("tfc.run_checks")) {
    for (Attribute c : checks)
      out.checks.push_back(cast<StringAttr>(c).str());
    func->removeAttr("tfc.run_checks");
  }
  t0 = Clock::now();
  PassManager kernels(module->getContext());
  mlir::tfc::CPUOptions cpu;
  cpu.threads = options.threads;
  cpu.bf16 = options.bf16;
  cpu.gemmRows = options.gemmRows;
  cpu.gemmCols = options.gemmCols;
  cpu.gemmKc = options.gemmKc;
  cpu.strassen = options.strassen;
  cpu.cpu = options.cpu;
  cpu.releaseWeights = release;
  mlir::tfc::buildCPUKernelsPipeline(kernels, cpu);
  if (failed(run(kernels, "tfc-cpu-kernels"))) {
    error = "building the CPU kernels failed";
    return false;
  }
  // Tables that now read a packed weight's panels (tied embeddings).
  if (options.ownsWeights)
    mlir::tfc::releaseUnreferencedWeights(*module);
  phase("CPU kernels and weight packing (tfc-cpu-gemm-microkernels)", t0);
  // Weights became trailing arguments; remember where their bytes live.
  func = module->lookupSymbol<func::FuncOp>("main");
  if (auto ws = func->getAttrOfType<ArrayAttr>("tfc.weights")) {
    for (Attribute w : ws) {
      WeightBlob weight;
      auto type = cast<ShapedType>(cast<TypedAttr>(w).getType());
      weight.shape.assign(type.getShape().begin(), type.getShape().end());
      ArrayRef<char> bytes;
      if (auto r = dyn_cast<DenseResourceElementsAttr>(w)) {
        AsmResourceBlob *blob = r.getRawHandle().getBlob();
        if (!blob) {
          error = "weight blob is missing";
          return false;
        }
        bytes = blob->getData();
      } else {
        bytes = cast<DenseElementsAttr>(w).getRawData();
      }
      weight.data = bytes.data();
      weight.bytes = bytes.size();
      out.weights.push_back(weight);
    }
    func->removeAttr("tfc.weights");
  }
  t0 = Clock::now();
  PassManager lower(module->getContext());
  mlir::tfc::buildLinalgToLLVMPipeline(lower, options.threads,
                                       /*bufferCache=*/true, options.cpu);
  if (failed(run(lower, "tfc-linalg-to-llvm"))) {
    error = "lowering to LLVM failed";
    return false;
  }
  phase("lower to the LLVM dialect (tfc-linalg-to-llvm)", t0);
  if (options.dumpLLVMDialect)
    module->print(llvm::errs());
  out.module = std::move(module);
  return true;
}

auto ::tfc::runtime::createTargetMachine(llvm::StringRef cpu, bool pic,
                                         std::string &error)
    -> std::unique_ptr<llvm::TargetMachine> {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  // Without the CPU's features the vectorizers see no vector registers and
  // leave every loop scalar.
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) {
    error = "cannot detect the host CPU: " + llvm::toString(jtmb.takeError());
    return nullptr;
  }
  if (!cpu.empty() && cpu != "host") {
    std::optional<mlir::tfc::TargetCPU> target =
        mlir::tfc::resolveTargetCPU(cpu, error);
    if (!target)
      return nullptr;
    llvm::SubtargetFeatures features;
    for (const auto &f : target->features)
      features.AddFeature(f.getKey());
    jtmb->setCPU(target->name);
    jtmb->setFeatures(features.getString());
  }
  jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  if (pic)
    jtmb->setRelocationModel(llvm::Reloc::PIC_);
  auto tm = jtmb->createTargetMachine();
  if (!tm) {
    error = "cannot create a target machine: " + llvm::toString(tm.takeError());
    return nullptr;
  }
  return std::move(*tm);
}
