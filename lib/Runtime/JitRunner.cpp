//===- JitRunner.cpp - compile a tfc module and run it on the CPU ---------===//
//
// Calling convention of the compiled `@main` (its C interface): the first
// argument points to the result descriptors (one strided memref descriptor
// per output), then one descriptor pointer per input, then one per weight.
// Outputs are owned by the caller (freed here after copying).
//
//===----------------------------------------------------------------------===//
#include "tfc/Runtime/JitRunner.h"

#include "tfc/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Target/TargetMachine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/TargetSelect.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

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

JitModel::~JitModel() = default;

std::unique_ptr<JitModel> JitModel::compile(OwningOpRef<ModuleOp> module,
                                            const CompileOptions &options,
                                            std::string &error) {
  std::unique_ptr<JitModel> m(new JitModel());
  auto func = module->lookupSymbol<func::FuncOp>("main");
  if (!func || func.isExternal()) {
    error = "the module has no function @main";
    return nullptr;
  }
  auto names = [&](StringRef attr, unsigned n, StringRef prefix) {
    std::vector<std::string> out;
    auto a = func->getAttrOfType<ArrayAttr>(attr);
    for (unsigned i = 0; i < n; ++i)
      out.push_back(a && i < a.size() ? cast<StringAttr>(a[i]).str()
                                      : (prefix + Twine(i)).str());
    return out;
  };
  auto inNames = names("tfc.input_names", func.getNumArguments(), "input");
  auto outNames = names("tfc.output_names", func.getNumResults(), "output");
  for (auto [i, t] : llvm::enumerate(func.getArgumentTypes())) {
    TensorSpec s;
    if (!specOf(t, inNames[i], s, error))
      return nullptr;
    m->inputSpecs.push_back(s);
  }
  if (auto all = func->getAttrOfType<ArrayAttr>("tfc.input_dim_names"))
    for (auto [spec, names] : llvm::zip(m->inputSpecs, all))
      for (Attribute n : cast<ArrayAttr>(names))
        spec.dimNames.push_back(cast<StringAttr>(n).str());
  for (auto [i, t] : llvm::enumerate(func.getResultTypes())) {
    TensorSpec s;
    if (!specOf(t, outNames[i], s, error))
      return nullptr;
    m->outputSpecs.push_back(s);
  }
  func->setAttr("llvm.emit_c_interface", UnitAttr::get(module->getContext()));

  using Clock = std::chrono::steady_clock;
  auto phase = [&](const char *name, Clock::time_point t0) {
    m->phases.push_back(
        {name, std::chrono::duration<double, std::milli>(Clock::now() - t0)
                   .count()});
  };
  auto t0 = Clock::now();
  if (options.optimize) {
    PassManager opt(module->getContext());
    mlir::tfc::buildOptimizePipeline(opt, options.remarks);
    if (failed(opt.run(*module))) {
      error = "optimization failed";
      return nullptr;
    }
    phase("optimize (tfc-optimize)", t0);
  }
  t0 = Clock::now();
  PassManager pm(module->getContext());
  mlir::tfc::buildLowerToLinalgPipeline(pm);
  if (failed(pm.run(*module))) {
    error = "lowering to linalg failed";
    return nullptr;
  }
  phase("lower to linalg (tfc-lower-to-linalg)", t0);
  t0 = Clock::now();
  PassManager kernels(module->getContext());
  mlir::tfc::CPUOptions cpu;
  cpu.threads = options.threads;
  mlir::tfc::buildCPUKernelsPipeline(kernels, cpu);
  if (failed(kernels.run(*module))) {
    error = "building the CPU kernels failed";
    return nullptr;
  }
  phase("CPU kernels and weight packing (tfc-cpu-gemm-microkernels)", t0);
  // Weights became trailing arguments; remember where their bytes live.
  func = module->lookupSymbol<func::FuncOp>("main");
  if (auto ws = func->getAttrOfType<ArrayAttr>("tfc.weights")) {
    for (Attribute w : ws) {
      Weight weight;
      auto type = cast<ShapedType>(cast<TypedAttr>(w).getType());
      weight.shape.assign(type.getShape().begin(), type.getShape().end());
      if (auto r = dyn_cast<DenseResourceElementsAttr>(w)) {
        AsmResourceBlob *blob = r.getRawHandle().getBlob();
        if (!blob) {
          error = "weight blob is missing";
          return nullptr;
        }
        weight.data = blob->getData().data();
      } else {
        weight.data = cast<DenseElementsAttr>(w).getRawData().data();
      }
      m->weights.push_back(weight);
    }
    func->removeAttr("tfc.weights");
  }
  t0 = Clock::now();
  PassManager lower(module->getContext());
  mlir::tfc::buildLinalgToLLVMPipeline(lower, options.threads);
  if (failed(lower.run(*module))) {
    error = "lowering to LLVM failed";
    return nullptr;
  }
  phase("lower to the LLVM dialect (tfc-linalg-to-llvm)", t0);
  if (options.dumpLLVMDialect)
    module->print(llvm::errs());

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  ExecutionEngineOptions eo;
  // Optimize for the host CPU: without a target machine the vectorizers see
  // no vector registers and leave every loop scalar.
  auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!jtmb) {
    error = "cannot detect the host CPU: " + llvm::toString(jtmb.takeError());
    return nullptr;
  }
  jtmb->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  auto tm = jtmb->createTargetMachine();
  if (!tm) {
    error = "cannot create a target machine: " + llvm::toString(tm.takeError());
    return nullptr;
  }
  // eo.transformer is a function_ref: the std::function must outlive create().
  std::function<llvm::Error(llvm::Module *)> optimize =
      makeOptimizingTransformer(options.optLevel, 0, tm->get());
  eo.transformer = optimize;
  eo.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  // memref.copy of strided views calls memrefCopy from MLIR's runner utils.
  static const StringRef runtimeLibs[] = {TFC_MLIR_C_RUNNER_UTILS, TFC_LIBOMP};
  eo.sharedLibPaths = ArrayRef<StringRef>(runtimeLibs)
                          .take_front(options.threads > 1 ? 2 : 1);
  // Idle OpenMP workers sleep at once instead of spinning for 200 ms (two
  // vCPUs may share a core); the user's setting wins.
  if (options.threads > 1)
    ::setenv("KMP_BLOCKTIME", "0", /*overwrite=*/0);
  t0 = Clock::now();
  auto engine = ExecutionEngine::create(*module, eo);
  if (!engine) {
    error = "JIT compilation failed: " + llvm::toString(engine.takeError());
    return nullptr;
  }
  // Materialize the code now (ORC compiles on first lookup).
  if (auto fn = (*engine)->lookupPacked("main"); !fn) {
    error = "JIT compilation failed: " + llvm::toString(fn.takeError());
    return nullptr;
  }
  phase("LLVM IR, optimization and machine code (JIT)", t0);
  m->engine = std::move(*engine);
  m->module = std::move(module);
  return m;
}

