#!/usr/bin/python3
"""The fused row kernel for layer_norm and rms_norm (RowNormKernel.cpp):
checks tfc-run against numpy float64 references on ONNX models, at 1 and 2
threads, for the forms the kernel covers (a 3-D input with dynamic leading
dims, several trailing dims, a residual add, no scale or bias, a row count
that is not a multiple of the chunk) and forms left to the generic
expansion (a width that is not a multiple of 16 or is 0, a scale that
broadcasts inside the row).

Usage: check_row_norm_kernel.py TFC_RUN WORK_DIR
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def layer_norm(x, axis, scale, bias, eps):
    x = x.astype(np.float64)
    axes = tuple(range(axis % x.ndim, x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps)
    if scale is not None:
        y = y * scale
    if bias is not None:
        y = y + bias
    return y


def case(name, tfc_run, work, shape, axis, scale_shape, bias, residual=False,
         dims=None, rms=False, eps=1e-5):
    rng = np.random.default_rng(len(name) * 7 + 1)
    x = (rng.standard_normal(shape) * 3 + 1).astype(np.float32)
    r = rng.standard_normal(shape).astype(np.float32) if residual else None
    g = (rng.standard_normal(scale_shape).astype(np.float32)
         if scale_shape else None)
    b = rng.standard_normal(scale_shape).astype(np.float32) if bias else None
    vdims = dims or list(shape)
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, vdims)]
    inits, nodes = [], []
    src = "x"
    if residual:
        inputs.append(helper.make_tensor_value_info("r", TensorProto.FLOAT, vdims))
        nodes.append(helper.make_node("Add", ["x", "r"], ["s"], name="residual"))
        src = "s"
    if rms:
        # x * 1/sqrt(mean(x^2) + eps) * g, the form raise-norms recognizes.
        inits += [numpy_helper.from_array(np.array(2.0, np.float32), "two"),
                  numpy_helper.from_array(np.array(eps, np.float32), "eps"),
                  numpy_helper.from_array(g, "g")]
        nodes += [
            helper.make_node("Pow", [src, "two"], ["sq"]),
            helper.make_node("ReduceMean", ["sq"], ["ms"], axes=[-1], keepdims=1),
            helper.make_node("Add", ["ms", "eps"], ["mse"]),
            helper.make_node("Sqrt", ["mse"], ["rt"]),
            helper.make_node("Div", [src, "rt"], ["n"]),
            helper.make_node("Mul", ["n", "g"], ["y"])]
    else:
        ln_inputs = [src]
        if g is not None:
            inits.append(numpy_helper.from_array(g, "g"))
            ln_inputs.append("g")
        else:
            inits.append(numpy_helper.from_array(
                np.ones(shape[axis:] if axis >= 0 else shape[axis:], np.float32), "g"))
            ln_inputs.append("g")
        if b is not None:
            inits.append(numpy_helper.from_array(b, "b"))
            ln_inputs.append("b")
        nodes.append(helper.make_node("LayerNormalization", ln_inputs, ["y"],
                                      name="norm", axis=axis, epsilon=eps))
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    model = helper.make_model(helper.make_graph(nodes, name, inputs, [out], inits),
                              opset_imports=[helper.make_opsetid("", 17)])
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    onnx.save(model, d + "/model.onnx")
    np.save(d + "/x.npy", x)
    s = x.astype(np.float64) + (r if residual else 0)
    if rms:
        want = s / np.sqrt((s ** 2).mean(axis=-1, keepdims=True) + eps) * g
    else:
        want = layer_norm(s, axis, g, b, eps)
    ok = True
    for threads in (1, 2):
        cmd = [tfc_run, d + "/model.onnx", "--input", "x=" + d + "/x.npy",
               "--output-dir", d, "--threads", str(threads)]
        if residual:
            np.save(d + "/r.npy", r)
            cmd += ["--input", "r=" + d + "/r.npy"]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            print("FAIL %s: tfc-run: %s" % (name, p.stderr.strip()))
            return False
        got = np.load(d + "/y.npy")
        if got.shape != want.shape:
            print("FAIL %s: shape %s, expected %s" % (name, got.shape, want.shape))
            return False
        # An empty result has nothing but its shape to check.
        err = (np.abs(got - want).max() / np.abs(want).max()
               if want.size else 0.0)
        ok = ok and err < 1e-5
        print("%s %s threads=%d (rel error %.2e)" % ("ok" if err < 1e-5 else "FAIL",
                                                     name, threads, err))
    return ok


def main():
    tfc_run, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    results = [
        case("bert-like", tfc_run, work, (1, 37, 64), -1, (64,), True),
        case("dynamic-rows", tfc_run, work, (3, 11, 32), -1, (32,), True,
             dims=["n", "s", 32]),
        case("two-trailing-dims", tfc_run, work, (5, 4, 8), -2, (4, 8), True),
        case("residual", tfc_run, work, (2, 9, 48), -1, (48,), True, residual=True),
        case("scale-only", tfc_run, work, (13, 16), -1, (16,), False),
        case("rms", tfc_run, work, (2, 19, 64), -1, (64,), False, rms=True),
        case("width-not-16", tfc_run, work, (4, 10), -1, (10,), True),
        case("scale-broadcast", tfc_run, work, (3, 4, 16), -2, (1, 16), True),
        # A width of 0 (the generic form; the kernel failed to compile it).
        case("width-0", tfc_run, work, (3, 0), -1, (0,), True),
    ]
    failures = results.count(False)
    print("%d failures" % failures)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
