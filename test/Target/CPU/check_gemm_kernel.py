#!/usr/bin/python3
"""Runs linear layers with constant weights through the CPU GEMM microkernels
(tfc-run) and checks them against a float64 numpy reference x @ W^T + b.

The host picks the blocking (8 x 32, k slices of 512 with AVX-512; 6 x 16,
slices of 768 with AVX2), or --gemm-block RxC sets the register block on
any host (tfc-run --gemm-block; the k slices stay the host's). Cases cover
static row counts split into blocks of unequal sizes, dynamic ones split
the same way at run time (blocks of rows and rows - 1) or, when few,
leaving remainder blocks (8/4/2/1 or 6/3/1 rows),
output widths that are not a multiple of the 32-wide panels, leading batch
dimensions (static and dynamic), bias and activations, a tfc.matmul by a
constant [K, N] weight, linears whose weight is stored [K, N]
(weight_layout "kn"), and two threads.

With --strassen the layers run with tfc-run --strassen: the cases with a
static row count (halves of at least two register blocks), an even K of at
least 128 and N/2 a whole number of panels run one level of Strassen's
algorithm, the others the plain kernels (a few more such cases are added:
bias, activations, residual, scale row, [K, N] weight, tfc.matmul, two
threads, an init read from the output, the K/2 past a k slice, and odd
row counts, which run as one row more).

With --precision bf16 the layers run tfc's bf16 kernels; the reference
then rounds x and W to bf16 (round to nearest even) where the kernel does,
i.e. for an even K (an odd K stays f32), and computes in float64.

Usage: check_gemm_kernel.py TFC_RUN WORK_DIR [--precision bf16]
                            [--gemm-block RxC] [--strassen]
"""
import argparse
import math
import os
import subprocess
import sys
import zlib

import numpy as np

TOLERANCE = 2e-5


def ttype(shape, dyn=()):
    return "tensor<%sxf32>" % "x".join("?" if i in dyn else str(n)
                                       for i, n in enumerate(shape))


def literal(a):
    return "dense<%s> : %s" % (np.array2string(
        a, separator=", ", threshold=a.size + 1, floatmode="unique",
        max_line_width=1 << 30), ttype(a.shape))


def gelu(x):
    return 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def to_bf16(a):
    """float32 -> the nearest bf16 (ties to even), as float32."""
    bits = a.astype(np.float32).view(np.uint32).astype(np.uint64)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16 << 16
    return bits.astype(np.uint32).view(np.float32)


def run_case(tfc_run, work, name, xshape, n, bias=False, act="none",
             matmul=False, kn=False, dyn=(), threads=1, post=None,
             precision="f32", gemm_block=None, env=None, strassen=False):
    rng = np.random.default_rng(zlib.crc32(name.encode()))  # stable seeds
    k = xshape[-1]
    x = rng.standard_normal(xshape).astype(np.float32)
    w = rng.standard_normal((n, k)).astype(np.float32)  # [N, K]
    b = rng.standard_normal(n).astype(np.float32)
    xr, wr = x, w
    if precision == "bf16" and k % 2 == 0:
        xr, wr = to_bf16(x), to_bf16(w)
    ref = xr.astype(np.float64) @ wr.T.astype(np.float64)
    if bias:
        ref = ref + b
    ref = {"none": lambda v: v, "relu": lambda v: np.maximum(v, 0),
           "gelu": gelu}[act](ref)
    out_shape = tuple(xshape[:-1]) + (n,)
    # Elementwise ops after the layer (fused into the kernel's epilogue):
    # a residual input of the output's shape, or a [N] scale row.
    res = rng.standard_normal(out_shape).astype(np.float32)
    scale = rng.standard_normal(n).astype(np.float32)
    if post == "residual":
        ref = ref + res
    elif post == "scale":
        ref = ref * scale
    xt, rt = ttype(xshape, dyn), ttype(out_shape, dyn)
    if matmul:
        body = ("  %%w = arith.constant %s\n"
                "  %%y = tfc.matmul %%x, %%w : (%s, %s) -> %s\n"
                % (literal(np.ascontiguousarray(w.T)), xt, ttype((k, n)), rt))
    else:
        stored = np.ascontiguousarray(w.T) if kn else w
        operands, types = "%x, %w", [xt, ttype(stored.shape)]
        consts = "  %%w = arith.constant %s\n" % literal(stored)
        if bias:
            consts += "  %%b = arith.constant %s\n" % literal(b)
            operands += ", %b"
            types.append(ttype((n,)))
        attrs = (['activation = "%s"' % act] if act != "none" else []) + (
            ['weight_layout = "kn"'] if kn else [])
        attr = " {%s}" % ", ".join(attrs) if attrs else ""
        body = consts + "  %%y = tfc.linear %s%s : (%s) -> %s\n" % (
            operands, attr, ", ".join(types), rt)
    args = "%%x: %s" % xt
    if post == "residual":
        args += ", %%r: %s" % rt
        body += "  %%y2 = tfc.add %%y, %%r : (%s, %s) -> %s\n" % (rt, rt, rt)
    elif post == "scale":
        body += ("  %%s = arith.constant %s\n"
                 "  %%y2 = tfc.mul %%y, %%s : (%s, %s) -> %s\n"
                 % (literal(scale), rt, ttype((n,)), rt))
    result = "%y2" if post else "%y"
    mlir = "func.func @main(%s) -> %s {\n%s  return %s : %s\n}\n" % (
        args, rt, body, result, rt)
    inputs = [x, res] if post == "residual" else [x]
    return run_and_check(tfc_run, work, name, mlir, inputs, ref, threads,
                         precision, gemm_block, env, strassen)


