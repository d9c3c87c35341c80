//===- ModelFileStream.cpp - a model's bytes as protobuf's input ----------===//
#include "ModelFileStream.h"

#include <algorithm>
#include <sys/mman.h>
#include <unistd.h>

using namespace mlir::tfc::onnx_import;

ModelFileStream::ModelFileStream(llvm::StringRef bytes, bool mapped, int chunk)
    : bytes(bytes), mapped(mapped), chunk(chunk) {}

bool ModelFileStream::Next(const void **data, int *size) {
  releaseParsed();
  int64_t left = (int64_t)bytes.size() - pos;
  if (left <= 0)
    return false;
  *data = bytes.data() + pos;
  *size = (int)std::min<int64_t>(left, chunk);
  pos += *size;
  return true;
}

void ModelFileStream::BackUp(int count) { pos -= count; }

bool ModelFileStream::Skip(int count) {
  int64_t left = (int64_t)bytes.size() - pos;
  pos += std::min<int64_t>(left, count);
  return count <= left;
}

void ModelFileStream::releaseParsed() {
  // What protobuf asked for before the chunk it backs up into is parsed:
  // it never reads a byte before `pos` again.
  if (!mapped)
    return;
  static const uintptr_t page = (uintptr_t)::sysconf(_SC_PAGESIZE);
  uintptr_t base = (uintptr_t)bytes.data();
  uintptr_t from = (base + released + page - 1) & ~(page - 1);
  uintptr_t to = (base + pos) & ~(page - 1);
  if (to <= from || to - from < (uintptr_t)chunk)
    return;
  // Advice: on failure the pages merely stay.
  ::madvise((void *)from, to - from, MADV_DONTNEED);
  released = (int64_t)(to - base);
}
