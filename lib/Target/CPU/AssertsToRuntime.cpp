//===- AssertsToRuntime.cpp - the tfc-cpu-asserts-to-runtime pass ---------===//
//
// The lowering checks relations between dynamic sizes with cf.assert (two
// dynamic sizes that must broadcast, a reshape's element count). Upstream
// lowers a failed assert to puts + abort, which kills the process that
// embeds the model. Here a failed assert calls the runtime's
// tfc_assert_failed(message), which returns to tfc_model_run (longjmp) and
// makes the run fail with the message, prefixed with the ONNX node's name
// when the assert's location has one, as its error.
//
//===----------------------------------------------------------------------===//
#include "tfc/Dialect/TFC/IR/TFC.h"
#include "tfc/Target/CPU/Passes.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/LLVMIR/FunctionCallUtils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::tfc {
#define GEN_PASS_DEF_ASSERTSTORUNTIMEPASS
#include "tfc/Target/CPU/Passes.h.inc"
} // namespace mlir::tfc

using namespace mlir;

namespace {

struct AssertsToRuntimePass
    : tfc::impl::AssertsToRuntimePassBase<AssertsToRuntimePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<cf::AssertOp> asserts;
    module.walk([&](cf::AssertOp op) { asserts.push_back(op); });
    if (asserts.empty())
      return;
    OpBuilder b(module.getContext());
    b.setInsertionPointToStart(module.getBody());
    auto ptr = LLVM::LLVMPointerType::get(module.getContext());
    FailureOr<LLVM::LLVMFuncOp> fn = LLVM::lookupOrCreateFn(
        b, module, "tfc_assert_failed", {ptr},
        LLVM::LLVMVoidType::get(module.getContext()));
    if (failed(fn))
      return signalPassFailure();
    for (auto [i, op] : llvm::enumerate(asserts)) {
      Block *block = op->getBlock();
      Block *rest = block->splitBlock(std::next(op->getIterator()));
      Block *failBlock = b.createBlock(rest);
      b.setInsertionPointToEnd(block);
      cf::CondBranchOp::create(b, op.getLoc(), op.getArg(), rest, ValueRange{},
                               failBlock, ValueRange{});
      b.setInsertionPointToEnd(failBlock);
      std::string name = "tfc_assert_msg_" + std::to_string(i);
      std::string node = tfc::onnxNodeName(op.getLoc());
      std::string text =
          (node.empty() ? "" : "node '" + node + "': ") + op.getMsg().str();
      text.push_back('\0');
      Value msg = LLVM::createGlobalString(op.getLoc(), b, name, text,
                                           LLVM::Linkage::Private);
      LLVM::CallOp::create(b, op.getLoc(), *fn, ValueRange{msg});
      // tfc_assert_failed does not return (it aborts where no run can
      // take the failure back).
      LLVM::UnreachableOp::create(b, op.getLoc());
      op.erase();
    }
  }
};

} // namespace
