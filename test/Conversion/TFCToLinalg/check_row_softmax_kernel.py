#!/usr/bin/python3
"""The softmax row kernel (RowSoftmaxKernel.cpp): checks tfc-run's Softmax
and LogSoftmax against numpy float64 references on ONNX models, at 1 and 2
threads: attention-like scores whose width is not a multiple of 16, a width
below 16 (only the masked tail), a width of whole vectors, dynamic sizes,
-inf entries (masked keys), a row that is all -inf (NaN, as numpy and torch
give), large values (the max subtracted before exp), an axis other than
the last and a width of 0 (left to the generic expansion), no rows.

Usage: check_row_softmax_kernel.py TFC_RUN WORK_DIR
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper


def reference(x, axis, log):
    x = x.astype(np.float64)
    if x.size == 0:
        return x
    with np.errstate(invalid="ignore"):
        shifted = x - x.max(axis=axis, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=axis, keepdims=True)
        return shifted - np.log(s) if log else e / s


def case(name, tfc_run, work, shape, op="Softmax", axis=-1, dims=None,
         scale=1.0, minus_inf=None):
    """minus_inf: a function of the input filling some entries with -inf."""
    rng = np.random.default_rng(len(name) * 11 + 3)
    x = (rng.standard_normal(shape) * scale).astype(np.float32)
    if minus_inf:
        minus_inf(x)
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                            dims or list(shape))]
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    node = helper.make_node(op, ["x"], ["y"], name="softmax", axis=axis)
    model = helper.make_model(helper.make_graph([node], name, inputs, [out]),
                              opset_imports=[helper.make_opsetid("", 17)])
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    onnx.save(model, d + "/model.onnx")
    np.save(d + "/x.npy", x)
    want = reference(x, axis, op == "LogSoftmax")
    finite = np.isfinite(want)
    ok = True
    for threads in (1, 2):
        cmd = [tfc_run, d + "/model.onnx", "--input", "x=" + d + "/x.npy",
               "--output-dir", d, "--threads", str(threads)]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            print("FAIL %s: tfc-run: %s" % (name, p.stderr.strip()))
            return False
        got = np.load(d + "/y.npy").astype(np.float64)
        if got.shape != want.shape:
            print("FAIL %s: shape %s, expected %s" % (name, got.shape,
                                                       want.shape))
            return False
        # NaN and infinities where the reference has them, exactly.
        same_special = (np.array_equal(np.isnan(got), np.isnan(want)) and
                        np.array_equal(got[np.isinf(want)],
                                       want[np.isinf(want)]))
        err = (np.abs(got[finite] - want[finite]).max() /
               np.abs(want[finite]).max()) if finite.any() else 0.0
        good = same_special and err < 1e-5
        ok = ok and good
        print("%s %s threads=%d (rel error %.2e%s)" % (
            "ok" if good else "FAIL", name, threads, err,
            "" if same_special else ", NaN/inf differ"))
    return ok


def mask_keys(x):
    x[..., 1::3] = -np.inf  # every third key from the second


def mask_one_row(x):
    x[1, :] = -np.inf


def main():
    tfc_run, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    results = [
        case("attention-scores", tfc_run, work, (1, 12, 37, 37)),
        case("width-16-log", tfc_run, work, (3, 5, 16), op="LogSoftmax"),
        case("width-5", tfc_run, work, (7, 5)),
        case("dynamic", tfc_run, work, (2, 9, 70), dims=["n", "s", "w"]),
        case("dynamic-log", tfc_run, work, (2, 9, 70), op="LogSoftmax",
             dims=["n", "s", "w"]),
        case("masked-keys", tfc_run, work, (4, 40), minus_inf=mask_keys),
        case("masked-keys-log", tfc_run, work, (4, 40), op="LogSoftmax",
             minus_inf=mask_keys),
        case("all-masked-row", tfc_run, work, (3, 21), minus_inf=mask_one_row),
        case("large-values", tfc_run, work, (5, 100), scale=1000.0),
        case("axis-1-generic", tfc_run, work, (3, 6, 8), axis=1),
        # Empty: no rows (the kernel), rows of width 0 (the generic form).
        case("no-rows", tfc_run, work, (0, 5)),
        case("width-0", tfc_run, work, (3, 0), op="LogSoftmax"),
    ]
    failures = results.count(False)
    print("%d failures" % failures)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
