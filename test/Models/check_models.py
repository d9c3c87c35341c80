#!/usr/bin/python3
"""End-to-end model test: exports the BERT-, GPT-2- and ViT-style models
(export_models.py), runs them through tfc-run and checks the outputs against
torch's: relative max error max|tfc - torch| / max|torch| <= 1e-4 (fp32).
BERT (dynamic batch and sequence axes) is compiled once and run at two
sequence lengths.

Usage: check_models.py TFC_RUN WORK_DIR [--large] [--run-arg=ARG]...
"""
import os
import subprocess
import sys

import numpy as np

TOLERANCE = 1e-4
HERE = os.path.dirname(os.path.abspath(__file__))

# (model, [(run tag, {input: file tag})...], outputs)
CASES = [
    ("bert", ["bert.s16", "bert.s40"], ["input_ids", "attention_mask"], ["hidden", "pooled"]),
    ("gpt2", ["gpt2"], ["input_ids"], ["logits"]),
    ("vit", ["vit"], ["pixels"], ["logits"]),
]


def main():
    tfc_run, work = sys.argv[1], sys.argv[2]
    # --run-arg=X is passed to tfc-run, anything else to export_models.py.
    run_args = [a.split("=", 1)[1] for a in sys.argv[3:] if a.startswith("--run-arg=")]
    extra = [a for a in sys.argv[3:] if not a.startswith("--run-arg=")]
    subprocess.run([sys.executable, os.path.join(HERE, "export_models.py"), work] + extra,
                   check=True, capture_output=True)
    failures = 0
    for model, tags, inputs, outputs in CASES:
        out_dir = os.path.join(work, "out_" + model)
        cmd = [tfc_run, os.path.join(work, model + ".onnx"), "--output-dir", out_dir] + run_args
        for name in inputs:
            files = [os.path.join(work, "%s.%s.npy" % (t, name)) for t in tags]
            cmd += ["--input", "%s=%s" % (name, ",".join(files))]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            print("FAILED %s: tfc-run exited %d: %s" % (model, r.returncode, r.stderr.strip()))
            failures += 1
            continue
        for k, tag in enumerate(tags):
            run_dir = os.path.join(out_dir, "run%d" % k) if len(tags) > 1 else out_dir
            for name in outputs:
                ref = np.load(os.path.join(work, "%s.%s.npy" % (tag, name)))
                got = np.load(os.path.join(run_dir, name + ".npy"))
                if got.shape != ref.shape:
                    print("FAILED %s %s: shape %s, expected %s" % (tag, name, got.shape, ref.shape))
                    failures += 1
                    continue
                err = float(np.max(np.abs(got - ref)) / np.max(np.abs(ref)))
                ok = err <= TOLERANCE
                failures += not ok
                print("%s %s %s shape %s rel max error %.2e" % (
                    "ok" if ok else "FAILED", tag, name, str(ref.shape), err))
    print("%d failures" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
