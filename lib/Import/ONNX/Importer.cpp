//===- Importer.cpp - ONNX ModelProto -> tfc dialect ----------------------===//
//
// Reads the graph, turns initializers into constants (dense_resource blobs for
// weights), creates `@main` and dispatches each node to its family's handler.
//
//===----------------------------------------------------------------------===//
#include "Importer.h"
#include "ModelFileStream.h"
#include "tfc/Dialect/TFC/IR/WeightStorage.h"
#include "tfc/Import/ONNXTensorData.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <google/protobuf/io/coded_stream.h>

using namespace mlir;
using namespace mlir::tfc;
using namespace mlir::tfc::onnx_import;

static constexpr int64_t kMaxOpset = 17;

InFlightDiagnostic Importer::error() {
  auto d = mlir::emitError(loc);
  if (node) {
    if (node->name().empty())
      d << "unnamed node";
    else
      d << "node '" << node->name() << "'";
    d << " (" << node->op_type() << ", opset " << opset << "): ";
  }
  return d;
}

InFlightDiagnostic Importer::notConstant(int i, StringRef what) {
  InFlightDiagnostic d = error();
  d << what << " must be a constant";
  if (isa_and_nonnull<BlockArgument>(input(i)))
    d << "; here it is the graph input '" << node->input(i)
      << "' (tfc-run compiles such an input in from the file given for it; "
         "tfc-compile needs it as an initializer)";
  return d;
}

Value Importer::input(int i) {
  if (i >= node->input_size() || node->input(i).empty())
    return nullptr;
  return values.lookup(node->input(i));
}
unsigned Importer::numInputs() const { return node->input_size(); }
bool Importer::hasOutput(int i) const {
  return i < node->output_size() && !node->output(i).empty();
}
void Importer::setOutput(int i, Value v) {
  if (hasOutput(i))
    values[node->output(i)] = v;
}

const onnx::AttributeProto *Importer::attr(StringRef name) const {
  for (const auto &a : node->attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}
int64_t Importer::attrInt(StringRef name, int64_t dflt) const {
  auto *a = attr(name);
  return a ? a->i() : dflt;
}
float Importer::attrFloat(StringRef name, float dflt) const {
  auto *a = attr(name);
  return a ? a->f() : dflt;
}
std::string Importer::attrString(StringRef name, StringRef dflt) const {
  auto *a = attr(name);
  return a ? a->s() : dflt.str();
}
std::optional<SmallVector<int64_t>> Importer::attrInts(StringRef name) const {
  auto *a = attr(name);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

FailureOr<Type> Importer::elementType(int t) {
  switch (t) {
  case onnx::TensorProto::FLOAT:
    return b.getF32Type();
  case onnx::TensorProto::DOUBLE:
    return b.getF64Type();
  case onnx::TensorProto::FLOAT16:
    return b.getF16Type();
  case onnx::TensorProto::BFLOAT16:
    return b.getBF16Type();
  case onnx::TensorProto::BOOL:
    return b.getI1Type();
  case onnx::TensorProto::INT8:
    return b.getIntegerType(8);
  case onnx::TensorProto::INT16:
    return b.getIntegerType(16);
  case onnx::TensorProto::INT32:
    return b.getIntegerType(32);
  case onnx::TensorProto::INT64:
    return b.getIntegerType(64);
  case onnx::TensorProto::UINT8:
    return b.getIntegerType(8, false);
  case onnx::TensorProto::UINT16:
    return b.getIntegerType(16, false);
  case onnx::TensorProto::UINT32:
    return b.getIntegerType(32, false);
  case onnx::TensorProto::UINT64:
    return b.getIntegerType(64, false);
  default:
    error() << "unsupported element type "
            << onnx::TensorProto::DataType_Name(
                   onnx::TensorProto::DataType(t))
            << " (" << t << ")";
    return failure();
  }
}

/// Refuses paths that could leave the model's folder: absolute paths, "..",
/// and symlinks that resolve outside it.
FailureOr<std::string> Importer::readExternalData(const onnx::TensorProto &t) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &kv : t.external_data()) {
    if (kv.key() == "location")
      location = kv.value();
    else if (kv.key() == "offset")
      offset = std::strtoll(kv.value().c_str(), nullptr, 10);
    else if (kv.key() == "length")
      length = std::strtoll(kv.value().c_str(), nullptr, 10);
  }
  auto fail = [&](const Twine &why) {
    mlir::emitError(loc) << "initializer '" << t.name()
                         << "': external data '" << location << "' " << why;
    return failure();
  };
  if (location.empty())
    return fail("has no location");
  if (llvm::sys::path::is_absolute(location))
    return fail("is an absolute path (refused)");
  for (auto it = llvm::sys::path::begin(location),
            e = llvm::sys::path::end(location);
       it != e; ++it)
    if (*it == "..")
      return fail("escapes the model's folder (refused)");
  SmallString<256> dirReal, fileReal, full(baseDir);
  llvm::sys::path::append(full, location);
  if (llvm::sys::fs::real_path(baseDir.empty() ? "." : baseDir, dirReal) ||
      llvm::sys::fs::real_path(full, fileReal))
    return fail("cannot be opened");
  if (!StringRef(fileReal).starts_with(StringRef(dirReal).str() + "/"))
    return fail("resolves outside the model's folder (refused)");
  auto buf = llvm::MemoryBuffer::getFile(fileReal, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf)
    return fail("cannot be read");
  int64_t size = (*buf)->getBufferSize();
  if (offset < 0 || offset > size || (length >= 0 && offset + length > size))
    return fail("offset/length lie outside the file");
  if (length < 0)
    length = size - offset;
  return std::string((*buf)->getBufferStart() + offset, length);
}

