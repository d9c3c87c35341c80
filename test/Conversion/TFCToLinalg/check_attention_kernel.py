#!/usr/bin/python3
"""Runs tfc.attention through the flash-style CPU kernel (tfc-run) and checks
it against a numpy reference softmax(scale * Q K^T + mask [+ causal]) V.

Cases cover both layouts (BHSD and packed [B, S, H*D] with num_heads),
additive masks of several broadcast shapes, causal with Sq == Sk and Sq < Sk
(decode-style), grouped-query attention, sequence lengths that are not a
multiple of the 64-wide tiles, an explicit scale, dynamic sizes and f16.

Usage: check_attention_kernel.py TFC_RUN WORK_DIR
"""
import os
import subprocess
import zlib
import sys

import numpy as np

TOLERANCE = {"f32": 2e-5, "f16": 5e-3}


def reference(q, k, v, mask, causal, scale):
    """q [B,H,Sq,D], k/v [B,Hkv,Sk,*] in float64."""
    h, hkv = q.shape[1], k.shape[1]
    if k.shape[2] == 0:  # no keys: P [Sq, 0] @ V [0, Dv] = 0
        return np.zeros(q.shape[:3] + v.shape[3:])
    k = np.repeat(k, h // hkv, axis=1)
    v = np.repeat(v, h // hkv, axis=1)
    s = scale * q @ np.swapaxes(k, -1, -2)
    if mask is not None:
        s = s + mask
    if causal:
        sq, sk = s.shape[-2:]
        i = np.arange(sq)[:, None] + (sk - sq)
        s = np.where(np.arange(sk)[None, :] <= i, s, -np.inf)
    s = s - s.max(-1, keepdims=True)
    p = np.exp(s)
    return (p / p.sum(-1, keepdims=True)) @ v


def ttype(shape, dyn, et):
    return "tensor<%sx%s>" % ("x".join("?" if d in dyn else str(n)
                                        for d, n in enumerate(shape)), et)


def run_case(tfc_run, work, name, b, h, hkv, sq, sk, d, dv, mask_shape=None,
             causal=False, scale=None, packed=False, dyn=(), et="f32",
             poison=False, masked=-1e4):
    rng = np.random.default_rng(zlib.crc32(name.encode()))  # stable across runs
    npt = np.float16 if et == "f16" else np.float32
    q = rng.standard_normal((b, h, sq, d)).astype(npt)
    k = rng.standard_normal((b, hkv, sk, d)).astype(npt)
    v = rng.standard_normal((b, hkv, sk, dv)).astype(npt)
    mask = None
    if mask_shape is not None:
        mask = np.where(rng.random(mask_shape) < 0.2, masked, 0).astype(npt)
        mask += rng.standard_normal(mask_shape).astype(npt)
    if poison:
        # A row whose keys are all masked, and rows with one NaN score in
        # the first or (past 256 keys) the second key tile: NaN rows, as
        # the reference softmax gives.
        mask[..., 3, :] = -np.inf
        mask[..., 5, 7] = np.nan
        mask[..., 9, sk - 2] = np.nan
    eff_scale = scale if scale is not None else 1 / np.sqrt(d)
    ref = reference(q.astype(np.float64), k.astype(np.float64),
                    v.astype(np.float64),
                    None if mask is None else mask.astype(np.float64),
                    causal, eff_scale)

    def pack(x):  # [B,H,S,D] -> [B,S,H*D]
        return np.ascontiguousarray(x.transpose(0, 2, 1, 3)).reshape(
            x.shape[0], x.shape[2], x.shape[1] * x.shape[3])

    args = [q, k, v] if not packed else [pack(q), pack(k), pack(v)]
    out_shape = (b, h, sq, dv) if not packed else (b, sq, h * dv)
    if mask is not None:
        args.append(mask)
    names = ["q", "k", "v", "m"][:len(args)]
    types = [ttype(a.shape, dyn if i < 3 else (), et) for i, a in enumerate(args)]
    rtype = ttype(out_shape, dyn, et)
    attrs = []
    if causal:
        attrs.append("causal")
    if scale is not None:
        attrs.append("scale = %r : f32" % scale)
    if packed:
        attrs.append("num_heads = %d : i64" % h)
    params = ", ".join("%%%s: %s" % (n, t) for n, t in zip(names, types))
    mlir = """func.func @main(%s) -> %s {
  %%r = tfc.attention %s {%s} : (%s) -> %s
  return %%r : %s
}
""" % (params, rtype, ", ".join("%" + n for n in names), ", ".join(attrs),
       ", ".join(types), rtype, rtype)
    case_dir = os.path.join(work, name)
    os.makedirs(case_dir, exist_ok=True)
    path = os.path.join(case_dir, "model.mlir")
    with open(path, "w") as f:
        f.write(mlir)
    cmd = [tfc_run, path, "--output-dir", case_dir]
    for i, (n, a) in enumerate(zip(names, args)):
        np.save(os.path.join(case_dir, n + ".npy"), a)
        cmd += ["--input", "input%d=%s" % (i, os.path.join(case_dir, n + ".npy"))]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print("FAILED %s: tfc-run exited %d: %s" % (name, r.returncode,
                                                    r.stderr.strip()))
        return False
    got = np.load(os.path.join(case_dir, "output0.npy")).astype(np.float64)
    want = pack(ref) if packed else ref
    if got.shape != want.shape:
        print("FAILED %s: shape %s, expected %s" % (name, got.shape, want.shape))
        return False
    nan = np.isnan(want)
    if (np.isnan(got) != nan).any():
        print("FAILED %s: NaN where the reference has none or the reverse"
              % name)
        return False
    # All zeros (no keys) compared exactly.
    scale_of = np.max(np.abs(want[~nan]), initial=0.0)
    diff = np.max(np.abs(got[~nan] - want[~nan]), initial=0.0)
    err = float(diff / scale_of if scale_of else diff)
    ok = err <= TOLERANCE[et]
    print("%s %s rel max error %.2e" % ("ok" if ok else "FAILED", name, err))
    return ok


def main():
    tfc_run, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    cases = [
        ("bhsd-plain", dict(b=1, h=2, hkv=2, sq=16, sk=16, d=8, dv=8)),
        ("bhsd-mask-b11s", dict(b=2, h=3, hkv=3, sq=70, sk=70, d=16, dv=16,
                                mask_shape=(2, 1, 1, 70))),
        # Sk past one 256-wide key tile: the online softmax rescales.
        ("bhsd-mask-ss", dict(b=1, h=2, hkv=2, sq=33, sk=600, d=8, dv=4,
                              mask_shape=(33, 600))),
        ("bhsd-causal", dict(b=1, h=2, hkv=2, sq=300, sk=300, d=8, dv=8,
                             causal=True)),
        ("bhsd-causal-decode", dict(b=1, h=2, hkv=2, sq=3, sk=100, d=8, dv=8,
                                    causal=True)),
        ("bhsd-causal-mask", dict(b=1, h=2, hkv=2, sq=65, sk=65, d=8, dv=8,
                                  causal=True, mask_shape=(1, 2, 65, 65))),
        ("bhsd-gqa-scale", dict(b=1, h=4, hkv=2, sq=20, sk=20, d=8, dv=8,
                                scale=0.3)),
        # A negative scale keeps the scores a tile of their own (the row
        # code's -inf padding would turn into +inf).
        ("bhsd-negative-scale", dict(b=1, h=2, hkv=2, sq=21, sk=37, d=16,
                                     dv=8, scale=-0.7, mask_shape=(21, 37))),
        # Masks the row code reads as one value per row, or per key. A
        # finite shift of a whole row leaves its softmax as it was; the
        # rows masked with -inf are NaN, so a row read from the wrong place
        # shows.
        ("bhsd-mask-per-row", dict(b=1, h=2, hkv=2, sq=40, sk=45, d=8, dv=8,
                                   mask_shape=(1, 2, 40, 1), causal=True,
                                   masked=-np.inf)),
        ("packed-mask-keys", dict(b=1, h=2, hkv=2, sq=30, sk=30, d=16, dv=16,
                                  mask_shape=(30,), packed=True)),
        ("bhsd-dynamic", dict(b=2, h=2, hkv=2, sq=40, sk=40, d=8, dv=8,
                              mask_shape=(2, 1, 1, 40), dyn=(0, 2))),
        ("packed-mask", dict(b=2, h=4, hkv=4, sq=77, sk=77, d=16, dv=16,
                             mask_shape=(2, 1, 1, 77), packed=True)),
        ("packed-causal-gqa", dict(b=1, h=4, hkv=1, sq=270, sk=270, d=8, dv=8,
                                   causal=True, packed=True)),
        # D a multiple of 16: K^T moves in 16x16 vector blocks, the last
        # one ragged (197 = 12 x 16 + 5 keys, as in ViT-B/16; 45 dynamic).
        ("bhsd-d64-ragged-keys", dict(b=1, h=2, hkv=2, sq=197, sk=197, d=64,
                                      dv=64)),
        ("packed-d32-dynamic", dict(b=1, h=2, hkv=2, sq=45, sk=45, d=32,
                                    dv=32, packed=True, dyn=(0, 1))),
        ("packed-dynamic", dict(b=1, h=2, hkv=2, sq=50, sk=50, d=8, dv=8,
                                packed=True, dyn=(0, 1))),
        ("bhsd-masked-nan-rows", dict(b=1, h=2, hkv=2, sq=12, sk=300, d=8,
                                      dv=8, mask_shape=(1, 1, 12, 300),
                                      poison=True)),
        ("bhsd-f16", dict(b=1, h=2, hkv=2, sq=70, sk=70, d=16, dv=16,
                          causal=True, et="f16")),
        # No keys: 0, as the matmul/softmax/matmul gives (static, and a
        # dynamic Sk that is 0 at run time).
        ("bhsd-no-keys", dict(b=1, h=2, hkv=2, sq=5, sk=0, d=16, dv=8)),
        ("packed-no-keys-dynamic", dict(b=1, h=2, hkv=2, sq=5, sk=0, d=8,
                                        dv=8, packed=True, dyn=(0, 1))),
    ]
    failed = [n for n, c in cases if not run_case(tfc_run, work, n, **c)]
    print("%d failures%s" % (len(failed), (": " + ", ".join(failed)) if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
