//===- JitRunner.cpp - compile a tfc module and run it on the CPU ---------===//
//
// The lowered `@main` is compiled by MLIR's ExecutionEngine and run through
// the C runtime (ModelRuntime.c) like a library from tfc-compile.
//
//===----------------------------------------------------------------------===//
#include "tfc/Runtime/JitRunner.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Target/TargetMachine.h"

#include <chrono>
#include <cstdlib>

using namespace mlir;
using namespace ::tfc::runtime;

static Type elementTypeOf(DType d, MLIRContext *ctx) {
  Builder b(ctx);
  switch (d) {
  case DType::f32:
    return b.getF32Type();
  case DType::f64:
    return b.getF64Type();
  case DType::f16:
    return b.getF16Type();
  case DType::bf16:
    return b.getBF16Type();
  case DType::i8:
    return b.getIntegerType(8);
  case DType::i16:
    return b.getIntegerType(16);
  case DType::i32:
    return b.getIntegerType(32);
  case DType::i64:
    return b.getIntegerType(64);
  case DType::u8:
    return b.getIntegerType(8, false);
  case DType::u16:
    return b.getIntegerType(16, false);
  case DType::u32:
    return b.getIntegerType(32, false);
  case DType::u64:
    return b.getIntegerType(64, false);
  case DType::b1:
    return b.getI1Type();
  }
  return {};
}

ElementsAttr (::tfc::runtime::toElementsAttr)(const HostTensor &t,
                                          MLIRContext *ctx) {
  auto type = RankedTensorType::get(t.shape, elementTypeOf(t.dtype, ctx));
  if (t.dtype == DType::b1) {
    SmallVector<bool> flags;
    for (char c : t.data)
      flags.push_back(c != 0);
    return DenseElementsAttr::get(type, flags);
  }
  return DenseElementsAttr::getFromRawBuffer(
      type, ArrayRef<char>(t.data.data(), t.data.size()));
}

JitModel::~JitModel() {
  // The instance refers to the engine's code: destroy it first.
  if (instance)
    api.destroy(instance);
  instance = nullptr;
}

std::unique_ptr<JitModel> JitModel::compile(OwningOpRef<ModuleOp> module,
                                            const CompileOptions &options,
                                            std::string &error) {
  std::unique_ptr<JitModel> m(new JitModel());
  if (!lowerToLLVMDialect(std::move(module), options, m->lowered, error))
    return nullptr;
  auto tm = createTargetMachine("host", /*pic=*/false, error);
  if (!tm)
    return nullptr;
  ExecutionEngineOptions eo;
  // MLIR's default writes a jitdump (JITDUMPDIR, else $HOME/.debug/jit) on
  // every compile: thousands of directories from a test suite. Only on
  // request (tfc-run --perf-jitdump).
  eo.enablePerfNotificationListener = options.perfJitDump;
  // eo.transformer is a function_ref: the std::function must outlive create().
  std::function<llvm::Error(llvm::Module *)> optimize =
      makeOptimizingTransformer(options.optLevel, 0, tm.get());
  eo.transformer = optimize;
  eo.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  // memref.copy of strided views calls memrefCopy from MLIR's runner utils.
  static const StringRef runtimeLibs[] = {TFC_MLIR_C_RUNNER_UTILS, TFC_LIBOMP};
  eo.sharedLibPaths = ArrayRef<StringRef>(runtimeLibs)
                          .take_front(options.threads > 1 ? 2 : 1);
  // Idle OpenMP workers spin briefly, then sleep (see kOpenMPBlockTimeMs);
  // the user's setting wins.
  if (options.threads > 1)
    ::setenv("KMP_BLOCKTIME", kOpenMPBlockTimeMs, /*overwrite=*/0);
  auto t0 = std::chrono::steady_clock::now();
  auto engine = ExecutionEngine::create(*m->lowered.module, eo);
  if (!engine) {
    error = "JIT compilation failed: " + llvm::toString(engine.takeError());
    return nullptr;
  }
  // The compiled code's buffers come from the runtime's buffer cache.
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap map;
    auto add = [&](const char *name, auto *fn) {
      map[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(fn),
                             llvm::JITSymbolFlags::Exported};
    };
    add("_mlir_memref_to_llvm_alloc", &_mlir_memref_to_llvm_alloc);
    add("_mlir_memref_to_llvm_aligned_alloc",
        &_mlir_memref_to_llvm_aligned_alloc);
    add("_mlir_memref_to_llvm_free", &_mlir_memref_to_llvm_free);
    add("tfc_assert_failed", &tfc_assert_failed);
    return map;
  });
  // Materialize the code now (ORC compiles on first lookup).
  auto entry = (*engine)->lookupPacked("_mlir_ciface_main");
  if (!entry) {
    error = "JIT compilation failed: " + llvm::toString(entry.takeError());
    return nullptr;
  }
  m->lowered.phases.push_back(
      endPhase("LLVM IR, optimization and machine code (JIT)", t0));
  m->engine = std::move(*engine);

  // The runtime's view of the model.
  auto infos = [&](const std::vector<TensorSpec> &specs,
                   std::vector<tfc_tensor_info> &out) {
    for (const TensorSpec &s : specs) {
      tfc_tensor_info t{};
      t.name = s.name.c_str();
      t.dtype = (int)s.dtype;
      t.rank = (int)s.shape.size();
      t.shape = s.shape.data();
      if (!s.dimNames.empty()) {
        auto &ptrs = m->dimNamePtrs.emplace_back();
        for (const std::string &n : s.dimNames)
          ptrs.push_back(n.c_str());
        ptrs.resize(s.shape.size(), "");
        t.dim_names = ptrs.data();
      }
      out.push_back(t);
    }
  };
  m->dimNamePtrs.reserve(m->lowered.inputs.size());
  infos(m->lowered.inputs, m->inputInfos);
  infos(m->lowered.outputs, m->outputInfos);
  for (const WeightBlob &w : m->lowered.weights)
    m->weightInfos.push_back(
        {w.data, w.bytes, (int)w.shape.size(), w.shape.data()});
  m->info.num_inputs = (int)m->inputInfos.size();
  m->info.num_outputs = (int)m->outputInfos.size();
  m->info.num_weights = (int)m->weightInfos.size();
  m->info.inputs = m->inputInfos.data();
  m->info.outputs = m->outputInfos.data();
  m->info.weights = m->weightInfos.data();
  m->info.invoke = *entry;
  m->info.threads = (int)std::max(options.threads, 1u);
  for (const std::string &c : m->lowered.checks)
    m->checkPtrs.push_back(c.c_str());
  m->info.num_checks = (int)m->checkPtrs.size();
  m->info.checks = m->checkPtrs.data();
  tfc_model *instance = tfc_model_create_from_info(&m->info);
  if (!instance) {
    error = "out of memory";
    return nullptr;
  }
  m->attach(linkedApi(), instance);
  m->phases = m->lowered.phases;
  return m;
}
