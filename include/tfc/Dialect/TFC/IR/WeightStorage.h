//===- WeightStorage.h - memory for large constant tensors ------*- C++ -*-===//
#ifndef TFC_DIALECT_TFC_IR_WEIGHTSTORAGE_H
#define TFC_DIALECT_TFC_IR_WEIGHTSTORAGE_H

#include "mlir/IR/AsmState.h"

namespace mlir::tfc {

/// A mutable resource blob (contents unset) of `bytes` bytes for a constant's
/// data (dense_resource), aligned to `align`. Blobs of
/// 2 MiB and more are their own anonymous mapping, advised to use
/// transparent huge pages: a model's weights are written into fresh memory
/// several times while it compiles (import, transposes, fusions, packing),
/// and in 4 KiB pages the page faults were a third of BERT-base's compile
/// time. Smaller blobs come from the heap.
AsmResourceBlob allocateWeightBlob(size_t bytes, size_t align);

} // namespace mlir::tfc

#endif // TFC_DIALECT_TFC_IR_WEIGHTSTORAGE_H
