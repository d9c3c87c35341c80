//===- Translation.cpp - the --import-onnx translation --------------------===//
#include "tfc/Import/ONNX.h"

#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

void mlir::tfc::registerOnnxImportTranslation(
    std::function<OnnxImportOptions()> options) {
  TranslateToMLIRRegistration reg(
      "import-onnx", "import an ONNX model (.onnx) into the tfc dialect",
      [options](llvm::SourceMgr &sourceMgr,
         MLIRContext *ctx) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buf =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        StringRef name = buf->getBufferIdentifier();
        OnnxImportOptions o = options ? options() : OnnxImportOptions();
        if ((int64_t)buf->getBufferSize() > o.maxModelBytes) {
          emitError(FileLineColLoc::get(ctx, name, 0, 0))
              << "model file has " << buf->getBufferSize()
              << " bytes, more than the limit of " << o.maxModelBytes
              << " bytes";
          return nullptr;
        }
        auto module = importOnnxBytes(ctx, buf->getBuffer(), name,
                                      llvm::sys::path::parent_path(name),
                                      o);
        if (!module)
          return nullptr;
        return OwningOpRef<Operation *>(module.release());
      });
}
