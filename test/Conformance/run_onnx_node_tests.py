#!/usr/bin/python3
"""Runs the ONNX backend node tests (Debian libonnx-testdata) through tfc-run.

Selects every test under the data directory whose ops are all in tfc's
supported list, runs each test data set with tfc-run, compares the outputs
with the shipped references at per-dtype tolerances, and prints
`N passed, N failed` with the names of failures. Exits 1 if any test that is
not listed in EXCLUDED fails.

With --symbolic, every size of the models' inputs and outputs is first
made symbolic (a dim_param of its own), so that the same tests run through
tfc's dynamic-shape lowering: the expected values stay the shipped ones.
EXCLUDED_SYMBOLIC lists what that cannot run, with the reason.

With --aot, models are compiled by tfc-compile (next to TFC_RUN) into
libraries, which tfc-run then runs: the C runtime's side of every op and
dtype. To keep that short, only the first test of each signature (its set
of op types, its input and output element types) runs. Models that give a shape operand (axes, split sizes) as a graph
input cannot be compiled ahead of time (tfc-run's JIT compiles such an
input in from its file); they are counted, not failed.

Usage: run_onnx_node_tests.py TFC_RUN [--data DIR] [--jobs N] [-k SUBSTRING]
         [--symbolic] [--aot]
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

SUPPORTED = set("""Add Sub Mul Div Pow Sqrt Reciprocal Erf Tanh Sin Cos Exp Log Relu
Sigmoid Neg Abs Where Equal Less Greater Not And Or Cast Clip Max Min MatMul Gemm
Softmax LogSoftmax LayerNormalization ReduceMean ReduceSum ReduceMax ReduceMin
Transpose Reshape Flatten Squeeze Unsqueeze Concat Split Slice Gather Expand
Shape ConstantOfShape Range Constant Identity Trilu Einsum Conv CumSum""".split())

# Tests that use only supported ops but need something tfc does not model.
EXCLUDED = {
    "test_cast_FLOAT_to_STRING": "string tensors are not supported",
    "test_cast_STRING_to_FLOAT": "string tensors are not supported",
    "test_castlike_FLOAT_to_STRING_expanded": "string tensors are not supported",
    "test_castlike_STRING_to_FLOAT_expanded": "string tensors are not supported",
    "test_identity_opt": "optional types are not supported",
    "test_castlike_BFLOAT16_to_FLOAT_expanded":
        "the test data's 'like' input has shape [1] where the model declares "
        "[3, 4]; tfc rejects inputs that disagree with declared shapes",
    "test_castlike_FLOAT_to_BFLOAT16_expanded":
        "the test data's 'like' input has shape [1] where the model declares "
        "[3, 4]; tfc rejects inputs that disagree with declared shapes",
    "test_identity_sequence": "sequence types are not supported",
}
# ONNX 1.12's expected window values are 6e-5 to 7e-5 away from the
# windows' float64 formulas (e.g. 0.5 - 0.5 cos(2 pi n / N)); tfc's are
# within 2.2e-7 of them: check_window_functions.py checks them so.
_WINDOW_REFERENCE = ("the shipped expected values are 7e-5 off the float64 "
                     "window formula (window-functions.test checks tfc "
                     "against the formula)")
EXCLUDED.update({
    "test_%s_expanded" % w: _WINDOW_REFERENCE
    for w in ["blackmanwindow", "blackmanwindow_symmetric", "hammingwindow",
              "hammingwindow_symmetric", "hannwindow",
              "hannwindow_symmetric"]})

# Tests that pass with static sizes but not with symbolic ones: tfc
# decides broadcasting from static sizes (a dynamic size that is 1 at run
# time is not broadcast: the run fails with that message).
_NO_DYNAMIC_BROADCAST = ("a dynamic size that is 1 at run time is not "
                         "broadcast (the bias's leading 1)")
EXCLUDED_SYMBOLIC = {
    "test_and_bcast4v4d": "a dynamic size that is 1 at run time is not "
                          "broadcast (sizes 1 in both operands)",
    "test_or_bcast4v4d": "a dynamic size that is 1 at run time is not "
                         "broadcast (sizes 1 in both operands)",
    "test_conv_with_autopad_same": "auto_pad SAME needs static sizes",
    "test_expand_dim_changed": "Expand of a dynamic size-1 dimension",
    "test_expand_dim_unchanged": "Expand of a dynamic size-1 dimension",
    "test_gemm_all_attributes": _NO_DYNAMIC_BROADCAST,
    "test_gemm_alpha": _NO_DYNAMIC_BROADCAST,
    "test_gemm_beta": _NO_DYNAMIC_BROADCAST,
    "test_gemm_default_single_elem_vector_bias": _NO_DYNAMIC_BROADCAST,
    "test_gemm_default_vector_bias": _NO_DYNAMIC_BROADCAST,
    "test_gemm_default_zero_bias": _NO_DYNAMIC_BROADCAST,
    "test_gemm_transposeA": _NO_DYNAMIC_BROADCAST,
    "test_gemm_transposeB": _NO_DYNAMIC_BROADCAST,
    "test_split_equal_parts_1d": "equal parts of a dynamic size",
    "test_split_equal_parts_2d": "equal parts of a dynamic size",
    "test_split_equal_parts_default_axis": "equal parts of a dynamic size",
}

# (rtol, atol) per numpy dtype kind/size; integers and bools must match.
TOLERANCE = {
    np.dtype("float64"): (1e-7, 1e-9),
    np.dtype("float32"): (1e-4, 1e-5),
    np.dtype("float16"): (1e-2, 1e-3),
}


BF16_TOLERANCE = (1e-2, 1e-2)


def select(data_dir):
    tests = []
    for name in sorted(os.listdir(data_dir)):
        path = os.path.join(data_dir, name, "model.onnx")
        if not os.path.exists(path):
            continue
        model = onnx.load(path)
        if {n.op_type for n in model.graph.node} <= SUPPORTED:
            tests.append(name)
    return tests


def compare(expected, actual, tolerance=None):
    if actual.shape != expected.shape:
        return "shape %s, expected %s" % (actual.shape, expected.shape)
    if expected.dtype.kind in "biu":
        if actual.dtype != expected.dtype or not np.array_equal(actual, expected):
            return "values differ"
        return None
    exp = expected.astype(np.float64)
    act = actual.astype(np.float64)
    rtol, atol = tolerance or TOLERANCE[expected.dtype]
    if not np.allclose(act, exp, rtol=rtol, atol=atol, equal_nan=True):
        err = np.max(np.abs(act - exp) / (np.abs(exp) + atol))
        return "max relative error %.3g (rtol %g)" % (err, rtol)
    return None


def symbolic_model(model, path):
    """Makes every graph input's and output's size of `model` (in place) a
    dim_param of its own (initializers keep theirs) and writes it."""
    inits = {i.name for i in model.graph.initializer}
    k = 0
    for v in list(model.graph.input) + list(model.graph.output):
        if v.name in inits:
            continue
        for d in v.type.tensor_type.shape.dim:
            d.ClearField("dim_value")
            d.dim_param = "s%d" % k
            k += 1
    onnx.save(model, path)


AOT_SHAPE_INPUT = "must be a constant; here it is the graph input"


def run_test(tfc_run, data_dir, name, symbolic=False, aot=False):
    test_dir = os.path.join(data_dir, name)
    model = onnx.load(os.path.join(test_dir, "model.onnx"))
    with tempfile.TemporaryDirectory() as tmp:
        model_path = os.path.join(test_dir, "model.onnx")
        if symbolic:
            model_path = os.path.join(tmp, "model.onnx")
            # Output names and element types, which run_sets reads from
            # `model`, stay as they were.
            symbolic_model(model, model_path)
        if aot:
            library = os.path.join(tmp, "model.so")
            compiler = os.path.join(os.path.dirname(tfc_run), "tfc-compile")
            r = subprocess.run([compiler, model_path, "-o", library],
                               capture_output=True, text=True, timeout=300)
            if r.returncode != 0:
                msg = (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])
                return "tfc-compile failed: " + msg[-1][:300]
            model_path = library
        return run_sets(tfc_run, test_dir, model, model_path)


def run_sets(tfc_run, test_dir, model, model_path):
    out_names = [o.name for o in model.graph.output]
    out_types = [o.type.tensor_type.elem_type for o in model.graph.output]
    sets = sorted(d for d in os.listdir(test_dir) if d.startswith("test_data_set"))
    for s in sets:
        sdir = os.path.join(test_dir, s)
        inputs = sorted(f for f in os.listdir(sdir) if f.startswith("input_"))
        inputs.sort(key=lambda f: int(f[6:-3]))
        with tempfile.TemporaryDirectory() as out:
            cmd = [tfc_run, model_path, "--output-dir", out]
            for f in inputs:
                cmd += ["--input", os.path.join(sdir, f)]
            try:
                r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
            except subprocess.TimeoutExpired:
                return "timeout"
            if r.returncode != 0:
                msg = (r.stderr.strip().splitlines() or ["exit %d" % r.returncode])
                return "tfc-run failed: " + msg[-1][:300]
            for i, oname in enumerate(out_names):
                ref = os.path.join(sdir, "output_%d.pb" % i)
                if not os.path.exists(ref):
                    continue
                t = onnx.TensorProto()
                with open(ref, "rb") as f:
                    t.ParseFromString(f.read())
                expected = numpy_helper.to_array(t)
                safe = oname.replace("/", "_").replace("\\", "_")
                actual = np.load(os.path.join(out, safe + ".npy"))
                if out_types[i] == onnx.TensorProto.BFLOAT16:
                    # Stored as raw uint16 bits; ONNX 1.12's reference
                    # truncates where tfc rounds to nearest even, which the
                    # bfloat16 tolerance covers.
                    bits = np.asarray(expected).astype(np.uint32) << 16
                    expected = bits.view(np.float32)
                bf16 = out_types[i] == onnx.TensorProto.BFLOAT16
                why = compare(expected, actual, BF16_TOLERANCE if bf16 else None)
                if why:
                    return "%s output '%s': %s" % (s, oname, why)
    return None


def first_of_each_signature(data_dir, tests):
    """The first of `tests` with each set of op types and input and output
    element types."""
    seen = {}
    for t in tests:
        g = onnx.load(os.path.join(data_dir, t, "model.onnx")).graph
        sig = (frozenset(n.op_type for n in g.node),
               tuple(v.type.tensor_type.elem_type for v in g.input),
               tuple(v.type.tensor_type.elem_type for v in g.output))
        seen.setdefault(sig, t)
    return [t for t in tests if t in set(seen.values())]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("tfc_run")
    p.add_argument("--data", default="/usr/share/libonnx-testdata/data/node")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("-k", default="", help="only tests containing this string")
    p.add_argument("--symbolic", action="store_true",
                   help="make every input and output size symbolic first")
    p.add_argument("--aot", action="store_true",
                   help="compile each model with tfc-compile, run the library")
    args = p.parse_args()
    excluded = dict(EXCLUDED, **(EXCLUDED_SYMBOLIC if args.symbolic else {}))
    tests = [t for t in select(args.data) if args.k in t]
    runnable = [t for t in tests if t not in excluded]
    if args.aot:
        runnable = first_of_each_signature(args.data, runnable)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = dict(zip(runnable, pool.map(
            lambda t: run_test(args.tfc_run, args.data, t, args.symbolic,
                               args.aot),
            runnable)))
    shape_inputs = {t for t, why in results.items()
                    if why and args.aot and AOT_SHAPE_INPUT in why}
    failed = {t: why for t, why in results.items()
              if why and t not in shape_inputs}
    print("ONNX node conformance%s%s: %d selected, %d excluded" % (
        " (symbolic sizes)" if args.symbolic else "",
        " (tfc-compile libraries)" if args.aot else "", len(tests),
        len([t for t in tests if t in excluded])))
    if args.aot:
        print("%d with distinct op types and element types run" % len(runnable))
    for t in sorted(excluded):
        if t in tests:
            print("  excluded %s: %s" % (t, excluded[t]))
    for t in sorted(failed):
        print("  FAILED %s: %s" % (t, failed[t]))
    if args.aot:
        print("%d with a shape operand given as a graph input (JIT only)" %
              len(shape_inputs))
    print("%d passed, %d failed" % (len(runnable) - len(failed) - len(shape_inputs),
                                    len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