FailureOr<ElementsAttr> Importer::tensorAttr(const onnx::TensorProto &t,
                                             std::string *movableRawData) {
  auto et = elementType(t.data_type());
  if (failed(et))
    return failure();
  SmallVector<int64_t> shape;
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || (d > 0 && n > options.maxTensorElements / d)) {
      mlir::emitError(loc) << "tensor '" << t.name() << "' has bad or too "
                           << "large dimensions (limit "
                           << options.maxTensorElements << " elements)";
      return failure();
    }
    shape.push_back(d);
    n *= d;
  }
  auto type = RankedTensorType::get(shape, *et);
  unsigned bits = et->getIntOrFloatBitWidth();
  size_t elemBytes = bits == 1 ? 1 : bits / 8;
  // The little-endian bytes of the elements: raw_data is used where the
  // parsed model holds it, other forms (external data, typed fields) are
  // gathered into `storage`. A weight blob takes over the string that holds
  // them (storage, or an initializer's raw_data) instead of copying it.
  std::string storage;
  StringRef bytes;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    auto ext = readExternalData(t);
    if (failed(ext))
      return failure();
    storage = std::move(*ext);
    bytes = storage;
  } else if (t.has_raw_data()) {
    bytes = t.raw_data();
  } else {
    std::string why;
    if (!::tfc::onnxTensorBytes(t, n, elemBytes, storage, why)) {
      mlir::emitError(loc) << why;
      return failure();
    }
    bytes = storage;
  }
  if ((int64_t)bytes.size() != n * (int64_t)elemBytes) {
    mlir::emitError(loc) << "tensor '" << t.name() << "' declares " << n
                         << " elements (" << n * elemBytes
                         << " bytes) but its data has " << bytes.size()
                         << " bytes";
    return failure();
  }
  if (bits == 1) {
    SmallVector<bool> flags;
    for (char c : bytes)
      flags.push_back(c != 0);
    return cast<ElementsAttr>(DenseElementsAttr::get(type, flags));
  }
  if (n >= options.resourceThreshold) {
    std::string key = t.name().empty() ? "weight" : t.name();
    for (char &c : key)
      if (!llvm::isAlnum(c) && c != '_' && c != '.')
        c = '_';
    if (key.empty() || llvm::isDigit(key[0]))
      key = "w_" + key;
    std::string *owner =
        bytes.data() == storage.data() ? &storage
        : movableRawData && bytes.data() == movableRawData->data()
            ? movableRawData
            : nullptr;
    return cast<ElementsAttr>(DenseResourceElementsAttr::get(
        type, key,
        owner ? adoptAsWeightBlob(std::move(*owner), alignof(double))
              : copyToWeightBlob(ArrayRef<char>(bytes.data(), bytes.size()),
                                 alignof(double))));
  }
  return cast<ElementsAttr>(DenseElementsAttr::getFromRawBuffer(
      type, ArrayRef<char>(bytes.data(), bytes.size())));
}

