#!/usr/bin/python3
"""The AOT test's model, inputs and numpy reference.

  aot_model.py make DIR   writes DIR/model.onnx, inputs x and r (batch 3) as
                          .npy and raw .bin, and the reference outputs
  aot_model.py check DIR  compares DIR/c/<output>.bin (the C program's) with
                          the reference and with DIR/jit/<output>.npy
                          (tfc-run's JIT) and DIR/aot/<output>.npy (tfc-run
                          on the library)
  aot_model.py compare DIR OUT
                          compares OUT/<output>.npy (tfc-run --output-dir)
                          with the reference
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def make(d):
    rng = np.random.default_rng(7)
    w1 = rng.standard_normal((32, 64)).astype(np.float32) * 0.2
    b1 = rng.standard_normal(64).astype(np.float32)
    w2 = rng.standard_normal((64, 32)).astype(np.float32) * 0.2
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["h0"], name="fc1"),
        helper.make_node("Add", ["h0", "b1"], ["h1"], name="bias1"),
        helper.make_node("Relu", ["h1"], ["h2"], name="relu"),
        helper.make_node("MatMul", ["h2", "w2"], ["h3"], name="fc2"),
        helper.make_node("Add", ["h3", "r"], ["y"], name="residual"),
        helper.make_node("Softmax", ["y"], ["p"], name="softmax", axis=-1),
    ]
    vi = lambda n: helper.make_tensor_value_info(n, TensorProto.FLOAT, ["batch", 8, 32])
    g = helper.make_graph(nodes, "aot", [vi("x"), vi("r")], [vi("y"), vi("p")],
                          [numpy_helper.from_array(a, n)
                           for a, n in [(w1, "w1"), (b1, "b1"), (w2, "w2")]])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]),
              d + "/model.onnx")
    x = rng.standard_normal((3, 8, 32)).astype(np.float32)
    r = rng.standard_normal((3, 8, 32)).astype(np.float32)
    for name, a in [("x", x), ("r", r)]:
        np.save("%s/%s.npy" % (d, name), a)
        a.tofile("%s/%s.bin" % (d, name))
    # Reference in float64.
    y = np.maximum(x.astype(np.float64) @ w1 + b1, 0) @ w2 + r
    e = np.exp(y - y.max(-1, keepdims=True))
    np.save(d + "/ref_y.npy", y)
    np.save(d + "/ref_p.npy", e / e.sum(-1, keepdims=True))


def check(d):
    ok = True
    for name in ["y", "p"]:
        ref = np.load("%s/ref_%s.npy" % (d, name))
        c = np.fromfile("%s/c/%s.bin" % (d, name), np.float32)
        if c.size != ref.size:
            print("%s: the C program wrote %d values, expected %d" % (name, c.size, ref.size))
            ok = False
            continue
        c = c.reshape(ref.shape)
        rel = np.abs(c - ref).max() / np.abs(ref).max()
        print("%s: C program vs numpy rel error %s" % (name, "ok" if rel < 1e-5 else rel))
        ok &= bool(rel < 1e-5)
        for run in ["jit", "aot"]:
            other = np.load("%s/%s/%s.npy" % (d, run, name))
            same = other.shape == c.shape and np.array_equal(other.view(np.uint32), c.view(np.uint32))
            print("%s: C program vs tfc-run %s %s" % (name, run, "identical" if same else "DIFFERENT"))
            ok &= same
    sys.exit(0 if ok else 1)


def compare(d, out):
    ok = True
    for name in ["y", "p"]:
        ref = np.load("%s/ref_%s.npy" % (d, name))
        got = np.load("%s/%s.npy" % (out, name))
        rel = (np.abs(got - ref).max() / np.abs(ref).max()
               if got.shape == ref.shape else float("inf"))
        print("%s: vs numpy rel error %s" % (name, "ok" if rel < 1e-5 else rel))
        ok &= bool(rel < 1e-5)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    if sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        {"make": make, "check": check}[sys.argv[1]](sys.argv[2])
