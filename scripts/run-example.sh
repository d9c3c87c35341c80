#!/usr/bin/env bash
# Installs, builds, then compiles and runs the bundled example model
# (examples/tiny-gpt2, a small GPT-2-style decoder exported from torch) with
# tfc-run, and prints its agreement with torch's reference output and the
# latency.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
scripts/setup.sh "$BUILD_DIR"
EX=examples/tiny-gpt2
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$BUILD_DIR/bin/tfc-run" "$EX/model.onnx" --input "input_ids=$EX/input_ids.npy" \
  --output-dir "$OUT" --bench 50
/usr/bin/python3 - "$OUT/logits.npy" "$EX/reference_logits.npy" <<'PY'
import sys
import numpy as np
got, ref = np.load(sys.argv[1]), np.load(sys.argv[2])
err = float(np.max(np.abs(got - ref)) / np.max(np.abs(ref)))
print("agreement with torch: relative max error %.2e (%s, tolerance 1e-4)"
      % (err, "ok" if err <= 1e-4 else "FAILED"))
sys.exit(0 if err <= 1e-4 else 1)
PY