Value Importer::constI64(ArrayRef<int64_t> vals) {
  auto type = RankedTensorType::get({(int64_t)vals.size()}, b.getI64Type());
  return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(type, vals));
}

Value Importer::scalarLike(Value like, double v) {
  Type et = rt(like).getElementType();
  auto type = RankedTensorType::get({}, et);
  Attribute a;
  if (isa<FloatType>(et))
    a = DenseElementsAttr::get(type, b.getFloatAttr(et, v));
  else
    a = DenseElementsAttr::get(
        type, APInt(et.getIntOrFloatBitWidth(), (int64_t)v, true));
  return arith::ConstantOp::create(b, loc, cast<TypedAttr>(a));
}

std::optional<SmallVector<int64_t>> Importer::constInts(Value v) {
  DenseIntElementsAttr a;
  if (!v || !matchPattern(v, m_Constant(&a)))
    return std::nullopt;
  SmallVector<int64_t> out;
  auto et = cast<IntegerType>(a.getElementType());
  for (APInt x : a.getValues<APInt>())
    out.push_back(et.isUnsigned() || et.getWidth() == 1
                      ? (int64_t)x.getZExtValue()
                      : x.getSExtValue());
  return out;
}

LogicalResult Importer::checkSizes(ArrayRef<int64_t> sizes, StringRef what,
                                   bool allowInfer) {
  int64_t product = 1;
  for (int64_t v : sizes) {
    if (v < (allowInfer ? -1 : 0))
      return error() << what << " holds " << v
                     << (allowInfer ? " (only -1 infers a size)" : "");
    if (v > 0 && product > options.maxTensorElements / v)
      return error() << what << " asks for more elements than the limit ("
                     << options.maxTensorElements << ")";
    if (v > 0)
      product *= v;
  }
  return success();
}

FailureOr<int64_t> Importer::axisIn(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank) {
    error() << "axis " << axis << " is out of range for rank " << rank;
    return failure();
  }
  return axis < 0 ? axis + rank : axis;
}

/// Reassociation between a shape of `rank` dims and the same shape without
/// the unit dims in `units`: each unit dim joins the group of the next kept
/// dim (trailing ones join the last group).
static SmallVector<ReassociationIndices> unitGroups(int64_t rank,
                                                    ArrayRef<int64_t> units) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t d = 0; d < rank; ++d) {
    pending.push_back(d);
    if (!llvm::is_contained(units, d)) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  if (!pending.empty() && !groups.empty())
    groups.back().append(pending.begin(), pending.end());
  return groups;
}

Value Importer::expandDims(Value v, ArrayRef<int64_t> newAxes) {
  auto t = rt(v);
  int64_t outRank = t.getRank() + newAxes.size();
  SmallVector<int64_t> shape;
  SmallVector<OpFoldResult> outSizes;
  for (int64_t d = 0, src = 0; d < outRank; ++d) {
    if (llvm::is_contained(newAxes, d)) {
      shape.push_back(1);
      outSizes.push_back(b.getIndexAttr(1));
      continue;
    }
    shape.push_back(t.getDimSize(src));
    if (t.isDynamicDim(src))
      outSizes.push_back(tensor::DimOp::create(b, loc, v, src).getResult());
    else
      outSizes.push_back(b.getIndexAttr(t.getDimSize(src)));
    ++src;
  }
  auto type = RankedTensorType::get(shape, t.getElementType());
  return tensor::ExpandShapeOp::create(b, loc, type, v,
                                       unitGroups(outRank, newAxes), outSizes);
}

Value Importer::squeezeDims(Value v, ArrayRef<int64_t> axes) {
  auto t = rt(v);
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < t.getRank(); ++d)
    if (!llvm::is_contained(axes, d))
      shape.push_back(t.getDimSize(d));
  auto type = RankedTensorType::get(shape, t.getElementType());
  return tensor::CollapseShapeOp::create(b, loc, type, v,
                                         unitGroups(t.getRank(), axes));
}

