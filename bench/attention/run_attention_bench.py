#!/usr/bin/python3
"""Attention benchmark: one multi-head attention layer (12 heads, head dim 64)
at several sequence lengths, run as

  tfc fused    tfc-run (default --tfc-optimize: one tfc.attention, lowered to
               the flash-style kernel)
  tfc unfused  tfc-run --no-optimize (matmul, softmax, matmul: S x S scores)
  ORT          onnxruntime-node 1.30 (npm), CPU, all graph optimizations

on the same ONNX file and inputs, in the same run, one thread each. Prints
the median latency and the peak memory the runs add above the resident set
with the model and inputs loaded (VmHWM after resetting it through
/proc/self/clear_refs; outputs and, for ONNX Runtime, arena growth included),
and the ratios against ONNX Runtime. Also checks that fused and unfused
outputs agree.

Usage: run_attention_bench.py [--tfc-run PATH] [--lengths 128,512,2048,4096]
                              [--reps N] [--work DIR]
"""
import argparse
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import peers  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tfc-run", default=peers.DEFAULT_TFC_RUN)
    p.add_argument("--lengths", default="128,512,2048,4096")
    p.add_argument("--reps", type=int, default=0,
                   help="runs per measurement (default: 5, 3 from S=2048)")
    p.add_argument("--work", default="/tmp/tfc-attention-bench")
    args = p.parse_args()
    peers.ensure_onnxruntime()
    print(peers.machine_line())
    header = ("S", "fused ms", "unfused ms", "ORT ms", "fused/ORT", "unfused/ORT",
              "fused MiB", "unfused MiB", "ORT MiB", "fused/ORT mem", "fused vs unfused err")
    rows = []
    for s in (int(x) for x in args.lengths.split(",")):
        work = os.path.join(args.work, str(s))
        subprocess.run([sys.executable, os.path.join(HERE, "make_attention_model.py"),
                        work, str(s)], check=True, capture_output=True)
        model = os.path.join(work, "attention.onnx")
        inputs = {n: os.path.join(work, n + ".npy") for n in "qkv"}
        reps = args.reps or (5 if s < 2048 else 3)
        outs = {}
        res = {}
        for tag, extra in (("fused", []), ("unfused", ["--no-optimize"])):
            out_dir = os.path.join(work, tag)
            res[tag] = peers.run_tfc(args.tfc_run, model, inputs, reps, extra, out_dir)[:2]
            outs[tag] = np.load(os.path.join(out_dir, "out.npy"))
        o_ms, o_mib = peers.run_ort(model, inputs, reps)
        (f_ms, f_mib), (u_ms, u_mib) = res["fused"], res["unfused"]
        err = float(np.max(np.abs(outs["fused"] - outs["unfused"])) /
                    np.max(np.abs(outs["unfused"])))
        rows.append((s, f_ms, u_ms, o_ms, f_ms / o_ms, u_ms / o_ms, f_mib, u_mib, o_mib,
                     f_mib / o_mib if o_mib > 0 else float("inf"), err))
        print("S=%d done (%d runs each)" % (s, reps), file=sys.stderr)
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| %d | %.1f | %.1f | %.1f | %.2f | %.2f | %.1f | %.1f | %.1f | %.2f | %.1e |" % r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
