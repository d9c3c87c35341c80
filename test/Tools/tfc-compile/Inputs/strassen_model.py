#!/usr/bin/python3
"""A linear layer eligible for --strassen (48 rows, K 256, N 128, bias and
GELU), written as tfc MLIR with random weights (fixed seed).

  strassen_model.py make DIR   writes DIR/model.mlir and DIR/x.npy
  strassen_model.py check DIR  compares DIR/{jit,aot}/output0.npy with
                               numpy (float64): prints the relative error
"""
import math
import os
import sys

import numpy as np

M, K, N = 48, 256, 128


def arrays():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((M, K)).astype(np.float32)
    w = (rng.standard_normal((N, K)) / np.sqrt(K)).astype(np.float32)
    b = rng.standard_normal(N).astype(np.float32)
    return x, w, b


def literal(a):
    return "dense<%s> : tensor<%sxf32>" % (
        np.array2string(a, separator=", ", threshold=a.size + 1,
                        floatmode="unique", max_line_width=1 << 30),
        "x".join(map(str, a.shape)))


def main():
    mode, work = sys.argv[1], sys.argv[2]
    x, w, b = arrays()
    if mode == "make":
        with open(os.path.join(work, "model.mlir"), "w") as f:
            f.write("func.func @main(%%x: tensor<%dx%dxf32>) -> tensor<%dx%dxf32> {\n"
                    "  %%w = arith.constant %s\n  %%b = arith.constant %s\n"
                    "  %%y = tfc.linear %%x, %%w, %%b {activation = \"gelu\"} : "
                    "(tensor<%dx%dxf32>, tensor<%dx%dxf32>, tensor<%dxf32>) -> "
                    "tensor<%dx%dxf32>\n  return %%y : tensor<%dx%dxf32>\n}\n" % (
                        M, K, M, N, literal(w), literal(b), M, K, N, K, N, M, N,
                        M, N))
        np.save(os.path.join(work, "x.npy"), x)
        return 0
    h = x.astype(np.float64) @ w.T.astype(np.float64) + b
    ref = 0.5 * h * (1 + np.vectorize(math.erf)(h / math.sqrt(2)))
    for run in ("jit", "aot"):
        got = np.load(os.path.join(work, run, "output0.npy"))
        err = np.max(np.abs(got - ref)) / np.max(np.abs(ref))
        print("%s vs numpy: %s" % (run, "ok" if err < 1e-5 else
                                   "FAILED rel error %.2e" % err))
    return 0


if __name__ == "__main__":
    sys.exit(main())
