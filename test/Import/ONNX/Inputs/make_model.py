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
    elif case == "add_unrelated_dims":
        # x and y have different symbolic sizes, which must still agree at
        # run time (or be 1) for the Add to broadcast.
        m = graph_model([helper.make_node("Add", ["x", "y"], ["z"], name="add0")],
                        [vi("x", ["n", 4]), vi("y", ["m", 4])], [vi("z", ["n", 4])])
    elif case == "softmax_then_add":
        # A 16 MiB buffer (n = 4096) that the run fills before the Add's
        # sizes are checked: a failed run must give it back.
        w = numpy_helper.from_array(rng.standard_normal((64, 1024)).astype(np.float32), "w")
        m = graph_model([helper.make_node("MatMul", ["x", "w"], ["h"], name="mm"),
                         helper.make_node("Softmax", ["h"], ["s"], name="sm", axis=-1),
                         helper.make_node("Add", ["s", "y"], ["z"], name="add0")],
                        [vi("x", ["n", 64]), vi("y", ["m", 1024])], [vi("z", ["n", 1024])], [w])
    elif case == "split_dynamic":
        # Split into equal parts along a dynamic dimension.
        m = graph_model([helper.make_node("Split", ["x"], ["a", "b"], name="halves", axis=0)],
                        [vi("x", ["n", 4])], [vi("a", ["h", 4]), vi("b", ["h", 4])])
    elif case == "and_outer":
        # z[i, j] = x[i] and y[j]: n x m bytes, past any memory for large n, m.
        m = graph_model([helper.make_node("And", ["x", "y"], ["z"], name="outer")],
                        [vi("x", ["n", 1], TensorProto.BOOL), vi("y", [1, "m"], TensorProto.BOOL)],
                        [vi("z", ["n", "m"], TensorProto.BOOL)])
    elif case == "tied_embedding":
        # A tied token table: Gather(T, ids) and a head by T^T, a second
        # initializer as torch exports it. Also writes ids.npy and the
        # numpy logits next to the model.
        t = rng.standard_normal((40, 16)).astype(np.float32)
        ids = np.array([[3, 0, 39, 17, 3]], np.int64)
        m = graph_model([helper.make_node("Gather", ["table", "ids"], ["e"], name="embed"),
                         helper.make_node("MatMul", ["e", "head"], ["logits"], name="lm_head")],
                        [vi("ids", [1, 5], TensorProto.INT64)], [vi("logits", [1, 5, 40])],
                        [numpy_helper.from_array(t, "table"),
                         numpy_helper.from_array(np.ascontiguousarray(t.T), "head")])
        folder = os.path.dirname(out)
        np.save(os.path.join(folder, "ids.npy"), ids)
        np.save(os.path.join(folder, "expected.npy"), t[ids] @ t.T)
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
    elif case in ("shape_folding", "shape_folding_dynamic"):
        # torch's spellings of flatten(2) and cls.expand(B, -1, -1), and
        # integer arithmetic on the shape (second output).
        dims = [1, 8, 2, 2] if case == "shape_folding" else ["n", 8, 2, 2]
        def c(name, v):
            return numpy_helper.from_array(np.array(v, np.int64), name)
        cls = numpy_helper.from_array(rng.standard_normal((1, 1, 8)).astype(np.float32), "cls")
        inits = [cls, c("z", [0]), c("two", [2]), c("minus1", [-1]), c("m1", -1),
                 c("three", [3]), c("first", 0), c("third", 2), c("one", 1),
                 c("last_first", [-1, 1]), c("neg_start", [-1]), c("neg_end", [-5]),
                 c("one1", [1]), c("zero", 0)]
        n = helper.make_node
        nodes = [
            n("Shape", ["x"], ["s"], name="shape"),
            n("Slice", ["s", "z", "two", "z"], ["s01"], name="lead_dims"),
            n("Concat", ["s01", "minus1"], ["flat_shape"], name="flat_shape", axis=0),
            n("Reshape", ["x", "flat_shape"], ["flat"], name="flatten"),
            n("Transpose", ["flat"], ["tok"], name="tokens", perm=[0, 2, 1]),
            n("Gather", ["s", "first"], ["b"], name="batch"),
            n("Unsqueeze", ["b", "z"], ["bu"], name="batch1"),
            n("Concat", ["bu", "minus1", "minus1"], ["eshape"], name="eshape", axis=0),
            n("ConstantOfShape", ["three"], ["ones"], name="ones",
              value=numpy_helper.from_array(np.array([1], np.int64))),
            n("Mul", ["ones", "m1"], ["neg"], name="neg"),
            n("Equal", ["eshape", "neg"], ["keep"], name="keep"),
            n("Where", ["keep", "ones", "eshape"], ["target"], name="target"),
            n("Expand", ["cls", "target"], ["cls_b"], name="cls_expand"),
            n("Concat", ["cls_b", "tok"], ["y"], name="with_cls", axis=1),
            n("Slice", ["s", "neg_start", "neg_end", "z", "minus1"], ["rev"], name="reversed"),
            n("Mul", ["rev", "three"], ["rev3"], name="times3"),
            n("Div", ["rev3", "two"], ["half"], name="half"),
            n("Cast", ["half"], ["half32"], name="to_i32", to=TensorProto.INT32),
            n("Cast", ["half32"], ["half64"], name="to_i64", to=TensorProto.INT64),
            n("Gather", ["s", "last_first"], ["g"], name="pick"),
            n("Sub", ["g", "one1"], ["g1"], name="minus_one"),
            n("Gather", ["s", "third"], ["h"], name="height"),
            n("Range", ["zero", "h", "one"], ["r"], name="range"),
            n("Concat", ["half64", "g", "r", "g1"], ["shape_math"], name="joined", axis=0),
        ]
        m = graph_model(nodes, [vi("x", dims)],
                        [vi("y", [dims[0], 5, 8]), vi("shape_math", [10], TensorProto.INT64)],
                        inits)
        # Expected values, computed here with numpy for the static case.
        if case == "shape_folding":
            x = rng.standard_normal((1, 8, 2, 2)).astype(np.float32)
            shape = np.array(x.shape, np.int64)
            tok = x.reshape(1, 8, -1).transpose(0, 2, 1)
            y = np.concatenate([numpy_helper.to_array(cls), tok], axis=1)
            half = shape[::-1] * 3 // 2
            g = shape[[-1, 1]]
            math = np.concatenate([half, g, np.arange(shape[2]), g - 1])
            base = out[:-len(".onnx")]
            np.save(base + ".x.npy", x)
            np.save(base + ".y.npy", np.ascontiguousarray(y))
            np.save(base + ".shape_math.npy", math)
    elif case == "gather_ids":
        # An embedding lookup by run-time ids (run-time-checks.test).
        table = numpy_helper.from_array(rng.standard_normal((5, 3)).astype(np.float32), "table")
        m = graph_model([helper.make_node("Gather", ["table", "ids"], ["y"], name="embed/lookup")],
                        [vi("ids", [4], TensorProto.INT64)], [vi("y", [4, 3])], [table])
        base = out[:-len(".onnx")]
        np.save(base + ".table.npy", numpy_helper.to_array(table))
    elif case == "div_int":
        # Integer division by run-time divisors (run-time-checks.test).
        m = graph_model([helper.make_node("Div", ["a", "b"], ["y"], name="ratio")],
                        [vi("a", [4], TensorProto.INT64), vi("b", [4], TensorProto.INT64)],
                        [vi("y", [4], TensorProto.INT64)])
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
