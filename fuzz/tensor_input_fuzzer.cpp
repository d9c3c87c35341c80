//===- tensor_input_fuzzer.cpp - tfc-run's input file readers -------------===//
//
// Arbitrary bytes as a serialized ONNX TensorProto (.pb) and as a .npy file,
// the two input formats tfc-run reads; a tensor that parses must have as
// many bytes as its shape and dtype say.
//
//===----------------------------------------------------------------------===//
#include "tfc/Runtime/HostTensor.h"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string bytes(reinterpret_cast<const char *>(data), size);
  std::string error;
  for (int format = 0; format < 2; ++format) {
    tfc::runtime::HostTensor t;
    bool ok = format ? tfc::runtime::parseNpy(bytes, "fuzz.npy", t, error)
                     : tfc::runtime::parseTensorProto(bytes, "fuzz.pb", t,
                                                      error);
    if (ok && t.data.size() !=
                  size_t(t.numElements()) * tfc::runtime::dtypeSize(t.dtype))
      std::abort(); // a reader returned a tensor inconsistent with itself
  }
  return 0;
}