FailureOr<RankedTensorType>
Importer::valueInfoType(const onnx::ValueInfoProto &vi) {
  if (!vi.type().has_tensor_type()) {
    mlir::emitError(loc) << "value '" << vi.name()
                         << "' is not a tensor (sequence, map and optional "
                            "types are not supported)";
    return failure();
  }
  const auto &tt = vi.type().tensor_type();
  auto et = elementType(tt.elem_type());
  if (failed(et))
    return failure();
  if (!tt.has_shape()) {
    mlir::emitError(loc) << "value '" << vi.name() << "' has no shape (rank "
                            "must be known)";
    return failure();
  }
  SmallVector<int64_t> shape;
  int64_t elements = 1;
  for (const auto &d : tt.shape().dim()) {
    if (d.has_dim_value() && d.dim_value() < 0) {
      mlir::emitError(loc) << "value '" << vi.name() << "' has negative "
                           << "dimension " << d.dim_value();
      return failure();
    }
    if (d.has_dim_value()) {
      int64_t v = d.dim_value();
      if (v > 0 && elements > options.maxTensorElements / v) {
        mlir::emitError(loc) << "value '" << vi.name() << "' declares more "
                             << "elements than the limit ("
                             << options.maxTensorElements << ")";
        return failure();
      }
      elements *= v;
      shape.push_back(v);
    } else if (d.has_dim_param() && options.pinnedDims.count(d.dim_param())) {
      shape.push_back(options.pinnedDims.at(d.dim_param()));
    } else {
      shape.push_back(ShapedType::kDynamic);
    }
  }
  return RankedTensorType::get(shape, *et);
}

/// Attributes each supported op understands; any other attribute is an error
/// rather than silently ignored.
LogicalResult Importer::checkAttributes(StringRef op) {
  static const llvm::StringMap<std::vector<StringRef>> known = {
      {"Cast", {"to", "saturate"}},
      {"Clip", {"min", "max"}},
      {"Gemm", {"alpha", "beta", "transA", "transB"}},
      {"Einsum", {"equation"}},
      {"Conv",
       {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}},
      {"Softmax", {"axis"}},
      {"LogSoftmax", {"axis"}},
      {"LayerNormalization", {"axis", "epsilon", "stash_type"}},
      {"ReduceMean", {"axes", "keepdims", "noop_with_empty_axes"}},
      {"ReduceSum", {"axes", "keepdims", "noop_with_empty_axes"}},
      {"ReduceMax", {"axes", "keepdims", "noop_with_empty_axes"}},
      {"ReduceMin", {"axes", "keepdims", "noop_with_empty_axes"}},
      {"Transpose", {"perm"}},
      {"Reshape", {"allowzero"}},
      {"Flatten", {"axis"}},
      {"Squeeze", {"axes"}},
      {"Unsqueeze", {"axes"}},
      {"Concat", {"axis"}},
      {"Split", {"axis", "split"}},
      {"Slice", {"starts", "ends", "axes"}},
      {"Gather", {"axis"}},
      {"Shape", {"start", "end"}},
      {"ConstantOfShape", {"value"}},
      {"Constant",
       {"value", "value_float", "value_floats", "value_int", "value_ints"}},
      {"Trilu", {"upper"}},
      {"CumSum", {"exclusive", "reverse"}},
  };
  // The type each attribute must have (default INT): a mistyped one would
  // otherwise read as an empty or zero value.
  using AP = onnx::AttributeProto;
  static const llvm::StringMap<AP::AttributeType> types = {
      {"perm", AP::INTS},        {"axes", AP::INTS},
      {"dilations", AP::INTS},   {"kernel_shape", AP::INTS},
      {"pads", AP::INTS},        {"strides", AP::INTS},
      {"split", AP::INTS},       {"value_ints", AP::INTS},
      {"starts", AP::INTS},      {"ends", AP::INTS},
      {"alpha", AP::FLOAT},      {"beta", AP::FLOAT},
      {"epsilon", AP::FLOAT},    {"min", AP::FLOAT},
      {"max", AP::FLOAT},        {"value_float", AP::FLOAT},
      {"value_floats", AP::FLOATS}, {"auto_pad", AP::STRING},
      {"equation", AP::STRING},  {"value", AP::TENSOR}};
  auto it = known.find(op);
  for (const auto &a : node->attribute()) {
    if (it == known.end() || !llvm::is_contained(it->second, a.name()))
      return error() << "unsupported attribute '" << a.name() << "'";
    auto t = types.find(a.name());
    AP::AttributeType want = t == types.end() ? AP::INT : t->second;
    if (a.type() != want)
      return error() << "attribute '" << a.name() << "' must be "
                     << AP::AttributeType_Name(want) << ", not "
                     << AP::AttributeType_Name(a.type());
  }
  // Values tfc does not implement.
  if (op == "LayerNormalization" && attr("stash_type") &&
      attrInt("stash_type", 1) != 1)
    return error() << "unsupported attribute 'stash_type' = "
                   << attrInt("stash_type", 1) << " (only 1, float32)";
  return success();
}

