#!/usr/bin/python3
"""Runs ONNX's expanded window-function models (libonnx-testdata: Range, Div,
Mul and Cos) through tfc-run and checks each output against the window's
formula computed in float64, w[n] = a0 - a1 cos(2 pi n / M) + a2 cos(4 pi n
/ M) with M = N (periodic) or N - 1 (symmetric). The models' shipped
expected values are computed less exactly (6e-5 to 7e-5 off the formula),
so run_onnx_node_tests.py excludes them.

Usage: check_window_functions.py TFC_RUN WORK_DIR
Prints `ok NAME max abs error E` or `FAILED NAME ...` per model.
"""
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper

DATA = "/usr/share/libonnx-testdata/data/node"
TOLERANCE = 1e-6  # absolute; the windows lie in [0, 1]
COEFFICIENTS = {"hann": (0.5, 0.5, 0.0),
                "hamming": (25 / 46, 21 / 46, 0.0),
                "blackman": (0.42, 0.5, 0.08)}


def main():
    tfc_run, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    failures = 0
    for window, coeffs in COEFFICIENTS.items():
        for kind in ["", "_symmetric"]:
            name = "test_%swindow%s_expanded" % (window, kind)
            case = os.path.join(DATA, name)
            size_pb = os.path.join(case, "test_data_set_0", "input_0.pb")
            tensor = onnx.TensorProto()
            with open(size_pb, "rb") as f:
                tensor.ParseFromString(f.read())
            size = int(numpy_helper.to_array(tensor))
            out = os.path.join(work, name)
            proc = subprocess.run(
                [tfc_run, os.path.join(case, "model.onnx"), "--input",
                 size_pb, "--output-dir", out],
                capture_output=True, text=True)
            if proc.returncode != 0:
                print("FAILED %s: tfc-run: %s" % (name, proc.stderr.strip()))
                failures += 1
                continue
            got = np.load(os.path.join(out, "y.npy")).astype(np.float64)
            n = np.arange(size)
            m = size - 1 if kind else size
            a0, a1, a2 = coeffs
            want = (a0 - a1 * np.cos(2 * np.pi * n / m) +
                    a2 * np.cos(4 * np.pi * n / m))
            err = np.abs(got - want).max() if got.shape == want.shape else 1
            status = "ok" if err <= TOLERANCE else "FAILED"
            failures += status != "ok"
            print("%s %s max abs error %.2g" % (status, name, err))
    print("%d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
