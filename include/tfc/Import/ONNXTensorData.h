//===- ONNXTensorData.h - element bytes of an ONNX TensorProto --*- C++ -*-===//
#ifndef TFC_IMPORT_ONNXTENSORDATA_H
#define TFC_IMPORT_ONNXTENSORDATA_H

#include <cstdint>
#include <string>

namespace onnx {
class TensorProto;
}

namespace tfc {
/// Bytes per element of an ONNX data type tfc supports (bool: 1), or 0.
size_t onnxElementBytes(int dataType);
/// Gathers the little-endian element bytes of `t` (raw_data or the typed
/// fields; not external data) for `n` elements of `elemBytes` each. On a
/// mismatch returns false with `error` saying what the tensor holds.
bool onnxTensorBytes(const onnx::TensorProto &t, int64_t n, size_t elemBytes,
                     std::string &bytes, std::string &error);
} // namespace tfc

#endif
