//===- WeightsObject.h - a model's weights as an ELF object file ----------===//
#ifndef TFC_LIB_RUNTIME_WEIGHTSOBJECT_H
#define TFC_LIB_RUNTIME_WEIGHTSOBJECT_H

#include "tfc/Runtime/ModelLowering.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace tfc::runtime {

/// Each weight's offset from tfc_weights_blob: in order, each 64-byte
/// aligned.
std::vector<uint64_t> weightOffsets(llvm::ArrayRef<WeightBlob> weights);

/// Writes `weights` at `offsets` (weightOffsets) as the read-only section
/// .rodata.tfc_weights of an ELF relocatable object at `path`, with the
/// hidden global symbol tfc_weights_blob at its start. The object's class,
/// byte order, OS ABI, machine and flags are those of `objectHeader`, the
/// ELF header of an object file for the target (at least 64 bytes), which
/// must be 64-bit little-endian. The weights are written once, straight
/// from memory: an assembler .incbin read and copied them twice more (3.3 s
/// of BERT-base's 420 MB on a 2-core machine). It only reads `weights`, so
/// it may run while the model's machine code is made.
bool writeWeightsObject(llvm::StringRef path, llvm::StringRef objectHeader,
                        llvm::ArrayRef<WeightBlob> weights,
                        llvm::ArrayRef<uint64_t> offsets, std::string &error);

} // namespace tfc::runtime

#endif // TFC_LIB_RUNTIME_WEIGHTSOBJECT_H
