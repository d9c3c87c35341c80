//===- WeightStorage.cpp - memory for large constant tensors --------------===//
#include "tfc/Dialect/TFC/IR/WeightStorage.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"

#include <sys/mman.h>

using namespace mlir;

static constexpr size_t kHugePage = size_t(2) << 20;

AsmResourceBlob mlir::tfc::allocateWeightBlob(size_t bytes, size_t align,
                                              bool readAtRunTime) {
  if (readAtRunTime || bytes < kHugePage || align > kHugePage)
    return HeapAsmResourceBlob::allocate(bytes, align, /*dataIsMutable=*/true);
  // 2 MiB more than asked for, so that the start can be moved to a 2 MiB
  // boundary; the unused head and tail are unmapped again.
  size_t mapped = bytes + kHugePage;
  void *raw = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED)
    return HeapAsmResourceBlob::allocate(bytes, align, /*dataIsMutable=*/true);
  uintptr_t start = reinterpret_cast<uintptr_t>(raw);
  uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
  size_t length = (bytes + 4095) & ~size_t(4095);
  if (aligned > start)
    ::munmap(raw, aligned - start);
  if (size_t tail = start + mapped - (aligned + length))
    ::munmap(reinterpret_cast<void *>(aligned + length), tail);
  char *data = reinterpret_cast<char *>(aligned);
  ::madvise(data, length, MADV_HUGEPAGE); // advice: fine to be ignored
  return AsmResourceBlob(
      ArrayRef<char>(data, bytes), align,
      [length](void *p, size_t, size_t) { ::munmap(p, length); },
      /*dataIsMutable=*/true);
}

AsmResourceBlob mlir::tfc::copyToWeightBlob(ArrayRef<char> data,
                                            size_t align) {
  AsmResourceBlob blob = allocateWeightBlob(data.size(), align);
  llvm::copy(data, blob.getMutableData().begin());
  return blob;
}

AsmResourceBlob mlir::tfc::adoptAsWeightBlob(std::string &&data, size_t align) {
  if (data.empty() || reinterpret_cast<uintptr_t>(data.data()) % align != 0)
    return copyToWeightBlob(ArrayRef<char>(data.data(), data.size()), align);
  auto *owner = new std::string(std::move(data));
  return AsmResourceBlob(
      ArrayRef<char>(owner->data(), owner->size()), align,
      [owner](void *, size_t, size_t) { delete owner; },
      /*dataIsMutable=*/true);
}

using BlobEntry = DialectResourceBlobManager::BlobEntry;

/// The blobs `op`'s attributes refer to, each once.
static llvm::SmallDenseSet<BlobEntry *, 2> blobsOf(Operation *op) {
  llvm::SmallDenseSet<BlobEntry *, 2> blobs;
  op->getAttrDictionary().walk([&](DenseResourceElementsAttr a) {
    blobs.insert(a.getRawHandle().getResource());
  });
  return blobs;
}

/// Frees `entry`'s bytes (an empty blob stays in their place).
static size_t release(BlobEntry *entry) {
  AsmResourceBlob *blob = entry->getBlob();
  if (!blob || blob->getData().empty())
    return 0;
  size_t bytes = blob->getData().size();
  entry->setBlob(AsmResourceBlob());
  return bytes;
}

tfc::WeightReleaser::WeightReleaser(Operation *root) {
  root->walk([&](Operation *op) {
    for (BlobEntry *entry : blobsOf(op))
      ++references[entry];
  });
}

size_t tfc::WeightReleaser::dropReferences(Operation *op) {
  size_t freed = 0;
  for (BlobEntry *entry : blobsOf(op)) {
    auto it = references.find(entry);
    if (it == references.end() || --it->second > 0)
      continue;
    references.erase(it);
    freed += release(entry);
  }
  return freed;
}

size_t tfc::releaseUnreferencedWeights(Operation *root) {
  llvm::DenseSet<BlobEntry *> used;
  root->walk([&](Operation *op) {
    for (BlobEntry *entry : blobsOf(op))
      used.insert(entry);
  });
  DialectResourceBlobManager &manager =
      DenseResourceElementsHandle::getManagerInterface(root->getContext())
          .getBlobManager();
  SmallVector<std::string> unused;
  manager.getBlobMap([&](const llvm::StringMap<BlobEntry> &map) {
    for (const auto &entry : map)
      if (!used.contains(const_cast<BlobEntry *>(&entry.second)))
        unused.push_back(entry.first().str());
  });
  size_t freed = 0;
  for (const std::string &key : unused)
    if (BlobEntry *entry = manager.lookup(key))
      freed += release(entry);
  return freed;
}
