//===- OutlineKernels.cpp - the tfc-cpu-outline-kernels pass --------------===//
//
// Each top-level loop nest or linalg op of a bufferized function becomes a
// private function, and kernels that are the same code (the same GEMM,
// norm or attention in each of a transformer's layers, reading different
// weights) share one. LLVM then optimizes and compiles each distinct kernel
// once instead of once per layer, and no single function is huge.
//
//===----------------------------------------------------------------------===//
#include "tfc/Dialect/TFC/IR/TFC.h"
#include "tfc/Target/CPU/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMAttrs.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::tfc {
#define GEN_PASS_DEF_OUTLINEKERNELSPASS
#include "tfc/Target/CPU/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;

namespace {

/// Ops worth a function of their own: loops and structured ops.
bool isKernel(Operation &op) {
  return op.getNumRegions() > 0 &&
         isa<LoopLikeOpInterface, linalg::LinalgOp>(op) &&
         llvm::all_of(op.getResultTypes(),
                      [](Type t) { return !isa<TensorType>(t); });
}

/// The text of `fn`'s body with a fixed name: equal texts are the same
/// kernel.
std::string kernelKey(func::FuncOp fn) {
  std::string key;
  llvm::raw_string_ostream os(key);
  fn.getFunctionType().print(os);
  OpPrintingFlags flags;
  flags.printGenericOpForm().skipRegions(false);
  for (Operation &op : fn.getBody().front())
    op.print(os, flags);
  return key;
}

/// `tfc_kernel_<count>`, then the ONNX node the kernel came from (its
/// first one where layers share it), in letters, digits and '_', so that
/// a profiler's symbols say what each kernel computes.
std::string kernelName(Operation *op, unsigned count) {
  std::string name = "tfc_kernel_" + std::to_string(count);
  std::string node = tfc::onnxNodeName(op->getLoc());
  if (node.empty())
    return name;
  name += '_';
  for (char c : StringRef(node).take_front(64))
    name += llvm::isAlnum(c) ? c : '_';
  return name;
}

struct OutlineKernelsPass
    : tfc::impl::OutlineKernelsPassBase<OutlineKernelsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    llvm::StringMap<func::FuncOp> byKey;
    MLIRContext *ctx = &getContext();
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    unsigned count = 0;
    for (func::FuncOp f : funcs) {
      if (f.isExternal() || !f.getBody().hasOneBlock())
        continue;
      SmallVector<Operation *> kernels;
      for (Operation &op : f.getBody().front())
        if (isKernel(op))
          kernels.push_back(&op);
      for (Operation *op : kernels) {
        // Values from above: constants are cloned in, the rest are
        // arguments.
        SetVector<Value> captured;
        for (Value v : op->getOperands())
          captured.insert(v);
        getUsedValuesDefinedAbove(op->getRegions(), captured);
        SmallVector<Value> args;
        SmallVector<Operation *> constants;
        for (Value v : captured) {
          Operation *def = v.getDefiningOp();
          if (def && def->hasTrait<OpTrait::ConstantLike>() &&
              def->getNumOperands() == 0 && def->getNumRegions() == 0)
            constants.push_back(def);
          else
            args.push_back(v);
        }
        OpBuilder b(ctx);
        auto type = b.getFunctionType(ValueRange(args).getTypes(),
                                      op->getResultTypes());
        auto fn =
            func::FuncOp::create(op->getLoc(), kernelName(op, count), type);
        Block *body = fn.addEntryBlock();
        b.setInsertionPointToStart(body);
        IRMapping map;
        for (auto [v, a] : llvm::zip(args, body->getArguments()))
          map.map(v, a);
        for (Operation *c : constants)
          b.clone(*c, map);
        Operation *copy = b.clone(*op, map);
        func::ReturnOp::create(b, op->getLoc(), copy->getResults());
        // The same kernel outlined before takes this one's calls.
        std::string key = kernelKey(fn);
        func::FuncOp callee = byKey.lookup(key);
        if (callee) {
          fn.erase();
        } else {
          callee = fn;
          fn.setPrivate();
          // LLVM must not inline it back into every caller.
          fn->setAttr("passthrough",
                      b.getArrayAttr({b.getStringAttr("noinline")}));
          symbols.insert(fn, Block::iterator(f));
          byKey[key] = fn;
          ++count;
        }
        b.setInsertionPoint(op);
        auto call = func::CallOp::create(b, op->getLoc(), callee, args);
        op->replaceAllUsesWith(call.getResults());
        op->erase();
      }
    }
  }
};

} // namespace