namespace {
/// A strided memref descriptor of any rank, laid out as the C interface
/// expects: allocated ptr, aligned ptr, offset, sizes[rank], strides[rank].
struct Descriptor {
  std::vector<int64_t> words;
  Descriptor(const void *data, const std::vector<int64_t> &shape) {
    size_t r = shape.size();
    words.assign(3 + 2 * r, 0);
    std::memcpy(&words[0], &data, sizeof(void *));
    std::memcpy(&words[1], &data, sizeof(void *));
    int64_t stride = 1;
    for (size_t i = r; i-- > 0;) {
      words[3 + i] = shape[i];
      words[3 + r + i] = stride;
      stride *= shape[i];
    }
  }
};
} // namespace

bool JitModel::run(const std::vector<HostTensor> &inputs,
                   std::vector<HostTensor> &outputs, std::string &error) {
  if (inputs.size() != inputSpecs.size()) {
    error = "the model has " + std::to_string(inputSpecs.size()) +
            " inputs, got " + std::to_string(inputs.size());
    return false;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorSpec &s = inputSpecs[i];
    const HostTensor &t = inputs[i];
    bool bf16Bits = s.dtype == DType::bf16 && t.dtype == DType::u16;
    if (t.dtype != s.dtype && !bf16Bits) {
      error = "input '" + s.name + "' has dtype " + dtypeName(t.dtype) +
              ", the model expects " + dtypeName(s.dtype);
      return false;
    }
    auto shapeStr = [](const std::vector<int64_t> &v) {
      std::string r = "[";
      for (size_t k = 0; k < v.size(); ++k)
        r += (k ? ", " : "") + (v[k] < 0 ? std::string("?") : std::to_string(v[k]));
      return r + "]";
    };
    bool ok = t.shape.size() == s.shape.size();
    for (size_t d = 0; ok && d < s.shape.size(); ++d)
      ok = s.shape[d] < 0 || s.shape[d] == t.shape[d];
    if (!ok) {
      error = "input '" + s.name + "' has shape " + shapeStr(t.shape) +
              ", the model expects " + shapeStr(s.shape);
      return false;
    }
  }
  // Inputs that share a symbolic size must agree on it: the compiled code
  // assumes so.
  std::map<std::string, std::pair<size_t, size_t>> bound; // name -> (input, dim)
  for (size_t i = 0; i < inputs.size(); ++i) {
    const TensorSpec &s = inputSpecs[i];
    for (size_t d = 0; d < s.dimNames.size() && d < inputs[i].shape.size(); ++d) {
      if (s.dimNames[d].empty())
        continue;
      auto [it, fresh] = bound.try_emplace(s.dimNames[d], i, d);
      auto [j, e] = it->second;
      if (!fresh && inputs[j].shape[e] != inputs[i].shape[d]) {
        error = "input '" + s.name + "' has size " +
                std::to_string(inputs[i].shape[d]) + " in dimension " +
                std::to_string(d) + " ('" + s.dimNames[d] + "'), but input '" +
                inputSpecs[j].name + "' has size " +
                std::to_string(inputs[j].shape[e]) + " there (dimension " +
                std::to_string(e) + ")";
        return false;
      }
    }
  }
  // Result area: one descriptor per output.
  size_t resultWords = 0;
  for (auto &s : outputSpecs)
    resultWords += 3 + 2 * s.shape.size();
  std::vector<int64_t> results(std::max<size_t>(resultWords, 1), 0);
  std::vector<Descriptor> descs;
  for (size_t i = 0; i < inputs.size(); ++i)
    descs.emplace_back(inputs[i].data.data(), inputs[i].shape);
  for (auto &w : weights)
    descs.emplace_back(w.data, w.shape);
  std::vector<void *> argPtrs; // each is a pointer to a descriptor pointer
  std::vector<void *> descPtrs(descs.size() + 1);
  void *resultPtr = results.data();
  size_t k = 0;
  if (!outputSpecs.empty())
    argPtrs.push_back(&resultPtr);
  for (auto &d : descs) {
    descPtrs[k] = d.words.data();
    argPtrs.push_back(&descPtrs[k++]);
  }
  if (auto err = engine->invokePacked("_mlir_ciface_main", argPtrs)) {
    error = "execution failed: " + llvm::toString(std::move(err));
    return false;
  }
  outputs.clear();
  std::set<void *> freed; // an output returned twice is freed once
  size_t off = 0;
  for (auto &s : outputSpecs) {
    size_t r = s.shape.size();
    int64_t *w = &results[off];
    off += 3 + 2 * r;
    void *allocated, *aligned;
    std::memcpy(&allocated, &w[0], sizeof(void *));
    std::memcpy(&aligned, &w[1], sizeof(void *));
    HostTensor t;
    t.dtype = s.dtype;
    t.shape.assign(w + 3, w + 3 + r);
    size_t es = dtypeSize(s.dtype);
    int64_t count = t.numElements();
    t.data.resize(count * es);
    // Results may be strided views: copy contiguous innermost runs (the
    // whole tensor at once when it is row-major).
    const char *base = static_cast<const char *>(aligned) + w[2] * es;
    int64_t run = 1;
    size_t inner = r; // dims [inner, r) form one contiguous run
    while (inner > 0 && w[3 + r + inner - 1] == run) {
      run *= t.shape[inner - 1];
      --inner;
    }
    if (count > 0) {
      std::vector<int64_t> idx(inner, 0);
      for (int64_t e = 0; e < count; e += run) {
        int64_t lin = 0;
        for (size_t d = 0; d < inner; ++d)
          lin += idx[d] * w[3 + r + d];
        std::memcpy(t.data.data() + e * es, base + lin * es, run * es);
        for (size_t d = inner; d-- > 0;) {
          if (++idx[d] < t.shape[d])
            break;
          idx[d] = 0;
        }
      }
    }
    // Free outputs the compiled code allocated (not inputs, weights or
    // constant globals, which the lowering marks with 0xdeadbeef).
    bool owned = allocated != nullptr &&
                 allocated != reinterpret_cast<void *>(0xdeadbeef);
    for (auto &in : inputs)
      owned &= allocated != in.data.data();
    for (auto &wt : weights)
      owned &= allocated != wt.data;
    if (owned && freed.insert(allocated).second)
      std::free(allocated);
    outputs.push_back(std::move(t));
  }
  return true;
}