def run_load_init_case(tfc_run, work, name, m, k, n, threads=1,
                       gemm_block=None, strassen=False):
    """C = C0 + x @ W^T as linalg on tensors (a GEMM whose accumulators
    start from the output's values: neither a fill nor a bias row)."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    x = rng.standard_normal((m, k)).astype(np.float32)
    w = rng.standard_normal((n, k)).astype(np.float32)
    c0 = rng.standard_normal((m, n)).astype(np.float32)
    ref = c0.astype(np.float64) + x.astype(np.float64) @ w.T.astype(np.float64)
    mlir = """#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d1, d2)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @main(%%x: %(xt)s, %%c0: %(ct)s) -> %(ct)s {
  %%w = arith.constant %(w)s
  %%y = linalg.generic {indexing_maps = [#a, #b, #c],
      iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%%x, %%w : %(xt)s, %(wt)s) outs(%%c0 : %(ct)s) {
  ^bb0(%%p: f32, %%q: f32, %%o: f32):
    %%t = arith.mulf %%p, %%q : f32
    %%s = arith.addf %%o, %%t : f32
    linalg.yield %%s : f32
  } -> %(ct)s
  return %%y : %(ct)s
}
""" % dict(xt=ttype((m, k)), ct=ttype((m, n)), wt=ttype((n, k)),
           w=literal(w))
    return run_and_check(tfc_run, work, name, mlir, [x, c0], ref, threads,
                         "f32", gemm_block, None, strassen)


def run_and_check(tfc_run, work, name, mlir, inputs, ref, threads, precision,
                  gemm_block, env=None, strassen=False):
    """Writes `mlir` and its `inputs` (input0, input1, ...) under
    work/name, runs tfc-run on them and compares output0 with `ref`
    (float64): relative max error at most TOLERANCE, an all-zero `ref`
    (an empty K) exactly. Prints one line; returns whether it passed."""
    case_dir = os.path.join(work, name)
    os.makedirs(case_dir, exist_ok=True)
    path = os.path.join(case_dir, "model.mlir")
    with open(path, "w") as f:
        f.write(mlir)
    cmd = [tfc_run, path, "--output-dir", case_dir, "--threads", str(threads),
           "--precision", precision]
    for i, value in enumerate(inputs):
        file = os.path.join(case_dir, "input%d.npy" % i)
        np.save(file, value)
        cmd += ["--input", "input%d=%s" % (i, file)]
    if gemm_block:
        cmd.append("--gemm-block=" + gemm_block)
    if strassen:
        cmd.append("--strassen")
    r = subprocess.run(cmd, capture_output=True, text=True,
                       env=dict(os.environ, **(env or {})))
    if r.returncode != 0:
        print("FAILED %s: tfc-run exited %d: %s" % (name, r.returncode,
                                                    r.stderr.strip()))
        return False
    got = np.load(os.path.join(case_dir, "output0.npy")).astype(np.float64)
    if got.shape != ref.shape:
        print("FAILED %s: shape %s, expected %s" % (name, got.shape, ref.shape))
        return False
    scale = np.max(np.abs(ref)) if ref.size else 0.0
    err = (float(np.max(np.abs(got - ref)) / scale) if scale else
           float(np.max(np.abs(got), initial=0.0)))
    ok = err <= TOLERANCE
    print("%s %s rel max error %.2e" % ("ok" if ok else "FAILED", name, err))
    return ok


def run_activation_case(tfc_run, work, name, ashape, bshape, dyn=(),
                        transpose_rhs=False, divide_by=None, threads=1,
                        precision="f32", gemm_block=None, block=None):
    """tfc.matmul of two graph inputs (attention's Q K^T and P V as plain
    matmuls), all run by the microkernels: B read in place batch by batch
    (a transposed B transposed once first), batch dimensions of either
    operand that broadcast read at index 0 or not at all.
    `dyn`: the dimensions of both operands and the result made dynamic
    (counted from the right, so that they line up under broadcasting).
    `divide_by`: the product divided by this scalar (a rank-0 constant,
    as attention scales its scores; fused into the kernel's epilogue).
    `block`: a register block for this case, in place of `gemm_block`.
    Always f32: bf16 applies to constant weights only."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    a = rng.standard_normal(ashape).astype(np.float32)
    b = rng.standard_normal(bshape).astype(np.float32)
    bt = np.swapaxes(b, -1, -2) if transpose_rhs else b
    ref = a.astype(np.float64) @ bt.astype(np.float64)
    if divide_by is not None:
        ref = ref / np.float32(divide_by)

    def t(shape):
        return ttype(shape, {len(shape) - 1 - d for d in dyn})

    attr = " {transpose_rhs}" if transpose_rhs else ""
    rt = t(ref.shape)
    body = "  %%y = tfc.matmul %%a, %%b%s : (%s, %s) -> %s\n" % (
        attr, t(ashape), t(bshape), rt)
    result = "%y"
    if divide_by is not None:
        body += ("  %%s = arith.constant dense<%r> : tensor<f32>\n"
                 "  %%y2 = tfc.div %%y, %%s : (%s, tensor<f32>) -> %s\n" % (
                     float(divide_by), rt, rt))
        result = "%y2"
    mlir = "func.func @main(%%a: %s, %%b: %s) -> %s {\n%s  return %s : %s\n}\n" % (
        t(ashape), t(bshape), rt, body, result, rt)
    return run_and_check(tfc_run, work, name, mlir, [a, b], ref, threads,
                         precision, block or gemm_block)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tfc_run")
    parser.add_argument("work")
    parser.add_argument("--precision", choices=["f32", "bf16"], default="f32")
    parser.add_argument("--gemm-block")
    parser.add_argument("--strassen", action="store_true")
    args = parser.parse_args()
    tfc_run, work, precision = args.tfc_run, args.work, args.precision
    os.makedirs(work, exist_ok=True)
    cases = [
        ("rows-15-even", dict(xshape=(15, 24), n=64)),
        ("rows-1-ragged", dict(xshape=(1, 17), n=5)),
        ("rows-39-ragged-bias", dict(xshape=(39, 40), n=70, bias=True)),
        ("batch-relu", dict(xshape=(3, 7, 16), n=33, bias=True, act="relu")),
        ("batch-dynamic-gelu", dict(xshape=(2, 13, 16), n=32, bias=True,
                                    act="gelu", dyn=(0, 1))),
        ("rank4", dict(xshape=(2, 2, 5, 8), n=40, bias=True)),
        # Dynamic row counts past rows (rows - 2): blocks of rows and
        # rows - 1 counted at run time (25 = 5 x 5 by 6; 53 = 8 x 6 + 5
        # by 6, 4 x 8 + 3 x 7 by 8), and 2 x 30 = 10 x 6 or 4 x 8 + 4 x 7.
        ("rows-dynamic-25", dict(xshape=(25, 16), n=16, bias=True, dyn=(0,))),
        ("rows-dynamic-53", dict(xshape=(53, 24), n=40, dyn=(0,))),
        ("batch-dynamic-60", dict(xshape=(2, 30, 24), n=36, bias=True,
                                  dyn=(0, 1))),
        ("matmul-kn", dict(xshape=(2, 9, 12), n=36, matmul=True)),
        # The weight stored [K, N]: panels packed from its rows, a ragged
        # last panel, and past one 256-deep k slice.
        ("linear-kn-bias-gelu", dict(xshape=(7, 40), n=70, bias=True,
                                     act="gelu", kn=True)),
        ("linear-kn-slices", dict(xshape=(2, 5, 300), n=33, kn=True,
                                  dyn=(0,), threads=2)),
        ("threads-2", dict(xshape=(21, 48), n=100, bias=True, threads=2)),
        # K past one 256-deep slice (the last one partial): the bias starts
        # the first slice, the epilogue runs after the last.
        ("slices-bias-gelu", dict(xshape=(19, 600), n=70, bias=True,
                                  act="gelu")),
        ("slices-zero-init", dict(xshape=(11, 300), n=40)),
        # K past two slices of the AVX2 blocking's 768 (three of AVX-512's
        # 512), the last one partial.
        ("slices-deep", dict(xshape=(14, 1600), n=24, bias=True,
                             act="gelu")),
        ("slices-gelu-residual", dict(xshape=(2, 9, 520), n=45, bias=True,
                                      act="gelu", post="residual",
                                      dyn=(1,))),
        ("scale-row-threads-2", dict(xshape=(13, 270), n=66, bias=True,
                                     post="scale", threads=2)),
        # Three threads over the 7 panels of 5 x 7 rows (two dynamic leading
        # sizes, collapsed into rows and reshaped back): ranges of uneven
        # length.
        ("threads-3-batch", dict(xshape=(5, 7, 40), n=200, bias=True,
                                 dyn=(0, 1), threads=3)),
        # Sequence-first [S, 1, K] inputs: the leading sizes are one row
        # dimension of S rows (not S kernels of one row), the residual is
        # cut the same way, a dynamic S, k slices.
        ("seq-first-residual", dict(xshape=(19, 1, 40), n=70, bias=True,
                                    act="gelu", post="residual",
                                    threads=2)),
        ("seq-first-dynamic-slices", dict(xshape=(13, 1, 300), n=33,
                                          bias=True, dyn=(0,))),
        # A team of one (the OpenMP thread limit) still runs every range.
        ("threads-2-team-of-1", dict(xshape=(9, 64), n=160, threads=2,
                                     env={"OMP_THREAD_LIMIT": "1"})),
    ]
    if args.strassen:
        # Eligible for Strassen with either ISA's block (N/2 a multiple
        # of 32): the seven products' sums of A and W, the four output
        # blocks' init, epilogue and operands cut per block.
        cases += [
            ("strassen-zero-init", dict(xshape=(64, 256), n=128)),
            ("strassen-batch-bias-gelu", dict(xshape=(2, 24, 256), n=192,
                                              bias=True, act="gelu")),
            ("strassen-residual", dict(xshape=(40, 300), n=64, bias=True,
                                       act="gelu", post="residual")),
            ("strassen-scale-threads-2", dict(xshape=(48, 128), n=192,
                                              bias=True, post="scale",
                                              threads=2)),
            ("strassen-kn", dict(xshape=(34, 256), n=64, kn=True,
                                 bias=True)),
            ("strassen-matmul", dict(xshape=(2, 16, 160), n=128,
                                     matmul=True)),
            # K/2 = 1100: one k slice longer than the usual 768 or 512.
            ("strassen-deep", dict(xshape=(32, 2200), n=64, bias=True,
                                   threads=3)),
            # An odd row count (ViT's 197 tokens): run as one more, the
            # last row of the lower blocks not written (bias, GELU and a
            # residual read there; an init read from the output below).
            ("strassen-odd-rows", dict(xshape=(41, 256), n=64, bias=True,
                                       act="gelu", post="residual")),
            ("strassen-odd-rows-threads-2", dict(xshape=(1, 63, 128), n=128,
                                                 threads=2)),
            # Too few rows: the plain kernels.
            ("strassen-few-rows", dict(xshape=(4, 256), n=64, bias=True)),
        ]
    # Products of two activations.
    activation_cases = [
        # Batched B: a ragged last panel (40 = 32 + 8: half-width vectors
        # with 16-lane panels), a size-1 batch dimension, dynamic sizes on
        # two threads, K past the 96-deep slices of --gemm-block 6x16x96.
        ("act-batched", dict(ashape=(2, 3, 13, 24), bshape=(2, 3, 24, 40))),
        ("act-batched-size-1", dict(ashape=(1, 4, 7, 16),
                                    bshape=(1, 4, 16, 33))),
        ("act-batched-dynamic", dict(ashape=(2, 3, 19, 130),
                                     bshape=(2, 3, 130, 50), dyn=(0, 1, 2),
                                     threads=2)),
        # Divided by a scalar after the product: in the epilogue (a ragged
        # panel), and with a dynamic K as a separate divide.
        ("act-batched-scaled", dict(ashape=(1, 2, 9, 64),
                                    bshape=(1, 2, 64, 37), divide_by=8.0)),
        ("act-batched-scaled-dynamic", dict(ashape=(3, 11, 20),
                                            bshape=(3, 20, 21), dyn=(0, 1),
                                            divide_by=0.125, threads=2)),
        # Rows of B 8 KiB apart (N = 2048) and K = 40: each panel is
        # copied before the row blocks read it; with 48-wide panels the
        # last one (32 columns) is ragged.
        ("act-batched-packed", dict(ashape=(2, 33, 40), bshape=(2, 40, 2048))),
        ("act-packed-ragged", dict(ashape=(1, 30, 40), bshape=(1, 40, 2048),
                                   block="4x48", threads=2)),
        # One [K, N] for every batch index, one [M, K] for every batch
        # index, a transposed B, size-1 batch dimensions of both operands
        # that broadcast.
        ("act-shared-b", dict(ashape=(3, 5, 8), bshape=(8, 20))),
        ("act-shared-a", dict(ashape=(5, 8), bshape=(3, 8, 20))),
        ("act-transposed-b", dict(ashape=(2, 4, 8), bshape=(2, 5, 8),
                                  transpose_rhs=True)),
        # Static sizes of 0: K (all zeros), M, N, a broadcast batch of 1
        # against an empty M.
        ("act-empty-k", dict(ashape=(2, 3, 0), bshape=(2, 0, 4))),
        ("act-empty-mn", dict(ashape=(2, 0, 5), bshape=(2, 5, 0))),
        ("act-empty-broadcast", dict(ashape=(1, 0, 5), bshape=(3, 5, 4),
                                     threads=2)),
        ("act-broadcast-both", dict(ashape=(2, 1, 5, 8),
                                    bshape=(1, 3, 8, 20), threads=2)),
    ]
    failures = sum(not run_case(tfc_run, work, name, precision=precision,
                                gemm_block=args.gemm_block,
                                strassen=args.strassen, **kw)
                   for name, kw in cases)
    failures += sum(not run_activation_case(
        tfc_run, work, name, precision=precision, gemm_block=args.gemm_block,
        **kw) for name, kw in activation_cases)
    if args.strassen:
        failures += sum(not run_load_init_case(
            tfc_run, work, name, gemm_block=args.gemm_block, strassen=True,
            **kw) for name, kw in [
                ("strassen-load-init", dict(m=48, k=256, n=128)),
                ("strassen-load-init-odd", dict(m=37, k=128, n=64)),
                ("strassen-load-init-threads-2",
                 dict(m=64, k=192, n=64, threads=2))])
    print("%d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
