//===- WeightsObject.h - a model's weights as an ELF object file ----------===//
#ifndef TFC_LIB_RUNTIME_WEIGHTSOBJECT_H
#define TFC_LIB_RUNTIME_WEIGHTSOBJECT_H

#include "tfc/Runtime/ModelLowering.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace tfc::runtime {

/// Writes `weights`, each 64-byte aligned, as the read-only section
/// .rodata.tfc_weights of an ELF relocatable object at `path`, with the
/// hidden global symbol tfc_weights_blob at its start; `offsets` gets each
/// weight's offset from that symbol. The object's class, byte order and
/// machine are those of the model's object file `modelObject`, which must be
/// 64-bit little-endian ELF. The weights are written once, straight from
/// memory: an assembler .incbin read and copied them twice more (3.3 s of
/// BERT-base's 420 MB on a 2-core machine).
bool writeWeightsObject(llvm::StringRef path, llvm::StringRef modelObject,
                        llvm::ArrayRef<WeightBlob> weights,
                        std::vector<uint64_t> &offsets, std::string &error);

} // namespace tfc::runtime

#endif // TFC_LIB_RUNTIME_WEIGHTSOBJECT_H
