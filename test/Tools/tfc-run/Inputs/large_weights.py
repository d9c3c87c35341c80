#!/usr/bin/python3
"""A model whose weights take the large-blob path of the compiler (2 MiB and
more: their own huge-page mappings): three MatMuls by [1024, 768] constants
(3 MiB each) share their input, so they are transposed, merged into one
9 MiB linear and packed. `make DIR` writes DIR/model.onnx and DIR/x.npy;
`check DIR` compares DIR/out/*.npy with numpy in float64; `memory OWN SHARED`
compares the resident sets that two `--timing` outputs print.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def weights():
    rng = np.random.default_rng(7)
    return [rng.standard_normal((1024, 768)).astype(np.float32) * 0.03
            for _ in range(3)], rng.standard_normal((4, 1024)).astype(np.float32)


def make(d):
    ws, x = weights()
    names = ["q", "k", "v"]
    nodes = [helper.make_node("MatMul", ["x", "w" + n], [n], name="mm_" + n)
             for n in names]
    nodes.append(helper.make_node("Concat", names, ["y"], name="cat", axis=1))
    graph = helper.make_graph(
        nodes, "large_weights",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, 1024])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 3 * 768])],
        [numpy_helper.from_array(w, "w" + n) for w, n in zip(ws, names)])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
              os.path.join(d, "model.onnx"))
    np.save(os.path.join(d, "x.npy"), x)


def check(d):
    ws, x = weights()
    ref = np.concatenate([x.astype(np.float64) @ w.astype(np.float64) for w in ws], 1)
    got = np.load(os.path.join(d, "out", "y.npy")).astype(np.float64)
    err = np.abs(got - ref).max() / np.abs(ref).max()
    print("%s max error %.1e relative to the largest output" %
          ("ok" if got.shape == ref.shape and err < 1e-5 else "FAILED", err))


def growth(path):
    """MiB by which the resident set grew from the end of the import to the
    end of weight packing, as `--timing` printed them."""
    resident = {}
    for line in open(path):
        if line.startswith("compile time:") and "MiB resident" in line:
            mib = float(line.split(" ms,")[1].split("MiB resident")[0])
            resident[line.split()[2]] = mib
    return resident["CPU"] - resident["import"]


def memory(own, shared):
    # Owning its weights, the compile frees the three MatMul weights once
    # they are merged, and the merged one once it is packed: 18 MiB that stay
    # when the weights are shared.
    a, b = growth(own), growth(shared)
    print("%s: packing grew the resident set by %.0f MiB owning the weights, "
          "%.0f MiB sharing them" % ("ok" if b - a >= 12 else "FAILED", a, b))


if __name__ == "__main__":
    if sys.argv[1] == "memory":
        memory(sys.argv[2], sys.argv[3])
    else:
        {"make": make, "check": check}[sys.argv[1]](sys.argv[2])
