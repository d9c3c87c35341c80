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
import re
import shutil
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def parse(out):
    ms = float(re.search(r"latency: median ([0-9.]+) ms", out).group(1))
    mib = float(re.search(r"run memory: peak ([0-9.]+) MiB", out).group(1))
    return ms, mib


def run_tfc(tfc_run, work, reps, optimize):
    out_dir = os.path.join(work, "fused" if optimize else "unfused")
    cmd = [tfc_run, os.path.join(work, "attention.onnx"), "--bench", str(reps),
           "--output-dir", out_dir]
    for n in "qkv":
        cmd += ["--input", "%s=%s" % (n, os.path.join(work, n + ".npy"))]
    if not optimize:
        cmd.append("--no-optimize")
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return parse(r.stdout) + (np.load(os.path.join(out_dir, "out.npy")),)


def run_ort(work, reps):
    r = subprocess.run(["node", os.path.join(HERE, "ort_attention.js"), work, str(reps)],
                       capture_output=True, text=True, check=True)
    return parse(r.stdout)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tfc-run", default=os.path.join(ROOT, "build", "bin", "tfc-run"))
    p.add_argument("--lengths", default="128,512,2048,4096")
    p.add_argument("--reps", type=int, default=0,
                   help="runs per measurement (default: 5, 3 from S=2048)")
    p.add_argument("--work", default="/tmp/tfc-attention-bench")
    args = p.parse_args()
    if not shutil.which("npm"):
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run(sudo + ["apt-get", "update"], check=True, capture_output=True)
        subprocess.run(sudo + ["apt-get", "install", "-y", "nodejs", "npm"], check=True,
                       capture_output=True)
    if not os.path.isdir(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=HERE,
                       check=True, capture_output=True)
    print("machine: %s, %d cpus" % (
        re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read()).group(1),
        os.cpu_count()))
    header = ("S", "fused ms", "unfused ms", "ORT ms", "fused/ORT", "unfused/ORT",
              "fused MiB", "unfused MiB", "ORT MiB", "fused/ORT mem", "fused vs unfused err")
    rows = []
    for s in (int(x) for x in args.lengths.split(",")):
        work = os.path.join(args.work, str(s))
        subprocess.run([sys.executable, os.path.join(HERE, "make_attention_model.py"),
                        work, str(s)], check=True, capture_output=True)
        reps = args.reps or (5 if s < 2048 else 3)
        f_ms, f_mib, f_out = run_tfc(args.tfc_run, work, reps, True)
        u_ms, u_mib, u_out = run_tfc(args.tfc_run, work, reps, False)
        o_ms, o_mib = run_ort(work, reps)
        err = float(np.max(np.abs(f_out - u_out)) / np.max(np.abs(u_out)))
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
