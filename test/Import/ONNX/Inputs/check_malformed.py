#!/usr/bin/python3
"""The malformed-model corpus: writes each broken ONNX model (or file) into
WORK_DIR, imports it with tfc-translate, and checks that it is refused
cleanly: exit status 1 (not a signal, not 0), within a time limit, with an
"error:" line containing the expected text (what is wrong and where).

Cases: truncated and random bytes, an empty file, graphs with cycles,
undefined or duplicate value names, missing initializers, mismatched shapes
and dtypes, absurd dimensions, declared tensor sizes larger than the data,
external data escaping the model's folder (../, absolute, symlink) which must
be refused without reading, non-UTF-8 names, unsupported opsets and domains.

Usage: check_malformed.py TFC_TRANSLATE WORK_DIR
Prints "ok CASE" or "FAILED CASE: why" per case, then "N cases, M failures".
"""
import os
import subprocess
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

TIMEOUT_S = 60


def graph_model(nodes, inputs, outputs, inits=(), opset=17, domain=""):
    g = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(inits))
    return helper.make_model(g, opset_imports=[helper.make_opsetid(domain, opset)])


def vi(name, dims, t=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, t, dims)


def relu_model(**kw):
    return graph_model([helper.make_node("Relu", ["x"], ["y"], name="r")],
                       [vi("x", [2])], [vi("y", [2])], **kw)


def external(name, location, shape=(64,)):
    t = numpy_helper.from_array(np.zeros(shape, np.float32), name)
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", location
    return t


def add_w(w, n=64):
    return graph_model([helper.make_node("Add", ["x", "w"], ["y"], name="add_w")],
                       [vi("x", [n])], [vi("y", [n])], [w])


