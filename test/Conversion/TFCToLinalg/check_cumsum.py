#!/usr/bin/python3
"""ONNX CumSum (tfc.cumsum, CumSumLowering.cpp) through tfc-run against
numpy's cumsum: float32, float64, int64 with wrap-around, uint32 and int8,
every combination of `exclusive` and `reverse`, a middle axis of a 3-D
tensor, negative axes, a dynamic axis length, an empty axis, and RoBERTa's
position ids (cumsum of the attention mask, times the mask, plus the pad).

Usage: check_cumsum.py TFC_RUN WORK_DIR
Prints `ok NAME` or `FAILED NAME ...` per case, then the failure count.
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

TYPES = {np.float32: TensorProto.FLOAT, np.float64: TensorProto.DOUBLE,
         np.int64: TensorProto.INT64, np.uint32: TensorProto.UINT32,
         np.int8: TensorProto.INT8}


def reference(x, axis, exclusive, reverse):
    y = np.flip(x, axis) if reverse else x
    # Integers wrap like the kernel's adds: numpy sums in the input's type.
    s = np.cumsum(y, axis=axis, dtype=x.dtype)
    if exclusive:
        s = np.roll(s, 1, axis=axis)
        index = [slice(None)] * x.ndim
        index[axis] = 0
        s[tuple(index)] = 0
    return np.flip(s, axis) if reverse else s


def run(tfc_run, work, name, graph, feeds):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "model.onnx")
    onnx.save(helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", 14)]), path)
    args = [tfc_run, path, "--output-dir", os.path.join(d, "out")]
    for k, v in feeds.items():
        np.save(os.path.join(d, k + ".npy"), v)
        args += ["--input", "%s=%s" % (k, os.path.join(d, k + ".npy"))]
    proc = subprocess.run(args, capture_output=True, text=True)
    if proc.returncode != 0:
        return None, proc.stderr.strip()
    return np.load(os.path.join(d, "out", "y.npy")), None


def cumsum_case(tfc_run, work, name, x, axis, exclusive=0, reverse=0,
                dims=None):
    attrs = {}
    if exclusive:
        attrs["exclusive"] = 1
    if reverse:
        attrs["reverse"] = 1
    et = TYPES[x.dtype.type]
    shape = dims if dims is not None else list(x.shape)
    g = helper.make_graph(
        [helper.make_node("CumSum", ["x", "axis"], ["y"], name="cs", **attrs)],
        name, [helper.make_tensor_value_info("x", et, shape)],
        [helper.make_tensor_value_info("y", et, shape)],
        [numpy_helper.from_array(np.array(axis, np.int64), "axis")])
    got, err = run(tfc_run, work, name, g, {"x": x})
    want = reference(x, axis % x.ndim, exclusive, reverse)
    return got, want, err


def positions_case(tfc_run, work):
    """RoBERTa's create_position_ids_from_input_ids, pad id 1."""
    ids = np.array([[0, 5, 9, 7, 2, 1, 1, 1], [0, 4, 2, 1, 1, 1, 1, 1]],
                   np.int64)
    one = numpy_helper.from_array(np.array(1, np.int64), "one")
    axis = numpy_helper.from_array(np.array(1, np.int64), "axis")
    nodes = [
        helper.make_node("Equal", ["ids", "one"], ["is_pad"]),
        helper.make_node("Not", ["is_pad"], ["keep"]),
        helper.make_node("Cast", ["keep"], ["mask"], to=TensorProto.INT64),
        helper.make_node("CumSum", ["mask", "axis"], ["count"]),
        helper.make_node("Mul", ["count", "mask"], ["kept"]),
        helper.make_node("Add", ["kept", "one"], ["y"]),
    ]
    g = helper.make_graph(
        nodes, "positions",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, [2, "s"])],
        [helper.make_tensor_value_info("y", TensorProto.INT64, [2, "s"])],
        [one, axis])
    got, err = run(tfc_run, work, "roberta-positions", g, {"ids": ids})
    mask = (ids != 1).astype(np.int64)
    want = np.cumsum(mask, axis=1) * mask + 1
    return got, want, err


def main():
    tfc_run, work = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(11)
    f32 = rng.standard_normal((3, 7, 5)).astype(np.float32)
    cases = []
    for ex in (0, 1):
        for rev in (0, 1):
            cases.append(("f32-axis1-ex%d-rev%d" % (ex, rev), f32, 1, ex, rev,
                          None))
    cases += [
        ("f64-axis-neg1", rng.standard_normal((4, 6)), -1, 0, 0, None),
        ("f32-axis0-dynamic", f32, 0, 0, 1, ["n", 7, 5]),
        ("i64-wrap", np.array([2**62, 2**62, 2**62, -5], np.int64), 0, 0, 0,
         None),
        ("u32-reverse-exclusive",
         rng.integers(0, 2**31, (2, 9)).astype(np.uint32), 1, 1, 1, None),
        ("i8-wrap", np.array([[100, 100, -50, 7]], np.int8), -1, 0, 0, None),
        ("empty-axis", np.zeros((3, 0), np.float32), 1, 0, 0, None),
    ]
    failures = 0
    results = [(name, *cumsum_case(tfc_run, work, name, x, axis, ex, rev,
                                   dims))
               for name, x, axis, ex, rev, dims in cases]
    results.append(("roberta-positions", *positions_case(tfc_run, work)))
    for name, got, want, err in results:
        if err is not None:
            print("FAILED %s: tfc-run: %s" % (name, err))
            failures += 1
        elif got.dtype != want.dtype or got.shape != want.shape:
            print("FAILED %s: got %s%s, want %s%s" % (
                name, got.dtype, got.shape, want.dtype, want.shape))
            failures += 1
        elif np.issubdtype(want.dtype, np.floating):
            scale = max(np.abs(want).max(), 1) if want.size else 1
            e = np.abs(got - want).max() / scale if want.size else 0
            ok = e <= (1e-6 if want.dtype == np.float32 else 1e-12)
            failures += not ok
            print("%s %s rel error %.2g" % ("ok" if ok else "FAILED", name, e))
        else:
            ok = np.array_equal(got, want)
            failures += not ok
            print("%s %s%s" % ("ok" if ok else "FAILED", name,
                               "" if ok else ": %s vs %s" % (got, want)))
    print("%d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