LogicalResult Importer::importNode(const onnx::NodeProto &n) {
  node = &n;
  std::string name = n.name().empty() ? n.op_type() : n.name();
  loc = NameLoc::get(b.getStringAttr(name),
                     FileLineColLoc::get(ctx, sourceName, 0, 0));
  for (int i = 0; i < n.input_size(); ++i)
    if (!n.input(i).empty() && !values.count(n.input(i)))
      return error() << "input '" << n.input(i)
                     << "' is not defined before this node (undefined name "
                        "or a cycle)";
  if (!n.domain().empty() && n.domain() != "ai.onnx")
    return error() << "unsupported op domain '" << n.domain() << "'";
  // An op tfc does not import is named as such, before any check of its
  // inputs, outputs or attributes (whose rules tfc only knows for its ops).
  if (!isSupportedOp(n.op_type()))
    return error() << "unsupported op type '" << n.op_type() << "'";
  // Required inputs per op (default 1; ops with optional trailing inputs
  // check those themselves): a node with fewer is refused here rather than
  // read past its input list.
  static const llvm::StringMap<int> required = {
      {"Add", 2},     {"Sub", 2},       {"Mul", 2},     {"Div", 2},
      {"Pow", 2},     {"Equal", 2},     {"Less", 2},    {"Greater", 2},
      {"And", 2},     {"Or", 2},        {"Where", 3},   {"MatMul", 2},
      {"Gemm", 2},    {"Conv", 2},      {"LayerNormalization", 2},
      {"Gather", 2},  {"Expand", 2},    {"Range", 3},   {"Constant", 0}};
  auto req = required.find(n.op_type());
  int need = req == required.end() ? 1 : req->second;
  if (n.op_type() == "Reshape")
    need = opset >= 5 ? 2 : 1;
  else if (n.op_type() == "Slice")
    need = opset >= 10 ? 3 : 1;
  int present = 0;
  for (int i = 0; i < n.input_size() && i < need; ++i)
    present += !n.input(i).empty();
  if (present < need)
    return error() << "needs " << need << " input" << (need == 1 ? "" : "s")
                   << ", has " << present;
  if (n.output_size() < 1 || n.output(0).empty())
    return error() << "has no output";
  llvm::StringSet<> outs;
  for (int i = 0; i < n.output_size(); ++i)
    if (!n.output(i).empty() &&
        (values.count(n.output(i)) || !outs.insert(n.output(i)).second))
      return error() << "value '" << n.output(i)
                     << "' is defined twice (ONNX values are assigned once)";
  StringRef op = n.op_type();
  if (failed(checkAttributes(op)) || failed(dispatchNode(op)))
    return failure();
  // Shape arithmetic on constants becomes a constant here, so that the
  // nodes after it see constant shape operands.
  for (int i = 0; i < n.output_size(); ++i)
    if (hasOutput(i))
      if (Value v = values.lookup(n.output(i)))
        values[n.output(i)] = foldSmallInteger(v);
  return success();
}

bool mlir::tfc::onnx_import::isSupportedOp(StringRef op) {
  return isElementwiseOp(op) || isLinalgOp(op) || isNormalizationOp(op) ||
         isShapeOp(op);
}

LogicalResult Importer::dispatchNode(StringRef op) {
  if (isElementwiseOp(op))
    return importElementwise(op);
  if (isLinalgOp(op))
    return importLinalg(op);
  if (isNormalizationOp(op))
    return importNormalization(op);
  if (isShapeOp(op))
    return importShape(op);
  return error() << "unsupported op type '" << op << "'";
}

