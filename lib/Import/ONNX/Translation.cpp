//===- Translation.cpp - the --import-onnx translation --------------------===//
#include "tfc/Import/ONNX.h"

#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

void mlir::tfc::registerOnnxImportTranslation() {
  TranslateToMLIRRegistration reg(
      "import-onnx", "import an ONNX model (.onnx) into the tfc dialect",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *ctx) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buf =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        StringRef name = buf->getBufferIdentifier();
        auto module = importOnnxBytes(ctx, buf->getBuffer(), name,
                                      llvm::sys::path::parent_path(name));
        if (!module)
          return nullptr;
        return OwningOpRef<Operation *>(module.release());
      });
}