def cases(work):
    """(name, file bytes or a model, expected error text)."""
    rng = np.random.default_rng(5)
    good = relu_model().SerializeToString()
    yield "empty-file", b"", "model imports no default-domain opset"
    yield "truncated", good[:len(good) // 2], "not a valid ONNX model"
    yield "random-bytes", rng.integers(0, 256, 4096, np.uint8).tobytes(), \
        "not a valid ONNX model"
    yield "no-graph", helper.make_model(helper.make_graph([], "g", [], [])), \
        "the graph has no outputs"
    yield "cycle", graph_model(
        [helper.make_node("Relu", ["b"], ["a"], name="n1"),
         helper.make_node("Relu", ["a"], ["b"], name="n2")],
        [vi("x", [2])], [vi("b", [2])]), \
        "node 'n1' (Relu, opset 17): input 'b' is not defined before this node"
    yield "undefined-input", graph_model(
        [helper.make_node("Relu", ["nowhere"], ["y"], name="r")],
        [vi("x", [2])], [vi("y", [2])]), "input 'nowhere' is not defined"
    yield "duplicate-output", graph_model(
        [helper.make_node("Relu", ["x"], ["y"], name="r1"),
         helper.make_node("Neg", ["x"], ["y"], name="r2")],
        [vi("x", [2])], [vi("y", [2])]), \
        "node 'r2' (Neg, opset 17): value 'y' is defined twice"
    yield "duplicate-input", graph_model(
        [helper.make_node("Relu", ["x"], ["y"], name="r")],
        [vi("x", [2]), vi("x", [2])], [vi("y", [2])]), "duplicate graph input 'x'"
    yield "undefined-output", graph_model(
        [helper.make_node("Relu", ["x"], ["y"], name="r")],
        [vi("x", [2])], [vi("z", [2])]), "graph output 'z' is never produced"
    yield "missing-initializer", graph_model(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")],
        [vi("x", [2, 2])], [vi("y", [2, 2])]), "input 'w' is not defined"
    yield "shape-mismatch", graph_model(
        [helper.make_node("Add", ["x", "y"], ["z"], name="bad_add")],
        [vi("x", [2, 3]), vi("y", [4])], [vi("z", [2, 3])]), \
        "node 'bad_add' (Add, opset 17): operand shapes"
    yield "dtype-mismatch", graph_model(
        [helper.make_node("Add", ["x", "y"], ["z"], name="mixed")],
        [vi("x", [2]), vi("y", [2], TensorProto.INT64)], [vi("z", [2])]), \
        "node 'mixed' (Add, opset 17)"
    yield "matmul-inner-mismatch", graph_model(
        [helper.make_node("MatMul", ["x", "y"], ["z"], name="mm")],
        [vi("x", [2, 3]), vi("y", [4, 5])], [vi("z", [2, 5])]), "node 'mm' (MatMul, opset 17)"
    yield "absurd-input-dims", graph_model(
        [helper.make_node("Relu", ["x"], ["y"], name="r")],
        [vi("x", [1 << 20, 1 << 20])], [vi("y", [1 << 20, 1 << 20])]), \
        "value 'x' declares more elements than the limit"
    yield "negative-dim", graph_model(
        [helper.make_node("Relu", ["x"], ["y"], name="r")],
        [vi("x", [-5])], [vi("y", [2])]), "value 'x' has negative dimension -5"
    big = TensorProto(name="w", data_type=TensorProto.FLOAT,
                      dims=[1 << 20, 1 << 20], raw_data=b"\0" * 64)
    yield "absurd-initializer", add_w(big), \
        "tensor 'w' has bad or too large dimensions"
    short = numpy_helper.from_array(np.zeros(64, np.float32), "w")
    short.raw_data = short.raw_data[:100]
    yield "initializer-short-data", add_w(short), \
        "tensor 'w' declares 64 elements (256 bytes) but its data has 100 bytes"
    short_ext = external("w", "weights.bin")
    with open(os.path.join(work, "weights.bin"), "wb") as f:
        f.write(b"\0" * 16)  # 64 floats declared, 4 present
    yield "external-short-file", add_w(short_ext), \
        "tensor 'w' declares 64 elements (256 bytes) but its data has 16 bytes"
    yield "external-parent", add_w(external("w", "../escape.bin")), \
        "escapes the model's folder (refused)"
    yield "external-absolute", add_w(external("w", "/etc/passwd")), \
        "external data '/etc/passwd' is an absolute path (refused)"
    outside = os.path.join(os.path.dirname(os.path.abspath(work)), "outside.bin")
    with open(outside, "wb") as f:
        f.write(b"\0" * 256)
    link = os.path.join(work, "link.bin")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(outside, link)
    yield "external-symlink-out", add_w(external("w", "link.bin")), \
        "external data 'link.bin' resolves outside the model's folder (refused)"
    yield "external-missing", add_w(external("w", "absent.bin")), "initializer 'w'"
    bad_name = relu_model()
    bad_name.graph.node[0].name = "r"
    data = bad_name.SerializeToString().replace(b"\x0a\x01x", b"\x0a\x01\xff", 1)
    yield "non-utf8-name", data, "error:"
    yield "opset-too-new", relu_model(opset=18), "unsupported opset 18"
    # Before opset 13 Softmax flattens from `axis` (default 1): a different
    # function, refused rather than computed the opset-13 way.
    yield "opset-old-semantics", graph_model(
        [helper.make_node("Softmax", ["x"], ["y"], name="sm")],
        [vi("x", [2, 3, 4])], [vi("y", [2, 3, 4])], opset=11), \
        "node 'sm' (Softmax, opset 11): opset < 13 softmax over the flattened"
    yield "unknown-domain", graph_model(
        [helper.make_node("Relu", ["x"], ["y"], name="r", domain="com.evil")],
        [vi("x", [2])], [vi("y", [2])]), "node 'r'"
    yield "unsupported-op", graph_model(
        [helper.make_node("Foo", ["x"], ["y"], name="mystery")],
        [vi("x", [2])], [vi("y", [2])]), "unsupported op type 'Foo'"
    yield "bad-attribute-type", graph_model(
        [helper.make_node("Transpose", ["x"], ["y"], name="t", perm="ab")],
        [vi("x", [2, 3])], [vi("y", [3, 2])]), \
        "node 't' (Transpose, opset 17): attribute 'perm' must be INTS, not STRING"
    yield "bad-perm", graph_model(
        [helper.make_node("Transpose", ["x"], ["y"], name="t", perm=[0, 7])],
        [vi("x", [2, 3])], [vi("y", [3, 2])]), "node 't' (Transpose, opset 17)"
    yield "reshape-bad-count", graph_model(
        [helper.make_node("Reshape", ["x", "s"], ["y"], name="rs")],
        [vi("x", [2, 3])], [vi("y", [5])],
        [numpy_helper.from_array(np.array([5], np.int64), "s")]), \
        "node 'rs' (Reshape, opset 17)"
    yield "cumsum-bad-axis", graph_model(
        [helper.make_node("CumSum", ["x", "a"], ["y"], name="cs")],
        [vi("x", [2, 3])], [vi("y", [2, 3])],
        [numpy_helper.from_array(np.array(5, np.int64), "a")]), \
        "node 'cs' (CumSum, opset 17): axis 5 is out of range for rank 2"
    yield "cumsum-two-axes", graph_model(
        [helper.make_node("CumSum", ["x", "a"], ["y"], name="cs")],
        [vi("x", [2, 3])], [vi("y", [2, 3])],
        [numpy_helper.from_array(np.array([0, 1], np.int64), "a")]), \
        "node 'cs' (CumSum, opset 17): axis must be a scalar, not 'tensor<2xi64>'"


def main():
    tool, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    failures = total = 0
    for name, model, expect in cases(work):
        total += 1
        data = model if isinstance(model, bytes) else model.SerializeToString()
        path = os.path.join(work, name + ".onnx")
        with open(path, "wb") as f:
            f.write(data)
        try:
            r = subprocess.run([tool, "--import-onnx", path, "-o", os.devnull],
                               capture_output=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            print("FAILED %s: no answer within %d s" % (name, TIMEOUT_S))
            failures += 1
            continue
        err = r.stderr.decode("utf-8", "replace")
        why = None
        if r.returncode < 0:
            why = "killed by signal %d" % -r.returncode
        elif r.returncode != 1:
            why = "exit status %d" % r.returncode
        elif "error:" not in err or expect not in err:
            why = "expected an error containing %r" % expect
        elif "Stack dump" in err or "PLEASE submit" in err:
            why = "crash report in the output"
        if why:
            failures += 1
            print("FAILED %s: %s; stderr: %s" % (name, why, err.strip()[-400:]))
        else:
            line = next(l for l in err.splitlines() if "error:" in l)
            print("ok %s: %s" % (name, line.split("error:", 1)[1].strip()))
    print("%d cases, %d failures" % (total, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
