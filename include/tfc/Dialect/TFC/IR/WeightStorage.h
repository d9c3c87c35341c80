//===- WeightStorage.h - memory for large constant tensors ------*- C++ -*-===//
#ifndef TFC_DIALECT_TFC_IR_WEIGHTSTORAGE_H
#define TFC_DIALECT_TFC_IR_WEIGHTSTORAGE_H

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Operation.h"

#include <string>

namespace mlir::tfc {

/// A mutable resource blob (contents unset) of `bytes` bytes for a
/// constant's data (dense_resource), aligned to `align`.
///
/// Blobs of 2 MiB and more that only the compiler reads are their own
/// anonymous mapping, advised to use transparent huge pages: a model's
/// weights are written into fresh memory several times while it compiles
/// (import, transposes, fusions), and in 4 KiB pages the page faults were a
/// third of BERT-base's compile time. Blobs that compiled code reads while
/// it runs (`readAtRunTime`: the JIT runs on the packed weights in place)
/// come from the heap like small ones: BERT-base ran steadier and faster
/// with its packed weights there (JIT, 8 alternating rounds: median 113.5
/// ms against 114.6 in huge pages, whose rounds spread to 127 ms).
AsmResourceBlob allocateWeightBlob(size_t bytes, size_t align,
                                   bool readAtRunTime = false);
/// A compile-time blob (allocateWeightBlob) holding a copy of `data`.
AsmResourceBlob copyToWeightBlob(ArrayRef<char> data, size_t align);
/// A blob that owns `data`'s buffer, without a copy (the importer's weights:
/// a copy of BERT-base's 440 MB was a tenth of its compile time, mostly
/// page faults); a copy (copyToWeightBlob) where the buffer is not aligned
/// to `align`.
AsmResourceBlob adoptAsWeightBlob(std::string &&data, size_t align);

/// Weights that a compile no longer needs, freed as it goes: the
/// originals of packed or fused weights stayed in memory next to their
/// replacements until the context died (BERT-base peaked at 2.2 times its
/// weights while it compiled, and a JIT model held its weights twice while
/// it ran). Only a caller that owns every module of the context may use
/// them: a blob that no op under `root` refers to but another module does
/// would be emptied under it.
class WeightReleaser {
public:
  /// Counts the references to each dense_resource blob under `root` (ops'
  /// attributes, however nested).
  explicit WeightReleaser(Operation *root);

  /// `op` (about to be erased) no longer refers to its blobs: the blobs
  /// that nothing else under `root` refers to are freed. Returns the bytes
  /// freed.
  size_t dropReferences(Operation *op);

private:
  DenseMap<void *, unsigned> references;
};

/// Frees every dense_resource blob of `root`'s context that no op under
/// `root` refers to (same ownership rule as WeightReleaser). Returns the
/// bytes freed.
size_t releaseUnreferencedWeights(Operation *root);

} // namespace mlir::tfc

#endif // TFC_DIALECT_TFC_IR_WEIGHTSTORAGE_H
