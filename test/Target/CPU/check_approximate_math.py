#!/usr/bin/python3
"""Measures the f32 exp, erf and tanh that tfc-run's CPU code computes
(tfc-cpu-approximate-math) against float64 references: the error in float
ulp over [-100, 100] (200001 points), and exact results for the special
values (+-inf, NaN, +-0, overflow and underflow edges, denormals).

Usage: check_approximate_math.py TFC_RUN WORK_DIR
"""
import math
import os
import subprocess
import sys

import numpy as np

MAX_ULP = 8.0

MLIR = """func.func @main(%x: tensor<?xf32>) -> (tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %a = tfc.exp %x : tensor<?xf32>
  %b = tfc.erf %x : tensor<?xf32>
  %c = tfc.tanh %x : tensor<?xf32>
  return %a, %b, %c : tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}
"""


def main():
    tfc_run, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    special = [np.inf, -np.inf, np.nan, 0.0, -0.0, 88.7, 88.8, -87.3, -103.9,
               -104.0, 1e-30, -1e-30, 1e-42]
    x = np.concatenate([np.linspace(-100, 100, 200001),
                        np.array(special)]).astype(np.float32)
    path = os.path.join(work, "math.mlir")
    with open(path, "w") as f:
        f.write(MLIR)
    np.save(os.path.join(work, "x.npy"), x)
    r = subprocess.run([tfc_run, path, "--output-dir", work, "--input",
                        "input0=" + os.path.join(work, "x.npy")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print("FAILED: tfc-run exited %d: %s" % (r.returncode, r.stderr))
        return 1
    xd = x.astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        refs = {"exp": np.exp(xd),
                "erf": np.array([math.erf(v) for v in xd]),
                "tanh": np.tanh(xd)}
    failures = 0
    for i, (name, ref) in enumerate(refs.items()):
        got = np.load(os.path.join(work, "output%d.npy" % i)).astype(np.float64)
        with np.errstate(over="ignore"):
            ref32 = ref.astype(np.float32).astype(np.float64)
        normal = np.isfinite(ref32) & (np.abs(ref32) >= np.finfo(np.float32).tiny)
        ulp = np.abs(got[normal] - ref[normal]) / np.spacing(
            np.abs(ref32[normal]).astype(np.float32)).astype(np.float64)
        worst = float(ulp.max())
        # Outside the normal range the float result must be the rounded
        # reference (inf, 0, NaN) or, for results below the normal range,
        # within one smallest normal of it.
        bad = [float(xd[j]) for j in np.where(~normal)[0]
               if not (got[j] == ref32[j] or
                       (np.isnan(got[j]) and np.isnan(ref32[j])) or
                       (np.isfinite(ref32[j]) and
                        abs(got[j] - ref32[j]) < np.finfo(np.float32).tiny))]
        ok = worst <= MAX_ULP and not bad
        failures += not ok
        print("%s %s max error %.2f ulp at x=%g, special values wrong at %s" %
              ("ok" if ok else "FAILED", name, worst,
               xd[normal][ulp.argmax()], bad))
    print("%d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
