#!/usr/bin/python3
"""Writes small ONNX models for the importer's lit tests: make_model.py CASE OUT."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def graph_model(nodes, inputs, outputs, inits=(), opset=17):
    g = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])


def vi(name, dims, t=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, t, dims)


def main():
    case, out = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(0)
    if case == "add_dynamic":
        m = graph_model([helper.make_node("Add", ["x", "y"], ["z"], name="add0")],
                        [vi("x", ["batch", 4]), vi("y", [4])], [vi("z", ["batch", 4])])
    elif case == "add_shared_dim":
        # x and y share the symbolic size "n".
        m = graph_model([helper.make_node("Add", ["x", "y"], ["z"], name="add0")],
                        [vi("x", ["n", 4]), vi("y", ["n", 4])], [vi("z", ["n", 4])])
    elif case == "weights":
        w = numpy_helper.from_array(rng.standard_normal((16, 16)).astype(np.float32), "w")
        m = graph_model([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")],
                        [vi("x", [2, 16])], [vi("y", [2, 16])], [w])
    elif case == "gemm":
        w = numpy_helper.from_array(np.ones((3, 4), np.float32), "w")
        m = graph_model([helper.make_node("Gemm", ["x", "w"], ["y"], name="fc", transB=1, alpha=0.5)],
                        [vi("x", [2, 4])], [vi("y", [2, 3])], [w])
    elif case == "unsupported_op":
        m = graph_model([helper.make_node("Foo", ["x"], ["y"], name="mystery")],
                        [vi("x", [2])], [vi("y", [2])])
    elif case == "unknown_attr":
        m = graph_model([helper.make_node("Relu", ["x"], ["y"], name="r", alpha=0.1)],
                        [vi("x", [2])], [vi("y", [2])])
    elif case == "opset18":
        m = graph_model([helper.make_node("Relu", ["x"], ["y"], name="r")],
                        [vi("x", [2])], [vi("y", [2])], opset=18)
    elif case == "undefined_input":
        m = graph_model([helper.make_node("Relu", ["nowhere"], ["y"], name="r")],
                        [vi("x", [2])], [vi("y", [2])])
    elif case == "shape_mismatch":
        m = graph_model([helper.make_node("Add", ["x", "y"], ["z"], name="bad_add")],
                        [vi("x", [2, 3]), vi("y", [4])], [vi("z", [2, 3])])
    elif case in ("external_ok", "external_escape"):
        data = np.arange(64, dtype=np.float32)
        d = os.path.dirname(os.path.abspath(out))
        t = numpy_helper.from_array(data, "w")
        t.ClearField("raw_data")
        t.data_location = TensorProto.EXTERNAL
        loc = "weights.bin" if case == "external_ok" else "../escape.bin"
        with open(os.path.join(d, os.path.basename(loc)), "wb") as f:
            f.write(data.tobytes())
        e = t.external_data.add()
        e.key, e.value = "location", loc
        m = graph_model([helper.make_node("Add", ["x", "w"], ["y"], name="add_w")],
                        [vi("x", [64])], [vi("y", [64])], [t])
    elif case == "truncated":
        m = graph_model([helper.make_node("Relu", ["x"], ["y"], name="r")],
                        [vi("x", [2])], [vi("y", [2])])
        with open(out, "wb") as f:
            f.write(m.SerializeToString()[:25])
        return 0
    else:
        raise SystemExit("unknown case " + case)
    with open(out, "wb") as f:
        f.write(m.SerializeToString())
    return 0


if __name__ == "__main__":
    sys.exit(main())
