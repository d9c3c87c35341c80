#!/usr/bin/python3
"""Convolutions whose stride equals their kernel (patch embeddings) run as a
GEMM over the patches (PatchConvLowering.cpp): checks tfc-run against a
numpy reference of the convolution on ONNX Conv models, including sizes no
patch fully covers, bias or none, 1-D and 2-D, a dynamic batch, and a
non-constant filter (the generic lowering).

Usage: check_patch_conv.py TFC_RUN WORK_DIR
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def reference(x, w, bias, k):
    """Direct convolution, stride = kernel, no padding, in float64."""
    n, c = x.shape[:2]
    spatial = x.shape[2:]
    outs = [s // kk for s, kk in zip(spatial, k)]
    y = np.zeros([n, w.shape[0]] + outs)
    for idx in np.ndindex(*outs):
        sl = tuple(slice(i * kk, (i + 1) * kk) for i, kk in zip(idx, k))
        patch = x[(slice(None), slice(None)) + sl].astype(np.float64)
        y[(slice(None), slice(None)) + idx] = np.tensordot(
            patch, w.astype(np.float64), axes=(list(range(1, 2 + len(k))),
                                                list(range(1, 2 + len(k)))))
    if bias is not None:
        y += bias.reshape([1, -1] + [1] * len(k))
    return y


def case(name, tfc_run, work, xshape, wshape, bias, dyn_batch=False, w_input=False):
    rng = np.random.default_rng(len(name))
    k = list(wshape[2:])
    x = rng.standard_normal(xshape).astype(np.float32)
    w = rng.standard_normal(wshape).astype(np.float32)
    b = rng.standard_normal(wshape[0]).astype(np.float32) if bias else None
    inputs = ["x", "w"] + (["b"] if bias else [])
    node = helper.make_node("Conv", inputs, ["y"], name="patch", kernel_shape=k,
                            strides=k)
    xdims = (["n"] if dyn_batch else [xshape[0]]) + list(xshape[1:])
    graph_inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, xdims)]
    inits = []
    if w_input:
        graph_inputs.append(helper.make_tensor_value_info("w", TensorProto.FLOAT, list(wshape)))
    else:
        inits.append(numpy_helper.from_array(w, "w"))
    if bias:
        inits.append(numpy_helper.from_array(b, "b"))
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    model = helper.make_model(helper.make_graph([node], name, graph_inputs, [out], inits),
                              opset_imports=[helper.make_opsetid("", 17)])
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    onnx.save(model, d + "/model.onnx")
    np.save(d + "/x.npy", x)
    cmd = [tfc_run, d + "/model.onnx", "--input", "x=" + d + "/x.npy", "--output-dir", d]
    if w_input:
        np.save(d + "/w.npy", w)
        cmd += ["--input", "w=" + d + "/w.npy"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print("FAIL %s: tfc-run: %s" % (name, r.stderr.strip()))
        return False
    got = np.load(d + "/y.npy")
    want = reference(x, w, b, k)
    if got.shape != want.shape:
        print("FAIL %s: shape %s, expected %s" % (name, got.shape, want.shape))
        return False
    err = np.abs(got - want).max() / np.abs(want).max()
    ok = err < 1e-5
    print("%s %s (rel error %.2e)" % ("ok" if ok else "FAIL", name, err))
    return ok


def main():
    tfc_run, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    results = [
        case("vit-like", tfc_run, work, (1, 3, 32, 32), (48, 3, 16, 16), True),
        case("uncovered-edges", tfc_run, work, (2, 3, 10, 11), (8, 3, 4, 4), True),
        case("no-bias-rect", tfc_run, work, (1, 2, 12, 9), (5, 2, 3, 2), False),
        case("conv1d", tfc_run, work, (2, 4, 20), (6, 4, 5), True),
        case("dynamic-batch", tfc_run, work, (3, 3, 8, 8), (4, 3, 4, 4), True, dyn_batch=True),
        case("runtime-filter", tfc_run, work, (1, 3, 8, 8), (4, 3, 4, 4), True, w_input=True),
    ]
    failures = results.count(False)
    print("%d failures" % failures)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
