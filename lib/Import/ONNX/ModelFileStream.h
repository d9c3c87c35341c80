//===- ModelFileStream.h - a model's bytes as protobuf's input ---*- C++
//-*-===//
//
// The parser reads a model file in chunks. Where the file is memory-mapped,
// the pages it has parsed are dropped from the process as it goes: the
// weights' bytes are copied into their own buffers while they are parsed,
// and BERT-base's 440 MB file stayed resident next to those copies until
// the import ended (a peak of twice the weights).
//
//===----------------------------------------------------------------------===//
#ifndef TFC_LIB_IMPORT_ONNX_MODELFILESTREAM_H
#define TFC_LIB_IMPORT_ONNX_MODELFILESTREAM_H

#include "llvm/ADT/StringRef.h"

#include <google/protobuf/io/zero_copy_stream.h>

namespace mlir::tfc::onnx_import {

class ModelFileStream : public google::protobuf::io::ZeroCopyInputStream {
public:
  /// `bytes` in chunks of `chunk` bytes; with `mapped`, `bytes` is a
  /// read-only file mapping whose parsed pages may be dropped (they read
  /// back from the file if touched again).
  ModelFileStream(llvm::StringRef bytes, bool mapped, int chunk = 4 << 20);

  bool Next(const void **data, int *size) override;
  void BackUp(int count) override;
  bool Skip(int count) override;
  int64_t ByteCount() const override { return pos; }

private:
  /// Drops the whole pages before `pos` not dropped yet.
  void releaseParsed();

  llvm::StringRef bytes;
  bool mapped;
  int chunk;
  int64_t pos = 0, released = 0;
};

} // namespace mlir::tfc::onnx_import

#endif // TFC_LIB_IMPORT_ONNX_MODELFILESTREAM_H