LogicalResult Importer::importGraph(onnx::GraphProto &g, ModuleOp module) {
  if (g.output_size() == 0)
    return mlir::emitError(loc) << "the graph has no outputs";
  if (g.node_size() > options.maxNodes)
    return mlir::emitError(loc) << "graph has " << g.node_size()
                                << " nodes, more than the limit "
                                << options.maxNodes;
  llvm::StringSet<> initNames;
  for (const auto &t : g.initializer())
    if (!initNames.insert(t.name()).second)
      return mlir::emitError(loc) << "duplicate initializer '" << t.name() << "'";
  // Names used directly as shape operands (candidates for specialization).
  static const std::pair<const char *, std::vector<int>> shapeOperands[] = {
      {"Reshape", {1}}, {"Expand", {1}},          {"Slice", {1, 2, 3, 4}},
      {"Squeeze", {1}}, {"Unsqueeze", {1}},       {"ReduceSum", {1}},
      {"Split", {1}},   {"ConstantOfShape", {0}}, {"CumSum", {1}}};
  llvm::StringSet<> shapeNames;
  for (const auto &n : g.node())
    for (const auto &[op, positions] : shapeOperands)
      if (n.op_type() == op)
        for (int p : positions)
          if (p < n.input_size() && !n.input(p).empty())
            shapeNames.insert(n.input(p));
  SmallVector<Type> argTypes;
  SmallVector<Attribute> inputNames;
  SmallVector<const onnx::ValueInfoProto *> inputs;
  SmallVector<std::pair<std::string, ElementsAttr>> specialized;
  llvm::StringSet<> seen;
  unsigned position = 0;
  for (const auto &vi : g.input()) {
    if (initNames.count(vi.name()))
      continue;
    if (!seen.insert(vi.name()).second)
      return mlir::emitError(loc) << "duplicate graph input '" << vi.name() << "'";
    auto t = valueInfoType(vi);
    if (failed(t))
      return failure();
    if (options.onGraphInput)
      options.onGraphInput(vi.name(), position);
    ++position;
    if (options.shapeInputValue && shapeNames.count(vi.name())) {
      if (ElementsAttr v = options.shapeInputValue(vi.name(), *t)) {
        auto vt = cast<ShapedType>(v.getType());
        if (vt.getElementType() != t->getElementType() ||
            vt.getRank() != t->getRank())
          return mlir::emitError(loc)
                 << "value given for input '" << vi.name() << "' has type "
                 << vt << ", the model declares " << *t;
        specialized.push_back({vi.name(), v});
        continue;
      }
    }
    argTypes.push_back(*t);
    inputNames.push_back(b.getStringAttr(vi.name()));
    inputs.push_back(&vi);
  }
  b.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(b, loc, "main",
                                   b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  for (auto [i, vi] : llvm::enumerate(inputs))
    values[vi->name()] = entry->getArgument(i);
  for (auto &[name, v] : specialized)
    values[name] = arith::ConstantOp::create(b, loc, cast<TypedAttr>(v));
  for (onnx::TensorProto &t : *g.mutable_initializer()) {
    loc = NameLoc::get(b.getStringAttr(t.name()),
                       FileLineColLoc::get(ctx, sourceName, 0, 0));
    auto a = tensorAttr(t, t.has_raw_data() ? t.mutable_raw_data() : nullptr);
    if (failed(a))
      return failure();
    values[t.name()] = arith::ConstantOp::create(b, loc, cast<TypedAttr>(*a));
  }
  for (const auto &n : g.node()) {
    if (failed(importNode(n)))
      return failure();
    for (int i = 0; i < n.output_size(); ++i)
      if (!n.output(i).empty() && !values.count(n.output(i)))
        return error() << "output " << i << " ('" << n.output(i)
                       << "') was not produced";
  }
  node = nullptr;
  SmallVector<Value> results;
  SmallVector<Attribute> outputNames;
  for (const auto &vi : g.output()) {
    Value v = values.lookup(vi.name());
    if (!v)
      return mlir::emitError(loc) << "graph output '" << vi.name()
                                  << "' is never produced";
    results.push_back(v);
    outputNames.push_back(b.getStringAttr(vi.name()));
  }
  func::ReturnOp::create(b, loc, results);
  func.setFunctionType(b.getFunctionType(argTypes, TypeRange(results)));
  func->setAttr("tfc.input_names", b.getArrayAttr(inputNames));
  // Symbolic sizes (dim_param) by input, "" where none: a runtime checks
  // that inputs agree on each named size ("batch", "seq").
  SmallVector<Attribute> dimNames;
  bool anyNamed = false;
  for (const onnx::ValueInfoProto *vi : inputs) {
    SmallVector<Attribute> names;
    for (const auto &d : vi->type().tensor_type().shape().dim()) {
      bool named = !d.has_dim_value() && d.has_dim_param() &&
                   !options.pinnedDims.count(d.dim_param());
      names.push_back(b.getStringAttr(named ? d.dim_param() : ""));
      anyNamed |= named;
    }
    dimNames.push_back(b.getArrayAttr(names));
  }
  if (anyNamed)
    func->setAttr("tfc.input_dim_names", b.getArrayAttr(dimNames));
  func->setAttr("tfc.output_names", b.getArrayAttr(outputNames));
  func->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  return success();
}

OwningOpRef<ModuleOp> Importer::importModel(onnx::ModelProto &model) {
  loc = FileLineColLoc::get(ctx, sourceName, 0, 0);
  for (const auto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = o.version();
  if (opset == 0) {
    mlir::emitError(loc) << "model imports no default-domain opset";
    return nullptr;
  }
  if (opset > kMaxOpset) {
    mlir::emitError(loc) << "unsupported opset " << opset
                         << " (tfc supports the default domain up to opset "
                         << kMaxOpset << ")";
    return nullptr;
  }
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  if (failed(importGraph(*model.mutable_graph(), *module)))
    return nullptr;
  // Constants nothing reads: the operands of shape arithmetic folded at
  // import, and initializers no node uses.
  SmallVector<arith::ConstantOp> dead;
  module->walk([&](arith::ConstantOp c) {
    if (c->use_empty())
      dead.push_back(c);
  });
  for (arith::ConstantOp c : dead)
    c->erase();
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

static void loadImportDialects(MLIRContext *ctx) {
  ctx->loadDialect<TFCDialect, arith::ArithDialect, func::FuncDialect,
                   tensor::TensorDialect>();
}

/// The model in `stream` imported (see importOnnxBytes).
static OwningOpRef<ModuleOp>
importStream(MLIRContext *ctx, google::protobuf::io::ZeroCopyInputStream &in,
             StringRef sourceName, StringRef baseDir,
             const OnnxImportOptions &opts) {
  loadImportDialects(ctx);
  onnx::ModelProto model;
  {
    google::protobuf::io::CodedInputStream stream(&in);
    stream.SetRecursionLimit(64);
    if (!model.ParseFromCodedStream(&stream) ||
        !stream.ConsumedEntireMessage()) {
      mlir::emitError(FileLineColLoc::get(ctx, sourceName, 0, 0))
          << "not a valid ONNX model (protobuf parse failed)";
      return nullptr;
    }
  }
  Importer importer(ctx, opts, sourceName, baseDir);
  return importer.importModel(model);
}

OwningOpRef<ModuleOp>
mlir::tfc::importOnnxBytes(MLIRContext *ctx, StringRef bytes,
                           StringRef sourceName, StringRef baseDir,
                           const OnnxImportOptions &opts) {
  ModelFileStream in(bytes, /*mapped=*/false);
  return importStream(ctx, in, sourceName, baseDir, opts);
}

OwningOpRef<ModuleOp> mlir::tfc::importOnnxFile(MLIRContext *ctx,
                                                StringRef path,
                                                const OnnxImportOptions &opts) {
  uint64_t size = 0;
  if (!llvm::sys::fs::file_size(path, size) &&
      size > (uint64_t)opts.maxModelBytes) {
    loadImportDialects(ctx);
    mlir::emitError(FileLineColLoc::get(ctx, path, 0, 0))
        << "model file has " << size << " bytes, more than the limit of "
        << opts.maxModelBytes << " bytes";
    return nullptr;
  }
  auto buf = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!buf) {
    loadImportDialects(ctx);
    mlir::emitError(FileLineColLoc::get(ctx, path, 0, 0))
        << "cannot read model file: " << buf.getError().message();
    return nullptr;
  }
  // A mapped file's parsed pages leave the process as the parse goes.
  ModelFileStream in((*buf)->getBuffer(),
                     (*buf)->getBufferKind() ==
                         llvm::MemoryBuffer::MemoryBuffer_MMap);
  return importStream(ctx, in, path, llvm::sys::path::parent_path(path), opts);
}
