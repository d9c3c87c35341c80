//===- TFCDialect.td - the tfc dialect definition ---------*- tablegen -*-===//
//
// The tfc dialect speaks in transformer terms: attention, norms, activations
// and linear layers, plus the tensor-level ops an ONNX graph needs. Ops work on
// ranked tensors whose element types may later be quantized (!quant.uniform),
// and whose encodings may later carry sparsity; see README.md.
//
//===----------------------------------------------------------------------===//

#ifndef TFC_DIALECT_TD
#define TFC_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/IR/AttrTypeBase.td"

def TFC_Dialect : Dialect {
  let name = "tfc";
  let cppNamespace = "::mlir::tfc";
  let summary = "Transformer-level tensor operations";
  let description = [{
    Ops that describe transformer models at the level users think of them
    (attention, layer_norm, rms_norm, gelu, linear) together with the
    general tensor ops an imported ONNX graph needs (elementwise arithmetic
    with numpy broadcasting, reductions, shape manipulation). All ops are
    side-effect free and work on ranked tensors.
  }];
  let useDefaultAttributePrinterParser = 0;
  let hasConstantMaterializer = 1;
}

class TFC_Op<string mnemonic, list<Trait> traits = []> :
    Op<TFC_Dialect, mnemonic, traits>;

#endif // TFC_DIALECT_TD
