//===- HostTensor.h - tensors in host memory and their file formats -*- C++ -*-===//
#ifndef TFC_RUNTIME_HOSTTENSOR_H
#define TFC_RUNTIME_HOSTTENSOR_H

#include <cstdint>
#include <string>
#include <vector>

namespace tfc::runtime {

/// Element types tfc exchanges with users; names follow numpy.
enum class DType { f32, f64, f16, bf16, i8, i16, i32, i64, u8, u16, u32, u64, b1 };

/// Bytes per element.
size_t dtypeSize(DType t);
/// numpy name ("float32", "bool", ...).
const char *dtypeName(DType t);

/// A dense row-major tensor owned by the host.
struct HostTensor {
  DType dtype = DType::f32;
  std::vector<int64_t> shape;
  std::vector<char> data;

  int64_t numElements() const;
  /// Element i converted to double (for comparisons).
  double at(int64_t i) const;
};

/// Reads a .npy file (format 1.0-3.0, little endian; Fortran-ordered data is
/// reordered to C order). On failure returns false and sets `error` to a
/// message naming the file and problem.
bool readNpy(const std::string &path, HostTensor &out, std::string &error);
/// Writes a .npy file (bf16 is written as float32: numpy has no bf16).
bool writeNpy(const std::string &path, const HostTensor &t, std::string &error);
/// Reads a serialized ONNX TensorProto (.pb, as in the ONNX test data).
bool readTensorProto(const std::string &path, HostTensor &out,
                     std::string &error);
/// The same two readers on bytes already in memory; `name` is the file
/// name errors mention.
bool parseNpy(const std::string &bytes, const std::string &name,
              HostTensor &out, std::string &error);
bool parseTensorProto(const std::string &bytes, const std::string &name,
                      HostTensor &out, std::string &error);

} // namespace tfc::runtime

#endif
