//===- TensorData.cpp - element bytes of an ONNX TensorProto --------------===//
#include "tfc/Import/ONNXTensorData.h"

#include "onnx.pb.h"

#include <cstring>

size_t tfc::onnxElementBytes(int t) {
  switch (t) {
  case onnx::TensorProto::BOOL:
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
    return 1;
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::FLOAT16:
  case onnx::TensorProto::BFLOAT16:
    return 2;
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::FLOAT:
    return 4;
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
  case onnx::TensorProto::DOUBLE:
    return 8;
  default:
    return 0;
  }
}

bool tfc::onnxTensorBytes(const onnx::TensorProto &t, int64_t n,
                          size_t elemBytes, std::string &bytes,
                          std::string &error) {
  if (t.has_raw_data()) {
    bytes = t.raw_data();
  } else {
    // Compare counts before allocating: a hostile file may declare 2^40
    // elements and hold none.
    int64_t held;
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT: held = t.float_data_size(); break;
    case onnx::TensorProto::DOUBLE: held = t.double_data_size(); break;
    case onnx::TensorProto::INT64: held = t.int64_data_size(); break;
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64: held = t.uint64_data_size(); break;
    default: held = t.int32_data_size(); break;
    }
    if (held != n) {
      error = "tensor '" + t.name() + "' declares " + std::to_string(n) +
              " elements but holds " + std::to_string(held);
      return false;
    }
    bytes.assign(n * elemBytes, 0);
    char *out = bytes.data();
    auto put = [&](int64_t i, uint64_t v) {
      std::memcpy(out + i * elemBytes, &v, elemBytes);
    };
    int64_t have = 0;
    switch (t.data_type()) {
    case onnx::TensorProto::FLOAT:
      have = t.float_data_size();
      if (have == n && n > 0) // memcpy from an empty field is UB
        std::memcpy(out, t.float_data().data(), n * 4);
      break;
    case onnx::TensorProto::DOUBLE:
      have = t.double_data_size();
      if (have == n && n > 0) // memcpy from an empty field is UB
        std::memcpy(out, t.double_data().data(), n * 8);
      break;
    case onnx::TensorProto::INT64:
      have = t.int64_data_size();
      if (have == n && n > 0) // memcpy from an empty field is UB
        std::memcpy(out, t.int64_data().data(), n * 8);
      break;
    case onnx::TensorProto::UINT32:
    case onnx::TensorProto::UINT64:
      have = t.uint64_data_size();
      if (have == n && n > 0) // memcpy from an empty field is UB
        for (int64_t i = 0; i < n; ++i)
          put(i, t.uint64_data(i));
      break;
    default: // int32_data holds the narrower types and 16-bit float bits
      have = t.int32_data_size();
      if (have == n && n > 0) // memcpy from an empty field is UB
        for (int64_t i = 0; i < n; ++i)
          put(i, (uint64_t)(uint32_t)t.int32_data(i));
      break;
    }
    if (have != n) {
      error = "tensor '" + t.name() + "' declares " + std::to_string(n) +
              " elements but holds " + std::to_string(have);
      return false;
    }
  }
  if ((int64_t)bytes.size() != n * (int64_t)elemBytes) {
    error = "tensor '" + t.name() + "' declares " + std::to_string(n) +
            " elements (" + std::to_string(n * elemBytes) +
            " bytes) but its data has " + std::to_string(bytes.size()) +
            " bytes";
    return false;
  }
  return true;
}
