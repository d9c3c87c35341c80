//===- HostTensor.cpp - host tensors, .npy and TensorProto files ----------===//
#include "tfc/Runtime/HostTensor.h"

#include "tfc/Import/ONNXTensorData.h"

#include "tfc-c/Model.h"

#include "onnx.pb.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

using namespace tfc::runtime;

size_t tfc::runtime::dtypeSize(DType t) { return tfc_dtype_size((int)t); }

const char *tfc::runtime::dtypeName(DType t) {
  return tfc_dtype_name((int)t);
}

/// numpy descr of each dtype (bf16 has none: written as float32).
static const char *npyDescr(DType t) {
  static const char *d[] = {"<f4", "<f8", "<f2", "<f4", "|i1", "<i2", "<i4",
                            "<i8", "|u1", "<u2", "<u4", "<u8", "|b1"};
  return d[(int)t];
}

int64_t HostTensor::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

static float halfToFloat(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0)
    v = std::ldexp((float)mant, -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = std::ldexp((float)(mant | 0x400), (int)exp - 25);
  return sign ? -v : v;
}

double HostTensor::at(int64_t i) const {
  const char *p = data.data() + i * dtypeSize(dtype);
  auto load = [&](auto v) {
    std::memcpy(&v, p, sizeof(v));
    return v;
  };
  switch (dtype) {
  case DType::f32:
    return load(float());
  case DType::f64:
    return load(double());
  case DType::f16:
    return halfToFloat(load(uint16_t()));
  case DType::bf16: {
    uint32_t bits = (uint32_t)load(uint16_t()) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  case DType::i8:
    return load(int8_t());
  case DType::i16:
    return load(int16_t());
  case DType::i32:
    return load(int32_t());
  case DType::i64:
    return (double)load(int64_t());
  case DType::u8:
    return load(uint8_t());
  case DType::u16:
    return load(uint16_t());
  case DType::u32:
    return load(uint32_t());
  case DType::u64:
    return (double)load(uint64_t());
  case DType::b1:
    return load(uint8_t()) != 0;
  }
  return 0;
}

static bool readFile(const std::string &path, std::string &bytes,
                     std::string &error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    error = "cannot open '" + path + "'";
    return false;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  bytes = ss.str();
  return true;
}

bool tfc::runtime::readNpy(const std::string &path, HostTensor &out,
                           std::string &error) {
  std::string bytes;
  return readFile(path, bytes, error) && parseNpy(bytes, path, out, error);
}

bool tfc::runtime::parseNpy(const std::string &bytes, const std::string &path,
                            HostTensor &out, std::string &error) {
  auto fail = [&](const std::string &why) {
    error = "'" + path + "' is not a valid .npy file: " + why;
    return false;
  };
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    return fail("bad magic");
  int major = (unsigned char)bytes[6];
  size_t hlen, hstart;
  if (major == 1) {
    hlen = (unsigned char)bytes[8] | ((unsigned char)bytes[9] << 8);
    hstart = 10;
  } else {
    if (bytes.size() < 12)
      return fail("truncated header");
    hlen = 0;
    for (int i = 0; i < 4; ++i)
      hlen |= (size_t)(unsigned char)bytes[8 + i] << (8 * i);
    hstart = 12;
  }
  if (hstart + hlen > bytes.size())
    return fail("truncated header");
  std::string header = bytes.substr(hstart, hlen);
  auto field = [&](const std::string &key) -> std::string {
    size_t k = header.find("'" + key + "'");
    if (k == std::string::npos)
      return "";
    size_t colon = header.find(':', k);
    return colon == std::string::npos ? "" : header.substr(colon + 1);
  };
  std::string descr = field("descr");
  size_t q1 = descr.find('\''), q2 = descr.find('\'', q1 + 1);
  if (q1 == std::string::npos || q2 == std::string::npos)
    return fail("no descr");
  descr = descr.substr(q1 + 1, q2 - q1 - 1);
  if (!descr.empty() && descr[0] == '=')
    descr[0] = '<';
  static const std::pair<const char *, DType> table[] = {
      {"<f4", DType::f32}, {"<f8", DType::f64}, {"<f2", DType::f16},
      {"|i1", DType::i8},  {"<i2", DType::i16}, {"<i4", DType::i32},
      {"<i8", DType::i64}, {"|u1", DType::u8},  {"<u2", DType::u16},
      {"<u4", DType::u32}, {"<u8", DType::u64}, {"|b1", DType::b1}};
  bool found = false;
  for (auto &[d, t] : table)
    if (descr == d) {
      out.dtype = t;
      found = true;
    }
  if (!found)
    return fail("unsupported dtype '" + descr + "'");
  std::string order = field("fortran_order");
  bool fortran = order.find("True") == 0 || order.find(" True") == 0;
  std::string shape = field("shape");
  size_t open = shape.find('('), close = shape.find(')');
  if (open == std::string::npos || close == std::string::npos)
    return fail("no shape");
  out.shape.clear();
  std::stringstream dims(shape.substr(open + 1, close - open - 1));
  std::string item;
  while (std::getline(dims, item, ',')) {
    if (item.find_first_not_of(" ") == std::string::npos)
      continue;
    char *end = nullptr;
    long long v = std::strtoll(item.c_str(), &end, 10);
    if (v < 0 || v > (1LL << 40))
      return fail("bad dimension");
    out.shape.push_back(v);
    int64_t n = 1;
    for (int64_t d : out.shape)
      n = d == 0 || n <= (int64_t(1) << 40) / d ? n * d : -1;
    if (n < 0)
      return fail("more than 2^40 elements");
  }
  size_t need = out.numElements() * dtypeSize(out.dtype);
  size_t dataStart = hstart + hlen;
  if (bytes.size() - dataStart != need)
    return fail("data has " + std::to_string(bytes.size() - dataStart) +
                " bytes, shape needs " + std::to_string(need));
  if (!fortran || out.shape.size() < 2) {
    out.data.assign(bytes.begin() + dataStart, bytes.end());
    return true;
  }
  // Fortran order (np.save of a transposed view, for one): element
  // (i0, ..., in) is at i0 + d0 * (i1 + d1 * (...)); stored here in C order.
  size_t elem = dtypeSize(out.dtype), rank = out.shape.size();
  std::vector<int64_t> index(rank, 0), stride(rank, 1);
  for (size_t d = 1; d < rank; ++d)
    stride[d] = stride[d - 1] * out.shape[d - 1];
  out.data.resize(need);
  const char *src = bytes.data() + dataStart;
  for (size_t c = 0, n = out.numElements(); c < n; ++c) {
    int64_t f = 0;
    for (size_t d = 0; d < rank; ++d)
      f += index[d] * stride[d];
    std::memcpy(&out.data[c * elem], src + f * elem, elem);
    for (size_t d = rank; d-- > 0;) // the next index in C order
      if (++index[d] < out.shape[d])
        break;
      else
        index[d] = 0;
  }
  return true;
}

bool tfc::runtime::writeNpy(const std::string &path, const HostTensor &t,
                            std::string &error) {
  HostTensor conv;
  const HostTensor *src = &t;
  if (t.dtype == DType::bf16) { // numpy has no bfloat16
    conv.dtype = DType::f32;
    conv.shape = t.shape;
    conv.data.resize(t.numElements() * 4);
    for (int64_t i = 0; i < t.numElements(); ++i) {
      float f = (float)t.at(i);
      std::memcpy(conv.data.data() + 4 * i, &f, 4);
    }
    src = &conv;
  }
  std::string shape = "(";
  for (size_t i = 0; i < src->shape.size(); ++i)
    shape += (i ? ", " : "") + std::to_string(src->shape[i]);
  shape += src->shape.size() == 1 ? ",)" : ")";
  std::string header = std::string("{'descr': '") + npyDescr(src->dtype) +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::ofstream f(path, std::ios::binary);
  if (!f) {
    error = "cannot write '" + path + "'";
    return false;
  }
  uint16_t hlen = header.size();
  f.write("\x93NUMPY\x01\x00", 8);
  f.write(reinterpret_cast<const char *>(&hlen), 2);
  f << header;
  f.write(src->data.data(), src->data.size());
  return (bool)f;
}

bool tfc::runtime::readTensorProto(const std::string &path, HostTensor &out,
                                   std::string &error) {
  std::string bytes;
  return readFile(path, bytes, error) &&
         parseTensorProto(bytes, path, out, error);
}

bool tfc::runtime::parseTensorProto(const std::string &bytes,
                                    const std::string &path, HostTensor &out,
                                    std::string &error) {
  onnx::TensorProto t;
  if (!t.ParseFromString(bytes)) {
    error = "'" + path + "' is not a valid ONNX TensorProto";
    return false;
  }
  static const std::pair<int, DType> table[] = {
      {onnx::TensorProto::FLOAT, DType::f32},
      {onnx::TensorProto::DOUBLE, DType::f64},
      {onnx::TensorProto::FLOAT16, DType::f16},
      {onnx::TensorProto::BFLOAT16, DType::bf16},
      {onnx::TensorProto::INT8, DType::i8},
      {onnx::TensorProto::INT16, DType::i16},
      {onnx::TensorProto::INT32, DType::i32},
      {onnx::TensorProto::INT64, DType::i64},
      {onnx::TensorProto::UINT8, DType::u8},
      {onnx::TensorProto::UINT16, DType::u16},
      {onnx::TensorProto::UINT32, DType::u32},
      {onnx::TensorProto::UINT64, DType::u64},
      {onnx::TensorProto::BOOL, DType::b1}};
  bool found = false;
  for (auto &[o, d] : table)
    if (t.data_type() == o) {
      out.dtype = d;
      found = true;
    }
  if (!found) {
    error = "'" + path + "': unsupported tensor data type " +
            std::to_string(t.data_type());
    return false;
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    error = "'" + path + "': external data is not supported for inputs";
    return false;
  }
  out.shape.assign(t.dims().begin(), t.dims().end());
  int64_t n = 1;
  for (int64_t d : out.shape) {
    if (d < 0 || (d > 0 && n > (int64_t(1) << 40) / d)) {
      error = "'" + path + "': bad dimensions";
      return false;
    }
    n *= d;
  }
  std::string data;
  if (!tfc::onnxTensorBytes(t, n, dtypeSize(out.dtype), data, error)) {
    error = "'" + path + "': " + error;
    return false;
  }
  out.data.assign(data.begin(), data.end());
  return true;
}
