#!/usr/bin/python3
"""Counting test for --tfc-optimize: after the optimizer, every model has
exactly one tfc.attention per attention layer and one norm op per norm, no
softmax, erf or tanh-GELU left, and its outputs still agree with torch
(relative max error <= 1e-4), optimized and unoptimized alike.

Models: the e2e exports (export_models.py: bert, gpt2, vit) and the
differently spelled ones of export_variants.py (encoder, mha, llama,
llama-positions, t5).

Usage: check_raising.py TFC_OPT TFC_RUN WORK_DIR
Prints one line per model with its op counts (the table of the closing note).
"""
import collections
import os
import re
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TOLERANCE = 1e-4

# model -> expected counts after --tfc-optimize (ops absent here must be 0
# when listed with 0). "linear:gelu" counts linears with that activation.
EXPECTED = {
    "bert": {"attention": 2, "layer_norm": 5, "linear:gelu": 2, "softmax": 0, "erf": 0},
    "gpt2": {"attention": 2, "attention:causal": 2, "layer_norm": 5,
             "linear:gelu_tanh": 2, "softmax": 0, "tanh": 0, "transpose": 0},
    "vit": {"attention": 2, "layer_norm": 5, "linear:gelu": 2, "softmax": 0, "erf": 0},
    "encoder": {"attention": 2, "layer_norm": 4, "linear:gelu": 2, "softmax": 0, "erf": 0},
    "mha": {"attention": 1, "softmax": 0},
    "llama": {"attention": 1, "attention:causal": 1, "rms_norm": 2, "linear:silu": 1,
              "softmax": 0, "sigmoid": 0, "trilu": 0, "reduce_mean": 0},
    "llama-positions": {"attention": 1, "attention:causal": 1, "rms_norm": 2,
                        "linear:silu": 1, "softmax": 0, "sigmoid": 0,
                        "trilu": 0, "reduce_mean": 0, "sin": 1, "cos": 1},
    "t5": {"attention": 1, "softmax": 0, "transpose": 0},
}
# Numerics of the variants (bert/gpt2/vit are checked by e2e-models.test).
RUNS = {
    "encoder": (["x", "pad"], ["y"]),
    "mha": (["x"], ["y"]),
    "llama": (["x"], ["y"]),
    "llama-positions": (["x", "position_ids"], ["y"]),
    "t5": (["x"], ["y"]),
}


def count_ops(tfc_opt, model):
    r = subprocess.run([tfc_opt, model, "--tfc-optimize"], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    counts = collections.Counter()
    for line in r.stdout.splitlines():
        m = re.search(r"= tfc\.([a-z_]+)", line)
        if not m:
            continue
        op = m.group(1)
        counts[op] += 1
        if op == "linear":
            a = re.search(r'activation = "([a-z_]+)"', line)
            if a:
                counts["linear:" + a.group(1)] += 1
        if op == "attention" and re.search(r"\{[^}]*causal", line):
            counts["attention:causal"] += 1
        if op == "attention" and "num_heads" in line:
            counts["attention:packed"] += 1
    return counts


def run_model(tfc_run, work, name, inputs, outputs, optimize):
    out = os.path.join(work, "out_%s_%s" % (name, "opt" if optimize else "noopt"))
    cmd = [tfc_run, os.path.join(work, name + ".onnx"), "--output-dir", out]
    if not optimize:
        cmd.append("--no-optimize")
    for i in inputs:
        cmd += ["--input", "%s=%s" % (i, os.path.join(work, "%s.%s.npy" % (name, i)))]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return "tfc-run failed: " + r.stderr.strip()
    errs = []
    for o in outputs:
        ref = np.load(os.path.join(work, "%s.%s.npy" % (name, o)))
        got = np.load(os.path.join(out, o + ".npy"))
        if got.shape != ref.shape:
            return "shape %s, expected %s" % (got.shape, ref.shape)
        errs.append(float(np.max(np.abs(got - ref)) / np.max(np.abs(ref))))
    return max(errs)


def main():
    tfc_opt, tfc_run, work = sys.argv[1:4]
    for script in ("export_models.py", "export_variants.py"):
        subprocess.run([sys.executable, os.path.join(HERE, script), work],
                       check=True, capture_output=True)
    failures = 0
    for name, expected in EXPECTED.items():
        counts = count_ops(tfc_opt, os.path.join(work, name + ".onnx"))
        bad = ["%s=%d (expected %d)" % (k, counts[k], v)
               for k, v in expected.items() if counts[k] != v]
        shown = ["attention", "attention:causal", "attention:packed", "layer_norm",
                 "rms_norm", "linear", "softmax", "transpose"]
        table = " ".join("%s=%d" % (k, counts[k]) for k in shown)
        line = "%s %s %s" % ("FAILED" if bad else "ok", name, table)
        if bad:
            line += " | " + ", ".join(bad)
        failures += bool(bad)
        if name in RUNS:
            for optimize in (True, False):
                err = run_model(tfc_run, work, name, *RUNS[name], optimize)
                tag = "optimized" if optimize else "unoptimized"
                if isinstance(err, str) or err > TOLERANCE:
                    failures += 1
                    line += " | FAILED %s: %s" % (tag, err)
                else:
                    line += " | %s error %.2e" % (tag, err)
        print(line)
    print("%d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
